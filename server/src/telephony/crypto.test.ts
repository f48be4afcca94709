import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { decryptSecret, encryptSecret, parseEncryptionKey, SecretDecryptionError } from './crypto.js';

describe('encryptSecret / decryptSecret', () => {
  const key = randomBytes(32);

  it('round-trips, including non-ASCII text', () => {
    const secret = 'auth-token-\u00e9\u20ac-😊';
    const enc = encryptSecret(secret, key);
    assert.match(enc, /^v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    assert.equal(decryptSecret(enc, key), secret);
  });

  it('uses a fresh IV each time, so equal secrets do not give equal ciphertexts', () => {
    assert.notEqual(encryptSecret('same', key), encryptSecret('same', key));
  });

  it('throws on a tampered ciphertext, IV or tag', () => {
    const enc = encryptSecret('a secret auth token', key);
    const [v, iv, tag, ct] = enc.split(':') as [string, string, string, string];
    const flip = (b64: string) => {
      const buf = Buffer.from(b64, 'base64url');
      buf[0] = buf[0]! ^ 0x01;
      return buf.toString('base64url');
    };
    for (const bad of [
      [v, iv, tag, flip(ct)].join(':'),
      [v, flip(iv), tag, ct].join(':'),
      [v, iv, flip(tag), ct].join(':'),
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
