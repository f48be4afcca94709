/**
 * A 1,000-recipient campaign survives a kill -9 of the API in the middle of sending: the process (testing/child-server.ts)
 * is killed with SIGKILL, started again on the same data directory (or MONGODB_URI) and port, and finishes the campaign;
 * the telephony sandbox runs in this process, so its message list counts what each lead received across both lives.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { startTelephonySandbox, type TelephonySandbox } from '../../../sandbox/index.js';
import { freePort } from '../testing/redis.js';
import { zonesNow, leadPhone, notExactlyOnce, textsAtSandbox } from './fixtures.js';

const childScript = new URL('../testing/child-server.ts', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  url: string;
  orgId?: string;
  secretKey?: string;
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve({ process: child, exited, ...(JSON.parse(line) as { url: string }) }));
    child.once('exit', (code) => reject(new Error(`the API process exited with ${code} before listening`)));
  });
}

async function call(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, text, body: text ? JSON.parse(text) : undefined };
}

describe('SMS campaign after a kill -9', function () {
  this.timeout(90_000);
  // tmpfs where there is one: a kill -9 is a process crash, not a power loss, and fdatasync there costs nothing.
  const dataDir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'll-campaign-crash-'));
  let sandbox: TelephonySandbox;
  const children: Child[] = [];
  before(async () => {
    sandbox = await startTelephonySandbox({ delaysMs: { ring: 5, answer: 5, talk: 5, sms: 5 } });
  });
  after(async () => {
    for (const c of children) if (c.process.exitCode === null && c.process.signalCode === null) c.process.kill('SIGKILL');
    await sandbox?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('when the API is killed mid-campaign and restarted, then the campaign completes and each of the 1,000 leads has exactly one text', async () => {
    const port = await freePort();
    const env = {
      NODE_ENV: 'test',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: 'silent',
      LEADS_DATA_DIR: dataDir,
      TOKEN_SECRET: randomBytes(32).toString('hex'),
      ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      MONGODB_DB: `ll_test_crash_${randomBytes(3).toString('hex')}`,
      TWILIO_BASE_URL: sandbox.twilioBaseUrl,
      VAPI_BASE_URL: sandbox.vapiBaseUrl,
      VAPI_API_KEY: 'sandbox-platform-key',
      JOBS_INTERVAL_MS: '0',
      CHILD_CAMPAIGN_TICK_MS: '50',
      CAMPAIGN_LEASE_MS: '1500',
    };
    const t0 = Date.now();
    const stage = (what: string) => process.env.LL_CAMPAIGN_TIMINGS && console.log(`      ${what}: ${Date.now() - t0} ms`);
    const first = await startChild({ ...env, CHILD_CREATE_ORG: 'Crash Clinic' });
    stage('listening');
    children.push(first);
    const mint = await fetch(`${first.url}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${first.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'ada', name: 'Ada Admin', role: 'admin' }, ttlSeconds: 3600 }),
    });
    const token = ((await mint.json()) as { token: string }).token;
    const clinicNumber = '+14155559876';
    assert.equal((await call(first.url, 'POST', '/v1/telephony/twilio', token, { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'sandbox-auth-token-0123456789', phoneNumber: clinicNumber })).status, 200);
    assert.equal((await call(first.url, 'PUT', '/v1/campaign-settings', token, { ratePerSecond: 300 })).status, 200);
    const timezone = zonesNow().awake;
    const leads = Array.from({ length: 1000 }, (_, i) => ({ name: `Crash ${i} Lead`, phone: leadPhone(30_000 + i), externalId: `crash-${i}`, timezone }));
    assert.equal((await call(first.url, 'PUT', '/v1/leads', first.secretKey!, { leads })).status, 200);
    const created = await call(first.url, 'POST', '/v1/campaigns', token, { name: 'Crash test', body: 'Hi {first_name}, we have missed you at {clinic_name}!', audience: { q: 'Crash' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.campaign.counts.recipients, 1000);
    const id = created.body.campaign.id;
    assert.equal((await call(first.url, 'POST', `/v1/campaigns/${id}/start`, token)).status, 200);
    stage('started');

    // Kill it once some hundreds of texts are out.
    let before = 0;
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      before = [...(await textsAtSandbox(sandbox.url, clinicNumber)).values()].flat().length;
      if (before >= 250) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    first.process.kill('SIGKILL');
    await first.exited;
    assert.ok(before >= 250 && before < 1000, `killed after ${before} texts`);

    stage('killed');
    const second = await startChild(env);
    children.push(second);
    stage('restarted');
    let campaign: { status: string; counts: { sent: number; queued: number } } | undefined;
    for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
      campaign = (await call(second.url, 'GET', `/v1/campaigns/${id}`, token)).body.campaign;
      if (campaign?.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    stage('completed');
    assert.equal(campaign?.status, 'completed', JSON.stringify(campaign));
    const texts = await textsAtSandbox(sandbox.url, clinicNumber);
    const phones = leads.map((l) => l.phone);
    assert.deepEqual(notExactlyOnce(texts, phones), [], 'exactly one text per lead across the crash');
    assert.equal([...texts.values()].flat().length, 1000);
    assert.equal(campaign.counts.sent, 1000);
    console.log(`      killed after ${before} texts; the restarted API sent the other ${1000 - before}`);
    second.process.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  });
});
