import { ObjectId, type Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';

interface DeletedLeadDoc {
  _id: ObjectId;
  orgId: string;
  leadId: string;
  externalId: string | null;
  phone: string;
  deletedAt: Date;
  deletedBy: { id: string; name: string };
}

/**
 * An admin's delete of a lead: everything recorded about it goes (calls, texts, notes, follow-ups, appointments,
 * timeline), and a tombstone keeps its host keys (externalId, phone) so the host CRM's next bulk upsert does not bring
 * it back unless it asks (`restoreDeleted`). The one place that removes other features' records of a lead, by
 * `{ orgId, contactId }` (each served by that collection's org_contact_* index).
 */
export class LeadDeletionRepository {
  private readonly db;
  private readonly tombstones;
  constructor(db: Db) {
    this.db = db;
    this.tombstones = db.collection<DeletedLeadDoc>(COLLECTIONS.deletedLeads);
  }

  /** Removes the lead's records from every collection that holds them; the counts per collection. */
  async deleteRecordsOf(orgId: string, contactId: string): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const name of [COLLECTIONS.calls, COLLECTIONS.smsLogs, COLLECTIONS.notes, COLLECTIONS.followUps, COLLECTIONS.appointments, COLLECTIONS.leadEvents]) {
      out[name] = (await this.db.collection(name).deleteMany({ orgId, contactId })).deletedCount;
    }
    return out;
  }

  async addTombstone(orgId: string, t: { leadId: string; externalId: string | null; phone: string; deletedBy: { id: string; name: string } }, now: Date): Promise<void> {
    await this.tombstones.insertOne({ _id: new ObjectId(), orgId, ...t, deletedAt: now });
  }

  /** Whether a host key names a deleted lead. */
  async isDeleted(orgId: string, key: { externalId: string } | { phone: string }): Promise<boolean> {
    const filter = 'externalId' in key ? { orgId, externalId: key.externalId } : { orgId, phone: key.phone };
    return (await this.tombstones.findOne(filter)) !== null;
  }

  /** Forgets the tombstones of a host key (the host restored the lead). */
  async clear(orgId: string, key: { externalId: string } | { phone: string }): Promise<void> {
    const filter = 'externalId' in key ? { orgId, externalId: key.externalId } : { orgId, phone: key.phone };
    await this.tombstones.deleteMany(filter);
  }
}
