import assert from 'node:assert/strict';
import { io as connect, type Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '../../../core/contracts.js';
import { eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';

type Lead = { id: string; name: string; version: number; ownerId: string | null; ownerName: string | null; leadStatus: string };

const ROSTER = [
  { id: 'maria', name: 'Maria Lopez', role: 'agent', phone: '+12125550991', email: 'maria@clinic.example' },
  { id: 'sam', name: 'Sam Patel', role: 'admin' },
  { id: 'kim', name: 'Kim Ng', role: 'agent', phone: '+12125550992' },
];

describe('team roster, owners, bulk assignment and round-robin', () => {
  let server: TestServer;
  let n = 0;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  async function clinic() {
    const { orgId, secretKey } = await server.createOrg(`Team Clinic ${++n}`);
    const put = await server.request('PUT', '/v1/team', { token: secretKey, body: { users: ROSTER } });
    assert.equal(put.status, 200, put.text);
    const sam = await server.token(orgId, { id: 'sam', name: 'Sam', role: 'admin' });
    const maria = await server.token(orgId, { id: 'maria', name: 'Maria', role: 'agent' });
    return { orgId, secretKey, sam, maria };
  }
  async function lead(token: string, body: Record<string, unknown> = {}): Promise<Lead> {
    const res = await server.request('POST', '/v1/leads', { token, body: leadBody({ phone: `+1646555${String(1000 + ++n).slice(-4)}`, ...body }) });
    assert.equal(res.status, 201, res.text);
    return res.body.lead;
  }
  const get = async (token: string, id: string): Promise<Lead & { timeline: Array<{ type: string; detail: string; actor: { id: string } }> }> =>
    (await server.request('GET', `/v1/leads/${id}`, { token })).body;
  const names = async (token: string, query: string) =>
    ((await server.request('GET', `/v1/leads?pageSize=100&${query}`, { token })).body.items as Lead[]).map((l) => l.name).sort();

  describe('when the host pushes its staff list', () => {
    it('then only the secret key may replace it, and a bad list is refused naming the field', async () => {
      const { secretKey, sam } = await clinic();
      const asAdmin = await server.request('PUT', '/v1/team', { token: sam, body: { users: ROSTER } });
      assert.equal(asAdmin.status, 403);
      assert.equal(asAdmin.body.error.code, 'SECRET_KEY_REQUIRED');
      const dup = await server.request('PUT', '/v1/team', { token: secretKey, body: { users: [ROSTER[0], ROSTER[0]] } });
      assert.equal(dup.status, 400);
      assert.match(dup.body.error.message, /appears once/);
      const badPhone = await server.request('PUT', '/v1/team', { token: secretKey, body: { users: [{ ...ROSTER[0], phone: '555-1234' }] } });
      assert.equal(badPhone.status, 400);
      assert.equal(badPhone.body.error.details.fields[0].path, 'users.0.phone');
    });

    it('then GET /v1/team matches the token user, never shows a phone or an email, and an unknown user still works', async () => {
      const { orgId, maria } = await clinic();
      const res = await server.request('GET', '/v1/team', { token: maria });
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.me, { id: 'maria', matched: true });
      assert.deepEqual(res.body.users, [
        { id: 'maria', name: 'Maria Lopez', role: 'agent', hasPhone: true },
        { id: 'sam', name: 'Sam Patel', role: 'admin', hasPhone: false },
        { id: 'kim', name: 'Kim Ng', role: 'agent', hasPhone: true },
      ]);
      assert.ok(!res.text.includes('+1212555099') && !res.text.includes('@clinic.example'), 'no phone or email reaches the browser');
      const stranger = await server.token(orgId, { id: 'temp-7', name: 'Temp', role: 'agent' });
      const other = await server.request('GET', '/v1/team', { token: stranger });
      assert.deepEqual(other.body.me, { id: 'temp-7', matched: false });
      assert.equal((await server.request('GET', '/v1/leads', { token: stranger })).status, 200);
    });
  });

  describe('when a lead is assigned with PATCH', () => {
    it('then the owner name comes from the roster, the timeline says who assigned whom, and boards get lead:updated', async () => {
      const { sam, maria } = await clinic();
      const l = await lead(sam);
      const socket: Socket<ServerToClientEvents> = connect(server.url, { auth: { token: maria }, transports: ['websocket'], reconnection: false });
      const updates: Lead[] = [];
      socket.on('lead:updated', (p) => updates.push(p.lead as Lead));
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('connect_error', reject));
      try {
        const res = await server.request('PATCH', `/v1/leads/${l.id}`, { token: sam, body: { ownerId: 'maria', expectedVersion: l.version } });
        assert.equal(res.status, 200, res.text);
        assert.equal(res.body.lead.ownerId, 'maria');
        assert.equal(res.body.lead.ownerName, 'Maria Lopez');
        await eventually(async () => updates.some((u) => u.id === l.id && u.ownerId === 'maria'), 1000, 'lead:updated with the owner');
      } finally {
        socket.disconnect();
      }
      // An agent may reassign a colleague's lead; the timeline records who did it.
      const again = await server.request('PATCH', `/v1/leads/${l.id}`, { token: maria, body: { ownerId: 'kim' } });
      assert.equal(again.status, 200, again.text);
      const off = await server.request('PATCH', `/v1/leads/${l.id}`, { token: maria, body: { ownerId: null } });
      assert.equal(off.body.lead.ownerId, null);
      assert.equal(off.body.lead.ownerName, null);
      const timeline = (await get(sam, l.id)).timeline.filter((e) => e.type === 'owner_changed').map((e) => `${e.detail} [${e.actor.id}]`);
      assert.deepEqual(timeline.reverse(), [
        'Assigned to Maria Lopez by Sam [sam]',
        'Assigned to Kim Ng by Maria (was Maria Lopez) [maria]',
        'Unassigned from Kim Ng by Maria [maria]',
      ]);
    });

    it('then an owner not on the roster is a 400 UNKNOWN_OWNER and nothing is written; another clinic\'s lead is 404', async () => {
      const { sam } = await clinic();
      const l = await lead(sam);
      const res = await server.request('PATCH', `/v1/leads/${l.id}`, { token: sam, body: { ownerId: 'ghost' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'UNKNOWN_OWNER');
      assert.match(res.body.error.message, /ghost/);
      const after = await get(sam, l.id);
      assert.equal(after.version, l.version);
      assert.equal(after.ownerId, null);
      const other = await clinic();
      const foreign = await server.request('PATCH', `/v1/leads/${l.id}`, { token: other.sam, body: { ownerId: 'maria' } });
      assert.equal(foreign.status, 404);
      assert.equal((await get(sam, l.id)).version, l.version);
    });
  });

  describe('when the board filters by owner', () => {
    it('then Mine, Unassigned and a person combine with status, search and views, and the view counts honour it', async () => {
      const { sam, maria } = await clinic();
      const a = await lead(sam, { name: 'Ann Hot', leadScore: 90 });
      const b = await lead(sam, { name: 'Bob Hot', leadScore: 85 });
      const c = await lead(sam, { name: 'Cat Warm', leadScore: 60 });
      await lead(sam, { name: 'Dan Hot', leadScore: 95 });
      for (const [l, owner] of [[a, 'maria'], [b, 'kim'], [c, 'maria']] as const) {
        assert.equal((await server.request('PATCH', `/v1/leads/${l.id}`, { token: sam, body: { ownerId: owner } })).status, 200);
      }
      await server.request('PATCH', `/v1/leads/${c.id}`, { token: sam, body: { status: 'contacted' } });
      assert.deepEqual(await names(maria, 'owner=me'), ['Ann Hot', 'Cat Warm']);
      assert.deepEqual(await names(sam, 'owner=me'), []);
      assert.deepEqual(await names(sam, 'owner=maria'), ['Ann Hot', 'Cat Warm']);
      assert.deepEqual(await names(sam, 'owner=none'), ['Dan Hot']);
      assert.deepEqual(await names(maria, 'owner=me&status=contacted'), ['Cat Warm']);
      assert.deepEqual(await names(maria, 'owner=me&q=ann'), ['Ann Hot']);
      assert.deepEqual(await names(maria, 'owner=me&view=call_today&sort=newest'), ['Ann Hot']);
      assert.deepEqual(await names(sam, 'owner=none&view=call_today&tier=hot'), ['Dan Hot']);
      const counts = async (token: string, q: string) =>
        Object.fromEntries(((await server.request('GET', `/v1/views?${q}`, { token })).body.views as Array<{ view: string; count: number }>).map((v) => [v.view, v.count]));
      assert.deepEqual(await counts(maria, 'owner=me'), { call_today: 1, this_week: 1, nurture: 0, revisit_lost: 0 });
      assert.deepEqual(await counts(sam, 'owner=kim'), { call_today: 1, this_week: 0, nurture: 0, revisit_lost: 0 });
      assert.deepEqual(await counts(sam, ''), { call_today: 3, this_week: 1, nurture: 0, revisit_lost: 0 });
    });
  });

  describe('when leads are assigned in bulk', () => {
    it('then listed leads all get the owner, through the lead-change path, each on its timeline', async () => {
      const { sam } = await clinic();
      const leads = [await lead(sam), await lead(sam), await lead(sam)];
      const res = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: leads.map((l) => l.id), ownerId: 'kim' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.assigned, 3);
      assert.deepEqual([...res.body.leadIds].sort(), leads.map((l) => l.id).sort());
      for (const l of leads) {
        const d = await get(sam, l.id);
        assert.equal(d.ownerName, 'Kim Ng');
        assert.equal(d.version, l.version + 1);
        assert.ok(d.timeline.some((e) => e.type === 'owner_changed' && e.detail === 'Assigned to Kim Ng by Sam'));
      }
      const again = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: [leads[0]!.id], ownerId: 'kim' } });
      assert.deepEqual({ assigned: again.body.assigned, unchanged: again.body.unchanged }, { assigned: 0, unchanged: 1 });
    });

    it('then one foreign or unknown id refuses the whole request naming it, and no lead changes', async () => {
      const { sam } = await clinic();
      const mine = [await lead(sam), await lead(sam)];
      const other = await clinic();
      const theirs = await lead(other.sam);
      const unknown = 'a'.repeat(24);
      for (const bad of [theirs.id, unknown]) {
        const res = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: [mine[0]!.id, bad, mine[1]!.id], ownerId: 'maria' } });
        assert.equal(res.status, 404, res.text);
        assert.equal(res.body.error.code, 'LEAD_NOT_FOUND');
        assert.match(res.body.error.message, new RegExp(bad));
        assert.deepEqual(res.body.error.details.leadIds, [bad]);
      }
      for (const l of mine) {
        const d = await get(sam, l.id);
        assert.equal(d.version, l.version, 'nothing half-written');
        assert.equal(d.ownerId, null);
      }
      const t = await get(other.sam, theirs.id);
      assert.equal(t.version, theirs.version);
      assert.equal(t.ownerId, null);
    });

    it('then more than 500 ids, both ids and filter, or an unknown owner are 400s', async () => {
      const { sam } = await clinic();
      const l = await lead(sam);
      const many = Array.from({ length: 501 }, (_, i) => i.toString(16).padStart(24, '0'));
      const tooMany = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: many, ownerId: 'kim' } });
      assert.equal(tooMany.status, 400);
      assert.match(tooMany.body.error.message, /at most 500/);
      const both = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: [l.id], filter: {}, ownerId: 'kim' } });
      assert.equal(both.status, 400);
      const ghost = await server.request('POST', '/v1/leads/assign', { token: sam, body: { leadIds: [l.id], ownerId: 'ghost' } });
      assert.equal(ghost.body.error.code, 'UNKNOWN_OWNER');
      assert.equal((await get(sam, l.id)).version, l.version);
    });

    it('then "all matching" assigns every lead of the board\'s filter, and only those', async () => {
      const { sam, maria } = await clinic();
      const hot = [await lead(sam, { name: 'H1', leadScore: 90 }), await lead(sam, { name: 'H2', leadScore: 88 })];
      const warm = await lead(sam, { name: 'W1', leadScore: 60 });
      const res = await server.request('POST', '/v1/leads/assign', { token: maria, body: { filter: { tier: 'hot', owner: 'none' }, ownerId: 'maria' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.assigned, 2);
      assert.deepEqual([...res.body.leadIds].sort(), hot.map((l) => l.id).sort());
      assert.deepEqual(await names(maria, 'owner=me'), ['H1', 'H2']);
      assert.equal((await get(sam, warm.id)).ownerId, null);
      // Unassigning mine through the filter.
      const off = await server.request('POST', '/v1/leads/assign', { token: maria, body: { filter: { owner: 'me' }, ownerId: null } });
      assert.equal(off.body.assigned, 2);
      assert.deepEqual(await names(maria, 'owner=none'), ['H1', 'H2', 'W1']);
    });
  });

  describe('when the clinic turns on round-robin', () => {
    it('then new leads of the bulk upsert get owners in turn, existing ones keep theirs, and the setting is validated', async () => {
      const { secretKey, sam, maria } = await clinic();
      assert.deepEqual((await server.request('GET', '/v1/settings/assignment', { token: maria })).body.assignment, { mode: 'none' });
      assert.equal((await server.request('PUT', '/v1/settings/assignment', { token: maria, body: { mode: 'round_robin' } })).status, 403);
      const ghost = await server.request('PUT', '/v1/settings/assignment', { token: sam, body: { mode: 'round_robin', userIds: ['maria', 'ghost'] } });
      assert.equal(ghost.status, 400);
      assert.equal(ghost.body.error.code, 'UNKNOWN_OWNER');
      const existing = await lead(sam, { name: 'Existing', externalId: 'crm-0' });
      const set = await server.request('PUT', '/v1/settings/assignment', { token: sam, body: { mode: 'round_robin', userIds: ['maria', 'kim'] } });
      assert.equal(set.status, 200, set.text);
      assert.deepEqual(set.body.assignment, { mode: 'round_robin', userIds: ['maria', 'kim'] });
      const rows = [{ name: 'Existing', phone: '+16465550000', externalId: 'crm-0' }, ...Array.from({ length: 5 }, (_, i) => ({ name: `New ${i}`, phone: `+1646555${7000 + i}`, externalId: `crm-${i + 1}` }))];
      const res = await server.request('PUT', '/v1/leads', { token: secretKey, body: { leads: rows } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.created, 5);
      const owners = (res.body.items as Lead[]).map((l) => `${l.name}:${l.ownerId}`);
      assert.deepEqual(owners, ['Existing:null', 'New 0:maria', 'New 1:kim', 'New 2:maria', 'New 3:kim', 'New 4:maria']);
      assert.equal((await get(sam, existing.id)).ownerId, null);
      const d = await get(sam, (res.body.items as Lead[])[1]!.id);
      assert.ok(d.timeline.some((e) => e.type === 'owner_changed' && e.actor.id === 'system:round-robin' && e.detail === 'Assigned to Maria Lopez by Round-robin'));
      // The turn carries on across requests (and instances: one atomic counter).
      const next = await lead(sam, { name: 'Board-made' });
      assert.equal((await get(sam, next.id)).ownerId, 'kim');
    });
  });
});
