import assert from 'node:assert/strict';
import { io as connect, type Socket } from 'socket.io-client';
import type { PresenceAck } from '../../../core/team.js';
import { randomBytes } from 'node:crypto';
import { eventually, startTestServer, type TestServer } from '../testing/harness.js';
import { freePort } from '../testing/redis.js';

type Next = { lead: { id: string; name: string; leadScore: number } | null; claim: { leadId: string; userId: string; expiresAt: string } | null; remaining: number };

describe('the call queue', () => {
  let server: TestServer;
  /** A second API instance on the same database: coordinators on different instances race only in the database. */
  let twin: TestServer;
  let short: TestServer;
  let n = 0;
  before(async () => {
    const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_test_q_${randomBytes(3).toString('hex')}` };
    server = await startTestServer(shared);
    twin = await startTestServer({ ...shared, MONGODB_URI: process.env.MONGODB_URI ?? server.database.uri, PORT: await freePort() });
    short = await startTestServer({ QUEUE_CLAIM_TTL_MS: 500 });
  });
  after(async () => {
    await twin?.closeKeepingData();
    await server?.close();
    await short?.close();
  });

  /** A clinic with `count` leads (scores from `scores`, names L000...), pushed with the bulk upsert, and two coordinators. */
  async function clinic(on: TestServer, count: number, scores: (i: number) => number = (i) => 40 + (i % 60)) {
    const { orgId, secretKey } = await on.createOrg(`Queue Clinic ${++n}`);
    const leads = Array.from({ length: count }, (_, i) => ({ name: `L${String(i).padStart(3, '0')}`, phone: `+1646${String(5550000 + n * 1000 + i)}`, leadScore: scores(i) }));
    const put = await on.request('PUT', '/v1/leads', { token: secretKey, body: { leads } });
    assert.equal(put.status, 200, put.text);
    const ana = await on.token(orgId, { id: 'ana', name: 'Ana', role: 'agent' }, 3600);
    const ben = await on.token(orgId, { id: 'ben', name: 'Ben', role: 'agent' }, 3600);
    return { orgId, ana, ben, ids: (put.body.items as Array<{ id: string }>).map((l) => l.id) };
  }
  const next = async (on: TestServer, token: string, body: Record<string, unknown> = {}) => {
    const res = await on.request('POST', '/v1/queue/next', { token, body });
    assert.equal(res.status, 200, res.text);
    return res.body as Next;
  };
  const boardOrder = async (on: TestServer, token: string, query = '') => {
    const out: string[] = [];
    for (let page = 1; ; page++) {
      const res = await on.request('GET', `/v1/leads?pageSize=100&page=${page}&${query}`, { token });
      out.push(...res.body.items.map((l: { id: string }) => l.id));
      if (page >= res.body.totalPages) return out;
    }
  };

  it('when two coordinators on two instances ask for 200 leads at once, then no lead is ever handed out twice and they get the board\'s first 200', async () => {
    const { orgId, ana, ben } = await clinic(server, 240);
    // Ana's calls go to one instance, Ben's to the other, all 200 in flight together.
    const replies = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 ? next(twin, ben) : next(server, ana)).then((r) => ({ ...r, asked: i % 2 ? 'ben' : 'ana' }))),
    );
    assert.ok(replies.every((r) => r.lead && r.claim && r.claim.leadId === r.lead.id && r.claim.userId === r.asked), 'every call got a lead claimed for its caller');
    const claimed = replies.map((r) => r.claim!.leadId);
    assert.equal(new Set(claimed).size, 200, 'all 200 claims distinct');
    // The store agrees: one live claim per lead, held by whoever was told so.
    const stored = await server.database.db.collection('queue_claims').find({ orgId }).toArray();
    assert.equal(stored.length, 200);
    const holder = new Map(replies.map((r) => [r.claim!.leadId, r.asked]));
    for (const c of stored) assert.equal(holder.get(c.leadId as string), c.userId, `lead ${c.leadId}`);
    // Nobody skipped a free lead: the claimed set is exactly the top 200 of the board.
    const order = await boardOrder(server, ana);
    assert.deepEqual([...claimed].sort(), order.slice(0, 200).sort());
    const after = await next(server, ana);
    assert.equal(after.remaining, 39);
    assert.equal(after.lead!.id, order[200]);
  });

  it('when 50 claims of one lead race in the database, then exactly one wins, also when they take over an expired claim', async () => {
    const { orgId, ids } = await clinic(server, 1);
    const claims = server.context.repos.claims;
    const now = new Date();
    const race = () =>
      Promise.all(Array.from({ length: 50 }, (_, i) => claims.claim(orgId, ids[0]!, { id: `u${i}`, name: `U${i}` }, new Date(now.getTime() + 60_000), now)));
    const first = await race();
    assert.equal(first.filter(Boolean).length, 1);
    // Let the claim expire (as seen by a later clock), then race the take-over.
    const later = new Date(now.getTime() + 61_000);
    const takeovers = await Promise.all(Array.from({ length: 50 }, (_, i) => claims.claim(orgId, ids[0]!, { id: `v${i}`, name: `V${i}` }, new Date(later.getTime() + 60_000), later)));
    assert.equal(takeovers.filter(Boolean).length, 1);
    const stored = await server.database.db.collection('queue_claims').find({ orgId }).toArray();
    assert.equal(stored.length, 1);
    assert.equal(stored[0]!.userId, `v${takeovers.indexOf(true)}`);
  });

  it('when working a filter, then leads come in board order, release and skip move on, and remaining counts what is free', async () => {
    const { ana, ben } = await clinic(server, 6, (i) => [95, 90, 85, 60, 55, 30][i]!);
    const hot = (await boardOrder(server, ana, 'tier=hot'));
    assert.equal(hot.length, 3);
    const first = await next(server, ana, { filter: { tier: 'hot' } });
    assert.deepEqual([first.lead!.id, first.lead!.leadScore, first.remaining], [hot[0], 95, 2]);
    const benFirst = await next(server, ben, { filter: { tier: 'hot' } });
    assert.equal(benFirst.lead!.id, hot[1], "Ben skips Ana's lead");
    const second = await next(server, ana, { filter: { tier: 'hot' }, release: first.lead!.id, skip: [hot[2]] });
    // Ana released her first lead (free again, and first in order), skipped the third; the second is Ben's.
    assert.equal(second.lead!.id, hot[0]);
    const third = await next(server, ana, { filter: { tier: 'hot' }, release: hot[0], skip: [hot[0]] });
    assert.equal(third.lead!.id, hot[2]);
    assert.equal(third.remaining, 0, 'the skipped one is not counted as free');
    const none = await next(server, ana, { filter: { tier: 'hot' }, skip: [hot[0]] });
    assert.deepEqual(none, { lead: null, claim: null, remaining: 0 });
    const sorted = await next(server, ben, { filter: { tier: 'warm' }, sort: 'newest' });
    assert.equal(sorted.lead!.id, (await boardOrder(server, ben, 'tier=warm&sort=newest'))[0]);
    const bad = await server.request('POST', '/v1/queue/next', { token: ana, body: { skip: ['x'] } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
  });

  it('when a claim is not renewed, then it expires and a colleague gets the lead; the late renew is 409 CLAIM_LOST', async () => {
    const { ana, ben } = await clinic(short, 1);
    const mine = await next(short, ana);
    assert.ok(mine.lead);
    assert.ok(Date.parse(mine.claim!.expiresAt) - Date.now() <= 500);
    assert.equal((await next(short, ben)).lead, null, 'held');
    // Renewing keeps it past its first expiry.
    await new Promise((r) => setTimeout(r, 300));
    const renewed = await short.request('POST', `/v1/queue/claims/${mine.lead!.id}/renew`, { token: ana });
    assert.equal(renewed.status, 200, renewed.text);
    assert.ok(Date.parse(renewed.body.claim.expiresAt) > Date.parse(mine.claim!.expiresAt));
    await new Promise((r) => setTimeout(r, 300));
    assert.equal((await next(short, ben)).lead, null, 'still held after the renew');
    await new Promise((r) => setTimeout(r, 400));
    const taken = await next(short, ben);
    assert.equal(taken.lead?.id, mine.lead!.id, 'expired: Ben gets it');
    const late = await short.request('POST', `/v1/queue/claims/${mine.lead!.id}/renew`, { token: ana });
    assert.equal(late.status, 409);
    assert.equal(late.body.error.code, 'CLAIM_LOST');
  });

  it('when someone else renews or releases a held lead, then renew is 409 CLAIM_LOST and the release changes nothing', async () => {
    const { ana, ben } = await clinic(server, 2);
    const mine = await next(server, ana);
    const leadId = mine.lead!.id;
    const renew = await server.request('POST', `/v1/queue/claims/${leadId}/renew`, { token: ben });
    assert.equal(renew.status, 409);
    assert.equal(renew.body.error.code, 'CLAIM_LOST');
    assert.equal((await server.request('DELETE', `/v1/queue/claims/${leadId}`, { token: ben })).status, 204);
    assert.notEqual((await next(server, ben)).lead!.id, leadId, "Ben's release did not free Ana's lead");
    assert.equal((await server.request('DELETE', `/v1/queue/claims/${leadId}`, { token: ana })).status, 204);
    const free = await next(server, ben, { skip: [] });
    assert.equal(free.lead!.id, leadId, 'released by its holder: free again');
  });

  it('when a colleague is calling a lead (presence), then the queue skips it for others but not for the caller', async () => {
    const { ana, ben } = await clinic(server, 3, (i) => 90 - i);
    const order = await boardOrder(server, ana);
    const socket: Socket = connect(server.url, { auth: { token: ana }, transports: ['websocket'], reconnection: false });
    try {
      await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
      const ack = await new Promise<PresenceAck>((resolve) => socket.emit('presence:set', { leadId: order[0], activity: 'calling' }, resolve));
      assert.deepEqual(ack, { ok: true });
      const benNext = await next(server, ben);
      assert.equal(benNext.lead!.id, order[1]);
      assert.equal(benNext.remaining, 1, 'the called lead is not free');
      assert.equal((await next(server, ana)).lead!.id, order[0], 'Ana is the caller: her own call does not hide it from her');
    } finally {
      socket.disconnect();
    }
    await eventually(async () => (await server.context.presence.callingLeadIds((await server.request('GET', '/v1/session', { token: ana })).body.org.id, 'ben')).size === 0, 1000, 'presence cleared');
  });

  it('when another clinic uses the queue, then it never sees, renews or releases this clinic\'s leads', async () => {
    const x = await clinic(server, 3);
    const y = await clinic(server, 2);
    const xClaim = await next(server, x.ana);
    const yLeads = new Set(y.ids);
    for (let i = 0; i < 3; i++) {
      const r = await next(server, y.ana);
      if (r.lead) assert.ok(yLeads.has(r.lead.id), 'only its own leads');
    }
    const renew = await server.request('POST', `/v1/queue/claims/${xClaim.lead!.id}/renew`, { token: y.ben });
    assert.equal(renew.status, 404);
    assert.equal((await server.request('DELETE', `/v1/queue/claims/${xClaim.lead!.id}`, { token: y.ana })).status, 204);
    const holder = await server.database.db.collection('queue_claims').findOne({ orgId: x.orgId, leadId: xClaim.lead!.id });
    assert.equal(holder?.userId, 'ana', "X's claim is intact");
  });
});
