import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './log.js';
import { startTestServer, leadBody, configureTelephony } from './testing/harness.js';

describe('logs', () => {
  it('when requests carry tokens, credentials and message bodies, then no log line contains them', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const logger = createLogger('debug', sink);
    const server = await startTestServer({ LOG_LEVEL: 'debug' }, { logger });
    try {
      const { orgId, secretKey } = await server.createOrg('Log Clinic');
      const token = await server.token(orgId, { role: 'admin' });
      await configureTelephony(server, token);
      const lead = (await server.request('POST', '/v1/leads', { token, body: leadBody() })).body.lead;
      const secretBody = 'Your private consultation code is PINEAPPLE-42';
      const sms = await server.request('POST', `/v1/leads/${lead.id}/sms`, { token, body: { body: secretBody }, headers: { 'idempotency-key': 'log-test-key-1' } });
      assert.equal(sms.status, 202, sms.text);
      await server.request('GET', `/v1/leads?q=${encodeURIComponent('Jane')}`, { token });
      await server.request('GET', '/v1/leads', { token: 'forged.token.value' });
      await server.sandbox!.control.idle();
      const text = lines.join('');
      assert.ok(lines.length > 5, 'requests were logged');
      assert.ok(text.includes('"requestId"'), 'with request ids');
      for (const secret of [token, secretKey, 'sandbox-auth-token-0123456789', secretBody, 'PINEAPPLE', 'forged.token.value', 'q=Jane']) {
        assert.ok(!text.includes(secret), `log leaked ${secret.slice(0, 12)}...`);
      }
    } finally {
      await server.close();
    }
  });
});
