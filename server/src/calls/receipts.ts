import { DuplicateKeyError, uniqueWrite } from '../db/plain.js';
import type { Db } from 'mongodb';
import { COLLECTIONS } from '../db/indexes.js';

/**
 * Webhook idempotency: each delivery's key is claimed once (unique index provider+key), so a repeated delivery, or the
 * same delivery reaching two instances, has its side effects applied exactly once. A failed handler releases its claim
 * so the provider's retry can be processed.
 */
export class WebhookReceipts {
  private readonly col;
  constructor(db: Db) {
    this.col = db.collection<{ provider: string; key: string; at: Date }>(COLLECTIONS.webhookReceipts);
  }

  /** True when this key is new (and now claimed); false for a duplicate. */
  async claim(provider: string, key: string): Promise<boolean> {
    try {
      await uniqueWrite(COLLECTIONS.webhookReceipts, () => this.col.insertOne({ provider, key, at: new Date() }));
      return true;
    } catch (err) {
      if (err instanceof DuplicateKeyError) return false;
      throw err;
    }
  }

  async release(provider: string, key: string): Promise<void> {
    await this.col.deleteOne({ provider, key });
  }

  /** Runs `fn` once per key. */
  async once<T>(provider: string, key: string, fn: () => Promise<T>): Promise<{ duplicate: true } | { duplicate: false; result: T }> {
    if (!(await this.claim(provider, key))) return { duplicate: true };
    try {
      return { duplicate: false, result: await fn() };
    } catch (err) {
      await this.release(provider, key).catch(() => undefined);
      throw err;
    }
  }
}
