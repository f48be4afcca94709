import { MongoClient, type Db, type MongoClientOptions } from 'mongodb';
import { mkdirSync } from 'node:fs';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { ensureIndexes } from './indexes.js';

export interface Database {
  client: MongoClient;
  db: Db;
  /** The URI the driver connected to (the embedded engine's when no MONGODB_URI is set). */
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
}

/**
 * Connects the official driver. With MONGODB_URI it is a real MongoDB; without it the embedded MongoDB-compatible engine
 * starts in this process on loopback (data in LEADS_DATA_DIR, or memory only when that is "memory").
 */
export async function connectDatabase(
  config: Pick<Config, 'MONGODB_URI' | 'MONGODB_DB' | 'LEADS_DATA_DIR'>,
  logger?: Logger,
  clientOptions: MongoClientOptions = {},
  /** Embedded engine only (ignored with MONGODB_URI): tests may turn on `configureFailPoint` (failCommand). */
  engineOptions: { enableTestCommands?: boolean } = {},
): Promise<Database> {
  let uri: string | undefined = config.MONGODB_URI;
  let stopEngine: (() => Promise<void>) | undefined;
  if (!uri) {
    const { startEngine } = await import('../../../engine/index.js');
    const dataDir = config.LEADS_DATA_DIR === 'memory' ? undefined : config.LEADS_DATA_DIR;
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const engine = await startEngine({ dataDir, port: 0, enableTestCommands: engineOptions.enableTestCommands === true });
    uri = engine.uri;
    stopEngine = () => engine.close();
    logger?.info({ dataDir: dataDir ?? 'memory' }, 'embedded MongoDB-compatible engine started');
  }
  if (!uri) throw new Error('No MongoDB URI and no embedded engine');
  const client = new MongoClient(uri, { serverSelectionTimeoutMS: 10_000, ...clientOptions });
  await client.connect();
  const db = client.db(config.MONGODB_DB);
  await ensureIndexes(db);
  return {
    client,
    db,
    uri,
    embedded: Boolean(stopEngine),
    async close() {
      await client.close();
      await stopEngine?.();
    },
  };
}
