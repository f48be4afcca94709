/** Allowing a new embed origin on an existing clinic through the API (no hand edit of MongoDB). */
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../testing/harness.js';

describe('allowed embed origins', () => {
  let server: TestServer;
  let orgA: string;
  let secretA: string;
  let orgB: string;
  let adminA: string;
  let agentA: string;
  const NEW = 'https://new-crm.glow.example';

  before(async () => {
    server = await startTestServer();
    ({ orgId: orgA, secretKey: secretA } = await server.createOrg('Glow Clinic', { allowedOrigins: ['https://crm.glow.example'] }));
    ({ orgId: orgB } = await server.createOrg('Other Clinic', { allowedOrigins: ['https://crm.other.example'] }));
    adminA = await server.token(orgA, { id: 'u-admin', name: 'Ada', role: 'admin' });
    agentA = await server.token(orgA, { id: 'u-agent', name: 'Amy', role: 'agent' });
  });
  after(() => server.close());

  it('then a page on a new origin is refused until the host adds it with the secret key, and works at once after', async () => {
    const before = await server.request('GET', '/v1/leads', { token: adminA, headers: { origin: NEW } });
    assert.equal(before.status, 403);
    assert.equal(before.body.error.code, 'ORIGIN_NOT_ALLOWED');
    const put = await server.request('PUT', '/v1/allowed-origins', { token: secretA, body: { origins: ['https://crm.glow.example', NEW, NEW] } });
    assert.equal(put.status, 200, put.text);
    assert.deepEqual(put.body.origins, ['https://crm.glow.example', NEW]);
    const after = await server.request('GET', '/v1/leads', { token: adminA, headers: { origin: NEW } });
    assert.equal(after.status, 200, after.text);
    assert.equal(after.headers.get('access-control-allow-origin'), NEW);
    const listed = await server.request('GET', '/v1/allowed-origins', { token: adminA });
    assert.deepEqual(listed.body.origins, ['https://crm.glow.example', NEW]);
    // the other clinic's tokens still cannot be used from that page
    const agentB = await server.token(orgB, { id: 'u-b', name: 'Bob', role: 'agent' });
    const foreign = await server.request('GET', '/v1/leads', { token: agentB, headers: { origin: NEW } });
    assert.equal(foreign.status, 403);
  });

  it('then the board cannot change the list, an agent cannot read it, and a bad origin writes nothing', async () => {
    const fromBoard = await server.request('PUT', '/v1/allowed-origins', { token: adminA, body: { origins: ['https://evil.example'] } });
    assert.equal(fromBoard.status, 403);
    assert.equal(fromBoard.body.error.code, 'SECRET_KEY_REQUIRED');
    assert.equal((await server.request('GET', '/v1/allowed-origins', { token: agentA })).status, 403);
    for (const origins of [['https://crm.glow.example/'], ['http://crm.glow.example'], ['not a url'], 'https://x.example']) {
      const bad = await server.request('PUT', '/v1/allowed-origins', { token: secretA, body: { origins } });
      assert.equal(bad.status, 400, JSON.stringify(origins));
      assert.equal(bad.body.error.code, 'VALIDATION_FAILED');
      assert.match(bad.text, /origin|array|expected/i);
    }
    const org = await server.context.repos.orgs.findById(orgA);
    assert.deepEqual(org?.allowedOrigins, ['https://crm.glow.example', NEW], 'unchanged by the refused requests');
    const local = await server.request('PUT', '/v1/allowed-origins', { token: secretA, body: { origins: [...org!.allowedOrigins, 'http://localhost:5173'] } });
    assert.equal(local.status, 200, 'http on localhost is fine for development');
  });
});
