/**
 * Secrets at rest (provider credentials in `integrations`): AES-256-GCM with a random 96-bit IV and a 128-bit tag.
 *
 * Encoding: `v1:<iv>:<tag>:<ciphertext>`, each part base64url. The version prefix lets a later key or algorithm rotation
 * tell old values from new ones. Optional associated data (e.g. the orgId) binds a ciphertext to its owner: a value copied
 * into another organisation's document fails to decrypt.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const VERSION = 'v1';
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

export function encryptSecret(plain: string, key: Buffer, aad?: string): string {
  checkKey(key);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  if (aad !== undefined) cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join(':');
}

export function decryptSecret(encoded: string, key: Buffer, aad?: string): string {
  checkKey(key);
  const parts = typeof encoded === 'string' ? encoded.split(':') : [];
  if (parts.length !== 4 || parts[0] !== VERSION) {
    throw new SecretDecryptionError('not a v1 encrypted secret');
  }
  const iv = Buffer.from(parts[1]!, 'base64url');
  const tag = Buffer.from(parts[2]!, 'base64url');
  const ct = Buffer.from(parts[3]!, 'base64url');
  if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretDecryptionError('malformed encrypted secret');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    if (aad !== undefined) decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
  } catch {
    throw new SecretDecryptionError('encrypted secret failed authentication (wrong key, wrong owner, or tampered)');
  }
}
