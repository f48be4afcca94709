/**
 * Embedded MongoDB-compatible engine: speaks the MongoDB wire protocol on loopback so the official driver runs unchanged.
 * See README.md in this folder for what is supported, the storage format and the fsync policy.
 */
import type net from 'node:net';
import { Engine } from './engine.js';
import { Storage } from './storage.js';
import { createWireServer, type Logger } from './wire.js';

export interface StartEngineOptions {
  /** Directory for the journal and snapshots; omitted = memory only. */
  dataDir?: string;
  /** TCP port; 0 (default) = ephemeral. */
  port?: number;
  /** Listen address; default 127.0.0.1 (loopback only). */
  host?: string;
  logger?: Logger;
  /** Journal size (bytes) that triggers a snapshot; default 64 MB. */
  compactBytes?: number;
}

export interface RunningEngine {
  /** mongodb://127.0.0.1:PORT/?directConnection=true */
  uri: string;
  port: number;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export async function startEngine(opts: StartEngineOptions = {}): Promise<RunningEngine> {
  const host = opts.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`embedded engine: refusing to listen on non-loopback address ${host}`);
  const log: Logger = opts.logger ?? (() => {});
  const engine = new Engine();
  let storage: Storage | null = null;
  if (opts.dataDir) {
    storage = new Storage(opts.dataDir, log);
    if (opts.compactBytes) storage.compactBytes = opts.compactBytes;
    const started = Date.now();
    const { records } = storage.recover((rec) => engine.apply(rec));
    storage.snapshotSource = () => engine.snapshotRecords();
    engine.storage = storage;
    log('embedded engine: recovered', { dataDir: opts.dataDir, records, ms: Date.now() - started });
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
  const uriHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    uri: `mongodb://${uriHost}:${port}/?directConnection=true`,
    port,
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
