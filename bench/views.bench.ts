/**
 * Views and sorts benchmark (issue 12): GET /v1/leads with each sort (score, last_contact, newest, follow_up), each
 * priority view (call_today, this_week, nurture, revisit_lost), the appointment filter and GET /v1/views, at 100k leads
 * in one organisation (plus 3k in another), over real HTTP with a real embed token, as bench/api.bench.ts does.
 *
 * Each row shows its ratio to the bare route (a Koa route on another port returning the same JSON from memory: the floor
 * of Node HTTP + Koa + JSON for that payload) and to the API's default board order (GET /v1/leads).
 * The leads are written with insertMany as the ContactDoc documents the API writes, the view entries derived with the
 * server's own `derivedFieldsOf` (about 10% with an open follow-up, 5% with an appointment, the status mix of api.bench).
 *
 *   npx tsx bench/views.bench.ts      (alone)
 *   npm run bench -- views            (through bench/run.ts)
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { ObjectId } from 'mongodb';
import { createLogger } from '../server/src/log.js';
import { startServer } from '../server/src/main.js';
import { createOrganization } from '../server/src/orgs/service.js';
import { derivedFieldsOf, type ContactDoc } from '../server/src/leads/repository.js';
import { COLLECTIONS } from '../server/src/db/indexes.js';
import { followUpWindows } from '../core/views.js';
import type { LeadStatus } from '../core/contracts.js';
import { benchConfig, getter, r2, rng, stats, timeOne } from './support.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const LARGE = 100_000;
const OTHER_ORG = 3_000;
const BATCH = 1_000;
const SAMPLES = 100;
const WARMUP = 10;
const ROW_BUDGET_MS = 5_000;
const DAY = 86_400_000;
const NOW = Date.now();
const ZONE = 'America/New_York';


const STATUS_WEIGHTS: Array<[LeadStatus, number]> = [
  ['new', 0.35], ['contacted', 0.25], ['qualified', 0.15], ['booked', 0.1], ['converted', 0.05], ['lost', 0.1],
];
const REASONS = ['price', 'competitor', 'no_response', 'not_ready', 'other'] as const;

function makeContact(orgId: string, rand: () => number, i: number): ContactDoc {
  let r = rand();
  let status: LeadStatus = 'new';
  for (const [s, w] of STATUS_WEIGHTS) {
    if (r < w) {
      status = s;
      break;
    }
    r -= w;
  }
  const createdAt = new Date(NOW - Math.floor(rand() * 180 * DAY));
  const touched = status !== 'new' || rand() < 0.1;
  const lastContactAt = touched ? new Date(createdAt.getTime() + Math.floor(rand() * (NOW - createdAt.getTime()))) : null;
  const leadScore = rand() < 0.4 ? 50 : Math.floor(rand() * 101);
  const lost = status === 'lost';
  const followUp = rand() < 0.1 ? new Date(NOW + Math.floor((rand() - 0.3) * 14 * DAY)) : null;
  const windows = followUp ? followUpWindows(followUp.getTime(), ZONE) : null;
  const appointment = rand() < 0.05 ? new Date(NOW + Math.floor((rand() - 0.2) * 10 * DAY)) : null;
  const name = `Lead ${i}`;
  const digits = `1212${String(5_000_000 + i).padStart(7, '0')}`;
  const doc: ContactDoc = {
    _id: new ObjectId(),
    orgId,
    name,
    nameLower: name.toLowerCase(),
    phone: `+${digits}`,
    phoneDigits: digits,
    phoneValid: true,
    email: null,
    services: [],
    leadScore,
    leadStatus: status,
    lastContactAt,
    lastAttemptAt: lastContactAt,
    scoreBreakdown: null,
    smsOptOut: null,
    consent: null,
    externalId: `crm-${i}`,
    timezone: null,
    lostFrom: lost ? 'contacted' : null,
    lostBy: lost ? 'user-1' : null,
    lostAt: lost ? new Date(NOW - Math.floor(rand() * 200 * DAY)) : null,
    lostReason: lost ? REASONS[Math.floor(rand() * REASONS.length)]! : null,
    lostNote: null,
    activeCallId: null,
    nextAppointmentAt: appointment,
    lastAppointmentAt: appointment,
    nextFollowUpAt: followUp,
    nextFollowUpId: followUp ? new ObjectId().toHexString() : null,
    followUpRank: followUp ? -followUp.getTime() : null,
    followUpTodayFrom: windows ? new Date(windows.todayFrom) : null,
    followUpWeekFrom: windows ? new Date(windows.weekFrom) : null,
    lastInboundAt: rand() < 0.05 ? new Date(NOW - DAY) : null,
    lastInboundSentiment: null,
    createdAt,
    updatedAt: createdAt,
    version: 1,
  };
  if (doc.lastInboundAt) doc.lastInboundSentiment = rand() < 0.5 ? 'positive' : 'negative';
  return { ...doc, ...derivedFieldsOf(doc) };
}

export default async function bench(report: Report): Promise<void> {
  const config = benchConfig('ll_bench_views_');
  const server = await startServer({ config, logger: createLogger('silent'), jobsIntervalMs: 0 });
  const bodies = new Map<string, string>();
  const bareApp = new Koa();
  bareApp.use((ctx) => {
    const body = bodies.get(ctx.url);
    if (body === undefined) {
      ctx.status = 404;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = JSON.parse(body);
  });
  const bare = http.createServer(bareApp.callback());
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const barePort = (bare.address() as AddressInfo).port;
  try {
    const { org, secretKey } = await createOrganization(server.context.repos.orgs, { name: 'Views Clinic', timezone: ZONE });
    const { org: other } = await createOrganization(server.context.repos.orgs, { name: 'Other Clinic' });
    const mint = await fetch(`${server.url}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'user-1', name: 'Front Desk', role: 'agent' }, ttlSeconds: 3600 }),
    });
    const token = ((await mint.json()) as { token: string }).token;
    const contacts = server.database.db.collection<ContactDoc>(COLLECTIONS.contacts);
    const rand = rng(12);
    const t0 = performance.now();
    for (const [orgId, count] of [[other.id, OTHER_ORG], [org.id, LARGE]] as const) {
      for (let done = 0; done < count; done += BATCH) {
        await contacts.insertMany(Array.from({ length: Math.min(BATCH, count - done) }, (_, k) => makeContact(orgId, rand, done + k)), { ordered: false });
      }
    }
    const seedMs = performance.now() - t0;

    const api = getter(server.port, { authorization: `Bearer ${token}`, accept: 'application/json' });
    const floor = getter(barePort, { accept: 'application/json' });
    const PATHS: Array<[string, string]> = [
      ['bare board (default order, score)', '/v1/leads'],
      ['sort=last_contact', '/v1/leads?sort=last_contact'],
      ['sort=newest', '/v1/leads?sort=newest'],
      ['sort=follow_up', '/v1/leads?sort=follow_up'],
      ['view=call_today', '/v1/leads?view=call_today'],
      ['view=this_week', '/v1/leads?view=this_week'],
      ['view=nurture', '/v1/leads?view=nurture'],
      ['view=revisit_lost', '/v1/leads?view=revisit_lost'],
      ['view=call_today&sort=follow_up', '/v1/leads?view=call_today&sort=follow_up'],
      ['view=this_week&tier=warm', '/v1/leads?view=this_week&tier=warm'],
      ['appointment=none&tier=hot', '/v1/leads?appointment=none&tier=hot'],
      ['appointment=today', '/v1/leads?appointment=today'],
      ['lostReason=price', '/v1/leads?lostReason=price'],
      ['GET /v1/views (4 counts)', '/v1/views'],
    ];
    const rows: Array<Record<string, string | number>> = [];
    let defaultP50 = NaN;
    for (const [label, path] of PATHS) {
      const first = await api.get(path);
      if (first.status !== 200) throw new Error(`${path}: ${first.status} ${first.text}`);
      bodies.set(path, first.text);
      for (let i = 0; i < WARMUP; i++) {
        await api.get(path);
        await floor.get(path);
      }
      const apiMs: number[] = [];
      const bareMs: number[] = [];
      const deadline = performance.now() + ROW_BUDGET_MS;
      while (apiMs.length < SAMPLES && performance.now() < deadline) {
        apiMs.push(await timeOne(() => api.get(path)));
        bareMs.push(await timeOne(() => floor.get(path)));
      }
      const a = stats(apiMs);
      const b = stats(bareMs);
      if (path === '/v1/leads') defaultP50 = a.p50;
      const parsed = JSON.parse(first.text) as { total?: number; views?: Array<{ count: number }> };
      rows.push({
        query: label,
        total: parsed.total ?? (parsed.views ?? []).map((v) => v.count).join('/'),
        api_p50_ms: r2(a.p50),
        api_p95_ms: r2(a.p95),
        bare_p50_ms: r2(b.p50),
        'ratio_p50 (api/bare)': r2(a.p50 / b.p50),
        'ratio_p50 (vs default board)': r2(a.p50 / defaultP50),
        samples: a.n,
      });
    }
    api.close();
    floor.close();
    report(`seeding: ${LARGE} + ${OTHER_ORG} leads in ${Math.round(seedMs)} ms`, [{ leads: LARGE, other_org: OTHER_ORG, seed_ms: Math.round(seedMs) }]);
    report(
      `GET /v1/leads sorts and views at ${LARGE / 1000}k leads over HTTP keep-alive, sequential, vs a bare Koa route with the same JSON ` +
        `(${SAMPLES} samples per row or ${ROW_BUDGET_MS / 1000} s, after ${WARMUP} warm-up)`,
      rows,
    );
  } finally {
    bare.closeAllConnections();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
    await server.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await bench((section, rows) => {
    console.log(`\n## ${section}`);
    console.table(rows);
  });
  process.exit(0);
}
