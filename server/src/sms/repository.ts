import { ObjectId, type Db, type Filter } from 'mongodb';
import type { SmsLog, SmsStatus } from '../../../core/contracts.js';
import { COLLECTIONS } from '../db/indexes.js';
import { iso, toObjectId, uniqueWrite } from '../db/plain.js';

export interface SmsDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  direction: 'outbound' | 'inbound';
  to: string;
  from: string;
  body: string;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  twilioSid?: string;
  status: SmsStatus;
  errorCode: number | null;
  errorMessage: string | null;
  idempotencyKey?: string;
  scheduledFor: Date | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** What the repository hands out: the stored fields as a plain object, the id as a string (no driver types). */
export type SmsRecord = Omit<SmsDoc, '_id'> & { id: string };
export type SmsFields = Partial<Omit<SmsDoc, '_id' | 'orgId' | 'contactId' | 'createdAt'>>;

const toRecord = ({ _id, ...rest }: SmsDoc): SmsRecord => ({ id: _id.toHexString(), ...rest });
const toRecordOrNull = (doc: SmsDoc | null): SmsRecord | null => (doc ? toRecord(doc) : null);

export const toSms = (d: SmsRecord): SmsLog => ({
  id: d.id,
  contactId: d.contactId,
  direction: d.direction,
  to: d.to,
  from: d.from,
  body: d.body,
  segments: d.segments,
  encoding: d.encoding,
  twilioSid: d.twilioSid ?? null,
  status: d.status,
  errorCode: d.errorCode,
  errorMessage: d.errorMessage,
  scheduledFor: iso(d.scheduledFor),
  createdBy: d.createdBy,
  createdAt: d.createdAt.toISOString(),
});

/** Delivery progresses only forward: a late "sent" callback cannot undo "delivered". */
const STATUS_RANK: Record<SmsStatus, number> = { scheduled: 0, queued: 1, sent: 2, delivered: 3, undelivered: 3, failed: 3, received: 3 };
export const statusesBefore = (s: SmsStatus): SmsStatus[] => (Object.keys(STATUS_RANK) as SmsStatus[]).filter((k) => STATUS_RANK[k] < STATUS_RANK[s]);

export class SmsRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<SmsDoc>(COLLECTIONS.smsLogs);
  }

  /** Logs a message before anything is sent. Throws DuplicateKeyError when the idempotency key (or Twilio sid) was seen before. */
  async insert(doc: Omit<SmsDoc, '_id' | 'createdAt' | 'updatedAt'>, now = new Date()): Promise<SmsRecord> {
    const full: SmsDoc = { _id: new ObjectId(), ...doc, createdAt: now, updatedAt: now };
    if (full.twilioSid === undefined) delete full.twilioSid;
    if (full.idempotencyKey === undefined) delete full.idempotencyKey;
    await uniqueWrite(COLLECTIONS.smsLogs, () => this.col.insertOne(full));
    return toRecord(full);
  }

  async byIdempotencyKey(orgId: string, idempotencyKey: string): Promise<SmsRecord | null> {
    return toRecordOrNull(await this.col.findOne({ orgId, idempotencyKey }));
  }

  async byId(orgId: string, id: string): Promise<SmsRecord | null> {
    const _id = toObjectId(id);
    return _id ? toRecordOrNull(await this.col.findOne({ _id, orgId })) : null;
  }

  /** Whether Twilio ever accepted a text from the clinic to this lead (the first one carries the opt-out line). */
  async hasAcceptedOutbound(orgId: string, contactId: string): Promise<boolean> {
    return (await this.col.findOne({ orgId, contactId, direction: 'outbound', twilioSid: { $exists: true } }, { projection: { _id: 1 } })) !== null;
  }

  async bySid(twilioSid: string): Promise<SmsRecord | null> {
    return toRecordOrNull(await this.col.findOne({ twilioSid }));
  }

  async forLead(orgId: string, contactId: string, limit = 20): Promise<SmsRecord[]> {
    return (await this.col.find({ orgId, contactId }).sort({ createdAt: -1 }).limit(limit).toArray()).map(toRecord);
  }

  async update(orgId: string, id: string, set: SmsFields, fromStatuses?: SmsStatus[]): Promise<SmsRecord | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const filter: Filter<SmsDoc> = { _id, orgId };
    if (fromStatuses) filter.status = { $in: fromStatuses };
    return toRecordOrNull(await this.col.findOneAndUpdate(filter, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' }));
  }

  /** Atomically claims one scheduled message that is due (several instances may poll at once). */
  async claimDue(now: Date): Promise<SmsRecord | null> {
    return toRecordOrNull(await this.col.findOneAndUpdate(
      { status: 'scheduled', scheduledFor: { $lte: now } },
      { $set: { status: 'queued', updatedAt: now } },
      { sort: { status: 1, scheduledFor: 1 }, returnDocument: 'after' },
    ));
  }
}
