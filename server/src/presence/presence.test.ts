import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../core/contracts.js';
import type { PresenceAck, PresenceUpdate } from '../../../core/team.js';
import { eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';
import { freePort, startRedis } from '../testing/redis.js';

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;
interface Board {
  socket: Client;
  updates: Array<PresenceUpdate & { at: number }>;
  snapshots: Array<{ entries: PresenceUpdate[] }>;
  /** The users on a lead by the last update (or the snapshot before any). */
  on(leadId: string): PresenceUpdate['users'] | undefined;
  set(leadId: string, activity: 'viewing' | 'calling'): Promise<PresenceAck>;
  send(event: string, payload: unknown): Promise<PresenceAck>;
}

const sockets: Client[] = [];

async function board(url: string, token: string): Promise<Board> {
  const socket: Client = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  sockets.push(socket);
  const updates: Board['updates'] = [];
  const snapshots: Board['snapshots'] = [];
  socket.on('presence:updated', (u) => updates.push({ ...u, at: Date.now() }));
  socket.on('presence:snapshot', (s) => snapshots.push(s));
  await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
  const send = (event: string, payload: unknown) =>
    new Promise<PresenceAck>((resolve) => (socket as unknown as Socket).emit(event, payload, (reply: PresenceAck) => resolve(reply)));
  return {
    socket,
    updates,
    snapshots,
    on(leadId) {
      const last = [...updates].reverse().find((u) => u.leadId === leadId);
      return last ? last.users : snapshots.at(-1)?.entries.find((e) => e.leadId === leadId)?.users;
    },
    set: (leadId, activity) => send('presence:set', { leadId, activity }),
    send,
  };
}

const ROSTER = [
  { id: 'maria', name: 'Maria Lopez', role: 'agent' },
  { id: 'sam', name: 'Sam Patel', role: 'agent' },
];

async function clinic(server: TestServer) {
  const { orgId, secretKey } = await server.createOrg(`Presence Clinic ${randomBytes(2).toString('hex')}`);
  assert.equal((await server.request('PUT', '/v1/team', { token: secretKey, body: { users: ROSTER } })).status, 200);
  const maria = await server.token(orgId, { id: 'maria', name: 'M.', role: 'agent' }, 3600);
  const sam = await server.token(orgId, { id: 'sam', name: 'S.', role: 'agent' }, 3600);
  const lead = (await server.request('POST', '/v1/leads', { token: sam, body: leadBody({ phone: `+1646555${String(Math.floor(Math.random() * 9000) + 1000)}` }) })).body.lead as { id: string };
  return { orgId, maria, sam, lead };
}

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

describe('presence on one instance', () => {
  let server: TestServer;
  let fast: TestServer;
  before(async () => {
    server = await startTestServer();
    // A short TTL, so "no heartbeat" expires within the test.
    fast = await startTestServer({ PRESENCE_TTL_MS: 700 });
  });
  after(async () => {
    await server?.close();
    await fast?.close();
  });

  it('when Maria opens a lead, then Sam\'s board sees "viewing" within a second, then "calling", and a new tab gets the snapshot', async () => {
    const { maria, sam, lead } = await clinic(server);
    const a = await board(server.url, maria);
    const b = await board(server.url, sam);
    await eventually(async () => b.snapshots.length === 1, 1000, 'the snapshot on connect');
    assert.deepEqual(b.snapshots[0], { entries: [] });
    const started = Date.now();
    assert.deepEqual(await a.set(lead.id, 'viewing'), { ok: true });
    const seen = await eventually(async () => b.updates.find((u) => u.leadId === lead.id && u.users.length === 1), 1000, 'viewing on B');
    assert.ok(seen.at - started < 1000);
    assert.deepEqual(seen.users.map((u) => [u.id, u.name, u.activity]), [['maria', 'Maria Lopez', 'viewing']]);
    assert.ok(Math.abs(Date.parse(seen.users[0]!.since) - started) < 1000);
    await a.set(lead.id, 'calling');
    await eventually(async () => b.on(lead.id)?.[0]?.activity === 'calling', 1000, 'calling on B');
    // A heartbeat (the same activity again) keeps `since` and publishes nothing new.
    const since = b.on(lead.id)![0]!.since;
    await new Promise((r) => setTimeout(r, 400)); // past the settle re-publication
    const count = b.updates.length;
    await a.set(lead.id, 'calling');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(b.updates.length, count, 'a heartbeat is silent');
    const c = await board(server.url, sam);
    await eventually(async () => c.snapshots.length === 1, 1000, 'snapshot');
    assert.deepEqual(c.snapshots[0]!.entries, [{ leadId: lead.id, users: [{ id: 'maria', name: 'Maria Lopez', activity: 'calling', since }] }]);
    // Sam opening it too: both are listed, the earlier first.
    await b.set(lead.id, 'viewing');
    await eventually(async () => c.on(lead.id)?.length === 2, 1000, 'two users');
    assert.deepEqual(c.on(lead.id)!.map((u) => `${u.id}:${u.activity}`), ['maria:calling', 'sam:viewing']);
  });

  it('when the tab closes, then its entries are cleared at once; presence:clear clears one lead', async () => {
    const { maria, sam, lead } = await clinic(server);
    const a = await board(server.url, maria);
    const b = await board(server.url, sam);
    await a.set(lead.id, 'viewing');
    await eventually(async () => b.on(lead.id)?.length === 1, 1000, 'viewing');
    assert.deepEqual(await a.send('presence:clear', { leadId: lead.id }), { ok: true });
    await eventually(async () => b.on(lead.id)?.length === 0, 1000, 'cleared');
    await a.set(lead.id, 'calling');
    await eventually(async () => b.on(lead.id)?.length === 1, 1000, 'calling');
    const closed = Date.now();
    a.socket.disconnect();
    const gone = await eventually(async () => b.updates.find((u) => u.leadId === lead.id && u.users.length === 0 && u.at >= closed), 1000, 'cleared on close');
    assert.ok(gone.at - closed < 1000, 'well within the 30 s TTL');
    const c = await board(server.url, sam);
    await eventually(async () => c.snapshots.length === 1, 1000, 'snapshot');
    assert.deepEqual(c.snapshots[0]!.entries, []);
  });

  it('when a tab stops sending heartbeats, then its entry expires after the TTL; while it sends them, it stays', async () => {
    const { maria, sam, lead } = await clinic(fast);
    const a = await board(fast.url, maria);
    const b = await board(fast.url, sam);
    const started = Date.now();
    await a.set(lead.id, 'viewing');
    for (let i = 0; i < 8; i++) {
      await new Promise((r) => setTimeout(r, 200));
      await a.set(lead.id, 'viewing'); // heartbeat
    }
    assert.ok(Date.now() - started > 1500, 'longer than two TTLs');
    assert.equal(b.on(lead.id)?.length, 1, 'still there with heartbeats');
    const lastBeat = Date.now();
    const gone = await eventually(async () => b.updates.find((u) => u.leadId === lead.id && u.users.length === 0), 3000, 'expiry');
    assert.ok(gone.at - lastBeat >= 600, `expired ${gone.at - lastBeat} ms after the last heartbeat (TTL 700)`);
    assert.ok(a.socket.connected, 'the tab is still connected: the TTL removed it');
  });

  it('when a payload is bad, then it is refused with an ack error and the socket keeps working', async () => {
    const { maria, sam, lead } = await clinic(server);
    const a = await board(server.url, maria);
    const b = await board(server.url, sam);
    for (const payload of ['x', null, { leadId: 'nope', activity: 'viewing' }, { leadId: lead.id, activity: 'dancing' }, { leadId: lead.id, activity: 'viewing', extra: 1 }]) {
      const reply = await a.send('presence:set', payload);
      assert.equal(reply.ok, false);
      assert.equal(!reply.ok && reply.error.code, 'INVALID_PRESENCE', JSON.stringify(payload));
    }
    (a.socket as unknown as Socket).emit('presence:set', { leadId: 42 }); // no ack: ignored silently
    (a.socket as unknown as Socket).emit('presence:set');
    assert.deepEqual(await a.set(lead.id, 'viewing'), { ok: true });
    await eventually(async () => b.on(lead.id)?.length === 1, 1000, 'a good one after the bad ones');
    assert.ok(a.socket.connected);
  });

  it('when another clinic names this clinic\'s lead, then it is ignored and nobody hears of it', async () => {
    const x = await clinic(server);
    const y = await clinic(server);
    const xBoard = await board(server.url, x.sam);
    const yBoard = await board(server.url, y.maria);
    const spy = await board(server.url, y.sam);
    const reply = await yBoard.set(x.lead.id, 'calling');
    assert.deepEqual(reply, { ok: false, error: { code: 'LEAD_NOT_FOUND', message: 'There is no such lead in this clinic.' } });
    // The clinic's own presence still flows, and only to its own boards.
    await yBoard.set(y.lead.id, 'viewing');
    await eventually(async () => spy.on(y.lead.id)?.length === 1, 1000, "Y's own presence");
    await new Promise((r) => setTimeout(r, 400));
    assert.deepEqual(xBoard.updates, [], 'X hears nothing');
    assert.ok(spy.updates.every((u) => u.leadId === y.lead.id));
    const xNew = await board(server.url, x.maria);
    await eventually(async () => xNew.snapshots.length === 1, 1000, 'snapshot');
    assert.deepEqual(xNew.snapshots[0]!.entries, []);
  });
});

describe('presence across two instances on one Redis', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: TestServer;
  let b: TestServer;
  const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_test_pr_${randomBytes(3).toString('hex')}`, PRESENCE_TTL_MS: 1000 };

  before(async () => {
    redis = await startRedis();
    a = await startTestServer({ ...shared, REDIS_URL: redis.url });
    b = await startTestServer({ ...shared, REDIS_URL: redis.url, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri, PORT: await freePort() });
  });
  after(async () => {
    for (const s of sockets.splice(0)) s.disconnect();
    await b?.closeKeepingData();
    await a?.close();
    await redis?.stop();
  });

  it('when Maria is on a lead through A, then boards on B see it, a new tab on B gets it in the snapshot, and her closed tab clears it on B', async () => {
    const { maria, sam, lead } = await clinic(a);
    const onA = await board(a.url, maria);
    const onB = await board(b.url, sam);
    const started = Date.now();
    await onA.set(lead.id, 'calling');
    const seen = await eventually(async () => onB.updates.find((u) => u.leadId === lead.id && u.users.length === 1), 1000, 'on B');
    assert.ok(seen.at - started < 1000);
    assert.deepEqual(seen.users.map((u) => [u.id, u.name, u.activity]), [['maria', 'Maria Lopez', 'calling']]);
    const late = await board(b.url, sam);
    await eventually(async () => late.snapshots.length === 1, 1000, 'snapshot on B');
    assert.deepEqual(late.snapshots[0]!.entries.map((e) => [e.leadId, e.users[0]!.id]), [[lead.id, 'maria']]);
    // Sam on B joins: A's tab sees both.
    await onB.set(lead.id, 'viewing');
    await eventually(async () => onA.on(lead.id)?.length === 2, 1000, 'both on A');
    const closed = Date.now();
    onA.socket.disconnect();
    const gone = await eventually(async () => late.updates.find((u) => u.leadId === lead.id && u.at >= closed && u.users.length === 1), 1000, 'Maria gone on B');
    assert.deepEqual(gone.users.map((u) => u.id), ['sam']);
  });

  it('when a tab on A stops its heartbeats, then B announces nothing stale: the entry expires for everyone', async () => {
    const { maria, sam, lead } = await clinic(a);
    const onA = await board(a.url, maria);
    const onB = await board(b.url, sam);
    await onA.set(lead.id, 'viewing');
    await eventually(async () => onB.on(lead.id)?.length === 1, 1000, 'on B');
    const set = Date.now();
    const gone = await eventually(async () => onB.updates.find((u) => u.leadId === lead.id && u.users.length === 0), 4000, 'expiry on B');
    assert.ok(gone.at - set >= 900, `expired after ${gone.at - set} ms (TTL 1000)`);
    // Exactly one instance announced the expiry (the store's remove is atomic): one empty update (plus its settle copy).
    await new Promise((r) => setTimeout(r, 600));
    const empties = onB.updates.filter((u) => u.leadId === lead.id && u.users.length === 0);
    assert.ok(empties.length <= 2, `${empties.length} empty updates`);
    const fresh = await board(b.url, sam);
    await eventually(async () => fresh.snapshots.length === 1, 1000, 'snapshot');
    assert.deepEqual(fresh.snapshots[0]!.entries, []);
  });
});
