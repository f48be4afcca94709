import { ObjectId } from 'mongodb';

/** Ids cross the data layer as 24-hex strings; anything else is "not found", never a driver error. */
export function toObjectId(id: string): ObjectId | null {
  return /^[0-9a-f]{24}$/i.test(id) ? new ObjectId(id) : null;
}

export const iso = (d: Date | null | undefined): string | null => (d instanceof Date ? d.toISOString() : null);
export const isoRequired = (d: Date): string => d.toISOString();
