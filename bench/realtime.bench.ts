/**
 * Realtime benchmark (issue #5): 500 socket.io-client clients (websocket transport, one organisation, real embed
 * tokens) on one API instance.
 *
 * - Latency: from sending the request that triggers a change (a PATCH status change through the API; a signed Vapi
 *   `status-update` webhook for a real call record placed through the API and the telephony sandbox) to the LAST of the
 *   500 clients receiving its event (`lead:updated`, `call:updated`), p50/p95 over ROUNDS rounds. Next to each, a bare
 *   Socket.io server (another port) that gets the same payload by HTTP POST and does `io.emit` to the same 500 clients;
 *   the ratio API/bare. Rounds alternate API and bare. "first" = the first client's receipt, "http" = when this process
 *   read the trigger's HTTP response (with one instance it is read after the 500 frames, on the same event loop).
 * - Memory per client: each server runs in a child process (bench/realtime-server.ts, `node --expose-gc`); the child
 *   runs global.gc() and reports process.memoryUsage() over IPC before and after the 500 clients connect:
 *   (after - before) / 500 for heapUsed and RSS.
 * - Two instances with Redis (if redis-server is installed): the webhook/PATCH goes to A, the 500 clients are on B,
 *   B shares A's database (the embedded engine's URI) and the Redis bus (startRedis()).
 *
 * The clients and the timer live in this process, the servers in children: on a 2-core machine one core each.
 *
 *   npx tsx bench/realtime.bench.ts        (alone)
 *   npm run bench -- realtime              (through bench/run.ts)
 *
 * Prints figures; never asserts thresholds. About a minute on a small 2-core machine.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { io as connect, type Socket } from 'socket.io-client';
import { startRedis } from '../server/src/testing/redis.js';
import type { ChildMemory } from './realtime-server.js';
import { startChild, type Child } from './child.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const CLIENTS = 500;
const ROUNDS = 50;
const REDIS_ROUNDS = 30;
const WARMUP_ROUNDS = 5;
const CONNECT_CONCURRENCY = 25;
const ROUND_TIMEOUT_MS = 15_000;

const r2 = (x: number) => Number(x.toFixed(2));

// ---------------------------------------------------------------------------------------------------------------------
// Child servers


// ---------------------------------------------------------------------------------------------------------------------
// 500 clients and "every client got it" tracking

type Pred = (payload: unknown) => boolean;

class Fanout {
  private round = 0;
  private readonly seen: Int32Array;
  private event = '';
  private pred: Pred | null = null;
  private count = 0;
  private first = 0;
  private done: ((r: { first: number; last: number; payload: unknown }) => void) | null = null;
  private firstPayload: unknown = null;
  constructor(readonly n: number) {
    this.seen = new Int32Array(n);
  }
  /** Call BEFORE triggering: resolves when all n clients have received a matching event. */
  expect(event: string, pred: Pred): Promise<{ first: number; last: number; payload: unknown }> {
    this.round++;
    this.event = event;
    this.pred = pred;
    this.count = 0;
    this.firstPayload = null;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.count}/${this.n} clients got ${event} within ${ROUND_TIMEOUT_MS} ms`)), ROUND_TIMEOUT_MS);
      this.done = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
    });
  }
  hit(client: number, event: string, payload: unknown) {
    if (!this.pred || event !== this.event || this.seen[client] === this.round || !this.pred(payload)) return;
    this.seen[client] = this.round;
    const now = performance.now();
    if (++this.count === 1) {
      this.first = now;
      this.firstPayload = payload;
    }
    if (this.count === this.n) {
      this.pred = null;
      this.done?.({ first: this.first, last: now, payload: this.firstPayload });
    }
  }
}

async function connectClients(url: string, token: string | null, fanout: Fanout): Promise<Socket[]> {
  const sockets: Socket[] = new Array(CLIENTS);
  let next = 0;
  async function worker() {
    while (next < CLIENTS) {
      const i = next++;
      const socket = connect(url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        timeout: 20_000,
        ...(token ? { auth: { token } } : {}),
      });
      for (const event of ['lead:updated', 'call:updated']) socket.on(event, (payload: unknown) => fanout.hit(i, event, payload));
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('connect_error', (err) => reject(err));
      });
      sockets[i] = socket;
    }
  }
  await Promise.all(Array.from({ length: CONNECT_CONCURRENCY }, worker));
  return sockets;
}

// ---------------------------------------------------------------------------------------------------------------------
// HTTP helpers (fetch keeps its connections alive)

async function request(base: string, method: string, path: string, opts: { token?: string; body?: string; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const res = await fetch(`${base}${path}`, { method, headers, body: opts.body });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) as Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

function expectStatus(res: { status: number; text: string }, status: number, what: string) {
  if (res.status !== status) throw new Error(`${what}: ${res.status} ${res.text.slice(0, 300)}`);
}

const vapiHeaders = (secret: string, body: string) => {
  const ts = String(Math.floor(Date.now() / 1000));
  return { 'x-timestamp': ts, 'x-signature': createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex') };
};

const hex24 = () => randomBytes(12).toString('hex');

// ---------------------------------------------------------------------------------------------------------------------
// One scenario: an organisation on instance `a` (requests), clients on `b` (the same instance, or another one)

interface Org {
  orgId: string;
  token: string;
  secret: string;
  patchLeads: string[];
  callLeads: string[];
}

async function setupOrg(a: Child, rounds: number): Promise<Org> {
  const { orgId, secretKey } = await a.call<{ orgId: string; secretKey: string }>({ cmd: 'createOrg', name: 'Realtime Bench Clinic' });
  const mint = await request(a.url, 'POST', '/v1/embed-tokens', {
    token: secretKey,
    body: JSON.stringify({ user: { id: 'admin-1', name: 'Ada Admin', role: 'admin' }, ttlSeconds: 3600 }),
  });
  expectStatus(mint, 201, 'token mint');
  const token = mint.json().token as string;
  expectStatus(
    await request(a.url, 'PUT', '/v1/agents/outbound', {
      token,
      body: JSON.stringify({
        name: 'Riley',
        voice: 'Elliot',
        systemPrompt: 'You are Riley, calling on behalf of the clinic to follow up on an enquiry and offer a consultation.',
        firstMessage: 'Hi, this is Riley, an AI assistant calling from the clinic. Is now a good time?',
      }),
    }),
    200,
    'agent setup',
  );
  expectStatus(
    await request(a.url, 'POST', '/v1/telephony/twilio', {
      token,
      body: JSON.stringify({ accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'sandbox-auth-token-0123456789', phoneNumber: '+15005550006' }),
    }),
    200,
    'twilio import',
  );
  const secret = await a.call<string | null>({ cmd: 'webhookSecret', orgId });
  if (!secret) throw new Error('no webhook secret');
  const patchLeads: string[] = [];
  const callLeads: string[] = [];
  for (let i = 0; i < rounds + WARMUP_ROUNDS; i++) {
    for (const [list, phone, name] of [
      [patchLeads, `+1646555${String(1000 + i).padStart(4, '0')}`, `Patricia Patch ${i}`],
      [callLeads, `+1212555${String(100 + i).padStart(4, '0')}`, `Carla Caller ${i}`],
    ] as const) {
      const res = await request(a.url, 'POST', '/v1/leads', {
        token,
        body: JSON.stringify({ name, phone, email: `lead${i}@example.com`, services: ['Botox'], leadScore: 60 }),
      });
      expectStatus(res, 201, 'lead create');
      list.push(res.json().lead.id as string);
    }
  }
  return { orgId, token, secret, patchLeads, callLeads };
}

interface Sample {
  last: number;
  first: number;
  http: number;
}

function stats(samples: Sample[]) {
  const q = (xs: number[], p: number) => {
    const s = [...xs].sort((x, y) => x - y);
    return s[Math.min(s.length - 1, Math.floor(s.length * p))] ?? NaN;
  };
  const last = samples.map((s) => s.last);
  return { p50: q(last, 0.5), p95: q(last, 0.95), first50: q(samples.map((s) => s.first), 0.5), http50: q(samples.map((s) => s.http), 0.5), n: samples.length };
}

/** Times one trigger: from just before the request to the last client's receipt. */
async function timed(fanout: Fanout, event: string, pred: Pred, trigger: () => Promise<void>): Promise<Sample & { payload: unknown }> {
  const all = fanout.expect(event, pred);
  const t0 = performance.now();
  await trigger();
  const http = performance.now() - t0;
  const { first, last, payload } = await all;
  return { first: first - t0, last: last - t0, http, payload };
}

async function runRounds(a: Child, bare: Child | null, org: Org, fanout: Fanout, rounds: number) {
  const out = { patch: [] as Sample[], vapi: [] as Sample[], barePatch: [] as Sample[], bareVapi: [] as Sample[] };
  for (let r = 0; r < rounds + WARMUP_ROUNDS; r++) {
    const keep = r >= WARMUP_ROUNDS;

    // 1. A status change through the API.
    const leadId = org.patchLeads[r]!;
    const patch = await timed(
      fanout,
      'lead:updated',
      (p) => (p as { lead: { id: string; leadStatus: string } }).lead.id === leadId && (p as { lead: { leadStatus: string } }).lead.leadStatus === 'contacted',
      async () => expectStatus(await request(a.url, 'PATCH', `/v1/leads/${leadId}`, { token: org.token, body: JSON.stringify({ status: 'contacted', expectedStatus: 'new' }) }), 200, 'PATCH'),
    );
    if (keep) out.patch.push(patch);

    // 1b. The same payload, raw io.emit.
    if (bare) {
      const marker = hex24();
      const payload = { lead: { ...(patch.payload as { lead: object }).lead, id: marker } };
      const s = await timed(fanout, 'lead:updated', (p) => (p as { lead: { id: string } }).lead.id === marker, async () =>
        expectStatus(await request(bare.url, 'POST', '/emit', { body: JSON.stringify({ event: 'lead:updated', payload }) }), 204, 'bare emit'),
      );
      if (keep) out.barePatch.push(s);
    }

    // 2. A real call record (placed through the API and the sandbox; it stays queued), then its signed Vapi
    //    status-update webhook: ringing. Wait until every client has the queued call first.
    const callLead = org.callLeads[r]!;
    let callId = '';
    const queued = fanout.expect('call:updated', (p) => (p as { call: { contactId: string } }).call.contactId === callLead);
    const placed = await request(a.url, 'POST', `/v1/leads/${callLead}/calls`, { token: org.token });
    expectStatus(placed, 202, 'place call');
    const call = placed.json().call as { id: string; vapiCallId: string };
    callId = call.id;
    await queued;
    const body = JSON.stringify({ message: { type: 'status-update', status: 'ringing', call: { id: call.vapiCallId } } });
    const vapi = await timed(
      fanout,
      'call:updated',
      (p) => (p as { call: { id: string; status: string } }).call.id === callId && (p as { call: { status: string } }).call.status === 'ringing',
      async () => {
        const res = await request(a.url, 'POST', '/webhooks/vapi', { body, headers: vapiHeaders(org.secret, body) });
        expectStatus(res, 200, 'vapi webhook');
        if (res.json().duplicate) throw new Error('vapi webhook treated as duplicate');
      },
    );
    if (keep) out.vapi.push(vapi);

    if (bare) {
      const marker = hex24();
      const payload = { call: { ...(vapi.payload as { call: object }).call, id: marker } };
      const s = await timed(fanout, 'call:updated', (p) => (p as { call: { id: string } }).call.id === marker, async () =>
        expectStatus(await request(bare.url, 'POST', '/emit', { body: JSON.stringify({ event: 'call:updated', payload }) }), 204, 'bare emit'),
      );
      if (keep) out.bareVapi.push(s);
    }
  }
  return out;
}

function memRow(label: string, before: ChildMemory, after: ChildMemory) {
  return {
    server: label,
    'heapUsed before MB': r2(before.heapUsed / 2 ** 20),
    'heapUsed after MB': r2(after.heapUsed / 2 ** 20),
    'heapUsed KB/client': r2((after.heapUsed - before.heapUsed) / CLIENTS / 1024),
    'rss before MB': r2(before.rss / 2 ** 20),
    'rss after MB': r2(after.rss / 2 ** 20),
    'rss KB/client': r2((after.rss - before.rss) / CLIENTS / 1024),
    'external+ab KB/client': r2((after.external - before.external) / CLIENTS / 1024),
    gc: after.gc ? 'global.gc' : 'no gc',
  };
}

function latencyRow(label: string, s: Sample[], floor?: Sample[]) {
  const a = stats(s);
  const b = floor ? stats(floor) : null;
  return {
    trigger: label,
    'last client p50 ms': r2(a.p50),
    'last client p95 ms': r2(a.p95),
    'first client p50 ms': r2(a.first50),
    'http response p50 ms': r2(a.http50),
    'bare io.emit p50 ms': b ? r2(b.p50) : '',
    'bare io.emit p95 ms': b ? r2(b.p95) : '',
    'bare first client p50 ms': b ? r2(b.first50) : '',
    'ratio p50 (api/bare)': b ? r2(a.p50 / b.p50) : '',
    'ratio p95 (api/bare)': b ? r2(a.p95 / b.p95) : '',
    rounds: a.n,
  };
}

function disconnectAll(sockets: Socket[]) {
  for (const s of sockets) s?.disconnect();
}

// ---------------------------------------------------------------------------------------------------------------------

export default async function bench(report: Report): Promise<void> {
  const children: Child[] = [];
  const sockets: Socket[] = [];
  const memRows: Array<Record<string, string | number>> = [];
  const latRows: Array<Record<string, string | number>> = [];
  const started = performance.now();
  let redis: Awaited<ReturnType<typeof startRedis>> | null = null;
  try {
    const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_bench_rt_${randomBytes(3).toString('hex')}` };

    // --- one instance ---------------------------------------------------------------------------------------------
    const [api, bare] = await Promise.all([startChild({ mode: 'api', config: shared }), startChild({ mode: 'bare' })]);
    children.push(api, bare);
    const org = await setupOrg(api, ROUNDS);
    const fanout = new Fanout(CLIENTS);

    const apiBefore = await api.call<ChildMemory>({ cmd: 'memory' });
    const tApi = performance.now();
    const apiSockets = await connectClients(api.url, org.token, fanout);
    const apiConnectMs = performance.now() - tApi;
    sockets.push(...apiSockets);
    await new Promise((r) => setTimeout(r, 300));
    const apiAfter = await api.call<ChildMemory>({ cmd: 'memory' });

    const bareBefore = await bare.call<ChildMemory>({ cmd: 'memory' });
    const tBare = performance.now();
    const bareSockets = await connectClients(bare.url, null, fanout);
    const bareConnectMs = performance.now() - tBare;
    sockets.push(...bareSockets);
    await new Promise((r) => setTimeout(r, 300));
    const bareAfter = await bare.call<ChildMemory>({ cmd: 'memory' });
    memRows.push({ ...memRow('API (startServer, auth + org room)', apiBefore, apiAfter), 'connect 500 s': r2(apiConnectMs / 1000) });
    memRows.push({ ...memRow('bare socket.io Server', bareBefore, bareAfter), 'connect 500 s': r2(bareConnectMs / 1000) });

    // The Fanout counts one receipt per client index: the API clients are 0..499 and the bare clients are the same
    // indexes, so each round waits for the 500 clients of the server it triggered.
    const single = await runRounds(api, bare, org, fanout, ROUNDS);
    latRows.push(latencyRow('1 instance: PATCH status -> lead:updated', single.patch, single.barePatch));
    latRows.push(latencyRow('1 instance: signed Vapi status-update -> call:updated', single.vapi, single.bareVapi));
    disconnectAll(sockets.splice(0));
    await Promise.all(children.splice(0).map((c) => c.stop()));

    // --- two instances with Redis ------------------------------------------------------------------------------------
    let redisNote = '';
    try {
      execFileSync(process.env.REDIS_SERVER_BIN ?? 'redis-server', ['--version'], { stdio: 'ignore' });
      redis = await startRedis();
    } catch (err) {
      redisNote = `skipped: ${(err as Error).message.split('\n')[0]}`;
    }
    if (redis) {
      const a = await startChild({ mode: 'api', config: { ...shared, MONGODB_DB: `${shared.MONGODB_DB}_r`, REDIS_URL: redis.url } });
      children.push(a);
      const b = await startChild({ mode: 'api', config: { ...shared, MONGODB_DB: `${shared.MONGODB_DB}_r`, REDIS_URL: redis.url, MONGODB_URI: a.dbUri! } });
      children.push(b);
      const orgR = await setupOrg(a, REDIS_ROUNDS);
      const fanoutR = new Fanout(CLIENTS);
      sockets.push(...(await connectClients(b.url, orgR.token, fanoutR)));
      const two = await runRounds(a, null, orgR, fanoutR, REDIS_ROUNDS);
      const oneP = stats(single.patch).p50;
      const oneV = stats(single.vapi).p50;
      latRows.push({ ...latencyRow('2 instances + Redis (request on A, clients on B): PATCH', two.patch), 'vs 1 instance p50': r2(stats(two.patch).p50 / oneP) });
      latRows.push({ ...latencyRow('2 instances + Redis (request on A, clients on B): Vapi webhook', two.vapi), 'vs 1 instance p50': r2(stats(two.vapi).p50 / oneV) });
    } else {
      latRows.push({ trigger: `2 instances + Redis: ${redisNote}` });
    }

    report('realtime: server memory per connected client (server in a child process, node --expose-gc, read over IPC)', memRows);
    report(
      `realtime: trigger -> LAST of ${CLIENTS} websocket clients (one org), p50/p95 over ${ROUNDS} rounds (${REDIS_ROUNDS} with Redis) after ${WARMUP_ROUNDS} warm-up; ` +
        `bare = POST /emit -> io.emit of the same payload on a bare Socket.io server (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      latRows,
    );
  } finally {
    disconnectAll(sockets);
    await Promise.all(children.map((c) => c.stop()));
    await redis?.stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bench((section, rows) => {
    console.log(`\n## ${section}`);
    console.table(rows);
  });
  process.exit(0);
}
