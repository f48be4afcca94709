/**
 * SMS campaigns: a 10,000-recipient campaign at an unthrottled rate (the clinic's rate set to 10,000/s) through the whole
 * server path (claim, re-checks, render, sms_logs, Twilio through the real client against the in-process sandbox,
 * timeline, recipient record, delivery callbacks), against a bare loop that calls the same Twilio client for the same
 * texts with the same concurrency (64 in flight) and nothing else. Also the memory the server holds while sending
 * (heap and RSS growth over the run, sampled every 50 ms). `npm run bench -- campaigns`.
 */
import { createLogger } from '../server/src/log.js';
import { startServer } from '../server/src/main.js';
import { createOrganization } from '../server/src/orgs/service.js';
import { sendSms } from '../server/src/telephony/twilio.js';
import { leadPhone } from '../server/src/campaigns/fixtures.js';
import { benchConfig, r2 } from './support.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const N = 10_000;
const IN_FLIGHT = 64;
const MB = 2 ** 20;

async function api(url: string, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

/** Peak heap and RSS while `fn` runs, sampled every 50 ms. */
async function withMemory<T>(fn: () => Promise<T>): Promise<{ value: T; heapPeak: number; rssPeak: number }> {
  let heapPeak = 0;
  let rssPeak = 0;
  const sample = () => {
    const m = process.memoryUsage();
    heapPeak = Math.max(heapPeak, m.heapUsed);
    rssPeak = Math.max(rssPeak, m.rss);
  };
  const timer = setInterval(sample, 50);
  try {
    const value = await fn();
    sample();
    return { value, heapPeak, rssPeak };
  } finally {
    clearInterval(timer);
  }
}

export default async function bench(report: Report): Promise<void> {
  const config = { ...benchConfig('ll_bench_campaigns_'), CAMPAIGN_RATE_PER_SECOND: 10_000 };
  const server = await startServer({ config, logger: createLogger('silent'), jobsIntervalMs: 0, sandboxDelays: { ring: 5, answer: 5, talk: 5, sms: 5 } });
  try {
    const { org, secretKey } = await createOrganization(server.context.repos.orgs, { name: 'Bench Clinic' });
    const token = (await api(server.url, 'POST', '/v1/embed-tokens', secretKey, { user: { id: 'ada', name: 'Ada Admin', role: 'admin' }, ttlSeconds: 3600 })).token as string;
    await api(server.url, 'POST', '/v1/telephony/twilio', token, { accountSid: `AC${'0123456789abcdef'.repeat(2)}`, authToken: 'sandbox-auth-token-0123456789', phoneNumber: '+14155550142' });
    await api(server.url, 'PUT', '/v1/campaign-settings', token, { ratePerSecond: 10_000, frequencyCapHours: 0 });
    const seedStart = performance.now();
    for (let i = 0; i < N; i += 1000) {
      // Daytime everywhere for the whole run: quiet hours would reschedule, not send.
      const leads = Array.from({ length: 1000 }, (_, k) => ({ name: `Bench ${i + k} Lead`, phone: leadPhone(i + k), externalId: `b-${i + k}`, timezone: 'UTC' }));
      await api(server.url, 'PUT', '/v1/leads', secretKey, { leads });
    }
    const seedMs = performance.now() - seedStart;
    await server.context.repos.orgs.updateSettings(org.id, { quietHours: { start: '00:00', end: '00:00' } });
    server.context.orgCache.invalidate(org.id);

    const draftStart = performance.now();
    const draft = (await api(server.url, 'POST', '/v1/campaigns', token, { name: 'Bench', body: 'Hi {first_name|there}! We have missed you at {clinic_name}. Reply to book.', audience: { q: 'Bench' } })).campaign;
    const draftMs = performance.now() - draftStart;
    if (draft.counts.recipients !== N) throw new Error(`expected ${N} recipients, got ${draft.counts.recipients}`);
    await api(server.url, 'POST', `/v1/campaigns/${draft.id}/start`, token);

    global.gc?.();
    const before = process.memoryUsage();
    const serverStart = performance.now();
    const run = await withMemory(() => server.context.campaignSender.runOnce());
    const serverMs = performance.now() - serverStart;
    await server.sandbox!.control.idle();
    const done = (await api(server.url, 'GET', `/v1/campaigns/${draft.id}`, token)).campaign;
    global.gc?.();
    const afterServer = process.memoryUsage();

    // The bare loop: the same Twilio client and the same texts, IN_FLIGHT at a time, no database, no callbacks.
    const twilio = (await server.context.repos.integrations.twilio(org.id))!;
    const { client } = server.context.providers.twilioFor(twilio);
    const texts = Array.from({ length: N }, (_, i) => ({ to: leadPhone(i), body: `Hi Bench! We have missed you at Bench Clinic. Reply to book.\nReply STOP to opt out` }));
    let next = 0;
    const bareStart = performance.now();
    await Promise.all(
      Array.from({ length: IN_FLIGHT }, async () => {
        while (next < N) {
          const t = texts[next++]!;
          await sendSms(client, { to: t.to, from: twilio.phoneNumber, body: t.body });
        }
      }),
    );
    const bareMs = performance.now() - bareStart;

    const perText = serverMs / N;
    const barePerText = bareMs / N;
    console.log(`campaign of ${N}: server ${r2(perText)} ms/text, bare twilio loop ${r2(barePerText)} ms/text, ratio ${r2(perText / barePerText)}x`);
    report(`setup: ${N} leads seeded in ${Math.round(seedMs)} ms; the draft (audience, exclusions, segments of every text) in ${Math.round(draftMs)} ms`, [
      { leads: N, seed_ms: Math.round(seedMs), draft_ms: Math.round(draftMs) },
    ]);
    report(`a ${N}-recipient campaign, unthrottled, vs a bare loop of the same Twilio client (${IN_FLIGHT} in flight)`, [
      { path: 'server (campaign sender)', texts: run.value, total_ms: Math.round(serverMs), ms_per_text: r2(perText), texts_per_s: Math.round(N / (serverMs / 1000)), ratio: r2(perText / barePerText) },
      { path: 'bare twilio loop', texts: N, total_ms: Math.round(bareMs), ms_per_text: r2(barePerText), texts_per_s: Math.round(N / (bareMs / 1000)), ratio: 1 },
    ]);
    report('memory while sending (peak during the run minus before it; after = once the run ended, after a GC when --expose-gc)', [
      {
        heap_before_mb: r2(before.heapUsed / MB),
        heap_peak_delta_mb: r2((run.heapPeak - before.heapUsed) / MB),
        heap_after_delta_mb: r2((afterServer.heapUsed - before.heapUsed) / MB),
        rss_before_mb: r2(before.rss / MB),
        rss_peak_delta_mb: r2((run.rssPeak - before.rss) / MB),
        sent: done.counts.sent,
        delivered: done.counts.delivered,
        status: done.status,
      },
    ]);
  } finally {
    await server.close();
  }
}
