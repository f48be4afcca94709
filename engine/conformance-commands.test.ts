/**
 * Conformance suite for the engine's aggregation output stages, views, catalog and diagnostics commands, explain and
 * the failCommand fail point. Like conformance.test.ts it runs against the embedded engine by default and, unchanged,
 * against a real mongod 7 when MONGODB_URI is set (the fail point tests need `--setParameter enableTestCommands=1`
 * there and skip themselves otherwise).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BSON, MongoClient, type Collection, MongoServerError, MongoWriteConcernError, type Db, type Document } from 'mongodb';
import { startEngine, type RunningEngine } from './index.js';

const DB = 'engine_conformance_commands_test';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- documents with numeric and string _ids
type Any = any;

/** Every stage name of an explain plan tree. */
function stages(tree: Document | undefined): string[] {
  const out: string[] = [];
  const walk = (t: Document | undefined) => {
    if (!t) return;
    if (typeof t.stage === 'string') out.push(t.stage);
    walk(t.inputStage);
    for (const s of t.inputStages ?? []) walk(s);
    walk(t.queryPlan);
  };
  walk(tree);
  return out;
}

const code = (n: number) => (e: MongoServerError) => e.code === n;

describe('embedded engine: commands conformance (driver-level, also valid on mongod)', function () {
  this.timeout(60_000);
  let engine: RunningEngine | undefined;
  let client: MongoClient;
  let db: Db;

  before(async () => {
    if (!process.env.MONGODB_URI) engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI ?? engine!.uri);
    await client.connect();
    db = client.db(DB);
    await db.dropDatabase();
  });
  after(async () => {
    await db?.dropDatabase();
    await client?.db(`${DB}_stats`).dropDatabase();
    await client?.db(`${DB}_other`).dropDatabase();
    await client?.close();
    await engine?.close();
  });

  describe('$out and $merge', () => {
    beforeEach(async () => {
      await db.collection<Any>('src').drop().catch(() => undefined);
      await db.collection<Any>('src').insertMany([
        { _id: 1, k: 'a', total: 10, status: 'A' },
        { _id: 2, k: 'b', total: 20, status: 'B' },
        { _id: 3, k: 'c', total: 30, status: 'A' },
      ]);
    });

    it('$out replaces the target contents, keeps its indexes, and returns no documents', async () => {
      const target = db.collection<Any>('out_target');
      await target.drop().catch(() => undefined);
      await target.insertOne({ _id: 99, old: true });
      await target.createIndex({ k: 1 }, { name: 'k_1' });
      const res = await db.collection<Any>('src').aggregate([{ $match: { status: 'A' } }, { $project: { k: 1, total: 1 } }, { $out: 'out_target' }]).toArray();
      assert.deepEqual(res, []);
      assert.deepEqual(await target.find().sort({ _id: 1 }).toArray(), [
        { _id: 1, k: 'a', total: 10 },
        { _id: 3, k: 'c', total: 30 },
      ]);
      assert.ok((await target.listIndexes().toArray()).some((ix) => ix.name === 'k_1'));
      // {db, coll} form, into a new collection
      await db.collection<Any>('src').aggregate([{ $match: { _id: 2 } }, { $out: { db: DB, coll: 'out_new' } }]).toArray();
      assert.deepEqual(await db.collection<Any>('out_new').find().toArray(), [{ _id: 2, k: 'b', total: 20, status: 'B' }]);
    });

    it('$out that would violate a unique index of the target fails with 11000 and leaves the target unchanged', async () => {
      const target = db.collection<Any>('out_unique');
      await target.drop().catch(() => undefined);
      await target.insertOne({ _id: 'keep', status: 'X' });
      await target.createIndex({ status: 1 }, { unique: true });
      await assert.rejects(db.collection<Any>('src').aggregate([{ $out: 'out_unique' }]).toArray(), code(11000));
      assert.deepEqual(await target.find().toArray(), [{ _id: 'keep', status: 'X' }]);
    });

    it('$out and $merge must be the last stage (40601)', async () => {
      await assert.rejects(db.collection<Any>('src').aggregate([{ $out: 'x' }, { $match: {} }]).toArray(), code(40601));
      await assert.rejects(db.collection<Any>('src').aggregate([{ $merge: { into: 'x' } }, { $match: {} }]).toArray(), code(40601));
    });

    it('$merge defaults (on _id, whenMatched merge, whenNotMatched insert)', async () => {
      const target = db.collection<Any>('merge_default');
      await target.drop().catch(() => undefined);
      await target.insertMany([{ _id: 1, extra: 'kept', total: 0 }, { _id: 7, other: true }]);
      await db.collection<Any>('src').aggregate([{ $project: { total: 1 } }, { $merge: 'merge_default' }]).toArray();
      assert.deepEqual(await target.find().sort({ _id: 1 }).toArray(), [
        { _id: 1, extra: 'kept', total: 10 },
        { _id: 2, total: 20 },
        { _id: 3, total: 30 },
        { _id: 7, other: true },
      ]);
    });

    it('$merge whenMatched replace / keepExisting / pipeline, whenNotMatched discard', async () => {
      const target = db.collection<Any>('merge_modes');
      await target.drop().catch(() => undefined);
      await target.insertMany([{ _id: 1, total: 100, note: 'x' }]);
      await db.collection<Any>('src').aggregate([{ $project: { total: 1 } }, { $merge: { into: 'merge_modes', whenMatched: 'replace', whenNotMatched: 'discard' } }]).toArray();
      assert.deepEqual(await target.find().toArray(), [{ _id: 1, total: 10 }]);
      await db.collection<Any>('src').aggregate([{ $project: { total: 1 } }, { $merge: { into: 'merge_modes', whenMatched: 'keepExisting', whenNotMatched: 'insert' } }]).toArray();
      assert.deepEqual(await target.find().sort({ _id: 1 }).toArray(), [
        { _id: 1, total: 10 },
        { _id: 2, total: 20 },
        { _id: 3, total: 30 },
      ]);
      await db
        .collection<Any>('src')
        .aggregate([
          { $project: { total: 1 } },
          { $merge: { into: 'merge_modes', whenMatched: [{ $set: { total: { $add: ['$total', '$$new.total'] } } }], whenNotMatched: 'discard' } },
        ])
        .toArray();
      assert.deepEqual((await target.find().sort({ _id: 1 }).toArray()).map((d) => d.total), [20, 40, 60]);
    });

    it('$merge whenMatched fail reports a duplicate key (11000); whenNotMatched fail reports 13113', async () => {
      const target = db.collection<Any>('merge_fail');
      await target.drop().catch(() => undefined);
      await target.insertOne({ _id: 2, total: 0 });
      await assert.rejects(
        db.collection<Any>('src').aggregate([{ $merge: { into: 'merge_fail', whenMatched: 'fail', whenNotMatched: 'insert' } }]).toArray(),
        code(11000),
      );
      await target.deleteMany({});
      await target.insertOne({ _id: 1, total: 0 });
      await assert.rejects(
        db.collection<Any>('src').aggregate([{ $merge: { into: 'merge_fail', whenMatched: 'replace', whenNotMatched: 'fail' } }]).toArray(),
        (e: MongoServerError) => e.code === 13113 && e.codeName === 'MergeStageNoMatchingDocument',
      );
    });

    it('$merge on other fields needs a unique index on them (51183)', async () => {
      const target = db.collection<Any>('merge_on');
      await target.drop().catch(() => undefined);
      await target.insertOne({ _id: 'x', k: 'a', total: 0 });
      await assert.rejects(db.collection<Any>('src').aggregate([{ $project: { _id: 0, k: 1, total: 1 } }, { $merge: { into: 'merge_on', on: 'k' } }]).toArray(), code(51183));
      await target.createIndex({ k: 1 }, { unique: true });
      await db
        .collection<Any>('src')
        .aggregate([{ $project: { _id: 0, k: 1, total: 1 } }, { $merge: { into: 'merge_on', on: 'k', whenMatched: 'merge', whenNotMatched: 'insert' } }])
        .toArray();
      const docs = await target.find({}, { projection: { _id: 0 } }).sort({ k: 1 }).toArray();
      assert.deepEqual(docs, [
        { k: 'a', total: 10 },
        { k: 'b', total: 20 },
        { k: 'c', total: 30 },
      ]);
      assert.equal((await target.findOne({ k: 'a' }))!._id, 'x');
    });
  });

  describe('collection-less aggregate', () => {
    it('db.aggregate with $documents runs the rest of the pipeline', async () => {
      const docs = await db.aggregate([{ $documents: [{ x: 1 }, { x: 2 }, { x: 3 }] }, { $match: { x: { $gte: 2 } } }, { $project: { _id: 0, y: { $multiply: ['$x', 10] } } }]).toArray();
      assert.deepEqual(docs, [{ y: 20 }, { y: 30 }]);
      const raw = await db.command({ aggregate: 1, pipeline: [{ $documents: [{ a: 1 }] }], cursor: {} });
      assert.equal(raw.cursor.ns, `${DB}.$cmd.aggregate`);
      assert.deepEqual(raw.cursor.firstBatch, [{ a: 1 }]);
    });

    it('aggregate: 1 needs a collection-less first stage (InvalidNamespace 73)', async () => {
      await assert.rejects(db.command({ aggregate: 1, pipeline: [{ $match: {} }], cursor: {} }), code(73));
    });
  });

  describe('views', () => {
    before(async () => {
      await db.collection<Any>('orders').insertMany([
        { _id: 1, status: 'A', amount: 50, cust: 'x' },
        { _id: 2, status: 'A', amount: 100, cust: 'y' },
        { _id: 3, status: 'B', amount: 25, cust: 'x' },
        { _id: 4, status: 'A', amount: 75, cust: 'z' },
      ]);
      await db.createCollection('active_orders', { viewOn: 'orders', pipeline: [{ $match: { status: 'A' } }, { $project: { status: 0 } }] });
    });

    it('find, aggregate, count and distinct read through the view', async () => {
      const view = db.collection<Any>('active_orders');
      assert.deepEqual(await view.find({ amount: { $gte: 60 } }).sort({ amount: -1 }).toArray(), [
        { _id: 2, amount: 100, cust: 'y' },
        { _id: 4, amount: 75, cust: 'z' },
      ]);
      assert.deepEqual(await view.find({}, { projection: { _id: 0, cust: 1 } }).sort({ _id: 1 }).limit(2).toArray(), [{ cust: 'x' }, { cust: 'y' }]);
      assert.deepEqual(await view.aggregate([{ $group: { _id: null, sum: { $sum: '$amount' } } }]).toArray(), [{ _id: null, sum: 225 }]);
      assert.equal(await view.countDocuments({ cust: 'x' }), 1);
      assert.equal((await db.command({ count: 'active_orders' })).n, 3);
      assert.deepEqual((await view.distinct('cust')).sort(), ['x', 'y', 'z']);
    });

    it('listCollections reports type view with its definition', async () => {
      const [info] = (await db.listCollections({ name: 'active_orders' }).toArray()) as Document[];
      assert.equal(info.type, 'view');
      assert.equal(info.options.viewOn, 'orders');
      assert.deepEqual(info.options.pipeline, [{ $match: { status: 'A' } }, { $project: { status: 0 } }]);
      assert.equal((info.info as Document).readOnly, true);
    });

    it('writes to a view fail with CommandNotSupportedOnView (166)', async () => {
      const view = db.collection<Any>('active_orders');
      await assert.rejects(view.insertOne({ _id: 9, amount: 1 }), code(166));
      await assert.rejects(view.updateOne({ _id: 1 }, { $set: { amount: 1 } }), code(166));
      await assert.rejects(view.deleteOne({ _id: 1 }), code(166));
      await assert.rejects(view.findOneAndUpdate({ _id: 1 }, { $set: { amount: 1 } }), code(166));
      await assert.rejects(view.createIndex({ amount: 1 }), code(166));
      assert.equal(await db.collection<Any>('orders').countDocuments(), 4);
    });

    it('collMod changes the view pipeline; drop removes the view', async () => {
      const res = await db.command({ collMod: 'active_orders', viewOn: 'orders', pipeline: [{ $match: { status: 'B' } }] });
      assert.equal(res.ok, 1);
      assert.deepEqual(await db.collection<Any>('active_orders').find().toArray(), [{ _id: 3, status: 'B', amount: 25, cust: 'x' }]);
      await db.createCollection('tmp_view', { viewOn: 'orders', pipeline: [] });
      assert.equal(await db.collection<Any>('tmp_view').drop(), true);
      assert.ok(!(await db.listCollections({ name: 'tmp_view' }).toArray()).length);
      assert.equal(await db.collection<Any>('orders').countDocuments(), 4);
    });
  });

  describe('collMod on indexes', () => {
    it('hides and unhides an index (the planner stops and resumes using it)', async () => {
      const c = db.collection<Any>('hidden_ix');
      await c.insertMany(Array.from({ length: 20 }, (_, i) => ({ _id: i, x: i % 5 })));
      await c.createIndex({ x: 1 }, { name: 'x_1' });
      const plan = async () => stages((await c.find({ x: 3 }).explain('queryPlanner')).queryPlanner.winningPlan);
      assert.ok((await plan()).includes('IXSCAN'));
      const hide = await db.command({ collMod: 'hidden_ix', index: { name: 'x_1', hidden: true } });
      assert.equal(hide.hidden_old, false);
      assert.equal(hide.hidden_new, true);
      assert.equal((await c.listIndexes().toArray()).find((ix) => ix.name === 'x_1')!.hidden, true);
      assert.ok((await plan()).includes('COLLSCAN'));
      assert.equal(await c.countDocuments({ x: 3 }), 4);
      const unhide = await db.command({ collMod: 'hidden_ix', index: { keyPattern: { x: 1 }, hidden: false } });
      assert.equal(unhide.hidden_old, true);
      assert.equal(unhide.hidden_new, false);
      assert.equal((await c.listIndexes().toArray()).find((ix) => ix.name === 'x_1')!.hidden, undefined);
      assert.ok((await plan()).includes('IXSCAN'));
      // no-op: no hidden_* fields
      const noop = await db.command({ collMod: 'hidden_ix', index: { name: 'x_1', hidden: false } });
      assert.equal(noop.hidden_old, undefined);
    });

    it('changes expireAfterSeconds of a TTL index', async () => {
      const c = db.collection<Any>('ttl_ix');
      await c.insertOne({ at: new Date() });
      await c.createIndex({ at: 1 }, { expireAfterSeconds: 3600 });
      const res = await db.command({ collMod: 'ttl_ix', index: { keyPattern: { at: 1 }, expireAfterSeconds: 60 } });
      assert.equal(res.expireAfterSeconds_old, 3600);
      assert.equal(res.expireAfterSeconds_new, 60);
      assert.equal((await c.listIndexes().toArray()).find((ix) => ix.name === 'at_1')!.expireAfterSeconds, 60);
    });

    it('fails on a missing collection (26) or index (27)', async () => {
      await assert.rejects(db.command({ collMod: 'no_such_coll', index: { name: 'x_1', hidden: true } }), code(26));
      await db.collection<Any>('hidden_ix2').insertOne({ a: 1 });
      await assert.rejects(db.command({ collMod: 'hidden_ix2', index: { name: 'nope', hidden: true } }), code(27));
    });
  });

  describe('renameCollection', () => {
    it('renames with documents and indexes; refuses an existing target (48) unless dropTarget; missing source (26)', async () => {
      const a = db.collection<Any>('ren_a');
      await a.insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 2 }]);
      await a.createIndex({ v: 1 }, { name: 'v_1' });
      await a.rename('ren_b');
      const b = db.collection<Any>('ren_b');
      assert.equal(await b.countDocuments(), 2);
      assert.ok((await b.listIndexes().toArray()).some((ix) => ix.name === 'v_1'));
      assert.equal(await a.countDocuments(), 0);
      await db.collection<Any>('ren_c').insertOne({ _id: 'c' });
      await assert.rejects(db.admin().command({ renameCollection: `${DB}.ren_b`, to: `${DB}.ren_c` }), code(48));
      const res = await db.admin().command({ renameCollection: `${DB}.ren_b`, to: `${DB}.ren_c`, dropTarget: true });
      assert.equal(res.ok, 1);
      assert.deepEqual(await db.collection<Any>('ren_c').find().sort({ _id: 1 }).toArray(), [
        { _id: 1, v: 1 },
        { _id: 2, v: 2 },
      ]);
      await assert.rejects(db.admin().command({ renameCollection: `${DB}.ren_missing`, to: `${DB}.ren_x` }), code(26));
      // across databases
      await db.admin().command({ renameCollection: `${DB}.ren_c`, to: `${DB}_other.ren_moved` });
      assert.equal(await client.db(`${DB}_other`).collection<Any>('ren_moved').countDocuments(), 2);
    });
  });

  describe('dbStats, collStats, $collStats, serverStatus', () => {
    const docs = [
      { _id: 1, name: 'alpha', n: 1 },
      { _id: 2, name: 'beta', n: 2 },
      { _id: 3, name: 'gamma', n: 3 },
    ];
    const bytes = docs.reduce((s, d) => s + BSON.calculateObjectSize(d), 0);
    let sdb: Db;
    before(async () => {
      sdb = client.db(`${DB}_stats`);
      await sdb.dropDatabase();
      await sdb.collection<Any>('c').insertMany(docs.map((d) => ({ ...d })));
      await sdb.collection<Any>('c').createIndex({ name: 1 });
      await sdb.collection<Any>('d').insertOne({ _id: 'only' });
    });

    it('dbStats counts collections, objects, data and indexes', async () => {
      const s = await sdb.stats();
      assert.equal(s.ok, 1);
      assert.equal(s.db, `${DB}_stats`);
      assert.equal(s.collections, 2);
      assert.equal(s.views, 0);
      assert.equal(s.objects, 4);
      assert.equal(s.dataSize, bytes + BSON.calculateObjectSize({ _id: 'only' }));
      assert.equal(s.indexes, 3);
      assert.ok(s.indexSize > 0);
      assert.ok(s.totalSize >= s.storageSize);
      assert.equal(s.scaleFactor, 1);
      assert.ok(typeof s.fsTotalSize === 'number' && s.fsTotalSize > 0);
    });

    it('collStats (command) reports count, size, nindexes and index sizes', async () => {
      const s = await sdb.command({ collStats: 'c' });
      assert.equal(s.ok, 1);
      assert.equal(s.ns, `${DB}_stats.c`);
      assert.equal(s.count, 3);
      assert.equal(s.size, bytes);
      assert.equal(s.avgObjSize, Math.floor(bytes / 3));
      assert.equal(s.nindexes, 2);
      assert.deepEqual(Object.keys(s.indexSizes).sort(), ['_id_', 'name_1']);
      assert.ok(s.totalIndexSize > 0);
      assert.equal(s.capped, false);
    });

    it('$collStats with storageStats and count, only as the first stage (40602)', async () => {
      const [s] = await sdb.collection<Any>('c').aggregate([{ $collStats: { storageStats: {}, count: {} } }]).toArray();
      assert.equal(s.ns, `${DB}_stats.c`);
      assert.equal(typeof s.host, 'string');
      assert.ok(s.localTime instanceof Date);
      assert.equal(s.count, 3);
      assert.equal(s.storageStats.count, 3);
      assert.equal(s.storageStats.size, bytes);
      assert.equal(s.storageStats.nindexes, 2);
      await assert.rejects(sdb.collection<Any>('c').aggregate([{ $match: {} }, { $collStats: {} }]).toArray(), code(40602));
    });

    it('serverStatus has host, version, process, uptime, connections, opcounters and mem', async () => {
      const before = await db.admin().command({ serverStatus: 1 });
      await db.collection<Any>('ss').insertMany([{ a: 1 }, { a: 2 }, { a: 3 }]);
      const s = await db.admin().command({ serverStatus: 1 });
      assert.equal(s.ok, 1);
      assert.equal(typeof s.host, 'string');
      assert.match(s.version, /^7\./);
      assert.equal(s.process, 'mongod');
      assert.ok(typeof s.pid === 'number' && s.pid > 0);
      assert.ok(typeof s.uptime === 'number' && s.uptime >= 0);
      assert.ok(typeof s.uptimeMillis === 'number' && s.uptimeMillis >= 0);
      assert.ok(s.localTime instanceof Date);
      assert.ok(s.connections.current >= 1);
      assert.ok(s.connections.available > 0);
      assert.ok(s.connections.totalCreated >= s.connections.current);
      assert.ok(s.opcounters.insert - before.opcounters.insert >= 3);
      assert.ok(s.opcounters.command > before.opcounters.command);
      assert.equal(s.mem.bits, 64);
      assert.ok(s.mem.resident > 0);
    });

    it('listDatabases reports sizes', async () => {
      const res = await db.admin().listDatabases();
      const mine = res.databases.find((d) => d.name === `${DB}_stats`)!;
      assert.ok(mine.sizeOnDisk! > 0);
      assert.equal(mine.empty, false);
      assert.ok(res.totalSize! > 0);
    });
  });

  describe('explain', () => {
    let c: Collection<Any>;
    before(async () => {
      c = db.collection<Any>('explained');
      await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, a: i % 10, b: i, tag: i % 2 ? 'odd' : 'even' })));
      await c.createIndex({ a: 1 }, { name: 'a_1' });
    });

    it('find on an index: FETCH over IXSCAN, with real execution counts', async () => {
      const ex = await c.find({ a: 3 }).explain('executionStats');
      assert.equal(ex.queryPlanner.namespace, `${DB}.explained`);
      const plan = ex.queryPlanner.winningPlan;
      assert.deepEqual(stages(plan), ['FETCH', 'IXSCAN']);
      assert.equal(plan.inputStage.indexName, 'a_1');
      assert.deepEqual(plan.inputStage.keyPattern, { a: 1 });
      const es = ex.executionStats;
      assert.equal(es.executionSuccess, true);
      assert.equal(es.nReturned, 5);
      assert.equal(es.totalDocsExamined, 5);
      assert.ok(es.totalKeysExamined >= 5);
      assert.equal(typeof es.executionTimeMillis, 'number');
      assert.deepEqual(stages(es.executionStages), ['FETCH', 'IXSCAN']);
    });

    it('find without a usable index: COLLSCAN reading every document', async () => {
      const ex = await c.find({ b: { $gte: 40 } }).explain('executionStats');
      assert.deepEqual(stages(ex.queryPlanner.winningPlan), ['COLLSCAN']);
      assert.equal(ex.executionStats.nReturned, 10);
      assert.equal(ex.executionStats.totalDocsExamined, 50);
      assert.equal(ex.executionStats.totalKeysExamined, 0);
    });

    it('sort: SORT in memory, or the index order with LIMIT', async () => {
      const mem = await c.find({ tag: 'odd' }).sort({ b: -1 }).limit(3).explain('executionStats');
      const s = stages(mem.queryPlanner.winningPlan);
      assert.ok(s.includes('SORT') && s.includes('COLLSCAN'), s.join(','));
      assert.equal(mem.executionStats.nReturned, 3);
      const byIndex = await c.find({}).sort({ a: 1 }).limit(4).explain('executionStats');
      assert.deepEqual(stages(byIndex.queryPlanner.winningPlan), ['LIMIT', 'FETCH', 'IXSCAN']);
      assert.equal(byIndex.executionStats.nReturned, 4);
      assert.ok(byIndex.executionStats.totalDocsExamined <= 5);
    });

    it('verbosity: queryPlanner has no executionStats; allPlansExecution lists plans', async () => {
      const qp = await c.find({ a: 1 }).explain('queryPlanner');
      assert.ok(qp.queryPlanner);
      assert.equal(qp.executionStats, undefined);
      const all = await c.find({ a: 1 }).explain('allPlansExecution');
      assert.ok(Array.isArray(all.executionStats.allPlansExecution));
      assert.equal(all.ok, 1);
      assert.ok(all.serverInfo && typeof all.serverInfo.version === 'string');
    });

    it('aggregate, count and distinct', async () => {
      const agg = await c.aggregate([{ $match: { a: 2 } }]).explain('executionStats');
      assert.ok(stages(agg.queryPlanner.winningPlan).includes('IXSCAN'));
      assert.equal(agg.executionStats.nReturned, 5);
      const count = await db.command({ explain: { count: 'explained', query: { a: 4 } }, verbosity: 'executionStats' });
      assert.equal(count.queryPlanner.winningPlan.stage, 'COUNT');
      assert.equal(count.executionStats.executionSuccess, true);
      const distinct = await db.command({ explain: { distinct: 'explained', key: 'tag', query: { b: { $lt: 10 } } }, verbosity: 'queryPlanner' });
      assert.ok(distinct.queryPlanner.winningPlan);
      assert.equal(distinct.ok, 1);
    });

    it('update and delete are planned but not executed', async () => {
      const up = await db.command({ explain: { update: 'explained', updates: [{ q: { a: 5 }, u: { $set: { touched: true } }, multi: true }] }, verbosity: 'executionStats' });
      assert.equal(up.queryPlanner.winningPlan.stage, 'UPDATE');
      assert.ok(stages(up.queryPlanner.winningPlan).includes('IXSCAN'));
      assert.equal(await c.countDocuments({ touched: true }), 0);
      const del = await db.command({ explain: { delete: 'explained', deletes: [{ q: { b: { $lt: 5 } }, limit: 0 }] }, verbosity: 'executionStats' });
      assert.equal(del.queryPlanner.winningPlan.stage, 'DELETE');
      assert.equal(await c.countDocuments(), 50);
    });
  });

  describe('configureFailPoint without test commands', () => {
    it('does not exist (CommandNotFound 59)', async function () {
      if (process.env.MONGODB_URI) this.skip(); // a real server may run with test commands
      await assert.rejects(db.admin().command({ configureFailPoint: 'failCommand', mode: 'off' }), code(59));
    });
  });
});

describe('embedded engine: failCommand fail point (enableTestCommands)', function () {
  this.timeout(60_000);
  let engine: RunningEngine | undefined;
  let uri: string;
  let client: MongoClient;
  let db: Db;
  const fp = (mode: unknown, data: Document = {}) => client.db('admin').command({ configureFailPoint: 'failCommand', mode, data });

  before(async function () {
    if (!process.env.MONGODB_URI) engine = await startEngine({ enableTestCommands: true });
    uri = process.env.MONGODB_URI ?? engine!.uri;
    client = new MongoClient(uri, { retryReads: false });
    await client.connect();
    try {
      await fp('off');
    } catch (e) {
      if ((e as MongoServerError).code === 59) {
        await client.close();
        this.skip(); // mongod without enableTestCommands
      }
      throw e;
    }
    db = client.db('engine_failpoint_test');
    await db.dropDatabase();
    await db.collection<Any>('c').insertOne({ _id: 1 });
  });
  afterEach(async () => {
    await fp('off').catch(() => undefined);
  });
  after(async () => {
    await db?.dropDatabase().catch(() => undefined);
    await client?.close();
    await engine?.close();
  });

  it('errorCode with times: fails the named command that many times, and reports how often it was entered', async () => {
    const first = await fp({ times: 2 }, { failCommands: ['find'], errorCode: 2 });
    assert.equal(first.ok, 1);
    assert.equal(typeof first.count, 'number');
    for (let i = 0; i < 2; i++)
      await assert.rejects(db.collection<Any>('c').findOne({}), (e: MongoServerError) => e.code === 2 && /failCommand/.test(e.message));
    assert.deepEqual(await db.collection<Any>('c').findOne({}), { _id: 1 });
    // other commands are not affected
    assert.equal(await db.collection<Any>('c').countDocuments(), 1);
    const again = await fp('off');
    assert.equal(again.count - first.count, 2);
  });

  it('alwaysOn until off, and errorLabels in the reply', async () => {
    await fp('alwaysOn', { failCommands: ['count'], errorCode: 11600, errorLabels: ['MyLabel'] });
    await assert.rejects(db.command({ count: 'c' }), (e: MongoServerError) => e.code === 11600 && e.hasErrorLabel('MyLabel'));
    await assert.rejects(db.command({ count: 'c' }), code(11600));
    await fp('off');
    assert.equal((await db.command({ count: 'c' })).n, 1);
  });

  it('skip lets the first matching commands through', async () => {
    await fp({ skip: 1 }, { failCommands: ['distinct'], errorCode: 8 });
    assert.deepEqual(await db.collection<Any>('c').distinct('_id'), [1]);
    await assert.rejects(db.collection<Any>('c').distinct('_id'), code(8));
  });

  it('closeConnection drops the connection without a reply', async () => {
    await fp({ times: 1 }, { failCommands: ['find'], closeConnection: true });
    await assert.rejects(db.collection<Any>('c').findOne({}), (e: Error) => e.name === 'MongoNetworkError');
    assert.deepEqual(await db.collection<Any>('c').findOne({}), { _id: 1 });
  });

  it('a retryable error is retried by a driver with retryReads', async () => {
    const retrying = new MongoClient(uri);
    try {
      await fp({ times: 1 }, { failCommands: ['find'], errorCode: 91 });
      assert.deepEqual(await retrying.db('engine_failpoint_test').collection<Any>('c').findOne({}), { _id: 1 });
    } finally {
      await retrying.close();
    }
  });

  it('writeConcernError: the write is applied and the reply carries the error', async () => {
    await fp({ times: 1 }, { failCommands: ['insert'], writeConcernError: { code: 64, codeName: 'WriteConcernTimeout', errmsg: 'waiting for replication timed out', errInfo: { wtimeout: true } } });
    await assert.rejects(db.collection<Any>('c').insertOne({ _id: 2 }), (e: Error) => e instanceof MongoWriteConcernError && (e as MongoWriteConcernError).code === 64);
    assert.equal(await db.collection<Any>('c').countDocuments({ _id: 2 }), 1);
  });

  it('appName limits the fail point to one client application', async () => {
    await fp('alwaysOn', { failCommands: ['find'], errorCode: 2, appName: 'failpoint-target' });
    assert.deepEqual(await db.collection<Any>('c').findOne({ _id: 1 }), { _id: 1 });
    const target = new MongoClient(uri, { appName: 'failpoint-target', retryReads: false });
    try {
      await assert.rejects(target.db('engine_failpoint_test').collection<Any>('c').findOne({}), code(2));
    } finally {
      await target.close();
    }
  });

  it('blockConnection delays the command by blockTimeMS', async () => {
    await fp({ times: 1 }, { failCommands: ['find'], blockConnection: true, blockTimeMS: 300 });
    const t0 = Date.now();
    assert.deepEqual(await db.collection<Any>('c').findOne({ _id: 1 }), { _id: 1 });
    assert.ok(Date.now() - t0 >= 250, `took ${Date.now() - t0} ms`);
  });
});

describe('embedded engine: $out, $merge, views, collMod and renames survive kill -9 (journal replay)', function () {
  this.timeout(60_000);
  let dataDir: string;
  before(function () {
    if (process.env.MONGODB_URI) this.skip();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-commands-durability-'));
  });
  after(() => dataDir && fs.rmSync(dataDir, { recursive: true, force: true }));

  async function startChild(): Promise<{ child: ChildProcess; uri: string }> {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), 'testing', 'child-engine.ts');
    const child = spawn(process.execPath, ['--import', 'tsx', script, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const uri = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        const m = /URI (\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child.once('exit', (c) => reject(new Error(`child exited with ${c}`)));
    });
    return { child, uri };
  }

  it('replays them after a crash', async () => {
    const first = await startChild();
    const c1 = new MongoClient(first.uri);
    const d1 = c1.db('dur_cmds');
    await d1.collection<Any>('src').insertMany([{ _id: 1, v: 1 }, { _id: 2, v: 2 }, { _id: 3, v: 3 }]);
    await d1.collection<Any>('out').insertOne({ _id: 'stale' });
    await d1.collection<Any>('out').createIndex({ v: 1 }, { name: 'v_1' });
    await d1.collection<Any>('src').aggregate([{ $match: { v: { $gte: 2 } } }, { $out: 'out' }]).toArray();
    await d1.collection<Any>('src').aggregate([{ $project: { w: '$v' } }, { $merge: { into: 'merged' } }]).toArray();
    await d1.createCollection('big', { viewOn: 'src', pipeline: [{ $match: { v: { $gte: 2 } } }] });
    await d1.command({ collMod: 'big', viewOn: 'src', pipeline: [{ $match: { v: 3 } }] });
    await d1.command({ collMod: 'out', index: { name: 'v_1', hidden: true } });
    await d1.collection<Any>('merged').rename('merged2');
    await c1.close(true).catch(() => {});
    await new Promise<void>((resolve) => {
      first.child.once('exit', () => resolve());
      first.child.kill('SIGKILL');
    });

    const second = await startChild();
    const c2 = new MongoClient(second.uri);
    try {
      const d2 = c2.db('dur_cmds');
      assert.deepEqual(await d2.collection<Any>('out').find().sort({ _id: 1 }).toArray(), [{ _id: 2, v: 2 }, { _id: 3, v: 3 }]);
      assert.equal((await d2.collection<Any>('out').listIndexes().toArray()).find((ix) => ix.name === 'v_1')!.hidden, true);
      assert.deepEqual(await d2.collection<Any>('merged2').find().sort({ _id: 1 }).toArray(), [{ _id: 1, w: 1 }, { _id: 2, w: 2 }, { _id: 3, w: 3 }]);
      assert.equal(await d2.collection<Any>('merged').countDocuments(), 0);
      assert.deepEqual(await d2.collection<Any>('big').find().toArray(), [{ _id: 3, v: 3 }]);
      const [view] = await d2.listCollections({ name: 'big' }).toArray();
      assert.equal(view.type, 'view');
    } finally {
      await c2.close();
      second.child.kill('SIGKILL');
    }
  });
});
