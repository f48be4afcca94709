import Router from '@koa/router';
import { z } from 'zod';
import { auth } from '../auth/middleware.js';
import { AppError, badRequest } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { Logger } from '../log.js';
import type { ProviderFactory } from '../settings/providers.js';
import { validateTwilioWebhook } from '../telephony/twilio.js';
import type { SmsService } from './service.js';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id') });
const smsBody = z.object({ body: z.string().min(1, 'the message is empty').max(1600, 'at most 1,600 characters') }).strict();
const idempotencyKey = z
  .string({ error: 'send an Idempotency-Key header (a new random value per message, reused when retrying it)' })
  .regex(/^[A-Za-z0-9_.:-]{8,200}$/, 'the Idempotency-Key must be 8-200 letters, digits, or _ . : -');

export function smsRoutes(sms: SmsService): Router {
  const router = new Router();
  router.post('/leads/:id/sms', async (ctx) => {
    const { id } = validate(idParams, ctx.params, 'lead id');
    const key = validate(idempotencyKey, ctx.get('Idempotency-Key') || undefined, 'Idempotency-Key header');
    const body = validate(smsBody, ctx.request.body, 'message');
    ctx.status = 202;
    ctx.body = await sms.send(auth(ctx), id, body.body, key);
  });
  return router;
}

const statusForm = z.object({ MessageSid: z.string().min(1), MessageStatus: z.string().min(1), ErrorCode: z.string().optional() }).loose();
const inboundForm = z.object({ MessageSid: z.string().min(1), From: z.string().min(1), To: z.string().min(1), Body: z.string().default('') }).loose();

/**
 * Twilio's webhooks, validated with X-Twilio-Signature over the configured public URL (never one rebuilt from the
 * request, which may sit behind a proxy) and every form parameter received.
 */
export function twilioWebhookRoutes(deps: { sms: SmsService; providers: ProviderFactory; logger: Logger }): Router {
  const router = new Router();
  const refuse = (reason: string) => {
    deps.logger.warn({ reason }, 'twilio webhook refused');
    return new AppError(401, 'WEBHOOK_UNAUTHENTICATED', 'The webhook signature could not be verified.');
  };
  const form = (ctx: { request: { body?: unknown } }) => (ctx.request.body ?? {}) as Record<string, string>;

  router.post('/webhooks/twilio/status', async (ctx) => {
    const params = form(ctx);
    const parsed = statusForm.safeParse(params);
    if (!parsed.success) throw badRequest('INVALID_WEBHOOK', 'Expected a Twilio status callback.');
    const found = await deps.sms.integrationForStatus(parsed.data.MessageSid);
    if (!found) throw refuse('unknown message');
    const url = deps.providers.webhookUrl('/webhooks/twilio/status');
    if (!validateTwilioWebhook(deps.sms.authTokenOf(found.twilio), ctx.get('X-Twilio-Signature') || undefined, url, params)) throw refuse('bad signature');
    const code = parsed.data.ErrorCode ? Number.parseInt(parsed.data.ErrorCode, 10) : null;
    await deps.sms.applyStatus(found.doc, parsed.data.MessageStatus, Number.isFinite(code) ? code : null);
    ctx.status = 204;
  });

  router.post('/webhooks/twilio/inbound', async (ctx) => {
    const params = form(ctx);
    const parsed = inboundForm.safeParse(params);
    if (!parsed.success) throw badRequest('INVALID_WEBHOOK', 'Expected a Twilio inbound message.');
    const twilio = await deps.sms.integrationForInbound(parsed.data.To);
    if (!twilio) throw refuse('unknown number');
    const url = deps.providers.webhookUrl('/webhooks/twilio/inbound');
    if (!validateTwilioWebhook(deps.sms.authTokenOf(twilio), ctx.get('X-Twilio-Signature') || undefined, url, params)) throw refuse('bad signature');
    await deps.sms.receive(twilio, { from: parsed.data.From, to: parsed.data.To, body: parsed.data.Body, sid: parsed.data.MessageSid });
    ctx.type = 'text/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
  });
  return router;
}
