/**
 * Embedded MongoDB-compatible engine: speaks the MongoDB wire protocol on loopback so the official driver runs unchanged.
 * See README.md in this folder for what is supported, the storage format and the fsync policy.
 */
import type net from 'node:net';
import { Engine } from './engine.js';
import { Storage, type CompactionStats } from './storage.js';
import { createWireServer, type Logger } from './wire.js';

export interface StartEngineOptions {
  /** Directory for the journal and snapshots; omitted = memory only. */
  dataDir?: string;
  /** TCP port; 0 (default) = ephemeral. */
  port?: number;
  /** Listen address; default 127.0.0.1 (loopback only). */
  host?: string;
  logger?: Logger;
  /** Journal size (bytes) that triggers a snapshot (also past half the last snapshot's size); default 64 MB. */
  compactBytes?: number;
  /**
   * Compaction pacing: time budget (ms) of one serialisation slice between yields to the event loop (default 8), and a
   * pause (ms) after each slice (default 0; tests use it to stretch a compaction so a kill lands inside it).
   */
  compactSliceMs?: number;
  compactPauseMs?: number;
  /**
   * Test commands, like mongod's `--setParameter enableTestCommands=1`: `configureFailPoint` (failCommand). Off by
   * default; without it the command answers CommandNotFound (59) as on a production mongod.
   */
  enableTestCommands?: boolean;
}

export interface RunningEngine {
  /** mongodb://127.0.0.1:PORT/?directConnection=true */
  uri: string;
  port: number;
  close(): Promise<void>;
  /**
   * Writes a snapshot now and starts a new journal generation (as the journal-size trigger does); serving goes on
   * while it is written. Resolves when it is published. No-op without a data directory.
   */
  compact(): Promise<void>;
  /** Start-up figures: records recovered and where the time went (ms). Null without a data directory. */
  readonly recovery: RecoveryStats | null;
  /** Figures of the last finished compaction (null before the first). */
  lastCompaction(): CompactionStats | null;
}

export interface RecoveryStats {
  records: number;
  /** Snapshot read and decoded, documents and index entries added. */
  snapshotMs: number;
  journalMs: number;
  /** Index entry arrays sorted once, so the first query does not pay for it. */
  indexMs: number;
  totalMs: number;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startEngine(opts: StartEngineOptions = {}): Promise<RunningEngine> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`embedded engine: refusing to listen on non-loopback address ${host}`);
  const log: Logger = opts.logger ?? (() => {});
  const engine = new Engine();
  engine.testCommands = opts.enableTestCommands === true;
  let storage: Storage | null = null;
  let recovery: RecoveryStats | null = null;
  if (opts.dataDir) {
    storage = new Storage(opts.dataDir, log);
    if (opts.compactBytes) storage.compactBytes = opts.compactBytes;
    if (opts.compactSliceMs !== undefined) storage.sliceMs = opts.compactSliceMs;
    const pauseMs = opts.compactPauseMs;
    if (pauseMs) storage.onSlice = () => new Promise((r) => setTimeout(r, pauseMs));
    const started = performance.now();
    const { records, snapshotMs, journalMs } = storage.recover((rec) => engine.apply(rec));
    const sortStart = performance.now();
    for (const colls of engine.dbs.values()) for (const c of colls.values()) for (const ix of c.indexes) ix.sorted();
    const now = performance.now();
    recovery = { records, snapshotMs, journalMs, indexMs: now - sortStart, totalMs: now - started };
    storage.snapshotSource = () => engine.snapshotRecords();
    engine.storage = storage;
    log('embedded engine: recovered', { dataDir: opts.dataDir, ...recovery });
  }
  const server = createWireServer(engine, log);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (e) {
    if (storage) await storage.close();
    throw e;
  }
  const port = (server.address() as net.AddressInfo).port;
  engine.info = { host, port, dataDir: opts.dataDir };
  const uriHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
    recovery,
    compact: () => (storage ? storage.compact() : Promise.resolve()),
    lastCompaction: () => storage?.lastCompaction ?? null,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        if (storage) await storage.close();
      })();
      return closing;
    },
  };
}
