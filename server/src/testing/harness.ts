import { randomBytes } from 'node:crypto';
import type { CommandStartedEvent } from 'mongodb';
import { loadConfig, type Config } from '../config.js';
import { createLogger } from '../log.js';
import { startServer, type RunningServer, type StartOptions } from '../main.js';
import { createOrganization } from '../orgs/service.js';
import type { EmbedUser } from '../../../core/contracts.js';
import { recordCommand } from './query-shapes.js';
import { recordResponse } from './contract.js';

export interface TestServer extends RunningServer {
  /** Stops the server but keeps its database, for restart tests. */
  closeKeepingData(): Promise<void>;
  createOrg(name?: string, opts?: { allowedOrigins?: string[]; timezone?: string }): Promise<{ orgId: string; secretKey: string }>;
  token(orgId: string, user?: Partial<EmbedUser>, ttlSeconds?: number): Promise<string>;
  request(method: string, path: string, opts?: { token?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  text: string;
}

const NO_LIMIT = { points: 1_000_000, seconds: 60 };
const UNLIMITED: Partial<Config> = Object.fromEntries(
  (Object.keys(loadConfig({})) as Array<keyof Config>).filter((k) => k.startsWith('RATE_LIMIT_')).map((k) => [k, NO_LIMIT]),
);

/**
 * A real API on an ephemeral loopback port, over the embedded engine in memory or, when MONGODB_URI is set, a real
 * MongoDB (a database of its own per server). Every command the driver sends is recorded for the index check.
 */
export async function startTestServer(overrides: Partial<Config> = {}, options: StartOptions = {}): Promise<TestServer> {
  const config = {
    ...loadConfig({ ...process.env, NODE_ENV: 'test', PORT: '0', LEADS_DATA_DIR: 'memory', LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' }),
    MONGODB_DB: `ll_test_${randomBytes(4).toString('hex')}`,
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    // Suites fire many bad credentials and starts from one address on purpose; the rate-limit tests set their own budgets.
    ...UNLIMITED,
    ...overrides,
  };
  const running = await startServer({
    config,
    logger: createLogger(config.LOG_LEVEL),
    clientOptions: { monitorCommands: true },
    sandboxDelays: { ring: 5, answer: 5, talk: 5, sms: 5 },
    jobsIntervalMs: 0,
    ...options,
  });
  running.database.client.on('commandStarted', (event: CommandStartedEvent) => recordCommand(event));
  const tokens = running.context.repos.orgs;
  const server: TestServer = {
    ...running,
    closeKeepingData: running.close,
    async createOrg(name = `Clinic ${randomBytes(3).toString('hex')}`, opts = {}) {
      const { org, secretKey } = await createOrganization(tokens, { name, ...opts });
      return { orgId: org.id, secretKey };
    },
    async token(orgId, user = {}, ttlSeconds) {
      const res = await server.request('POST', '/v1/embed-tokens', {
        token: await secretKeyOf(orgId),
        body: { user: { id: user.id ?? 'user-1', name: user.name ?? 'Front Desk', role: user.role ?? 'agent' }, ...(ttlSeconds ? { ttlSeconds } : {}) },
      });
      if (res.status !== 201) throw new Error(`token mint failed: ${res.status} ${res.text}`);
      return res.body.token as string;
    },
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.token) headers.authorization = `Bearer ${opts.token}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
      }
      const res = await fetch(`${running.url}${path}`, { method, headers, body });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      recordResponse({ method, path, status: res.status, contentType: res.headers.get('content-type'), body: parsed });
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
  };
  const keys = new Map<string, string>();
  const originalCreate = server.createOrg;
  server.createOrg = async (name, opts) => {
    const created = await originalCreate(name, opts);
    keys.set(created.orgId, created.secretKey);
    return created;
  };
  async function secretKeyOf(orgId: string): Promise<string> {
    const key = keys.get(orgId);
    if (!key) throw new Error(`no secret key recorded for org ${orgId}`);
    return key;
  }
  const close = running.close;
  server.closeKeepingData = close;
  server.close = async () => {
    await running.database.db.dropDatabase().catch(() => undefined);
    await close();
  };
  return server;
}

let nextClinicNumber = 0;

/** A clinic number no other test organisation uses (a number belongs to one clinic: NUMBER_IN_USE otherwise). */
export function uniqueClinicNumber(): string {
  nextClinicNumber += 1;
  return `+1415${String(7000000 + ((process.pid * 1000 + nextClinicNumber) % 3000000)).padStart(7, '0')}`;
}

/**
 * Sets up an organisation's telephony through the API, against the sandbox: outbound agent and imported Twilio number.
 * Each organisation gets a number of its own unless `phoneNumber` is given; the number used is returned.
 */
export async function configureTelephony(
  server: TestServer,
  adminToken: string,
  opts: { agent?: boolean; twilio?: boolean; phoneNumber?: string } = {},
): Promise<{ phoneNumber: string | null }> {
  if (opts.agent !== false) {
    const res = await server.request('PUT', '/v1/agents/outbound', {
      token: adminToken,
      body: {
        name: 'Riley',
        voice: 'Elliot',
        systemPrompt: 'You are Riley, calling on behalf of the clinic to follow up on an enquiry and offer a consultation.',
        firstMessage: 'Hi, this is Riley, an AI assistant calling from the clinic. Is now a good time?',
      },
    });
    if (res.status !== 200) throw new Error(`agent setup failed: ${res.status} ${res.text}`);
  }
  if (opts.twilio === false) return { phoneNumber: null };
  const phoneNumber = opts.phoneNumber ?? uniqueClinicNumber();
  const res = await server.request('POST', '/v1/telephony/twilio', {
    token: adminToken,
    body: { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'sandbox-auth-token-0123456789', phoneNumber },
  });
  if (res.status !== 200) throw new Error(`twilio import failed: ${res.status} ${res.text}`);
  return { phoneNumber };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `ms`. */
export async function eventually<T>(check: () => Promise<T | undefined | false | null>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as T;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A lead body for POST /v1/leads. */
export function leadBody(overrides: Record<string, unknown> = {}) {
  return { name: 'Jane Doe', phone: '+12125550100', email: 'jane@example.com', services: ['Botox'], ...overrides };
}
