import { ObjectId, type Db, type Filter } from 'mongodb';
import type { Call, CallIntent, CallMessage, CallMode, CallOutcome, CallStatus } from '../../../core/contracts.js';
import { COLLECTIONS } from '../db/indexes.js';
import { iso, toObjectId } from '../db/plain.js';
import { firstLeg, toCallLeg, type CallLegDoc } from './legs.js';

export interface CallDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  vapiCallId: string | null;
  status: CallStatus;
  endedReason: string | null;
  startedAt: Date | null;
  endedAt: Date | null;
  durationSec: number | null;
  transcript: string | null;
  messages: CallMessage[];
  summary: string | null;
  recordingUrl: string | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
  createdBy: string | null;
  error: string | null;
  /**
   * The webhook secret the call was placed under (encrypted), so the provider's webhooks for it stay valid when the
   * agent is removed and saved again with a new secret. Absent on calls placed before this was kept.
   */
  webhookSecretEnc?: string | null;
  /** How the call ended, and what the lead wanted (Vapi's post-call analysis); absent on calls ended before outcomes. */
  outcome?: CallOutcome | null;
  intent?: CallIntent | null;
  requestedAt?: Date | null;
  /** Vapi's `analysis.successEvaluation` (PassFail rubric: "true" / "false"), kept as sent. */
  successEvaluation?: string | null;
  /** Call modes (issue 13, ./legs.ts): absent on calls placed before them ('agent', no legs). */
  mode?: CallMode;
  legs?: CallLegDoc[];
  createdAt: Date;
  updatedAt: Date;
}

/** What the repository hands out: the stored fields as a plain object, the id as a string (no driver types). */
export type CallRecord = Omit<CallDoc, '_id'> & { id: string };
export type CallFields = Partial<Omit<CallDoc, '_id' | 'orgId' | 'contactId' | 'createdAt'>>;

const toRecord = ({ _id, ...rest }: CallDoc): CallRecord => ({ id: _id.toHexString(), ...rest });
const toRecordOrNull = (doc: CallDoc | null): CallRecord | null => (doc ? toRecord(doc) : null);

export const ACTIVE_CALL_STATUSES: CallStatus[] = ['queued', 'ringing', 'in-progress'];

export function toCall(d: CallRecord, opts: { full?: boolean } = {}): Call {
  return {
    id: d.id,
    contactId: d.contactId,
    vapiCallId: d.vapiCallId,
    status: d.status,
    endedReason: d.endedReason,
    startedAt: iso(d.startedAt),
    endedAt: iso(d.endedAt),
    durationSec: d.durationSec,
    transcript: opts.full ? d.transcript : d.transcript && d.transcript.length > 100 ? `${d.transcript.slice(0, 100)}…` : d.transcript,
    messages: opts.full ? d.messages : [],
    summary: d.summary,
    recordingUrl: d.recordingUrl,
    scoreBefore: d.scoreBefore,
    scoreAfter: d.scoreAfter,
    createdBy: d.createdBy,
    error: d.error,
    outcome: d.outcome ?? null,
    intent: d.intent ?? null,
    requestedAt: iso(d.requestedAt ?? null),
    mode: d.mode ?? 'agent',
    legs: (d.legs ?? []).map(toCallLeg),
    createdAt: d.createdAt.toISOString(),
  };
}

export class CallRepository {
  readonly col;
  constructor(db: Db) {
    this.col = db.collection<CallDoc>(COLLECTIONS.calls);
  }

  /** Removes a record whose call was never placed (still queued, no Vapi id): a start refused after it was written. */
  async discardUnplaced(orgId: string, id: string): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    const res = await this.col.deleteOne({ _id, orgId, status: 'queued', vapiCallId: null });
    return res.deletedCount === 1;
  }

  async insert(
    orgId: string,
    call: Pick<CallDoc, 'contactId' | 'createdBy' | 'scoreBefore'> & { webhookSecretEnc?: string | null; mode?: CallMode },
    now = new Date(),
  ): Promise<CallRecord> {
    const doc: CallDoc = {
      _id: new ObjectId(),
      orgId,
      contactId: call.contactId,
      vapiCallId: null,
      status: 'queued',
      endedReason: null,
      startedAt: null,
      endedAt: null,
      durationSec: null,
      transcript: null,
      messages: [],
      summary: null,
      recordingUrl: null,
      scoreBefore: call.scoreBefore,
      scoreAfter: null,
      createdBy: call.createdBy,
      error: null,
      webhookSecretEnc: call.webhookSecretEnc ?? null,
      mode: call.mode ?? 'agent',
      legs: [firstLeg(call.mode ?? 'agent')],
      createdAt: now,
      updatedAt: now,
    };
    await this.col.insertOne(doc);
    return toRecord(doc);
  }

  async findById(orgId: string, id: string): Promise<CallRecord | null> {
    const _id = toObjectId(id);
    return _id ? toRecordOrNull(await this.col.findOne({ _id, orgId })) : null;
  }

  /** Webhooks arrive without our org: the unique Vapi call id finds the record (and so its organisation). */
  async findByVapiId(vapiCallId: string): Promise<CallRecord | null> {
    return toRecordOrNull(await this.col.findOne({ vapiCallId }));
  }

  async activeForLead(orgId: string, contactId: string): Promise<CallRecord | null> {
    return toRecordOrNull(await this.col.findOne({ orgId, contactId, status: { $in: ACTIVE_CALL_STATUSES } }));
  }

  /** The lead's most recent call (index org_contact_created). */
  async latestForLead(orgId: string, contactId: string): Promise<CallRecord | null> {
    const [doc] = await this.col.find({ orgId, contactId }).sort({ createdAt: -1 }).limit(1).toArray();
    return doc ? toRecord(doc) : null;
  }

  async forLead(orgId: string, contactId: string, limit = 5): Promise<Call[]> {
    const docs = await this.col.find({ orgId, contactId }).sort({ createdAt: -1 }).limit(limit).toArray();
    return docs.map((d) => toCall(toRecord(d)));
  }

  /** Calls still active after `before`: candidates for reconciliation with the provider. */
  async staleActive(before: Date, limit = 100): Promise<CallRecord[]> {
    const docs = await this.col
      .find({ status: { $in: ACTIVE_CALL_STATUSES }, createdAt: { $lt: before } })
      .sort({ status: 1, createdAt: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toRecord);
  }

  /** Applies a change only when the record is still in one of `fromStatuses` (so a late or repeated webhook cannot go back). */
  async update(orgId: string, id: string, set: CallFields, fromStatuses?: CallStatus[]): Promise<CallRecord | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const filter: Filter<CallDoc> = { _id, orgId };
    if (fromStatuses) filter.status = { $in: fromStatuses };
    return toRecordOrNull(await this.col.findOneAndUpdate(filter, { $set: { ...set, updatedAt: new Date() } }, { returnDocument: 'after' }));
  }
}
