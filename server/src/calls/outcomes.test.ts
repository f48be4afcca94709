/**
 * Call outcomes (issue 12, DESIGN.md "Working the list"): every ended call carries an outcome from Vapi's endedReason,
 * and when the lead spoke an intent from Vapi's post-call analysis (analysisPlan.structuredDataPlan), which moves the lead
 * as the AI agent. Through the API against the sandbox, which sends the analysis as Vapi does.
 */
import assert from 'node:assert/strict';
import type { Call, FollowUp, LeadDetail, LeadEvent, LeadStatus } from '../../../core/contracts.js';
import { createVapi } from '../telephony/vapi.js';
import { configureTelephony, eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';

type Scenario = 'hot' | 'warm' | 'cold' | 'voicemail' | 'no-answer' | 'busy' | 'failed-to-connect' | 'booked' | 'callback' | 'not-interested' | 'needs-info';

describe('call outcomes and intents (issue 12)', () => {
  let server: TestServer;
  let admin: string;
  let phone = 700;

  before(async () => {
    server = await startTestServer();
    const { orgId } = await server.createOrg('Outcome Clinic');
    admin = await server.token(orgId, { id: 'admin-1', name: 'Ada', role: 'admin' });
    await configureTelephony(server, admin);
  });
  after(() => server.close());

  const detail = async (id: string): Promise<LeadDetail> => (await server.request('GET', `/v1/leads/${id}`, { token: admin })).body;

  /** A new lead (with the given status), one call of the scenario, and what the API shows once the call is over. */
  async function callWith(scenario: Scenario, overrides: { leadStatus?: LeadStatus; leadScore?: number } = {}) {
    const created = await server.request('POST', '/v1/leads', {
      token: admin,
      body: leadBody({ name: 'Olivia Outcome', phone: `+12125550${phone++}`, ...overrides }),
    });
    assert.equal(created.status, 201, created.text);
    const lead = created.body.lead;
    server.sandbox!.control.nextCallScenario(scenario);
    const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    assert.equal(res.status, 202, res.text);
    await server.sandbox!.control.idle();
    const call: Call = await eventually(async () => {
      const c = (await server.request('GET', `/v1/calls/${res.body.call.id}`, { token: admin })).body.call as Call;
      return c.outcome && (await detail(lead.id)).activeCallId === null ? c : undefined;
    }, 5000, `the ${scenario} call to end`);
    const after = await detail(lead.id);
    return { lead, call, after };
  }

  const entries = (d: LeadDetail, type: LeadEvent['type']) => d.timeline.filter((e) => e.type === type);
  const byAgent = (e: LeadEvent) => e.actor?.id === 'system:ai-agent';

  it('the assistant is saved with Vapi\'s analysisPlan: structured data {intent, requestedAt} and a PassFail success evaluation', async () => {
    const view = (await server.request('GET', '/v1/agents/outbound', { token: admin })).body.agent;
    const assistant = await createVapi({ token: 'sandbox-platform-key', baseUrl: server.sandbox!.vapiBaseUrl }).assistants.get({ id: view.vapiAssistantId });
    const plan = assistant.analysisPlan!;
    assert.equal(plan.structuredDataPlan?.enabled, true);
    assert.deepEqual(Object.keys(plan.structuredDataPlan?.schema?.properties ?? {}), ['intent', 'requestedAt']);
    assert.deepEqual(plan.structuredDataPlan?.schema?.properties?.intent?.enum, ['booked', 'callback_requested', 'not_interested', 'needs_info', 'none']);
    assert.equal(plan.successEvaluationPlan?.rubric, 'PassFail');
  });

  it('booked: the call records answered + booked at the time asked, and the lead moves to Booked as the AI agent', async () => {
    const { call, after } = await callWith('booked', { leadStatus: 'contacted' });
    assert.equal(call.outcome, 'answered');
    assert.equal(call.intent, 'booked');
    assert.ok(call.requestedAt && Date.parse(call.requestedAt) > Date.now(), `a future time: ${call.requestedAt}`);
    assert.equal(after.leadStatus, 'booked');
    assert.equal(after.lastCallOutcome, 'answered');
    const moved = entries(after, 'status_changed').find((e) => e.to === 'booked');
    assert.ok(moved && byAgent(moved), JSON.stringify(after.timeline));
    assert.equal(moved.from, 'contacted');
    assert.match(moved.detail ?? '', /^Booked on the call for \w{3}, \w{3} \d{1,2}, \d{1,2}:\d{2} [AP]M$/);
    assert.ok(after.scoreBreakdown, 'scored in the same end-of-call change');
    // The booking is an appointment at the agreed time, and the lead's next appointment (cards show it).
    assert.equal(after.appointments.length, 1);
    assert.equal(after.appointments[0].scheduledAt, call.requestedAt);
    assert.equal(after.appointments[0].status, 'scheduled');
    assert.equal(after.nextAppointmentAt, call.requestedAt);
  });

  it('booked on a new lead goes straight to Booked (one status entry)', async () => {
    const { after } = await callWith('booked');
    assert.equal(after.leadStatus, 'booked');
    assert.deepEqual(entries(after, 'status_changed').map((e) => `${e.from}->${e.to}`), ['new->booked']);
  });

  it('callback_requested: a follow-up at the requested time, by the AI agent, with a note', async () => {
    const { call, after } = await callWith('callback', { leadStatus: 'contacted' });
    assert.deepEqual([call.outcome, call.intent], ['answered', 'callback_requested']);
    assert.ok(call.requestedAt);
    assert.equal(after.leadStatus, 'contacted', 'a callback does not move the status');
    const followUps = after.followUps as FollowUp[];
    assert.equal(followUps.length, 1);
    assert.equal(followUps[0]!.dueAt, call.requestedAt);
    assert.equal(followUps[0]!.source, 'callback');
    assert.equal(followUps[0]!.createdBy.id, 'system:ai-agent');
    assert.match(followUps[0]!.note ?? '', /Callback/);
    assert.equal(after.nextFollowUpAt, call.requestedAt);
    const scheduled = entries(after, 'follow_up_scheduled');
    assert.equal(scheduled.length, 1);
    assert.ok(byAgent(scheduled[0]!));
    assert.match(scheduled[0]!.detail ?? '', /^Callback /);
  });

  it('not_interested: a timeline entry suggesting Lost, and the status is never changed', async () => {
    const { call, after } = await callWith('not-interested', { leadStatus: 'qualified' });
    assert.deepEqual([call.outcome, call.intent, call.requestedAt], ['answered', 'not_interested', null]);
    assert.equal(after.leadStatus, 'qualified');
    const suggestion = entries(after, 'call_outcome');
    assert.equal(suggestion.length, 1);
    assert.equal(suggestion[0]!.to, 'not_interested');
    assert.match(suggestion[0]!.detail ?? '', /consider marking the lead Lost/);
    assert.ok(byAgent(suggestion[0]!));
  });

  it('the library\'s cold conversations are not_interested too; hot and warm keep their score and status behaviour (intent none)', async () => {
    const cold = await callWith('cold', { leadStatus: 'contacted' });
    assert.equal(cold.call.intent, 'not_interested');
    assert.equal(cold.after.leadStatus, 'contacted');
    const hot = await callWith('hot');
    assert.deepEqual([hot.call.outcome, hot.call.intent], ['answered', 'none']);
    assert.equal(hot.after.leadStatus, 'contacted', 'the first answered call, nothing more');
    assert.ok(hot.after.leadScore >= 80);
    assert.equal(entries(hot.after, 'call_outcome').length, 0);
    const warm = await callWith('warm');
    assert.deepEqual([warm.call.outcome, warm.call.intent], ['answered', 'none']);
  });

  it('needs_info: a timeline entry with what the lead asked', async () => {
    const { call, after } = await callWith('needs-info', { leadStatus: 'contacted' });
    assert.equal(call.intent, 'needs_info');
    assert.equal(after.leadStatus, 'contacted');
    const entry = entries(after, 'call_outcome');
    assert.equal(entry.length, 1);
    assert.equal(entry[0]!.to, 'needs_info');
    assert.match(entry[0]!.detail ?? '', /^Needs more information: .*Dysport/);
  });

  for (const status of ['lost', 'converted'] as const) {
    it(`nothing automatic on a ${status} lead: booked, callback and not interested leave status and follow-ups alone`, async () => {
      const booked = await callWith('booked', { leadStatus: status });
      assert.equal(booked.call.intent, 'booked');
      assert.equal(booked.after.leadStatus, status);
      assert.equal(entries(booked.after, 'status_changed').length, 0);
      assert.match(entries(booked.after, 'call_outcome')[0]?.detail ?? '', /^Booked on the call for .*status was left as it is$/);
      assert.deepEqual(booked.after.appointments, [], 'no appointment on a closed lead');
      const callback = await callWith('callback', { leadStatus: status });
      assert.equal(callback.call.intent, 'callback_requested');
      assert.deepEqual(callback.after.followUps, []);
      assert.equal(callback.after.nextFollowUpAt, null);
      assert.match(entries(callback.after, 'call_outcome')[0]?.detail ?? '', /nothing was scheduled$/);
      const notInterested = await callWith('not-interested', { leadStatus: status });
      assert.equal(notInterested.after.leadStatus, status);
      assert.equal(entries(notInterested.after, 'call_outcome').length, 0, 'no Lost suggestion on a closed lead');
    });
  }

  it('a booked lead that books again stays Booked, with the booking on the timeline', async () => {
    const { after } = await callWith('booked', { leadStatus: 'booked' });
    assert.equal(after.leadStatus, 'booked');
    assert.match(entries(after, 'call_outcome')[0]?.detail ?? '', /^Booked on the call for /);
  });

  it('voicemail reads "Voicemail": outcome recorded, no intent, score and status untouched', async () => {
    const { call, after } = await callWith('voicemail', { leadScore: 64 });
    assert.deepEqual([call.status, call.outcome, call.intent, call.requestedAt], ['ended', 'voicemail', null, null]);
    assert.match(call.summary ?? '', /^Voicemail/);
    assert.equal(after.lastCallOutcome, 'voicemail');
    assert.deepEqual([after.leadScore, after.leadStatus], [64, 'new']);
    const ended = entries(after, 'call').find((e) => e.to === 'ended');
    assert.equal(ended?.detail, 'Voicemail');
  });

  for (const [scenario, outcome, status, text] of [
    ['no-answer', 'no_answer', 'ended', 'No answer'],
    ['busy', 'busy', 'ended', 'Busy'],
    ['failed-to-connect', 'failed', 'failed', null],
  ] as const) {
    it(`${scenario}: the outcome ${outcome} is recorded on the call and the lead, nothing else moves`, async () => {
      const { call, after } = await callWith(scenario, { leadScore: 55 });
      assert.deepEqual([call.status, call.outcome, call.intent], [status, outcome, null]);
      assert.equal(after.lastCallOutcome, outcome);
      assert.deepEqual([after.leadScore, after.leadStatus, after.followUps], [55, 'new', []]);
      const entry = entries(after, 'call').find((e) => e.to === status);
      if (text) assert.equal(entry?.detail, text);
      else assert.match(entry?.detail ?? '', /Twilio could not connect/);
      assert.equal(entries(after, 'call_outcome').length, 0);
    });
  }

  it('a call Vapi refused to place is failed on the call and the lead', async () => {
    const created = (await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: `+12125550${phone++}` }) })).body.lead;
    server.sandbox!.control.failNext({ service: 'vapi', status: 500 });
    const res = await server.request('POST', `/v1/leads/${created.id}/calls`, { token: admin });
    assert.equal(res.status, 502);
    const call = (await server.request('GET', `/v1/calls/${res.body.error.details.callId}`, { token: admin })).body.call;
    assert.equal(call.outcome, 'failed');
    assert.equal((await detail(created.id)).lastCallOutcome, 'failed');
  });
});
