import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { CallRecord } from './repository.js';
import { z } from 'zod';
import { CALL_MODES } from '../../../core/contracts.js';
import { auth } from '../auth/middleware.js';
import { AppError, badRequest } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { Logger } from '../log.js';
import { parseVapiWebhook, VapiPayloadError, type VapiWebhookEvent } from '../telephony/vapi-webhook.js';
import type { CallService } from './service.js';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be an id') });
/** POST /v1/leads/:id/calls: the call mode (./connect.ts); no body is today's AI agent call. */
export const startBody = z.object({ mode: z.enum(CALL_MODES, { message: 'mode is "agent" (AI agent calls) or "connect" (Connect me)' }).optional() });

export function callRoutes(calls: CallService): Router {
  const router = new Router();
  router.post('/leads/:id/calls', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const { mode } = validate(startBody, ctx.request.body ?? {}, 'call request');
    ctx.status = 202;
    ctx.body = { call: await calls.start(auth(ctx), id, { mode }) };
  });
  router.get('/calls/:id', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'call id');
    ctx.body = { call: await calls.get(auth(ctx).orgId, id) };
  });
  return router;
}

/**
 * POST /webhooks/vapi. Authenticated by the org's secret in x-vapi-secret (telephony/README.md): the call record (by
 * Vapi's id, or our id in the metadata) names the organisation and the secrets that may have signed it; a message
 * without a call object (optional in Vapi's description) is authenticated by the secret alone and matched to the lead's
 * active call. Anything that cannot be authenticated is refused the same way, unknown call or bad secret, so the
 * endpoint is no oracle; an authenticated message that matches no call of ours is acknowledged (Vapi does not retry)
 * and logged, and reconciliation closes the call. Processing is idempotent.
 */
export function vapiWebhookRoutes(deps: { calls: CallService; logger: Logger; now: () => Date }): Router {
  const router = new Router();

  /** Parses the server message, authenticates it and finds its call record; then the handler. */
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
    const rawId = event.kind === 'ignored' ? body.message?.call?.id : event.vapiCallId;
    const vapiCallId = typeof rawId === 'string' && rawId ? rawId : null;
    const metadata = event.kind === 'ignored' ? (body.message?.call?.assistantOverrides?.metadata ?? {}) : event.metadata;
    const auth = await deps.calls.authenticateWebhook({
      rawBody: raw,
      headers: ctx.headers,
      vapiCallId,
      metadata,
      context: event.kind === 'ignored' ? null : event.context,
      kind: event.kind,
    });
    if ('failed' in auth) {
      deps.logger.warn({ reason: auth.failed, type: event.kind }, 'vapi webhook refused');
      throw new AppError(401, 'WEBHOOK_UNAUTHENTICATED', 'The webhook signature could not be verified.');
    }
    ctx.state.webhook = { event, record: auth.record, orgId: auth.orgId } satisfies VerifiedVapi;
    await next();
  }

  router.post('/webhooks/vapi', vapiSignature, async (ctx) => {
    const { event, record, orgId } = ctx.state.webhook as VerifiedVapi;
    if (event.kind === 'ignored') {
      ctx.body = { received: true, ignored: event.type };
      return;
    }
    if (!record) {
      deps.logger.warn({ orgId, kind: event.kind, hasCallId: event.vapiCallId !== null }, 'vapi webhook matched no call; left to reconciliation');
      ctx.body = { received: true, ignored: 'no matching call' };
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
  /** Null when authenticated but no call of ours matches. */
  record: CallRecord | null;
  orgId: string;
}
