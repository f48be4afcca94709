/**
 * Embedded-engine only: acknowledged writes survive kill -9 (journal replay, snapshots, torn tail), also when the kill
 * lands in the middle of a compaction while writes go on; the recovered state is exactly what was acknowledged.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient, type Collection, type Document } from 'mongodb';
import { readRecordsFromFile } from './storage.js';
import { startEngine } from './index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const childScript = path.join(here, 'testing', 'child-engine.ts');

async function startChild(dataDir: string, env: Record<string, string> = {}): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript, dataDir], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const uri = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /URI (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`child exited with ${code}`)));
  });
  return { child, uri };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('embedded engine: durability (kill -9 and restart)', function () {
  this.timeout(60_000);
  let dataDir: string;
  beforeEach(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-durability-'));
  });
  afterEach(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every acknowledged write, index and deletion across kill -9', async () => {
    const first = await startChild(dataDir);
    const c1 = new MongoClient(first.uri);
    const col = c1.db('dur').collection('leads');
    await col.createIndex({ orgId: 1, email: 1 }, { unique: true, name: 'org_email' });
    await col.insertMany(Array.from({ length: 500 }, (_, i) => ({ _id: i as never, orgId: 'o', email: `e${i}@x.io`, n: i })));
    await col.updateMany({ n: { $lt: 10 } }, { $set: { hot: true } });
    await col.deleteMany({ n: { $gte: 490 } });
    await col.findOneAndUpdate({ _id: 100 as never }, { $inc: { n: 1000 } });
    await c1.db('dur').collection('gone').insertOne({ a: 1 });
    await c1.db('dur').collection('gone').drop();
    await c1.close(true).catch(() => {});
    await kill9(first.child);

    const second = await startChild(dataDir);
    const c2 = new MongoClient(second.uri);
    try {
      const col2 = c2.db('dur').collection('leads');
      assert.equal(await col2.countDocuments(), 490);
      assert.equal(await col2.countDocuments({ hot: true }), 10);
      assert.equal((await col2.findOne({ _id: 100 as never }))?.n, 1100);
      const names = (await col2.listIndexes().toArray()).map((i) => i.name);
      assert.deepEqual(names, ['_id_', 'org_email']);
      await assert.rejects(col2.insertOne({ orgId: 'o', email: 'e1@x.io' }), (e: { code?: number }) => e.code === 11000);
      assert.deepEqual((await c2.db('dur').listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name), ['leads']);
    } finally {
      await c2.close(true).catch(() => {});
      await kill9(second.child);
    }
  });

  it('recovers across snapshot compaction and tolerates a torn last journal record', async () => {
    const first = await startChild(dataDir, { ENGINE_COMPACT_BYTES: '20000' });
    const c1 = new MongoClient(first.uri);
    const col = c1.db('dur').collection('t');
    for (let b = 0; b < 10; b++) await col.insertMany(Array.from({ length: 50 }, (_, i) => ({ b, i, pad: 'p'.repeat(100) })));
    await col.updateOne({ b: 9, i: 49 }, { $set: { last: true } });
    await c1.close(true).catch(() => {});
    await kill9(first.child);
    const files = fs.readdirSync(dataDir);
    assert.ok(files.includes('snapshot.bson'), `a snapshot was written (files: ${files.join(', ')})`);
    const journal = files.find((f) => /^journal\.\d+\.log$/.test(f))!;
    // simulate a crash in the middle of an append: a partial record at the end of the journal
    fs.appendFileSync(path.join(dataDir, journal), Buffer.from([0x40, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56]));

    const second = await startChild(dataDir);
    const c2 = new MongoClient(second.uri);
    try {
      const col2 = c2.db('dur').collection('t');
      assert.equal(await col2.countDocuments(), 500);
      assert.equal(await col2.countDocuments({ last: true }), 1);
      await col2.insertOne({ after: true });
      assert.equal(await col2.countDocuments(), 501);
    } finally {
      await c2.close(true).catch(() => {});
      await kill9(second.child);
    }
    const third = await startChild(dataDir);
    const c3 = new MongoClient(third.uri);
    try {
      assert.equal(await c3.db('dur').collection('t').countDocuments({ after: true }), 1);
    } finally {
      await c3.close(true).catch(() => {});
      await kill9(third.child);
    }
  });

  it('close() writes a final snapshot and a clean restart reads it back', async () => {
    const e1 = await startEngine({ dataDir });
    const c1 = new MongoClient(e1.uri);
    await c1.db('dur').collection('s').insertMany([{ a: 1 }, { a: 2 }]);
    await c1.close();
    await e1.close();
    const journals = fs.readdirSync(dataDir).filter((f) => f.startsWith('journal.'));
    assert.ok(journals.every((f) => fs.statSync(path.join(dataDir, f)).size === 0), 'journal empty after the final snapshot');
    const e2 = await startEngine({ dataDir });
    const c2 = new MongoClient(e2.uri);
    try {
      assert.deepEqual((await c2.db('dur').collection('s').find({}, { projection: { _id: 0 } }).sort({ a: 1 }).toArray()), [{ a: 1 }, { a: 2 }]);
    } finally {
      await c2.close();
      await e2.close();
    }
  });
  /**
   * A model of what the server acknowledged: `_id` -> document. Each operation is applied to the model only once the
   * server acknowledged it; at most one operation is in flight when the process is killed, so the recovered state is
   * the model, or the model with that one operation applied.
   */
  type Model = Map<number, Document>;
  type Op = { kind: 'insert' | 'update' | 'delete' | 'move'; id: number; doc?: Document; email?: string };

  function nextOp(model: Model, step: number, rnd: () => number): Op {
    const ids = [...model.keys()];
    const pick = () => ids[Math.floor(rnd() * ids.length)];
    const r = rnd();
    if (ids.length < 50 || r < 0.45) {
      const id = 100_000 + step;
      return { kind: 'insert', id, doc: { _id: id, email: `u${id}@x.io`, n: step, pad: 'p'.repeat(200 + (step % 50)) } };
    }
    if (r < 0.75) return { kind: 'update', id: pick() };
    if (r < 0.9) return { kind: 'delete', id: pick() };
    // a unique key that moves: a deleted document's email is reused by another one (replay order matters)
    return { kind: 'move', id: pick(), email: `m${step}@x.io` };
  }

  async function runOp(col: Collection, op: Op): Promise<void> {
    if (op.kind === 'insert') await col.insertOne({ ...op.doc! });
    else if (op.kind === 'update') await col.updateOne({ _id: op.id as never }, { $inc: { n: 1 }, $set: { touched: true } });
    else if (op.kind === 'delete') await col.deleteOne({ _id: op.id as never });
    else await col.updateOne({ _id: op.id as never }, { $set: { email: op.email } });
  }

  function applyOp(model: Model, op: Op): Model {
    const m = new Map(model);
    if (op.kind === 'insert') m.set(op.id, { ...op.doc! });
    else if (op.kind === 'delete') m.delete(op.id);
    else {
      const d = m.get(op.id);
      if (d) m.set(op.id, op.kind === 'update' ? { ...d, n: d.n + 1, touched: true } : { ...d, email: op.email });
    }
    return m;
  }

  const canon = (docs: Document[]) =>
    JSON.stringify(
      [...docs].sort((a, b) => a._id - b._id).map((d) => Object.fromEntries(Object.keys(d).sort().map((k) => [k, d[k]]))),
    );

  it('keeps exactly the acknowledged writes when killed during compactions with writes going on', async function () {
    this.timeout(120_000);
    // small journal threshold and stretched compactions: a compaction is running most of the time
    const env = { ENGINE_COMPACT_BYTES: '60000', ENGINE_COMPACT_SLICE_MS: '0', ENGINE_COMPACT_PAUSE_MS: '3' };
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let model: Model = new Map();
    let step = 0;
    let compactingAtKill = 0;
    for (let round = 0; round < 3; round++) {
      const { child, uri } = await startChild(dataDir, env);
      const client = new MongoClient(uri);
      const col = client.db('dur').collection('k');
      // after a restart the engine holds exactly the model (checked below), so this starts from a known state
      if (round === 0) {
        await col.createIndex({ email: 1 }, { unique: true, name: 'email' });
        const seedDocs = Array.from({ length: 1500 }, (_, i) => ({ _id: i, email: `s${i}@x.io`, n: 0, pad: 'p'.repeat(200) }));
        await col.insertMany(seedDocs.map((d) => ({ ...d })) as never);
        for (const d of seedDocs) model.set(d._id, d);
      }
      // writes go on until a compaction is seen in progress, then a few more, then kill -9 with one write in flight
      const tmp = path.join(dataDir, 'snapshot.tmp');
      const start = step;
      for (;;) {
        const op = nextOp(model, step++, rnd);
        await runOp(col, op);
        model = applyOp(model, op);
        if (step - start >= 20 + round * 40 && fs.existsSync(tmp)) break;
        if (step - start > 20_000) throw new Error('no compaction was seen running');
      }
      const last = nextOp(model, step++, rnd);
      const inFlight = runOp(col, last).catch(() => {});
      if (fs.existsSync(tmp)) compactingAtKill++;
      await kill9(child);
      await inFlight;
      await client.close(true).catch(() => {});

      const again = await startChild(dataDir);
      const c2 = new MongoClient(again.uri);
      try {
        const got = canon(await c2.db('dur').collection('k').find().toArray());
        const acked = canon([...model.values()]);
        const withLast = canon([...applyOp(model, last).values()]);
        assert.ok(got === acked || got === withLast, `round ${round}: recovered state differs from the acknowledged writes`);
        if (got === withLast) model = applyOp(model, last);
        // the unique index came back with the data
        const any = model.values().next().value!;
        await assert.rejects(c2.db('dur').collection('k').insertOne({ _id: -1 as never, email: any.email }), (e: { code?: number }) => e.code === 11000);
      } finally {
        await c2.close(true).catch(() => {});
        await kill9(again.child);
      }
    }
    assert.ok(compactingAtKill > 0, 'at least one kill landed inside a compaction');
  });

  it('serves writes while a compaction runs; the snapshot holds the state of its cut, the new journal the rest', async () => {
    const e1 = await startEngine({ dataDir, compactSliceMs: 0, compactPauseMs: 2 });
    const c1 = new MongoClient(e1.uri);
    const col = c1.db('dur').collection('cut');
    await col.insertMany(Array.from({ length: 3000 }, (_, i) => ({ _id: i as never, v: 'before' })));
    const compaction = e1.compact();
    let settled = false;
    void compaction.then(() => (settled = true));
    // while it runs: an update of a document the snapshot has not reached yet, an insert and a delete
    await col.updateOne({ _id: 2999 as never }, { $set: { v: 'after' } });
    await col.insertOne({ _id: 5000 as never, v: 'new' });
    await col.deleteOne({ _id: 0 as never });
    assert.equal(await col.countDocuments(), 3000);
    assert.equal(settled, false, 'the writes were acknowledged while the compaction was still running');
    await compaction;
    const snap: Document[] = [];
    readRecordsFromFile(path.join(dataDir, 'snapshot.bson'), (r) => snap.push(r));
    const docs = snap.filter((r) => r._id !== undefined);
    assert.equal(docs.length, 3000, 'the snapshot has the 3000 documents of the cut');
    assert.equal(docs.find((d) => d._id === 2999)?.v, 'before');
    assert.ok(!docs.some((d) => d._id === 5000));
    // the index order of the cut: the delete and insert during the compaction did not change the captured entries
    assert.equal(snap.find((r) => r.o === 'ixo' && r.name === '_id_')?.n, 3000, 'the _id index order of the cut is saved');
    const journals = fs.readdirSync(dataDir).filter((f) => f.startsWith('journal.'));
    assert.equal(journals.length, 1, `older journals deleted once the snapshot is published (${journals.join(', ')})`);
    const later: Document[] = [];
    readRecordsFromFile(path.join(dataDir, journals[0]), (r) => later.push(r));
    assert.deepEqual(later.map((r) => r.o), ['u', 'i', 'd']);
    await c1.close();
    await e1.close();
    const e2 = await startEngine({ dataDir });
    const c2 = new MongoClient(e2.uri);
    try {
      const col2 = c2.db('dur').collection('cut');
      assert.equal(await col2.countDocuments(), 3000);
      assert.equal((await col2.findOne({ _id: 2999 as never }))?.v, 'after');
      assert.equal((await col2.findOne({ _id: 5000 as never }))?.v, 'new');
      assert.equal(await col2.findOne({ _id: 0 as never }), null);
      assert.deepEqual((await col2.find({}, { projection: { _id: 1 } }).sort({ _id: -1 }).limit(2).toArray()).map((d) => d._id), [5000, 2999]);
      assert.equal(e2.recovery?.records, 3000 + 0 + 1 /* cc */, 'restart reads the final snapshot only');
    } finally {
      await c2.close();
      await e2.close();
    }
  });
  it('restores index order from the snapshot, also with equal keys and record ids reused after deletes', async () => {
    const e1 = await startEngine({ dataDir });
    const c1 = new MongoClient(e1.uri);
    const col = c1.db('dur').collection('ties');
    await col.createIndex({ g: 1 }, { name: 'g' });
    await col.createIndex({ g: -1, n: 1 }, { name: 'g_n' });
    await col.insertMany(Array.from({ length: 2000 }, (_, i) => ({ _id: i as never, g: i % 7, n: i })));
    await col.deleteMany({ n: { $lt: 600, $mod: [3, 0] } } as never); // frees record ids ...
    await col.insertMany(Array.from({ length: 150 }, (_, i) => ({ _id: (10_000 + i) as never, g: i % 7, n: 10_000 + i }))); // ... reused here
    const expect = async (c: Collection) => ({
      byG: await c.find({ g: 3 }, { projection: { _id: 1 } }).sort({ g: 1 }).toArray(),
      page: await c.find({ g: { $gte: 2 } }).sort({ g: -1, n: 1 }).skip(40).limit(30).toArray(),
      count: await c.countDocuments({ g: { $gte: 2, $lt: 5 } }),
    });
    const before = await expect(col);
    await c1.close();
    await e1.close();
    const e2 = await startEngine({ dataDir });
    const c2 = new MongoClient(e2.uri);
    try {
      const col2 = c2.db('dur').collection('ties');
      const after = await expect(col2);
      assert.deepEqual(after.page, before.page);
      assert.equal(after.count, before.count);
      assert.deepEqual(new Set(after.byG.map((d) => d._id)), new Set(before.byG.map((d) => d._id)));
      // removals and updates find their entries (binary search on key and record id)
      assert.equal((await col2.deleteMany({ g: 3 })).deletedCount, before.byG.length);
      assert.equal(await col2.countDocuments({ g: 3 }), 0);
      await col2.updateMany({ g: 4 }, { $set: { g: 40 } });
      assert.equal(await col2.countDocuments({ g: 4 }), 0);
      assert.equal(await col2.countDocuments({ g: { $gte: 40 } }), after.count - before.byG.length - (await col2.countDocuments({ g: 2 })));
    } finally {
      await c2.close();
      await e2.close();
    }
  });
});
