import assert from 'node:assert/strict';
import { leadBody, startTestServer, type TestServer } from '../testing/harness.js';
import { recordInboundText } from './inbound-sentiment.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/**
 * Sorts, priority views and the appointment filter (core/views.ts, core/board.ts), under a fake clock, in a clinic in
 * New York (EDT, UTC-4, on 10 March 2026).
 */
describe('board sorts, views and filters', () => {
  let server: TestServer;
  let t = Date.parse('2026-03-10T15:00:00Z'); // 11:00 in New York
  let orgId: string;
  let n = 0;
  const system = { id: 'system:test', name: 'Test' };

  before(async () => {
    server = await startTestServer({}, { now: () => new Date(t) });
  });
  after(() => server.close());

  /** A fresh clinic per test, so each view starts empty. */
  async function clinic(timezone = 'America/New_York') {
    ({ orgId } = await server.createOrg(`View Clinic ${++n}`, { timezone }));
  }
  const token = (role: 'agent' | 'admin' = 'admin') => server.token(orgId, { id: 'u-1', name: 'Vera', role });
  async function lead(body: Record<string, unknown>) {
    const res = await server.request('POST', '/v1/leads', { token: await token(), body: leadBody({ phone: `+1646555${String(1000 + ++n).slice(-4)}`, ...body }) });
    assert.equal(res.status, 201, res.text);
    return res.body.lead as { id: string; name: string; version: number };
  }
  async function names(query: string): Promise<string[]> {
    const res = await server.request('GET', `/v1/leads?pageSize=100&${query}`, { token: await token() });
    assert.equal(res.status, 200, res.text);
    return res.body.items.map((l: { name: string }) => l.name);
  }
  const inView = async (view: string, query = '') => (await names(`view=${view}${query ? `&${query}` : ''}`)).sort();
  const ago = (ms: number) => new Date(t - ms).toISOString();
  const followUp = async (leadId: string, dueAt: string) => {
    const res = await server.request('POST', `/v1/leads/${leadId}/follow-ups`, { token: await token(), body: { dueAt } });
    assert.equal(res.status, 201, res.text);
    return res.body.followUp;
  };

  describe('when sorting', () => {
    it('then score, last contact (never first, then oldest), newest and next follow-up (none last) each order the board', async () => {
      await clinic();
      const start = t;
      try {
        const a = await lead({ name: 'A', leadScore: 90, lastContactAt: ago(2 * DAY) });
        t += 1000;
        const b = await lead({ name: 'B', leadScore: 60, lastContactAt: null });
        t += 1000;
        const c = await lead({ name: 'C', leadScore: 70, lastContactAt: ago(10 * DAY) });
        t += 1000;
        await lead({ name: 'D', leadScore: 95, lastContactAt: ago(HOUR) });
        await followUp(c.id, new Date(t + 2 * HOUR).toISOString());
        await followUp(a.id, new Date(t + 5 * HOUR).toISOString());
        await followUp(b.id, new Date(t + DAY).toISOString());
        await followUp(c.id, new Date(t + 3 * DAY).toISOString()); // a later one does not change C's next
        assert.deepEqual(await names(''), ['D', 'A', 'C', 'B']);
        assert.deepEqual(await names('sort=score'), ['D', 'A', 'C', 'B']);
        assert.deepEqual(await names('sort=last_contact'), ['B', 'C', 'A', 'D']);
        assert.deepEqual(await names('sort=newest'), ['D', 'C', 'B', 'A']);
        assert.deepEqual(await names('sort=follow_up'), ['C', 'A', 'B', 'D']);
        assert.deepEqual(await names('sort=follow_up&tier=hot'), ['A', 'D']);
        const bad = await server.request('GET', '/v1/leads?sort=random', { token: await token() });
        assert.equal(bad.status, 400);
        assert.match(bad.body.error.message, /score, last_contact, newest, follow_up/);
      } finally {
        t = start;
      }
    });
  });

  describe('when the database holds contacts from before the views', () => {
    it('then the start-up backfill derives their view fields once, and they appear in the views', async () => {
      await clinic();
      const old = await lead({ name: 'Old hot never called', leadScore: 88 });
      const col = server.database.db.collection('contacts');
      const { ObjectId } = await import('mongodb');
      // As an earlier version stored it: no view fields at all.
      await col.updateOne({ _id: new ObjectId(old.id) }, { $unset: { callTodayFrom: '', thisWeekFrom: '', nurtureFrom: '', nextAppointmentAt: '', lastAppointmentAt: '' } });
      assert.deepEqual(await inView('call_today'), []);
      const filled = await server.context.repos.contacts.backfillViewFields(server.context.repos.appointments, new Date(t));
      assert.ok(filled >= 1, `filled ${filled}`);
      assert.deepEqual(await inView('call_today'), ['Old hot never called']);
      assert.equal(await server.context.repos.contacts.backfillViewFields(server.context.repos.appointments, new Date(t)), 0, 'nothing left to fill');
    });
  });

  describe('when listing Call today', () => {
    it('then a Hot lead is in once its last contact is MORE than 24 hours old (or it was never contacted), booked ones never', async () => {
      await clinic();
      const start = t;
      try {
        await lead({ name: 'Hot exactly 24h', leadScore: 85, lastContactAt: ago(DAY) });
        await lead({ name: 'Hot 24h+1s', leadScore: 85, lastContactAt: ago(DAY + 1000) });
        await lead({ name: 'Hot never', leadScore: 80 });
        await lead({ name: 'Hot 1h', leadScore: 99, lastContactAt: ago(HOUR) });
        await lead({ name: 'Hot booked', leadScore: 90, leadStatus: 'booked' });
        await lead({ name: 'Warm never', leadScore: 79 });
        assert.deepEqual(await inView('call_today'), ['Hot 24h+1s', 'Hot never']);
        t += 1; // the clock alone moves a lead in: nothing is written
        assert.deepEqual(await inView('call_today'), ['Hot 24h+1s', 'Hot exactly 24h', 'Hot never']);
        t = start + 23 * HOUR + 1;
        assert.deepEqual(await inView('call_today'), ['Hot 1h', 'Hot 24h+1s', 'Hot exactly 24h', 'Hot never']);
      } finally {
        t = start;
      }
    });

    it('then a qualified lead is in without an upcoming appointment, and comes in when its appointment starts', async () => {
      await clinic();
      const start = t;
      try {
        const admin = await token('admin');
        await lead({ name: 'Qualified bare', leadStatus: 'qualified', leadScore: 40 });
        const booked = await lead({ name: 'Qualified with appt', leadStatus: 'qualified', leadScore: 40, externalId: 'q-appt' });
        const res = await server.request('PUT', '/v1/appointments', {
          token: admin,
          body: { appointments: [{ externalId: 'ap-1', contactId: booked.id, serviceType: 'Botox', scheduledAt: new Date(t + 2 * HOUR).toISOString() }] },
        });
        assert.equal(res.status, 200, res.text);
        const detail = await server.request('GET', `/v1/leads/${booked.id}`, { token: admin });
        assert.equal(detail.body.nextAppointmentAt, new Date(t + 2 * HOUR).toISOString());
        assert.deepEqual(await inView('call_today'), ['Qualified bare']);
        assert.deepEqual((await names('appointment=none')).sort(), ['Qualified bare']);
        t += 2 * HOUR;
        assert.deepEqual(await inView('call_today'), ['Qualified bare', 'Qualified with appt']);
        assert.deepEqual((await names('appointment=none')).sort(), ['Qualified bare', 'Qualified with appt']);
        // Cancelled: no longer counts as an appointment at all.
        t = start;
        await server.request('PUT', '/v1/appointments', {
          token: admin,
          body: { appointments: [{ externalId: 'ap-1', contactId: booked.id, serviceType: 'Botox', scheduledAt: new Date(t + 2 * HOUR).toISOString(), status: 'cancelled' }] },
        });
        assert.deepEqual(await inView('call_today'), ['Qualified bare', 'Qualified with appt']);
      } finally {
        t = start;
      }
    });

    it('then a warm lead whose last text was positive is in until someone contacts them', async () => {
      await clinic();
      const happy = await lead({ name: 'Warm happy', leadScore: 65, lastContactAt: ago(2 * DAY) });
      const grumpy = await lead({ name: 'Warm grumpy', leadScore: 65, lastContactAt: ago(2 * DAY) });
      const cold = await lead({ name: 'Cold happy', leadScore: 30, lastContactAt: ago(2 * DAY) });
      const { changes } = server.context;
      await recordInboundText(changes, orgId, happy.id, { body: 'Yes please, that sounds great!', at: new Date(t - HOUR) }, system);
      await recordInboundText(changes, orgId, grumpy.id, { body: 'No thanks, too expensive', at: new Date(t - HOUR) }, system);
      await recordInboundText(changes, orgId, cold.id, { body: 'Yes!', at: new Date(t - HOUR) }, system);
      assert.deepEqual(await inView('call_today'), ['Warm happy']);
      const detail = await server.request('GET', `/v1/leads/${happy.id}`, { token: await token() });
      assert.equal(detail.body.lastInboundSentiment, 'positive');
      await changes.apply(orgId, happy.id, () => ({ set: { lastContactAt: new Date(t) } }), { actor: system });
      assert.deepEqual(await inView('call_today'), []);
    });

    it("then a follow-up due by the end of today in the clinic's time zone puts any lead in, overdue ones too", async () => {
      await clinic('America/New_York');
      const start = t;
      try {
        const late = await lead({ name: 'Due 23:30 tonight', leadScore: 30, leadStatus: 'booked' });
        const tomorrow = await lead({ name: 'Due 00:30 tomorrow', leadScore: 30, leadStatus: 'booked' });
        const overdue = await lead({ name: 'Overdue', leadScore: 30, leadStatus: 'booked' });
        await followUp(late.id, '2026-03-11T03:30:00Z'); // 23:30 EDT on the 10th
        await followUp(tomorrow.id, '2026-03-11T04:30:00Z'); // 00:30 EDT on the 11th
        const f = await followUp(overdue.id, new Date(t + 60_000).toISOString());
        t += 2 * 60_000; // now it is overdue
        assert.deepEqual(await inView('call_today'), ['Due 23:30 tonight', 'Overdue']);
        assert.deepEqual(await inView('this_week'), ['Due 00:30 tomorrow']);
        t = Date.parse('2026-03-11T04:00:00Z'); // midnight in New York
        assert.deepEqual(await inView('call_today'), ['Due 00:30 tomorrow', 'Due 23:30 tonight', 'Overdue']);
        const done = await server.request('PATCH', `/v1/follow-ups/${f.id}`, { token: await token(), body: { done: true } });
        assert.equal(done.status, 200, done.text);
        assert.deepEqual(await inView('call_today'), ['Due 00:30 tomorrow', 'Due 23:30 tonight']);
      } finally {
        t = start;
      }
    });

    it("then the same instant is another day in another clinic's time zone", async () => {
      await clinic('Asia/Tokyo'); // 15:00Z on the 10th is 00:00 on the 11th in Tokyo
      const start = t;
      try {
        t = Date.parse('2026-03-10T14:59:00Z'); // 23:59 on the 10th in Tokyo
        const a = await lead({ name: 'Tokyo morning', leadScore: 30, leadStatus: 'booked' });
        await followUp(a.id, '2026-03-11T00:00:00Z'); // 09:00 on the 11th in Tokyo
        assert.deepEqual(await inView('call_today'), []);
        t = Date.parse('2026-03-10T15:00:00Z');
        assert.deepEqual(await inView('call_today'), ['Tokyo morning']);
      } finally {
        t = start;
      }
    });
  });

  describe('when listing This week and Nurture', () => {
    it('then warm leads not contacted for more than 7 days (or never) and just-upgraded ones are this week; cold open ones and not-ready lost ones are nurture', async () => {
      await clinic();
      await lead({ name: 'Warm 8d', leadScore: 60, leadStatus: 'contacted', lastContactAt: ago(8 * DAY) });
      await lead({ name: 'Warm exactly 7d', leadScore: 60, leadStatus: 'contacted', lastContactAt: ago(7 * DAY) });
      await lead({ name: 'Warm never', leadScore: 50 });
      const upgraded = await lead({ name: 'Upgraded', leadScore: 40, leadStatus: 'contacted', lastContactAt: ago(HOUR) });
      await lead({ name: 'Cold new', leadScore: 20 });
      await lead({ name: 'Cold booked', leadScore: 20, leadStatus: 'booked' });
      const notReady = await lead({ name: 'Lost not ready', leadScore: 55, leadStatus: 'contacted' });
      const priced = await lead({ name: 'Lost on price', leadScore: 55, leadStatus: 'contacted' });
      const coldDue = await lead({ name: 'Cold due today', leadScore: 10 });
      const agent = await token('agent');
      for (const [l, reason] of [[notReady, 'not_ready'], [priced, 'price']] as const) {
        const res = await server.request('PATCH', `/v1/leads/${l.id}`, { token: agent, body: { status: 'lost', lostReason: reason } });
        assert.equal(res.status, 200, res.text);
      }
      await followUp(coldDue.id, new Date(t + HOUR).toISOString());
      assert.deepEqual(await inView('this_week'), ['Warm 8d', 'Warm never']);
      await server.context.changes.apply(orgId, upgraded.id, () => ({ set: { leadScore: 62 } }), { actor: system });
      assert.deepEqual(await inView('this_week'), ['Upgraded', 'Warm 8d', 'Warm never']);
      assert.deepEqual(await inView('nurture'), ['Cold new', 'Lost not ready']);
      assert.deepEqual(await inView('call_today'), ['Cold due today']);
      assert.deepEqual(await names('lostReason=not_ready'), ['Lost not ready']);
      const counts = await server.request('GET', '/v1/views', { token: agent });
      assert.equal(counts.status, 200, counts.text);
      assert.deepEqual(
        counts.body.views.map((v: { view: string; count: number }) => [v.view, v.count]),
        [['call_today', 1], ['this_week', 3], ['nurture', 2], ['revisit_lost', 0]],
      );
      assert.equal(counts.body.views[0].label, 'Call today');
      const warmOnly = await server.request('GET', '/v1/views?tier=warm&q=warm', { token: agent });
      assert.deepEqual(warmOnly.body.views.map((v: { count: number }) => v.count), [0, 2, 0, 0]);
      assert.deepEqual(await inView('this_week', 'tier=warm&q=8d'), ['Warm 8d']);
      assert.deepEqual(await inView('this_week', 'status=new'), ['Warm never']);
    });
  });

  describe('when listing Revisit lost', () => {
    it('then a lead marked lost 90 days ago or more is in, 1 ms earlier it is not; another clinic never sees it', async () => {
      await clinic();
      const start = t;
      try {
        const agent = await token('agent');
        const a = await lead({ name: 'Lost long ago', leadScore: 70, leadStatus: 'contacted' });
        await lead({ name: 'Still open', leadScore: 70 });
        const res = await server.request('PATCH', `/v1/leads/${a.id}`, { token: agent, body: { status: 'lost', lostReason: 'competitor' } });
        assert.equal(res.status, 200, res.text);
        const lostAt = Date.parse(res.body.lead.lostAt);
        t = lostAt + 90 * DAY - 1;
        assert.deepEqual(await inView('revisit_lost'), []);
        t = lostAt + 90 * DAY;
        assert.deepEqual(await inView('revisit_lost'), ['Lost long ago']);
        assert.deepEqual(await inView('revisit_lost', 'status=contacted'), []);
        assert.deepEqual(await inView('revisit_lost', 'lostReason=competitor&tier=warm'), ['Lost long ago']);
        const mine = orgId;
        await clinic();
        assert.deepEqual(await inView('revisit_lost'), [], 'another clinic');
        orgId = mine;
        const bad = await server.request('GET', '/v1/leads?view=someday', { token: await token() });
        assert.equal(bad.status, 400);
        assert.match(bad.body.error.message, /call_today, this_week, nurture, revisit_lost/);
      } finally {
        t = start;
      }
    });
  });

  describe('when filtering by appointment today', () => {
    it("then only leads with an appointment on the clinic's calendar day match", async () => {
      await clinic('America/New_York');
      const admin = await token('admin');
      const tonight = await lead({ name: 'Tonight 23:30' });
      const tomorrow = await lead({ name: 'Tomorrow 00:30' });
      await lead({ name: 'None' });
      const res = await server.request('PUT', '/v1/appointments', {
        token: admin,
        body: {
          appointments: [
            { externalId: `t-${n}-1`, contactId: tonight.id, serviceType: 'Laser', scheduledAt: '2026-03-11T03:30:00Z' },
            { externalId: `t-${n}-2`, contactId: tomorrow.id, serviceType: 'Laser', scheduledAt: '2026-03-11T04:30:00Z' },
          ],
        },
      });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(await names('appointment=today'), ['Tonight 23:30']);
      assert.deepEqual((await names('appointment=none')).sort(), ['None']);
      const bad = await server.request('GET', '/v1/leads?appointment=soon', { token: admin });
      assert.equal(bad.status, 400);
    });
  });
});
