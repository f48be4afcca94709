import Router from '@koa/router';
import type { Context, Next } from 'koa';
import type { TwilioIntegrationDoc } from '../settings/repository.js';
import type { SmsRecord } from './repository.js';
import { z } from 'zod';
import { auth } from '../auth/middleware.js';
import { AppError, badRequest } from '../http/errors.js';
import { validate } from '../http/validate.js';
import type { Logger } from '../log.js';
import type { ProviderFactory } from '../settings/providers.js';
import type { SmsService } from './service.js';

const idParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id') });
export const smsBody = z.object({ body: z.string().min(1, 'the message is empty').max(1600, 'at most 1,600 characters') }).strict();
export const idempotencyKey = z
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

export const statusForm = z.object({ MessageSid: z.string().min(1), MessageStatus: z.string().min(1), ErrorCode: z.string().optional() }).loose();
export const inboundForm = z.object({ MessageSid: z.string().min(1), From: z.string().min(1), To: z.string().min(1), Body: z.string().default('') }).loose();

const queryValue = (v: string | string[] | undefined) => (typeof v === 'string' ? v : undefined);

/** What a verified Twilio webhook hands its handler: the parsed form and the integration whose auth token signed it. */
interface VerifiedTwilio<T> {
  data: T;
  twilio: TwilioIntegrationDoc;
  /** The logged message a status callback speaks of. */
  doc?: SmsRecord;
}

/**
 * Twilio's webhooks, validated with X-Twilio-Signature over the configured public URL (never one rebuilt from the
 * request, which may sit behind a proxy) and every form parameter received. The check is route middleware: a handler
 * only ever runs for a delivery whose signature matched, and finds what was verified in ctx.state.webhook.
 */
export function twilioWebhookRoutes(deps: { sms: SmsService; providers: ProviderFactory; logger: Logger }): Router {
  const router = new Router();
  const refuse = (reason: string) => {
    deps.logger.warn({ reason }, 'twilio webhook refused');
    return new AppError(401, 'WEBHOOK_UNAUTHENTICATED', 'The webhook signature could not be verified.');
  };

  /** Parses the form, finds the integration it belongs to and checks Twilio's signature with that integration's token. */
  function twilioSignature<T>(path: string, schema: z.ZodType<T>, what: string, locate: (data: T, ctx: Context) => Promise<{ twilio: TwilioIntegrationDoc; doc?: SmsRecord } | null>) {
    return async (ctx: Context, next: Next) => {
      const params = (ctx.request.body ?? {}) as Record<string, string>;
      const parsed = schema.safeParse(params);
      if (!parsed.success) throw badRequest('INVALID_WEBHOOK', `Expected a Twilio ${what}.`);
      const located = await locate(parsed.data, ctx);
      if (!located) throw refuse(`unknown ${what}`);
      const { twilio } = located;
      // Twilio signs the exact URL it called, query string included (status callbacks name our message in it).
      if (!deps.sms.twilioSignatureValid(twilio, ctx.get('X-Twilio-Signature') || undefined, `${path}${ctx.search}`, params)) {
        throw refuse('bad signature');
      }
      ctx.state.webhook = { data: parsed.data, ...located } satisfies VerifiedTwilio<T>;
      await next();
    };
  }

  router.post(
    '/webhooks/twilio/status',
    twilioSignature('/webhooks/twilio/status', statusForm, 'status callback', (data, ctx) =>
      deps.sms.integrationForStatus(data.MessageSid, { orgId: queryValue(ctx.query.org), smsId: queryValue(ctx.query.sms) }),
    ),
    async (ctx) => {
      const { data, doc } = ctx.state.webhook as VerifiedTwilio<z.infer<typeof statusForm>>;
      const code = data.ErrorCode ? Number.parseInt(data.ErrorCode, 10) : null;
      await deps.sms.applyStatus(doc!, data.MessageStatus, Number.isFinite(code) ? code : null, data.MessageSid);
      ctx.status = 204;
    },
  );

  router.post(
    '/webhooks/twilio/inbound',
    twilioSignature('/webhooks/twilio/inbound', inboundForm, 'inbound message', async (data) => {
      const twilio = await deps.sms.integrationForInbound(data.To, typeof data.AccountSid === 'string' && data.AccountSid ? data.AccountSid : undefined);
      return twilio ? { twilio } : null;
    }),
    async (ctx) => {
      const { data, twilio } = ctx.state.webhook as VerifiedTwilio<z.infer<typeof inboundForm>>;
      await deps.sms.receive(twilio, { from: data.From, to: data.To, body: data.Body, sid: data.MessageSid });
      ctx.type = 'text/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
    },
  );
  return router;
}
