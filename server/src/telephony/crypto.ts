/**
 * Secrets at rest (provider credentials in `integrations` and `agents`): AES-256-GCM with a random 96-bit IV and a
 * 128-bit tag.
 *
 * Encoding: `v2:<key id>:<iv>:<tag>:<ciphertext>`, each part base64url; the key id (8 characters of the key's SHA-256)
 * names the key that wrote it, so a key ring of the current key and previous ones (ENCRYPTION_KEY_PREVIOUS) reads every
 * value during a rotation, and `npm run keys:rotate` finds the values still under an old key. Values written before
 * key ids (`v1:<iv>:<tag>:<ciphertext>`) are read by trying each key of the ring. Optional associated data (the orgId)
 * binds a ciphertext to its owner: a value copied into another organisation's document fails to decrypt.
 */
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const VERSION = 'v2';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

export class SecretDecryptionError extends Error {
  override name = 'SecretDecryptionError';
}

function checkKey(key: Buffer): void {
  if (!Buffer.isBuffer(key) || key.length !== KEY_BYTES) {
    throw new RangeError(`encryption key must be ${KEY_BYTES} bytes, got ${Buffer.isBuffer(key) ? key.length : typeof key}`);
  }
}

/**
 * Parses the key from an environment value: 64 hex characters, or base64 / base64url of exactly 32 bytes.
 * Throws with a message that says what is wrong (never echoes the value).
 */
export function parseEncryptionKey(value: string | undefined, name = 'ENCRYPTION_KEY'): Buffer {
  const v = (value ?? '').trim();
  if (!v) throw new Error(`${name} is not set: generate one with \`openssl rand -base64 32\``);
  if (/^[0-9a-fA-F]{64}$/.test(v)) return Buffer.from(v, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(v)) {
    const buf = Buffer.from(v.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (buf.length === KEY_BYTES) return buf;
    throw new Error(`${name} must decode to ${KEY_BYTES} bytes (it decodes to ${buf.length})`);
  }
  throw new Error(`${name} must be 64 hex characters or base64 of ${KEY_BYTES} bytes`);
}

/** The id a value records of the key that encrypted it: 8 base64url characters of the key's SHA-256. */
export function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('base64url').slice(0, 8);
}

/** The current key (every write) and previous ones (still read, until `npm run keys:rotate` has re-encrypted all). */
export class KeyRing {
  readonly currentId: string;
  private readonly byId = new Map<string, Buffer>();
  constructor(
    readonly current: Buffer,
    readonly previous: readonly Buffer[] = [],
  ) {
    for (const key of [current, ...previous]) {
      checkKey(key);
      this.byId.set(keyId(key), key);
    }
    this.currentId = keyId(current);
  }
  key(id: string): Buffer | undefined {
    return this.byId.get(id);
  }
  all(): Buffer[] {
    return [this.current, ...this.previous];
  }
}

/** One key, or a ring of the current and previous keys. */
export type KeyMaterial = Buffer | KeyRing;
const ringOf = (keys: KeyMaterial) => (keys instanceof KeyRing ? keys : new KeyRing(keys));

export function encryptSecret(plain: string, keys: KeyMaterial, aad?: string): string {
  const ring = ringOf(keys);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', ring.current, iv, { authTagLength: TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, ring.currentId, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join(':');
}

/** Whether a stored value was written with the ring's current key (a rotation leaves such values alone). */
export function isUnderCurrentKey(encoded: string, keys: KeyMaterial): boolean {
  const parts = encoded.split(':');
  return parts.length === 5 && parts[0] === VERSION && parts[1] === ringOf(keys).currentId;
}

export function decryptSecret(encoded: string, keys: KeyMaterial, aad?: string): string {
  const ring = ringOf(keys);
  const parts = typeof encoded === 'string' ? encoded.split(':') : [];
  let candidates: Buffer[];
  let rest: string[];
  if (parts.length === 5 && parts[0] === VERSION) {
    const key = ring.key(parts[1]!);
    if (!key) throw new SecretDecryptionError(`encrypted with a key that is not configured (key id ${parts[1]}): add it to ENCRYPTION_KEY_PREVIOUS`);
    candidates = [key];
    rest = parts.slice(2);
  } else if (parts.length === 4 && parts[0] === 'v1') {
    candidates = ring.all();
    rest = parts.slice(1);
  } else {
    throw new SecretDecryptionError('not an encrypted secret (v1 or v2)');
  }
  const iv = Buffer.from(rest[0]!, 'base64url');
  const tag = Buffer.from(rest[1]!, 'base64url');
  const ct = Buffer.from(rest[2]!, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed encrypted secret');
  for (const key of candidates) {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      // the next key of the ring, if any
    }
  }
  throw new SecretDecryptionError('encrypted secret failed authentication (wrong key, wrong owner, or tampered)');
}
