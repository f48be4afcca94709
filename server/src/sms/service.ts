import type { SmsLog, SmsSendReply } from '../../../core/contracts.js';
import { AppError, notFound, unprocessable } from '../http/errors.js';
import type { Logger } from '../log.js';
import { DuplicateKeyError } from '../db/plain.js';
import { recordInboundText } from '../leads/inbound-sentiment.js';
import type { Actor } from '../leads/service.js';
import type { ChangeActor, LeadChanges } from '../leads/changes.js';
import { statusAfterTouch } from '../../../core/workflow.js';
import { actorRef } from '../leads/service.js';
import { isE164 } from '../leads/phone.js';
import type { ContactRepository } from '../leads/repository.js';
import type { LeadEventRepository } from '../leads/timeline-repository.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { ProviderFactory } from '../settings/providers.js';
import type { IntegrationRepository, TwilioIntegrationDoc } from '../settings/repository.js';
import { DEFAULT_SEND_WINDOW, nextAllowedSendTime } from '../../../core/quiet-hours.js';
import { countSegments, MAX_SMS_CHARACTERS } from '../../../core/segments.js';
import { describeTwilioErrorCode, mapTwilioError, sendSms, validateTwilioWebhook } from '../telephony/twilio.js';
import { statusesBefore, toSms, type SmsRecord, type SmsRepository } from './repository.js';
import type { SmsStatus } from '../../../core/contracts.js';
import { classifyInbound, optOutSourceLabel, TWILIO_UNSUBSCRIBED_CODE, type OptOutSource } from '../../../core/opt-out.js';
import { sendZone } from '../../../core/quiet-hours.js';
import { campaignSettingsOf } from '../campaigns/settings.js';

const SYSTEM = { id: 'system:sms', name: 'SMS' };

/** What campaigns learn from the SMS service (set once at start-up by app.ts). */
export interface SmsCampaignHooks {
  statusChanged(sms: SmsRecord): Promise<void>;
  inbound(orgId: string, leadId: string, kind: string): Promise<void>;
}

/** Message text kept on the timeline: the first 300 characters. */
const excerpt = (body: string) => (body.length > 300 ? `${body.slice(0, 299)}…` : body);

export interface SmsServiceDeps {
  changes: LeadChanges;
  sms: SmsRepository;
  contacts: ContactRepository;
  events: LeadEventRepository;
  integrations: IntegrationRepository;
  orgs: OrganizationRepository;
  providers: ProviderFactory;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => Date;
}

const TWILIO_STATUS: Record<string, SmsStatus | undefined> = {
  accepted: 'queued',
  queued: 'queued',
  scheduled: 'queued',
  sending: 'queued',
  sent: 'sent',
  delivered: 'delivered',
  read: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  canceled: 'failed',
};

/** Texting leads through Twilio: idempotent sends, quiet hours, delivery statuses, inbound replies and opt-outs. */
export class SmsService {
  private hooks: SmsCampaignHooks | null = null;
  constructor(private readonly deps: SmsServiceDeps) {}

  /** Campaigns follow their texts' delivery statuses and the replies (server/src/campaigns). */
  setCampaignHooks(hooks: SmsCampaignHooks): void {
    this.hooks = hooks;
  }

  private notify(what: string, run: (hooks: SmsCampaignHooks) => Promise<void>): Promise<void> {
    if (!this.hooks) return Promise.resolve();
    return run(this.hooks).catch((err: Error) => this.deps.logger.error({ err: err.message }, `campaign ${what} not recorded`));
  }

  /**
   * Sends (or schedules) one text. The message is logged before it is sent, under the caller's Idempotency-Key: a replay
   * returns the first result and sends nothing.
   */
  async send(actor: Actor, leadId: string, body: string, idempotencyKey: string, campaign?: { id: string; name: string }, keyIsNew = false): Promise<SmsSendReply> {
    const { orgId } = actor;
    // keyIsNew: the caller has just looked the key up (a campaign); the unique index still catches a race.
    const replay = keyIsNew ? null : await this.deps.sms.byIdempotencyKey(orgId, idempotencyKey);
    if (replay) return this.replayOf(replay, leadId, body);
    const lead = await this.deps.contacts.findById(orgId, leadId);
    if (!lead) throw notFound('This lead');
    const twilio = await this.deps.integrations.twilio(orgId);
    if (!twilio) throw unprocessable('TWILIO_NOT_CONFIGURED', 'Connect the clinic\'s Twilio number before texting leads: Settings > Phone number.');
    if (!lead.phoneValid || !isE164(lead.phone)) {
      throw unprocessable('INVALID_PHONE_FORMAT', `${lead.name}'s phone "${lead.phone}" is not in international format. Fix it in your CRM, e.g. +12125550123.`, { phone: lead.phone });
    }
    if (lead.smsOptOut) throw unprocessable('SMS_OPTED_OUT', `${lead.name} replied STOP and does not want texts. They can text START to opt back in.`);
    if (lead.consent && lead.consent.sms === false) throw unprocessable('NO_SMS_CONSENT', `${lead.name} has not agreed to receive texts.`);
    const org = await this.deps.orgs.findById(orgId);
    // The first text a lead ever gets from the clinic (accepted by Twilio) carries the clinic's opt-out line.
    const line = campaignSettingsOf(org).optOutLine;
    const text = line.enabled && !(await this.deps.sms.hasAcceptedOutbound(orgId, leadId)) ? `${body}\n${line.text}` : body;
    const count = countSegments(text);
    if (body.trim().length === 0 || count.characters > MAX_SMS_CHARACTERS) {
      throw unprocessable('INVALID_SMS_BODY', `A text must be 1 to ${MAX_SMS_CHARACTERS} characters (this one has ${count.characters}${text !== body ? ', the opt-out line of a first text included' : ''}).`);
    }
    const now = this.deps.now();
    const timeZone = sendZone(lead.timezone, org?.timezone).zone;
    const window = org?.settings.quietHours ?? DEFAULT_SEND_WINDOW;
    const scheduledFor = nextAllowedSendTime(now, timeZone, window);

    let doc: SmsRecord;
    try {
      doc = await this.deps.sms.insert(
        {
          orgId,
          contactId: leadId,
          direction: 'outbound',
          to: lead.phone,
          from: twilio.phoneNumber,
          body: text,
          segments: count.segments,
          encoding: count.encoding,
          status: scheduledFor ? 'scheduled' : 'queued',
          errorCode: null,
          errorMessage: null,
          idempotencyKey,
          scheduledFor,
          createdBy: actor.user.id,
        },
        now,
      );
    } catch (err) {
      if (err instanceof DuplicateKeyError) {
        const first = await this.deps.sms.byIdempotencyKey(orgId, idempotencyKey);
        if (first) return this.replayOf(first, leadId, body);
      }
      throw err;
    }
    // The timeline row of a text is not worth losing the text for: a failure here is logged and the text still goes.
    await this.deps.events
      .add(orgId, {
        contactId: leadId,
        type: 'sms',
        from: null,
        to: scheduledFor ? 'scheduled' : 'queued',
        actor: actorRef(actor),
        detail: campaign ? `Campaign ${campaign.name} text sent by ${actor.user.name}: ${excerpt(body)}` : excerpt(body),
        at: now,
      })
      .catch((err: Error) => this.deps.logger.error({ orgId, leadId, err: err.message }, 'the timeline entry of a text was not saved'));
    if (scheduledFor) {
      this.deps.broadcaster.publish(orgId, 'sms:updated', { sms: toSms(doc) });
      return { sms: toSms(doc), scheduled: true };
    }
    const sent = await this.deliver(doc, twilio);
    return { sms: sent, scheduled: false };
  }

  private replayOf(doc: SmsRecord, leadId: string, body: string): SmsSendReply {
    // Stripe's rule: a key names one request. Replaying it with another lead or another text is a client bug, refused
    // (422) rather than answered with the first message as if the second had been sent.
    // The stored text may carry the opt-out line after the one asked for.
    if (doc.contactId !== leadId || (doc.body !== body && !doc.body.startsWith(`${body}\n`))) {
      throw unprocessable('IDEMPOTENCY_KEY_REUSED', `This Idempotency-Key was already used for ${doc.contactId !== leadId ? 'a text to another lead' : 'a different text'}. Use a new key per message; reuse a key only to retry the very same message.`);
    }
    if (doc.status === 'failed' && doc.errorCode) {
      const mapped = describeTwilioErrorCode(doc.errorCode, doc.errorMessage ?? undefined);
      throw new AppError(mapped.httpStatus, mapped.code, mapped.message, { sms: toSms(doc) });
    }
    return { sms: toSms(doc), scheduled: doc.status === 'scheduled' };
  }

  /**
   * Hands a logged message to Twilio and records the outcome; a refusal is mapped to a clear error. Once Twilio has
   * accepted it, the text is sent whatever the database does next: its outcome is recorded with retries, and the status
   * callback names our message (`?org=&sms=`), so a sid the database missed is recorded when Twilio reports.
   */
  private async deliver(doc: SmsRecord, twilio: TwilioIntegrationDoc): Promise<SmsLog> {
    const { client } = this.deps.providers.twilioFor(twilio);
    let sent: Awaited<ReturnType<typeof sendSms>>;
    try {
      sent = await sendSms(client, {
        to: doc.to,
        from: twilio.phoneNumber,
        body: doc.body,
        statusCallback: this.deps.providers.webhookUrl(`/webhooks/twilio/status?${new URLSearchParams({ org: doc.orgId, sms: doc.id })}`),
      });
    } catch (err) {
      const mapped = mapTwilioError(err);
      const updated = await this.deps.sms.update(doc.orgId, doc.id, { status: 'failed', errorCode: mapped.twilioCode, errorMessage: mapped.message });
      if (updated) this.deps.broadcaster.publish(doc.orgId, 'sms:updated', { sms: toSms(updated) });
      if (mapped.optOut) await this.optOut(doc.orgId, doc.contactId, 'twilio-21610');
      throw new AppError(mapped.httpStatus === 409 ? 422 : mapped.httpStatus, mapped.code, mapped.message, updated ? { sms: toSms(updated) } : undefined);
    }
    const status = TWILIO_STATUS[sent.status] ?? 'queued';
    const outcome = { twilioSid: sent.sid, status, segments: sent.numSegments ?? doc.segments };
    let updated: SmsRecord | null = null;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        updated = await this.deps.sms.update(doc.orgId, doc.id, outcome);
        break;
      } catch (err) {
        if (attempt === 2) this.deps.logger.error({ smsId: doc.id, err: (err as Error).message }, 'a sent text\'s outcome was not saved; the status callback will record it');
        else await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
    const sms = toSms(updated ?? { ...doc, ...outcome });
    this.deps.broadcaster.publish(doc.orgId, 'sms:updated', { sms });
    await this.touched(doc.orgId, doc.contactId).catch((err: Error) =>
      this.deps.logger.error({ smsId: doc.id, err: err.message }, 'the first touch of a sent text was not recorded'),
    );
    return sms;
  }

  /** An accepted text is a touch: it sets the last contact and moves a new lead to contacted (core/workflow.ts). */
  private async touched(orgId: string, leadId: string): Promise<void> {
    const now = this.deps.now();
    await this.deps.changes.apply(
      orgId,
      leadId,
      (current) => {
        const next = statusAfterTouch(current.leadStatus);
        return { set: { lastContactAt: now, ...(next ? { leadStatus: next } : {}) }, statusDetail: 'First text accepted' };
      },
      { actor: SYSTEM },
    );
  }

  private async optOut(orgId: string, leadId: string, source: OptOutSource): Promise<void> {
    const now = this.deps.now();
    await this.deps.changes.apply(
      orgId,
      leadId,
      (current) => (current.smsOptOut ? null : { set: { smsOptOut: { at: now, source } }, events: [{ type: 'opted_out', detail: optOutSourceLabel(source) }] }),
      { actor: SYSTEM },
    );
  }

  private async optIn(orgId: string, leadId: string, who: ChangeActor): Promise<void> {
    await this.deps.changes.apply(
      orgId,
      leadId,
      (current) => (current.smsOptOut ? { set: { smsOptOut: null }, events: [{ type: 'opted_in', detail: 'Replied START' }] } : null),
      { actor: who },
    );
  }

  /** Sends the scheduled texts that are due; safe to run on every instance at once (each message is claimed atomically). */
  async sendDue(limit = 50): Promise<number> {
    let sent = 0;
    for (let i = 0; i < limit; i++) {
      const doc = await this.deps.sms.claimDue(this.deps.now());
      if (!doc) break;
      const twilio = await this.deps.integrations.twilio(doc.orgId);
      const lead = await this.deps.contacts.findById(doc.orgId, doc.contactId);
      if (!twilio || !lead || lead.smsOptOut) {
        const reason = !twilio ? 'Twilio was disconnected before the scheduled time.' : 'The lead opted out before the scheduled time.';
        const failed = await this.deps.sms.update(doc.orgId, doc.id, { status: 'failed', errorMessage: reason });
        if (failed) this.deps.broadcaster.publish(doc.orgId, 'sms:updated', { sms: toSms(failed) });
        continue;
      }
      try {
        await this.deliver(doc, twilio);
        sent++;
      } catch (err) {
        this.deps.logger.warn({ smsId: doc.id, code: (err as AppError).code }, 'scheduled text failed');
      }
    }
    return sent;
  }

  /** The integration a Twilio webhook belongs to, found by the message's sid or the number texted. */
  async integrationForStatus(messageSid: string, ours?: { orgId?: string; smsId?: string }): Promise<{ doc: SmsRecord; twilio: TwilioIntegrationDoc } | null> {
    let doc = await this.deps.sms.bySid(messageSid);
    // The sid may be missing if the database failed right after Twilio accepted the text: the callback names our message
    // (only read here: applyStatus records the sid once the signature has been checked).
    if (!doc && ours?.orgId && ours.smsId) {
      const mine = await this.deps.sms.byId(ours.orgId, ours.smsId);
      if (mine && !mine.twilioSid) doc = mine;
    }
    if (!doc) return null;
    const twilio = await this.deps.integrations.twilio(doc.orgId);
    return twilio ? { doc, twilio } : null;
  }

  /** The integration an inbound text belongs to: the number texted (one clinic per number) in the account Twilio names. */
  async integrationForInbound(to: string, accountSid?: string): Promise<TwilioIntegrationDoc | null> {
    return this.deps.integrations.twilioByNumber(to, accountSid);
  }

  /**
   * Whether X-Twilio-Signature matches this integration's auth token over the public URL and every form parameter.
   * The decrypted token stays inside the service: routes only learn yes or no.
   */
  twilioSignatureValid(twilio: TwilioIntegrationDoc, signature: string | undefined, path: string, params: Record<string, string>): boolean {
    const url = this.deps.providers.webhookUrl(path);
    return validateTwilioWebhook(this.deps.providers.twilioFor(twilio).authToken, signature, url, params);
  }

  /** A delivery status callback (already authenticated). Statuses only move forward, so repeats change nothing. */
  async applyStatus(doc: SmsRecord, twilioStatus: string, errorCode: number | null, messageSid?: string): Promise<void> {
    if (!doc.twilioSid && messageSid) await this.deps.sms.update(doc.orgId, doc.id, { twilioSid: messageSid });
    const status = TWILIO_STATUS[twilioStatus];
    if (!status) return;
    const described = errorCode ? describeTwilioErrorCode(errorCode) : null;
    const updated = await this.deps.sms.update(
      doc.orgId,
      doc.id,
      { status, ...(described ? { errorCode, errorMessage: described.message } : {}) },
      status === 'queued' ? [] : statusesBefore(status),
    );
    if (updated) this.deps.broadcaster.publish(doc.orgId, 'sms:updated', { sms: toSms(updated) });
    if (updated) await this.notify('delivery status', (h) => h.statusChanged(updated));
    if (errorCode === TWILIO_UNSUBSCRIBED_CODE) await this.optOut(doc.orgId, doc.contactId, 'twilio-21610');
  }

  /**
   * An inbound text (already authenticated): kept on the lead's timeline; STOP and its synonyms opt out at once, START
   * opts back in, plain-language requests are flagged for staff. Repeated deliveries are ignored (unique MessageSid).
   */
  async receive(twilio: TwilioIntegrationDoc, msg: { from: string; to: string; body: string; sid: string }): Promise<{ kind: string; leadId: string | null }> {
    const orgId = twilio.orgId;
    const kind = classifyInbound(msg.body);
    const lead = await this.deps.contacts.findByPhone(orgId, msg.from);
    if (!lead) {
      this.deps.logger.info({ orgId, kind }, 'inbound text from an unknown number');
      return { kind, leadId: null };
    }
    const now = this.deps.now();
    const count = countSegments(msg.body);
    try {
      const doc = await this.deps.sms.insert(
        {
          orgId,
          contactId: lead.id,
          direction: 'inbound',
          to: msg.to,
          from: msg.from,
          body: msg.body,
          segments: count.segments,
          encoding: count.encoding,
          twilioSid: msg.sid,
          status: 'received',
          errorCode: null,
          errorMessage: null,
          scheduledFor: null,
          createdBy: null,
        },
        now,
      );
      this.deps.broadcaster.publish(orgId, 'sms:updated', { sms: toSms(doc) });
    } catch (err) {
      if (err instanceof DuplicateKeyError) return { kind: 'duplicate', leadId: lead.id };
      throw err;
    }
    const who = { id: `lead:${lead.id}`, name: lead.name };
    await this.deps.events.add(orgId, { contactId: lead.id, type: 'sms_inbound', from: null, to: null, actor: who, detail: excerpt(msg.body), at: now });
    if (kind === 'stop') {
      await this.optOut(orgId, lead.id, 'inbound-stop');
    } else if (kind === 'start') {
      await this.optIn(orgId, lead.id, who);
    } else if (kind === 'opt_out_request') {
      await this.deps.events.add(orgId, {
        contactId: lead.id,
        type: 'opt_out_request',
        from: null,
        to: null,
        actor: who,
        detail: excerpt(msg.body),
        at: now,
      });
      const fresh = await this.deps.contacts.findById(orgId, lead.id);
      if (fresh) this.deps.broadcaster.publish(orgId, 'lead:updated', { lead: fresh });
    } else {
      // A reply that is no keyword: its sentiment is the basis of the Call today rule "warm and replied positively".
      await recordInboundText(this.deps.changes, orgId, lead.id, { body: msg.body, at: now }, who);
    }
    await this.notify('reply', (h) => h.inbound(orgId, lead.id, kind));
    return { kind, leadId: lead.id };
  }

  /**
   * A campaign's text to one lead (server/src/campaigns/sender.ts), under the key campaign + lead. When that key was used
   * before (a retry after a crash or an expired claim), the logged text is settled instead of sent again: a text logged
   * but never confirmed is looked up at Twilio, and only sent if Twilio never got it.
   */
  async sendCampaignText(actor: Actor, leadId: string, body: string, idempotencyKey: string, campaign: { id: string; name: string }, settleAfterMs = 60_000): Promise<SmsSendReply> {
    const existing = await this.deps.sms.byIdempotencyKey(actor.orgId, idempotencyKey);
    if (!existing) return this.send(actor, leadId, body, idempotencyKey, campaign, true);
    if (existing.status === 'failed' && existing.errorCode) return this.replayOf(existing, existing.contactId, existing.body);
    if (existing.twilioSid || existing.status !== 'queued') return { sms: toSms(existing), scheduled: existing.status === 'scheduled' };
    // A sender that is slow, not dead, may still be waiting for Twilio's answer: settle only once that cannot be.
    const settleAt = existing.createdAt.getTime() + settleAfterMs;
    if (this.deps.now().getTime() < settleAt) {
      throw new AppError(503, 'TEXT_IN_FLIGHT', 'This text is still being sent; it is settled later.', { retryAt: new Date(settleAt).toISOString() });
    }
    const twilio = await this.deps.integrations.twilio(actor.orgId);
    if (!twilio) throw unprocessable('TWILIO_NOT_CONFIGURED', 'Connect the clinic\'s Twilio number before texting leads: Settings > Phone number.');
    const { client } = this.deps.providers.twilioFor(twilio);
    let found: Awaited<ReturnType<typeof client.messages.list>>[number] | undefined;
    try {
      // Not filtered by DateSent: a text Twilio still queues has no date_sent yet. The newest texts to this lead from this
      // number, created since just before ours was logged.
      const since = existing.createdAt.getTime() - 60_000;
      found = (await client.messages.list({ to: existing.to, from: existing.from, limit: 100 })).find(
        (m) => m.body === existing.body && (!m.dateCreated || m.dateCreated.getTime() >= since),
      );
    } catch (err) {
      throw new AppError(503, 'TWILIO_LOOKUP_FAILED', `Could not ask Twilio whether an interrupted text was sent: ${mapTwilioError(err).message}`);
    }
    if (!found) return { sms: await this.deliver(existing, twilio), scheduled: false };
    const segments = Number.parseInt(String(found.numSegments ?? ''), 10);
    const updated = await this.deps.sms.update(actor.orgId, existing.id, {
      twilioSid: found.sid,
      status: TWILIO_STATUS[found.status] ?? 'queued',
      ...(Number.isFinite(segments) ? { segments } : {}),
    });
    this.deps.logger.info({ smsId: existing.id }, 'an interrupted text was found at Twilio: not sent again');
    return { sms: toSms(updated ?? existing), scheduled: false };
  }
}
