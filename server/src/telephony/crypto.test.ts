import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createCipheriv } from 'node:crypto';
import { decryptSecret, encryptSecret, isUnderCurrentKey, KeyRing, keyId, parseEncryptionKey, SecretDecryptionError } from './crypto.js';

describe('encryptSecret / decryptSecret', () => {
  const key = randomBytes(32);

  it('round-trips, including non-ASCII text', () => {
    const secret = 'auth-token-\u00e9\u20ac-😊';
    const enc = encryptSecret(secret, key);
    assert.match(enc, /^v2:[A-Za-z0-9_-]{8}:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.equal(enc.split(':')[1], keyId(key), 'names the key that wrote it');
    assert.equal(decryptSecret(enc, key), secret);
  });

  it('uses a fresh IV each time, so equal secrets do not give equal ciphertexts', () => {
    assert.notEqual(encryptSecret('same', key), encryptSecret('same', key));
  });

  it('throws on a tampered ciphertext, IV or tag', () => {
    const enc = encryptSecret('a secret auth token', key);
    const [v, kid, iv, tag, ct] = enc.split(':') as [string, string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString('base64url');
    };
    for (const bad of [
      [v, kid, iv, tag, flip(ct)].join(':'),
      [v, kid, flip(iv), tag, ct].join(':'),
      [v, kid, iv, flip(tag), ct].join(':'),
    ]) {
      assert.throws(() => decryptSecret(bad, key), SecretDecryptionError);
    }
  });

  it('throws with the wrong key', () => {
    const enc = encryptSecret('x', key);
    assert.throws(() => decryptSecret(enc, randomBytes(32)), SecretDecryptionError);
  });

  it('binds to associated data: a value moved to another owner does not decrypt', () => {
    const enc = encryptSecret('token', key, 'org_1');
    assert.equal(decryptSecret(enc, key, 'org_1'), 'token');
    assert.throws(() => decryptSecret(enc, key, 'org_2'), SecretDecryptionError);
    assert.throws(() => decryptSecret(enc, key), SecretDecryptionError);
  });

  it('rejects unversioned or malformed input', () => {
    assert.throws(() => decryptSecret('plain-text-token', key), SecretDecryptionError);
    assert.throws(() => decryptSecret('v2:a:b:c', key), SecretDecryptionError);
    assert.throws(() => decryptSecret('v1:AAAA:BBBB:CCCC', key), SecretDecryptionError);
  });

  it('refuses keys that are not 32 bytes', () => {
    assert.throws(() => encryptSecret('x', randomBytes(16)), RangeError);
  });
});

describe('KeyRing (encryption-key rotation)', () => {
  const old = randomBytes(32);
  const next = randomBytes(32);

  it('writes with the current key and still reads values written under a previous one', () => {
    const before = encryptSecret('auth-token', old, 'org_1');
    const ring = new KeyRing(next, [old]);
    assert.equal(decryptSecret(before, ring, 'org_1'), 'auth-token');
    assert.equal(isUnderCurrentKey(before, ring), false);
    const after = encryptSecret('auth-token', ring, 'org_1');
    assert.equal(after.split(':')[1], keyId(next));
    assert.equal(isUnderCurrentKey(after, ring), true);
    assert.equal(decryptSecret(after, next, 'org_1'), 'auth-token', 'readable with the new key alone');
    assert.throws(() => decryptSecret(after, old, 'org_1'), /not configured/);
  });

  it('names the missing key when a value was written under a key the ring lacks', () => {
    const enc = encryptSecret('x', old);
    assert.throws(() => decryptSecret(enc, new KeyRing(next)), (e: Error) => e instanceof SecretDecryptionError && e.message.includes(keyId(old)) && /ENCRYPTION_KEY_PREVIOUS/.test(e.message));
  });

  it('reads values of the earlier v1 format (no key id) by trying each key of the ring', () => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', old, iv, { authTagLength: 16 });
    cipher.setAAD(Buffer.from('org_9'));
    const ct = Buffer.concat([cipher.update('legacy-token', 'utf8'), cipher.final()]);
    const v1 = ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join(':');
    assert.equal(decryptSecret(v1, new KeyRing(next, [old]), 'org_9'), 'legacy-token');
    assert.equal(isUnderCurrentKey(v1, new KeyRing(old)), false, 'a v1 value is always rewritten by a rotation');
    assert.throws(() => decryptSecret(v1, new KeyRing(next), 'org_9'), SecretDecryptionError);
  });
});

describe('parseEncryptionKey', () => {
  const raw = randomBytes(32);

  it('accepts 64 hex characters, base64 and base64url of 32 bytes', () => {
    assert.deepEqual(parseEncryptionKey(raw.toString('hex')), raw);
    assert.deepEqual(parseEncryptionKey(raw.toString('base64')), raw);
    assert.deepEqual(parseEncryptionKey(` ${raw.toString('base64url')}\n`), raw);
  });

  it('rejects missing, short and non-encoded values without echoing them', () => {
    assert.throws(() => parseEncryptionKey(undefined, 'LL_KEY'), /LL_KEY is not set/);
    assert.throws(() => parseEncryptionKey(randomBytes(16).toString('base64')), /must decode to 32 bytes/);
    assert.throws(
      () => parseEncryptionKey('not a key at all!'),
      (e: Error) => /64 hex characters or base64/.test(e.message) && !e.message.includes('not a key'),
    );
  });
});
