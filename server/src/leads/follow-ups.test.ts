import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { MemoryBroadcaster } from '../realtime/broadcaster.js';
import { eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';
import { followUpChoiceDue, followUpQuickChoices } from '../../../core/follow-ups.js';

const HOUR = 3_600_000;

describe('follow-ups', () => {
  let server: TestServer;
  let t = Date.parse('2026-03-10T15:00:00Z'); // 11:00 in New York
  let orgId: string;
  let otherOrg: string;
  const broadcaster = new MemoryBroadcaster();

  before(async () => {
    server = await startTestServer({}, { now: () => new Date(t), broadcaster });
    ({ orgId } = await server.createOrg('Follow Clinic', { timezone: 'America/New_York' }));
    ({ orgId: otherOrg } = await server.createOrg('Other Clinic'));
  });
  after(() => server.close());

  const token = (org = orgId) => server.token(org, { id: 'u-f', name: 'Fay', role: 'agent' });
  let n = 0;
  async function lead(name: string) {
    const res = await server.request('POST', '/v1/leads', { token: await token(), body: leadBody({ name, phone: `+1718555${String(1000 + ++n)}` }) });
    assert.equal(res.status, 201, res.text);
    return res.body.lead as { id: string };
  }
  const schedule = async (leadId: string, dueAt: string | number, note?: string) =>
    server.request('POST', `/v1/leads/${leadId}/follow-ups`, { token: await token(), body: { dueAt: new Date(dueAt).toISOString(), ...(note ? { note } : {}) } });
  const detail = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: await token() })).body;

  it('then scheduling sets the lead\'s next follow-up and the timeline, and refuses the past and other clinics', async () => {
    const l = await lead('Sched Sue');
    const res = await schedule(l.id, t + 2 * HOUR, 'Ask about lip filler');
    assert.equal(res.status, 201, res.text);
    assert.deepEqual([res.body.followUp.status, res.body.followUp.note, res.body.followUp.source], ['open', 'Ask about lip filler', 'manual']);
    const d = await detail(l.id);
    assert.equal(d.nextFollowUpAt, new Date(t + 2 * HOUR).toISOString());
    assert.equal(d.followUps.length, 1);
    const entry = d.timeline.find((e: { type: string }) => e.type === 'follow_up_scheduled');
    assert.match(entry.detail, /Follow-up Tue, Mar 10, 1:00 PM: Ask about lip filler/);
    const past = await schedule(l.id, t - HOUR);
    assert.equal(past.status, 400);
    assert.equal(past.body.error.code, 'DUE_IN_PAST');
    const foreign = await server.request('POST', `/v1/leads/${l.id}/follow-ups`, { token: await token(otherOrg), body: { dueAt: new Date(t + HOUR).toISOString() } });
    assert.equal(foreign.status, 404);
    const patchForeign = await server.request('PATCH', `/v1/follow-ups/${res.body.followUp.id}`, { token: await token(otherOrg), body: { done: true } });
    assert.equal(patchForeign.status, 404);
    const delForeign = await server.request('DELETE', `/v1/follow-ups/${res.body.followUp.id}`, { token: await token(otherOrg) });
    assert.equal(delForeign.status, 404);
    const bad = await server.request('POST', `/v1/leads/${l.id}/follow-ups`, { token: await token(), body: { dueAt: 'tomorrow' } });
    assert.equal(bad.status, 400);
  });

  it('then done, snooze, note edits and delete keep the lead\'s next follow-up and timeline current', async () => {
    const l = await lead('Flow Flo');
    const first = (await schedule(l.id, t + HOUR)).body.followUp;
    const second = (await schedule(l.id, t + 5 * HOUR)).body.followUp;
    assert.equal((await detail(l.id)).nextFollowUpId, first.id);
    const done = await server.request('PATCH', `/v1/follow-ups/${first.id}`, { token: await token(), body: { done: true } });
    assert.equal(done.status, 200, done.text);
    assert.equal(done.body.followUp.status, 'done');
    assert.equal(done.body.followUp.doneBy.id, 'u-f');
    assert.equal((await detail(l.id)).nextFollowUpId, second.id);
    const snoozed = await server.request('PATCH', `/v1/follow-ups/${second.id}`, { token: await token(), body: { dueAt: new Date(t + 24 * HOUR).toISOString(), note: 'Call after lunch' } });
    assert.equal(snoozed.status, 200, snoozed.text);
    assert.equal(snoozed.body.followUp.note, 'Call after lunch');
    assert.equal((await detail(l.id)).nextFollowUpAt, new Date(t + 24 * HOUR).toISOString());
    const del = await server.request('DELETE', `/v1/follow-ups/${second.id}`, { token: await token() });
    assert.equal(del.status, 204);
    const d = await detail(l.id);
    assert.equal(d.nextFollowUpAt, null);
    assert.deepEqual(
      d.timeline.map((e: { type: string }) => e.type).filter((x: string) => x.startsWith('follow_up')).sort(),
      ['follow_up_deleted', 'follow_up_done', 'follow_up_scheduled', 'follow_up_scheduled', 'follow_up_snoozed'],
    );
    assert.equal((await server.request('DELETE', `/v1/follow-ups/${second.id}`, { token: await token() })).status, 404);
  });

  it('then the list splits open follow-ups into overdue, today and upcoming in the clinic\'s time zone', async () => {
    const { orgId: o } = await server.createOrg('List Clinic', { timezone: 'America/New_York' });
    const mine = orgId;
    orgId = o;
    try {
      const l = await lead('List Lou');
      const start = t;
      await schedule(l.id, t + 60_000);
      await schedule(l.id, Date.parse('2026-03-11T03:59:00Z')); // 23:59 tonight in New York
      await schedule(l.id, Date.parse('2026-03-11T04:00:00Z')); // midnight: tomorrow
      t += 2 * 60_000;
      try {
        const due = async (q: string) =>
          (await server.request('GET', `/v1/follow-ups${q}`, { token: await token() })).body.items.map((i: { followUp: { dueAt: string }; lead: { id: string } }) => {
            assert.equal(i.lead.id, l.id);
            return i.followUp.dueAt;
          });
        assert.deepEqual(await due('?due=overdue'), [new Date(start + 60_000).toISOString()]);
        assert.deepEqual(await due('?due=today'), ['2026-03-11T03:59:00.000Z']);
        assert.deepEqual(await due('?due=upcoming'), ['2026-03-11T04:00:00.000Z']);
        assert.equal((await due('')).length, 3);
        assert.equal((await due(`?leadId=${l.id}`)).length, 3);
        const other = await server.request('GET', '/v1/follow-ups', { token: await token(otherOrg) });
        assert.deepEqual(other.body.items, []);
        assert.equal((await server.request('GET', '/v1/follow-ups?due=soon', { token: await token() })).status, 400);
      } finally {
        t = start;
      }
    } finally {
      orgId = mine;
    }
  });

  it('then the reminder is pushed once at the due time, and again after a snooze', async () => {
    const l = await lead('Remind Rae');
    const f = (await schedule(l.id, t + HOUR)).body.followUp;
    const pushed = () => broadcaster.events.filter((e) => e.event === 'follow-up:due' && (e.payload as { followUp: { id: string } }).followUp.id === f.id);
    const start = t;
    try {
      await server.context.followUps.remindDue();
      assert.equal(pushed().length, 0, 'not due yet');
      t += HOUR;
      await server.context.followUps.remindDue();
      await server.context.followUps.remindDue();
      assert.equal(pushed().length, 1);
      const payload = pushed()[0]!.payload as { followUp: { id: string; remindedAt: string }; lead: { id: string } };
      assert.equal(payload.lead.id, l.id);
      assert.equal(pushed()[0]!.orgId, orgId);
      assert.ok(payload.followUp.remindedAt);
      await server.request('PATCH', `/v1/follow-ups/${f.id}`, { token: await token(), body: { dueAt: new Date(t + HOUR).toISOString() } });
      await server.context.followUps.remindDue();
      assert.equal(pushed().length, 1, 'snoozed: not before its new time');
      t += HOUR;
      await server.context.followUps.remindDue();
      assert.equal(pushed().length, 2);
    } finally {
      t = start;
    }
  });

  it('then two instances sharing a database push each due reminder exactly once', async () => {
    const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), MONGODB_DB: `ll_test_fu_${randomBytes(3).toString('hex')}` };
    const busA = new MemoryBroadcaster();
    const busB = new MemoryBroadcaster();
    let clock = Date.parse('2026-03-10T15:00:00Z');
    const a = await startTestServer(shared, { now: () => new Date(clock), broadcaster: busA });
    const b = await startTestServer({ ...shared, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri }, { now: () => new Date(clock), broadcaster: busB });
    try {
      const { orgId: o } = await a.createOrg('Twin Clinic', { timezone: 'America/New_York' });
      const tok = await a.token(o, { role: 'agent' });
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) {
        const l = (await a.request('POST', '/v1/leads', { token: tok, body: leadBody({ name: `Twin ${i}`, phone: `+1917555${1000 + i}` }) })).body.lead;
        const res = await (i % 2 ? b : a).request('POST', `/v1/leads/${l.id}/follow-ups`, { token: tok, body: { dueAt: new Date(clock + HOUR + i * 1000).toISOString() } });
        assert.equal(res.status, 201, res.text);
        ids.push(res.body.followUp.id);
      }
      clock += 2 * HOUR;
      const [na, nb] = await Promise.all([a.context.followUps.remindDue(), b.context.followUps.remindDue()]);
      const all = [...busA.events, ...busB.events].filter((e) => e.event === 'follow-up:due').map((e) => (e.payload as { followUp: { id: string } }).followUp.id);
      assert.equal(na + nb, 12);
      assert.deepEqual([...all].sort(), [...ids].sort(), 'each reminder once, none lost');
      assert.equal(await a.context.followUps.remindDue(), 0);
    } finally {
      await b.closeKeepingData();
      await a.close();
    }
  });

  it('then a reminder due while the server was down is pushed by the job after the restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'll-fu-'));
    const overrides = { LEADS_DATA_DIR: dataDir, MONGODB_DB: `ll_test_fu_restart_${Date.now()}`, TOKEN_SECRET: 'f'.repeat(40), ENCRYPTION_KEY: Buffer.alloc(32, 9).toString('base64') };
    let clock = Date.parse('2026-03-10T15:00:00Z');
    let first: TestServer | null = await startTestServer(overrides, { now: () => new Date(clock) });
    let second: TestServer | null = null;
    try {
      const { orgId: o } = await first.createOrg('Restart Clinic', { timezone: 'America/New_York' });
      const tok = await first.token(o, { role: 'agent' });
      const l = (await first.request('POST', '/v1/leads', { token: tok, body: leadBody({ name: 'Restart Rita' }) })).body.lead;
      const f = (await first.request('POST', `/v1/leads/${l.id}/follow-ups`, { token: tok, body: { dueAt: new Date(clock + HOUR).toISOString() } })).body.followUp;
      assert.equal(await first.context.followUps.remindDue(), 0);
      await first.closeKeepingData();
      first = null;
      clock += 3 * HOUR;
      const bus = new MemoryBroadcaster();
      // The real background jobs this time (server/src/main.ts runJobs), every 25 ms.
      second = await startTestServer(overrides, { now: () => new Date(clock), broadcaster: bus, jobsIntervalMs: 25 });
      const event = await eventually(async () => bus.events.find((e) => e.event === 'follow-up:due'), 5000, 'the reminder after the restart');
      assert.equal((event.payload as { followUp: { id: string } }).followUp.id, f.id);
      await new Promise((r) => setTimeout(r, 100));
      assert.equal(bus.events.filter((e) => e.event === 'follow-up:due').length, 1, 'once');
    } finally {
      await first?.close();
      if (second) {
        await second.database.db.dropDatabase();
        await second.close();
      }
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("then the quick choices are computed in the clinic's time zone", () => {
    const now = new Date('2026-03-10T15:00:00Z'); // Tue 11:00 in New York
    const ny = 'America/New_York';
    assert.equal(followUpChoiceDue('later_today', now, ny)?.toISOString(), '2026-03-10T18:00:00.000Z');
    assert.equal(followUpChoiceDue('tomorrow_morning', now, ny)?.toISOString(), '2026-03-11T13:00:00.000Z');
    assert.equal(followUpChoiceDue('in_3_days', now, ny)?.toISOString(), '2026-03-13T13:00:00.000Z');
    assert.equal(followUpChoiceDue('next_week', now, ny)?.toISOString(), '2026-03-16T13:00:00.000Z');
    // Across the start of daylight saving time (8 March 2026): 09:00 EST is 14:00Z, 09:00 EDT is 13:00Z.
    const saturday = new Date('2026-03-07T15:00:00Z');
    assert.equal(followUpChoiceDue('tomorrow_morning', saturday, ny)?.toISOString(), '2026-03-08T13:00:00.000Z');
    // 19:00 local: later today would be 22:00, past 21:00, so it is not offered.
    const evening = new Date('2026-03-10T23:00:00Z');
    assert.equal(followUpChoiceDue('later_today', evening, ny), null);
    assert.deepEqual(followUpQuickChoices(evening, ny).map((c) => c.choice), ['tomorrow_morning', 'in_3_days', 'next_week', 'custom']);
    // Tokyo: the same instant is already Wednesday morning 00:00; tomorrow morning is Thursday 09:00 JST.
    assert.equal(followUpChoiceDue('tomorrow_morning', now, 'Asia/Tokyo')?.toISOString(), '2026-03-12T00:00:00.000Z');
  });
});
