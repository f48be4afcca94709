/**
 * `npm run smoke:providers` in CI: the operators' smoke test run against the sandbox through the same base-URL variables
 * it would use against the real providers, so it cannot rot, and run without keys, where it must skip with one line.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';
import { startFastSandbox, stopFastSandbox } from '../../../sandbox/testing.js';
import type { TelephonySandbox } from '../../../sandbox/index.js';
import type { WebhookReceiver } from '../../../sandbox/receiver.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PROVIDER_VARS = /^(TWILIO_|VAPI_|SMOKE_)/;

function runScript(extra: Record<string, string>): Promise<{ code: number; out: string }> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !PROVIDER_VARS.test(k)) env[k] = v;
  return new Promise((resolveRun, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/smoke-providers.ts'], { cwd: ROOT, env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? 1, out }));
  });
}

describe('npm run smoke:providers', function () {
  this.timeout(60_000);
  let sandbox: TelephonySandbox;
  let receiver: WebhookReceiver;
  before(async () => ({ sandbox, receiver } = await startFastSandbox()));
  after(() => stopFastSandbox({ sandbox, receiver }));

  it('without keys, skips with one clear line and exits 0', async () => {
    const { code, out } = await runScript({});
    assert.equal(code, 0, out);
    assert.match(out.trim(), /^smoke:providers skipped: no provider keys in the environment/);
    assert.equal(out.trim().split('\n').length, 1);
  });

  it('against the sandbox, exercises every endpoint the product uses and reports each one passed', async () => {
    const secrets = { TWILIO_AUTH_TOKEN: 'live-token-smoke-0123456789', TWILIO_TEST_AUTH_TOKEN: 'test-token-smoke-0123456789', VAPI_API_KEY: 'vapi-smoke-key-0123456789' };
    const { code, out } = await runScript({
      ...secrets,
      TWILIO_BASE_URL: sandbox.twilioBaseUrl,
      VAPI_BASE_URL: sandbox.vapiBaseUrl,
      TWILIO_TEST_ACCOUNT_SID: 'AC' + 'd4'.repeat(16),
      TWILIO_ACCOUNT_SID: 'AC' + 'e5'.repeat(16),
      TWILIO_PHONE_NUMBER: '+14155550188',
      SMOKE_SMS_TO: '+14155550123',
      SMOKE_CALL_TO: '+14155550124',
      SMOKE_WEBHOOK_URL: `${receiver.url}/webhooks/vapi`,
    });
    assert.equal(code, 0, out);
    assert.match(out, /\b0 failed\b/);
    for (const name of [
      'twilio.messages.create (accepted)',
      'twilio.magic 21212',
      'twilio.magic 21606',
      'twilio.magic 21611',
      'twilio.magic 21211',
      'twilio.magic 21612',
      'twilio.magic 21408',
      'twilio.magic 21610',
      'twilio.magic 21614',
      'twilio.accounts.fetch',
      'twilio.incomingPhoneNumbers.list',
      'twilio.incomingPhoneNumbers.update',
      'twilio.messages.create (live)',
      'vapi.assistants.create',
      'vapi.assistants.get (server.headers)',
      'vapi.assistants.update',
      'vapi.phoneNumbers (import/update)',
      'vapi.calls.create + get',
      'vapi.phoneNumbers.delete',
      'vapi.assistants.delete',
      'vapi: update of a deleted assistant',
    ]) {
      assert.match(out, new RegExp(`PASS  ${name.replace(/[()+.]/g, '\\$&')}`), `${name} passed:\n${out}`);
    }
    for (const s of Object.values(secrets)) assert.ok(!out.includes(s), 'no secret in the report');
    assert.ok(!out.includes('+14155550123') && !out.includes('+14155550124'), 'destinations are masked');
    // The call's webhooks carried the temporary assistant's secret header.
    const hooks = await receiver.waitFor(1, (r) => r.path === '/webhooks/vapi');
    assert.match(String(hooks[0]!.headers['x-vapi-secret']), /^[A-Za-z0-9_-]{43}$/);
    await sandbox.control.idle();
  });

  it('without a destination, texts and calls nobody', async () => {
    const before = sandbox.control.deliveries().length;
    const { code, out } = await runScript({
      TWILIO_BASE_URL: sandbox.twilioBaseUrl,
      VAPI_BASE_URL: sandbox.vapiBaseUrl,
      TWILIO_ACCOUNT_SID: 'AC' + 'f6'.repeat(16),
      TWILIO_AUTH_TOKEN: 'live-token-smoke-0123456789',
      TWILIO_PHONE_NUMBER: '+14155550189',
      VAPI_API_KEY: 'vapi-smoke-key-2',
    });
    assert.equal(code, 0, out);
    assert.match(out, /SKIP  twilio\.messages\.create \(live\)\s+no text sent: set SMOKE_SMS_TO/);
    assert.match(out, /SKIP  vapi\.calls\.create\s+no call placed: set SMOKE_CALL_TO/);
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as { calls: Array<{ customer: { number: string } }>; messages: Array<{ to: string; direction: string }> };
    assert.equal(state.calls.filter((c) => c.customer.number !== '+14155550124').length, 0);
    assert.equal(state.messages.filter((m) => m.direction === 'outbound-api' && m.to !== '+14155550123' && !m.to.startsWith('+1500555') && m.to !== '+14155550100').length, 0);
    assert.equal(sandbox.control.deliveries().length, before);
  });
});
