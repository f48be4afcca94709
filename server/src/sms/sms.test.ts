import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer, leadBody, configureTelephony, eventually, type TestServer } from '../testing/harness.js';

/** Noon in New York on a winter day: inside the 8:00-21:00 window. */
const NOON_NY = new Date('2026-11-25T17:00:00Z');

describe('SMS through Twilio (sandbox)', () => {
  let server: TestServer;
  let orgId: string;
  let agent: string;
  let clock = NOON_NY.getTime();

  before(async () => {
    server = await startTestServer({}, { now: () => new Date(clock) });
    ({ orgId } = await server.createOrg('Text Clinic', { timezone: 'America/New_York' }));
    agent = await server.token(orgId, { id: 'agent-1', name: 'Amy', role: 'agent' });
    await configureTelephony(server, await server.token(orgId, { role: 'admin' }), { phoneNumber: '+15005550006' });
  });
  after(() => server.close());

  let counter = 0;
  const key = () => `test-key-${Date.now()}-${++counter}`;
  const newLead = async (overrides: Record<string, unknown> = {}) =>
    (await server.request('POST', '/v1/leads', { token: agent, body: leadBody({ name: 'Tess Texter', phone: `+1212555${String(3000 + counter++)}`, ...overrides }) })).body.lead;
  const send = (id: string, body: string, idempotencyKey: string | null = key(), s: TestServer = server, token = agent) =>
    s.request('POST', `/v1/leads/${id}/sms`, { token, body: { body }, headers: idempotencyKey ? { 'idempotency-key': idempotencyKey } : {} });
  const detail = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: agent })).body;
  const smsLog = (id: string) => server.database.db.collection('sms_logs').findOne({ orgId, contactId: id }, { sort: { createdAt: -1 } });

  describe('when a text is sent', () => {
    it('then it is logged, accepted, delivered, and the lead becomes contacted', async () => {
      const lead = await newLead();
      const res = await send(lead.id, 'Hi Tess, this is Radiance Aesthetics. Would Thursday 4pm suit you for a consultation?');
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.scheduled, false);
      assert.match(res.body.sms.twilioSid, /^SM[0-9a-f]{32}$/);
      assert.equal(res.body.sms.segments, 1);
      assert.equal(res.body.sms.encoding, 'GSM-7');
      assert.equal(res.body.sms.from, '+15005550006');
      await server.sandbox!.control.idle();
      const log = await eventually(async () => {
        const doc = await smsLog(lead.id);
        return doc?.status === 'delivered' ? doc : undefined;
      }, 5000, 'delivered status');
      assert.equal(log.body.startsWith('Hi Tess'), true);
      const after = await detail(lead.id);
      assert.equal(after.leadStatus, 'contacted');
      assert.ok(after.lastContactAt);
      const sent = after.timeline.find((e: { type: string }) => e.type === 'sms');
      assert.equal(sent.detail, 'Hi Tess, this is Radiance Aesthetics. Would Thursday 4pm suit you for a consultation?', 'the message is on the timeline');
      assert.equal(sent.actor.name, 'Amy');
    });

    it('then a replayed Idempotency-Key returns the first result and sends nothing', async () => {
      const lead = await newLead();
      const k = key();
      const sentToTwilio = async () => {
        const state = (await (await fetch(`${server.sandbox!.url}/__sandbox/state`)).json()) as { messages: Array<{ body?: string }> };
        return state.messages.filter((m) => m.body?.split('\n')[0] === 'Hello once').length;
      };
      const first = await send(lead.id, 'Hello once', k);
      const second = await send(lead.id, 'Hello once', k);
      assert.equal(first.status, 202);
      assert.equal(second.status, 202);
      assert.equal(second.body.sms.id, first.body.sms.id);
      assert.equal(await sentToTwilio(), 1, 'Twilio got the message once');
      const count = await server.database.db.collection('sms_logs').countDocuments({ orgId, contactId: lead.id });
      assert.equal(count, 1, 'one message logged');
      const concurrent = await Promise.all([send(lead.id, 'Twice?', 'same-key-concurrent'), send(lead.id, 'Twice?', 'same-key-concurrent')]);
      assert.equal(concurrent[0].body.sms.id, concurrent[1].body.sms.id);
      assert.equal(await server.database.db.collection('sms_logs').countDocuments({ orgId, contactId: lead.id }), 2);
    });

    it('then long and non-GSM texts count their segments', async () => {
      const lead = await newLead();
      const res = await send(lead.id, 'é'.repeat(10) + '😊' + 'x'.repeat(60));
      assert.equal(res.status, 202);
      assert.equal(res.body.sms.encoding, 'UCS-2');
      assert.equal(res.body.sms.segments, 2);
    });
  });

  describe('when the text cannot be sent', () => {
    it('then a missing Idempotency-Key, an empty or oversized body are clear 400s and nothing is logged', async () => {
      const lead = await newLead();
      const noKey = await send(lead.id, 'hi', null);
      assert.equal(noKey.status, 400);
      assert.match(noKey.body.error.message, /Idempotency-Key/);
      assert.equal((await send(lead.id, '')).status, 400);
      assert.equal((await send(lead.id, 'x'.repeat(1601))).status, 400);
      assert.equal(await smsLog(lead.id), null);
    });

    it('then an invalid phone is refused before Twilio', async () => {
      const lead = await newLead({ phone: '555-CALL-NOW' });
      const res = await send(lead.id, 'hello');
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'INVALID_PHONE_FORMAT');
    });

    it('then Twilio\'s refusals map to clear errors (21211, 21408, 21614), logged as failed', async () => {
      for (const [phone, code] of [
        ['+15005550001', 'INVALID_PHONE_FORMAT'],
        ['+15005550003', 'SMS_REGION_NOT_PERMITTED'],
        ['+15005550009', 'PHONE_CANNOT_RECEIVE_SMS'],
      ] as const) {
        const lead = await newLead({ phone });
        assert.equal(lead.phoneValid, true, phone);
        const res = await send(lead.id, 'hello');
        assert.equal(res.status, 422, `${phone}: ${res.text}`);
        assert.equal(res.body.error.code, code);
        assert.equal((await smsLog(lead.id))?.status, 'failed');
      }
    });

    it('then 21610 (opted out at Twilio) also marks the lead opted out', async () => {
      const lead = await newLead({ phone: '+15005550004' });
      const res = await send(lead.id, 'hello');
      assert.equal(res.body.error.code, 'SMS_OPTED_OUT');
      const after = await detail(lead.id);
      assert.ok(after.smsOptOut);
      const again = await send(lead.id, 'hello again');
      assert.equal(again.status, 422);
      assert.equal(again.body.error.code, 'SMS_OPTED_OUT');
    });

    it('then an organisation without Twilio gets TWILIO_NOT_CONFIGURED', async () => {
      const { orgId: bare } = await server.createOrg();
      const token = await server.token(bare);
      const lead = (await server.request('POST', '/v1/leads', { token, body: leadBody() })).body.lead;
      const res = await send(lead.id, 'hello', key(), server, token);
      assert.equal(res.status, 422);
      assert.equal(res.body.error.code, 'TWILIO_NOT_CONFIGURED');
    });
  });

  describe('when the lead replies', () => {
    it('then STOP opts out at once, the next send is refused, and START opts back in', async () => {
      const lead = await newLead();
      await send(lead.id, 'Hi, any questions about your consultation?');
      const stop = await server.sandbox!.control.inbound({ from: lead.phone, to: '+15005550006', body: 'Stop' });
      assert.equal(stop.status, 200);
      const after = await detail(lead.id);
      assert.equal(after.smsOptOut.source, 'inbound-stop');
      assert.equal(after.timeline.find((e: { type: string }) => e.type === 'opted_out').detail, 'replied STOP');
      assert.ok(after.timeline.some((e: { type: string; detail: string }) => e.type === 'sms_inbound' && e.detail === 'Stop'));
      const refused = await send(lead.id, 'Are you sure?');
      assert.equal(refused.body.error.code, 'SMS_OPTED_OUT');
      await server.sandbox!.control.inbound({ from: lead.phone, to: '+15005550006', body: 'START' });
      assert.equal((await detail(lead.id)).smsOptOut, null);
      assert.equal((await send(lead.id, 'Welcome back!')).status, 202);
    });

    it('then a plain-language request is flagged for staff without opting out', async () => {
      const lead = await newLead();
      await server.sandbox!.control.inbound({ from: lead.phone, to: '+15005550006', body: 'please stop texting me' });
      const after = await detail(lead.id);
      assert.equal(after.smsOptOut, null);
      const flagged = after.timeline.find((e: { type: string }) => e.type === 'opt_out_request');
      assert.equal(flagged.detail, 'please stop texting me');
    });

    it('then a reply that is no keyword records its sentiment on the lead (the basis of the Call today view)', async () => {
      const lead = await newLead();
      assert.equal((await detail(lead.id)).lastInboundSentiment, null);
      await server.sandbox!.control.inbound({ from: lead.phone, to: '+15005550006', body: 'Yes please, Thursday works great, thank you!' });
      assert.equal((await detail(lead.id)).lastInboundSentiment, 'positive');
      await server.sandbox!.control.inbound({ from: lead.phone, to: '+15005550006', body: 'Actually this is too expensive, I am not interested.' });
      assert.equal((await detail(lead.id)).lastInboundSentiment, 'negative');
    });

    it('then forged Twilio webhooks are refused', async () => {
      const res = await server.request('POST', '/webhooks/twilio/inbound', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'bm90IGEgc2lnbmF0dXJl' },
        body: new URLSearchParams({ MessageSid: 'SM' + '0'.repeat(32), From: '+12125550100', To: '+15005550006', Body: 'STOP' }).toString(),
      });
      assert.equal(res.status, 401);
      const status = await server.request('POST', '/webhooks/twilio/status', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ MessageSid: 'SM' + '1'.repeat(32), MessageStatus: 'delivered' }).toString(),
      });
      assert.equal(status.status, 401);
    });
  });

  describe('when it is quiet hours', () => {
    it('then the text is scheduled for 8:00 in the lead\'s time zone, survives a restart, and is sent when due', async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'll-sms-'));
      let t = new Date('2026-11-25T07:30:00Z').getTime(); // 02:30 in New York
      const overrides = { LEADS_DATA_DIR: dataDir, MONGODB_DB: `ll_test_quiet_${Date.now()}`, TOKEN_SECRET: 'q'.repeat(40), ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64') };
      let first: TestServer | null = await startTestServer(overrides, { now: () => new Date(t) });
      let second: TestServer | null = null;
      try {
        const { orgId: o } = await first.createOrg('Night Clinic', { timezone: 'America/New_York' });
        const token = await first.token(o, { role: 'admin' }, 86400);
        await configureTelephony(first, token);
        const lead = (await first.request('POST', '/v1/leads', { token, body: leadBody({ timezone: 'America/New_York' }) })).body.lead;
        const res = await first.request('POST', `/v1/leads/${lead.id}/sms`, { token, body: { body: 'Good morning!' }, headers: { 'idempotency-key': 'night-key-1' } });
        assert.equal(res.status, 202, res.text);
        assert.equal(res.body.scheduled, true);
        assert.equal(res.body.sms.status, 'scheduled');
        assert.equal(res.body.sms.scheduledFor, '2026-11-25T13:00:00.000Z');
        assert.equal(await first.context.sms.sendDue(), 0, 'nothing is due at 02:30');
        await first.closeKeepingData();
        first = null;

        t = new Date('2026-11-25T13:00:01Z').getTime();
        second = await startTestServer({ ...overrides, MONGODB_DB: overrides.MONGODB_DB }, { now: () => new Date(t) });
        assert.equal(await second.context.sms.sendDue(), 1);
        const log = await second.database.db.collection('sms_logs').findOne({ orgId: o, idempotencyKey: 'night-key-1' });
        assert.ok(log?.twilioSid, 'sent through Twilio after the restart');
        assert.notEqual(log?.status, 'scheduled');
      } finally {
        await first?.close();
        if (second) {
          await second.database.db.dropDatabase();
          await second.close();
        }
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });
});
