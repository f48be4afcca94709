import { createServer, type Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { MongoClientOptions } from 'mongodb';
import { loadConfig, type Config } from './config.js';
import { createLogger, type Logger } from './log.js';
import { connectDatabase, type Database } from './db/mongo.js';
import { createApp, createCore, type AppContext } from './app.js';
import { TokenService } from './auth/tokens.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import { attachRealtime, type Realtime } from './realtime/socket.js';
import { OrganizationCache } from './orgs/service.js';
import { OrganizationRepository } from './orgs/repository.js';

export interface RunningServer {
  url: string;
  port: number;
  server: Server;
  database: Database;
  context: AppContext;
  realtime: Realtime;
  config: Config;
  logger: Logger;
  close(): Promise<void>;
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

export interface StartOptions {
  config?: Config;
  logger?: Logger;
  now?: () => Date;
  clientOptions?: MongoClientOptions;
  broadcaster?: Broadcaster;
}

/** Starts the API: database (embedded or MONGODB_URI), app, HTTP server. */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  if (config.NODE_ENV === 'production' && !config.TOKEN_SECRET) throw new Error('TOKEN_SECRET must be set in production.');
  const database = await connectDatabase(config, logger, options.clientOptions);
  const tokens = new TokenService(config.TOKEN_SECRET ?? persistentSecret(config, 'token-secret'), config.TOKEN_TTL_SECONDS, options.now);
  const extraOrigins = config.CORS_EXTRA_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  const orgRepo = new OrganizationRepository(database.db);
  const isKnownOrigin = async (origin: string) => extraOrigins.includes(origin) || (await orgRepo.isAllowedOrigin(origin));
  const server = createServer();
  server.keepAliveTimeout = 5_000;
  const realtime = await attachRealtime(server, {
    tokens,
    orgs: new OrganizationCache(orgRepo),
    logger,
    redisUrl: config.REDIS_URL,
    isKnownOrigin,
  });
  const broadcaster = options.broadcaster ?? realtime.broadcaster;
  const core = createCore({ db: database.db, broadcaster, now: options.now });
  const context = createApp(
    { db: database.db, logger, tokens, broadcaster, now: options.now, extraOrigins, readiness: () => realtime.ready() },
    core,
  );
  server.on('request', context.app.callback());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.PORT, config.HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST}:${port}`;
  logger.info({ url, database: database.embedded ? 'embedded' : 'mongodb' }, 'Live Leads API listening');
  return {
    url,
    port,
    server,
    database,
    context,
    realtime,
    config,
    logger,
    async close() {
      server.closeAllConnections();
      await realtime.close(); // closes the HTTP server too
      await database.close();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  startServer().then(
    (running) => {
      const stop = () => running.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
