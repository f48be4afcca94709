/**
 * Embedded engine benchmark: a 20-lead board page sorted over 100k leads of one organisation (default order, a tier
 * filter, a deep page and the count), a find by unique key, a search by regex, and insert throughput.
 * Medians over repeated runs. Runs inside `npm run bench`, or alone: `npx tsx bench/engine.bench.ts`.
 */
import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { pathToFileURL } from 'node:url';
import { MongoClient, ObjectId } from 'mongodb';
import { startEngine } from '../engine/index.js';

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

export default async function bench(report: Report): Promise<void> {
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

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  bench((section, rows) => {
    console.log(`\n${section}`);
    console.table(rows);
  }).catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
