/**
 * Campaign sending at scale through the sandbox (the real twilio client): 1,000 recipients get exactly one text each,
 * also with two API instances claiming from the same campaign on one database; the live progress events are throttled
 * and end on the final state; the measured send rate is within 10% of the configured one.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { io as connect, type Socket } from 'socket.io-client';
import type { ServerToClientEvents } from '../../../core/contracts.js';
import type { Campaign } from '../../../core/campaigns.js';
import { startTelephonySandbox, type TelephonySandbox } from '../../../sandbox/index.js';
import { eventually, startTestServer, type TestServer } from '../testing/harness.js';
import { freePort } from '../testing/redis.js';
import { bulkLeads, clinic, leadPhone, notExactlyOnce, textsAtSandbox, zonesNow } from './fixtures.js';

describe('SMS campaign sending', function () {
  this.timeout(60_000);
  let sandbox: TelephonySandbox;
  let a: TestServer;
  let b: TestServer;
  const shared = { TOKEN_SECRET: randomBytes(32).toString('hex'), ENCRYPTION_KEY: randomBytes(32).toString('base64'), MONGODB_DB: `ll_test_cs_${randomBytes(3).toString('hex')}` };
  before(async () => {
    // One simulator for both instances, so its message list is the one count of what leads received.
    sandbox = await startTelephonySandbox({ delaysMs: { ring: 5, answer: 5, talk: 5, sms: 5 } });
    const telephony = { TWILIO_BASE_URL: sandbox.twilioBaseUrl, VAPI_BASE_URL: sandbox.vapiBaseUrl, VAPI_API_KEY: 'sandbox-platform-key' };
    a = await startTestServer({ ...shared, ...telephony });
    b = await startTestServer({ ...shared, ...telephony, MONGODB_URI: process.env.MONGODB_URI ?? a.database.uri, PORT: await freePort() });
  });
  after(async () => {
    await b?.closeKeepingData();
    await a?.close();
    await sandbox?.close();
  });

  const zone = () => zonesNow().awake;
  const start = async (server: TestServer, token: string, name: string, audience: Record<string, unknown>) => {
    const created = await server.request('POST', '/v1/campaigns', { token, body: { name, body: 'Hi {first_name|there}! We miss you at {clinic_name}.', audience } });
    assert.equal(created.status, 201, created.text);
    const started = await server.request('POST', `/v1/campaigns/${created.body.campaign.id}/start`, { token });
    assert.equal(started.status, 200, started.text);
    return started.body.campaign as Campaign;
  };
  const campaign = async (server: TestServer, token: string, id: string) => (await server.request('GET', `/v1/campaigns/${id}`, { token })).body.campaign as Campaign;

  it('when 1,000 leads are texted by two instances claiming from the same campaign, then both send and each lead gets exactly one text', async () => {
    const c = await clinic(a, 'Twin Clinic', { ratePerSecond: 1000 });
    await bulkLeads(a, c, 1000, () => ({ timezone: zone(), services: ['Twin'] }), 10_000);
    const run = await start(a, c.admin, 'Twins', { services: ['Twin'] });
    assert.equal(run.counts.recipients, 1000);
    const started = Date.now();
    const [byA, byB] = await Promise.all([a.context.campaignSender.runOnce(), b.context.campaignSender.runOnce()]);
    const elapsed = Date.now() - started;
    assert.equal(byA + byB, 1000, `A sent ${byA}, B sent ${byB}`);
    assert.ok(byA > 0 && byB > 0, `both instances took part (A ${byA}, B ${byB})`);
    const texts = await textsAtSandbox(sandbox.url, c.phoneNumber);
    assert.deepEqual(notExactlyOnce(texts, Array.from({ length: 1000 }, (_, i) => leadPhone(10_000 + i))), []);
    assert.equal([...texts.values()].flat().length, 1000);
    await a.context.campaignSender.runOnce();
    assert.equal((await campaign(b, c.admin, run.id)).status, 'completed');
    await sandbox.control.idle();
    const final = await eventually(async () => {
      const got = await campaign(a, c.admin, run.id);
      return got.counts.delivered === 1000 ? got : undefined;
    }, 10_000, 'every delivery callback recorded');
    assert.deepEqual([final.counts.sent, final.counts.failed, final.counts.queued], [1000, 0, 0]);
    console.log(`      1,000 texts by two instances in ${elapsed} ms (A ${byA}, B ${byB})`);
  });

  it('when the clinic sets 10 texts a second, then the measured rate is within 10% of it, and the board sees throttled progress ending on the final state', async () => {
    const c = await clinic(a, 'Paced Clinic', { ratePerSecond: 10 });
    await bulkLeads(a, c, 40, () => ({ timezone: zone(), services: ['Paced'] }), 20_000);
    const socket: Socket<ServerToClientEvents> = connect(a.url, { auth: { token: c.admin }, transports: ['websocket'], reconnection: false });
    const events: Campaign[] = [];
    socket.on('campaign:updated', ({ campaign }) => events.push(campaign));
    await new Promise<void>((resolve, reject) => socket.once('connect', () => resolve()).once('connect_error', reject));
    const began = Date.now();
    const run = await start(a, c.admin, 'Paced', { services: ['Paced'] });
    // The ticking loop, as in production (CAMPAIGN_TICK_MS).
    a.jobs.start({ intervalMs: 0, campaignTickMs: 50 });
    try {
      await eventually(async () => (await campaign(a, c.admin, run.id)).status === 'completed', 15_000, 'the paced campaign to finish');
      const last = await eventually(async () => {
        const e = events.at(-1);
        return e?.status === 'completed' && e.counts.sent === 40 ? e : undefined;
      }, 3000, 'the final campaign:updated');
      assert.equal(last.counts.queued, 0);
      // At most one event per 250 ms (plus the first), far fewer than one per text.
      assert.ok(events.length >= 3 && events.length <= Math.ceil((Date.now() - began) / 250) + 2, `${events.length} events`);
    } finally {
      socket.disconnect();
      await a.jobs.stop();
    }
    // When each text was handed to Twilio: its log is written right before the request (ms precision).
    const logs = await a.database.db.collection('sms_logs').find({ orgId: c.orgId, direction: 'outbound' }).sort({ createdAt: 1 }).toArray();
    const times = logs.map((l) => (l.createdAt as Date).getTime());
    assert.equal(times.length, 40);
    const span = (times.at(-1)! - times[0]!) / 1000;
    const rate = (times.length - 1) / span;
    console.log(`      configured 10/s, measured ${rate.toFixed(2)}/s over ${span.toFixed(2)} s`);
    assert.ok(Math.abs(rate - 10) / 10 <= 0.1, `measured ${rate.toFixed(2)} texts/s`);
  });
});
