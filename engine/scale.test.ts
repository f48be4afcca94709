/**
 * Embedded-engine only: compact index entries (a document with one key is entered as its bare record id, its key read
 * from the document; indexes.ts) stay in index order through inserts, updates that move keys, deletes, record ids
 * reused, a compaction that hands its sorted order back to the indexes while writes go on, and a restart.
 * Each index is walked in its order by the engine and compared with the same documents sorted here.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MongoClient, type Document, type IndexDescription } from 'mongodb';
import { startEngine, type RunningEngine } from './index.js';

const INDEXES: IndexDescription[] = [
  { key: { org: 1, score: -1, at: 1, _id: 1 }, name: 'board' },
  { key: { org: 1, status: 1, score: -1, _id: 1 }, name: 'status' },
  { key: { ext: 1 }, name: 'ext', unique: true, partialFilterExpression: { ext: { $type: 'string' } } },
  { key: { pending: 1, _id: 1 }, name: 'pending', sparse: true },
];

function doc(i: number): Document {
  return {
    _id: i,
    org: `o${i % 3}`,
    score: (i * 37) % 101,
    at: i % 7 ? new Date(1_700_000_000_000 + ((i * 7919) % 1000) * 1000) : null,
    status: ['new', 'won', 'lost'][i % 3],
    ...(i % 4 ? { ext: `x${i}` } : {}),
    ...(i % 5 === 0 ? { pending: i % 11 } : {}),
  };
}

/** The JS order of an index key pattern (values here: strings, numbers, dates, null; null first ascending). */
function cmpBy(key: Record<string, number>) {
  const v = (x: unknown) => (x === undefined || x === null ? -Infinity : x instanceof Date ? x.getTime() : x);
  return (a: Document, b: Document) => {
    for (const [f, dir] of Object.entries(key)) {
      const x = v(a[f]);
      const y = v(b[f]);
      if (x < y) return -dir;
      if (x > y) return dir;
    }
    return 0;
  };
}

async function checkOrders(uri: string, label: string): Promise<number> {
  const client = new MongoClient(uri);
  try {
    const col = client.db('scale').collection('leads');
    const all = await col.find({}).toArray();
    for (const org of ['o0', 'o1', 'o2']) {
      const got = await col.find({ org }).sort({ score: -1, at: 1, _id: 1 }).toArray();
      const want = all.filter((d) => d.org === org).sort(cmpBy({ score: -1, at: 1, _id: 1 }));
      assert.deepEqual(got.map((d) => d._id), want.map((d) => d._id), `${label}: board order of ${org}`);
      const lost = await col.find({ org, status: 'lost' }).sort({ score: -1, _id: 1 }).toArray();
      assert.deepEqual(lost.map((d) => d._id), want.filter((d) => d.status === 'lost').map((d) => d._id).sort((a, b) => {
        const da = all.find((d) => d._id === a)!;
        const db = all.find((d) => d._id === b)!;
        return cmpBy({ score: -1, _id: 1 })(da, db);
      }), `${label}: status order of ${org}`);
      const hot = await col.countDocuments({ org, score: { $gte: 50, $lt: 80 } });
      assert.equal(hot, want.filter((d) => d.score >= 50 && d.score < 80).length, `${label}: count of a range in ${org}`);
    }
    const pend = await col.find({ pending: { $gte: 3 } }).sort({ pending: 1, _id: 1 }).toArray();
    const wantPend = all.filter((d) => typeof d.pending === 'number' && d.pending >= 3).sort(cmpBy({ pending: 1, _id: 1 }));
    assert.deepEqual(pend.map((d) => d._id), wantPend.map((d) => d._id), `${label}: sparse index order`);
    for (const d of all.filter((x) => typeof x.ext === 'string').slice(0, 50))
      assert.equal((await col.findOne({ ext: d.ext }))?._id, d._id, `${label}: unique lookup ${d.ext}`);
    await assert.rejects(col.insertOne({ _id: -1 as never, ext: all.find((x) => typeof x.ext === 'string')!.ext }), /E11000/);
    return all.length;
  } finally {
    await client.close();
  }
}

describe('embedded engine: compact index entries at scale', function () {
  this.timeout(60_000);
  let dataDir: string;
  let engine: RunningEngine | null = null;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-scale-'));
  });
  afterEach(async () => {
    await engine?.close();
    engine = null;
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every index in order through writes, a compaction with writes going on, and a restart', async () => {
    engine = await startEngine({ dataDir, compactSliceMs: 1 });
    const client = new MongoClient(engine.uri);
    const col = client.db('scale').collection('leads');
    await col.createIndexes(INDEXES);
    await col.insertMany(Array.from({ length: 3000 }, (_, i) => doc(i)));
    // nothing queried yet: every index holds its entries unsorted; the compaction sorts them and hands them back
    const compaction = engine.compact();
    for (let b = 0; b < 10; b++) {
      await col.insertMany(Array.from({ length: 100 }, (_, j) => doc(3000 + b * 100 + j)));
      await col.updateMany({ _id: { $in: [b * 7, b * 7 + 1, 2000 + b] } } as never, { $set: { score: 100 - b, status: 'won' } });
    }
    await compaction;
    await checkOrders(engine.uri, 'after the compaction');
    // moves, deletes and record ids reused by later inserts
    await col.updateMany({ score: { $lt: 10 } }, [{ $set: { score: { $add: ['$score', 45] }, pending: 7 } }]);
    await col.deleteMany({ _id: { $gte: 500, $lt: 900 } } as never);
    await col.insertMany(Array.from({ length: 300 }, (_, j) => doc(10_000 + j)));
    const total = await checkOrders(engine.uri, 'after moves, deletes and reused record ids');
    await engine.compact();
    await col.insertOne(doc(20_000)); // journaled after the snapshot
    await client.close();
    await engine.close(); // final snapshot
    engine = await startEngine({ dataDir });
    assert.equal(await checkOrders(engine.uri, 'after a restart'), total + 1);
  });

  it('compact() called while a compaction runs writes a snapshot cut after the call', async () => {
    engine = await startEngine({ dataDir, compactSliceMs: 0.5, compactPauseMs: 2 });
    const client = new MongoClient(engine.uri);
    const col = client.db('scale').collection('leads');
    await col.insertMany(Array.from({ length: 2000 }, (_, i) => doc(i)));
    const first = engine.compact();
    await col.insertOne(doc(5000)); // after the first cut
    const second = engine.compact();
    await first;
    assert.equal(engine.lastCompaction()?.documents, 2000);
    await second;
    assert.equal(engine.lastCompaction()?.documents, 2001, 'the second snapshot holds the write made before the call');
    await client.close();
  });
});
