import { ObjectId, type Db, type Filter, type FindCursor, type Sort } from 'mongodb';
import type { CallOutcome, Consent, Lead, LeadStatus, LostReason, ScoreBreakdown, Tier } from '../../../core/contracts.js';
import { BOARD_ORDER, SORT_ORDERS, type BoardSort } from '../../../core/board.js';
import { tierOf, tierScoreRange } from '../../../core/tiers.js';
import { localDayBounds } from '../../../core/clinic-time.js';
import { revisitLostBefore, viewEntries, type AppointmentFilter, type TextSentiment, type ViewName } from '../../../core/views.js';
import { searchKeysOf, searchLookup } from '../../../core/search.js';
import { COLLECTIONS, MAINTENANCE_SCAN } from '../db/indexes.js';
import { iso, toObjectId, uniqueWrite } from '../db/plain.js';
import type { LeadEventDoc } from './timeline-repository.js';

/** The contact fields a person can edit on the board; each edit's time is kept per field (`contactEditedAt`). */
export const EDITABLE_CONTACT_FIELDS = ['name', 'phone', 'email', 'services', 'timezone', 'consent', 'externalId'] as const;
export type EditableContactField = (typeof EDITABLE_CONTACT_FIELDS)[number];

export interface ContactDoc {
  _id: ObjectId;
  orgId: string;
  name: string;
  nameLower: string;
  phone: string;
  phoneDigits: string;
  /** core/search.ts keys of nameLower and phoneDigits (index board_search); absent on contacts from before them. */
  searchKeys?: string[];
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
  // ---- Working the list (issue 12). Optional: documents written before them (and the demo seed) may lack them. ----
  lostReason?: LostReason | null;
  lostNote?: string | null;
  /** The earliest scheduled appointment not started at the last appointment change; the latest scheduled one. */
  nextAppointmentAt?: Date | null;
  lastAppointmentAt?: Date | null;
  /** The earliest open follow-up, its sort rank (-dueAt ms, see core/board.ts) and its view windows (core/views.ts). */
  nextFollowUpAt?: Date | null;
  nextFollowUpId?: string | null;
  followUpRank?: number | null;
  followUpTodayFrom?: Date | null;
  followUpWeekFrom?: Date | null;
  lastInboundAt?: Date | null;
  lastInboundSentiment?: TextSentiment | null;
  /** When the score last rose from Cold into Warm. */
  warmedAt?: Date | null;
  /** Derived on every write from the fields above (core/views.ts viewEntries): the instant the lead enters each view. */
  callTodayFrom?: Date | null;
  thisWeekFrom?: Date | null;
  nurtureFrom?: Date | null;
  /** When each contact field was last edited on the board (the bulk upsert keeps newer board edits: docs/api.md). */
  contactEditedAt?: Partial<Record<EditableContactField, Date>>;
  /** Owners and call outcomes arrive with issue 13. */
  ownerId?: string | null;
  ownerName?: string | null;
  lastCallOutcome?: CallOutcome | null;
  /**
   * Timeline outbox (leads/changes.ts): the entries of a change, written in the same atomic update as the change, until
   * they are copied to lead_events; `timelinePendingSince` (the oldest entry waiting) lets the flush job find them.
   */
  timelineOutbox?: LeadEventDoc[];
  timelinePendingSince?: Date;
  createdAt: Date;
  updatedAt: Date;
  version: number;
}

export const BOARD_SORT = BOARD_ORDER;

/** The fields the priority views are derived from: a write that sets one of them re-derives the view entries. */
const VIEW_INPUT_FIELDS = [
  'leadScore',
  'leadStatus',
  'lastContactAt',
  'lastAppointmentAt',
  'lastInboundAt',
  'lastInboundSentiment',
  'warmedAt',
  'followUpTodayFrom',
  'followUpWeekFrom',
  'lostReason',
] as const;

const ms = (d: Date | null | undefined): number | null => (d instanceof Date ? d.getTime() : null);
const date = (n: number | null): Date | null => (n === null ? null : new Date(n));

/** The view entry instants of a contact as it is (or will be) stored: core/views.ts over the stored fields. */
export function viewFieldsOf(doc: Partial<ContactDoc> & Pick<ContactDoc, 'leadScore' | 'leadStatus'>): Pick<ContactDoc, 'callTodayFrom' | 'thisWeekFrom' | 'nurtureFrom'> {
  const e = viewEntries({
    leadScore: doc.leadScore,
    leadStatus: doc.leadStatus,
    lastContactAt: ms(doc.lastContactAt),
    lastAppointmentAt: ms(doc.lastAppointmentAt),
    lastInboundAt: ms(doc.lastInboundAt),
    lastInboundSentiment: doc.lastInboundSentiment ?? null,
    warmedAt: ms(doc.warmedAt),
    followUpTodayFrom: ms(doc.followUpTodayFrom),
    followUpWeekFrom: ms(doc.followUpWeekFrom),
    lostReason: doc.lostReason ?? null,
  });
  return { callTodayFrom: date(e.callTodayFrom), thisWeekFrom: date(e.thisWeekFrom), nurtureFrom: date(e.nurtureFrom) };
}

/** The derived fields of a whole contact written directly (demo seed, benches): view entries and search keys. */
export function derivedFieldsOf(doc: Partial<ContactDoc> & Pick<ContactDoc, 'leadScore' | 'leadStatus' | 'nameLower' | 'phoneDigits'>) {
  return { ...viewFieldsOf(doc), searchKeys: searchKeysOf(doc.nameLower, doc.phoneDigits) };
}

/** The fields search keys are derived from: a write that sets one re-derives `searchKeys`. */
const SEARCH_INPUT_FIELDS = ['nameLower', 'phoneDigits'] as const;

/** Everything derived that a write of `set` over `base` stores with it: the view entries and the search keys. */
export function derivedSet(base: ContactDoc | null, set: ContactSet, now: Date): ContactSet {
  const out = derivedViewSet(base, set, now);
  if (!base || SEARCH_INPUT_FIELDS.some((k) => k in set)) {
    const merged = { ...(base ?? {}), ...set } as ContactDoc;
    out.searchKeys = searchKeysOf(merged.nameLower, merged.phoneDigits);
  }
  return out;
}

/** The view fields to store when `set` is written over `base`: the derived entries, and `warmedAt` on a Cold -> Warm rise. */
export function derivedViewSet(base: ContactDoc | null, set: ContactSet, now: Date): ContactSet {
  const merged = { ...(base ?? {}), ...set } as ContactDoc;
  const extra: ContactSet = {};
  if (base && set.leadScore !== undefined && tierOf(base.leadScore) === 'cold' && tierOf(set.leadScore) === 'warm') extra.warmedAt = now;
  return { ...extra, ...viewFieldsOf({ ...merged, ...extra }) };
}



export interface BoardFilter {
  tier?: Tier;
  status?: LeadStatus;
  q?: string;
  view?: ViewName;
  appointment?: AppointmentFilter;
  lostReason?: LostReason;
  /** The owner filter resolved by `ownerCondition`: a user id, or null for unowned leads. */
  owner?: OwnerCondition;
}

/** `owner=` resolved for the signed-in user: me -> their id, none -> unowned (null), anything else a roster user id. */
export interface OwnerCondition {
  id: string | null;
}

export function ownerCondition(owner: string | undefined, meId: string): OwnerCondition | undefined {
  if (owner === undefined) return undefined;
  if (owner === 'me') return { id: meId };
  if (owner === 'none') return { id: null };
  return { id: owner };
}

/** What a filter that depends on the time needs: the instant of the request and the clinic's time zone. */
export interface BoardClock {
  now: Date;
  timeZone: string;
}

/**
 * Whether every stored contact carries `searchKeys`: false from the start of a process until its start-up backfill
 * has run (contacts written before search keys existed), meanwhile search reads the clinic as it used to, so an
 * upgrade never hides a lead from search. Contacts written by this code always carry their keys.
 */
export const searchIndex = { ready: false };

/**
 * The board's filter. Search is one box (the rule is core/search.ts): text that looks like a phone number (digits and
 * phone punctuation only) matches the phone digits anywhere, whatever the formatting typed; anything else matches the
 * name, case-insensitively. The input only ever becomes an escaped literal inside a regex: no operator or regex injection.
 */
export function boardFilter(orgId: string, f: BoardFilter, clock?: BoardClock): Filter<ContactDoc> {
  const filter: Filter<ContactDoc> = { orgId };
  if (f.status) filter.leadStatus = f.status;
  if (f.tier) filter.leadScore = tierScoreRange(f.tier);
  if (f.lostReason) filter.lostReason = f.lostReason;
  // null also matches leads written before owners existed (no ownerId field): index board_owner and owner_*.
  if (f.owner) filter.ownerId = f.owner.id;
  if (f.view || f.appointment) {
    if (!clock) throw new Error('a view or appointment filter needs the clock');
    Object.assign(filter, viewFilter(f, clock));
  }
  const search = f.q ? searchLookup(f.q) : null;
  if (search) {
    // core/search.ts: one key every match carries narrows the clinic through index board_search (once the stored
    // contacts all have keys, see backfillSearchKeys); the exact condition is checked on those candidates only.
    if (search.key && searchIndex.ready) filter.searchKeys = search.key;
    filter[search.field] = { $regex: search.pattern };
  }
  return filter;
}

/**
 * The Mongo conditions of a view (core/views.ts) and of the appointment filter at `now`: ranges on stored instants.
 * `$not: {$lte: now}` also matches a null or missing instant ("not in that view").
 */
function viewFilter(f: BoardFilter, { now, timeZone }: BoardClock): Filter<ContactDoc> {
  const out: Filter<ContactDoc> = {};
  const notYet = { $not: { $lte: now } };
  switch (f.view) {
    case 'call_today':
      out.callTodayFrom = { $lte: now };
      break;
    case 'this_week':
      out.thisWeekFrom = { $lte: now };
      out.callTodayFrom = notYet;
      break;
    case 'nurture':
      out.nurtureFrom = { $lte: now };
      out.thisWeekFrom = notYet;
      out.callTodayFrom = notYet;
      break;
    case 'revisit_lost':
      // With a status filter other than lost this matches nothing: lostAt is null outside lost.
      out.leadStatus = f.status ?? 'lost';
      out.lostAt = { $lte: revisitLostBefore(now) };
      break;
  }
  if (f.appointment === 'none') out.lastAppointmentAt = { $not: { $gt: now } };
  if (f.appointment === 'today') {
    const { start, end } = localDayBounds(now, timeZone);
    out.nextAppointmentAt = { $gte: start, $lt: end };
  }
  return out;
}

export const sortOf = (sort: BoardSort | undefined): Sort => (SORT_ORDERS[sort ?? 'score'] as Sort);

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
    lostReason: doc.lostReason ?? null,
    lostNote: doc.lostNote ?? null,
    nextAppointmentAt: iso(doc.nextAppointmentAt),
    nextFollowUpAt: iso(doc.nextFollowUpAt),
    nextFollowUpId: doc.nextFollowUpId ?? null,
    lastInboundSentiment: doc.lastInboundSentiment ?? null,
    ownerId: doc.ownerId ?? null,
    ownerName: doc.ownerName ?? null,
    lastCallOutcome: doc.lastCallOutcome ?? null,
    createdAt: doc.createdAt.toISOString(),
    updatedAt: doc.updatedAt.toISOString(),
    version: doc.version,
  };
}

/** The fields a change may set (everything but the identity, the owner organisation and the version). */
export type ContactSet = Partial<Omit<ContactDoc, '_id' | 'orgId' | 'version'>>;

export type NewContact = Omit<ContactDoc, '_id' | 'orgId' | 'createdAt' | 'updatedAt' | 'version'>;

/** Stored fields no lead reply shows (toLead): left in the database, so a page or an export neither sends nor decodes them. */
const NOT_ON_THE_BOARD = { searchKeys: 0, timelineOutbox: 0 } as const;

export class ContactRepository {
  readonly col;
  constructor(db: Db) {
    this.col = db.collection<ContactDoc>(COLLECTIONS.contacts);
  }

  async page(
    orgId: string,
    f: BoardFilter & { sort?: BoardSort },
    page: number,
    pageSize: number,
    clock?: BoardClock,
  ): Promise<{ items: Lead[]; total: number }> {
    const filter = boardFilter(orgId, f, clock);
    const [docs, total] = await Promise.all([
      this.col.find(filter, { projection: NOT_ON_THE_BOARD }).sort(sortOf(f.sort)).skip((page - 1) * pageSize).limit(pageSize).toArray(),
      this.col.countDocuments(filter),
    ]);
    return { items: docs.map(toLead), total };
  }

  /** How many leads of the organisation match the filter. */
  count(orgId: string, f: BoardFilter, clock?: BoardClock): Promise<number> {
    return this.col.countDocuments(boardFilter(orgId, f, clock));
  }

  /** A cursor over the whole filtered board in the chosen order, for streaming exports. */
  exportCursor(orgId: string, f: BoardFilter & { sort?: BoardSort }, clock?: BoardClock): FindCursor<ContactDoc> {
    return this.col.find(boardFilter(orgId, f, clock), { projection: NOT_ON_THE_BOARD }).sort(sortOf(f.sort)).batchSize(500);
  }

  /** The stored document (for the service's per-field rules), or null. */
  async findDoc(orgId: string, id: string): Promise<ContactDoc | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    return this.col.findOne({ _id, orgId });
  }

  /** Deletes one lead of one organisation; true when it existed. */
  async delete(orgId: string, id: string): Promise<boolean> {
    const _id = toObjectId(id);
    if (!_id) return false;
    const res = await this.col.deleteOne({ _id, orgId });
    return res.deletedCount === 1;
  }

  async findById(orgId: string, id: string): Promise<Lead | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const doc = await this.col.findOne({ _id, orgId });
    return doc ? toLead(doc) : null;
  }

  async findManyByIds(orgId: string, ids: string[]): Promise<Lead[]> {
    const _ids = ids.map(toObjectId).filter((x): x is ObjectId => x !== null);
    if (_ids.length === 0) return [];
    const docs = await this.col.find({ _id: { $in: _ids }, orgId }).toArray();
    return docs.map(toLead);
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
    const doc: ContactDoc = { _id: new ObjectId(), orgId, ...input, ...derivedSet(null, input, now), createdAt: now, updatedAt: now, version: 1 };
    if (doc.externalId === undefined) delete doc.externalId;
    await uniqueWrite(COLLECTIONS.contacts, () => this.col.insertOne(doc));
    return toLead(doc);
  }

  /**
   * Derives the view entries (and the appointment fields) of contacts written before the priority views existed, so an
   * upgraded database lists them in Call today and the rest without waiting for each lead's next write. Idempotent:
   * it only touches contacts that lack the fields. Returns how many it filled.
   */
  async backfillViewFields(appointments: { forLead(orgId: string, contactId: string): Promise<Array<{ status: string; scheduledAt: string }>> }, now: Date): Promise<number> {
    let filled = 0;
    for await (const doc of this.col.find({ callTodayFrom: { $exists: false } }, { comment: MAINTENANCE_SCAN })) {
      const scheduled = (await appointments.forLead(doc.orgId, doc._id.toHexString())).filter((a) => a.status === 'scheduled').map((a) => Date.parse(a.scheduledAt));
      const next = scheduled.filter((t) => t > now.getTime()).sort((x, y) => x - y)[0];
      const withAppointments = { ...doc, nextAppointmentAt: next !== undefined ? new Date(next) : null, lastAppointmentAt: scheduled.length ? new Date(Math.max(...scheduled)) : null };
      const res = await this.col.updateOne(
        { _id: doc._id, orgId: doc.orgId, callTodayFrom: { $exists: false } },
        { $set: { nextAppointmentAt: withAppointments.nextAppointmentAt, lastAppointmentAt: withAppointments.lastAppointmentAt, ...viewFieldsOf(withAppointments) } },
      );
      filled += res.modifiedCount;
    }
    return filled;
  }

  /**
   * Gives contacts written before search keys existed their keys (core/search.ts), then marks search as index-served
   * for this process (`searchIndex.ready`). Idempotent: it only touches contacts without keys; a lead renamed in
   * between keeps the keys its rename wrote. Returns how many it filled.
   */
  async backfillSearchKeys(): Promise<number> {
    let filled = 0;
    const missing = this.col.find({ searchKeys: { $exists: false } }, { comment: MAINTENANCE_SCAN, projection: { _id: 1, orgId: 1, nameLower: 1, phoneDigits: 1 } });
    for await (const doc of missing) {
      const res = await this.col.updateOne(
        { _id: doc._id, orgId: doc.orgId, searchKeys: { $exists: false }, nameLower: doc.nameLower, phoneDigits: doc.phoneDigits },
        { $set: { searchKeys: searchKeysOf(doc.nameLower ?? '', doc.phoneDigits ?? '') } },
      );
      filled += res.modifiedCount;
    }
    searchIndex.ready = true;
    return filled;
  }

  /** Leads whose timeline outbox has waited since before `before` (any clinic: the flush job), oldest first. */
  async withPendingTimeline(before: Date, limit: number): Promise<Array<Pick<ContactDoc, '_id' | 'orgId' | 'timelineOutbox'>>> {
    return this.col
      .find({ timelinePendingSince: { $lte: before } }, { projection: { _id: 1, orgId: 1, timelineOutbox: 1 } })
      .sort({ timelinePendingSince: 1 })
      .limit(limit)
      .toArray();
  }

  /** Takes copied entries out of a lead's outbox (no version bump: the lead itself does not change). */
  async clearTimelineOutbox(orgId: string, id: ObjectId | string, entryIds: ObjectId[]): Promise<void> {
    const _id = typeof id === 'string' ? toObjectId(id) : id;
    if (!_id || entryIds.length === 0) return;
    await this.col.updateOne({ _id, orgId }, { $pull: { timelineOutbox: { _id: { $in: entryIds } } } });
    await this.col.updateOne({ _id, orgId, timelineOutbox: { $size: 0 } }, { $unset: { timelineOutbox: '', timelinePendingSince: '' } });
  }

  /**
   * Updates one lead of one organisation if it still matches `expect` (a status and/or version), bumping the version.
   * Returns null when the lead does not exist or no longer matches; the caller tells those apart.
   */
  async update(
    orgId: string,
    id: string,
    change: {
      set?: ContactSet;
      expect?: { leadStatus?: LeadStatus; version?: number; activeCallId?: string | null };
      /** Timeline entries committed with the change, atomically (see timelineOutbox). */
      outbox?: LeadEventDoc[];
    },
    now = new Date(),
  ): Promise<Lead | null> {
    const _id = toObjectId(id);
    if (!_id) return null;
    const filter: Filter<ContactDoc> = { _id, orgId };
    if (change.expect?.leadStatus) filter.leadStatus = change.expect.leadStatus;
    if (change.expect?.version !== undefined) filter.version = change.expect.version;
    if (change.expect && 'activeCallId' in change.expect) filter.activeCallId = change.expect.activeCallId ?? null;
    let set: ContactSet = { ...change.set };
    if (VIEW_INPUT_FIELDS.some((k) => k in set) || SEARCH_INPUT_FIELDS.some((k) => k in set)) {
      // The view entries are derived from the whole lead: read the version this write replaces and write only over it.
      const base = await this.col.findOne({ _id, orgId });
      if (!base || (change.expect?.version !== undefined && base.version !== change.expect.version)) return null;
      filter.version = base.version;
      set = { ...set, ...derivedSet(base, set, now) };
    }
    const doc = await uniqueWrite(COLLECTIONS.contacts, () =>
      this.col.findOneAndUpdate(
        filter,
        {
          $set: { ...set, updatedAt: now },
          $inc: { version: 1 },
          ...(change.outbox?.length ? { $push: { timelineOutbox: { $each: change.outbox } }, $min: { timelinePendingSince: now } } : {}),
        },
        { returnDocument: 'after' },
      ),
    );
    return doc ? toLead(doc) : null;
  }

  /**
   * Bulk upsert of host-CRM contacts, by externalId when given, else by phone. Returns the stored leads in input order.
   * An existing lead keeps each contact field a person edited on the board after the row's `hostUpdatedAt` (or at
   * all, when the row has none): those fields are left out of the write and reported in `kept`. A row that matches no
   * lead but a deleted one (`isDeleted`) is skipped and reported in `skipped`.
   */
  async upsertMany(
    orgId: string,
    rows: Array<{ key: { externalId: string } | { phone: string }; set: Partial<NewContact>; insert: NewContact; hostUpdatedAt?: Date }>,
    now = new Date(),
    opts: { isDeleted?: (key: { externalId: string } | { phone: string }) => Promise<boolean> } = {},
  ): Promise<{
    created: number;
    updated: number;
    items: Lead[];
    kept: Array<{ leadId: string; fields: EditableContactField[] }>;
    skipped: Array<{ index: number; externalId: string | null; phone: string | null }>;
  }> {
    let created = 0;
    let updated = 0;
    const items: Lead[] = [];
    const kept: Array<{ leadId: string; fields: EditableContactField[] }> = [];
    const skipped: Array<{ index: number; externalId: string | null; phone: string | null }> = [];
    for (const [index, row] of rows.entries()) {
      const filter: Filter<ContactDoc> = { orgId, ...row.key };
      let done = false;
      for (let attempt = 0; attempt < 5 && !done; attempt++) {
        const existing = await this.col.findOne(filter);
        if (existing) {
          const { set, keptFields } = withoutNewerBoardEdits(existing, row.set, row.hostUpdatedAt);
          const keys = SEARCH_INPUT_FIELDS.some((k) => k in set) ? { searchKeys: derivedSet(existing, set, now).searchKeys } : {};
          const doc = await this.col.findOneAndUpdate(
            { _id: existing._id, orgId, version: existing.version },
            { $set: { ...set, ...keys, updatedAt: now }, $inc: { version: 1 } },
            { returnDocument: 'after' },
          );
          if (!doc) continue; // changed in between: read it again
          updated++;
          items.push(toLead(doc));
          if (keptFields.length) kept.push({ leadId: doc._id.toHexString(), fields: keptFields });
          done = true;
          break;
        }
        if (opts.isDeleted && (await opts.isDeleted(row.key))) {
          skipped.push({ index, externalId: 'externalId' in row.key ? row.key.externalId : null, phone: 'phone' in row.key ? row.key.phone : null });
          done = true;
          break;
        }
        const setOnInsert: Partial<ContactDoc> = { ...row.insert, ...derivedSet(null, row.insert, now), createdAt: now };
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
        done = true;
      }
      if (!done) throw new Error(`lead ${JSON.stringify(row.key)} kept changing during the bulk upsert`);
    }
    return { created, updated, items, kept, skipped };
  }
}

/** Which stored fields each editable contact field covers (its search keys and validity flag go with it). */
const EDIT_COVERS: Record<EditableContactField, Array<keyof ContactDoc>> = {
  name: ['name', 'nameLower'],
  phone: ['phone', 'phoneDigits', 'phoneValid'],
  email: ['email'],
  services: ['services'],
  timezone: ['timezone'],
  consent: ['consent'],
  externalId: ['externalId'],
};

/**
 * The host's write without the fields a person edited on the board more recently than the host's own change
 * (docs/api.md, "Board edits and the host's bulk upsert"): a field edited at E is overwritten only by a row whose
 * `updatedAt` is later than E; a row without `updatedAt` never overwrites a board edit.
 */
export function withoutNewerBoardEdits(
  existing: ContactDoc,
  set: Partial<NewContact>,
  hostUpdatedAt: Date | undefined,
): { set: Partial<NewContact>; keptFields: EditableContactField[] } {
  const out: Partial<NewContact> = { ...set };
  const keptFields: EditableContactField[] = [];
  for (const field of EDITABLE_CONTACT_FIELDS) {
    const editedAt = existing.contactEditedAt?.[field];
    if (!editedAt) continue;
    const covered = EDIT_COVERS[field].filter((k) => k in out);
    if (covered.length === 0) continue;
    if (hostUpdatedAt && hostUpdatedAt.getTime() > editedAt.getTime()) continue;
    const same = covered.every((k) => JSON.stringify((out as Record<string, unknown>)[k] ?? null) === JSON.stringify(existing[k] ?? null));
    for (const k of covered) delete (out as Record<string, unknown>)[k];
    if (!same) keptFields.push(field);
  }
  return { set: out, keptFields };
}
