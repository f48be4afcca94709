import { ObjectId, type Db } from 'mongodb';
import type { Appointment, AppointmentStatus, LeadEvent, Note } from '../../../core/contracts.js';
import { COLLECTIONS } from '../db/indexes.js';

export interface LeadEventDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  type: LeadEvent['type'];
  from: string | null;
  to: string | null;
  actor: { id: string; name: string } | null;
  detail: string | null;
  at: Date;
}

export interface NoteDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  body: string;
  authorId: string;
  authorName: string;
  createdAt: Date;
}

export interface AppointmentDoc {
  _id: ObjectId;
  orgId: string;
  contactId: string;
  externalId: string | null;
  serviceType: string;
  scheduledAt: Date;
  status: AppointmentStatus;
  updatedAt: Date;
}

/** lead_events: the timeline of each lead, and the record every status change, call, text and opt-out leaves. */
export class LeadEventRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<LeadEventDoc>(COLLECTIONS.leadEvents);
  }

  async add(orgId: string, event: Omit<LeadEvent, 'id' | 'at'> & { at?: Date }): Promise<LeadEvent> {
    const doc: LeadEventDoc = { _id: new ObjectId(), orgId, ...event, at: event.at ?? new Date() };
    await this.col.insertOne(doc);
    return toEvent(doc);
  }

  /** Writes entries that carry their own ids; an entry already written (a retry, the flush job) is skipped, not doubled. */
  async addOnce(docs: LeadEventDoc[]): Promise<void> {
    if (docs.length === 0) return;
    try {
      await this.col.insertMany(docs, { ordered: false });
    } catch (err) {
      // Only "already written" is fine: every write error a duplicate key, and no failure of the command itself.
      const writeErrors = (err as { writeErrors?: Array<{ code?: number }> | { code?: number } }).writeErrors;
      const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
      if (list.length === 0 || list.some((e) => e.code !== 11000)) throw err;
    }
  }

  async forLead(orgId: string, contactId: string, limit = 50): Promise<LeadEvent[]> {
    const docs = await this.col.find({ orgId, contactId }).sort({ at: -1 }).limit(limit).toArray();
    return docs.map(toEvent);
  }
}

const toEvent = (d: LeadEventDoc): LeadEvent => ({
  id: d._id.toHexString(),
  contactId: d.contactId,
  type: d.type,
  from: d.from,
  to: d.to,
  actor: d.actor,
  detail: d.detail,
  at: d.at.toISOString(),
});

export class NoteRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<NoteDoc>(COLLECTIONS.notes);
  }

  async add(orgId: string, note: Omit<NoteDoc, '_id' | 'orgId' | 'createdAt'>, now = new Date()): Promise<Note> {
    const doc: NoteDoc = { _id: new ObjectId(), orgId, ...note, createdAt: now };
    await this.col.insertOne(doc);
    return toNote(doc);
  }

  async forLead(orgId: string, contactId: string, limit = 100): Promise<Note[]> {
    const docs = await this.col.find({ orgId, contactId }).sort({ createdAt: -1 }).limit(limit).toArray();
    return docs.map(toNote);
  }
}

const toNote = (d: NoteDoc): Note => ({
  id: d._id.toHexString(),
  contactId: d.contactId,
  body: d.body,
  authorId: d.authorId,
  authorName: d.authorName,
  createdAt: d.createdAt.toISOString(),
});

export class AppointmentRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<AppointmentDoc>(COLLECTIONS.appointments);
  }

  /** Upsert by the host CRM's own appointment id. */
  async upsert(orgId: string, a: Omit<AppointmentDoc, '_id' | 'orgId' | 'updatedAt'> & { externalId: string }, now = new Date()): Promise<Appointment> {
    const doc = await this.col.findOneAndUpdate(
      { orgId, externalId: a.externalId },
      { $set: { contactId: a.contactId, serviceType: a.serviceType, scheduledAt: a.scheduledAt, status: a.status, updatedAt: now } },
      { upsert: true, returnDocument: 'after' },
    );
    return toAppointment(doc!);
  }

  async forLead(orgId: string, contactId: string): Promise<Appointment[]> {
    const docs = await this.col.find({ orgId, contactId }).sort({ scheduledAt: 1 }).limit(100).toArray();
    return docs.map(toAppointment);
  }
}

const toAppointment = (d: AppointmentDoc): Appointment => ({
  id: d._id.toHexString(),
  contactId: d.contactId,
  externalId: d.externalId,
  serviceType: d.serviceType,
  scheduledAt: d.scheduledAt.toISOString(),
  status: d.status,
});
