/**
 * API benchmark (issue #3): GET /v1/leads over real HTTP with a real embed token, against a server started with
 * `startServer` (embedded engine in memory, silent logs, no background jobs), at 1k and at 100k leads in one
 * organisation (plus 3k leads in a second organisation, so tenancy filtering is real).
 *
 * Rows: the default board order, the Hot filter, a name search (q=smith, ~1% of leads), a phone-digits search (q=555)
 * and a deep page (page 50). Next to each, the same page served by a bare Koa route (another port, same process) that
 * returns the same JSON body from memory: the floor of Node HTTP + Koa + JSON for that payload. Requests alternate
 * API/bare, sequentially, over one keep-alive socket each (node:http Agent), after a warm-up. The db columns time the
 * repository's two queries (find page, countDocuments) through the server's own driver, without HTTP, to show which
 * part of a request dominates.
 *
 * The 100k leads are written directly with insertMany (batches of 1000) through the server's `database.db`, as the
 * exact ContactDoc documents the API writes (nameLower, phoneDigits/phoneValid from normalisePhone, version, ...).
 *
 *   npx tsx bench/api.bench.ts          (alone)
 *   npm run bench -- api                (through bench/run.ts)
 *
 * Prints figures; never asserts thresholds. About a minute on a small 2-core machine.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import Koa from 'koa';
import { ObjectId } from 'mongodb';
import { createLogger } from '../server/src/log.js';
import { startServer } from '../server/src/main.js';
import { createOrganization } from '../server/src/orgs/service.js';
import { normalisePhone } from '../server/src/leads/phone.js';
import { BOARD_SORT, boardFilter, derivedFieldsOf, type BoardFilter, type ContactDoc } from '../server/src/leads/repository.js';
import { COLLECTIONS } from '../server/src/db/indexes.js';
import type { LeadStatus, ScoreBreakdown } from '../core/contracts.js';
import { DEFAULT_KEYWORD_SETTINGS } from '../server/src/scoring/keywords.js';
import { scoreConversation } from '../server/src/scoring/score.js';
import { buildCorpus } from './scoring.bench.js';
import { benchConfig, getter, r2, rng, stats, timeOne } from './support.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const SMALL = 1_000;
const LARGE = 100_000;
const OTHER_ORG = 3_000;
const BATCH = 1_000;
const SAMPLES = 200;
const WARMUP = 20;
/** Per row (API + bare alternating): a slow row stops early with fewer samples. */
const ROW_BUDGET_MS = 8_000;
const DB_SAMPLES = 30;
const DB_BUDGET_MS = 2_500;

// ---------------------------------------------------------------------------------------------------------------------
// Deterministic, realistic leads


const FIRST = [
  'James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara',
  'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Karen', 'Daniel', 'Lisa', 'Matthew', 'Nancy',
  'Anthony', 'Betty', 'Mark', 'Sandra', 'Priya', 'Ashley', 'Steven', 'Kimberly', 'Andrew', 'Emily', 'Wei', 'Donna',
  'Joshua', 'Michelle', 'Kevin', 'Carol', 'Brian', 'Amanda', 'Diego', 'Melissa', 'Aisha', 'Deborah', 'Olivia', 'Sofia',
  'Hannah', 'Chloe', 'Grace', 'Mia', 'Noah', 'Liam', 'Ethan', 'Lucas', 'Ava', 'Isabella', 'Zoe', 'Maya',
];
/** 100 common US surnames: "Smith" is one of them (so q=smith matches ~1%), and no other contains "smith". */
const LAST = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez',
  'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White',
  'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott',
  'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell',
  'Carter', 'Roberts', 'Gomez', 'Phillips', 'Evans', 'Turner', 'Diaz', 'Parker', 'Cruz', 'Edwards', 'Collins', 'Reyes',
  'Stewart', 'Morris', 'Morales', 'Murphy', 'Cook', 'Rogers', 'Gutierrez', 'Ortiz', 'Morgan', 'Cooper', 'Peterson', 'Bailey',
  'Reed', 'Kelly', 'Howard', 'Ramos', 'Kim', 'Cox', 'Ward', 'Richardson', 'Watson', 'Brooks', 'Chavez', 'Wood',
  'James', 'Bennett', 'Gray', 'Mendoza', 'Ruiz', 'Hughes', 'Price', 'Alvarez', 'Castillo', 'Sanders', 'Patel', 'Myers',
  'Long', 'Ross', 'Foster', 'Jimenez',
];
const AREA = ['212', '646', '718', '917', '310', '213', '415', '312', '617', '202', '305', '512', '206', '404', '702', '480', '303', '615'];
const SERVICES = ['Botox', 'Dermal Fillers', 'Laser Hair Removal', 'Microneedling', 'Chemical Peel', 'CoolSculpting', 'HydraFacial', 'IPL Photofacial'];
const STATUS_WEIGHTS: Array<[LeadStatus, number]> = [
  ['new', 0.35], ['contacted', 0.25], ['qualified', 0.15], ['booked', 0.1], ['converted', 0.05], ['lost', 0.1],
];
const NOW = Date.now();
const DAY = 86_400_000;

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)]!;
}

/** Breakdowns of real scored transcripts (the scoring bench's corpus), reused for the leads that have been called. */
function breakdowns(): ScoreBreakdown[] {
  const out: ScoreBreakdown[] = [];
  for (const t of buildCorpus(300)) {
    const b = scoreConversation(t, DEFAULT_KEYWORD_SETTINGS, { callId: new ObjectId().toHexString(), now: new Date(NOW - 30 * DAY) });
    if (b) out.push(b);
  }
  return out;
}

/** One contact document exactly as LeadService.create / the scorer / the workflow would have left it. */
function makeContact(orgId: string, rand: () => number, i: number, scored: ScoreBreakdown[]): ContactDoc {
  const first = pick(rand, FIRST);
  const last = pick(rand, LAST);
  const name = rand() < 0.03 ? `${first} ${last}-${pick(rand, LAST)}` : `${first} ${last}`;
  const area = pick(rand, AREA);
  const exchange = String(200 + Math.floor(rand() * 800));
  const line = String(Math.floor(rand() * 10_000)).padStart(4, '0');
  const f = rand();
  const rawPhone =
    f < 0.02 ? `${exchange}-${line}` // no area code: invalid, kept as entered and flagged
    : f < 0.3 ? `(${area}) ${exchange}-${line}`
    : f < 0.5 ? `${area}-${exchange}-${line}`
    : f < 0.6 ? `+1 ${area} ${exchange} ${line}`
    : `+1${area}${exchange}${line}`;
  const phone = normalisePhone(rawPhone, 'US');

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
  const breakdown = touched && rand() < 0.7 ? pick(rand, scored) : null;
  const leadScore = breakdown ? breakdown.score : rand() < 0.6 ? 50 : Math.floor(rand() * 101);
  const services = breakdown?.services.length ? breakdown.services : SERVICES.filter(() => rand() < 0.15);
  const lost = status === 'lost';
  const lostAt = lost ? new Date((lastContactAt ?? createdAt).getTime() + DAY) : null;
  const updatedAt = lostAt ?? lastContactAt ?? createdAt;
  const doc: ContactDoc = {
    _id: new ObjectId(),
    orgId,
    name,
    nameLower: name.toLowerCase().replace(/\s+/g, ' '),
    phone: phone.phone,
    phoneDigits: phone.digits,
    phoneValid: phone.valid,
    email: rand() < 0.8 ? `${first}.${last}${i % 97}@example.com`.toLowerCase() : null,
    services,
    leadScore,
    leadStatus: status,
    lastContactAt,
    lastAttemptAt: lastContactAt,
    scoreBreakdown: breakdown,
    smsOptOut: rand() < 0.02 ? { at: updatedAt, source: 'STOP reply' } : null,
    consent: rand() < 0.5 ? { sms: true, calls: rand() < 0.9, source: 'web form', at: createdAt.toISOString() } : null,
    externalId: `crm-${i}`,
    timezone: rand() < 0.2 ? 'America/New_York' : null,
    lostFrom: lost ? 'contacted' : null,
    lostBy: lost ? 'user-1' : null,
    lostAt,
    activeCallId: null,
    createdAt,
    updatedAt,
    version: 1 + (status === 'new' ? 0 : 1) + (breakdown ? 1 : 0) + (lost ? 1 : 0),
  };
  if (rand() < 0.1) delete doc.externalId; // some leads were typed in by hand
  doc.searchKeys = derivedFieldsOf(doc).searchKeys;
  return doc;
}

// ---------------------------------------------------------------------------------------------------------------------
// Timing

// ---------------------------------------------------------------------------------------------------------------------

export default async function bench(report: Report): Promise<void> {
  const config = benchConfig('ll_bench_');
  const server = await startServer({ config, logger: createLogger('silent'), jobsIntervalMs: 0 });

  // The bare floor: the same JSON body, from memory, through Koa on another port.
  const pages = new Map<string, unknown>();
  const bareApp = new Koa();
  bareApp.use((ctx) => {
    const page = pages.get(ctx.querystring);
    if (page === undefined) {
      ctx.status = 404;
      return;
    }
    ctx.body = page;
  });
  const bare = http.createServer(bareApp.callback());
  bare.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', resolve));
  const barePort = (bare.address() as AddressInfo).port;

  try {
    const { org, secretKey } = await createOrganization(server.context.repos.orgs, { name: 'Bench Clinic' });
    const { org: other } = await createOrganization(server.context.repos.orgs, { name: 'Other Clinic' });
    const mint = await fetch(`${server.url}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'user-1', name: 'Front Desk', role: 'agent' }, ttlSeconds: 3600 }),
    });
    if (mint.status !== 201) throw new Error(`token mint failed: ${mint.status} ${await mint.text()}`);
    const token = ((await mint.json()) as { token: string }).token;

    const contacts = server.database.db.collection<ContactDoc>(COLLECTIONS.contacts);
    const scored = breakdowns();
    const rand = rng(7);
    let built = 0;
    let buildMs = 0;
    let insertMs = 0;
    /** Builds and inserts `count` more leads of `orgId`, in batches. */
    async function seed(orgId: string, count: number) {
      for (let done = 0; done < count; done += BATCH) {
        const n = Math.min(BATCH, count - done);
        const t0 = performance.now();
        const docs = Array.from({ length: n }, () => makeContact(orgId, rand, built++, scored));
        const t1 = performance.now();
        await contacts.insertMany(docs, { ordered: false });
        const t2 = performance.now();
        buildMs += t1 - t0;
        insertMs += t2 - t1;
      }
    }

    const seedRows: Array<Record<string, string | number>> = [];
    await seed(other.id, OTHER_ORG);
    seedRows.push({ step: `second org: ${OTHER_ORG} leads`, docs: OTHER_ORG, build_ms: Math.round(buildMs), insert_ms: Math.round(insertMs), insert_docs_per_s: Math.round(OTHER_ORG / (insertMs / 1000)) });
    buildMs = insertMs = 0;
    await seed(org.id, SMALL);
    seedRows.push({ step: `bench org: first ${SMALL} leads`, docs: SMALL, build_ms: Math.round(buildMs), insert_ms: Math.round(insertMs), insert_docs_per_s: Math.round(SMALL / (insertMs / 1000)) });

    const api = getter(server.port, { authorization: `Bearer ${token}`, accept: 'application/json' });
    const floor = getter(barePort, { accept: 'application/json' });
    const QUERIES: Array<{ label: string; qs: string; filter: BoardFilter; page: number }> = [
      { label: 'default order, page 1', qs: '', filter: {}, page: 1 },
      { label: 'Hot (tier=hot), page 1', qs: 'tier=hot', filter: { tier: 'hot' }, page: 1 },
      { label: 'search q=smith (name)', qs: 'q=smith', filter: { q: 'smith' }, page: 1 },
      { label: 'search q=555 (phone digits)', qs: 'q=555', filter: { q: '555' }, page: 1 },
      { label: 'default order, page 50 (deep)', qs: 'page=50', filter: {}, page: 50 },
    ];

    const rows: Array<Record<string, string | number>> = [];
    async function measure(size: string) {
      for (const q of QUERIES) {
        const path = `/v1/leads${q.qs ? `?${q.qs}` : ''}`;
        const first = await api.get(path);
        if (first.status !== 200) throw new Error(`${path}: ${first.status} ${first.text}`);
        const body = JSON.parse(first.text) as { items: unknown[]; total: number };
        pages.set(q.qs, body);
        const bareFirst = await floor.get(path);
        if (bareFirst.status !== 200 || bareFirst.text.length !== first.text.length) throw new Error(`bare route mismatch for ${path}`);

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

        // Which part dominates: the repository's two queries alone, through the server's driver (no HTTP, no auth).
        const filter = boardFilter(org.id, q.filter);
        const findMs: number[] = [];
        const countMs: number[] = [];
        const dbDeadline = performance.now() + DB_BUDGET_MS;
        while (findMs.length < DB_SAMPLES && performance.now() < dbDeadline) {
          findMs.push(await timeOne(() => contacts.find(filter).sort(BOARD_SORT).skip((q.page - 1) * 20).limit(20).toArray()));
          countMs.push(await timeOne(() => contacts.countDocuments(filter)));
        }

        const a = stats(apiMs);
        const b = stats(bareMs);
        rows.push({
          leads: size,
          query: q.label,
          total: body.total,
          items: body.items.length,
          kB: r2(first.text.length / 1024),
          api_p50_ms: r2(a.p50),
          api_p95_ms: r2(a.p95),
          bare_p50_ms: r2(b.p50),
          bare_p95_ms: r2(b.p95),
          'ratio_p50 (api/bare)': r2(a.p50 / b.p50),
          'ratio_p95 (api/bare)': r2(a.p95 / b.p95),
          db_find_p50_ms: r2(stats(findMs).p50),
          db_count_p50_ms: r2(stats(countMs).p50),
          samples: a.n,
        });
      }
    }

    await measure('1k');

    buildMs = insertMs = 0;
    const t0 = performance.now();
    await seed(org.id, LARGE - SMALL);
    const seedWall = performance.now() - t0;
    seedRows.push({
      step: `bench org: ${LARGE - SMALL} more leads (to ${LARGE / 1000}k)`,
      docs: LARGE - SMALL,
      build_ms: Math.round(buildMs),
      insert_ms: Math.round(insertMs),
      insert_docs_per_s: Math.round((LARGE - SMALL) / (insertMs / 1000)),
      wall_ms: Math.round(seedWall),
    });
    const counted = await contacts.countDocuments({ orgId: org.id });
    if (counted !== LARGE) throw new Error(`expected ${LARGE} leads in the bench org, found ${counted}`);

    await measure('100k');
    api.close();
    floor.close();

    report(`seeding (insertMany of ContactDoc in batches of ${BATCH} through the server's driver; build = making the documents, normalisePhone included)`, seedRows);
    report(
      `GET /v1/leads over HTTP keep-alive, sequential, vs a bare Koa route returning the same JSON from memory ` +
        `(${SAMPLES} samples per row or ${ROW_BUDGET_MS / 1000} s, after ${WARMUP} warm-up; db_* = the repository's find/count alone, no HTTP)`,
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
