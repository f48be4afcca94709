/**
 * Rate limits (rate-limiter-flexible): in memory on one instance, shared through Redis when REDIS_URL is set, so every
 * instance counts against the same budget. Each limit is "N per window" from the configuration (RATE_LIMIT_*).
 *
 * - Failed authentications, per client address and per secret-key id: once a budget is spent, every attempt from that
 *   address (or with that key id) is refused with 429 before the credentials are checked, so guessing stops paying.
 *   Successful sign-ins cost nothing.
 * - Token minting per clinic; call starts and text starts per clinic and per user; campaign creation per clinic.
 *
 * A refusal is the API's error shape with status 429, code RATE_LIMITED, `details.retryAfterSeconds`, and a
 * Retry-After header. If Redis stops answering, the limits fall back to this instance's memory instead of failing open.
 */
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { createClient } from 'redis';
import { AppError } from './errors.js';
import type { Logger } from '../log.js';

/** A budget: `points` actions per `seconds`. */
export interface Budget {
  points: number;
  seconds: number;
}

export type LimitName =
  | 'authFailuresPerIp'
  | 'authFailuresPerKey'
  | 'tokenMintsPerClinic'
  | 'callStartsPerClinic'
  | 'callStartsPerUser'
  | 'textStartsPerClinic'
  | 'textStartsPerUser'
  | 'campaignsPerClinic';

export type RateLimitSettings = Record<LimitName, Budget>;

/** What each limit protects, in words a person reads in a 429. */
const REFUSALS: Record<LimitName, string> = {
  authFailuresPerIp: 'Too many failed sign-ins from this address',
  authFailuresPerKey: 'Too many failed sign-ins with this secret key',
  tokenMintsPerClinic: 'This clinic is minting embed tokens faster than allowed',
  callStartsPerClinic: 'This clinic is starting calls faster than allowed',
  callStartsPerUser: 'You are starting calls faster than allowed',
  textStartsPerClinic: 'This clinic is sending texts faster than allowed',
  textStartsPerUser: 'You are sending texts faster than allowed',
  campaignsPerClinic: 'This clinic is creating campaigns faster than allowed',
};

/** Parses "30/15m", "10/1h", "120/60s" or "5/30" (seconds) into a budget. */
export function parseBudget(text: string): Budget | null {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*(s|m|h)?\s*$/.exec(text);
  if (!m) return null;
  const points = Number(m[1]);
  const seconds = Number(m[2]) * (m[3] === 'h' ? 3600 : m[3] === 'm' ? 60 : 1);
  if (points < 1 || seconds < 1 || seconds > 86_400) return null;
  return { points, seconds };
}

export class RateLimitedError extends AppError {
  constructor(
    public readonly limit: LimitName,
    public readonly retryAfterSeconds: number,
  ) {
    super(429, 'RATE_LIMITED', `${REFUSALS[limit]}. Try again in ${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}.`, {
      limit,
      retryAfterSeconds,
    });
  }
}

export interface RateLimits {
  /** Consumes one point of `limit` for `key`; throws RateLimitedError when the budget is spent. */
  consume(limit: LimitName, key: string): Promise<void>;
  /** Refuses (429) when `key` has already spent its budget of `limit`, without consuming anything. */
  assertNotBlocked(limit: LimitName, key: string): Promise<void>;
  /** Records a failure against `key` (an authentication that did not succeed). */
  recordFailure(limit: LimitName, key: string): Promise<void>;
  close(): Promise<void>;
}

const retryAfter = (res: RateLimiterRes) => Math.max(1, Math.ceil(res.msBeforeNext / 1000));

export async function createRateLimits(settings: RateLimitSettings, opts: { redisUrl?: string; logger: Logger }): Promise<RateLimits> {
  let redis: ReturnType<typeof createClient> | undefined;
  if (opts.redisUrl) {
    redis = createClient({ url: opts.redisUrl, disableOfflineQueue: true });
    redis.on('error', (err: Error) => opts.logger.warn({ err: err.message }, 'rate-limit redis error (limits fall back to memory)'));
    await redis.connect();
  }
  const limiters = new Map<LimitName, RateLimiterAbstract>();
  for (const [name, budget] of Object.entries(settings) as Array<[LimitName, Budget]>) {
    const base = { points: budget.points, duration: budget.seconds, keyPrefix: `ll-rl:${name}` };
    const memory = new RateLimiterMemory(base);
    limiters.set(name, redis ? new RateLimiterRedis({ ...base, storeClient: redis, useRedisPackage: true, insuranceLimiter: memory }) : memory);
  }
  const limiter = (name: LimitName) => limiters.get(name)!;

  return {
    async consume(name, key) {
      try {
        await limiter(name).consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) throw new RateLimitedError(name, retryAfter(err));
        throw err;
      }
    },
    async assertNotBlocked(name, key) {
      const res = await limiter(name).get(key);
      if (res && res.remainingPoints <= 0 && res.msBeforeNext > 0) throw new RateLimitedError(name, retryAfter(res));
    },
    async recordFailure(name, key) {
      await limiter(name)
        .penalty(key, 1)
        .catch((err: unknown) => {
          if (!(err instanceof RateLimiterRes)) throw err;
        });
    },
    async close() {
      await redis?.quit().catch(() => undefined);
    },
  };
}
