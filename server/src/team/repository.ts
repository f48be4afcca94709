import type { Db } from 'mongodb';
import type { TeamUserInput } from '../../../core/team.js';
import { COLLECTIONS } from '../db/indexes.js';

/** A roster user as stored (server side only: the phone and email never leave through the browser API). */
export interface RosterUser {
  id: string;
  name: string;
  role: 'agent' | 'admin';
  phone: string | null;
  email: string | null;
}

interface TeamDoc {
  orgId: string;
  users: RosterUser[];
  /** The round-robin counter: the next new lead goes to turn % (users taking turns). */
  turn: number;
  updatedAt: Date;
}

/** The clinic's staff roster, one document per clinic (so a PUT replaces it in one atomic write). */
export class TeamRepository {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<TeamDoc>(COLLECTIONS.teams);
  }

  async roster(orgId: string): Promise<RosterUser[]> {
    const doc = await this.col.findOne({ orgId }, { projection: { users: 1 } });
    return doc?.users ?? [];
  }

  async replace(orgId: string, users: TeamUserInput[], now: Date): Promise<RosterUser[]> {
    const stored: RosterUser[] = users.map((u) => ({ id: u.id, name: u.name, role: u.role, phone: u.phone ?? null, email: u.email ?? null }));
    await this.col.updateOne({ orgId }, { $set: { users: stored, updatedAt: now }, $setOnInsert: { turn: 0 } }, { upsert: true });
    return stored;
  }

  /** Takes `count` consecutive turns atomically (across instances): returns the first turn taken. */
  async takeTurns(orgId: string, count: number): Promise<number> {
    const before = await this.col.findOneAndUpdate({ orgId }, { $inc: { turn: count } }, { returnDocument: 'before', projection: { turn: 1 } });
    return before?.turn ?? 0;
  }
}
