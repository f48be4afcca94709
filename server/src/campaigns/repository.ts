import { ObjectId, type Db, type Filter } from 'mongodb';
import type {
  Campaign,
  CampaignAudience,
  CampaignCounts,
  CampaignRecipient,
  CampaignStatus,
  CampaignUser,
  Exclusions,
  RecipientStatus,
  SmsTemplate,
} from '../../../core/campaigns.js';
import { parseTemplate } from '../../../core/templates.js';
import { COLLECTIONS } from '../db/indexes.js';
import { iso, toObjectId, uniqueWrite } from '../db/plain.js';

export interface CampaignDoc {
  _id: ObjectId;
  orgId: string;
  name: string;
  status: CampaignStatus;
  body: string;
  templateId: string | null;
  link: string | null;
  audience: CampaignAudience;
  excluded: Exclusions;
  segments: { min: number; max: number; warning: string | null };
  counts: CampaignCounts;
  sendAt: Date | null;
  ratePerSecond: number;
  createdBy: CampaignUser;
  /** Who started it: the campaign's texts are sent in their name (the timeline says so). */
  startedBy: (CampaignUser & { role: 'agent' | 'admin' }) | null;
  createdAt: Date;
  updatedAt: Date;
  startedAt: Date | null;
  completedAt: Date | null;
  cancelledAt: Date | null;
}

export interface RecipientDoc {
  _id: ObjectId;
  orgId: string;
  campaignId: string;
  contactId: string;
  name: string;
  phone: string;
  status: RecipientStatus;
  /** Why it was excluded, skipped or failed (an exclusion reason, or words). */
  reason: string | null;
  nextAttemptAt: Date | null;
  claimedBy: string | null;
  leaseUntil: Date | null;
  attempts: number;
  smsId: string | null;
  segments: number | null;
  sentAt: Date | null;
  deliveredAt: Date | null;
  repliedAt: Date | null;
  optedOutAt: Date | null;
  errorCode: number | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface TemplateDoc {
  _id: ObjectId;
  orgId: string;
  name: string;
  body: string;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

export const EMPTY_COUNTS: CampaignCounts = { recipients: 0, queued: 0, sent: 0, delivered: 0, failed: 0, skipped: 0, replied: 0, optedOut: 0, segments: 0 };

export const toCampaign = (d: CampaignDoc): Campaign => ({
  id: d._id.toHexString(),
  name: d.name,
  status: d.status,
  body: d.body,
  templateId: d.templateId,
  link: d.link,
  audience: d.audience,
  counts: d.counts,
  excluded: d.excluded,
  segments: d.segments,
  sendAt: iso(d.sendAt),
  createdBy: d.createdBy,
  startedBy: d.startedBy ? { id: d.startedBy.id, name: d.startedBy.name } : null,
  createdAt: d.createdAt.toISOString(),
  startedAt: iso(d.startedAt),
  completedAt: iso(d.completedAt),
  cancelledAt: iso(d.cancelledAt),
  ratePerSecond: d.ratePerSecond,
});

export const toRecipient = (d: RecipientDoc): CampaignRecipient => ({
  id: d._id.toHexString(),
  leadId: d.contactId,
  name: d.name,
  phone: d.phone,
  status: d.status,
  reason: d.reason,
  smsId: d.smsId,
  segments: d.segments,
  nextAttemptAt: iso(d.nextAttemptAt),
  sentAt: iso(d.sentAt),
  deliveredAt: iso(d.deliveredAt),
  repliedAt: iso(d.repliedAt),
  optedOutAt: iso(d.optedOutAt),
  errorCode: d.errorCode,
  errorMessage: d.errorMessage,
});

export const toTemplate = (d: TemplateDoc): SmsTemplate => ({
  id: d._id.toHexString(),
  name: d.name,
  body: d.body,
  builtIn: false,
  fields: parseTemplate(d.body).fields,
  updatedAt: d.updatedAt.toISOString(),
});


export type NewRecipient = Pick<RecipientDoc, 'contactId' | 'name' | 'phone' | 'status' | 'reason'>;

/** Campaigns, their recipients (one document per lead, unique on campaign + lead), templates and send pacing. */
export class CampaignRepository {
  readonly campaigns;
  readonly recipients;
  readonly templates;
  readonly appointments;
  readonly smsLogs;
  constructor(private readonly db: Db) {
    this.campaigns = db.collection<CampaignDoc>(COLLECTIONS.campaigns);
    this.recipients = db.collection<RecipientDoc>(COLLECTIONS.campaignRecipients);
    this.templates = db.collection<TemplateDoc>(COLLECTIONS.smsTemplates);
    this.appointments = db.collection<{ orgId: string; contactId: string; serviceType: string; scheduledAt: Date; status: string }>(COLLECTIONS.appointments);
    this.smsLogs = db.collection<{ orgId: string; contactId: string; direction: string; createdAt: Date }>(COLLECTIONS.smsLogs);
  }

  // ---- templates ----

  async listTemplates(orgId: string): Promise<SmsTemplate[]> {
    return (await this.templates.find({ orgId }).sort({ createdAt: 1 }).limit(500).toArray()).map(toTemplate);
  }

  async template(orgId: string, id: string): Promise<SmsTemplate | null> {
    const _id = toObjectId(id);
    const doc = _id ? await this.templates.findOne({ _id, orgId }) : null;
    return doc ? toTemplate(doc) : null;
  }

  async insertTemplate(orgId: string, input: { name: string; body: string; createdBy: string }, now: Date): Promise<SmsTemplate> {
    const doc: TemplateDoc = { _id: new ObjectId(), orgId, ...input, createdAt: now, updatedAt: now };
    await this.templates.insertOne(doc);
    return toTemplate(doc);
  }

  async updateTemplate(orgId: string, id: string, set: { name: string; body: string }, now: Date): Promise<SmsTemplate | null> {
    const _id = toObjectId(id);
    const doc = _id ? await this.templates.findOneAndUpdate({ _id, orgId }, { $set: { ...set, updatedAt: now } }, { returnDocument: 'after' }) : null;
    return doc ? toTemplate(doc) : null;
  }

  async deleteTemplate(orgId: string, id: string): Promise<boolean> {
    const _id = toObjectId(id);
    return _id ? (await this.templates.deleteOne({ _id, orgId })).deletedCount === 1 : false;
  }

  // ---- campaigns ----

  async insert(doc: Omit<CampaignDoc, '_id'>): Promise<CampaignDoc> {
    const full: CampaignDoc = { _id: new ObjectId(), ...doc };
    await this.campaigns.insertOne(full);
    return full;
  }

  async byId(orgId: string, id: string): Promise<CampaignDoc | null> {
    const _id = toObjectId(id);
    return _id ? this.campaigns.findOne({ _id, orgId }) : null;
  }

  async list(orgId: string, limit = 100): Promise<CampaignDoc[]> {
    return this.campaigns.find({ orgId }).sort({ createdAt: -1 }).limit(limit).toArray();
  }

  /** Sets fields if the campaign is still in one of `from` (a pause that lost to a completion changes nothing). */
  async transition(orgId: string, id: string, from: CampaignStatus[], set: Partial<Omit<CampaignDoc, '_id' | 'orgId'>>, now: Date): Promise<CampaignDoc | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    return this.campaigns.findOneAndUpdate({ _id, orgId, status: { $in: from } }, { $set: { ...set, updatedAt: now } }, { returnDocument: 'after' });
  }

  async setCounts(orgId: string, id: string, counts: CampaignCounts): Promise<void> {
    const _id = toObjectId(id);
    if (_id) await this.campaigns.updateOne({ _id, orgId }, { $set: { counts } });
  }

  async deleteDraft(orgId: string, id: string): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    const res = await this.campaigns.deleteOne({ _id, orgId, status: 'draft' });
    if (res.deletedCount === 1) await this.recipients.deleteMany({ orgId, campaignId: id });
    return res.deletedCount === 1;
  }

  /** Scheduled campaigns whose time has come (any clinic: the sender). */
  async dueScheduled(now: Date, limit = 20): Promise<CampaignDoc[]> {
    return this.campaigns.find({ status: 'scheduled', sendAt: { $lte: now } }).sort({ sendAt: 1 }).limit(limit).toArray();
  }

  /** Campaigns being sent (any clinic: the sender). */
  async sending(limit = 50): Promise<CampaignDoc[]> {
    return this.campaigns.find({ status: 'sending' }).sort({ sendAt: 1 }).limit(limit).toArray();
  }

  // ---- recipients ----

  async replaceRecipients(orgId: string, campaignId: string, rows: NewRecipient[], now: Date): Promise<void> {
    await this.recipients.deleteMany({ orgId, campaignId });
    for (let i = 0; i < rows.length; i += 1000) {
      const docs: RecipientDoc[] = rows.slice(i, i + 1000).map((r) => ({
        _id: new ObjectId(),
        orgId,
        campaignId,
        ...r,
        nextAttemptAt: r.status === 'pending' ? now : null,
        claimedBy: null,
        leaseUntil: null,
        attempts: 0,
        smsId: null,
        segments: null,
        sentAt: null,
        deliveredAt: null,
        repliedAt: null,
        optedOutAt: null,
        errorCode: null,
        errorMessage: null,
        createdAt: now,
        updatedAt: now,
      }));
      await uniqueWrite(COLLECTIONS.campaignRecipients, () => this.recipients.insertMany(docs, { ordered: false }));
    }
  }

  /** Makes every pending recipient due at `at` (a start, or a resume). */
  async dueAt(orgId: string, campaignId: string, at: Date): Promise<void> {
    await this.recipients.updateMany({ orgId, campaignId, status: 'pending', nextAttemptAt: { $lt: at } }, { $set: { nextAttemptAt: at } });
  }

  /**
   * Claims one recipient atomically for `owner` until `leaseUntil`: a due pending one, or one whose claim expired (its
   * sender died). Several instances may claim from the same campaign at once; each recipient goes to one of them.
   */
  async claim(campaignId: string, owner: string, now: Date, leaseUntil: Date, opts: { expired?: boolean } = {}): Promise<RecipientDoc | null> {
    const update = { $set: { status: 'sending' as const, claimedBy: owner, leaseUntil, updatedAt: now }, $inc: { attempts: 1 } };
    if (opts.expired) {
      return this.recipients.findOneAndUpdate({ campaignId, status: 'sending', leaseUntil: { $lt: now } }, update, { returnDocument: 'after' });
    }
    return this.recipients.findOneAndUpdate(
      { campaignId, status: 'pending', nextAttemptAt: { $lte: now } },
      update,
      { sort: { nextAttemptAt: 1 }, returnDocument: 'after' },
    );
  }

  /** Records what became of a claimed recipient, if the claim is still ours. */
  async settle(r: RecipientDoc, owner: string, set: Partial<RecipientDoc>, now: Date): Promise<RecipientDoc | null> {
    return this.recipients.findOneAndUpdate(
      { _id: r._id, campaignId: r.campaignId, status: 'sending', claimedBy: owner },
      { $set: { claimedBy: null, leaseUntil: null, ...set, updatedAt: now } },
      { returnDocument: 'after' },
    );
  }

  /**
   * A delivery outcome from Twilio's callback: a sent recipient becomes delivered or failed. One whose sender is still
   * recording the send (status sending) keeps the outcome in its fields, and the sender applies it when it settles.
   */
  async delivery(orgId: string, campaignId: string, contactId: string, status: 'delivered' | 'failed', set: Partial<RecipientDoc>, now: Date): Promise<RecipientDoc | null> {
    // Retried: the sender may settle between the two writes (then the second finds nothing, and the first applies now).
    for (let attempt = 0; attempt < 3; attempt++) {
      const moved = await this.recipients.findOneAndUpdate(
        { campaignId, contactId, orgId, status: 'sent' },
        { $set: { status, ...set, updatedAt: now } },
        { returnDocument: 'after' },
      );
      if (moved) return moved;
      const held = await this.recipients.updateOne({ campaignId, contactId, orgId, status: 'sending' }, { $set: { ...set, updatedAt: now } });
      if (held.matchedCount === 1) return null;
    }
    return null;
  }

  /** Recipients of a lead texted since `since` and not yet replied to: an inbound text counts as their reply. */
  async markReplied(orgId: string, contactId: string, since: Date, now: Date): Promise<string[]> {
    const hits = await this.recipients.find({ orgId, contactId, sentAt: { $gte: since }, repliedAt: null }, { projection: { campaignId: 1 } }).toArray();
    if (hits.length === 0) return [];
    await this.recipients.updateMany({ orgId, contactId, sentAt: { $gte: since }, repliedAt: null }, { $set: { repliedAt: now, updatedAt: now } });
    return hits.map((h) => h.campaignId);
  }

  /**
   * A STOP: the lead's recent campaign texts count an opt-out, and its texts still waiting in any campaign are skipped.
   * Returns the campaigns touched.
   */
  async markOptedOut(orgId: string, contactId: string, since: Date, now: Date): Promise<string[]> {
    const recent = await this.recipients.find({ orgId, contactId, sentAt: { $gte: since }, optedOutAt: null }, { projection: { campaignId: 1 } }).toArray();
    await this.recipients.updateMany({ orgId, contactId, sentAt: { $gte: since }, optedOutAt: null }, { $set: { optedOutAt: now, updatedAt: now } });
    const waiting = await this.recipients.find({ orgId, contactId, status: 'pending' }, { projection: { campaignId: 1 } }).toArray();
    await this.recipients.updateMany(
      { orgId, contactId, status: 'pending' },
      { $set: { status: 'skipped', reason: 'optedOut', optedOutAt: now, nextAttemptAt: null, updatedAt: now } },
    );
    return [...new Set([...recent, ...waiting].map((r) => r.campaignId))];
  }

  /** The recipients of a cancelled campaign that were never texted are skipped. */
  async skipPending(orgId: string, campaignId: string, reason: string, now: Date): Promise<void> {
    await this.recipients.updateMany({ orgId, campaignId, status: 'pending' }, { $set: { status: 'skipped', reason, nextAttemptAt: null, updatedAt: now } });
  }

  async recipientPage(orgId: string, campaignId: string, opts: { status?: RecipientStatus; page: number; pageSize: number }): Promise<{ items: CampaignRecipient[]; total: number }> {
    const filter: Filter<RecipientDoc> = { orgId, campaignId, ...(opts.status ? { status: opts.status } : {}) };
    const [docs, total] = await Promise.all([
      this.recipients.find(filter).sort({ _id: 1 }).skip((opts.page - 1) * opts.pageSize).limit(opts.pageSize).toArray(),
      this.recipients.countDocuments(filter),
    ]);
    return { items: docs.map(toRecipient), total };
  }

  recipientCursor(orgId: string, campaignId: string) {
    return this.recipients.find({ orgId, campaignId }).sort({ _id: 1 }).batchSize(500);
  }

  async recipient(orgId: string, campaignId: string, contactId: string): Promise<RecipientDoc | null> {
    return this.recipients.findOne({ campaignId, contactId, orgId });
  }

  /** How many recipients match (the count command, served by campaign_status_due: no documents read). */
  private async countWhere(filter: Filter<RecipientDoc>): Promise<number> {
    const res = await this.db.command({ count: COLLECTIONS.campaignRecipients, query: filter });
    return Number(res.n ?? 0);
  }

  /** Recipients not texted yet (waiting or being sent). */
  async queuedCount(orgId: string, campaignId: string): Promise<number> {
    const [pending, sending] = await Promise.all([this.countWhere({ campaignId, status: 'pending', orgId }), this.countWhere({ campaignId, status: 'sending', orgId })]);
    return pending + sending;
  }

  /**
   * Counts of the progress bar, cheap enough for every live event: one index count per status. Replies, opt-outs and
   * segments are carried over from `exact` (the last full count).
   */
  async progressCounts(orgId: string, campaignId: string, exact: CampaignCounts): Promise<CampaignCounts> {
    const n = (status: RecipientStatus, extra: Filter<RecipientDoc> = {}) => this.countWhere({ campaignId, status, orgId, ...extra });
    const [pending, sending, sent, delivered, failed, undelivered, skipped] = await Promise.all([
      n('pending'), n('sending'), n('sent'), n('delivered'), n('failed'), n('failed', { reason: 'undelivered' }), n('skipped'),
    ]);
    return {
      ...exact,
      recipients: pending + sending + sent + delivered + failed + skipped,
      queued: pending + sending,
      sent: sent + delivered + undelivered,
      delivered,
      failed,
      skipped,
    };
  }

  /** The campaign's counts, computed from its recipients (so a crash can never leave them wrong). */
  async counts(orgId: string, campaignId: string): Promise<CampaignCounts> {
    // A projection counted here rather than a $group: cheaper on the embedded engine, the same on MongoDB.
    const docs = await this.recipients
      .find({ campaignId, orgId }, { projection: { _id: 0, status: 1, repliedAt: 1, optedOutAt: 1, segments: 1, sentAt: 1 } })
      .toArray();
    const c: CampaignCounts = { ...EMPTY_COUNTS };
    for (const r of docs) {
      if (r.status === 'excluded') continue;
      c.recipients++;
      if (r.repliedAt) c.replied++;
      if (r.optedOutAt) c.optedOut++;
      if (r.sentAt) {
        c.sent++;
        c.segments += r.segments ?? 0;
      }
      if (r.status === 'pending' || r.status === 'sending') c.queued++;
      else if (r.status === 'delivered') c.delivered++;
      else if (r.status === 'failed') c.failed++;
      else if (r.status === 'skipped') c.skipped++;
    }
    return c;
  }

  // ---- what audience resolution reads besides contacts ----

  /** Leads the clinic texted since `since` (the frequency cap). */
  async textedSince(orgId: string, since: Date): Promise<Set<string>> {
    const docs = await this.smsLogs.find({ orgId, direction: 'outbound', createdAt: { $gte: since } }, { projection: { contactId: 1 } }).toArray();
    return new Set(docs.map((d) => d.contactId));
  }

  /** Of these leads, those the clinic has texted before (a text Twilio accepted): their next text needs no opt-out line. */
  async textedEver(orgId: string, contactIds: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < contactIds.length; i += 500) {
      const docs = await this.smsLogs
        .find({ orgId, contactId: { $in: contactIds.slice(i, i + 500) }, direction: 'outbound', twilioSid: { $exists: true } }, { projection: { contactId: 1 } })
        .toArray();
      for (const d of docs) out.add(d.contactId);
    }
    return out;
  }

  /** Each lead's next scheduled appointment after `now` (for {service} and {appointment_*}). */
  async nextAppointments(orgId: string, contactIds: string[], now: Date): Promise<Map<string, { scheduledAt: Date; serviceType: string }>> {
    const out = new Map<string, { scheduledAt: Date; serviceType: string }>();
    for (let i = 0; i < contactIds.length; i += 500) {
      const docs = await this.appointments
        .find({ orgId, contactId: { $in: contactIds.slice(i, i + 500) }, scheduledAt: { $gt: now }, status: 'scheduled' })
        .sort({ scheduledAt: 1 })
        .toArray();
      for (const d of docs) if (!out.has(d.contactId)) out.set(d.contactId, { scheduledAt: d.scheduledAt, serviceType: d.serviceType });
    }
    return out;
  }
}
