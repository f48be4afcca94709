import Router from '@koa/router';
import { z } from 'zod';
import type { EmbedTokenReply, SessionInfo } from '../../../core/contracts.js';
import { validate } from '../http/validate.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import { auth, authenticateSecretKey } from './middleware.js';
import type { TokenService } from './tokens.js';
import type { RateLimits } from '../http/rate-limits.js';

export const embedTokenBody = z
  .object({
    user: z.object({
      id: z.string().trim().min(1, 'the host user id is required').max(200),
      name: z.string().trim().min(1, 'the user name is required').max(200),
      role: z.enum(['agent', 'admin']),
      /** The user's own phone: "Connect me" calls ring it first (when the team roster has none for this user). */
      phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'phone is E.164, for example +12125550123').optional(),
    }),
    ttlSeconds: z.number().int().min(60, 'at least 60 seconds').max(86400, 'at most 24 hours').optional(),
  })
  .strict();

/** POST /v1/embed-tokens: the host CRM's backend, with its secret key, mints a short-lived token for one of its users. */
export function embedTokenRoutes(deps: { orgRepo: OrganizationRepository; tokens: TokenService; limits: RateLimits }): Router {
  const router = new Router();
  router.post('/v1/embed-tokens', async (ctx) => {
    const { org } = await authenticateSecretKey(ctx, deps);
    await deps.limits.consume('tokenMintsPerClinic', org.id);
    const body = validate(embedTokenBody, ctx.request.body, 'token request');
    const { token, expiresAt } = await deps.tokens.mint(org.id, body.user, body.ttlSeconds);
    const reply: EmbedTokenReply = { token, expiresAt: expiresAt.toISOString(), user: body.user, orgId: org.id };
    ctx.status = 201;
    ctx.body = reply;
  });
  return router;
}

/** GET /v1/session: who the widget is signed in as, and whether calling and texting are set up. */
export function sessionRoutes(deps: {
  telephonyStatus: (orgId: string) => Promise<SessionInfo['telephony']>;
  /** The call modes this user may use (server/src/calls/connect.ts). */
  callModes?: (orgId: string, user: SessionInfo['user']) => Promise<NonNullable<SessionInfo['callModes']>>;
}): Router {
  const router = new Router();
  router.get('/session', async (ctx) => {
    const { org, user } = auth(ctx);
    const reply: SessionInfo = {
      user,
      org: { id: org.id, name: org.name, timezone: org.timezone, quietHours: org.settings.quietHours },
      telephony: await deps.telephonyStatus(org.id),
      callModes: deps.callModes ? await deps.callModes(org.id, user) : ['agent'],
    };
    ctx.body = reply;
  });
  return router;
}
