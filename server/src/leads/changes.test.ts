import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { MemoryBroadcaster } from '../realtime/broadcaster.js';
import type { Logger } from '../log.js';
import { configureTelephony, leadBody, startTestServer, type TestServer } from '../testing/harness.js';
import { LeadChangeConflictError, LeadChanges } from './changes.js';

describe('the one lead-change path', () => {
  let server: TestServer;
  let orgId: string;
  let agent: string;
  let counter = 0;

  before(async () => {
    server = await startTestServer();
    ({ orgId } = await server.createOrg('Change Clinic'));
    agent = await server.token(orgId, { id: 'agent-1', name: 'Amy', role: 'agent' });
    await configureTelephony(server, await server.token(orgId, { role: 'admin' }));
  });
  after(() => server.close());

  /** A zone where it is daytime now, so texts go at once instead of waiting for quiet hours to end. */
  const daytimeZone = ['America/New_York', 'Europe/London', 'Asia/Kolkata', 'Asia/Tokyo', 'Pacific/Auckland', 'America/Los_Angeles'].find((timeZone) => {
    const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
    return hour >= 9 && hour < 20;
  })!;
  const newLead = async () =>
    (await server.request('POST', '/v1/leads', { token: agent, body: leadBody({ name: 'Lena Late', phone: `+1212555${String(4100 + ++counter)}`, timezone: daytimeZone }) })).body.lead;
  const detail = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token: agent })).body;
  const setStatus = async (id: string, status: string) => {
    const res = await server.request('PATCH', `/v1/leads/${id}`, { token: agent, body: { status, ...(status === 'lost' ? { lostReason: 'no_response' } : {}) } });
    assert.equal(res.status, 200, res.text);
    return res.body.lead;
  };

  /** Posts a signed end-of-call report for a call record made for the lead, as Vapi would after the lead has spoken. */
  async function lateEndOfCall(leadId: string): Promise<number> {
    const { calls } = server.context.repos;
    const record = await calls.insert(orgId, { contactId: leadId, createdBy: 'agent-1', scoreBefore: 50 });
    const vapiCallId = `late-${record.id}`;
    await calls.update(orgId, record.id, { vapiCallId });
    const secret = await server.context.calls.webhookSecret(orgId);
    const body = JSON.stringify({
      message: {
        type: 'end-of-call-report',
        endedReason: 'customer-ended-call',
        call: { id: vapiCallId },
        artifact: { messages: [{ role: 'user', message: 'Yes! I want botox and filler today, book me a consultation ASAP, this is amazing.' }], transcript: 'User: yes' },
      },
    });
    const ts = String(Math.floor(Date.now() / 1000));
    const res = await server.request('POST', '/webhooks/vapi', {
      headers: { 'content-type': 'application/json', 'x-timestamp': ts, 'x-signature': createHmac('sha256', secret!).update(`${ts}.${body}`).digest('hex') },
      body,
    });
    return res.status;
  }

  for (const status of ['lost', 'converted'] as const) {
    it(`a late end-of-call report re-scores a ${status} lead but never moves its status`, async () => {
      const lead = await newLead();
      await setStatus(lead.id, status);
      assert.equal(await lateEndOfCall(lead.id), 200);
      const after = await detail(lead.id);
      assert.equal(after.leadStatus, status);
      assert.ok(after.leadScore >= 80, `the lead's words still count: ${after.leadScore}`);
      const byAgent = after.timeline.filter((e: { type: string; actor: { id: string } }) => e.type === 'status_changed' && e.actor.id === 'system:ai-agent');
      assert.deepEqual(byAgent, [], 'the AI agent changed no status');
      assert.ok(after.timeline.some((e: { type: string; to: string }) => e.type === 'call' && e.to === 'ended'));
    });
  }

  it('a new lead who answers a late call becomes contacted, recorded as the AI agent', async () => {
    const lead = await newLead();
    assert.equal(await lateEndOfCall(lead.id), 200);
    const after = await detail(lead.id);
    assert.equal(after.leadStatus, 'contacted');
    const change = after.timeline.find((e: { type: string }) => e.type === 'status_changed');
    assert.deepEqual([change.from, change.to, change.actor.name, change.detail], ['new', 'contacted', 'AI agent', 'First answered call']);
  });

  it('a text accepted for a lost lead records the contact and leaves it lost', async () => {
    const lead = await newLead();
    await setStatus(lead.id, 'lost');
    const res = await server.request('POST', `/v1/leads/${lead.id}/sms`, { token: agent, body: { body: 'We are here if you change your mind.' }, headers: { 'idempotency-key': `late-sms-${lead.id}` } });
    assert.equal(res.status, 202, res.text);
    assert.equal(res.body.scheduled, false);
    const after = await detail(lead.id);
    assert.equal(after.leadStatus, 'lost');
    assert.ok(after.lastContactAt);
  });

  describe('when the lead keeps changing under a system change', () => {
    it('then the path gives up after its attempts, logs it at error level and raises LEAD_CHANGE_CONFLICT', async () => {
      const lead = await newLead();
      const logged: Array<{ obj: Record<string, unknown>; msg: string }> = [];
      const logger = { error: (obj: Record<string, unknown>, msg: string) => logged.push({ obj, msg }) } as unknown as Logger;
      const { contacts, events } = server.context.repos;
      const changes = new LeadChanges({ contacts, events, broadcaster: new MemoryBroadcaster(), logger, now: () => new Date() });
      let plans = 0;
      const attempt = changes.apply(
        orgId,
        lead.id,
        async (current) => {
          plans++;
          // Another writer saves the lead between this read and our write, every time.
          await contacts.update(orgId, lead.id, { set: { lastAttemptAt: new Date() }, expect: { version: current.version } });
          return { set: { leadScore: 90 } };
        },
        { actor: { id: 'system:test', name: 'Test' }, attempts: 3 },
      );
      await assert.rejects(attempt, (err: unknown) => err instanceof LeadChangeConflictError && err.code === 'LEAD_CHANGE_CONFLICT');
      assert.equal(plans, 3);
      assert.equal(logged.length, 1);
      assert.equal(logged[0].obj.leadId, lead.id);
      assert.equal((await detail(lead.id)).leadScore, lead.leadScore, 'nothing half-written');
    });

    it('then a plan that moves the status against the workflow is refused, whoever asks', async () => {
      const lead = await newLead();
      await setStatus(lead.id, 'qualified');
      const attempt = server.context.changes.apply(orgId, lead.id, () => ({ set: { leadStatus: 'new' } }), { actor: { id: 'system:test', name: 'Test' } });
      await assert.rejects(attempt, (err: unknown) => (err as { code?: string }).code === 'INVALID_TRANSITION');
      assert.equal((await detail(lead.id)).leadStatus, 'qualified');
    });
  });
});
