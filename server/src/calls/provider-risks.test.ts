/**
 * Issue 18 (what the sandbox could not prove before) and issue 11 items 2 and 3, through the API against the sandbox.
 * Each `it` names the risk it closes; each failed on the code before the fix.
 */
import assert from 'node:assert/strict';
import { createVapi } from '../telephony/vapi.js';
import { configureTelephony, eventually, leadBody, uniqueClinicNumber, type TestServer, startTestServer } from '../testing/harness.js';

const ACCOUNT = `AC${'0123456789abcdef'.repeat(2)}`;
const TOKEN = 'sandbox-auth-token-0123456789';
const AGENT = {
  name: 'Riley',
  voice: 'Elliot',
  systemPrompt: 'You are Riley from {{clinic_name}}, following up with {{full_name}} about {{service}}. Today is {{date}}.',
  firstMessage: 'Hi {{first_name}}, this is Riley, an AI assistant calling from {{clinic_name}}. Is now a good time?',
};

describe('provider risks (issue 18) and telephony ownership (issue 11)', () => {
  let server: TestServer;
  let orgId: string;
  let admin: string;
  let clinicNumber: string;

  before(async () => {
    server = await startTestServer();
    ({ orgId } = await server.createOrg('Glow Aesthetics'));
    admin = await server.token(orgId, { id: 'admin-1', name: 'Ada', role: 'admin' });
    const saved = await server.request('PUT', '/v1/agents/outbound', { token: admin, body: AGENT });
    assert.equal(saved.status, 200, saved.text);
    clinicNumber = (await configureTelephony(server, admin, { agent: false })).phoneNumber!;
  });
  after(() => server.close());

  const vapi = () => createVapi({ token: 'sandbox-platform-key', baseUrl: server.sandbox!.vapiBaseUrl });
  const newLead = async (phone: string, overrides: Record<string, unknown> = {}) =>
    (await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ name: 'Carla Mendes', phone, services: ['Botox'], ...overrides }) })).body.lead;
  const callOf = (id: string) => server.request('GET', `/v1/calls/${id}`, { token: admin }).then((r) => r.body.call);
  const ended = (id: string) =>
    eventually(async () => {
      const c = await callOf(id);
      return c.status === 'ended' || c.status === 'failed' ? c : undefined;
    }, 5000, 'the call to end');

  it('issue 18 (1): webhooks are authenticated by x-vapi-secret in the assistant\'s server.headers; no Vapi credential is used', async () => {
    const view = (await server.request('GET', '/v1/agents/outbound', { token: admin })).body.agent;
    const assistant = await vapi().assistants.get({ id: view.vapiAssistantId });
    assert.equal(assistant.server?.credentialId, undefined);
    const headers = assistant.server?.headers as Record<string, string>;
    assert.match(headers['x-vapi-secret'] ?? '', /^[A-Za-z0-9_-]{43}$/);
    assert.ok(!JSON.stringify(view).includes(headers['x-vapi-secret']!), 'the secret never reaches a response');
    const lead = await newLead('+12125550601');
    server.sandbox!.control.nextCallScenario('warm');
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    assert.equal(res.status, 202, res.text);
    await server.sandbox!.control.idle();
    const call = await ended(res.body.call.id);
    assert.equal(call.status, 'ended');
    assert.ok(call.transcript);
    const vapiDeliveries = server.sandbox!.control.deliveries().filter((d) => d.provider === 'vapi');
    assert.ok(vapiDeliveries.length >= 4 && vapiDeliveries.every((d) => d.status === 200), JSON.stringify(vapiDeliveries));
  });

  it('issue 18 (2): an unknown {{variable}} is refused by name when the agent is saved, in the API error shape', async () => {
    const bad = await server.request('PUT', '/v1/agents/outbound', {
      token: admin,
      body: { ...AGENT, firstMessage: 'Hi {{leadName}}, this is Riley from {{clinicName}}. Is now a good time?' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    assert.match(bad.body.error.message, /\{\{leadName\}\}/);
    assert.deepEqual(
      bad.body.error.details.fields.map((f: { path: string; variable: string }) => [f.path, f.variable]),
      [['firstMessage', 'leadName'], ['firstMessage', 'clinicName']],
    );
    assert.match(bad.body.error.details.fields[0].message, /\{\{first_name\}\}/, 'the message lists the names to use');
    const filter = await server.request('PUT', '/v1/agents/outbound', { token: admin, body: { ...AGENT, systemPrompt: `${AGENT.systemPrompt} {{ now | date: "%Y" }}` } });
    assert.equal(filter.status, 400);
    assert.equal(filter.body.error.details.fields[0].path, 'systemPrompt');
    const still = (await server.request('GET', '/v1/agents/outbound', { token: admin })).body.agent;
    assert.equal(still.firstMessage, AGENT.firstMessage, 'nothing was saved');
  });

  it('issue 18 (2): the product fills its documented variables, rendered by the sandbox as Vapi renders them', async () => {
    const lead = await newLead('+12125550602');
    server.sandbox!.control.nextCallScenario('hot');
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    await server.sandbox!.control.idle();
    const call = await eventually(async () => {
      const c = await callOf(res.body.call.id);
      return c.transcript ? c : undefined;
    });
    assert.equal(call.messages[0].text, 'Hi Carla, this is Riley, an AI assistant calling from Glow Aesthetics. Is now a good time?');
  });

  it('issue 18 (3): texting Twilio\'s unroutable magic number, or from a number that left Twilio, gives an actionable error, not a 502', async () => {
    const unroutable = await newLead('+15005550002');
    const res = await server.request('POST', `/v1/leads/${unroutable.id}/sms`, { token: admin, body: { body: 'Hello' }, headers: { 'idempotency-key': 'risk3-unroutable-1' } });
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.error.code, 'SMS_ROUTE_UNAVAILABLE');
    assert.equal(res.body.error.details.sms.status, 'failed');

    const { orgId: other } = await server.createOrg('Ported Clinic');
    const otherAdmin = await server.token(other, { role: 'admin' });
    const { phoneNumber } = await configureTelephony(server, otherAdmin);
    server.sandbox!.control.releaseNumber(phoneNumber!);
    const lead = (await server.request('POST', '/v1/leads', { token: otherAdmin, body: leadBody({ phone: '+12125550604' }) })).body.lead;
    const ported = await server.request('POST', `/v1/leads/${lead.id}/sms`, { token: otherAdmin, body: { body: 'Hello' }, headers: { 'idempotency-key': 'risk3-ported-1' } });
    assert.equal(ported.status, 422, ported.text);
    assert.equal(ported.body.error.code, 'SENDER_NOT_TWILIO_NUMBER');
    assert.match(ported.body.error.message, /Settings > Phone number/);
    assert.equal(ported.body.error.details.twilioCode ?? ported.body.error.details.sms.errorCode, 21659);
  });

  it('issue 18 (4): re-saving the Twilio settings updates the Vapi phone number in place', async () => {
    const before = (await server.request('GET', '/v1/telephony/twilio', { token: admin })).body.integration;
    const count = () => server.sandbox!.control.vapiPhoneNumbers().filter((p) => p.number === clinicNumber).length;
    assert.equal(count(), 1);
    for (let i = 0; i < 2; i++) {
      const again = await server.request('POST', '/v1/telephony/twilio', { token: admin, body: { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: clinicNumber } });
      assert.equal(again.status, 200, again.text);
      assert.equal(again.body.integration.vapiPhoneNumberId, before.vapiPhoneNumberId);
    }
    assert.equal(count(), 1, 'no duplicate import');
  });

  it('issue 18 (5): a webhook without message.call is authenticated by its secret and applied to the lead\'s active call', async () => {
    const lead = await newLead('+12125550605');
    server.sandbox!.control.nextCallScenario('hot');
    server.sandbox!.control.nextCallWithoutCallObject();
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    assert.equal(res.status, 202);
    await server.sandbox!.control.idle();
    const call = await ended(res.body.call.id);
    assert.equal(call.status, 'ended');
    assert.ok(call.transcript, 'the end-of-call report was applied');
    const statuses = server.sandbox!.control.deliveries().slice(-4).map((d) => d.status);
    assert.deepEqual(statuses, [200, 200, 200, 200]);
    const forged = JSON.stringify({ message: { type: 'status-update', status: 'ended', customer: { number: lead.phone } } });
    const refused = await server.request('POST', '/webhooks/vapi', { headers: { 'content-type': 'application/json', 'x-vapi-secret': 'guess' }, body: forged });
    assert.equal(refused.status, 401);
  });

  it('issue 18 (5): failure endings fail the call with an actionable message; busy ends it; forwarding is followed', async () => {
    const failing = await newLead('+12125550606');
    server.sandbox!.control.nextCallScenario('failed-to-connect');
    const r1 = await server.request('POST', `/v1/leads/${failing.id}/calls`, { token: admin });
    await server.sandbox!.control.idle();
    const c1 = await ended(r1.body.call.id);
    assert.equal(c1.status, 'failed');
    assert.equal(c1.endedReason, 'twilio-failed-to-connect-call');
    assert.match(c1.error, /Twilio could not connect the call/);
    const d1 = (await server.request('GET', `/v1/leads/${failing.id}`, { token: admin })).body;
    assert.equal(d1.activeCallId, null);
    assert.equal(d1.timeline.filter((e: { type: string; to: string }) => e.type === 'call' && e.to === 'failed').length, 1, 'one timeline entry');

    const busy = await newLead('+12125550607', { leadScore: 61 });
    server.sandbox!.control.nextCallScenario('busy');
    const r2 = await server.request('POST', `/v1/leads/${busy.id}/calls`, { token: admin });
    await server.sandbox!.control.idle();
    const c2 = await ended(r2.body.call.id);
    assert.deepEqual([c2.status, c2.endedReason, c2.error], ['ended', 'customer-busy', null]);
    const d2 = (await server.request('GET', `/v1/leads/${busy.id}`, { token: admin })).body;
    assert.equal(d2.leadScore, 61);
    assert.ok(d2.timeline.some((e: { detail: string | null }) => e.detail === 'Busy'));

    const forwarded = await newLead('+12125550608');
    server.sandbox!.control.nextCallScenario('forwarded');
    const r3 = await server.request('POST', `/v1/leads/${forwarded.id}/calls`, { token: admin });
    await server.sandbox!.control.idle();
    const c3 = await ended(r3.body.call.id);
    assert.deepEqual([c3.status, c3.endedReason], ['ended', 'assistant-forwarded-call']);
    assert.ok(c3.transcript);
  });

  it('issue 18 (5): an assistant deleted in Vapi is recreated when the agent is saved again, whatever client error Vapi answers', async () => {
    const view = (await server.request('GET', '/v1/agents/outbound', { token: admin })).body.agent;
    assert.ok(server.sandbox!.control.deleteVapiAssistant(view.vapiAssistantId));
    server.sandbox!.control.failNext({ service: 'vapi', status: 400 });
    const saved = await server.request('PUT', '/v1/agents/outbound', { token: admin, body: AGENT });
    assert.equal(saved.status, 200, saved.text);
    assert.notEqual(saved.body.agent.vapiAssistantId, view.vapiAssistantId);
    const lead = await newLead('+12125550609');
    server.sandbox!.control.nextCallScenario('warm');
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    assert.equal(res.status, 202, res.text);
    await server.sandbox!.control.idle();
    assert.equal((await ended(res.body.call.id)).status, 'ended');
  });

  it('issue 11 (3): a number belongs to one clinic: importing it elsewhere is 409 NUMBER_IN_USE and changes nothing; inbound texts find the right clinic', async () => {
    const { orgId: b } = await server.createOrg('Other Clinic');
    const bAdmin = await server.token(b, { role: 'admin' });
    await configureTelephony(server, bAdmin, { twilio: false });
    const taken = await server.request('POST', '/v1/telephony/twilio', { token: bAdmin, body: { accountSid: ACCOUNT, authToken: TOKEN, phoneNumber: clinicNumber } });
    assert.equal(taken.status, 409, taken.text);
    assert.equal(taken.body.error.code, 'NUMBER_IN_USE');
    assert.match(taken.body.error.message, /another clinic/);
    assert.match(taken.body.error.message, /import a different Twilio number/);
    assert.equal(taken.body.error.details.phoneNumber, clinicNumber);
    assert.equal((await server.request('GET', '/v1/telephony/twilio', { token: bAdmin })).body.integration, null);

    // The unique index holds even when the pre-check is raced.
    await assert.rejects(
      server.database.db.collection('integrations').insertOne({ orgId: b, provider: 'twilio', phoneNumber: clinicNumber, accountSid: ACCOUNT }),
      (e: { code?: number }) => e.code === 11000,
    );

    // A's texts still reach A, and the same lead phone in B is not touched.
    const phone = '+12125550610';
    const leadA = await newLead(phone);
    const leadB = (await server.request('POST', '/v1/leads', { token: bAdmin, body: leadBody({ phone }) })).body.lead;
    const stop = await server.sandbox!.control.inbound({ from: phone, to: clinicNumber, body: 'STOP' });
    assert.equal(stop.status, 200);
    await eventually(async () => (await server.request('GET', `/v1/leads/${leadA.id}`, { token: admin })).body.smsOptOut);
    assert.equal((await server.request('GET', `/v1/leads/${leadB.id}`, { token: bAdmin })).body.smsOptOut, null);
  });

  it('issue 11 (2): calls in flight when the agent is removed and saved again (new secret) still have their webhooks accepted', async () => {
    const slow = await startTestServer({}, { sandboxDelays: { ring: 150, answer: 150, talk: 150, sms: 5 } });
    try {
      const { orgId: o } = await slow.createOrg('Rotating Clinic');
      const a = await slow.token(o, { role: 'admin' });
      await configureTelephony(slow, a, { phoneNumber: uniqueClinicNumber() });
      const before = await slow.context.calls.webhookSecret(o);
      const lead = (await slow.request('POST', '/v1/leads', { token: a, body: leadBody({ phone: '+12125550611' }) })).body.lead;
      slow.sandbox!.control.nextCallScenario('hot');
      const res = await slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: a });
      assert.equal(res.status, 202, res.text);
      // While the call rings: the agent is deleted and saved again, which rotates the secret.
      assert.equal((await slow.request('DELETE', '/v1/agents/outbound', { token: a })).status, 204);
      assert.equal((await slow.request('PUT', '/v1/agents/outbound', { token: a, body: AGENT })).status, 200);
      assert.notEqual(await slow.context.calls.webhookSecret(o), before, 'the secret rotated');
      await slow.sandbox!.control.idle();
      const call = await eventually(async () => {
        const c = (await slow.request('GET', `/v1/calls/${res.body.call.id}`, { token: a })).body.call;
        return c.status === 'ended' && c.transcript ? c : undefined;
      }, 5000, 'the in-flight call to end through its webhooks');
      assert.ok(call.transcript);
      assert.ok(slow.sandbox!.control.deliveries().every((d) => d.provider !== 'vapi' || d.status === 200));
      assert.equal((await slow.request('GET', `/v1/leads/${lead.id}`, { token: a })).body.activeCallId, null, 'not stuck CALL_IN_PROGRESS');
    } finally {
      await slow.close();
    }
  });
});
