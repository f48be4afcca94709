/**
 * Call modes (issue 13): "Connect me" rings the caller's own phone from the clinic's number and transfers the call to
 * the lead (who sees the clinic's number); "AI agent calls" transfer a lead who asks for a person to the front desk.
 * Everything runs through the real Vapi SDK against the sandbox, which posts Vapi's webhooks in order.
 */
import assert from 'node:assert/strict';
import { configureTelephony, eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';

const COORDINATOR_PHONE = '+12125550901';

describe('call modes: Connect me and the front-desk transfer (sandbox)', () => {
  let server: TestServer;
  let orgId: string;
  let secretKey: string;
  let admin: string;
  let clinicNumber: string;
  /** Maria has her phone in her embed token; Sam has none anywhere. */
  let maria: string;
  let sam: string;

  /** Mints a token the way a host CRM does, with the user's own phone when given. */
  const mint = async (key: string, user: { id: string; name: string; role: 'agent' | 'admin'; phone?: string }) => {
    const res = await server.request('POST', '/v1/embed-tokens', { token: key, body: { user } });
    assert.equal(res.status, 201, res.text);
    return res.body.token as string;
  };

  before(async () => {
    server = await startTestServer();
    ({ orgId, secretKey } = await server.createOrg('Connect Clinic'));
    admin = await server.token(orgId, { id: 'admin-1', name: 'Ada', role: 'admin' });
    clinicNumber = (await configureTelephony(server, admin)).phoneNumber!;
    maria = await mint(secretKey, { id: 'maria', name: 'Maria', role: 'agent', phone: COORDINATOR_PHONE });
    sam = await mint(secretKey, { id: 'sam', name: 'Sam', role: 'agent' });
  });
  after(() => server.close());

  const newLead = async (phone: string, overrides: Record<string, unknown> = {}) =>
    (await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ name: 'Carla Lead', phone, services: [], ...overrides }) })).body.lead;
  const getCall = async (id: string) => (await server.request('GET', `/v1/calls/${id}`, { token: admin })).body.call;
  const ended = (id: string) =>
    eventually(async () => {
      const c = await getCall(id);
      return (c.status === 'ended' || c.status === 'failed') && c.endedAt && (c.transcript !== null || c.status === 'failed') ? c : undefined;
    }, 5000, 'the call to end');
  const detail = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: admin })).body;

  it('a Connect-me call rings the caller, transfers to the lead with the clinic number, and ends as one record with a transcript', async () => {
    const lead = await newLead('+12125550911', { leadScore: 57 });
    const deliveredBefore = server.sandbox!.control.deliveries().length;
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: maria, body: { mode: 'connect' } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.call.mode, 'connect');
    assert.deepEqual(res.body.call.legs.map((l: { role: string }) => l.role), ['caller']);
    await server.sandbox!.control.idle();
    const call = await ended(res.body.call.id);

    assert.equal(call.status, 'ended');
    assert.equal(call.endedReason, 'assistant-forwarded-call');
    assert.match(call.transcript, /You're being connected to Carla Lead/);
    // Both legs, in the order they joined: the caller's phone, then the lead.
    assert.deepEqual(call.legs.map((l: { role: string; status: string }) => `${l.role}:${l.status}`), ['caller:ended', 'lead:ended']);
    const [caller, leg] = call.legs;
    assert.ok(caller.startedAt && leg.startedAt && Date.parse(caller.startedAt) <= Date.parse(leg.startedAt), JSON.stringify(call.legs));
    assert.ok(leg.endedAt);
    assert.ok(!JSON.stringify(call).includes(COORDINATOR_PHONE), 'the caller\'s phone is not in the call record');

    // Vapi dialled Maria's phone and transferred to the lead, showing the clinic's number.
    const transfers = server.sandbox!.control.transfers().filter((t) => t.to === lead.phone);
    assert.equal(transfers.length, 1);
    assert.deepEqual({ from: transfers[0]!.from, callerId: transfers[0]!.callerId, mode: transfers[0]!.mode }, { from: COORDINATOR_PHONE, callerId: clinicNumber, mode: 'blind-transfer' });
    // Vapi's messages in the order it sends them: status ringing, in-progress, forwarding; transfer-update; ended; report.
    const types = server.sandbox!.control.deliveries().slice(deliveredBefore).filter((d) => d.provider === 'vapi').map((d) => `${d.type}:${d.status}`);
    assert.deepEqual(types, ['status-update:200', 'status-update:200', 'status-update:200', 'transfer-update:200', 'status-update:200', 'end-of-call-report:200']);

    // One call record; the lead is free again, not scored from the caller's voice, and its timeline says what happened.
    assert.equal(await server.database.db.collection('calls').countDocuments({ orgId, contactId: lead.id }), 1);
    const after = await detail(lead.id);
    assert.equal(after.activeCallId, null);
    assert.equal(after.leadScore, 57);
    assert.equal(call.outcome, null, 'Vapi leaves at the transfer: the caller records the outcome');
    assert.ok(after.timeline.some((e: { type: string; detail: string | null }) => e.type === 'call' && /Connected by phone/.test(e.detail ?? '')));
  });

  it('the session offers Connect me only to a user with a phone, from the token or the team roster', async () => {
    assert.deepEqual((await server.request('GET', '/v1/session', { token: maria })).body.callModes, ['agent', 'connect']);
    assert.deepEqual((await server.request('GET', '/v1/session', { token: sam })).body.callModes, ['agent']);
    // The host pushes its staff list with the secret key (PUT /v1/team), Sam's phone on it.
    const pushed = await server.request('PUT', '/v1/team', { token: secretKey, body: { users: [{ id: 'sam', name: 'Sam', role: 'agent', phone: '+12125550902' }] } });
    assert.equal(pushed.status, 200, pushed.text);
    try {
      assert.deepEqual((await server.request('GET', '/v1/session', { token: sam })).body.callModes, ['agent', 'connect']);
      const lead = await newLead('+12125550912');
      const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: sam, body: { mode: 'connect' } });
      assert.equal(res.status, 202, res.text);
      await server.sandbox!.control.idle();
      await ended(res.body.call.id);
      const t = server.sandbox!.control.transfers().find((x) => x.to === lead.phone);
      assert.equal(t?.from, '+12125550902', 'the roster phone rang first');
    } finally {
      assert.equal((await server.request('PUT', '/v1/team', { token: secretKey, body: { users: [] } })).status, 200);
    }
  });

  it('without a phone of the caller: 422 CALLER_PHONE_MISSING saying where to set it, and nothing written or dialled', async () => {
    const lead = await newLead('+12125550913');
    const before = await detail(lead.id);
    const callsBefore = server.sandbox!.control.transfers().length;
    const vapiCalls = (await (await fetch(`${server.sandbox!.url}/__sandbox/state`)).json()).calls.length;
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: sam, body: { mode: 'connect' } });
    assert.equal(res.status, 422);
    assert.equal(res.body.error.code, 'CALLER_PHONE_MISSING');
    assert.match(res.body.error.message, /team list/);
    assert.match(res.body.error.message, /AI agent calls/);
    assert.equal(await server.database.db.collection('calls').countDocuments({ orgId, contactId: lead.id }), 0);
    const after = await detail(lead.id);
    assert.equal(after.version, before.version);
    assert.equal(after.timeline.length, before.timeline.length);
    assert.equal(server.sandbox!.control.transfers().length, callsBefore);
    assert.equal((await (await fetch(`${server.sandbox!.url}/__sandbox/state`)).json()).calls.length, vapiCalls, 'Vapi was not called');
    const bad = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: maria, body: { mode: 'conference' } });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error.message, /agent.*connect/);
  });

  it('when the caller does not answer, the lead is never dialled and the call fails saying so', async () => {
    const lead = await newLead('+12125550914');
    server.sandbox!.control.nextCallScenario('no-answer');
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: maria, body: { mode: 'connect' } });
    assert.equal(res.status, 202);
    await server.sandbox!.control.idle();
    const call = await ended(res.body.call.id);
    assert.equal(call.status, 'failed');
    assert.match(call.error, /lead was not called/);
    assert.deepEqual(call.legs.map((l: { role: string; status: string }) => `${l.role}:${l.status}`), ['caller:failed']);
    assert.equal(server.sandbox!.control.transfers().filter((t) => t.to === lead.phone).length, 0);
    assert.equal((await detail(lead.id)).activeCallId, null);
  });

  it('the front-desk number: admins set it (E.164), and an AI call whose lead asks for a person is transferred there', async () => {
    const agentTry = await server.request('PUT', '/v1/settings/front-desk', { token: maria, body: { number: '+12125550999' } });
    assert.equal(agentTry.status, 403);
    const invalid = await server.request('PUT', '/v1/settings/front-desk', { token: admin, body: { number: '212 555 0999' } });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body.error.message, /E\.164/);
    const own = await server.request('PUT', '/v1/settings/front-desk', { token: admin, body: { number: clinicNumber } });
    assert.equal(own.status, 422);
    assert.equal(own.body.error.code, 'FRONT_DESK_IS_CLINIC_NUMBER');
    assert.equal((await server.request('GET', '/v1/settings/front-desk', { token: maria })).body.frontDesk.number, null, 'nothing was saved');
    const saved = await server.request('PUT', '/v1/settings/front-desk', { token: admin, body: { number: '+12125550999' } });
    assert.equal(saved.status, 200, saved.text);
    assert.equal((await server.request('GET', '/v1/settings/front-desk', { token: maria })).body.frontDesk.number, '+12125550999');

    const lead = await newLead('+12125550915');
    server.sandbox!.control.nextCallScenario('forwarded');
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: maria });
    assert.equal(res.status, 202);
    assert.equal(res.body.call.mode, 'agent');
    await server.sandbox!.control.idle();
    const call = await ended(res.body.call.id);
    assert.deepEqual(call.legs.map((l: { role: string; status: string }) => `${l.role}:${l.status}`), ['lead:ended', 'front_desk:ended']);
    assert.equal(call.outcome, 'answered');
    const t = server.sandbox!.control.transfers().filter((x) => x.to === '+12125550999' && x.from === lead.phone);
    assert.equal(t.length, 1);
    assert.equal(t[0]!.callerId, clinicNumber);
    const after = await detail(lead.id);
    assert.ok(after.timeline.some((e: { detail: string | null }) => /transferred to the front desk/.test(e.detail ?? '')), JSON.stringify(after.timeline));

    // Cleared: the agent has no transfer tool, so nobody is transferred.
    assert.equal((await server.request('PUT', '/v1/settings/front-desk', { token: admin, body: { number: null } })).status, 200);
    const other = await newLead('+12125550916');
    server.sandbox!.control.nextCallScenario('forwarded');
    const r2 = await server.request('POST', `/v1/leads/${other.id}/calls`, { token: maria });
    await server.sandbox!.control.idle();
    const c2 = await ended(r2.body.call.id);
    assert.deepEqual(c2.legs.map((l: { role: string }) => l.role), ['lead']);
    assert.equal(server.sandbox!.control.transfers().filter((x) => x.from === other.phone).length, 0);
  });

  it('another clinic\'s lead cannot be called, in either mode, and nothing is written', async () => {
    const { orgId: otherOrg, secretKey: otherKey } = await server.createOrg('Other Clinic');
    const otherAdmin = await server.token(otherOrg, { id: 'oa', name: 'Olga', role: 'admin' });
    await configureTelephony(server, otherAdmin);
    const intruder = await mint(otherKey, { id: 'ivan', name: 'Ivan', role: 'agent', phone: '+12125550903' });
    const lead = await newLead('+12125550917');
    for (const mode of ['connect', 'agent']) {
      const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: intruder, body: { mode } });
      assert.equal(res.status, 404, `${mode}: ${res.text}`);
      assert.equal(res.body.error.code, 'NOT_FOUND');
    }
    for (const org of [orgId, otherOrg]) assert.equal(await server.database.db.collection('calls').countDocuments({ orgId: org, contactId: lead.id }), 0);
  });

  it('a second live call on the same lead is still refused, whatever the mode', async () => {
    const slow = await startTestServer({}, { sandboxDelays: { ring: 300, answer: 300, talk: 300, sms: 10 } });
    try {
      const { orgId: o, secretKey: key } = await slow.createOrg();
      const a = await slow.token(o, { role: 'admin' });
      await configureTelephony(slow, a);
      const res = await slow.request('POST', '/v1/embed-tokens', { token: key, body: { user: { id: 'm', name: 'Maria', role: 'agent', phone: COORDINATOR_PHONE } } });
      const m = res.body.token as string;
      const lead = (await slow.request('POST', '/v1/leads', { token: a, body: leadBody({ phone: '+12125550918' }) })).body.lead;
      const first = await slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: m, body: { mode: 'connect' } });
      assert.equal(first.status, 202, first.text);
      for (const mode of ['connect', 'agent']) {
        const again = await slow.request('POST', `/v1/leads/${lead.id}/calls`, { token: m, body: { mode } });
        assert.equal(again.status, 409, mode);
        assert.equal(again.body.error.code, 'CALL_IN_PROGRESS');
      }
      assert.equal(await slow.database.db.collection('calls').countDocuments({ orgId: o, contactId: lead.id }), 1);
      await slow.sandbox!.control.idle();
    } finally {
      await slow.close();
    }
  });
});
