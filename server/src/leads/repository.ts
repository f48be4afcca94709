import { ObjectId, type Db, type Filter, type FindCursor } from 'mongodb';
import type { Consent, Lead, LeadStatus, ScoreBreakdown, Tier } from '../../../core/contracts.js';
import { BOARD_ORDER } from '../../../core/board.js';
import { tierOf, tierScoreRange } from '../../../core/tiers.js';
import { COLLECTIONS } from '../db/indexes.js';
import { iso, toObjectId, uniqueWrite } from '../db/plain.js';

export interface ContactDoc {
  _id: ObjectId;
  orgId: string;
  name: string;
  nameLower: string;
  phone: string;
  phoneDigits: string;
  phoneValid: boolean;
  email: string | null;
  services: string[];
  leadScore: number;
  leadStatus: LeadStatus;
  lastContactAt: Date | null;
  lastAttemptAt: Date | null;
  scoreBreakdown: ScoreBreakdown | null;
  smsOptOut: { at: Date; source: string } | null;
  consent: Consent | null;
  externalId?: string;
  timezone: string | null;
  lostFrom: LeadStatus | null;
  lostBy: string | null;
  lostAt: Date | null;
  activeCallId: string | null;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const BOARD_SORT = BOARD_ORDER;


const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

export interface BoardFilter {
  tier?: Tier;
  status?: LeadStatus;
  q?: string;
}

/**
 * The board's filter. Search is one box: text that looks like a phone number (digits and phone punctuation only)
 * matches the phone digits anywhere, whatever the formatting typed; anything else matches the name anywhere, case-
 * insensitively. The input only ever becomes an escaped literal inside a regex: no operator or regex injection.
 */
export function boardFilter(orgId: string, f: BoardFilter): Filter<ContactDoc> {
  const filter: Filter<ContactDoc> = { orgId };
  if (f.status) filter.leadStatus = f.status;
  if (f.tier) filter.leadScore = tierScoreRange(f.tier);
  const q = f.q?.trim();
  if (q) {
    const digits = q.replace(/\D/g, '');
    if (digits.length > 0 && /^[\d\s()+\-.]+$/.test(q)) {
      filter.phoneDigits = { $regex: escapeRegex(digits) };
    } else {
      filter.nameLower = { $regex: escapeRegex(q.toLowerCase().replace(/\s+/g, ' ')) };
    }
  }
  return filter;
}

export function toLead(doc: ContactDoc): Lead {
  return {
    id: doc._id.toHexString(),
    name: doc.name,
    phone: doc.phone,
    phoneValid: doc.phoneValid,
    email: doc.email,
    services: doc.services,
    leadScore: doc.leadScore,
    tier: tierOf(doc.leadScore),
    leadStatus: doc.leadStatus,
    lastContactAt: iso(doc.lastContactAt),
    lastAttemptAt: iso(doc.lastAttemptAt),
    scoreBreakdown: doc.scoreBreakdown,
    smsOptOut: doc.smsOptOut ? { at: doc.smsOptOut.at.toISOString(), source: doc.smsOptOut.source } : null,
    consent: doc.consent,
    externalId: doc.externalId ?? null,
    timezone: doc.timezone,
    lostFrom: doc.lostFrom,
    lostBy: doc.lostBy,
    lostAt: iso(doc.lostAt),
    activeCallId: doc.activeCallId,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    version: doc.version,
  };
}

/** The fields a change may set (everything but the identity, the owner organisation and the version). */
export type ContactSet = Partial<Omit<ContactDoc, '_id' | 'orgId' | 'version'>>;

export type NewContact = Omit<ContactDoc, '_id' | 'orgId' | 'createdAt' | 'updatedAt' | 'version'>;

export class ContactRepository {
  readonly col;
  constructor(db: Db) {
    this.col = db.collection<ContactDoc>(COLLECTIONS.contacts);
  }

  async page(orgId: string, f: BoardFilter, page: number, pageSize: number): Promise<{ items: Lead[]; total: number }> {
    const filter = boardFilter(orgId, f);
    const [docs, total] = await Promise.all([
      this.col.find(filter).sort(BOARD_SORT).skip((page - 1) * pageSize).limit(pageSize).toArray(),
      this.col.countDocuments(filter),
    ]);
    return { items: docs.map(toLead), total };
  }

  /** A cursor over the whole filtered board in board order, for streaming exports. */
  exportCursor(orgId: string, f: BoardFilter): FindCursor<ContactDoc> {
    return this.col.find(boardFilter(orgId, f)).sort(BOARD_SORT).batchSize(500);
  }

  async findById(orgId: string, id: string): Promise<Lead | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOne({ _id, orgId });
    return doc ? toLead(doc) : null;
  }

  async findByPhone(orgId: string, phone: string): Promise<Lead | null> {
    const doc = await this.col.findOne({ orgId, phone }, { sort: { _id: 1 } });
    return doc ? toLead(doc) : null;
  }

  async findByExternalId(orgId: string, externalId: string): Promise<Lead | null> {
    const doc = await this.col.findOne({ orgId, externalId });
    return doc ? toLead(doc) : null;
  }

  async insert(orgId: string, input: NewContact, now = new Date()): Promise<Lead> {
    const doc: ContactDoc = { _id: new ObjectId(), orgId, ...input, createdAt: now, updatedAt: now, version: 1 };
    if (doc.externalId === undefined) delete doc.externalId;
    await uniqueWrite(COLLECTIONS.contacts, () => this.col.insertOne(doc));
    return toLead(doc);
  }

  /**
   * Updates one lead of one organisation if it still matches `expect` (a status and/or version), bumping the version.
   * Returns null when the lead does not exist or no longer matches; the caller tells those apart.
   */
  async update(
    orgId: string,
    id: string,
    change: { set?: ContactSet; expect?: { leadStatus?: LeadStatus; version?: number; activeCallId?: string | null } },
    now = new Date(),
  ): Promise<Lead | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const filter: Filter<ContactDoc> = { _id, orgId };
    if (change.expect?.leadStatus) filter.leadStatus = change.expect.leadStatus;
    if (change.expect?.version !== undefined) filter.version = change.expect.version;
    if (change.expect && 'activeCallId' in change.expect) filter.activeCallId = change.expect.activeCallId ?? null;
    const doc = await this.col.findOneAndUpdate(
      filter,
      { $set: { ...change.set, updatedAt: now }, $inc: { version: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toLead(doc) : null;
  }

  /** Bulk upsert of host-CRM contacts, by externalId when given, else by phone. Returns the stored leads in input order. */
  async upsertMany(
    orgId: string,
    rows: Array<{ key: { externalId: string } | { phone: string }; set: Partial<NewContact>; insert: NewContact }>,
    now = new Date(),
  ): Promise<{ created: number; updated: number; items: Lead[] }> {
    let created = 0;
    let updated = 0;
    const items: Lead[] = [];
    for (const row of rows) {
      const filter: Filter<ContactDoc> = { orgId, ...row.key };
      const setOnInsert: Partial<ContactDoc> = { ...row.insert, createdAt: now };
      for (const key of Object.keys(row.set)) delete (setOnInsert as Record<string, unknown>)[key];
      if (setOnInsert.externalId === undefined) delete setOnInsert.externalId;
      const result = await this.col.findOneAndUpdate(
        filter,
        { $set: { ...row.set, updatedAt: now }, $setOnInsert: setOnInsert, $inc: { version: 1 } },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      );
      if (result.lastErrorObject?.updatedExisting) updated++;
      else created++;
      if (result.value) items.push(toLead(result.value));
    }
    return { created, updated, items };
  }
}
