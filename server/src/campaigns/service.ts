import type { Campaign, CampaignCreateBody, CampaignPatchBody, CampaignPreview, CampaignRecipient, CampaignStatus, RecipientStatus } from '../../../core/campaigns.js';
import { AGENT_RECIPIENT_LIMIT, REPLY_WINDOW_MS } from '../../../core/campaigns.js';
import { MAX_CAMPAIGN_SEGMENTS, parseTemplate, segmentRange } from '../../../core/templates.js';
import { countSegments, MAX_SMS_CHARACTERS } from '../../../core/segments.js';
import { AppError, badRequest, conflict, notFound, unprocessable } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { ContactRepository } from '../leads/repository.js';
import { clinicZone, type Actor } from '../leads/service.js';
import type { IntegrationRepository } from '../settings/repository.js';
import type { SmsRecord } from '../sms/repository.js';
import { CampaignRenderer, resolveAudience, type AudienceLead } from './audience.js';
import type { CampaignNotifier } from './notifier.js';
import { EMPTY_COUNTS, toCampaign, type CampaignDoc, type CampaignRepository } from './repository.js';
import { campaignSettingsOf } from './settings.js';
import { assertKnownFields, type TemplateService } from './templates.js';

export interface CampaignServiceDeps {
  repo: CampaignRepository;
  contacts: ContactRepository;
  integrations: IntegrationRepository;
  templates: TemplateService;
  notifier: CampaignNotifier;
  logger: Logger;
  now: () => Date;
  /** Texts per second from a clinic number when the clinic sets no rate (a long code: about 1). */
  defaultRatePerSecond: number;
}

/** The idempotency key of a campaign's text to one lead: one text per lead per campaign, whatever retries happen. */
export const campaignSmsKey = (campaignId: string, leadId: string) => `campaign:${campaignId}:${leadId}`;
export const parseCampaignSmsKey = (key: string | undefined): { campaignId: string; leadId: string } | null => {
  const m = /^campaign:([0-9a-f]{24}):([0-9a-f]{24})$/.exec(key ?? '');
  return m ? { campaignId: m[1]!, leadId: m[2]! } : null;
};

/** What a draft is made of, checked before anything is written. */
interface Draft {
  name: string;
  body: string;
  templateId: string | null;
  link: string | null;
  audience: CampaignCreateBody['audience'];
  sendAt: Date | null;
}

/** SMS campaigns: drafts with their audience and exclusions, previews, start/pause/resume/cancel, and the report. */
export class CampaignService {
  constructor(private readonly deps: CampaignServiceDeps) {}

  async create(actor: Actor, input: CampaignCreateBody): Promise<Campaign> {
    const draft: Draft = {
      name: input.name,
      body: input.body ?? (await this.deps.templates.get(actor.orgId, input.templateId!)).body,
      templateId: input.templateId ?? null,
      link: input.link ?? null,
      audience: input.audience,
      sendAt: input.sendAt ? new Date(input.sendAt) : null,
    };
    const checked = await this.check(actor, draft);
    const now = this.deps.now();
    const doc = await this.deps.repo.insert({
      orgId: actor.orgId,
      ...draft,
      status: 'draft',
      excluded: checked.excluded,
      segments: checked.segments,
      counts: { ...EMPTY_COUNTS, recipients: checked.included.length, queued: checked.included.length },
      ratePerSecond: checked.ratePerSecond,
      createdBy: { id: actor.user.id, name: actor.user.name },
      startedBy: null,
      createdAt: now,
      updatedAt: now,
      startedAt: null,
      completedAt: null,
      cancelledAt: null,
    });
    await this.deps.repo.replaceRecipients(actor.orgId, doc._id.toHexString(), checked.rows, now);
    return toCampaign(doc);
  }

  async patch(actor: Actor, id: string, input: CampaignPatchBody): Promise<Campaign> {
    const doc = await this.doc(actor, id);
    if (doc.status !== 'draft') throw conflict('CAMPAIGN_NOT_DRAFT', `This campaign is ${doc.status}: only a draft can be edited.`);
    const draft: Draft = {
      name: input.name ?? doc.name,
      body: input.body ?? (input.templateId ? (await this.deps.templates.get(actor.orgId, input.templateId)).body : doc.body),
      templateId: input.body !== undefined ? null : (input.templateId ?? doc.templateId),
      link: input.link !== undefined ? input.link : doc.link,
      audience: input.audience ?? doc.audience,
      sendAt: input.sendAt !== undefined ? (input.sendAt ? new Date(input.sendAt) : null) : doc.sendAt,
    };
    const checked = await this.check(actor, draft);
    const now = this.deps.now();
    const updated = await this.deps.repo.transition(actor.orgId, id, ['draft'], {
      ...draft,
      excluded: checked.excluded,
      segments: checked.segments,
      counts: { ...EMPTY_COUNTS, recipients: checked.included.length, queued: checked.included.length },
      ratePerSecond: checked.ratePerSecond,
    }, now);
    if (!updated) throw conflict('CAMPAIGN_NOT_DRAFT', 'This campaign was started meanwhile: only a draft can be edited.');
    await this.deps.repo.replaceRecipients(actor.orgId, id, checked.rows, now);
    return toCampaign(updated);
  }

  /** Every rule a draft must meet; throws a 4xx before anything is written. */
  private async check(actor: Actor, draft: Draft) {
    assertKnownFields(draft.body);
    if (parseTemplate(draft.body).fields.includes('link') && !draft.link) {
      throw badRequest('LINK_MISSING', 'The text uses {link}: give the campaign the link to send (link: "https://...").');
    }
    const settings = campaignSettingsOf(actor.org);
    const now = this.deps.now();
    const resolved = await resolveAudience({ contacts: this.deps.contacts, campaigns: this.deps.repo }, actor.orgId, draft.audience, actor.user.id, { now, timeZone: clinicZone(actor.org) }, settings.frequencyCapHours);
    if (resolved.included.length === 0) {
      const left = Object.entries(resolved.excluded).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
      throw unprocessable('EMPTY_AUDIENCE', `No lead to text: ${left.length ? `every lead of this audience is excluded (${left.join(', ')})` : 'no lead matches this audience'}. Widen the filters or pick other leads.`, {
        excluded: resolved.excluded,
      });
    }
    this.assertMayText(actor, resolved.included.length);
    const twilio = await this.deps.integrations.twilio(actor.orgId);
    const segments = await this.segmentsOf(actor, draft, resolved.included, twilio?.phoneNumber ?? null, settings.optOutLine);
    if (segments.max > MAX_CAMPAIGN_SEGMENTS || segments.maxCharacters > MAX_SMS_CHARACTERS) {
      throw badRequest('BODY_TOO_LONG', `The text runs to ${segments.max} segments (${segments.maxCharacters} characters) for some recipients; a campaign text is at most ${MAX_CAMPAIGN_SEGMENTS} segments. Shorten it.`, {
        segments: { min: segments.min, max: segments.max },
      });
    }
    const ratePerSecond = settings.ratePerSecond ?? this.deps.defaultRatePerSecond;
    return { ...resolved, segments: { min: segments.min, max: segments.max, warning: segments.warning }, ratePerSecond };
  }

  private assertMayText(actor: Actor, recipients: number): void {
    if (recipients > AGENT_RECIPIENT_LIMIT && actor.user.role !== 'admin' && !campaignSettingsOf(actor.org).agentsMayExceed50) {
      throw new AppError(403, 'CAMPAIGN_NEEDS_ADMIN', `This campaign would text ${recipients} leads: campaigns to more than ${AGENT_RECIPIENT_LIMIT} need an admin of the clinic (or the clinic setting that lets agents send them).`, {
        recipients,
      });
    }
  }

  /** Each recipient's text, rendered, with the opt-out line where it will be added: the segment range. */
  private async segmentsOf(actor: Actor, draft: Draft, leads: AudienceLead[], clinicPhone: string | null, line: { enabled: boolean; text: string }) {
    const renderer = new CampaignRenderer(this.deps.repo, actor.org, draft.body, clinicPhone, draft.link);
    const ids = leads.map((l) => l._id.toHexString());
    await renderer.prepare(ids, this.deps.now());
    const texted = line.enabled ? await this.deps.repo.textedEver(actor.orgId, ids) : new Set<string>();
    const counts: number[] = [];
    let maxCharacters = 0;
    for (const lead of leads) {
      const text = withOptOutLine(renderer.text(lead), line.enabled && !texted.has(lead._id.toHexString()) ? line.text : null);
      const c = countSegments(text);
      counts.push(c.segments);
      if (c.characters > maxCharacters) maxCharacters = c.characters;
    }
    return { ...segmentRange(counts), maxCharacters };
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const doc = await this.doc(actor, id);
    if (doc.status !== 'draft') throw conflict('CAMPAIGN_NOT_DRAFT', `This campaign is ${doc.status}: only a draft can be deleted (cancel it instead).`);
    await this.deps.repo.deleteDraft(actor.orgId, id);
  }

  async get(actor: Actor, id: string): Promise<Campaign> {
    const doc = await this.doc(actor, id);
    return toCampaign({ ...doc, counts: await this.deps.repo.counts(actor.orgId, id) });
  }

  async list(actor: Actor): Promise<Campaign[]> {
    return (await this.deps.repo.list(actor.orgId)).map(toCampaign);
  }

  async preview(actor: Actor, id: string, leadId?: string): Promise<CampaignPreview> {
    const doc = await this.doc(actor, id);
    const recipient = leadId
      ? await this.deps.repo.recipient(actor.orgId, id, leadId)
      : (await this.deps.repo.recipientPage(actor.orgId, id, { status: 'pending', page: 1, pageSize: 1 })).items[0] ?? null;
    if (!recipient) throw notFound(leadId ? 'This lead among the campaign\'s recipients' : 'A recipient to preview');
    const rid = 'leadId' in recipient ? recipient.leadId : recipient.contactId;
    const lead = await this.deps.contacts.findDoc(actor.orgId, rid);
    if (!lead) throw notFound('This lead');
    const twilio = await this.deps.integrations.twilio(actor.orgId);
    const renderer = new CampaignRenderer(this.deps.repo, actor.org, doc.body, twilio?.phoneNumber ?? null, doc.link);
    await renderer.prepare([rid], this.deps.now());
    const line = campaignSettingsOf(actor.org).optOutLine;
    const first = line.enabled && !(await this.deps.repo.textedEver(actor.orgId, [rid])).has(rid);
    const text = withOptOutLine(renderer.text(lead), first ? line.text : null);
    const c = countSegments(text);
    return { leadId: rid, name: lead.name, text, characters: c.characters, encoding: c.encoding, segments: c.segments, optOutLine: first, range: doc.segments };
  }

  async start(actor: Actor, id: string, sendAt?: string): Promise<Campaign> {
    const doc = await this.doc(actor, id);
    if (doc.status !== 'draft') throw conflict('INVALID_CAMPAIGN_STATE', `Only a draft can be started; this campaign is already ${doc.status}.`, { status: doc.status });
    this.assertMayText(actor, doc.counts.recipients);
    if (!(await this.deps.integrations.twilio(actor.orgId))) {
      throw unprocessable('TWILIO_NOT_CONFIGURED', 'Connect the clinic\'s Twilio number before sending a campaign: Settings > Phone number.');
    }
    const now = this.deps.now();
    const at = sendAt ? new Date(sendAt) : doc.sendAt;
    const later = at !== null && at.getTime() > now.getTime();
    const started = await this.deps.repo.transition(actor.orgId, id, ['draft'], {
      status: later ? 'scheduled' : 'sending',
      sendAt: at ?? now,
      startedBy: { id: actor.user.id, name: actor.user.name, role: actor.user.role },
      startedAt: now,
    }, now);
    if (!started) throw conflict('INVALID_CAMPAIGN_STATE', 'This campaign was started meanwhile.');
    await this.deps.repo.dueAt(actor.orgId, id, at && later ? at : now);
    this.deps.notifier.changed(actor.orgId, id);
    return toCampaign(started);
  }

  async pause(actor: Actor, id: string): Promise<Campaign> {
    return this.move(actor, id, ['sending', 'scheduled'], () => ({ status: 'paused' }), 'Only a sending or scheduled campaign can be paused');
  }

  async resume(actor: Actor, id: string): Promise<Campaign> {
    const now = this.deps.now();
    return this.move(actor, id, ['paused'], (doc) => ({ status: doc.sendAt && doc.sendAt > now ? 'scheduled' : 'sending' }), 'Only a paused campaign can be resumed');
  }

  async cancel(actor: Actor, id: string): Promise<Campaign> {
    const now = this.deps.now();
    const doc = await this.move(actor, id, ['sending', 'scheduled', 'paused'], () => ({ status: 'cancelled', cancelledAt: now, completedAt: now }), 'Only a campaign that has not finished can be cancelled');
    await this.deps.repo.skipPending(actor.orgId, id, 'cancelled', now);
    this.deps.notifier.changed(actor.orgId, id);
    return { ...doc, counts: await this.deps.repo.counts(actor.orgId, id) };
  }

  private async move(actor: Actor, id: string, from: CampaignStatus[], set: (doc: CampaignDoc) => Partial<CampaignDoc>, refusal: string): Promise<Campaign> {
    const doc = await this.doc(actor, id);
    const updated = from.includes(doc.status) ? await this.deps.repo.transition(actor.orgId, id, from, set(doc), this.deps.now()) : null;
    if (!updated) {
      const current = (await this.deps.repo.byId(actor.orgId, id)) ?? doc;
      throw conflict('INVALID_CAMPAIGN_STATE', `${refusal}; this one is ${current.status}.`, { status: current.status });
    }
    this.deps.notifier.changed(actor.orgId, id);
    return toCampaign(updated);
  }

  async recipients(actor: Actor, id: string, q: { status?: RecipientStatus; page: number; pageSize: number }): Promise<{ items: CampaignRecipient[]; page: number; pageSize: number; total: number; totalPages: number }> {
    await this.doc(actor, id);
    const { items, total } = await this.deps.repo.recipientPage(actor.orgId, id, q);
    return { items, page: q.page, pageSize: q.pageSize, total, totalPages: Math.max(1, Math.ceil(total / q.pageSize)) };
  }

  async recipientCursor(actor: Actor, id: string) {
    const doc = await this.doc(actor, id);
    return { doc, cursor: this.deps.repo.recipientCursor(actor.orgId, id) };
  }

  private async doc(actor: Actor, id: string): Promise<CampaignDoc> {
    const doc = await this.deps.repo.byId(actor.orgId, id);
    if (!doc) throw notFound('This campaign');
    return doc;
  }

  // ---- what the SMS service tells campaigns (sms/service.ts hooks) ----

  /** A delivery status of a campaign text: its recipient moves to delivered or failed. */
  async smsStatusChanged(sms: SmsRecord): Promise<void> {
    const key = parseCampaignSmsKey(sms.idempotencyKey);
    if (!key) return;
    const now = this.deps.now();
    let moved = null;
    if (sms.status === 'delivered') moved = await this.deps.repo.delivery(sms.orgId, key.campaignId, key.leadId, 'delivered', { deliveredAt: now }, now);
    if (sms.status === 'undelivered' || sms.status === 'failed') {
      moved = await this.deps.repo.delivery(sms.orgId, key.campaignId, key.leadId, 'failed', { errorCode: sms.errorCode, errorMessage: sms.errorMessage, reason: 'undelivered' }, now);
    }
    if (moved) this.deps.notifier.changed(sms.orgId, key.campaignId);
  }

  /** An inbound text: a reply to the lead's campaign texts of the last 7 days; a STOP also skips its waiting texts. */
  async inbound(orgId: string, leadId: string, kind: string): Promise<void> {
    const now = this.deps.now();
    const since = new Date(now.getTime() - REPLY_WINDOW_MS);
    const touched = kind === 'stop' ? await this.deps.repo.markOptedOut(orgId, leadId, since, now) : kind === 'start' ? [] : await this.deps.repo.markReplied(orgId, leadId, since, now);
    for (const campaignId of touched) this.deps.notifier.changed(orgId, campaignId);
  }
}

/** A text with the clinic's opt-out line on its own line (the first text a lead ever receives). */
export function withOptOutLine(text: string, line: string | null): string {
  return line ? `${text}\n${line}` : text;
}
