import { ObjectId } from 'mongodb';

/** Ids cross the data layer as 24-hex strings; anything else is "not found", never a driver error. */
export function toObjectId(id: string): ObjectId | null {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null;
}

export const iso = (d: Date | null | undefined): string | null => (d instanceof Date ? d.toISOString() : null);
export const isoRequired = (d: Date): string => d.toISOString();

/** A write refused by a unique index, named: repositories raise it so services never decode driver error codes. */
export class DuplicateKeyError extends Error {
  constructor(public readonly collection: string, public readonly index: string | null) {
    super(`duplicate key in ${collection}${index ? ` (index ${index})` : ''}`);
    this.name = 'DuplicateKeyError';
  }
}

/** Runs one insert/update; MongoDB's duplicate-key error (11000) becomes a DuplicateKeyError, anything else passes. */
export async function uniqueWrite<T>(collection: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    const e = err as { code?: number; errmsg?: string; message?: string };
    if (e?.code === 11000) {
      const index = /index: (\S+)/.exec(e.errmsg ?? e.message ?? '')?.[1] ?? null;
      throw new DuplicateKeyError(collection, index);
    }
    throw err;
  }
}
