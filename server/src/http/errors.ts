import type { Context, Next } from 'koa';
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
    } catch (err) {
      const requestId = ctx.state.requestId as string | undefined;
      const known = toAppError(err);
      if (known) {
        ctx.status = known.status;
        ctx.body = { error: { code: known.code, message: known.message, ...(known.details !== undefined ? { details: known.details } : {}), requestId } };
        if (known.status >= 500) logger.error({ requestId, code: known.code, err: describe(err) }, 'request failed');
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

function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
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
