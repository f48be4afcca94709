/** Embedded-engine only: acknowledged writes survive kill -9 (journal replay, snapshots, torn tail). */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
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
});
