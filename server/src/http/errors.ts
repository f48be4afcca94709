import type { Context, Next } from 'koa';
import { MongoError, MongoNetworkError, MongoServerSelectionError } from 'mongodb';
import type { Logger } from '../log.js';

/** A failure a caller can act on: a stable code, an HTTP status, and a message meant for a person. */
export class AppError extends Error {
  constructor(
    public readonly status: number,
    public readonly code: string,
    message: string,
    public readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const badRequest = (code: string, message: string, details?: unknown) => new AppError(400, code, message, details);
export const unauthenticated = (message = 'Sign in again: this request has no valid token.', code = 'UNAUTHENTICATED') =>
  new AppError(401, code, message);
export const forbidden = (message = 'Only an admin can do this.', code = 'FORBIDDEN') => new AppError(403, code, message);
export const notFound = (what: string) => new AppError(404, 'NOT_FOUND', `${what} was not found.`);
export const conflict = (code: string, message: string, details?: unknown) => new AppError(409, code, message, details);
export const unprocessable = (code: string, message: string, details?: unknown) => new AppError(422, code, message, details);
export const badGateway = (code: string, message: string, details?: unknown) => new AppError(502, code, message, details);

/**
 * The one place that shapes error bodies. AppErrors show their message; anything else is logged with the request id and
 * answered with a generic message, so no stack trace or internal detail leaves the server.
 */
export function errorMiddleware(logger: Logger) {
  return async function handleErrors(ctx: Context, next: Next) {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) {
        throw new AppError(404, 'ROUTE_NOT_FOUND', `There is no ${ctx.method} ${ctx.path}.`);
      }
      // The routers answer a known path with an unsupported method (405) or an unknown method (501, e.g. TRACE)
      // without a body; both get the error shape, and the Allow header they set stays.
      if ((ctx.status === 405 || ctx.status === 501) && ctx.body == null) {
        const allow = ctx.response.get('Allow');
        const methods = allow ? ` Use ${allow.split(/,\s*/).filter((m) => m !== 'HEAD').join(', ')}.` : '';
        if (ctx.status === 405) throw new AppError(405, 'METHOD_NOT_ALLOWED', `${ctx.path} does not support ${ctx.method}.${methods}`);
        throw new AppError(501, 'METHOD_NOT_IMPLEMENTED', `This API does not implement the ${ctx.method} method.${methods}`);
      }
    } catch (err) {
      const requestId = ctx.state.requestId as string | undefined;
      const known = toAppError(err);
      if (known) {
        ctx.status = known.status;
        const retryAfter = (known.details as { retryAfterSeconds?: unknown } | undefined)?.retryAfterSeconds;
        if ((known.status === 429 || known.status === 503) && typeof retryAfter === 'number') ctx.set('Retry-After', String(retryAfter));
        ctx.body = { error: { code: known.code, message: known.message, ...(known.details !== undefined ? { details: known.details } : {}), requestId } };
        if (isServerFault(known.status)) logger.error({ requestId, code: known.code, err: describe(err) }, 'request failed');
        return;
      }
      logger.error({ requestId, err: describe(err) }, 'unhandled error');
      ctx.status = 500;
      ctx.body = {
        error: { code: 'INTERNAL_ERROR', message: `Something went wrong on our side. Quote request id ${requestId} to support.`, requestId },
      };
    }
  };
}

/** A status that says the server failed: 5xx except 501, which answers a method no server here implements (the caller's doing). */
export function isServerFault(status: number): boolean {
  return status >= 500 && status !== 501;
}

/** Database failures that say "not now" rather than "wrong": shutdown, failover, network, timeouts, write conflicts. */
const TRANSIENT_DB_CODES = new Set([6, 7, 50, 89, 91, 112, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436]);

export function isTransientDatabaseError(err: unknown): boolean {
  if (err instanceof MongoNetworkError || err instanceof MongoServerSelectionError) return true;
  if (!(err instanceof MongoError)) return false;
  return (typeof err.code === 'number' && TRANSIENT_DB_CODES.has(err.code)) || err.hasErrorLabel('RetryableWriteError') || err.hasErrorLabel('TransientTransactionError');
}

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (isTransientDatabaseError(err)) {
    return new AppError(503, 'DATABASE_UNAVAILABLE', 'The database did not complete this request. Check the lead and try again in a moment.', {
      retryAfterSeconds: 1,
    });
  }
  const e = err as { status?: number; statusCode?: number; expose?: boolean; type?: string; message?: string };
  const status = e?.status ?? e?.statusCode;
  // Koa's own http-errors (body parser: too large, malformed JSON, unsupported type).
  if (typeof status === 'number' && status >= 400 && status < 500 && e.expose) {
    if (e.type === 'entity.too.large') return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
    if (e.type === 'entity.parse.failed') return new AppError(400, 'MALFORMED_JSON', 'The request body is not valid JSON.');
    if (status === 415) return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    return new AppError(status, 'BAD_REQUEST', e.message ?? 'Bad request.');
  }
  return undefined;
}

function describe(err: unknown) {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { message: String(err) };
}
