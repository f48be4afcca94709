import assert from 'node:assert/strict';
import { MongoClient, type Db } from 'mongodb';
import { LEAD_STATUSES, type Lead, type LeadDetail, type LeadStatus, type Tier } from '../core/contracts.js';
import { tierOf } from '../core/tiers.js';
import { COLLECTIONS } from '../server/src/db/indexes.js';
import type { ContactDoc } from '../server/src/leads/repository.js';
import type { CallDoc } from '../server/src/calls/repository.js';
import { startTestServer, type TestServer } from '../server/src/testing/harness.js';
import { generateDemoData, seedDemo, type AppointmentDoc } from './seed.js';

const NOW = new Date('2025-03-12T15:00:00Z');
const CANONICAL = ['Botox', 'Dermal Fillers', 'Laser Hair Removal', 'Chemical Peel', 'Microneedling', 'HydraFacial', 'CoolSculpting', 'Lip Filler', 'Consultation'];

describe('demo seed', function () {
  this.timeout(60_000);
  let server: TestServer;
  let orgId: string;
  let token: string;
  let reader: MongoClient; // not the server's client: the test's own reads stay out of the index-shape check
  let db: Db;
  let contacts: ContactDoc[];
  let result: { leads: number; calls: number };

  before(async () => {
    server = await startTestServer();
    ({ orgId } = await server.createOrg('Radiance Aesthetics', { timezone: 'America/New_York' }));
    token = await server.token(orgId, { role: 'admin' });
    result = await seedDemo(server.database.db, orgId, { now: NOW });
    reader = new MongoClient(server.database.uri);
    db = reader.db(server.database.db.databaseName);
    contacts = await db.collection<ContactDoc>(COLLECTIONS.contacts).find({ orgId }).toArray();
  });

  after(async () => {
    await reader?.close();
    await server?.close();
  });

  describe('when generated twice for the same org and time', () => {
    it('then it is the same data set (seeded PRNG, deterministic ids)', () => {
      const a = generateDemoData(orgId, NOW);
      const b = generateDemoData(orgId, NOW);
      assert.equal(JSON.stringify(a), JSON.stringify(b));
    });
    it('then another org gets other ids (two demo orgs can share a database)', () => {
      const a = generateDemoData(orgId, NOW);
      const b = generateDemoData('000000000000000000000abc', NOW);
      assert.notEqual(a.contacts[0]!._id.toHexString(), b.contacts[0]!._id.toHexString());
      assert.equal(a.contacts[0]!.name, b.contacts[0]!.name);
    });
  });

  describe('when seeded', () => {
    it('then about 300 leads and their calls are stored', () => {
      assert.equal(result.leads, 300);
      assert.equal(contacts.length, 300);
      assert.ok(result.calls >= 120, `calls: ${result.calls}`);
    });

    it('then the tiers are spread about 20% hot, 45% warm, 35% cold (as the API counts them)', async () => {
      const totals: Record<Tier, number> = { hot: 0, warm: 0, cold: 0 };
      for (const tier of ['hot', 'warm', 'cold'] as const) {
        const res = await server.request('GET', `/v1/leads?tier=${tier}`, { token });
        assert.equal(res.status, 200);
        totals[tier] = res.body.total;
      }
      assert.equal(totals.hot + totals.warm + totals.cold, 300);
      assert.ok(Math.abs(totals.hot / 300 - 0.2) <= 0.03, `hot ${totals.hot}`);
      assert.ok(Math.abs(totals.warm / 300 - 0.45) <= 0.03, `warm ${totals.warm}`);
      assert.ok(Math.abs(totals.cold / 300 - 0.35) <= 0.03, `cold ${totals.cold}`);
    });

    it('then every status is present, about 35% new', async () => {
      const totals = {} as Record<LeadStatus, number>;
      for (const status of LEAD_STATUSES) {
        const res = await server.request('GET', `/v1/leads?status=${status}`, { token });
        totals[status] = res.body.total;
        assert.ok(totals[status] >= 15, `${status}: ${totals[status]}`);
      }
      assert.ok(Math.abs(totals.new / 300 - 0.35) <= 0.03, `new ${totals.new}`);
    });

    it('then every contact has the fields the board sorts, filters and searches on', () => {
      for (const c of contacts) {
        assert.equal(c.orgId, orgId);
        assert.ok(c.name.length > 3);
        assert.equal(c.nameLower, c.name.toLowerCase());
        assert.equal(typeof c.phoneValid, 'boolean');
        assert.equal(c.phoneDigits, c.phoneValid ? c.phone.replace(/\D/g, '') : c.phone.replace(/\D/g, ''));
        if (c.phoneValid) assert.match(c.phone, /^\+1\d{10}$/);
        assert.ok(Number.isInteger(c.leadScore) && c.leadScore >= 0 && c.leadScore <= 100, `score ${c.leadScore}`);
        assert.ok(LEAD_STATUSES.includes(c.leadStatus));
        assert.ok(c.lastContactAt === null || c.lastContactAt instanceof Date);
        assert.ok(c.lastAttemptAt === null || c.lastAttemptAt instanceof Date);
        assert.ok(c.createdAt instanceof Date && c.updatedAt instanceof Date && c.updatedAt >= c.createdAt);
        assert.ok(c.createdAt <= NOW && (c.lastContactAt ?? NOW) <= NOW);
        assert.ok(Number.isInteger(c.version) && c.version >= 1);
        assert.equal(c.activeCallId, null);
        assert.ok(c.services.length >= 1 && c.services.every((s) => CANONICAL.includes(s)), c.services.join());
        assert.equal(c.scoreBreakdown?.score, c.leadScore, 'the breakdown explains the score');
        assert.match(c.externalId ?? '', /^RA-\d+$/);
        if (c.leadStatus === 'lost') assert.ok(c.lostFrom && c.lostBy && c.lostAt);
        else assert.equal(c.lostFrom, null);
        if (c.leadStatus === 'new') assert.equal(c.lastContactAt, null, 'new means never reached');
        if (['contacted', 'qualified', 'booked', 'converted'].includes(c.leadStatus)) assert.ok(c.lastContactAt, `${c.leadStatus} lead was contacted`);
      }
      assert.equal(new Set(contacts.map((c) => c.phone)).size, 300, 'phones are unique');
      assert.equal(new Set(contacts.map((c) => c.name)).size, 300, 'names are unique');
    });

    it('then some leads were never contacted and a handful have phones in bad formats', () => {
      const never = contacts.filter((c) => c.lastContactAt === null).length;
      assert.ok(never >= 100, `never contacted: ${never}`);
      const bad = contacts.filter((c) => !c.phoneValid);
      assert.ok(bad.length >= 6 && bad.length <= 12, `bad phones: ${bad.length}`);
    });

    it('then about 120 leads have 1-3 calls, consistent with their score', async () => {
      const calls = await db.collection<CallDoc>(COLLECTIONS.calls).find({ orgId }).toArray();
      const byLead = new Map<string, CallDoc[]>();
      for (const call of calls) byLead.set(call.contactId, [...(byLead.get(call.contactId) ?? []), call]);
      assert.ok(byLead.size >= 110 && byLead.size <= 130, `leads with calls: ${byLead.size}`);
      const byId = new Map(contacts.map((c) => [c._id.toHexString(), c]));
      for (const [leadId, list] of byLead) {
        assert.ok(list.length >= 1 && list.length <= 3);
        const lead = byId.get(leadId)!;
        assert.ok(lead.phoneValid, 'only valid numbers were dialled');
        const answered = list.filter((c) => c.messages.some((m) => m.role === 'lead')).sort((a, b) => +a.createdAt - +b.createdAt);
        for (const call of list) {
          assert.equal(call.status, 'ended');
          assert.ok(typeof call.vapiCallId === 'string');
          for (const m of call.messages) assert.ok(['agent', 'lead'].includes(m.role) && m.text.length > 0 && typeof m.at === 'string');
        }
        const last = answered.at(-1);
        if (last) {
          assert.equal(last.scoreAfter, lead.leadScore, 'the last answered call set the score');
          assert.equal(lead.scoreBreakdown?.callId, last._id.toHexString());
          assert.ok(last.summary && last.durationSec && last.transcript?.startsWith('AI: '));
          assert.notEqual(lead.leadStatus, 'new', 'an answered call moves new to contacted');
        } else {
          assert.equal(lead.lastContactAt === null || lead.leadStatus !== 'new', true);
        }
      }
    });

    it('then booked and converted leads have appointments, and the timeline and notes are there', async () => {
      const appts = await db.collection<AppointmentDoc>(COLLECTIONS.appointments).find({ orgId }).toArray();
      for (const c of contacts.filter((x) => x.leadStatus === 'booked')) {
        const mine = appts.filter((a) => a.contactId === c._id.toHexString() && a.status === 'scheduled');
        assert.ok(mine.some((a) => a.scheduledAt > NOW), `${c.name} has an upcoming appointment`);
      }
      for (const c of contacts.filter((x) => x.leadStatus === 'converted')) {
        assert.ok(appts.some((a) => a.contactId === c._id.toHexString() && a.status === 'completed'), `${c.name} had a treatment`);
      }
      assert.ok((await db.collection(COLLECTIONS.notes).countDocuments({ orgId })) >= 20);
      assert.ok((await db.collection(COLLECTIONS.leadEvents).countDocuments({ orgId })) >= 900);
    });

    it('then the board order puts the hottest first, never-contacted first within a score', async () => {
      const res = await server.request('GET', '/v1/leads?pageSize=100', { token });
      const items = res.body.items as Lead[];
      assert.equal(res.body.total, 300);
      assert.equal(res.body.totalPages, 3);
      assert.equal(items[0]!.tier, 'hot');
      for (let i = 1; i < items.length; i++) {
        const [a, b] = [items[i - 1]!, items[i]!];
        assert.ok(a.leadScore >= b.leadScore);
        if (a.leadScore === b.leadScore && a.lastContactAt !== null) assert.ok(b.lastContactAt !== null && b.lastContactAt >= a.lastContactAt);
      }
      assert.equal(items[0]!.tier, tierOf(items[0]!.leadScore));
    });

    it('then a search by the last 4 digits of a seeded phone finds the lead', async () => {
      const lead = contacts.find((c) => c.phoneValid && c.leadStatus === 'qualified')!;
      const last4 = lead.phoneDigits.slice(-4);
      const res = await server.request('GET', `/v1/leads?q=${last4}&pageSize=100`, { token });
      assert.equal(res.status, 200);
      assert.ok(res.body.total >= 1);
      assert.ok((res.body.items as Lead[]).every((l) => l.phone.replace(/\D/g, '').includes(last4)));
      assert.ok((res.body.items as Lead[]).some((l) => l.id === lead._id.toHexString()), `found ${lead.name} by ${last4}`);
    });

    it('then a partial name in any case finds the lead', async () => {
      const lead = contacts[17]!;
      const part = lead.name.split(' ')[1]!.slice(0, 4).toUpperCase();
      const res = await server.request('GET', `/v1/leads?q=${encodeURIComponent(part)}&pageSize=100`, { token });
      assert.ok((res.body.items as Lead[]).some((l) => l.id === lead._id.toHexString()));
    });

    it('then the API serves a seeded lead in full: calls, appointments, notes, timeline', async () => {
      const calls = await db.collection<CallDoc>(COLLECTIONS.calls).find({ orgId }).toArray();
      const booked = contacts.find((c) => c.leadStatus === 'booked' && calls.some((k) => k.contactId === c._id.toHexString()))!;
      const res = await server.request('GET', `/v1/leads/${booked._id.toHexString()}`, { token });
      assert.equal(res.status, 200, res.text);
      const detail = res.body as LeadDetail;
      assert.ok(detail.calls.length >= 1);
      assert.ok(detail.appointments.length >= 1);
      assert.ok(detail.timeline.some((e) => e.type === 'created'));
      assert.ok(detail.timeline.some((e) => e.type === 'status_changed' && e.to === 'booked'));
      const call = await server.request('GET', `/v1/calls/${detail.calls[0]!.id}`, { token });
      if (call.status !== 404) {
        // GET /v1/calls/:id arrives with the calls feature.
        assert.equal(call.status, 200, call.text);
        assert.ok(call.body.call.messages.length >= 1);
      }
    });
  });
});
