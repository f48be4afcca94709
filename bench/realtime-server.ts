/**
 * Child process for bench/realtime.bench.ts: one server per process, so its memory can be read alone and the 500
 * benchmark clients (in the parent) do not share its event loop. Started as
 *   node --expose-gc --import tsx bench/realtime-server.ts <json options>
 * with an IPC channel. Modes:
 * - "api":  the real API (`startServer`: embedded engine in memory or MONGODB_URI, sandbox telephony whose calls never
 *           progress on their own, silent logs, no jobs), optionally with the Redis adapter.
 * - "bare": a bare Socket.io server on a plain HTTP server; POST /emit {event, payload} does `io.emit(event, payload)`.
 * Commands over IPC: createOrg, webhookSecret, memory (global.gc then process.memoryUsage), close.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server as IoServer } from 'socket.io';
import { loadConfig, type Config } from '../server/src/config.js';
import { createLogger } from '../server/src/log.js';
import { startServer, type RunningServer } from '../server/src/main.js';
import { createOrganization } from '../server/src/orgs/service.js';

export interface ChildOptions {
  mode: 'api' | 'bare';
  config?: Partial<Config>;
}

export type ChildCommand =
  | { id: number; cmd: 'createOrg'; name: string }
  | { id: number; cmd: 'webhookSecret'; orgId: string }
  | { id: number; cmd: 'memory' }
  | { id: number; cmd: 'close' };

export interface ChildMemory {
  gc: boolean;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
}

const HOUR = 3_600_000;

async function memory(): Promise<ChildMemory> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((r) => setImmediate(r));
    }
  }
  const m = process.memoryUsage();
  return { gc: Boolean(gc), rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external, arrayBuffers: m.arrayBuffers };
}

async function main() {
  const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
  const send = (msg: unknown) => process.send!(msg);
  let api: RunningServer | null = null;
  let close: () => Promise<void>;

  if (options.mode === 'api') {
    const config: Config = {
      ...loadConfig({ ...process.env, NODE_ENV: 'production', PORT: '0', HOST: '127.0.0.1', LEADS_DATA_DIR: 'memory', LOG_LEVEL: 'silent' }),
      ...options.config,
    };
    api = await startServer({
      config,
      logger: createLogger('silent'),
      jobsIntervalMs: 0,
      // Calls stay queued until the benchmark sends their webhooks itself.
      sandboxDelays: { ring: HOUR, answer: HOUR, talk: HOUR, sms: HOUR },
    });
    close = () => api!.close();
    send({ type: 'ready', url: api.url, port: api.port, dbUri: api.database.uri });
  } else {
    const server = http.createServer();
    server.keepAliveTimeout = 5_000;
    const io = new IoServer(server, { serveClient: false, maxHttpBufferSize: 16 * 1024, pingInterval: 20_000, pingTimeout: 20_000 });
    server.on('request', (req, res) => {
      if (req.url?.startsWith('/socket.io')) return; // engine.io answers these
      if (req.method !== 'POST' || req.url !== '/emit') {
        res.writeHead(404).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const { event, payload } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { event: string; payload: unknown };
        io.emit(event, payload);
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    close = async () => {
      io.disconnectSockets(true);
      server.closeAllConnections();
      await new Promise<void>((resolve) => io.close(() => resolve()));
    };
    send({ type: 'ready', url: `http://127.0.0.1:${port}`, port, dbUri: null });
  }

  process.on('disconnect', () => process.exit(0));
  process.on('message', (msg: ChildCommand) => {
    void (async () => {
      try {
        let result: unknown;
        switch (msg.cmd) {
          case 'createOrg': {
            const { org, secretKey } = await createOrganization(api!.context.repos.orgs, { name: msg.name });
            result = { orgId: org.id, secretKey };
            break;
          }
          case 'webhookSecret':
            result = await api!.context.calls.webhookSecret(msg.orgId);
            break;
          case 'memory':
            result = await memory();
            break;
          case 'close':
            await close();
            result = true;
            break;
        }
        send({ id: msg.id, ok: true, result });
        if (msg.cmd === 'close') setTimeout(() => process.exit(0), 50);
      } catch (err) {
        send({ id: msg.id, ok: false, error: (err as Error).stack ?? String(err) });
      }
    })();
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
