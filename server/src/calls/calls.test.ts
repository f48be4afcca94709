import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startTestServer, leadBody, configureTelephony, eventually, type TestServer } from '../testing/harness.js';

describe('calls through Vapi (sandbox)', () => {
  let server: TestServer;
  let orgId: string;
  let agent: string;
  let admin: string;
  let adminNumber: string;

  before(async () => {
    server = await startTestServer({ VAPI_TIMEOUT_SECONDS: 1 });
    ({ orgId } = await server.createOrg('Call Clinic'));
    agent = await server.token(orgId, { id: 'agent-1', name: 'Amy', role: 'agent' });
    admin = await server.token(orgId, { id: 'admin-1', name: 'Ada', role: 'admin' });
  });
  after(() => server.close());

  const newLead = async (overrides: Record<string, unknown> = {}) =>
    (await server.request('POST', '/v1/leads', { token: agent, body: leadBody({ name: 'Carla Caller', phone: '+12125550150', services: [], ...overrides }) })).body.lead;
  const detail = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: agent })).body;
  const placeCall = (id: string) => server.request('POST', `/v1/leads/${id}/calls`, { token: agent });

  describe('when telephony is not set up', () => {
    it('then Call Back explains each missing step, in order', async () => {
      const { orgId: bare } = await server.createOrg('Bare Clinic');
      const bareAdmin = await server.token(bare, { role: 'admin' });
      const lead = (await server.request('POST', '/v1/leads', { token: bareAdmin, body: leadBody({ phone: 'not a phone' }) })).body.lead;
      const first = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: bareAdmin });
      assert.equal(first.status, 422);
      assert.equal(first.body.error.code, 'OUTBOUND_AGENT_NOT_CONFIGURED');
      await configureTelephony(server, bareAdmin, { twilio: false });
      const second = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: bareAdmin });
      assert.equal(second.body.error.code, 'NO_PHONE_NUMBER');
      const { phoneNumber } = await configureTelephony(server, bareAdmin, { agent: false });
      const third = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: bareAdmin });
      assert.equal(third.status, 422);
      assert.equal(third.body.error.code, 'INVALID_PHONE_FORMAT');
      assert.equal(third.body.error.details.phone, 'not a phone');
      const session = await server.request('GET', '/v1/session', { token: bareAdmin });
      assert.deepEqual(session.body.telephony, { outboundAgentConfigured: true, twilioNumber: phoneNumber, sandbox: true });
    });

    it('then only an admin may change telephony settings, and no response carries a credential', async () => {
      const res = await server.request('PUT', '/v1/agents/outbound', { token: agent, body: {} });
      assert.equal(res.status, 403);
      adminNumber = (await configureTelephony(server, admin)).phoneNumber!;
      const twilio = await server.request('GET', '/v1/telephony/twilio', { token: admin });
      assert.equal(twilio.body.integration.accountSid, 'AC…cdef');
      const agentView = await server.request('GET', '/v1/agents/outbound', { token: admin });
      for (const text of [twilio.text, agentView.text]) {
        assert.ok(!text.includes('sandbox-auth-token'), 'auth token leaked');
        assert.ok(!/webhookSecret|authToken/i.test(text), text);
      }
      const stored = await server.database.db.collection('integrations').findOne({ orgId, provider: 'twilio' });
      assert.ok(stored);
      assert.ok(!JSON.stringify(stored).includes('sandbox-auth-token'), 'credentials are encrypted at rest');
      assert.match(String(stored.authTokenEnc), /^v\d+:/);
    });

    it('then a bad Twilio import gets a clear error and changes nothing', async () => {
      const bad = await server.request('POST', '/v1/telephony/twilio', { token: admin, body: { accountSid: 'XX123', authToken: 'short', phoneNumber: '12' } });
      assert.equal(bad.status, 400);
      assert.deepEqual(bad.body.error.details.fields.map((f: { path: string }) => f.path).sort(), ['accountSid', 'authToken', 'phoneNumber']);
      const notOwned = await server.request('POST', '/v1/telephony/twilio', {
        token: admin,
        body: { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'sandbox-auth-token-0123456789', phoneNumber: '+15005550001' },
      });
      assert.equal(notOwned.status, 422);
      assert.equal(notOwned.body.error.code, 'TWILIO_NUMBER_NOT_FOUND');
      const still = await server.request('GET', '/v1/telephony/twilio', { token: admin });
      assert.equal(still.body.integration.phoneNumber, adminNumber);
    });
  });

  describe('when a hot lead answers', () => {
    it('then the call goes queued -> ended, the transcript is saved, the score, services and status change', async () => {
      const lead = await newLead();
      server.sandbox!.control.nextCallScenario('hot');
      const res = await placeCall(lead.id);
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.call.status, 'queued');
      const callId = res.body.call.id;
      await server.sandbox!.control.idle();
      const call = await eventually(async () => {
        const c = (await server.request('GET', `/v1/calls/${callId}`, { token: agent })).body.call;
        return c.status === 'ended' && c.transcript ? c : undefined;
      }, 5000, 'the end-of-call report');
      assert.ok(call.vapiCallId);
      assert.ok(call.messages.some((m: { role: string }) => m.role === 'lead'));
      assert.ok(call.messages.some((m: { role: string }) => m.role === 'agent'));
      assert.ok(!call.messages.some((m: { role: string }) => m.role === 'system'), 'the assistant\'s system prompt is not shown to staff');
      assert.ok(call.summary);
      assert.ok(call.durationSec > 0);
      assert.equal(call.scoreBefore, 50);
      const after = await detail(lead.id);
      assert.ok(after.leadScore >= 80, `hot call should make the lead hot, got ${after.leadScore}`);
      assert.equal(call.scoreAfter, after.leadScore);
      assert.equal(after.leadStatus, 'contacted');
      assert.ok(after.lastContactAt);
      assert.equal(after.activeCallId, null);
      assert.ok(after.services.length > 0, 'services found in the call fill the lead');
      assert.ok(after.scoreBreakdown.rules.some((r: { rule: string; quotes: string[] }) => r.rule === 'high_value_keywords' && r.quotes.length > 0));
      const types = after.timeline.map((e: { type: string }) => e.type);
      for (const t of ['call', 'scored', 'status_changed']) assert.ok(types.includes(t), `timeline has ${t}: ${types}`);
      assert.equal(after.calls[0].id, callId);
      assert.ok(after.calls[0].transcript.length <= 101, 'the detail carries the first 100 characters only');
    });
  });

  describe('when nobody answers', () => {
    for (const scenario of ['voicemail', 'no-answer'] as const) {
      it(`then a ${scenario} call leaves the score and status alone`, async () => {
        const lead = await newLead({ phone: scenario === 'voicemail' ? '+12125550151' : '+12125550152', leadScore: 64 });
        server.sandbox!.control.nextCallScenario(scenario);
        const res = await placeCall(lead.id);
        assert.equal(res.status, 202);
        await server.sandbox!.control.idle();
        await eventually(async () => (await detail(lead.id)).activeCallId === null, 5000, 'call end');
        const after = await detail(lead.id);
        assert.equal(after.leadScore, 64);
        assert.equal(after.leadStatus, 'new');
        assert.equal(after.lastContactAt, null);
        assert.ok(after.lastAttemptAt);
      });
    }
  });

  describe('when a call is already active', () => {
    it('then a second Call Back gets 409 CALL_IN_PROGRESS', async () => {
      const slow = await startTestServer({}, { sandboxDelays: { ring: 400, answer: 400, talk: 400, sms: 10 } });
      try {
        const { orgId: o } = await slow.createOrg();
        const a = await slow.token(o, { role: 'admin' });
        await configureTelephony(slow, a);
        const lead = (await slow.request('POST', '/v1/leads', { token: a, body: leadBody() })).body.lead;
        const [one, two] = await Promise.all([
          slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: a }),
          slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: a }),
        ]);
        assert.deepEqual([one.status, two.status].sort(), [202, 409]);
        const third = await slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: a });
        assert.equal(third.status, 409);
        assert.equal(third.body.error.code, 'CALL_IN_PROGRESS');
        // A burst on another lead: every refused start, including those that lost the claim after writing their record,
        // leaves nothing behind: one call record, one "Call started" on the timeline.
        const other = (await slow.request('POST', '/v1/leads', { token: a, body: leadBody({ phone: '+12125550199' }) })).body.lead;
        const burst = await Promise.all(Array.from({ length: 6 }, () => slow.request('POST', `/v1/leads/${other.id}/calls`, { token: a })));
        assert.deepEqual(burst.map((r) => r.status).sort(), [202, 409, 409, 409, 409, 409]);
        assert.equal(await slow.database.db.collection('calls').countDocuments({ orgId: o, contactId: other.id }), 1, 'one call record');
        const shown = (await slow.request('GET', `/v1/leads/${other.id}`, { token: a })).body;
        assert.equal(shown.calls.length, 1, 'one call in the lead history');
        assert.equal(shown.timeline.filter((e: { type: string; detail: string | null }) => e.type === 'call' && e.detail === 'Call started').length, 1);
        await slow.sandbox!.control.idle();
      } finally {
        await slow.close();
      }
    });
  });

  describe('when Vapi fails', () => {
    it('then a Vapi 500 ends the record as failed with the reason and a clear 502', async () => {
      const lead = await newLead({ phone: '+12125550160' });
      server.sandbox!.control.failNext({ service: 'vapi', status: 500 });
      const res = await placeCall(lead.id);
      assert.equal(res.status, 502);
      assert.equal(res.body.error.code, 'CALL_PROVIDER_FAILED');
      assert.match(res.body.error.message, /HTTP 500/);
      const call = (await server.request('GET', `/v1/calls/${res.body.error.details.callId}`, { token: agent })).body.call;
      assert.equal(call.status, 'failed');
      assert.match(call.error, /Vapi refused/);
      assert.equal((await detail(lead.id)).activeCallId, null, 'the lead is free for the next call');
    });

    it('then a Vapi timeout ends the record as failed too', async () => {
      const lead = await newLead({ phone: '+12125550161' });
      server.sandbox!.control.failNext({ service: 'vapi', hang: true });
      const res = await placeCall(lead.id);
      assert.equal(res.status, 502);
      const call = (await server.request('GET', `/v1/calls/${res.body.error.details.callId}`, { token: agent })).body.call;
      assert.equal(call.status, 'failed');
      assert.match(call.error, /did not answer in time/);
    });
  });

  describe('when webhooks are repeated or forged', () => {
    const signed = (secret: string, body: string, ts = String(Math.floor(Date.now() / 1000))) => ({
      'content-type': 'application/json',
      'x-timestamp': ts,
      'x-signature': createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'),
    });

    it('then a duplicate end-of-call report changes nothing twice, and forged ones are refused', async () => {
      const lead = await newLead({ phone: '+12125550170' });
      server.sandbox!.control.nextCallScenario('warm');
      const res = await placeCall(lead.id);
      await server.sandbox!.control.idle();
      const call = await eventually(async () => {
        const c = (await server.request('GET', `/v1/calls/${res.body.call.id}`, { token: agent })).body.call;
        return c.status === 'ended' && c.transcript ? c : undefined;
      });
      const before = await detail(lead.id);
      const secret = await server.context.calls.webhookSecret(orgId);
      assert.ok(secret);
      const report = JSON.stringify({
        message: {
          type: 'end-of-call-report',
          endedReason: 'customer-ended-call',
          call: { id: call.vapiCallId },
          artifact: { messages: [{ role: 'user', message: 'I want botox today, book me now please, amazing!' }], transcript: 'User: I want botox today' },
        },
      });
      const replay = await server.request('POST', '/webhooks/vapi', { headers: signed(secret!, report), body: report });
      assert.equal(replay.status, 200, replay.text);
      assert.equal(replay.body.duplicate, true);
      const after = await detail(lead.id);
      assert.equal(after.leadScore, before.leadScore);
      assert.equal(after.version, before.version);

      const forged = await server.request('POST', '/webhooks/vapi', { headers: signed('wrong-secret', report), body: report });
      assert.equal(forged.status, 401);
      assert.equal(forged.body.error.code, 'WEBHOOK_UNAUTHENTICATED');
      const stale = await server.request('POST', '/webhooks/vapi', { headers: signed(secret!, report, String(Math.floor(Date.now() / 1000) - 3600)), body: report });
      assert.equal(stale.status, 401);
      const unsigned = await server.request('POST', '/webhooks/vapi', { headers: { 'content-type': 'application/json' }, body: report });
      assert.equal(unsigned.status, 401);
      const unknown = JSON.stringify({ message: { type: 'status-update', status: 'ringing', call: { id: 'no-such-call' } } });
      const unknownRes = await server.request('POST', '/webhooks/vapi', { headers: signed(secret!, unknown), body: unknown });
      assert.equal(unknownRes.status, 401);
      const garbage = await server.request('POST', '/webhooks/vapi', { headers: { 'content-type': 'application/json' }, body: '{"nope":1}' });
      assert.equal(garbage.status, 400);
    });
  });

  describe('when a call never reports its end', () => {
    it('then reconciliation reads it back from Vapi or closes it as failed', async () => {
      const lead = await newLead({ phone: '+12125550180' });
      const res = await placeCall(lead.id);
      await server.sandbox!.control.idle();
      const id = res.body.call.id;
      // Make the record look stale and still open, as if the webhooks had been lost.
      const { ObjectId } = await import('mongodb');
      await server.database.db.collection('calls').updateOne(
        { _id: new ObjectId(id) },
        { $set: { status: 'in-progress', transcript: null, createdAt: new Date(Date.now() - 20 * 60_000) } },
      );
      const vapiCallId = (await server.request('GET', `/v1/calls/${id}`, { token: agent })).body.call.vapiCallId;
      await server.database.db.collection('webhook_receipts').deleteOne({ provider: 'vapi', key: `${vapiCallId}:end` });
      const closed = await server.context.calls.reconcile();
      assert.ok(closed >= 1);
      const call = (await server.request('GET', `/v1/calls/${id}`, { token: agent })).body.call;
      assert.equal(call.status, 'ended');
      assert.ok(call.transcript);
    });
  });

  describe('when another organisation asks', () => {
    it('then its calls are not found', async () => {
      const { orgId: other } = await server.createOrg();
      const otherToken = await server.token(other);
      const lead = await newLead({ phone: '+12125550190' });
      const res = await placeCall(lead.id);
      assert.equal((await server.request('GET', `/v1/calls/${res.body.call.id}`, { token: otherToken })).status, 404);
      assert.equal((await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: otherToken })).status, 404);
      await server.sandbox!.control.idle();
    });
  });
});
