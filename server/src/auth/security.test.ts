/**
 * The attack findings of issue 11 that sit in authentication, realtime and HTTP handling: each test failed on the code
 * before the fix (socket kept after expiry, socket origin per clinic, tokens without exp/iat, plain-text 405/501,
 * a reused Idempotency-Key with another text, no rate limits).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { io as connect, type Socket } from 'socket.io-client';
import { createLogger } from '../log.js';
import { TokenService } from './tokens.js';
import { startTestServer, leadBody, configureTelephony, eventually, type TestServer } from '../testing/harness.js';
import { startRedis } from '../testing/redis.js';

type Refusal = Error & { data?: { code?: string; retryAfterSeconds?: number } };

function socketTo(url: string, token: string, headers: Record<string, string> = {}): Socket {
  return connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, extraHeaders: headers });
}

function outcome(socket: Socket): Promise<'connected' | Refusal> {
  return new Promise((resolve) => {
    socket.once('connect', () => resolve('connected'));
    socket.once('connect_error', (err) => resolve(err as Refusal));
  });
}

/** A raw request (fetch refuses TRACE), returning status, headers and the parsed body. */
function raw(url: string, method: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security: tokens, sockets, error shapes, idempotency', () => {
  let server: TestServer;
  const logLines: string[] = [];
  const sockets: Socket[] = [];

  before(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        logLines.push(String(chunk));
        done();
      },
    });
    server = await startTestServer({ LOG_LEVEL: 'info' }, { logger: createLogger('info', sink) });
  });
  afterEach(() => {
    for (const s of sockets.splice(0)) s.disconnect();
  });
  after(async () => {
    await server?.close();
  });

  /** A correctly signed token with whatever claims the test wants. */
  const signed = (claims: Record<string, unknown>, edit: (jwt: SignJWT) => SignJWT) =>
    edit(new SignJWT({ role: 'agent', name: 'Eve', ...claims }).setProtectedHeader({ alg: 'HS256' }).setIssuer('live-leads').setAudience('live-leads-widget').setSubject('u1')).sign(
      new TextEncoder().encode(server.config.TOKEN_SECRET!),
    );

  describe('when a socket\'s token expires while it is connected', () => {
    it('then the server tells it the session expired and disconnects it, and it receives nothing after', async () => {
      const { orgId } = await server.createOrg('Expiry Clinic');
      const admin = await server.token(orgId, { role: 'admin' });
      // Minted 58 s in the past with the shortest lifetime (60 s): it expires about 2 s from now.
      const early = new TokenService(server.config.TOKEN_SECRET!, 900, () => new Date(Date.now() - 58_000));
      const { token, expiresAt } = await early.mint(orgId, { id: 'u', name: 'U', role: 'agent' }, 60);
      const socket = socketTo(server.url, token);
      sockets.push(socket);
      const events: Array<{ event: string; at: number }> = [];
      socket.onAny((event) => events.push({ event, at: Date.now() }));
      let expired: { code?: string } | undefined;
      socket.on('session:expired', (p) => (expired = p));
      let disconnectReason = '';
      socket.on('disconnect', (reason) => (disconnectReason = reason));
      assert.equal(await outcome(socket), 'connected');
      await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: '+12125550301' }) });
      await eventually(async () => events.some((e) => e.event === 'lead:updated'), 2000, 'an event before expiry');
      await eventually(async () => disconnectReason !== '', 5000, 'disconnect at expiry');
      assert.deepEqual(expired && { code: expired.code }, { code: 'TOKEN_EXPIRED' });
      assert.equal(disconnectReason, 'io server disconnect');
      assert.ok(Date.now() >= expiresAt.getTime() - 50, 'not before the token expired');
      const before = events.length;
      await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: '+12125550302' }) });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(events.length, before, 'no event reaches an expired socket');
      assert.equal((await server.request('GET', '/v1/leads', { token })).body.error.code, 'TOKEN_EXPIRED', 'REST refuses the same token');
      // Reconnecting with the old token is refused with the code the widget answers by refreshing.
      const again = socketTo(server.url, token);
      sockets.push(again);
      assert.equal(((await outcome(again)) as Refusal).data?.code, 'TOKEN_EXPIRED');
    });
  });

  describe('when a socket handshake comes from a page', () => {
    it('then only the token\'s own clinic\'s embed origins are accepted, as on REST', async () => {
      const a = await server.createOrg('Origin A', { allowedOrigins: ['https://a.example'] });
      await server.createOrg('Origin B', { allowedOrigins: ['https://b.example'] });
      const token = await server.token(a.orgId);
      const foreign = socketTo(server.url, token, { Origin: 'https://b.example' });
      sockets.push(foreign);
      const refused = (await outcome(foreign)) as Refusal;
      assert.equal(refused.data?.code, 'ORIGIN_NOT_ALLOWED');
      assert.match(refused.message, /https:\/\/b\.example is not an allowed embed origin of Origin A/);
      const rest = await server.request('GET', '/v1/leads', { token, headers: { origin: 'https://b.example' } });
      assert.equal(rest.body.error.code, 'ORIGIN_NOT_ALLOWED');
      const own = socketTo(server.url, token, { Origin: 'https://a.example' });
      sockets.push(own);
      assert.equal(await outcome(own), 'connected');
    });
  });

  describe('when a correctly signed token breaks the lifetime rules', () => {
    it('then a token without exp, without iat, issued in the future or living longer than 24 h is refused on REST and on the socket', async () => {
      const { orgId } = await server.createOrg('Claims Clinic');
      const now = Math.floor(Date.now() / 1000);
      const cases: Record<string, string> = {
        'no exp': await signed({ org: orgId }, (j) => j.setIssuedAt(now)),
        'no iat': await signed({ org: orgId }, (j) => j.setExpirationTime(now + 600)),
        'issued a year ahead': await signed({ org: orgId }, (j) => j.setIssuedAt(now + 365 * 86400).setExpirationTime(now + 365 * 86400 + 600)),
        'a 30-day lifetime': await signed({ org: orgId }, (j) => j.setIssuedAt(now).setExpirationTime(now + 30 * 86400)),
      };
      for (const [name, token] of Object.entries(cases)) {
        const res = await server.request('GET', '/v1/leads', { token });
        assert.equal(res.status, 401, `${name}: ${res.text}`);
        assert.equal(res.body.error.code, 'UNAUTHENTICATED', name);
        const socket = socketTo(server.url, token);
        sockets.push(socket);
        assert.equal(((await outcome(socket)) as Refusal).data?.code, 'UNAUTHENTICATED', `${name} on the socket`);
      }
      const fine = await signed({ org: orgId }, (j) => j.setIssuedAt(now).setExpirationTime(now + 600));
      assert.equal((await server.request('GET', '/v1/leads', { token: fine })).status, 200, 'the same claims with exp and iat are accepted');
    });
  });

  describe('when a request uses a method a route does not have', () => {
    it('then 405 and 501 answer in the error shape with Allow, HEAD mirrors GET without a body, and nothing is logged as a server error', async () => {
      const { orgId } = await server.createOrg('Methods Clinic');
      const token = await server.token(orgId);
      const authz = { authorization: `Bearer ${token}` };
      logLines.length = 0;
      for (const [method, path, status, code] of [
        ['DELETE', '/v1/leads', 405, 'METHOD_NOT_ALLOWED'],
        ['PUT', '/healthz', 405, 'METHOD_NOT_ALLOWED'],
        ['TRACE', '/v1/leads', 501, 'METHOD_NOT_IMPLEMENTED'],
        ['PROPFIND', '/healthz', 501, 'METHOD_NOT_IMPLEMENTED'],
      ] as const) {
        const res = await raw(`${server.url}${path}`, method, authz);
        assert.equal(res.status, status, `${method} ${path}`);
        assert.match(String(res.headers['content-type']), /^application\/json/, `${method} ${path} is JSON`);
        const body = JSON.parse(res.body) as { error: { code: string; message: string; requestId: string } };
        assert.equal(body.error.code, code);
        assert.ok(body.error.requestId, 'with the request id');
        assert.ok(res.headers.allow, `${method} ${path} says what is allowed`);
        assert.match(body.error.message, /Use GET/);
      }
      const get = await raw(`${server.url}/v1/leads`, 'GET', authz);
      const head = await raw(`${server.url}/v1/leads`, 'HEAD', authz);
      assert.equal(head.status, get.status);
      assert.equal(head.headers['content-type'], get.headers['content-type']);
      assert.equal(head.body, '', 'HEAD has no body (RFC 9110)');
      const headUnauthorized = await raw(`${server.url}/v1/leads`, 'HEAD');
      assert.equal(headUnauthorized.status, 401);
      const errors = logLines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level >= 50);
      assert.deepEqual(errors, [], 'no error-level line for a client\'s method');
    });
  });

  describe('when an Idempotency-Key is reused', () => {
    it('then the same text replays, another text or another lead is 422 IDEMPOTENCY_KEY_REUSED, and only the first is sent', async () => {
      const { orgId } = await server.createOrg('Idem Clinic');
      const token = await server.token(orgId, { role: 'admin' });
      await configureTelephony(server, token);
      const lead = (await server.request('POST', '/v1/leads', { token, body: leadBody({ phone: '+12125550401' }) })).body.lead;
      const other = (await server.request('POST', '/v1/leads', { token, body: leadBody({ phone: '+12125550402' }) })).body.lead;
      const send = (id: string, body: string) => server.request('POST', `/v1/leads/${id}/sms`, { token, body: { body }, headers: { 'idempotency-key': 'reuse-key-0001' } });
      const first = await send(lead.id, 'See you Thursday at 4pm');
      assert.equal(first.status, 202, first.text);
      assert.equal((await send(lead.id, 'See you Thursday at 4pm')).body.sms.id, first.body.sms.id);
      for (const [id, body] of [[lead.id, 'See you Friday instead'], [other.id, 'See you Thursday at 4pm']]) {
        const res = await send(id!, body!);
        assert.equal(res.status, 422, res.text);
        assert.equal(res.body.error.code, 'IDEMPOTENCY_KEY_REUSED');
        assert.match(res.body.error.message, /new key per message/);
      }
      await server.sandbox!.control.idle();
      const state = (await (await fetch(`${server.sandbox!.url}/__sandbox/state`)).json()) as { messages: Array<{ body: string }> };
      assert.equal(state.messages.filter((m) => m.body.startsWith('See you')).length, 1, 'one message reached Twilio');
      assert.equal(await server.database.db.collection('sms_logs').countDocuments({ orgId }), 1);
    });
  });
});

describe('security: rate limits', () => {
  const tight = {
    RATE_LIMIT_AUTH_FAILURES_PER_IP: { points: 3, seconds: 60 },
    RATE_LIMIT_AUTH_FAILURES_PER_KEY: { points: 1_000, seconds: 60 },
    RATE_LIMIT_TOKEN_MINTS_PER_CLINIC: { points: 2, seconds: 60 },
    RATE_LIMIT_CALLS_PER_USER: { points: 1, seconds: 60 },
    RATE_LIMIT_TEXTS_PER_USER: { points: 2, seconds: 60 },
    RATE_LIMIT_TEXTS_PER_CLINIC: { points: 3, seconds: 60 },
  };

  it('when bad tokens keep coming from one address, then after the budget every attempt is 429 with Retry-After, even a good token, and failed handshakes count too', async () => {
    const server = await startTestServer(tight);
    try {
      const { orgId } = await server.createOrg();
      const good = await server.token(orgId);
      assert.equal((await server.request('GET', '/v1/leads')).status, 401, 'no credentials at all');
      assert.equal((await server.request('GET', '/v1/leads', { token: 'forged.token.one' })).status, 401);
      assert.equal((await server.request('GET', '/v1/leads', { token: 'forged.token.two' })).status, 401);
      const socket = socketTo(server.url, 'forged.token.three');
      assert.equal(((await outcome(socket)) as Refusal).data?.code, 'UNAUTHENTICATED');
      socket.disconnect();
      const blocked = await server.request('GET', '/v1/leads', { token: 'forged.token.four' });
      assert.equal(blocked.status, 429);
      assert.equal(blocked.body.error.code, 'RATE_LIMITED');
      assert.match(blocked.body.error.message, /Too many failed sign-ins from this address\. Try again in \d+ seconds?\./);
      const retryAfter = Number(blocked.headers.get('retry-after'));
      assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
      assert.equal(blocked.body.error.details.retryAfterSeconds, retryAfter);
      assert.equal((await server.request('GET', '/v1/leads', { token: good })).status, 429, 'checked before the credentials');
      const blockedSocket = socketTo(server.url, good);
      const refusal = (await outcome(blockedSocket)) as Refusal;
      blockedSocket.disconnect();
      assert.equal(refusal.data?.code, 'RATE_LIMITED');
      assert.ok((refusal.data?.retryAfterSeconds ?? 0) >= 1);
    } finally {
      await server.close();
    }
  });

  it('when one secret-key id keeps failing, then that key id is blocked while other addresses\' budgets are untouched', async () => {
    const server = await startTestServer({ ...tight, RATE_LIMIT_AUTH_FAILURES_PER_IP: { points: 1_000, seconds: 60 }, RATE_LIMIT_AUTH_FAILURES_PER_KEY: { points: 2, seconds: 60 } });
    try {
      const { secretKey } = await server.createOrg();
      const wrong = secretKey.slice(0, -4) + (secretKey.endsWith('aaaa') ? 'bbbb' : 'aaaa');
      const mint = (key: string) => server.request('POST', '/v1/embed-tokens', { token: key, body: { user: { id: 'u', name: 'U', role: 'agent' } } });
      assert.equal((await mint(wrong)).status, 401);
      assert.equal((await mint(wrong)).status, 401);
      const blocked = await mint(wrong);
      assert.equal(blocked.status, 429);
      assert.match(blocked.body.error.message, /this secret key/);
      assert.equal((await mint(secretKey)).status, 429, 'the key id stays blocked for the window');
    } finally {
      await server.close();
    }
  });

  it('when a clinic mints tokens, starts calls and sends texts past its budgets, then 429 names the limit and nothing is started', async () => {
    const server = await startTestServer(tight);
    try {
      const { orgId } = await server.createOrg('Busy Clinic');
      const admin = await server.token(orgId, { id: 'amy', role: 'admin' });
      await server.token(orgId, { id: 'bob' });
      await assert.rejects(server.token(orgId, { id: 'cat' }), /429.*RATE_LIMITED/);
      await configureTelephony(server, admin);
      const leads: Array<{ id: string }> = [];
      for (let i = 0; i < 4; i++) leads.push((await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: `+1212555060${i}` }) })).body.lead);
      assert.equal((await server.request('POST', `/v1/leads/${leads[0].id}/calls`, { token: admin })).status, 202);
      const call = await server.request('POST', `/v1/leads/${leads[1].id}/calls`, { token: admin });
      assert.equal(call.status, 429);
      assert.equal(call.body.error.details.limit, 'callStartsPerUser');
      assert.match(call.body.error.message, /You are starting calls faster than allowed/);
      assert.equal(await server.database.db.collection('calls').countDocuments({ orgId, contactId: leads[1].id }), 0, 'no call record');
      const text = (i: number) => server.request('POST', `/v1/leads/${leads[i].id}/sms`, { token: admin, body: { body: 'Hi' }, headers: { 'idempotency-key': `rl-key-${i}-${randomBytes(4).toString('hex')}` } });
      assert.equal((await text(0)).status, 202);
      assert.equal((await text(1)).status, 202);
      const third = await text(2);
      assert.equal(third.status, 429);
      assert.equal(third.body.error.details.limit, 'textStartsPerUser');
      assert.equal(await server.database.db.collection('sms_logs').countDocuments({ orgId, contactId: leads[2].id }), 0, 'nothing logged or sent');
    } finally {
      await server.sandbox?.control.idle();
      await server.close();
    }
  });

  it('when two instances share Redis, then failures on either count against one budget', async function () {
    const redis = await startRedis();
    const shared = { ...tight, TOKEN_SECRET: randomBytes(32).toString('hex'), REDIS_URL: redis.url, MONGODB_DB: `ll_test_rl_${randomBytes(3).toString('hex')}` };
    const a = await startTestServer(shared);
    const b = await startTestServer({ ...shared, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri });
    try {
      assert.equal((await a.request('GET', '/v1/leads', { token: 'bad.one.x' })).status, 401);
      assert.equal((await b.request('GET', '/v1/leads', { token: 'bad.two.x' })).status, 401);
      assert.equal((await a.request('GET', '/v1/leads', { token: 'bad.three.x' })).status, 401);
      const blocked = await b.request('GET', '/v1/leads', { token: 'bad.four.x' });
      assert.equal(blocked.status, 429, 'B knows of the failures on A');
    } finally {
      await b.closeKeepingData();
      await a.close();
      await redis.stop();
    }
  });
});
