/** `npm run keys:rotate`: see rotate-keys.ts. With the embedded engine, run it while the API is stopped (it owns the data). */
import { loadConfig } from '../config.js';
import { connectDatabase } from '../db/mongo.js';
import { keyRingOf } from '../main.js';
import { rotateEncryptedSecrets } from './rotate-keys.js';

const config = loadConfig();
const ring = keyRingOf(config);
const db = await connectDatabase(config);
try {
  const report = await rotateEncryptedSecrets(db.db, ring);
  console.log(`Encrypted secrets: ${report.scanned} found, ${report.rewritten} re-encrypted with the current key, ${report.alreadyCurrent} already under it, ${report.changedMeanwhile} changed meanwhile (left as saved).`);
  for (const u of report.unreadable) console.log(`  cannot read ${u.collection} ${u.id} ${u.field}: ${u.reason}`);
  if (report.unreadable.length > 0) {
    console.log('Keep the old keys in ENCRYPTION_KEY_PREVIOUS until every value is readable and re-encrypted.');
    process.exitCode = 1;
  } else {
    console.log('Nothing is left under an old key: ENCRYPTION_KEY_PREVIOUS can be emptied.');
  }
} finally {
  await db.close();
}
