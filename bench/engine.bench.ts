/**
 * Embedded engine benchmark.
 *
 * 1. A 20-lead board page sorted over 100k leads of one organisation (default order, a tier filter, a deep page and
 *    the count), a find by unique key, a search by regex, and insert throughput. Medians over repeated runs.
 * 2. Scale (lead-like documents shaped like server/src/leads ContactDoc, ~660 bytes of BSON, with the product's contacts
 *    indexes from server/src/db/indexes.ts): the engine runs in its own process (engine/testing/child-engine.ts) on a
 *    data directory; a loader process bulk-loads N leads of one clinic with insertMany batches of 1000 while this process
 *    runs a board-page loop (find page + countDocuments, as the leads repository does) on its own connection and
 *    records the worst latency (auto compactions run during the load); then a compaction is forced while a second
 *    loader adds 2% more leads (still querying: "worst query ms (compaction + load)"; those writes are the journal to
 *    replay), the engine is killed (-9) and restarted: time to start (snapshot load + journal replay + index ordering)
 *    and the first query. Resident memory of the engine process after the load and after the restart.
 *    Issue 19's figures also go to artifacts/bench.json (merged into what is there): `engine.start_ms_<size>`,
 *    `engine.rss_mb_<size>`, `engine.rss_bytes_per_lead_<size>`, `engine.worst_query_ms_compaction_<size>` (worst of
 *    the load with its compactions and the forced compaction with its load), `engine.worst_query_ms_load_<size>`;
 *    size `100k`, `1m`.
 *    Sizes: 100k by default; `BENCH_ENGINE_1M=1 npm run bench -- engine` (or `npm run bench -- engine --1m`) adds 1M
 *    (several minutes, ~2 GB of memory and ~1.5 GB of disk); `BENCH_ENGINE_SCALES=100000,300000` picks sizes.
 * Runs inside `npm run bench`, or alone: `npx tsx bench/engine.bench.ts [--1m]`.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { MongoClient, ObjectId } from 'mongodb';
import { startEngine } from '../engine/index.js';
import { INDEXES } from '../server/src/db/indexes.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const ORG_DOCS = 100_000;
const OTHER_DOCS = 20_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeRuns(n: number, fn: (i: number) => Promise<unknown>): Promise<{ median: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn(i);
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const s = [...times].sort((a, b) => a - b);
  return { median: median(times), p95: s[Math.floor(s.length * 0.95)] };
}

function lead(orgId: string, i: number) {
  const contacted = i % 7 !== 0;
  const name = `Lead ${i} ${['Smith', 'Jones', 'Garcia', 'Nguyen', 'Brown'][i % 5]}`;
  return {
    _id: new ObjectId(),
    orgId,
    name,
    nameLower: name.toLowerCase(),
    phone: `+1212555${String(i % 10000).padStart(4, '0')}`,
    phoneDigits: `1212555${String(i % 10000).padStart(4, '0')}`,
    externalId: `${orgId}-ext-${i}`,
    leadScore: (i * 37) % 101,
    leadStatus: ['new', 'contacted', 'qualified', 'booked', 'converted', 'lost'][i % 6],
    lastContactAt: contacted ? new Date(1_700_000_000_000 + ((i * 7919) % 10_000_000) * 1000) : null,
    services: ['botox', 'laser'].slice(0, i % 3),
    createdAt: new Date(),
    version: 1,
  };
}

async function boardBench(report: Report): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-bench-'));
  const engine = await startEngine({ dataDir });
  const client = new MongoClient(engine.uri);
  try {
    await client.connect();
    const db = client.db('bench');
    const leads = db.collection('contacts');
    await leads.createIndexes([
      { key: { orgId: 1, leadScore: -1, lastContactAt: 1, _id: 1 }, name: 'board_default' },
      { key: { orgId: 1, leadStatus: 1, leadScore: -1, lastContactAt: 1, _id: 1 }, name: 'board_status' },
      { key: { orgId: 1, externalId: 1 }, name: 'org_external', unique: true, partialFilterExpression: { externalId: { $type: 'string' } } },
    ]);

    // insert throughput: insertMany batches of 1000 (journaled, fdatasync per batch)
    const insertTimes: number[] = [];
    for (let b = 0; b < ORG_DOCS / 1000; b++) {
      const batch = Array.from({ length: 1000 }, (_, j) => lead('org-big', b * 1000 + j));
      const t = process.hrtime.bigint();
      await leads.insertMany(batch);
      insertTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    for (let b = 0; b < OTHER_DOCS / 1000; b++)
      await leads.insertMany(Array.from({ length: 1000 }, (_, j) => lead(`org-${b % 4}`, b * 1000 + j)));
    const insertMs = median(insertTimes);

    const sort = { leadScore: -1, lastContactAt: 1, _id: 1 } as const;
    await leads.find({ orgId: 'org-big' }).sort(sort).limit(20).toArray(); // warm-up (builds sorted index arrays)
    const page1 = await timeRuns(50, () => leads.find({ orgId: 'org-big' }).sort(sort).limit(20).toArray());
    const deep = await timeRuns(50, (i) => leads.find({ orgId: 'org-big' }).sort(sort).skip(((i * 97) % 500) * 20).limit(20).toArray());
    const hot = await timeRuns(50, () => leads.find({ orgId: 'org-big', leadScore: { $gte: 80 } }).sort(sort).skip(200).limit(20).toArray());
    const coldStatus = await timeRuns(50, () =>
      leads.find({ orgId: 'org-big', leadScore: { $lt: 50 }, leadStatus: 'qualified' }).sort(sort).skip(100).limit(20).toArray(),
    );
    const count = await timeRuns(50, () => leads.countDocuments({ orgId: 'org-big', leadScore: { $gte: 50, $lt: 80 } }));
    const countStatus = await timeRuns(50, () => leads.countDocuments({ orgId: 'org-big', leadStatus: 'new', leadScore: { $gte: 80 } }));
    const search = await timeRuns(20, () =>
      leads.find({ orgId: 'org-big', $or: [{ nameLower: { $regex: 'smith' } }, { phoneDigits: { $regex: '5551234' } }] }).sort(sort).limit(20).toArray(),
    );
    const searchCount = await timeRuns(20, () => leads.countDocuments({ orgId: 'org-big', nameLower: { $regex: 'smith' } }));
    const byKey = await timeRuns(200, (i) => leads.findOne({ orgId: 'org-big', externalId: `org-big-ext-${(i * 499) % ORG_DOCS}` }));
    const byId = await timeRuns(200, () => leads.findOne({ _id: new ObjectId() }));
    const f = (x: number) => Number(x.toFixed(2));
    report('embedded engine (100k leads in one org + 20k in others, journaled to disk)', [
      { query: 'board page 1 (default order, limit 20)', median_ms: f(page1.median), p95_ms: f(page1.p95), runs: 50 },
      { query: 'board page n (skip up to 9980, limit 20)', median_ms: f(deep.median), p95_ms: f(deep.p95), runs: 50 },
      { query: 'hot tier page 11', median_ms: f(hot.median), p95_ms: f(hot.p95), runs: 50 },
      { query: 'cold tier + status page 6', median_ms: f(coldStatus.median), p95_ms: f(coldStatus.p95), runs: 50 },
      { query: 'countDocuments warm tier', median_ms: f(count.median), p95_ms: f(count.p95), runs: 50 },
      { query: 'countDocuments status + hot tier', median_ms: f(countStatus.median), p95_ms: f(countStatus.p95), runs: 50 },
      { query: 'search $regex name/phone (limit 20)', median_ms: f(search.median), p95_ms: f(search.p95), runs: 20 },
      { query: 'search countDocuments $regex (scans the org)', median_ms: f(searchCount.median), p95_ms: f(searchCount.p95), runs: 20 },
      { query: 'findOne by unique key (orgId, externalId)', median_ms: f(byKey.median), p95_ms: f(byKey.p95), runs: 200 },
      { query: 'findOne by _id (miss)', median_ms: f(byId.median), p95_ms: f(byId.p95), runs: 200 },
      { query: 'insertMany 1000 docs', median_ms: f(insertMs), docs_per_s: Math.round(1000 / (insertMs / 1000)), runs: insertTimes.length },
    ]);
  } finally {
    await client.close();
    await engine.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- scale ----

const FIRST = ['Ava', 'Liam', 'Olivia', 'Noah', 'Emma', 'Mia', 'Lucas', 'Sofia', 'Ethan', 'Chloe', 'Mateo', 'Grace'];
const LAST = ['Smith', 'Jones', 'Garcia', 'Nguyen', 'Brown', 'Miller', 'Davis', 'Wilson', 'Lopez', 'Clark', 'Patel', 'Kim'];
const STATUSES = ['new', 'contacted', 'qualified', 'booked', 'converted', 'lost'];
const SERVICES = ['botox', 'laser', 'fillers', 'peel', 'microneedling'];
const CLINIC = 'clinic-0001';
const BOARD = { leadScore: -1, lastContactAt: 1, _id: 1 } as const;

/** A lead shaped like the product's ContactDoc (server/src/leads/repository.ts), every field present. */
export function leadDoc(orgId: string, i: number) {
  const first = FIRST[i % 12];
  const last = LAST[Math.floor(i / 12) % 12];
  const name = `${first} ${last} ${i}`;
  const digits = `1${212 + (i % 700)}555${String(i % 10000).padStart(4, '0')}`;
  const created = new Date(1_700_000_000_000 + i * 60_000);
  const score = (i * 37) % 101;
  const status = STATUSES[i % 6];
  const lastContactAt = i % 7 !== 0 ? new Date(created.getTime() + ((i * 7919) % 1_000_000) * 1000) : null;
  return {
    _id: new ObjectId(),
    orgId,
    name,
    nameLower: name.toLowerCase(),
    phone: '+' + digits,
    phoneDigits: digits,
    phoneValid: i % 20 !== 0,
    email: i % 4 ? `${first.toLowerCase()}.${last.toLowerCase()}${i}@example.com` : null,
    services: SERVICES.slice(i % 3, (i % 3) + (i % 3)),
    leadScore: score,
    leadStatus: status,
    lastContactAt,
    lastAttemptAt: lastContactAt,
    // a third of the leads were scored from a call
    scoreBreakdown:
      i % 3 === 0
        ? {
            score,
            raw: score + 5,
            rules: [{ rule: 'high_value_keywords', points: 15, matches: ['price'], quotes: ['how much is it'] }],
            services: SERVICES.slice(0, 1 + (i % 2)),
            scoredAt: created.toISOString(),
            callId: null,
          }
        : null,
    smsOptOut: null,
    consent: { sms: true, calls: true, source: 'Website enquiry form', at: created.toISOString() },
    externalId: `crm-${i}`,
    timezone: 'America/New_York',
    lostFrom: status === 'lost' ? 'contacted' : null,
    lostBy: null,
    lostAt: status === 'lost' ? created : null,
    activeCallId: null,
    createdAt: created,
    updatedAt: lastContactAt ?? created,
    version: 1 + (i % 5),
  };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const CHILD = process.env.BENCH_ENGINE_CHILD ?? path.join(here, '..', 'engine', 'testing', 'child-engine.ts');

interface EngineProc {
  child: ChildProcess;
  uri: string;
  recovery: { records: number; snapshotMs: number; journalMs: number; indexMs: number; totalMs: number } | null;
  /** ms from spawn to the URI line (process start, module loading and recovery). */
  spawnMs: number;
  lines: (prefix: string) => string[];
  waitLine: (prefix: string, seen?: boolean) => Promise<string>;
}

function startEngineProcess(dataDir: string): Promise<EngineProc> {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ENGINE_LOG: '1' },
  });
  const all: string[] = [];
  const waiters: Array<{ prefix: string; resolve: (l: string) => void }> = [];
  let buf = '';
  child.stdout!.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      all.push(line);
      for (const w of [...waiters])
        if (line.startsWith(w.prefix)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(line);
        }
    }
  });
  const lines = (prefix: string) => all.filter((l) => l.startsWith(prefix));
  /** The next line with this prefix (or, with `seen`, one already received). */
  const waitLine = (prefix: string, seen = false) =>
    new Promise<string>((resolve) => {
      const earlier = seen ? all.find((l) => l.startsWith(prefix)) : undefined;
      if (earlier !== undefined) resolve(earlier);
      else waiters.push({ prefix, resolve });
    });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`engine process exited with ${code}`)));
    void waitLine('URI ').then(async (l) => {
      const spawnMs = performance.now() - t0;
      const rec = await waitLine('RECOVERY ', true);
      resolve({ child, uri: l.slice(4).trim(), spawnMs, recovery: JSON.parse(rec.slice(9)), lines, waitLine });
    });
  });
}

function rssMB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function stopProcess(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

/** The loader process: N leads in insertMany batches of 1000, two in flight (`--load URI N START`). */
async function loaderMain(uri: string, n: number, start: number): Promise<void> {
  const client = new MongoClient(uri);
  const col = client.db('live').collection('contacts');
  const t0 = performance.now();
  // two batches in flight: the engine decodes and indexes one while the journal syncs the other and this process
  // builds the next (each batch is one synchronous command in the engine: more in flight = longer query waits)
  let next = start;
  const worker = async () => {
    while (next < start + n) {
      const b = next;
      next += 1000;
      const batch = Array.from({ length: Math.min(1000, start + n - b) }, (_, j) => leadDoc(CLINIC, b + j));
      await col.insertMany(batch, { ordered: false });
    }
  };
  await Promise.all([worker(), worker()]);
  process.stdout.write(`LOADED ${performance.now() - t0}\n`);
  await client.close();
}

function runLoader(uri: string, n: number, start: number): Promise<number> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--load', uri, String(n), String(start)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const m = /LOADED (\S+)/.exec(out);
      if (code === 0 && m) resolve(Number(m[1]));
      else reject(new Error(`loader exited with ${code}`));
    }),
  );
}

/** Board pages (find + count, like ContactRepository.page) in a loop until stopped; latencies by phase. */
function boardLoop(uri: string) {
  const client = new MongoClient(uri);
  const col = client.db('live').collection('contacts');
  const lat: Record<string, number[]> = {};
  let phase = 'idle';
  let stopped = false;
  const done = (async () => {
    await client.connect();
    while (!stopped) {
      const t = performance.now();
      const during = phase; // a query counts for the phase it was sent in
      await Promise.all([col.find({ orgId: CLINIC }).sort(BOARD).limit(20).toArray(), col.countDocuments({ orgId: CLINIC })]);
      (lat[during] ??= []).push(performance.now() - t);
      await new Promise((r) => setTimeout(r, 2));
    }
    await client.close();
  })();
  return {
    setPhase: (p: string) => (phase = p),
    stats: (p: string) => {
      const xs = [...(lat[p] ?? [])].sort((a, b) => a - b);
      return { n: xs.length, max: xs.at(-1) ?? NaN, p99: xs[Math.floor(xs.length * 0.99)] ?? NaN, median: xs[Math.floor(xs.length / 2)] ?? NaN };
    },
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

export async function scaleRun(n: number): Promise<Record<string, string | number>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-scale-'));
  const f0 = (x: number) => Math.round(x);
  const procs: ChildProcess[] = [];
  try {
    const e1 = await startEngineProcess(dataDir);
    procs.push(e1.child);
    const setup = new MongoClient(e1.uri);
    await setup.db('live').collection('contacts').createIndexes(INDEXES.contacts);
    await setup.close();
    const loop = boardLoop(e1.uri);
    loop.setPhase('load');
    const loadMs = await runLoader(e1.uri, n, 0);
    const autoCompactions = e1.lines('LOG embedded engine: snapshot written').map((l) => JSON.parse(l.slice(l.indexOf('{'))));
    const rssLoaded = rssMB(e1.child.pid!);
    // a forced compaction while a second bulk load runs (2% more leads: the journal to replay on restart)
    loop.setPhase('compaction');
    const compacted = e1.waitLine('COMPACTED ');
    const tc = performance.now();
    e1.child.kill('SIGUSR2');
    const extra = Math.max(1000, Math.round(n / 50 / 1000) * 1000);
    const extraLoad = runLoader(e1.uri, extra, n);
    const comp = JSON.parse((await compacted).slice(10));
    const compactionMs = performance.now() - tc;
    await extraLoad;
    loop.setPhase('idle');
    await loop.stop();
    await stopProcess(e1.child, 'SIGKILL');

    const e2 = await startEngineProcess(dataDir);
    procs.push(e2.child);
    const c2 = new MongoClient(e2.uri);
    const tq = performance.now();
    const page = await c2.db('live').collection('contacts').find({ orgId: CLINIC }).sort(BOARD).limit(20).toArray();
    const firstQueryMs = performance.now() - tq;
    const total = await c2.db('live').collection('contacts').countDocuments({ orgId: CLINIC });
    if (page.length !== 20 || total !== n + extra) throw new Error(`after restart: ${total} leads, expected ${n + extra}`);
    const rssRestarted = rssMB(e2.child.pid!);
    await c2.close();
    await stopProcess(e2.child, 'SIGKILL');
    const snapBytes = fs.statSync(path.join(dataDir, 'snapshot.bson')).size;
    const load = loop.stats('load');
    const during = loop.stats('compaction');
    const r = e2.recovery!;
    const tag = n >= 1_000_000 && n % 1_000_000 === 0 ? `${n / 1_000_000}m` : n % 1000 === 0 ? `${n / 1000}k` : String(n);
    // issue 19's figures, also in artifacts/bench.json (merged with what other benches put there)
    writeFigures({
      [`engine.start_ms_${tag}`]: f0(r.totalMs),
      [`engine.rss_mb_${tag}`]: f0(rssRestarted),
      [`engine.rss_bytes_per_lead_${tag}`]: f0((rssRestarted * 2 ** 20) / (n + extra)),
      [`engine.worst_query_ms_compaction_${tag}`]: f0(Math.max(during.max, load.max)),
      [`engine.worst_query_ms_load_${tag}`]: f0(load.max),
    });
    return {
      leads: n,
      'load s': Number((loadMs / 1000).toFixed(1)),
      'load docs/s': f0(n / (loadMs / 1000)),
      'auto compactions': autoCompactions.length,
      'worst query ms (load)': f0(load.max),
      'p99 query ms (load)': f0(load.p99),
      'queries (load)': load.n,
      'compaction s': Number((compactionMs / 1000).toFixed(1)),
      'compaction cut ms': f0(Math.max(comp.cutMs, ...autoCompactions.map((c) => c.cutMs))),
      'longest slice ms': f0(Math.max(comp.maxSliceMs, ...autoCompactions.map((c) => c.maxSliceMs))),
      'worst query ms (compaction + load)': f0(during.max),
      'queries (compaction)': during.n,
      'snapshot MB': f0(snapBytes / 2 ** 20),
      'rss MB (loaded)': f0(rssLoaded),
      'rss B/lead (loaded)': f0((rssLoaded * 2 ** 20) / n),
      'start s': Number((r.totalMs / 1000).toFixed(2)),
      'start: snapshot/journal/index ms': `${f0(r.snapshotMs)}/${f0(r.journalMs)}/${f0(r.indexMs)}`,
      'journal records replayed': r.records - n - 1,
      'first query ms': f0(firstQueryMs),
      'rss MB (restarted)': f0(rssRestarted),
      'rss B/lead (restarted)': f0((rssRestarted * 2 ** 20) / (n + extra)),
    };
  } finally {
    for (const p of procs) await stopProcess(p, 'SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Merges figures into artifacts/bench.json (a flat object; other benches' keys are kept). */
function writeFigures(figures: Record<string, number>): void {
  const file = path.join(here, '..', 'artifacts', 'bench.json');
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first bench to report */
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ ...all, ...figures }, null, 2) + '\n');
}

function scales(): number[] {
  if (process.env.BENCH_ENGINE_SCALES) return process.env.BENCH_ENGINE_SCALES.split(',').map(Number).filter((x) => x > 0);
  const big = process.env.BENCH_ENGINE_1M === '1' || process.argv.includes('--1m');
  return big ? [100_000, 1_000_000] : [100_000];
}

export default async function bench(report: Report): Promise<void> {
  await boardBench(report);
  const rows: Array<Record<string, string | number>> = [];
  for (const n of scales()) rows.push(await scaleRun(n));
  // one column per size reads better than 20 columns
  const keys = Object.keys(rows[0] ?? {});
  report(
    'embedded engine at scale (engine process on disk; loader process; board-page loop on its own connection)',
    keys.filter((k) => k !== 'leads').map((k) => ({ figure: k, ...Object.fromEntries(rows.map((r) => [`${r.leads} leads`, r[k]])) })),
  );
}

if (process.argv.includes('--load')) {
  const i = process.argv.indexOf('--load');
  await loaderMain(process.argv[i + 1], Number(process.argv[i + 2]), Number(process.argv[i + 3] ?? 0));
  process.exit(0);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  bench((section, rows) => {
    console.log(`\n${section}`);
    console.table(rows);
  }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
