import { ObjectId, type Db, type Filter } from 'mongodb';
import type { FollowUp } from '../../../core/contracts.js';
import { COLLECTIONS } from '../db/indexes.js';
import { iso, toObjectId } from '../db/plain.js';

export interface FollowUpDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  dueAt: Date;
  note: string | null;
  status: 'open' | 'done';
  source: FollowUp['source'];
  createdBy: { id: string; name: string };
  createdAt: Date;
  updatedAt: Date;
  doneAt: Date | null;
  doneBy: { id: string; name: string } | null;
  /** Set by the one instance that claimed the due reminder (atomically); cleared when the due time moves. */
  remindedAt: Date | null;
  claimedBy: string | null;
}

export const toFollowUp = (d: FollowUpDoc): FollowUp => ({
  id: d._id.toHexString(),
  contactId: d.contactId,
  dueAt: d.dueAt.toISOString(),
  note: d.note,
  status: d.status,
  source: d.source,
  createdBy: d.createdBy,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
  doneAt: iso(d.doneAt),
  doneBy: d.doneBy,
  remindedAt: iso(d.remindedAt),
});

/** follow_ups: dated to-dos on leads, and the claims of their due reminders. */
export class FollowUpRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<FollowUpDoc>(COLLECTIONS.followUps);
  }

  async insert(orgId: string, f: Pick<FollowUpDoc, 'contactId' | 'dueAt' | 'note' | 'source' | 'createdBy'>, now: Date): Promise<FollowUp> {
    const doc: FollowUpDoc = {
      _id: new ObjectId(),
      orgId,
      ...f,
      status: 'open',
      createdAt: now,
      updatedAt: now,
      doneAt: null,
      doneBy: null,
      remindedAt: null,
      claimedBy: null,
    };
    await this.col.insertOne(doc);
    return toFollowUp(doc);
  }

  async findById(orgId: string, id: string): Promise<FollowUp | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOne({ _id, orgId });
    return doc ? toFollowUp(doc) : null;
  }

  async update(orgId: string, id: string, set: Partial<Pick<FollowUpDoc, 'dueAt' | 'note' | 'status' | 'doneAt' | 'doneBy' | 'remindedAt' | 'claimedBy'>>, now: Date): Promise<FollowUp | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOneAndUpdate({ _id, orgId }, { $set: { ...set, updatedAt: now } }, { returnDocument: 'after' });
    return doc ? toFollowUp(doc) : null;
  }

  async delete(orgId: string, id: string): Promise<FollowUp | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOneAndDelete({ _id, orgId });
    return doc ? toFollowUp(doc) : null;
  }

  /** The lead's earliest open follow-up (what the lead's `nextFollowUpAt` shows). */
  async nextOpen(orgId: string, contactId: string): Promise<FollowUp | null> {
    const doc = await this.col.findOne({ orgId, contactId, status: 'open' }, { sort: { dueAt: 1 } });
    return doc ? toFollowUp(doc) : null;
  }

  async openForLead(orgId: string, contactId: string, limit: number): Promise<FollowUp[]> {
    const docs = await this.col.find({ orgId, contactId, status: 'open' }).sort({ dueAt: 1 }).limit(limit).toArray();
    return docs.map(toFollowUp);
  }

  /** Open follow-ups of the clinic due in [from, before), earliest first. */
  async openDue(orgId: string, range: { from: Date | null; before: Date | null }, limit: number, contactId?: string): Promise<FollowUp[]> {
    const filter: Filter<FollowUpDoc> = { orgId, status: 'open' };
    if (contactId) filter.contactId = contactId;
    const due: { $gte?: Date; $lt?: Date } = {};
    if (range.from) due.$gte = range.from;
    if (range.before) due.$lt = range.before;
    if (range.from || range.before) filter.dueAt = due;
    const docs = await this.col.find(filter).sort({ dueAt: 1 }).limit(limit).toArray();
    return docs.map(toFollowUp);
  }

  /**
   * Claims one due, unreminded follow-up of any clinic for this instance: one atomic findOneAndUpdate, so of all the
   * instances running the job each reminder is claimed exactly once.
   */
  async claimDue(now: Date, instanceId: string): Promise<(FollowUp & { orgId: string }) | null> {
    const doc = await this.col.findOneAndUpdate(
      { status: 'open', remindedAt: null, dueAt: { $lte: now } },
      { $set: { remindedAt: now, claimedBy: instanceId } },
      { sort: { dueAt: 1 }, returnDocument: 'after' },
    );
    return doc ? { ...toFollowUp(doc), orgId: doc.orgId } : null;
  }

  async deleteOpenBySource(orgId: string, contactId: string, source: FollowUp['source']): Promise<number> {
    return (await this.col.deleteMany({ orgId, contactId, status: 'open', source })).deletedCount;
  }

  async deleteForLead(orgId: string, contactId: string): Promise<number> {
    return (await this.col.deleteMany({ orgId, contactId })).deletedCount;
  }
}
