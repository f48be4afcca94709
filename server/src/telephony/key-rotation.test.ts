import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import type { Document } from 'mongodb';
import { startTestServer, configureTelephony, type TestServer } from '../testing/harness.js';
import { ProviderFactory } from '../settings/providers.js';
import { decryptSecret, isUnderCurrentKey, KeyRing } from './crypto.js';
import { rotateEncryptedSecrets } from './rotate-keys.js';

const run = promisify(execFile);
const cli = new URL('./rotate-keys-cli.ts', import.meta.url).pathname;

describe('encryption-key rotation', function () {
  this.timeout(60_000);
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  let server: TestServer;
  let orgId: string;

  before(async () => {
    server = await startTestServer({ ENCRYPTION_KEY: oldKey.toString('base64') });
    ({ orgId } = await server.createOrg('Rotation Clinic'));
    await configureTelephony(server, await server.token(orgId, { role: 'admin' }));
  });
  after(async () => {
    await server?.close();
  });

  const encryptedValues = async () => {
    const values: Array<{ field: string; value: string }> = [];
    for (const name of ['integrations', 'agents']) {
      for (const doc of await server.database.db.collection<Document>(name).find({ orgId }).toArray()) {
        for (const [field, value] of Object.entries(doc)) if (field.endsWith('Enc') && typeof value === 'string') values.push({ field, value });
      }
    }
    return values;
  };

  it('when the key changes, then the previous key is still read, the command re-encrypts everything with the new one, and the old key can go', async () => {
    const before = await encryptedValues();
    assert.ok(before.some((v) => v.field === 'authTokenEnc') && before.some((v) => v.field === 'webhookSecretEnc'), before.map((v) => v.field).join());
    const authTokenEnc = before.find((v) => v.field === 'authTokenEnc')!.value;

    // Step 1: new key current, old key previous: the product's read path still opens what the old key wrote.
    const rotating = new KeyRing(newKey, [oldKey]);
    const providers = new ProviderFactory({ ...server.context.providers.config, encryptionKey: rotating }, server.context.repos.integrations);
    assert.equal(providers.decrypt(orgId, authTokenEnc), 'sandbox-auth-token-0123456789');
    assert.throws(() => decryptSecret(authTokenEnc, new KeyRing(newKey), orgId), /not configured/, 'the new key alone cannot read it yet');

    // A ring that opens nothing reports every value and touches none.
    const wrong = await rotateEncryptedSecrets(server.database.db, new KeyRing(randomBytes(32)));
    assert.ok(wrong.unreadable.length >= before.length && wrong.rewritten === 0);
    assert.deepEqual(await encryptedValues(), before);

    // Step 2: the command, as an operator runs it, against the same database.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', cli], {
      env: {
        ...process.env,
        MONGODB_URI: process.env.MONGODB_URI ?? server.database.uri,
        MONGODB_DB: server.config.MONGODB_DB,
        ENCRYPTION_KEY: newKey.toString('hex'),
        ENCRYPTION_KEY_PREVIOUS: oldKey.toString('base64'),
        LOG_LEVEL: 'silent',
      },
    });
    assert.match(stdout, /re-encrypted with the current key/);
    assert.match(stdout, /Nothing is left under an old key/);
    const after = await encryptedValues();
    assert.ok(after.length >= before.length);
    for (const { field, value } of after) assert.ok(isUnderCurrentKey(value, new KeyRing(newKey)), `${field} is under the new key`);

    // Step 3: the new key alone reads everything; the old one reads nothing; a second run has nothing to do.
    const newOnly = new ProviderFactory({ ...server.context.providers.config, encryptionKey: new KeyRing(newKey) }, server.context.repos.integrations);
    assert.equal(newOnly.decrypt(orgId, after.find((v) => v.field === 'authTokenEnc')!.value), 'sandbox-auth-token-0123456789');
    assert.throws(() => decryptSecret(after[0]!.value, oldKey, orgId));
    const again = await rotateEncryptedSecrets(server.database.db, new KeyRing(newKey));
    assert.equal(again.rewritten, 0);
    assert.ok(again.alreadyCurrent >= before.length);
  });
});
