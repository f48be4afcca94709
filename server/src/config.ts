import { z } from 'zod';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { parseBudget, type RateLimitSettings } from './http/rate-limits.js';

/** The repository root, so default paths do not depend on the working directory. */
export const ROOT_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((v) => ['1', 'true', 'yes', 'on'].includes(v));

/** A rate limit written "N/window": 30/15m, 10/1h, 120/60s. */
const budget = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((text, ctx) => {
      const parsed = parseBudget(text);
      if (!parsed) {
        ctx.addIssue({ code: 'custom', message: 'must be N/window with a window of at most 24h, e.g. 30/15m, 10/1h or 120/60s' });
        return z.NEVER;
      }
      return parsed;
    });

const configSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Unset: the embedded MongoDB-compatible engine runs in-process. */
  MONGODB_URI: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, 'must start with mongodb:// or mongodb+srv://')
    .optional(),
  MONGODB_DB: z.string().regex(/^[A-Za-z0-9_-]{1,63}$/, 'letters, digits, _ and - only').default('live_leads'),
  /** Where the embedded engine keeps its data; "memory" keeps nothing on disk. */
  LEADS_DATA_DIR: z.string().min(1).default(resolve(ROOT_DIR, '.data')),
  /** The public base URL of this API, used for provider webhooks (Twilio signs the exact URL it called). */
  PUBLIC_URL: z.url().optional(),
  /** Signs embed tokens (HS256). At least 32 characters. */
  TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86400).default(900),
  /** AES-256-GCM key for provider credentials at rest: 32 bytes as base64 or hex. */
  ENCRYPTION_KEY: z.string().optional(),
  /** Keys used before ENCRYPTION_KEY (comma-separated): still read during a rotation (`npm run keys:rotate`). */
  ENCRYPTION_KEY_PREVIOUS: z.string().default(''),
  /** Run the built-in Vapi and Twilio simulator for organisations without real credentials. */
  TELEPHONY_SANDBOX: booleanFlag.default(true),
  VAPI_BASE_URL: z.url().optional(),
  /** How long to wait for Vapi before a call is failed (seconds). */
  VAPI_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(20),
  /** The platform's Vapi private key, for organisations that have not connected their own Vapi account. */
  VAPI_API_KEY: z.string().min(8).optional(),
  /** How often scheduled texts are sent and stale calls reconciled (ms); 0 turns the jobs off. */
  JOBS_INTERVAL_MS: z.coerce.number().int().min(0).default(15_000),
  /** How often campaign sending steps (ms): it keeps a number's pace, so it is short; 0 turns it off. */
  CAMPAIGN_TICK_MS: z.coerce.number().int().min(0).max(10_000).default(100),
  /** Texts per second from a clinic number without a rate of its own (a long code: about 1; a clinic setting overrides). */
  CAMPAIGN_RATE_PER_SECOND: z.coerce.number().min(0.1).max(10_000).default(1),
  /** How long a sender's claim on a campaign recipient holds before another instance may take it over (ms). */
  CAMPAIGN_LEASE_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  TWILIO_BASE_URL: z.url().optional(),
  /** How long a presence entry lives without a heartbeat (ms; the widget sends one every 10 s). */
  PRESENCE_TTL_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** How long a call-queue claim holds without a renew (ms; the widget renews every 30 s). */
  QUEUE_CLAIM_TTL_MS: z.coerce.number().int().min(100).max(3_600_000).default(120_000),
  /** Several API instances share realtime events through Redis when set. */
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must start with redis:// or rediss://').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Comma-separated origins allowed to call the API from a browser for every organisation (e.g. the demo host). */
  CORS_EXTRA_ORIGINS: z.string().default(''),
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (for per-address rate limits and logs). */
  TRUST_PROXY: booleanFlag.default(false),
  /** GET /metrics (Prometheus) answers only with `Authorization: Bearer <METRICS_TOKEN>`; unset: /metrics is a 404. */
  METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Failed sign-ins (bad secret key or token) per client address, then 429 until the window ends. */
  RATE_LIMIT_AUTH_FAILURES_PER_IP: budget('30/15m'),
  /** Failed sign-ins per secret-key id (the part before the secret). */
  RATE_LIMIT_AUTH_FAILURES_PER_KEY: budget('10/15m'),
  RATE_LIMIT_TOKEN_MINTS_PER_CLINIC: budget('600/1m'),
  RATE_LIMIT_CALLS_PER_CLINIC: budget('60/1m'),
  RATE_LIMIT_CALLS_PER_USER: budget('20/1m'),
  RATE_LIMIT_TEXTS_PER_CLINIC: budget('300/1m'),
  RATE_LIMIT_TEXTS_PER_USER: budget('60/1m'),
  RATE_LIMIT_CAMPAIGNS_PER_CLINIC: budget('20/1h'),
});

export type Config = z.infer<typeof configSchema>;

/** The rate limits of a configuration, by name (http/rate-limits.ts). */
export function rateLimitSettings(config: Config): RateLimitSettings {
  return {
    authFailuresPerIp: config.RATE_LIMIT_AUTH_FAILURES_PER_IP,
    authFailuresPerKey: config.RATE_LIMIT_AUTH_FAILURES_PER_KEY,
    tokenMintsPerClinic: config.RATE_LIMIT_TOKEN_MINTS_PER_CLINIC,
    callStartsPerClinic: config.RATE_LIMIT_CALLS_PER_CLINIC,
    callStartsPerUser: config.RATE_LIMIT_CALLS_PER_USER,
    textStartsPerClinic: config.RATE_LIMIT_TEXTS_PER_CLINIC,
    textStartsPerUser: config.RATE_LIMIT_TEXTS_PER_USER,
    campaignsPerClinic: config.RATE_LIMIT_CAMPAIGNS_PER_CLINIC,
  };
}

export class ConfigError extends Error {
  constructor(public readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the configuration; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const input = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = issue.path.join('.');
        const value = key.includes('SECRET') || key.includes('KEY') || key.includes('URI') ? '(hidden)' : JSON.stringify(env[key]);
        return `${key}=${value}: ${issue.message}`;
      }),
    );
  }
  return parsed.data;
}
