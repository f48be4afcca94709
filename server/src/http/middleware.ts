import { randomUUID } from 'node:crypto';
import type { Context, Next } from 'koa';
import type { Logger } from '../log.js';
import { isServerFault } from './errors.js';

/** Security headers for a JSON API that is called cross-origin by an embedded widget. */
export async function securityHeaders(ctx: Context, next: Next) {
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Resource-Policy', 'cross-origin');
  ctx.set('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  ctx.set('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
  ctx.set('Cache-Control', 'no-store');
  await next();
}

/** A request id (taken from a well-formed X-Request-Id or made here) and one log line per request, without query strings. */
export function requestLogging(logger: Logger) {
  return async function logRequests(ctx: Context, next: Next) {
    const incoming = ctx.get('X-Request-Id');
    const requestId = /^[A-Za-z0-9_-]{8,64}$/.test(incoming) ? incoming : randomUUID();
    ctx.state.requestId = requestId;
    ctx.set('X-Request-Id', requestId);
    const started = performance.now();
    try {
      await next();
    } finally {
      const ms = Math.round((performance.now() - started) * 10) / 10;
      const level = isServerFault(ctx.status) ? 'error' : ctx.status >= 400 ? 'warn' : 'info';
      logger[level](
        { requestId, method: ctx.method, path: ctx.path, status: ctx.status, ms, orgId: ctx.state.auth?.orgId, userId: ctx.state.auth?.user?.id },
        'request',
      );
    }
  };
}

export interface CorsOptions {
  /** True when some organisation lists this origin among its embed origins (or it is configured for all). */
  isKnownOrigin: (origin: string) => Promise<boolean>;
}

/**
 * CORS limited to the organisations' embed origins. A preflight carries no token, so it is answered for any origin some
 * organisation allows; the auth middleware then checks the origin against the token's own organisation.
 */
export function cors(options: CorsOptions) {
  return async function corsMiddleware(ctx: Context, next: Next) {
    const origin = ctx.get('Origin');
    ctx.vary('Origin');
    if (!origin) return next();
    const allowed = await options.isKnownOrigin(origin);
    if (ctx.method === 'OPTIONS' && ctx.get('Access-Control-Request-Method')) {
      if (!allowed) {
        ctx.status = 403;
        ctx.body = { error: { code: 'ORIGIN_NOT_ALLOWED', message: `The origin ${origin} is not an allowed embed origin.` } };
        return;
      }
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Allow-Methods', 'GET,POST,PUT,PATCH,DELETE,OPTIONS');
      ctx.set('Access-Control-Allow-Headers', 'Authorization,Content-Type,Idempotency-Key,X-Request-Id');
      ctx.set('Access-Control-Max-Age', '600');
      ctx.status = 204;
      return;
    }
    if (allowed) {
      ctx.set('Access-Control-Allow-Origin', origin);
      ctx.set('Access-Control-Expose-Headers', 'X-Request-Id,Content-Disposition');
    }
    await next();
  };
}
