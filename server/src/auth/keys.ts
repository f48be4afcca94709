import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PATTERN = /^sk_live_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A new organisation secret key: `sk_live_<keyId>_<32 random bytes, base64url>`. Shown once; only its hash is stored. */
export function generateSecretKey(): { key: string; keyId: string; hash: string } {
  const keyId = randomBytes(9).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0').slice(0, 12);
  const key = `sk_live_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { key, keyId, hash: hashSecretKey(key) };
}

export function hashSecretKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function parseSecretKey(key: string): { keyId: string } | null {
  const m = KEY_PATTERN.exec(key);
  return m ? { keyId: m[1]! } : null;
}

/** Constant-time comparison of a presented key with a stored hash. */
export function secretKeyMatches(key: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecretKey(key), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
