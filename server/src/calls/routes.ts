import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { CallRecord } from './repository.js';
import { z } from 'zod';
import { auth } from '../auth/middleware.js';
import { AppError, badRequest } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { Logger } from '../log.js';
import { parseVapiWebhook, VapiPayloadError, verifyVapiRequest, type VapiWebhookEvent } from '../telephony/vapi-webhook.js';
import type { CallService } from './service.js';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be an id') });

export function callRoutes(calls: CallService): Router {
  const router = new Router();
  router.post('/leads/:id/calls', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    ctx.status = 202;
    ctx.body = { call: await calls.start(auth(ctx), id) };
  });
  router.get('/calls/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'call id');
    ctx.body = { call: await calls.get(auth(ctx).orgId, id) };
  });
  return router;
}

/**
 * POST /webhooks/vapi. The call record (by Vapi's id, or our id in the metadata) names the organisation whose secret must
 * have signed the raw body; anything that cannot be authenticated is refused the same way, unknown call or bad
 * signature, so the endpoint is no oracle. Processing is idempotent.
 */
export function vapiWebhookRoutes(deps: { calls: CallService; logger: Logger; now: () => Date }): Router {
  const router = new Router();

  /** Parses the server message, finds its call record and checks the HMAC with that clinic's secret; then the handler. */
  async function vapiSignature(ctx: Context, next: Next) {
    const raw = (ctx.request as { rawBody?: string }).rawBody;
    if (typeof raw !== 'string' || !raw) throw badRequest('EMPTY_BODY', 'Expected a JSON Vapi server message.');
    let event: VapiWebhookEvent;
    try {
      event = parseVapiWebhook(ctx.request.body);
    } catch (err) {
      if (err instanceof VapiPayloadError) throw badRequest('INVALID_WEBHOOK', `Not a valid Vapi server message: ${err.message}.`);
      throw err;
    }
    const body = ctx.request.body as { message?: { call?: { id?: unknown; assistantOverrides?: { metadata?: Record<string, unknown> } } } };
    const vapiCallId = event.kind === 'ignored' ? body.message?.call?.id : event.vapiCallId;
    const metadata = event.kind === 'ignored' ? (body.message?.call?.assistantOverrides?.metadata ?? {}) : event.metadata;
    const record = typeof vapiCallId === 'string' ? await deps.calls.recordFor({ vapiCallId, metadata }) : null;
    const secret = record ? await deps.calls.webhookSecret(record.orgId) : null;
    const verdict = secret ? verifyVapiRequest({ rawBody: raw, headers: ctx.headers, secret, nowMs: deps.now().getTime() }) : null;
    if (!record || !verdict?.ok) {
      deps.logger.warn({ reason: verdict && !verdict.ok ? verdict.reason : 'unknown_call', type: event.kind }, 'vapi webhook refused');
      throw new AppError(401, 'WEBHOOK_UNAUTHENTICATED', 'The webhook signature could not be verified.');
    }
    ctx.state.webhook = { event, record } satisfies VerifiedVapi;
    await next();
  }

  router.post('/webhooks/vapi', vapiSignature, async (ctx) => {
    const { event, record } = ctx.state.webhook as VerifiedVapi;
    if (event.kind === 'ignored') {
      ctx.body = { received: true, ignored: event.type };
      return;
    }
    const { duplicate } = await deps.calls.applyWebhook(record, event);
    ctx.body = { received: true, duplicate };
  });
  return router;
}

/** What a verified Vapi webhook hands its handler. */
interface VerifiedVapi {
  event: VapiWebhookEvent;
  record: CallRecord;
}
