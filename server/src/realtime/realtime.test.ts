import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '../../../core/contracts.js';
import { startTestServer, leadBody, configureTelephony, eventually, type TestServer } from '../testing/harness.js';
import { freePort, startRedis } from '../testing/redis.js';

type Client = Socket<ServerToClientEvents, Record<string, never>>;
type Received = Array<{ event: string; payload: unknown; at: number }>;

function listen(url: string, token: string, opts: { reconnection?: boolean } = {}): { socket: Client; received: Received; connected: Promise<void> } {
  const socket: Client = connect(url, { auth: { token }, transports: ['websocket'], reconnection: opts.reconnection ?? false, reconnectionDelay: 100, reconnectionDelayMax: 300 });
  const received: Received = [];
  // Lead events only: every socket also gets presence:snapshot on connect (presence has its own tests, server/src/presence).
  socket.onAny((event, payload) => !event.startsWith('presence:') && received.push({ event, payload, at: Date.now() }));
  const connected = new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err) => reject(err));
  });
  return { socket, received, connected };
}

describe('realtime across API instances', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>;
  let a: TestServer;
  let b: TestServer;
  let portB: number;
  const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_test_rt_${randomBytes(3).toString('hex')}` };
  const sockets: Client[] = [];

  before(async () => {
    redis = await startRedis();
    a = await startTestServer({ ...shared, REDIS_URL: redis.url });
    portB = await freePort();
    // B shares A's database (the embedded engine of A, or the same real MongoDB) and the Redis bus.
    b = await startTestServer({ ...shared, REDIS_URL: redis.url, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri, PORT: portB });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => {
    await b?.closeKeepingData();
    await a?.close();
    await redis?.stop();
  });

  it('when a status changes on A, then a board connected to B sees it within a second', async () => {
    const { orgId } = await a.createOrg('RT Clinic');
    const token = await a.token(orgId, { role: 'admin' });
    const client = listen(b.url, token);
    sockets.push(client.socket);
    await client.connected;
    const lead = (await a.request('POST', '/v1/leads', { token, body: leadBody() })).body.lead;
    const started = Date.now();
    const res = await a.request('PATCH', `/v1/leads/${lead.id}`, { token, body: { status: 'qualified', expectedStatus: 'new' } });
    assert.equal(res.status, 200);
    const got = await eventually(
      async () => client.received.find((r) => r.event === 'lead:updated' && (r.payload as { lead: { id: string; leadStatus: string } }).lead.leadStatus === 'qualified'),
      1000,
      'lead:updated on B',
    );
    assert.ok(got.at - started < 1000);
    assert.equal((got.payload as { lead: { id: string } }).lead.id, lead.id);
  });

  it('when a Vapi webhook lands on A, then B\'s boards get call:updated, lead:scored and lead:hot', async () => {
    const { orgId } = await a.createOrg('Webhook Clinic');
    const token = await a.token(orgId, { role: 'admin' });
    await configureTelephony(a, token);
    const client = listen(b.url, token);
    sockets.push(client.socket);
    await client.connected;
    const lead = (await a.request('POST', '/v1/leads', { token, body: leadBody({ phone: '+12125550777' }) })).body.lead;
    a.sandbox!.control.nextCallScenario('hot');
    const res = await a.request('POST', `/v1/leads/${lead.id}/calls`, { token });
    assert.equal(res.status, 202, res.text);
    await a.sandbox!.control.idle();
    await eventually(async () => client.received.some((r) => r.event === 'lead:hot'), 3000, 'lead:hot');
    const events = client.received.map((r) => r.event);
    for (const e of ['call:updated', 'lead:scored', 'lead:hot', 'lead:updated']) assert.ok(events.includes(e), `${e} in ${events}`);
    const statuses = client.received.filter((r) => r.event === 'call:updated').map((r) => (r.payload as { call: { status: string } }).call.status);
    assert.ok(statuses.includes('ended'), String(statuses));
    const scored = client.received.find((r) => r.event === 'lead:scored')!.payload as { previousScore: number; score: number; breakdown: { rules: unknown[] } };
    assert.equal(scored.previousScore, 50);
    assert.ok(scored.score >= 80);
    assert.ok(scored.breakdown.rules.length > 1);
    const text = JSON.stringify(client.received);
    assert.ok(!/webhookSecret|authToken|apiKey/i.test(text), 'no secret in any payload');
  });

  it('when two clinics work at once, then neither ever receives the other\'s events', async () => {
    const x = await a.createOrg('Clinic X');
    const y = await a.createOrg('Clinic Y');
    const tokenX = await a.token(x.orgId, { role: 'admin' });
    const tokenY = await a.token(y.orgId, { role: 'admin' });
    const clientX = listen(b.url, tokenX);
    const clientY = listen(a.url, tokenY);
    sockets.push(clientX.socket, clientY.socket);
    await Promise.all([clientX.connected, clientY.connected]);
    // A client cannot ask to join another room: the server ignores whatever it sends.
    (clientX.socket as unknown as Socket).emit('join', `org:${y.orgId}`);
    const leadsX: string[] = [];
    const leadsY: string[] = [];
    for (let i = 0; i < 15; i++) {
      const server = i % 2 ? a : b;
      leadsX.push((await server.request('POST', '/v1/leads', { token: tokenX, body: leadBody({ name: `X ${i}`, phone: `+1212555${1000 + i}` }) })).body.lead.id);
      leadsY.push((await server.request('POST', '/v1/leads', { token: tokenY, body: leadBody({ name: `Y ${i}`, phone: `+1212555${2000 + i}` }) })).body.lead.id);
    }
    for (let i = 0; i < 15; i++) {
      await (i % 2 ? b : a).request('PATCH', `/v1/leads/${leadsX[i]}`, { token: tokenX, body: { status: 'contacted' } });
      await (i % 2 ? a : b).request('PATCH', `/v1/leads/${leadsY[i]}`, { token: tokenY, body: { status: 'lost', lostReason: 'no_response' } });
    }
    await eventually(async () => clientX.received.length >= 30 && clientY.received.length >= 30, 3000, 'all events');
    // The signal that nothing else is on its way: a last lead from each clinic through each instance. Each instance's
    // events leave in order, so once a client holds both markers, anything misrouted would have arrived before them.
    const nameOf = (r: { payload: unknown }) => (r.payload as { lead?: { name: string } }).lead?.name;
    for (const [server, name] of [[a, 'marker A'], [b, 'marker B']] as const) {
      leadsX.push((await server.request('POST', '/v1/leads', { token: tokenX, body: leadBody({ name: `X ${name}`, phone: `+1212555${name.endsWith('A') ? 1100 : 1101}` }) })).body.lead.id);
      leadsY.push((await server.request('POST', '/v1/leads', { token: tokenY, body: leadBody({ name: `Y ${name}`, phone: `+1212555${name.endsWith('A') ? 2100 : 2101}` }) })).body.lead.id);
    }
    await eventually(async () => ['X marker A', 'X marker B'].every((n) => clientX.received.some((r) => nameOf(r) === n)), 3000, "X's markers");
    await eventually(async () => ['Y marker A', 'Y marker B'].every((n) => clientY.received.some((r) => nameOf(r) === n)), 3000, "Y's markers");
    const idsSeenByX = clientX.received.map((r) => (r.payload as { lead?: { id: string } }).lead?.id);
    const idsSeenByY = clientY.received.map((r) => (r.payload as { lead?: { id: string } }).lead?.id);
    assert.equal(clientX.received.length, 32);
    assert.equal(clientY.received.length, 32);
    assert.ok(idsSeenByX.every((id) => id && leadsX.includes(id)), 'X saw only X');
    assert.ok(idsSeenByY.every((id) => id && leadsY.includes(id)), 'Y saw only Y');
  });

  it('when the token is missing, forged or expired, then the handshake is refused with a code the widget can act on', async () => {
    const { orgId } = await a.createOrg();
    const { TokenService } = await import('../auth/tokens.js');
    const pastClock = new TokenService(shared.TOKEN_SECRET, 900, () => new Date(Date.now() - 2 * 3600_000));
    const past = (await pastClock.mint(orgId, { id: 'u', name: 'U', role: 'agent' }, 60)).token;
    const forged = (await new TokenService('x'.repeat(40), 900).mint(orgId, { id: 'u', name: 'U', role: 'admin' })).token;
    const cases: Array<[string | undefined, string]> = [
      [undefined, 'UNAUTHENTICATED'],
      ['not.a.token', 'UNAUTHENTICATED'],
      [forged, 'UNAUTHENTICATED'],
      [past, 'TOKEN_EXPIRED'],
    ];
    for (const [token, code] of cases) {
      const socket: Client = connect(b.url, { auth: token ? { token } : {}, transports: ['websocket'], reconnection: false });
      sockets.push(socket);
      const err = await new Promise<Error & { data?: { code?: string } }>((resolve) => socket.once('connect_error', resolve));
      assert.equal(err.data?.code, code, `token ${String(token).slice(0, 10)}`);
      assert.equal(socket.connected, false);
    }
  });

  it('when B restarts, then its clients reconnect and receive new events', async () => {
    const { orgId } = await a.createOrg('Restart Clinic');
    const token = await a.token(orgId, { role: 'admin' }, 3600);
    const client = listen(b.url, token, { reconnection: true });
    sockets.push(client.socket);
    await client.connected;
    let reconnects = 0;
    client.socket.io.on('reconnect', () => reconnects++);
    await b.closeKeepingData();
    b = await startTestServer({ ...shared, REDIS_URL: redis.url, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri, PORT: portB });
    await eventually(async () => client.socket.connected && reconnects > 0, 5000, 'reconnect');
    const lead = (await a.request('POST', '/v1/leads', { token, body: leadBody({ phone: '+12125550888' }) })).body.lead;
    await eventually(async () => client.received.some((r) => r.event === 'lead:updated' && (r.payload as { lead: { id: string } }).lead.id === lead.id), 2000, 'event after restart');
  });
});
