import assert from 'node:assert/strict';
import { leadBody, startTestServer, type TestServer } from '../testing/harness.js';

describe('contact edits, deletes and lost reasons', () => {
  let server: TestServer;
  let t = Date.parse('2026-03-10T15:00:00Z');
  let orgId: string;
  let otherOrg: string;
  let n = 0;

  before(async () => {
    server = await startTestServer({}, { now: () => new Date(t) });
    ({ orgId } = await server.createOrg('Edit Clinic', { timezone: 'America/New_York' }));
    ({ orgId: otherOrg } = await server.createOrg('Other Clinic'));
  });
  after(() => server.close());

  const agent = (org = orgId) => server.token(org, { id: 'u-e', name: 'Eve Agent', role: 'agent' });
  const admin = (org = orgId) => server.token(org, { id: 'u-a', name: 'Ann Admin', role: 'admin' });
  async function lead(body: Record<string, unknown> = {}) {
    const res = await server.request('POST', '/v1/leads', { token: await agent(), body: leadBody({ name: `Lead ${++n}`, phone: `+1312555${String(1000 + n)}`, ...body }) });
    assert.equal(res.status, 201, res.text);
    return res.body.lead;
  }
  const patch = async (id: string, body: unknown, token?: string) => server.request('PATCH', `/v1/leads/${id}`, { token: token ?? (await agent()), body });
  const get = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: await agent() })).body;

  describe('when editing a contact', () => {
    it('then the phone is normalised, the fields are saved, the edit is on the timeline and search finds the new phone', async () => {
      const l = await lead({ name: 'Bad Phone Bea', phone: '555-CALL-NOW' });
      assert.equal(l.phoneValid, false);
      const res = await patch(l.id, { contact: { name: 'Bea Fixed', phone: '(312) 555-0177', email: 'bea@example.com', services: ['Laser', 'Laser'], timezone: 'America/Chicago' }, expectedVersion: l.version });
      assert.equal(res.status, 200, res.text);
      const e = res.body.lead;
      assert.deepEqual([e.name, e.phone, e.phoneValid, e.email, e.services, e.timezone, e.version], ['Bea Fixed', '+13125550177', true, 'bea@example.com', ['Laser'], 'America/Chicago', l.version + 1]);
      const entry = (await get(l.id)).timeline.find((x: { type: string }) => x.type === 'contact_edited');
      assert.match(entry.detail, /Changed name, phone, email, services, time zone \(phone 555-CALL-NOW → \+13125550177\)/);
      assert.equal(entry.actor.name, 'Eve Agent');
      const found = await server.request('GET', '/v1/leads?q=0177', { token: await agent() });
      assert.deepEqual(found.body.items.map((x: { id: string }) => x.id), [l.id]);
      // The same values again: nothing changes, no new version.
      const same = await patch(l.id, { contact: { name: 'Bea Fixed' }, expectedVersion: e.version });
      assert.equal(same.status, 200);
      assert.equal(same.body.lead.version, e.version);
    });

    for (const [phone, problem, message] of [
      ['555-CALL-NOW', 'NOT_A_NUMBER', /is not a phone number/],
      ['12345', 'TOO_SHORT', /too short/],
      ['+999123456', 'INVALID_COUNTRY', /country code/],
      ['+1212555012345678', 'TOO_LONG', /too many digits/],
    ] as const) {
      it(`then a bad phone (${phone}) gets 400 ${problem} with a clear message, and nothing is written`, async () => {
        const l = await lead();
        const res = await patch(l.id, { contact: { name: 'Should Not Save', phone }, expectedVersion: l.version });
        assert.equal(res.status, 400, res.text);
        assert.equal(res.body.error.code, 'INVALID_PHONE_FORMAT');
        assert.equal(res.body.error.details.problem, problem);
        assert.match(res.body.error.message, message);
        assert.match(res.body.error.message, /\+12125550123/);
        const after = await get(l.id);
        assert.deepEqual([after.name, after.phone, after.version], [l.name, l.phone, l.version]);
        assert.ok(!after.timeline.some((x: { type: string }) => x.type === 'contact_edited'));
      });
    }

    it('then a stale version gets 409 STALE_LEAD with the current lead, and a missing version is a 400', async () => {
      const l = await lead();
      await patch(l.id, { status: 'contacted' });
      const stale = await patch(l.id, { contact: { name: 'Too Late' }, expectedVersion: l.version });
      assert.equal(stale.status, 409);
      assert.equal(stale.body.error.code, 'STALE_LEAD');
      assert.equal(stale.body.error.details.lead.leadStatus, 'contacted');
      assert.equal((await get(l.id)).name, l.name);
      const missing = await patch(l.id, { contact: { name: 'No Version' } });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.error.code, 'VALIDATION_FAILED');
      const empty = await patch(l.id, { contact: {}, expectedVersion: l.version + 1 });
      assert.equal(empty.status, 400);
      const zone = await patch(l.id, { contact: { timezone: 'Mars/Olympus' }, expectedVersion: l.version + 1 });
      assert.equal(zone.status, 400);
      assert.equal(zone.body.error.code, 'INVALID_TIME_ZONE');
    });

    it("then another lead's externalId gets 409 DUPLICATE_EXTERNAL_ID and nothing is written", async () => {
      await lead({ externalId: 'crm-taken' });
      const l = await lead({ externalId: 'crm-mine' });
      const res = await patch(l.id, { contact: { externalId: 'crm-taken', name: 'Dup Dan' }, expectedVersion: l.version });
      assert.equal(res.status, 409, res.text);
      assert.equal(res.body.error.code, 'DUPLICATE_EXTERNAL_ID');
      const after = await get(l.id);
      assert.deepEqual([after.externalId, after.name, after.version], ['crm-mine', l.name, l.version]);
      const own = await patch(l.id, { contact: { externalId: 'crm-mine-2' }, expectedVersion: l.version });
      assert.equal(own.status, 200, own.text);
      assert.equal(own.body.lead.externalId, 'crm-mine-2');
    });

    it("then another clinic's lead cannot be edited (404)", async () => {
      const l = await lead();
      const res = await patch(l.id, { contact: { name: 'Hijack' }, expectedVersion: l.version }, await agent(otherOrg));
      assert.equal(res.status, 404);
      assert.equal((await get(l.id)).name, l.name);
    });

    it("then the host's bulk upsert keeps a newer board edit, reports it, and overwrites it only with a later updatedAt", async () => {
      const l = await lead({ name: 'Host Hal', externalId: 'crm-hal', email: 'old@example.com' });
      t += 60_000;
      const edited = await patch(l.id, { contact: { name: 'Hal (board)', phone: '+13125559999' }, expectedVersion: l.version });
      assert.equal(edited.status, 200, edited.text);
      const editAt = t;
      t += 60_000;
      const push = async (row: Record<string, unknown>) =>
        server.request('PUT', '/v1/leads', { token: await admin(), body: { leads: [{ externalId: 'crm-hal', phone: '+13125550001', ...row }] } });
      const stale = await push({ name: 'Hal (host, older)', email: 'new@example.com', updatedAt: new Date(editAt - 1000).toISOString() });
      assert.equal(stale.status, 200, stale.text);
      assert.deepEqual([stale.body.items[0].name, stale.body.items[0].phone, stale.body.items[0].email], ['Hal (board)', '+13125559999', 'new@example.com']);
      assert.deepEqual(stale.body.kept, [{ leadId: l.id, fields: ['name', 'phone'] }]);
      const noStamp = await push({ name: 'Hal (host, no time)' });
      assert.equal(noStamp.body.items[0].name, 'Hal (board)');
      const newer = await push({ name: 'Hal (host, newer)', updatedAt: new Date(editAt + 1000).toISOString() });
      assert.deepEqual([newer.body.items[0].name, newer.body.items[0].phone], ['Hal (host, newer)', '+13125550001']);
      assert.deepEqual(newer.body.kept, []);
    });
  });

  describe('when an admin deletes a lead', () => {
    it('then the lead and its notes, follow-ups and timeline go; agents and other clinics cannot; the host does not resurrect it unless asked', async () => {
      const l = await lead({ name: 'Gone Gina', externalId: 'crm-gone' });
      await server.request('POST', `/v1/leads/${l.id}/notes`, { token: await agent(), body: { body: 'Prefers texts' } });
      await server.request('POST', `/v1/leads/${l.id}/follow-ups`, { token: await agent(), body: { dueAt: new Date(t + 3_600_000).toISOString() } });
      assert.equal((await server.request('DELETE', `/v1/leads/${l.id}`, { token: await agent() })).status, 403);
      assert.equal((await server.request('DELETE', `/v1/leads/${l.id}`, { token: await admin(otherOrg) })).status, 404);
      const res = await server.request('DELETE', `/v1/leads/${l.id}`, { token: await admin() });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.deleted.records.notes, 1);
      assert.equal(res.body.deleted.records.follow_ups, 1);
      assert.ok(res.body.deleted.records.lead_events >= 2);
      assert.equal((await server.request('GET', `/v1/leads/${l.id}`, { token: await agent() })).status, 404);
      const { db } = server.database;
      for (const c of ['notes', 'follow_ups', 'lead_events', 'calls', 'sms_logs', 'appointments']) {
        assert.equal(await db.collection(c).countDocuments({ orgId, contactId: l.id }), 0, c);
      }
      const again = await server.request('PUT', '/v1/leads', { token: await admin(), body: { leads: [{ name: 'Gone Gina', phone: l.phone, externalId: 'crm-gone' }] } });
      assert.equal(again.status, 200, again.text);
      assert.deepEqual([again.body.created, again.body.updated, again.body.items.length], [0, 0, 0]);
      assert.deepEqual(again.body.skipped, [{ index: 0, externalId: 'crm-gone', phone: null }]);
      const byPhone = await server.request('PUT', '/v1/leads', { token: await admin(), body: { leads: [{ name: 'Gone Gina', phone: l.phone }] } });
      assert.equal(byPhone.body.skipped.length, 1, 'a row keyed by the phone of a deleted lead is skipped too');
      const restored = await server.request('PUT', '/v1/leads', { token: await admin(), body: { leads: [{ name: 'Gone Gina', phone: l.phone, externalId: 'crm-gone' }], restoreDeleted: true } });
      assert.equal(restored.body.created, 1);
      assert.notEqual(restored.body.items[0].id, l.id);
      const after = await server.request('PUT', '/v1/leads', { token: await admin(), body: { leads: [{ name: 'Gina Again', phone: l.phone, externalId: 'crm-gone' }] } });
      assert.equal(after.body.updated, 1, 'the restored lead is a live lead again');
    });
  });

  describe('when marking a lead lost', () => {
    it('then a person must give a reason, and "other" needs a note', async () => {
      const l = await lead({ leadStatus: 'contacted' });
      const none = await patch(l.id, { status: 'lost' });
      assert.equal(none.status, 400);
      assert.equal(none.body.error.code, 'LOST_REASON_REQUIRED');
      assert.match(none.body.error.message, /price, competitor, no_response, not_ready, other/);
      const other = await patch(l.id, { status: 'lost', lostReason: 'other' });
      assert.equal(other.status, 400);
      assert.equal(other.body.error.code, 'LOST_NOTE_REQUIRED');
      const unknown = await patch(l.id, { status: 'lost', lostReason: 'bored' });
      assert.equal(unknown.status, 400);
      const stray = await patch(l.id, { status: 'qualified', lostReason: 'price' });
      assert.equal(stray.status, 400);
      assert.equal((await get(l.id)).leadStatus, 'contacted');
      const ok = await patch(l.id, { status: 'lost', lostReason: 'other', lostNote: 'Moved abroad' });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual([ok.body.lead.lostReason, ok.body.lead.lostNote], ['other', 'Moved abroad']);
      const change = (await get(l.id)).timeline.find((x: { type: string }) => x.type === 'status_changed');
      assert.equal(change.detail, 'Other: Moved abroad');
    });

    it('then the reason is filterable, "revisit in 90 days" schedules a 9:00 follow-up, and an undo removes both', async () => {
      const l = await lead({ name: 'Revisit Rob', leadStatus: 'qualified' });
      const res = await patch(l.id, { status: 'lost', lostReason: 'not_ready', revisitInDays: 90, expectedStatus: 'qualified' });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.lead.lostReason, 'not_ready');
      // 10 March + 90 days = 8 June, 09:00 EDT.
      assert.equal(res.body.lead.nextFollowUpAt, '2026-06-08T13:00:00.000Z');
      const d = await get(l.id);
      assert.equal(d.followUps[0].source, 'lost_revisit');
      const filtered = await server.request('GET', '/v1/leads?lostReason=not_ready&status=lost', { token: await agent() });
      assert.deepEqual(filtered.body.items.map((x: { id: string }) => x.id), [l.id]);
      const undo = await server.request('POST', `/v1/leads/${l.id}/revert`, { token: await agent() });
      assert.equal(undo.status, 200, undo.text);
      assert.deepEqual([undo.body.lead.leadStatus, undo.body.lead.lostReason, undo.body.lead.nextFollowUpAt], ['qualified', null, null]);
      const none = await server.request('GET', '/v1/leads?lostReason=not_ready', { token: await agent() });
      assert.ok(!none.body.items.some((x: { id: string }) => x.id === l.id));
    });
  });
});
