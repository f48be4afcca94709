/**
 * Presence fan-out benchmark (issue 13): one presence change (a coordinator's `presence:set`, alternately "viewing" and
 * "calling", so each round is a real change) fanned out as `presence:updated` to 500 socket.io-client clients of the
 * clinic, 250 on each of two API instances sharing one database and one Redis (the Redis presence store and the
 * Socket.io Redis adapter). Latency = from the emit of presence:set (on instance A) to each client's receipt; p50/p95
 * over every receipt of every round, and of the last client per round. Next to it, the floor of Socket.io itself: bare
 * Socket.io servers (no auth, no store, no adapter) whose POST /emit does `io.emit` of the same payload, to the same 500
 * clients split over two processes as the API's are (x2: one POST to each at once), and to 500 clients on one (x1).
 * All 500 clients decode in this one process, so on a small machine the figures are bounded by the clients as much as
 * by the servers: read the ratio to the bare floor measured in the same run.
 *
 * Servers run in child processes (bench/realtime-server.ts); the clients and the clock live here.
 *
 *   npm run bench -- presence        (alone, through bench/run.ts, which picks up every bench/*.bench.ts)
 *   npx tsx bench/presence.bench.ts
 *
 * Needs redis-server (Debian's package); without it the bench says so and measures nothing. Prints figures; no thresholds.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { startRedis } from '../server/src/testing/redis.js';
import { r2, stats } from './support.js';
import { startChild, type Child } from './child.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const CLIENTS = 500;
const ROUNDS = 40;
const WARMUP = 5;
/** Between rounds: past the presence service's settle re-publication (250 ms), so rounds do not overlap. */
const GAP_MS = 350;
const CONNECT_CONCURRENCY = 25;
const ROUND_TIMEOUT_MS = 15_000;



async function request(base: string, method: string, path: string, token: string | null, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
  return text ? (JSON.parse(text) as Record<string, any>) : {}; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Per round: every client's receipt time of the update matching the round's marker. */
class Round {
  private want: ((payload: any) => boolean) | null = null; // eslint-disable-line @typescript-eslint/no-explicit-any
  private got = new Map<number, number>();
  private done: (() => void) | null = null;
  expect(pred: (payload: any) => boolean): Promise<number[]> { // eslint-disable-line @typescript-eslint/no-explicit-any
    this.want = pred;
    this.got = new Map();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.got.size}/${CLIENTS} clients got the update`)), ROUND_TIMEOUT_MS);
      this.done = () => {
        clearTimeout(timer);
        resolve([...this.got.values()]);
      };
    });
  }
  hit(client: number, payload: unknown) {
    if (!this.want || this.got.has(client) || !this.want(payload)) return;
    this.got.set(client, performance.now());
    if (this.got.size === CLIENTS) {
      this.want = null;
      this.done?.();
    }
  }
}

async function connectClients(urls: string[], token: string | null, round: Round): Promise<Socket[]> {
  const sockets: Socket[] = [];
  let next = 0;
  async function worker() {
    while (next < CLIENTS) {
      const i = next++;
      const socket = connect(urls[i % urls.length]!, { transports: ['websocket'], forceNew: true, reconnection: false, timeout: 20_000, ...(token ? { auth: { token } } : {}) });
      socket.on('presence:updated', (payload: unknown) => round.hit(i, payload));
      await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
      sockets.push(socket);
    }
  }
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return sockets;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function bench(report: Report): Promise<void> {
  try {
    execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { stdio: 'ignore' });
  } catch {
    report('presence fan-out', [{ result: 'skipped: redis-server is not installed (apt-get install -y redis-server)' }]);
    return;
  }
  const redis = await startRedis();
  const children: Child[] = [];
  const sockets: Socket[] = [];
  const started = performance.now();
  try {
    const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_bench_pr_${randomBytes(3).toString('hex')}`, REDIS_URL: redis.url };
    const a = await startChild({ mode: 'api', config: shared });
    children.push(a);
    const [b, bare, bare2] = await Promise.all([startChild({ mode: 'api', config: { ...shared, MONGODB_URI: a.dbUri! } }), startChild({ mode: 'bare' }), startChild({ mode: 'bare' })]);
    children.push(b, bare, bare2);

    const { secretKey } = await a.call<{ orgId: string; secretKey: string }>({ cmd: 'createOrg', name: 'Presence Bench Clinic' });
    await request(a.url, 'PUT', '/v1/team', secretKey, { users: [{ id: 'maria', name: 'Maria Lopez', role: 'agent' }, { id: 'board', name: 'Board', role: 'agent' }] });
    const mint = async (id: string) => (await request(a.url, 'POST', '/v1/embed-tokens', secretKey, { user: { id, name: id, role: 'agent' }, ttlSeconds: 3600 })).token as string;
    const [actorToken, boardToken] = [await mint('maria'), await mint('board')];
    const leadId = (await request(a.url, 'POST', '/v1/leads', actorToken, { name: 'Bench Lead', phone: '+12125550100' })).lead.id as string;

    const round = new Round();
    sockets.push(...(await connectClients([a.url, b.url], boardToken, round)));
    const actor = connect(a.url, { auth: { token: actorToken }, transports: ['websocket'], forceNew: true, reconnection: false });
    sockets.push(actor);
    await new Promise<void>((resolve, reject) => actor.once('connect', () => resolve()).once('connect_error', reject));

    const api = { all: [] as number[], last: [] as number[], first: [] as number[] };
    for (let r = 0; r < ROUNDS + WARMUP; r++) {
      const activity = r % 2 ? 'calling' : 'viewing';
      const receipts = round.expect((p: { leadId: string; users: Array<{ id: string; activity: string }> }) => p.leadId === leadId && p.users[0]?.id === 'maria' && p.users[0].activity === activity);
      const t0 = performance.now();
      actor.emit('presence:set', { leadId, activity });
      const times = (await receipts).map((t) => t - t0);
      if (r >= WARMUP) {
        api.all.push(...times);
        api.last.push(Math.max(...times));
        api.first.push(Math.min(...times));
      }
      await pause(GAP_MS);
    }
    for (const s of sockets.splice(0)) s.disconnect();

    /** The floor: bare Socket.io servers, clients spread over `urls`, one POST /emit to each server at once. */
    const bareRounds = async (urls: string[]) => {
      const bareRound = new Round();
      const clients = await connectClients(urls, null, bareRound);
      const out = { all: [] as number[], last: [] as number[], first: [] as number[] };
      for (let r = 0; r < ROUNDS + WARMUP; r++) {
        const marker = randomBytes(6).toString('hex');
        const payload = { leadId: marker, users: [{ id: 'maria', name: 'Maria Lopez', activity: 'calling', since: new Date().toISOString() }] };
        const receipts = bareRound.expect((p: { leadId: string }) => p.leadId === marker);
        const t0 = performance.now();
        await Promise.all(urls.map((u) => fetch(`${u}/emit`, { method: 'POST', body: JSON.stringify({ event: 'presence:updated', payload }) })));
        const times = (await receipts).map((t) => t - t0);
        if (r >= WARMUP) {
          out.all.push(...times);
          out.last.push(Math.max(...times));
          out.first.push(Math.min(...times));
        }
        await pause(GAP_MS);
      }
      for (const c of clients) c.disconnect();
      return out;
    };
    const floor2 = await bareRounds([bare.url, bare2.url]);
    const floor1 = await bareRounds([bare.url]);

    const row = (label: string, m: typeof api, base?: typeof api) => {
      const all = stats(m.all);
      const last = stats(m.last);
      return {
        path: label,
        'receipt p50 ms': r2(all.p50),
        'receipt p95 ms': r2(all.p95),
        'last client p50 ms': r2(last.p50),
        'last client p95 ms': r2(last.p95),
        'first client p50 ms': r2(stats(m.first).p50),
        'p95 vs bare x2': base ? r2(all.p95 / stats(base.all).p95) : '',
        receipts: all.n,
      };
    };
    const rows = [
      row(`presence:set on A -> presence:updated, ${CLIENTS / 2} clients on A + ${CLIENTS / 2} on B (Redis store + adapter)`, api, floor2),
      row(`bare Socket.io x2: POST /emit to both -> io.emit, ${CLIENTS / 2} clients each (two processes, no Redis)`, floor2),
      row(`bare Socket.io x1: POST /emit -> io.emit to ${CLIENTS} clients (one process)`, floor1, floor2),
    ];
    report(`presence fan-out to ${CLIENTS} websocket clients, ${ROUNDS} rounds after ${WARMUP} warm-up (${((performance.now() - started) / 1000).toFixed(0)} s)`, rows);
    console.log(JSON.stringify({ bench: 'presence', clients: CLIENTS, rounds: ROUNDS, rows }));
  } finally {
    for (const s of sockets) s.disconnect();
    await Promise.all(children.map((c) => c.stop()));
    await redis.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bench((section, rows) => {
    console.log(`\n## ${section}`);
    console.table(rows);
  });
  process.exit(0);
}
