import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { MongoClientOptions } from 'mongodb';
import { loadConfig, rateLimitSettings, type Config } from './config.js';
import { createRateLimits } from './http/rate-limits.js';
import { createLogger, type Logger } from './log.js';
import { connectDatabase, type Database } from './db/mongo.js';
import { createApp, createCore, type AppContext } from './app.js';
import { TokenService } from './auth/tokens.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import { attachRealtime, type Realtime } from './realtime/socket.js';
import { MemoryPresenceStore, RedisPresenceStore } from './presence/store.js';
import { bindPresence } from './presence/socket.js';
import { OrganizationCache } from './orgs/service.js';
import { Jobs } from './jobs/index.js';
import { instrumentJobs } from './http/metrics.js';
import { OrganizationRepository } from './orgs/repository.js';
import { KeyRing, parseEncryptionKey } from './telephony/crypto.js';
import { startTelephonySandbox, type SandboxDelays, type TelephonySandbox } from '../../sandbox/index.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  database: Database;
  context: AppContext;
  realtime: Realtime;
  /** The built-in Vapi/Twilio simulator, when sandbox mode runs it. */
  sandbox: TelephonySandbox | null;
  config: Config;
  logger: Logger;
  /** The background jobs (server/src/jobs): tests with jobsIntervalMs 0 call `runPeriodic()` themselves. */
  jobs: Jobs;
  /**
   * Graceful stop: refuse new connections, let in-flight requests and the running job step finish (at most `graceMs`),
   * close realtime transports so widgets reconnect to another instance by themselves, then flush and close the database.
   */
  close(options?: { graceMs?: number }): Promise<void>;
}

/**
 * A secret kept in the data directory so restarts keep working tokens and readable credentials; with memory-only data
 * a fresh one each start. Production sets the environment variable instead.
 */
export function persistentSecret(config: Config, file: string, bytes = 32): string {
  if (config.LEADS_DATA_DIR === 'memory' || config.MONGODB_URI) return randomBytes(bytes).toString('base64url');
  mkdirSync(config.LEADS_DATA_DIR, { recursive: true });
  const path = join(config.LEADS_DATA_DIR, file);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const secret = randomBytes(bytes).toString('base64url');
  writeFileSync(path, secret, { mode: 0o600 });
  return secret;
}

/** The credentials key ring: ENCRYPTION_KEY (or the data directory's own) to write, ENCRYPTION_KEY_PREVIOUS still read. */
export function keyRingOf(config: Config): KeyRing {
  const previous = config.ENCRYPTION_KEY_PREVIOUS.split(',').map((s) => s.trim()).filter(Boolean);
  return new KeyRing(
    parseEncryptionKey(config.ENCRYPTION_KEY ?? persistentSecret(config, 'encryption-key')),
    previous.map((value, i) => parseEncryptionKey(value, `ENCRYPTION_KEY_PREVIOUS (key ${i + 1})`)),
  );
}

export interface StartOptions {
  config?: Config;
  logger?: Logger;
  now?: () => Date;
  clientOptions?: MongoClientOptions;
  broadcaster?: Broadcaster;
  /** Stage delays of the telephony sandbox (tests make them short, the demo makes them feel real). */
  sandboxDelays?: Partial<SandboxDelays>;
  /** How often scheduled texts are sent and stale calls reconciled; 0 turns the jobs off (tests drive them). */
  jobsIntervalMs?: number;
  /** How often campaign sending steps; defaults to CAMPAIGN_TICK_MS when the jobs run, else off (tests drive it). */
  campaignTickMs?: number;
  /**
   * Tests only: start the embedded engine with test commands (`configureFailPoint` with failCommand, as mongod's
   * enableTestCommands), e.g. `startTestServer({}, { embeddedEngine: { enableTestCommands: true } })`. Ignored with
   * MONGODB_URI (a real mongod needs `--setParameter enableTestCommands=1`). Off by default.
   */
  embeddedEngine?: { enableTestCommands?: boolean };
}

/** Starts the API: database (embedded or MONGODB_URI), app, HTTP server. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  if (config.NODE_ENV === 'production' && !config.TOKEN_SECRET) throw new Error('TOKEN_SECRET must be set in production.');
  // With metrics on, the driver's command monitoring feeds the database latency histogram (an event per command).
  const clientOptions = config.METRICS_TOKEN ? { monitorCommands: true, ...options.clientOptions } : options.clientOptions;
  const database = await connectDatabase(config, logger, clientOptions, options.embeddedEngine);
  const tokens = new TokenService(config.TOKEN_SECRET ?? persistentSecret(config, 'token-secret'), config.TOKEN_TTL_SECONDS, options.now);
  const extraOrigins = config.CORS_EXTRA_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  const orgRepo = new OrganizationRepository(database.db);
  const isKnownOrigin = async (origin: string) => extraOrigins.includes(origin) || (await orgRepo.isAllowedOrigin(origin));
  const limits = await createRateLimits(rateLimitSettings(config), { redisUrl: config.REDIS_URL, logger });
  const server = createServer();
  server.keepAliveTimeout = 5_000;
  const realtime = await attachRealtime(server, {
    limits,
    tokens,
    orgs: new OrganizationCache(orgRepo),
    logger,
    redisUrl: config.REDIS_URL,
    isKnownOrigin,
    extraOrigins,
    now: options.now,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;

  // Sandbox mode: the official Vapi and Twilio clients are pointed at the built-in simulator.
  const sandbox =
    config.TELEPHONY_SANDBOX && !config.VAPI_BASE_URL && !config.TWILIO_BASE_URL
      ? await startTelephonySandbox({ delaysMs: options.sandboxDelays, logger: { info: () => undefined, warn: (o, m) => logger.warn(o as object, m) } })
      : null;
  const encryptionKey = keyRingOf(config);
  const broadcaster = options.broadcaster ?? realtime.broadcaster;
  const telephony = {
    publicUrl: config.PUBLIC_URL ?? url,
    encryptionKey,
    vapiBaseUrl: sandbox?.vapiBaseUrl ?? config.VAPI_BASE_URL,
    twilioBaseUrl: sandbox?.twilioBaseUrl ?? config.TWILIO_BASE_URL,
    vapiApiKey: config.VAPI_API_KEY ?? (sandbox ? 'sandbox-platform-key' : undefined),
    sandbox: Boolean(sandbox),
    vapiTimeoutSeconds: config.VAPI_TIMEOUT_SECONDS,
  };
  // Presence is shared through Redis keys when instances share a bus; one instance alone keeps it in memory.
  const presenceStore = config.REDIS_URL
    ? await RedisPresenceStore.connect(config.REDIS_URL, (err) => logger.error({ err: err.message }, 'redis error (presence)'))
    : new MemoryPresenceStore();
  const core = createCore({
    db: database.db,
    broadcaster,
    now: options.now,
    logger,
    telephony,
    presenceStore,
    presenceTtlMs: config.PRESENCE_TTL_MS,
    claimTtlMs: config.QUEUE_CLAIM_TTL_MS,
    campaigns: { ratePerSecond: config.CAMPAIGN_RATE_PER_SECOND, tickMs: config.CAMPAIGN_TICK_MS, leaseMs: config.CAMPAIGN_LEASE_MS },
  });
  bindPresence(realtime.io, core.presence, { displayName: (orgId, user) => core.team.displayName(orgId, user), logger });
  const context = createApp(
    { db: database.db, logger, tokens, broadcaster, now: options.now, extraOrigins, telephony, readiness: () => realtime.ready(), limits, trustProxy: config.TRUST_PROXY, metricsToken: config.METRICS_TOKEN },
    core,
  );
  context.metrics.countSockets(() => realtime.io.of('/').sockets.size);
  if (config.METRICS_TOKEN) context.metrics.watchDatabase(database.client);
  // In-flight requests, so a graceful stop can wait for them; while draining, responses close their connection.
  let inFlight = 0;
  let draining = false;
  const drained: Array<() => void> = [];
  server.on('request', (_req, res) => {
    inFlight++;
    if (draining) res.setHeader('Connection', 'close');
    res.once('close', () => {
      if (--inFlight === 0) for (const resolve of drained.splice(0)) resolve();
    });
  });
  server.on('request', context.app.callback());

  // Contacts from before the priority views get their view fields once (in the background; idempotent).
  void core.repos.contacts.backfillViewFields(core.repos.appointments, core.now()).then(
    (filled) => filled > 0 && logger.info({ filled }, 'priority-view fields derived for earlier contacts'),
    (err: Error) => logger.warn({ err: err.message }, 'priority-view backfill failed; it runs again at the next start'),
  );
  // Contacts from before search keys get theirs; until then search reads the clinic (leads/repository.ts searchIndex).
  void core.repos.contacts.backfillSearchKeys().then(
    (filled) => filled > 0 && logger.info({ filled }, 'search keys derived for earlier contacts'),
    (err: Error) => logger.warn({ err: err.message }, 'search-key backfill failed; search reads whole clinics until the next start'),
  );
  // The one job mechanism (server/src/jobs): periodic jobs every JOBS_INTERVAL_MS, campaign sending every CAMPAIGN_TICK_MS.
  // jobsIntervalMs 0 turns both off (tests drive them) unless campaignTickMs is given.
  const interval = options.jobsIntervalMs ?? config.JOBS_INTERVAL_MS;
  const jobs = new Jobs(instrumentJobs(context, context.metrics), logger);
  jobs.start({ intervalMs: interval, campaignTickMs: options.campaignTickMs ?? (interval > 0 ? config.CAMPAIGN_TICK_MS : 0) });

  logger.info({ url, database: database.embedded ? 'embedded' : 'mongodb', sandbox: Boolean(sandbox) }, 'Live Leads API listening');
  return {
    url,
    port,
    server,
    database,
    context,
    realtime,
    sandbox,
    config,
    logger,
    jobs,
    async close({ graceMs = 0 } = {}) {
      draining = true;
      context.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (graceMs > 0 && inFlight > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([new Promise<void>((resolve) => drained.push(resolve)), new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
      }
      await jobs.stop();
      // Transports are closed, not the Socket.io sessions: a client sees "transport close" and reconnects (to another
      // instance behind the load balancer), where a server-side disconnect would tell it to stay away.
      realtime.dropTransports();
      server.closeAllConnections();
      await realtime.close();
      await core.presence.stop();
      await closed;
      await sandbox?.close();
      await limits.close();
      await database.close();
    },
  };
}

/** How long a SIGTERM waits for in-flight requests before closing what is left. */
export const SHUTDOWN_GRACE_MS = 10_000;

/** SIGTERM and SIGINT stop the server gracefully, once; a second signal exits at once. */
export function stopOnSignals(running: Pick<RunningServer, 'close' | 'logger'>, graceMs = SHUTDOWN_GRACE_MS): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    running.logger.info({ signal }, 'shutting down: finishing in-flight requests');
    running.close({ graceMs }).then(
      () => process.exit(0),
      (err: Error) => {
        running.logger.error({ err: err.message }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startServer().then(
    (running) => stopOnSignals(running),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
