/**
 * Campaign sending: a persisted job in MongoDB. Each step reserves send slots for the clinic number (./pacer.ts), claims
 * that many due recipients atomically (a claim owner and a lease: a recipient whose sender died is claimed again once the
 * lease runs out) and sends each through the SMS service at its slot, under the idempotency key campaign + lead, so a
 * retry, a restart or a second instance never sends a lead a second text. Opt-out, consent and quiet hours are checked
 * again right before each text; a lead in quiet hours is rescheduled to the next allowed time in its zone, not dropped.
 */
import { randomUUID } from 'node:crypto';
import { DEFAULT_SEND_WINDOW, nextAllowedSendTime } from '../../../core/quiet-hours.js';
import { AppError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { ContactRepository } from '../leads/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import type { IntegrationRepository, TwilioIntegrationDoc } from '../settings/repository.js';
import type { SmsService } from '../sms/service.js';
import { CampaignRenderer } from './audience.js';
import type { CampaignNotifier } from './notifier.js';
import type { Pacer } from './pacer.js';
import type { CampaignDoc, CampaignRepository, RecipientDoc } from './repository.js';
import { campaignSmsKey } from './service.js';

export interface SenderConfig {
  /** How far ahead a step reserves slots (the campaign tick). */
  tickMs: number;
  /** How long a claim holds before another sender may take the recipient over. */
  leaseMs: number;
  /** Texts in flight at once per instance, whatever the rate. */
  maxInFlight: number;
}

export interface SenderDeps {
  repo: CampaignRepository;
  pacer: Pacer;
  contacts: ContactRepository;
  orgCache: OrganizationCache;
  integrations: IntegrationRepository;
  sms: SmsService;
  notifier: CampaignNotifier;
  logger: Logger;
  now: () => Date;
}

/** Attempts after which a recipient whose send kept failing for an unknown reason (not a refusal) is marked failed. */
const MAX_ATTEMPTS = 5;

export class CampaignSender {
  readonly owner = `sender:${randomUUID()}`;
  private readonly inFlight = new Set<Promise<void>>();
  constructor(
    private readonly deps: SenderDeps,
    private readonly config: SenderConfig,
  ) {}

  /**
   * One step: starts scheduled campaigns whose time has come, then reserves, claims and launches the texts of each
   * sending campaign. `wait` (tests, a graceful stop) waits for the texts it launched.
   */
  async step({ wait = false }: { wait?: boolean } = {}): Promise<number> {
    const now = this.deps.now();
    for (const due of await this.deps.repo.dueScheduled(now)) {
      const started = await this.deps.repo.transition(due.orgId, due._id.toHexString(), ['scheduled'], { status: 'sending' }, now);
      if (started) this.deps.notifier.changed(due.orgId, due._id.toHexString());
    }
    let launched = 0;
    const mine: Promise<void>[] = [];
    for (const campaign of await this.deps.repo.sending()) {
      if (this.inFlight.size >= this.config.maxInFlight) break;
      launched += await this.stepCampaign(campaign, mine);
    }
    if (wait) await Promise.all(mine);
    return launched;
  }

  /** Steps until no sending campaign has a recipient due now (tests drive the sender with this). */
  async runOnce(): Promise<number> {
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      const n = await this.step({ wait: true });
      total += n;
      if (n === 0) break;
    }
    return total;
  }

  /** Waits for every text in flight (a graceful stop). */
  async idle(): Promise<void> {
    while (this.inFlight.size) await Promise.all([...this.inFlight]);
  }

  private async stepCampaign(campaign: CampaignDoc, mine: Promise<void>[]): Promise<number> {
    const orgId = campaign.orgId;
    const campaignId = campaign._id.toHexString();
    const twilio = await this.deps.integrations.twilio(orgId);
    if (!twilio) {
      this.deps.logger.warn({ orgId, campaignId }, 'campaign paused: the clinic has no Twilio number');
      await this.deps.repo.transition(orgId, campaignId, ['sending'], { status: 'paused' }, this.deps.now());
      this.deps.notifier.changed(orgId, campaignId);
      return 0;
    }
    const key = `${orgId}:${twilio.phoneNumber}`;
    const rate = campaign.ratePerSecond;
    const room = this.config.maxInFlight - this.inFlight.size;
    // Slots up to two ticks ahead, so the next step finds slots waiting and the number never idles between steps.
    const want = Math.max(1, Math.min(room, Math.ceil((rate * 2 * this.config.tickMs) / 1000)));
    const nowMs = this.deps.now().getTime();
    const { slots, end } = await this.deps.pacer.reserve(key, rate, want, 2 * this.config.tickMs, nowMs);
    if (slots.length === 0) return 0;
    const claimed: RecipientDoc[] = [];
    // Recipients whose sender died first (their lease ran out), then due ones.
    let expired = true;
    while (claimed.length < slots.length) {
      const now = this.deps.now();
      const r = await this.deps.repo.claim(campaignId, this.owner, now, new Date(now.getTime() + this.config.leaseMs), { expired });
      if (r) claimed.push(r);
      else if (expired) expired = false;
      else break;
    }
    if (claimed.length < slots.length) await this.deps.pacer.giveBack(key, end, slots[claimed.length]!);
    if (claimed.length === 0) {
      await this.completeIfDone(campaign);
      return 0;
    }
    const renderer = new CampaignRenderer(this.deps.repo, (await this.deps.orgCache.get(orgId))!, campaign.body, twilio.phoneNumber, campaign.link);
    await renderer.prepare(claimed.map((r) => r.contactId), this.deps.now());
    claimed.forEach((r, i) => {
      const p: Promise<void> = this.sendAt(slots[i]!, campaign, r, renderer, twilio)
        .catch((err: Error) => this.deps.logger.error({ campaignId, err: err.message }, 'campaign text step failed'))
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
      mine.push(p);
    });
    return claimed.length;
  }

  private async completeIfDone(campaign: CampaignDoc): Promise<void> {
    const id = campaign._id.toHexString();
    if ((await this.deps.repo.queuedCount(campaign.orgId, id)) > 0) return;
    const counts = await this.deps.repo.counts(campaign.orgId, id);
    if (counts.queued > 0) return;
    const now = this.deps.now();
    const done = await this.deps.repo.transition(campaign.orgId, id, ['sending'], { status: 'completed', completedAt: now, counts }, now);
    if (done) {
      this.deps.logger.info({ orgId: campaign.orgId, campaignId: id, sent: counts.sent }, 'campaign completed');
      this.deps.notifier.changed(campaign.orgId, id);
    }
  }

  private async sendAt(slot: number, campaign: CampaignDoc, r: RecipientDoc, renderer: CampaignRenderer, twilio: TwilioIntegrationDoc): Promise<void> {
    const delay = slot - this.deps.now().getTime();
    if (delay > 0) await new Promise((resolve) => setTimeout(resolve, delay));
    await this.sendOne(campaign, r, renderer, twilio);
    this.deps.notifier.changed(campaign.orgId, campaign._id.toHexString());
  }

  private async sendOne(campaign: CampaignDoc, r: RecipientDoc, renderer: CampaignRenderer, twilio: TwilioIntegrationDoc): Promise<void> {
    const { orgId } = campaign;
    const campaignId = campaign._id.toHexString();
    const now = this.deps.now();
    const settle = (set: Partial<RecipientDoc>) => this.deps.repo.settle(r, this.owner, set, this.deps.now());
    // Paused or cancelled since the claim: the recipient goes back to waiting (a cancel skips it).
    const current = await this.statusOf(orgId, campaignId);
    if (!current || current.status !== 'sending') {
      await settle(current?.status === 'cancelled' ? { status: 'skipped', reason: 'cancelled', nextAttemptAt: null } : { status: 'pending', nextAttemptAt: now });
      return;
    }
    const [org, lead] = await Promise.all([this.deps.orgCache.get(orgId), this.deps.contacts.findDoc(orgId, r.contactId)]);
    if (!org) return;
    if (!lead) return void (await settle({ status: 'skipped', reason: 'leadDeleted', nextAttemptAt: null }));
    if (lead.smsOptOut) return void (await settle({ status: 'skipped', reason: 'optedOut', optedOutAt: now, nextAttemptAt: null }));
    if (lead.consent && lead.consent.sms === false) return void (await settle({ status: 'skipped', reason: 'noConsent', nextAttemptAt: null }));
    const quietUntil = nextAllowedSendTime(now, renderer.zoneOf(lead.timezone), org.settings.quietHours ?? DEFAULT_SEND_WINDOW);
    if (quietUntil) return void (await settle({ status: 'pending', reason: 'quietHours', nextAttemptAt: quietUntil }));
    const startedBy = campaign.startedBy ?? { ...campaign.createdBy, role: 'admin' as const };
    const actor = { orgId, org, user: { id: startedBy.id, name: startedBy.name, role: startedBy.role } };
    try {
      const reply = await this.deps.sms.sendCampaignText(actor, r.contactId, renderer.text(lead), campaignSmsKey(campaignId, r.contactId), {
        id: campaignId,
        name: campaign.name,
      }, 2 * this.config.leaseMs);
      const sent = await settle({ status: 'sent', smsId: reply.sms.id, segments: reply.sms.segments, sentAt: this.deps.now(), nextAttemptAt: null });
      // A delivery callback that came while the text was being recorded left its outcome on the recipient.
      if (sent?.deliveredAt) await this.deps.repo.delivery(orgId, campaignId, r.contactId, 'delivered', {}, this.deps.now());
      else if (sent?.reason === 'undelivered') await this.deps.repo.delivery(orgId, campaignId, r.contactId, 'failed', {}, this.deps.now());
    } catch (err) {
      await this.failed(r, err, settle, twilio);
    }
  }

  private readonly statuses = new Map<string, { at: number; doc: Promise<CampaignDoc | null> }>();
  /** The campaign as of at most one tick ago (a pause or cancel is seen within a tick, without a read per text). */
  private statusOf(orgId: string, campaignId: string): Promise<CampaignDoc | null> {
    const hit = this.statuses.get(campaignId);
    const now = Date.now();
    if (hit && now - hit.at < this.config.tickMs) return hit.doc;
    const doc = this.deps.repo.byId(orgId, campaignId);
    this.statuses.set(campaignId, { at: now, doc });
    if (this.statuses.size > 1000) this.statuses.clear();
    return doc;
  }

  private async failed(r: RecipientDoc, err: unknown, settle: (set: Partial<RecipientDoc>) => Promise<unknown>, twilio: TwilioIntegrationDoc): Promise<void> {
    const now = this.deps.now();
    if (err instanceof AppError && err.code === 'TEXT_IN_FLIGHT') {
      // Another sender's claim ran out while it waited for Twilio: look again once its answer must have come.
      const retryAt = new Date((err.details as { retryAt: string }).retryAt);
      await settle({ status: 'pending', nextAttemptAt: new Date(Math.max(retryAt.getTime(), now.getTime() + 1000)), attempts: r.attempts - 1 });
      return;
    }
    if (err instanceof AppError) {
      const skip: Record<string, string> = { SMS_OPTED_OUT: 'optedOut', NO_SMS_CONSENT: 'noConsent', INVALID_PHONE_FORMAT: 'invalidPhone' };
      if (skip[err.code]) {
        await settle({ status: 'skipped', reason: skip[err.code]!, nextAttemptAt: null, ...(err.code === 'SMS_OPTED_OUT' ? { optedOutAt: now } : {}) });
        return;
      }
      if (err.status < 500 && err.status !== 429) {
        const sms = (err.details as { sms?: { id: string; errorCode: number | null } } | undefined)?.sms;
        await settle({ status: 'failed', reason: err.code, errorCode: sms?.errorCode ?? null, errorMessage: err.message, smsId: sms?.id ?? null, nextAttemptAt: null });
        return;
      }
    }
    // Unknown outcome (the network, the database, Twilio 5xx): tried again later under the same key, so never twice.
    this.deps.logger.warn({ campaignId: r.campaignId, leadId: r.contactId, from: twilio.phoneNumber, attempts: r.attempts, err: (err as Error).message }, 'campaign text will be retried');
    if (r.attempts >= MAX_ATTEMPTS) {
      await settle({ status: 'failed', reason: 'retriesExhausted', errorMessage: `Gave up after ${r.attempts} attempts: ${(err as Error).message}`, nextAttemptAt: null });
    } else {
      await settle({ status: 'pending', nextAttemptAt: new Date(now.getTime() + 2_000 * r.attempts) });
    }
  }
}
