/**
 * What the HTTP benches share: a seeded random source, percentile stats, a keep-alive GET client, one-shot timing, and
 * the configuration of an API started for a bench (production mode, memory-only embedded engine, no Redis).
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../server/src/config.js';

/** A deterministic random source (mulberry32): the same seed gives the same leads on every run. */
export function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Stats {
  p50: number;
  p95: number;
  n: number;
}

export function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? NaN;
  return { p50: at(0.5), p95: at(0.95), n: s.length };
}

export const r2 = (x: number) => Number(x.toFixed(2));

/** GET over a keep-alive agent (one socket), reading the whole body. */
export function getter(port: number, headers: Record<string, string>) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  // A socket left idle past the server's keep-alive timeout (e.g. while the bench seeds) may be closed just as it is
  // reused: an idempotent GET is then sent again once on a fresh socket.
  const get = (path: string): Promise<{ status: number; text: string }> =>
    once(path).catch((err: NodeJS.ErrnoException) => (err.code === 'ECONNRESET' ? once(path) : Promise.reject(err)));
  const once = (path: string) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, path, method: 'GET', agent, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  return { get, close: () => agent.destroy() };
}

export async function timeOne(fn: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The configuration of an API started for a bench, with a database of its own (`dbPrefix` + a random suffix). */
export function benchConfig(dbPrefix: string): Config {
  return {
    ...loadConfig({ ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LEADS_DATA_DIR: 'memory', LOG_LEVEL: 'silent' }),
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    REDIS_URL: undefined,
    MONGODB_URI: undefined,
    MONGODB_DB: `${dbPrefix}${randomBytes(3).toString('hex')}`,
  };
}
