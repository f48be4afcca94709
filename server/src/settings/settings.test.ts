import assert from 'node:assert/strict';
import { startTestServer, leadBody, configureTelephony, eventually, type TestServer } from '../testing/harness.js';

describe('settings: keyword lists', () => {
  let server: TestServer;
  let admin: string;
  let agent: string;

  before(async () => {
    server = await startTestServer();
    const { orgId } = await server.createOrg('Keyword Clinic');
    admin = await server.token(orgId, { id: 'admin', role: 'admin' });
    agent = await server.token(orgId, { id: 'agent', role: 'agent' });
  });
  after(() => server.close());

  it('when nothing was saved, then the defaults of the design apply', async () => {
    const res = await server.request('GET', '/v1/settings/keywords', { token: agent });
    assert.equal(res.status, 200);
    for (const word of ['botox', 'laser', 'filler', 'consultation', 'booking']) assert.ok(res.body.keywords.highValue.includes(word), word);
    for (const word of ['pricing', 'book', 'appointment', 'availability']) assert.ok(res.body.keywords.medium.includes(word), word);
  });

  it('when an agent tries to edit them, then 403; when the body is bad, then 400 and nothing changes', async () => {
    assert.equal((await server.request('PUT', '/v1/settings/keywords', { token: agent, body: { highValue: ['x'] } })).status, 403);
    const bad = await server.request('PUT', '/v1/settings/keywords', { token: admin, body: { highValue: 'botox' } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
    const still = await server.request('GET', '/v1/settings/keywords', { token: admin });
    assert.ok(still.body.keywords.highValue.includes('botox'));
  });

  it('when an admin adds a service keyword, then the next call scores with it', async () => {
    const current = (await server.request('GET', '/v1/settings/keywords', { token: admin })).body.keywords;
    const saved = await server.request('PUT', '/v1/settings/keywords', {
      token: admin,
      body: { ...current, highValue: ['thread lift'], medium: [], urgency: [], lowUrgency: [], services: { 'thread lift': 'Thread Lift' } },
    });
    assert.equal(saved.status, 200, saved.text);
    assert.deepEqual(saved.body.keywords.highValue, ['thread lift']);
    await configureTelephony(server, admin);
    const lead = (await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: '+12125550444', services: [] }) })).body.lead;
    server.sandbox!.control.nextCallScenario('hot');
    await server.request('POST', `/v1/leads/${lead.id}/calls`, { token: admin });
    await server.sandbox!.control.idle();
    const after = await eventually(async () => {
      const d = (await server.request('GET', `/v1/leads/${lead.id}`, { token: admin })).body;
      return d.scoreBreakdown ? d : undefined;
    });
    const rules = after.scoreBreakdown.rules.map((r: { rule: string }) => r.rule);
    assert.ok(!rules.includes('high_value_keywords'), `"botox" no longer counts for this clinic: ${rules}`);
    assert.ok(!rules.includes('medium_keywords'));
  });
});
