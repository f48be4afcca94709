import type { Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';
import { DuplicateKeyError, uniqueWrite } from '../db/plain.js';

export interface ClaimDoc {
  orgId: string;
  leadId: string;
  userId: string;
  userName: string;
  claimedAt: Date;
  /** The claim holds until then; a later claimer takes over an expired one. */
  expiresAt: Date;
}

/**
 * Call-queue claims: one document per (clinic, lead), unique, so at most one coordinator holds a lead at any moment.
 * A claim is taken by inserting it, or by taking over an expired one in a single conditional update; both are atomic on
 * MongoDB and the embedded engine, across instances.
 */
export class ClaimRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<ClaimDoc>(COLLECTIONS.queueClaims);
  }

  /** true when `userId` now holds the lead until `expiresAt` (a fresh claim, or an expired one taken over). */
  async claim(orgId: string, leadId: string, user: { id: string; name: string }, expiresAt: Date, now: Date): Promise<boolean> {
    try {
      await uniqueWrite(COLLECTIONS.queueClaims, () => this.col.insertOne({ orgId, leadId, userId: user.id, userName: user.name, claimedAt: now, expiresAt }));
      return true;
    } catch (err) {
      if (!(err instanceof DuplicateKeyError)) throw err;
    }
    const taken = await this.col.findOneAndUpdate(
      { orgId, leadId, expiresAt: { $lte: now } },
      { $set: { userId: user.id, userName: user.name, claimedAt: now, expiresAt } },
      { returnDocument: 'after' },
    );
    return taken !== null;
  }

  /** Extends the holder's live claim; null when `userId` does not hold it (any more). */
  async renew(orgId: string, leadId: string, userId: string, expiresAt: Date, now: Date): Promise<ClaimDoc | null> {
    return this.col.findOneAndUpdate({ orgId, leadId, userId, expiresAt: { $gt: now } }, { $set: { expiresAt } }, { returnDocument: 'after' });
  }

  async holder(orgId: string, leadId: string): Promise<ClaimDoc | null> {
    return this.col.findOne({ orgId, leadId });
  }

  /** The live claims of the clinic (whoever holds them). */
  async live(orgId: string, now: Date): Promise<ClaimDoc[]> {
    return this.col.find({ orgId, expiresAt: { $gt: now } }, { projection: { _id: 0, leadId: 1, userId: 1, expiresAt: 1 } }).toArray() as Promise<ClaimDoc[]>;
  }

  async release(orgId: string, leadId: string, userId: string): Promise<boolean> {
    return (await this.col.deleteOne({ orgId, leadId, userId })).deletedCount === 1;
  }
}
