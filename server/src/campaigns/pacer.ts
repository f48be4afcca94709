import type { Collection, Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';
import { DuplicateKeyError, uniqueWrite } from '../db/plain.js';

/** How far behind a busy sender may catch up on missed slots. */
const CATCH_UP_MS = 1_000;

interface PacerDoc {
  key: string;
  /** The first free send slot, epoch ms. */
  nextAt: number;
}

/**
 * Send slots per clinic number, shared by every API instance through one MongoDB document: a sender reserves the next
 * few slots with a compare-and-set on `nextAt`, so two instances sending one campaign together still keep the number's
 * rate (a long code sends about 1 text a second; carriers filter faster senders).
 */
export class Pacer {
  private readonly col: Collection<PacerDoc>;
  constructor(db: Db) {
    this.col = db.collection<PacerDoc>(COLLECTIONS.campaignPacers);
  }

  /** Up to `want` slot instants (ms) at `ratePerSecond`, none later than `now + horizonMs`; [] when another sender holds them. */
  async reserve(key: string, ratePerSecond: number, want: number, horizonMs: number, now: number): Promise<{ slots: number[]; end: number }> {
    const interval = 1000 / ratePerSecond;
    for (let attempt = 0; attempt < 4; attempt++) {
      let doc = await this.col.findOne({ key });
      if (!doc) {
        try {
          await uniqueWrite(COLLECTIONS.campaignPacers, () => this.col.insertOne({ key, nextAt: 0 }));
        } catch (err) {
          if (!(err instanceof DuplicateKeyError)) throw err;
        }
        doc = await this.col.findOne({ key });
        if (!doc) continue;
      }
      // A sender that fell a little behind (a late tick) keeps its pace by using the slots it missed; after a pause of
      // more than CATCH_UP_MS the number starts afresh, so a campaign never begins with a burst.
      const start = doc.nextAt >= now - CATCH_UP_MS ? doc.nextAt : now;
      if (start > now + horizonMs) return { slots: [], end: doc.nextAt };
      const n = Math.max(1, Math.min(want, Math.floor((now + horizonMs - start) / interval) + 1));
      const end = start + n * interval;
      const res = await this.col.updateOne({ key, nextAt: doc.nextAt }, { $set: { nextAt: end } });
      if (res.modifiedCount === 1) return { slots: Array.from({ length: n }, (_, i) => start + i * interval), end };
    }
    return { slots: [], end: now };
  }

  /** Hands unused slots back, if nobody reserved after them. */
  async giveBack(key: string, end: number, firstUnused: number): Promise<void> {
    await this.col.updateOne({ key, nextAt: end }, { $set: { nextAt: firstUnused } });
  }
}
