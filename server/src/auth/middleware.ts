import type { Context, Next } from 'koa';
import type { EmbedUser } from '../../../core/contracts.js';
import { forbidden, unauthenticated, AppError } from '../http/errors.js';
import type { Organization } from '../orgs/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import { parseSecretKey, secretKeyMatches } from './keys.js';
import type { TokenService } from './tokens.js';
import type { RateLimits } from '../http/rate-limits.js';

export interface AuthState {
  orgId: string;
  org: Organization;
  user: EmbedUser;
}

declare module 'koa' {
  interface DefaultState {
    auth?: AuthState;
    requestId?: string;
  }
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return m ? m[1]! : null;
}

/**
 * Brute-force protection around a credential check: an address (or secret-key id) that has spent its budget of failed
 * sign-ins is refused with 429 before anything is checked; a failed check (401) costs one point. An expired but
 * genuine token costs nothing: it proves knowledge of the secret, and widgets renew such tokens all day.
 */
export async function limitFailures<T>(limits: RateLimits, who: { ip: string; keyId?: string }, check: () => Promise<T>): Promise<T> {
  await limits.assertNotBlocked('authFailuresPerIp', who.ip);
  if (who.keyId) await limits.assertNotBlocked('authFailuresPerKey', who.keyId);
  try {
    return await check();
  } catch (err) {
    if (err instanceof AppError && err.status === 401 && err.code !== 'TOKEN_EXPIRED') {
      await limits.recordFailure('authFailuresPerIp', who.ip);
      if (who.keyId) await limits.recordFailure('authFailuresPerKey', who.keyId);
    }
    throw err;
  }
}

/**
 * The organisation a secret key belongs to, checked in constant time. Secret keys are for the host CRM's backend only:
 * one sent from a browser page (an Origin header) is refused, so a leaked page never works as a key.
 */
export async function authenticateSecretKey(
  ctx: Context,
  deps: { orgRepo: OrganizationRepository; limits: RateLimits },
): Promise<{ org: Organization; keyId: string }> {
  const key = bearerToken(ctx.get('Authorization'));
  const parsed = key ? parseSecretKey(key) : null;
  if (!key) throw unauthenticated('Add an Authorization: Bearer <secret key> header with your clinic\'s secret key (sk_live_...).');
  return limitFailures(deps.limits, { ip: ctx.ip, keyId: parsed?.keyId }, async () => {
    if (!parsed) throw unauthenticated('Add an Authorization: Bearer <secret key> header with your clinic\'s secret key (sk_live_...).');
    if (ctx.get('Origin')) {
      throw new AppError(403, 'SECRET_KEY_IN_BROWSER', 'Secret keys must only be used from your server. Mint an embed token there and give the browser that instead.');
    }
    const found = await deps.orgRepo.findBySecretKeyId(parsed.keyId);
    if (!found || !secretKeyMatches(key, found.key.hash)) throw unauthenticated('This secret key is not valid.');
    return { org: found.org, keyId: parsed.keyId };
  });
}

/** Whether a browser page at `origin` may act for `org`: one of the clinic's embed origins, or one configured for all. */
export function originAllowed(org: Organization, origin: string, extraOrigins: readonly string[]): boolean {
  return org.allowedOrigins.includes(origin) || extraOrigins.includes(origin);
}

/**
 * Every /v1 route except token minting: a valid embed token for an existing organisation, from one of that
 * organisation's embed origins when called from a browser; or, from a server, the organisation's secret key, which acts
 * as an admin named "API" (for the host CRM's pushes of contacts and appointments).
 */
export function requireUser(deps: {
  tokens: TokenService;
  orgs: OrganizationCache;
  orgRepo: OrganizationRepository;
  extraOrigins: string[];
  limits: RateLimits;
}) {
  return async function authenticate(ctx: Context, next: Next) {
    const token = bearerToken(ctx.get('Authorization'));
    if (token?.startsWith('sk_')) {
      const { org, keyId } = await authenticateSecretKey(ctx, deps);
      ctx.state.auth = { orgId: org.id, org, user: { id: `api-key:${keyId}`, name: 'API', role: 'admin' } };
      return next();
    }
    // No credentials at all is no guess: it is answered, but costs nothing.
    if (!token) throw unauthenticated('Add an Authorization: Bearer <embed token> header.');
    const { claims, org } = await limitFailures(deps.limits, { ip: ctx.ip }, async () => {
      const claims = await deps.tokens.verify(token);
      const org = await deps.orgs.get(claims.orgId);
      if (!org) throw unauthenticated('The organisation of this token no longer exists.');
      return { claims, org };
    });
    const origin = ctx.get('Origin');
    if (origin && !originAllowed(org, origin, deps.extraOrigins)) {
      throw new AppError(403, 'ORIGIN_NOT_ALLOWED', `The page at ${origin} is not an allowed embed origin of ${org.name}.`);
    }
    ctx.state.auth = { orgId: org.id, org, user: claims.user };
    await next();
  };
}

/**
 * Routes only the host CRM's backend may call, with the clinic's secret key (requireUser authenticated an `sk_` bearer
 * as that key): an embed token, even an admin's, is refused with 403 SECRET_KEY_REQUIRED and `what` in the message.
 */
export function requireSecretKey(what: string) {
  return async (ctx: Context, next: Next) => {
    if (!bearerToken(ctx.get('Authorization'))?.startsWith('sk_')) {
      throw new AppError(403, 'SECRET_KEY_REQUIRED', `${what} is changed by your server with the clinic's secret key (Authorization: Bearer sk_live_...), not from the board.`);
    }
    await next();
  };
}

export async function requireAdmin(ctx: Context, next: Next) {
  if (ctx.state.auth?.user.role !== 'admin') throw forbidden('Only an admin of this clinic can do this.');
  await next();
}

/** The authenticated state of a route behind requireUser. */
export function auth(ctx: Context): AuthState {
  const state = ctx.state.auth;
  if (!state) throw unauthenticated();
  return state;
}
