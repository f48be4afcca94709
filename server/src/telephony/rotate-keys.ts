/**
 * Encryption-key rotation for credentials at rest. Steps (also in the README):
 *   1. Set ENCRYPTION_KEY to a new key and ENCRYPTION_KEY_PREVIOUS to the old one (comma-separated if several), restart:
 *      every instance reads both and writes with the new one.
 *   2. `npm run keys:rotate`: re-encrypts every stored secret still under an old key with the current one.
 *   3. When it reports nothing left under an old key, drop the old key from ENCRYPTION_KEY_PREVIOUS.
 * Each value is swapped with a compare-and-set on its old ciphertext, so a credential saved meanwhile is never
 * overwritten; a value that no configured key opens is reported, not touched.
 */
import type { Db, Document } from 'mongodb';
import { COLLECTIONS, MAINTENANCE_SCAN } from '../db/indexes.js';
import { decryptSecret, encryptSecret, isUnderCurrentKey, type KeyRing } from './crypto.js';

/** Where encrypted values live: every top-level string field whose name ends in "Enc", bound to the document's orgId. */
const HOLDERS = [COLLECTIONS.integrations, COLLECTIONS.agents] as const;
const ENCRYPTED_FIELD = /Enc$/;

export interface RotationReport {
  scanned: number;
  rewritten: number;
  alreadyCurrent: number;
  /** Values changed by someone else between read and write: left as they are (already written with the current key). */
  changedMeanwhile: number;
  unreadable: Array<{ collection: string; id: string; field: string; reason: string }>;
}

export async function rotateEncryptedSecrets(db: Db, ring: KeyRing): Promise<RotationReport> {
  const report: RotationReport = { scanned: 0, rewritten: 0, alreadyCurrent: 0, changedMeanwhile: 0, unreadable: [] };
  for (const name of HOLDERS) {
    const col = db.collection<Document>(name);
    for await (const doc of col.find({}, { comment: MAINTENANCE_SCAN })) {
      for (const [field, value] of Object.entries(doc)) {
        if (!ENCRYPTED_FIELD.test(field) || typeof value !== 'string') continue;
        report.scanned++;
        if (isUnderCurrentKey(value, ring)) {
          report.alreadyCurrent++;
          continue;
        }
        let plain: string;
        try {
          plain = decryptSecret(value, ring, String(doc.orgId));
        } catch (err) {
          report.unreadable.push({ collection: name, id: String(doc._id), field, reason: (err as Error).message });
          continue;
        }
        const res = await col.updateOne({ _id: doc._id, [field]: value }, { $set: { [field]: encryptSecret(plain, ring, String(doc.orgId)) } });
        if (res.modifiedCount === 1) report.rewritten++;
        else report.changedMeanwhile++;
      }
    }
  }
  return report;
}
