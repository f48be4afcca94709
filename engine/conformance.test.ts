/**
 * Conformance suite for the embedded engine, written against the official driver. It runs against the embedded engine
 * by default and, unchanged, against a real MongoDB 7/8 when MONGODB_URI is set: every assertion here holds on mongod.
 */
import assert from 'node:assert/strict';
import { Decimal128, Double, Int32, Long, MongoBulkWriteError, MongoClient, MongoServerError, ObjectId, type Db } from 'mongodb';
import { startEngine, type RunningEngine } from './index.js';

const DB = 'engine_conformance_test';

describe('embedded engine: conformance (driver-level, also valid on mongod)', function () {
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
    await client?.close();
    await engine?.close();
  });

  describe('handshake and admin commands', () => {
    it('hello and isMaster describe a writable primary with MongoDB limits', async () => {
      const hello = await db.command({ hello: 1 });
      assert.equal(hello.ok, 1);
      assert.equal(hello.isWritablePrimary, true);
      assert.equal(hello.maxBsonObjectSize, 16777216);
      assert.equal(hello.maxMessageSizeBytes, 48000000);
      assert.equal(hello.maxWriteBatchSize, 100000);
      assert.ok(hello.localTime instanceof Date);
      assert.equal(typeof hello.logicalSessionTimeoutMinutes, 'number');
      const legacy = await db.command({ isMaster: 1 });
      assert.equal(legacy.ismaster, true);
      assert.ok(legacy.maxWireVersion >= 17);
    });

    it('ping and buildInfo answer', async () => {
      assert.equal((await db.admin().ping()).ok, 1);
      const info = await db.admin().buildInfo();
      assert.match(info.version, /^\d+\.\d+/);
      assert.ok(Array.isArray(info.versionArray));
    });

    it('unknown commands fail with CommandNotFound (59)', async () => {
      await assert.rejects(db.command({ definitelyNotACommand: 1 }), (e: MongoServerError) => e.code === 59 && e.codeName === 'CommandNotFound');
    });

    it('create, listCollections, listDatabases, drop and dropDatabase', async () => {
      await db.createCollection('created');
      await assert.rejects(db.createCollection('created', { validator: { a: { $exists: true } } }), (e: MongoServerError) => e.code === 48);
      const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
      assert.ok(names.includes('created'));
      const full = await db.listCollections({ name: 'created' }).toArray();
      assert.equal(full.length, 1);
      assert.equal(full[0].type, 'collection');
      await db.collection('created').insertOne({ a: 1 });
      const dbs = await db.admin().listDatabases();
      assert.ok(dbs.databases.some((d) => d.name === DB));
      assert.equal(await db.collection('created').drop(), true);
      assert.ok(!(await db.listCollections({}, { nameOnly: true }).toArray()).some((c) => c.name === 'created'));
      const other = client.db(`${DB}_drop`);
      await other.collection('x').insertOne({ a: 1 });
      assert.equal(await other.dropDatabase(), true);
      assert.ok(!(await db.admin().listDatabases()).databases.some((d) => d.name === `${DB}_drop`));
    });

    it('endSessions is accepted', async () => {
      const session = client.startSession();
      await db.collection('sess').insertOne({ a: 1 }, { session });
      await session.endSession();
      const res = await db.admin().command({ endSessions: [session.id] });
      assert.equal(res.ok, 1);
    });

    it('transactions are refused by a standalone server (IllegalOperation 20)', async () => {
      const hello = await db.command({ hello: 1 });
      const session = client.startSession();
      try {
        session.startTransaction();
        const attempt = db.collection('txn').insertOne({ a: 1 }, { session });
        if (!hello.setName && hello.msg !== 'isdbgrid') {
          // mongod answers IllegalOperation (20) "Transaction numbers are only allowed on a replica set member or mongos";
          // the driver rewraps that one as "This MongoDB deployment does not support retryable writes".
          await assert.rejects(attempt, (e: MongoServerError) => e instanceof MongoServerError && (e.code === 20 || /retryable writes|Transaction numbers/.test(e.message)));
          await session.abortTransaction().catch(() => {});
          assert.equal(await db.collection('txn').countDocuments(), 0);
        } else {
          await attempt;
          await session.abortTransaction();
        }
      } finally {
        await session.endSession();
      }
    });
  });

  describe('insert and find', () => {
    before(async () => {
      const col = db.collection('people');
      await col.insertMany([
        { _id: 1 as never, name: 'Ann', age: 31, city: 'Paris', tags: ['a', 'b'] },
        { _id: 2 as never, name: 'bob', age: 25, city: 'Lyon', tags: ['b'] },
        { _id: 3 as never, name: 'Cid', age: 40, city: 'Paris', tags: [] },
        { _id: 4 as never, name: 'dee', age: null, city: 'Nice' },
        { _id: 5 as never, name: 'Eve', city: 'Lyon' },
      ]);
    });

    it('filters, sorts, skips, limits and projects', async () => {
      const col = db.collection('people');
      const rows = await col.find({ city: { $in: ['Paris', 'Lyon'] } }, { projection: { name: 1, _id: 0 } }).sort({ name: 1 }).skip(1).limit(2).toArray();
      assert.deepEqual(rows, [{ name: 'Cid' }, { name: 'Eve' }]);
      const excl = await col.findOne({ _id: 1 as never }, { projection: { tags: 0, city: 0 } });
      assert.deepEqual(excl, { _id: 1, name: 'Ann', age: 31 });
      // inclusion keeps the document's field order and _id unless excluded; mixing inclusion and exclusion is refused
      const incl = await col.findOne({ _id: 1 as never }, { projection: { age: 1, name: 1 } });
      assert.deepEqual(Object.keys(incl!), ['_id', 'name', 'age']);
      assert.deepEqual(await col.findOne({ _id: 1 as never }, { projection: { _id: 1 } }), { _id: 1 });
      assert.deepEqual(await col.findOne({ _id: 1 as never }, { projection: { _id: 0, missing: 1 } }), {});
      await assert.rejects(col.findOne({ _id: 1 as never }, { projection: { name: 1, age: 0 } }), (e: { code?: number }) => typeof e.code === 'number');
      assert.deepEqual((await col.find({ tags: 'b' }).sort({ _id: 1 }).toArray()).map((d) => d._id), [1, 2]);
      assert.deepEqual((await col.find({ age: { $gte: 30 } }).sort({ age: -1 }).toArray()).map((d) => d._id), [3, 1]);
    });

    it('sorts null and missing first ascending, and last descending', async () => {
      const col = db.collection('people');
      const asc = (await col.find({}).sort({ age: 1, _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(asc, [4, 5, 2, 1, 3]);
      const desc = (await col.find({}).sort({ age: -1, _id: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(desc, [3, 1, 2, 4, 5]);
    });

    it('orders mixed types the MongoDB way (null < numbers < strings < objects < arrays < ObjectId < booleans < dates)', async () => {
      const col = db.collection('mixed');
      const oid = new ObjectId();
      await col.insertMany([
        { _id: 'date' as never, v: new Date(0) },
        { _id: 'bool' as never, v: true },
        { _id: 'oid' as never, v: oid },
        { _id: 'obj' as never, v: { x: 1 } },
        { _id: 'str' as never, v: 'abc' },
        { _id: 'num' as never, v: 5 },
        { _id: 'null' as never, v: null },
      ]);
      const ids = (await col.find({}).sort({ v: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(ids, ['null', 'num', 'str', 'obj', 'oid', 'bool', 'date']);
      await col.createIndex({ v: 1 });
      const viaIndex = (await col.find({}).sort({ v: 1 }).hint({ v: 1 }).toArray()).map((d) => d._id);
      assert.deepEqual(viaIndex, ids);
    });

    it('applies a case-insensitive collation to equality and sort', async () => {
      const col = db.collection('people');
      const found = await col.find({ name: 'ANN' }).collation({ locale: 'en', strength: 2 }).toArray();
      assert.deepEqual(found.map((d) => d._id), [1]);
      assert.equal(await col.countDocuments({ name: 'ann' }), 0);
      const sorted = (await col.find({}).sort({ name: 1 }).collation({ locale: 'en', strength: 2 }).toArray()).map((d) => d.name);
      assert.deepEqual(sorted, ['Ann', 'bob', 'Cid', 'dee', 'Eve']);
    });

    it('matches numbers across Int32, Long, Double and Decimal128 wrappers', async () => {
      const col = db.collection('numbers');
      await col.insertMany([
        { _id: 'long' as never, n: Long.fromNumber(5) },
        { _id: 'int' as never, n: new Int32(7) },
        { _id: 'dbl' as never, n: new Double(9.5) },
      ]);
      assert.deepEqual((await col.find({ n: 5 }).toArray()).map((d) => d._id), ['long']);
      assert.deepEqual((await col.find({ n: new Int32(5) }).toArray()).map((d) => d._id), ['long']);
      assert.deepEqual((await col.find({ n: Long.fromNumber(7) }).toArray()).map((d) => d._id), ['int']);
      assert.deepEqual((await col.find({ n: { $gt: Long.fromNumber(6), $lt: new Double(9.6) } }).sort({ n: 1 }).toArray()).map((d) => d._id), ['int', 'dbl']);
      await col.updateOne({ _id: 'long' as never }, { $inc: { n: Long.fromNumber(2) } });
      assert.equal(await col.countDocuments({ n: 7 }), 2);
      const dec = db.collection('decimals');
      await dec.insertOne({ _id: 'd' as never, price: Decimal128.fromString('19.99') });
      const back = await dec.findOne({ price: Decimal128.fromString('19.99') });
      assert.ok(back?.price instanceof Decimal128);
      assert.equal(back?.price.toString(), '19.99');
    });

    it('returns many batches through getMore with 64-bit cursor ids', async () => {
      const col = db.collection('batches');
      await col.insertMany(Array.from({ length: 2500 }, (_, i) => ({ i })));
      const first = await db.command({ find: 'batches', filter: {}, sort: { i: 1 }, batchSize: 100 }, { promoteLongs: false });
      assert.equal(first.cursor.firstBatch.length, 100);
      assert.ok(first.cursor.id instanceof Long);
      assert.ok(!first.cursor.id.isZero());
      let seen = first.cursor.firstBatch.length;
      let id: Long = first.cursor.id;
      let batches = 1;
      while (!id.isZero()) {
        const more = await db.command({ getMore: id, collection: 'batches', batchSize: 300 }, { promoteLongs: false });
        assert.ok(more.cursor.nextBatch.length <= 300);
        assert.equal(Number(more.cursor.nextBatch[0]?.i), seen);
        seen += more.cursor.nextBatch.length;
        id = more.cursor.id;
        batches++;
      }
      assert.equal(seen, 2500);
      assert.equal(batches, 1 + Math.ceil(2400 / 300));
      const viaDriver = await col.find({}, { batchSize: 7 }).sort({ i: -1 }).toArray();
      assert.equal(viaDriver.length, 2500);
      assert.equal(viaDriver[0].i, 2499);
    });

    it('killCursors kills an open cursor; getMore on it then fails with CursorNotFound (43)', async () => {
      const first = await db.command({ find: 'batches', filter: {}, batchSize: 10 }, { promoteLongs: false });
      const id: Long = first.cursor.id;
      const res = await db.command({ killCursors: 'batches', cursors: [id] }, { promoteLongs: false });
      assert.equal(res.cursorsKilled.length, 1);
      assert.ok(res.cursorsKilled[0].equals(id));
      await assert.rejects(db.command({ getMore: id, collection: 'batches' }), (e: MongoServerError) => e.code === 43);
    });

    it('count, distinct and estimatedDocumentCount', async () => {
      const col = db.collection('people');
      assert.equal((await db.command({ count: 'people', query: { city: 'Paris' } })).n, 2);
      assert.equal(await col.estimatedDocumentCount(), 5);
      assert.equal(await col.countDocuments({ city: 'Lyon' }, { limit: 1 }), 1);
      const cities = await col.distinct('city');
      assert.deepEqual([...cities].sort(), ['Lyon', 'Nice', 'Paris']);
      const tags = await col.distinct('tags', { city: { $ne: 'Nice' } });
      assert.deepEqual([...tags].sort(), ['a', 'b']);
    });
  });

  describe('update, delete, findAndModify', () => {
    it('updates one and many, with arrayFilters and replacement', async () => {
      const col = db.collection('upd');
      await col.insertMany([
        { _id: 1 as never, g: 'x', n: 1, items: [{ q: 1 }, { q: 5 }] },
        { _id: 2 as never, g: 'x', n: 2 },
        { _id: 3 as never, g: 'y', n: 3 },
      ]);
      const many = await col.updateMany({ g: 'x' }, { $inc: { n: 10 } });
      assert.equal(many.matchedCount, 2);
      assert.equal(many.modifiedCount, 2);
      const same = await col.updateOne({ _id: 3 as never }, { $set: { n: 3 } });
      assert.equal(same.matchedCount, 1);
      assert.equal(same.modifiedCount, 0);
      await col.updateOne({ _id: 1 as never }, { $set: { 'items.$[big].flag': true } }, { arrayFilters: [{ 'big.q': { $gt: 2 } }] });
      assert.deepEqual((await col.findOne({ _id: 1 as never }))?.items, [{ q: 1 }, { q: 5, flag: true }]);
      await col.updateOne({ _id: 1 as never, 'items.q': 1 }, { $set: { 'items.$.first': true } });
      assert.deepEqual((await col.findOne({ _id: 1 as never }))?.items[0], { q: 1, first: true });
      const rep = await col.replaceOne({ _id: 2 as never }, { g: 'z', replaced: true });
      assert.equal(rep.modifiedCount, 1);
      assert.deepEqual(await col.findOne({ _id: 2 as never }), { _id: 2, g: 'z', replaced: true });
      await assert.rejects(col.updateOne({ _id: 3 as never }, { $set: { _id: 99 } }), (e: MongoServerError) => e.code === 66);
      await assert.rejects(col.updateOne({ _id: 3 as never }, { $bogus: { a: 1 } } as never), (e: MongoServerError) => e.code === 9);
    });

    it('upserts: seed from the filter equalities, $setOnInsert only on insert, replacement upsert', async () => {
      const col = db.collection('ups');
      const r1 = await col.updateOne(
        { orgId: 'o1', 'profile.tier': 'gold', score: { $gt: 5 }, $and: [{ region: 'eu' }], kind: { $eq: 'lead' } },
        { $set: { name: 'N' }, $setOnInsert: { createdBy: 'upsert' }, $inc: { visits: 1 } },
        { upsert: true },
      );
      assert.equal(r1.upsertedCount, 1);
      assert.equal(r1.matchedCount, 0);
      const doc = await col.findOne({ _id: r1.upsertedId! });
      assert.ok(doc);
      const { _id, ...rest } = doc;
      assert.ok(_id instanceof ObjectId);
      assert.deepEqual(rest, { orgId: 'o1', profile: { tier: 'gold' }, region: 'eu', kind: 'lead', name: 'N', createdBy: 'upsert', visits: 1 });
      const r2 = await col.updateOne({ orgId: 'o1', kind: 'lead' }, { $set: { name: 'M' }, $setOnInsert: { createdBy: 'other' }, $inc: { visits: 1 } }, { upsert: true });
      assert.equal(r2.matchedCount, 1);
      assert.equal(r2.upsertedCount, 0);
      const again = await col.findOne({ _id });
      assert.equal(again?.createdBy, 'upsert');
      assert.equal(again?.visits, 2);
      const r3 = await col.replaceOne({ _id: 'fixed' as never, ignored: 1 }, { v: 1 }, { upsert: true });
      assert.equal(r3.upsertedId, 'fixed');
      assert.deepEqual(await col.findOne({ _id: 'fixed' as never }), { _id: 'fixed', v: 1 });
      const r4 = await col.updateOne({ _id: 'ops' as never }, { $setOnInsert: { a: 1 } }, { upsert: true });
      assert.equal(r4.upsertedId, 'ops');
      assert.deepEqual(await col.findOne({ _id: 'ops' as never }), { _id: 'ops', a: 1 });
    });

    it('upserts may set _id through $setOnInsert or $set when they insert; an existing _id never changes', async () => {
      const col = db.collection('ups_id');
      const id1 = new ObjectId();
      const r1 = await col.updateOne({ orgId: 'o1', phone: '+1' }, { $set: { name: 'A' }, $setOnInsert: { _id: id1, createdAt: 1 } }, { upsert: true });
      assert.equal(r1.upsertedCount, 1);
      assert.ok(id1.equals(r1.upsertedId!));
      assert.deepEqual(await col.findOne({ _id: id1 }), { _id: id1, orgId: 'o1', phone: '+1', name: 'A', createdAt: 1 });
      // matched: $setOnInsert (and its _id) is ignored
      const r2 = await col.updateOne({ orgId: 'o1', phone: '+1' }, { $set: { name: 'B' }, $setOnInsert: { _id: new ObjectId() } }, { upsert: true });
      assert.equal(r2.matchedCount, 1);
      assert.equal(r2.upsertedCount, 0);
      assert.equal((await col.findOne({ _id: id1 }))?.name, 'B');
      // $set of _id when the upsert inserts
      const id2 = new ObjectId();
      const r3 = await col.updateOne({ orgId: 'o1', phone: '+2' }, { $set: { _id: id2, name: 'C' } }, { upsert: true });
      assert.ok(id2.equals(r3.upsertedId!));
      // the same value as the filter's _id is fine, another value is refused (ImmutableField 66)
      const r4 = await col.updateOne({ _id: 'same' as never }, { $setOnInsert: { _id: 'same', v: 1 } as never }, { upsert: true });
      assert.equal(r4.upsertedId, 'same');
      assert.deepEqual(await col.findOne({ _id: 'same' as never }), { _id: 'same', v: 1 });
      await assert.rejects(col.updateOne({ _id: 'seed' as never }, { $setOnInsert: { _id: 'other' } as never }, { upsert: true }), (e: MongoServerError) => e.code === 66);
      assert.equal(await col.countDocuments({ _id: { $in: ['seed', 'other'] } as never }), 0);
      // an existing document: setting _id to its own value is allowed, changing it is not
      const same = await col.updateOne({ _id: id1 }, { $set: { _id: id1, name: 'D' } });
      assert.equal(same.modifiedCount, 1);
      await assert.rejects(col.updateOne({ _id: id1 }, { $set: { _id: new ObjectId() } }), (e: MongoServerError) => e.code === 66);
      // a taken _id through $setOnInsert is a duplicate key
      await assert.rejects(col.updateOne({ orgId: 'o9' }, { $setOnInsert: { _id: id1 } }, { upsert: true }), (e: MongoServerError) => e.code === 11000);
      // findAndModify: insert with the given _id, then a match ignores $setOnInsert
      const id3 = new ObjectId();
      const f1 = await col.findOneAndUpdate(
        { orgId: 'o2', phone: '+3' },
        { $set: { name: 'E' }, $setOnInsert: { _id: id3, createdAt: 2 } },
        { upsert: true, returnDocument: 'after', includeResultMetadata: true },
      );
      assert.equal(f1.lastErrorObject?.updatedExisting, false);
      assert.ok(id3.equals(f1.lastErrorObject?.upserted));
      assert.deepEqual(f1.value, { _id: id3, orgId: 'o2', phone: '+3', name: 'E', createdAt: 2 });
      const f2 = await col.findOneAndUpdate(
        { orgId: 'o2', phone: '+3' },
        { $set: { name: 'F' }, $setOnInsert: { _id: new ObjectId(), createdAt: 3 } },
        { upsert: true, returnDocument: 'after' },
      );
      assert.deepEqual(f2, { _id: id3, orgId: 'o2', phone: '+3', name: 'F', createdAt: 2 });
      const f3 = await col.findOneAndUpdate({ orgId: 'o2', phone: '+4' }, { $set: { _id: 'set-id', name: 'G' } as never }, { upsert: true, returnDocument: 'after' });
      assert.deepEqual(f3, { _id: 'set-id', orgId: 'o2', phone: '+4', name: 'G' });
      await assert.rejects(
        col.findOneAndUpdate({ _id: 'fam-seed' as never }, { $setOnInsert: { _id: 'fam-other' } as never }, { upsert: true }),
        (e: MongoServerError) => e.code === 66,
      );
      await assert.rejects(col.findOneAndUpdate({ _id: id3 }, { $set: { _id: new ObjectId() } }), (e: MongoServerError) => e.code === 66);
    });

    it('deletes one and many', async () => {
      const col = db.collection('del');
      await col.insertMany([{ k: 1 }, { k: 1 }, { k: 1 }, { k: 2 }]);
      assert.equal((await col.deleteOne({ k: 1 })).deletedCount, 1);
      assert.equal((await col.deleteMany({ k: 1 })).deletedCount, 2);
      assert.equal((await col.deleteMany({ k: 42 })).deletedCount, 0);
      assert.equal(await col.countDocuments(), 1);
    });

    it('findOneAndUpdate / Replace / Delete with sort, projection, upsert and returnDocument', async () => {
      const col = db.collection('fam');
      await col.insertMany([
        { _id: 1 as never, q: 'a', v: 1 },
        { _id: 2 as never, q: 'a', v: 2 },
      ]);
      const before = await col.findOneAndUpdate({ q: 'a' }, { $inc: { v: 10 } }, { sort: { v: -1 }, returnDocument: 'before' });
      assert.deepEqual(before, { _id: 2, q: 'a', v: 2 });
      const after = await col.findOneAndUpdate({ q: 'a' }, { $inc: { v: 10 } }, { sort: { v: 1 }, returnDocument: 'after', projection: { v: 1, _id: 0 } });
      assert.deepEqual(after, { v: 11 });
      const up = await col.findOneAndUpdate({ _id: 3 as never }, { $set: { q: 'b' } }, { upsert: true, returnDocument: 'after' });
      assert.deepEqual(up, { _id: 3, q: 'b' });
      const none = await col.findOneAndUpdate({ _id: 99 as never }, { $set: { q: 'c' } });
      assert.equal(none, null);
      const withMeta = await col.findOneAndUpdate({ _id: 1 as never }, { $set: { m: 1 } }, { includeResultMetadata: true });
      assert.equal(withMeta.lastErrorObject?.updatedExisting, true);
      const replaced = await col.findOneAndReplace({ _id: 3 as never }, { q: 'r' }, { returnDocument: 'after' });
      assert.deepEqual(replaced, { _id: 3, q: 'r' });
      const removed = await col.findOneAndDelete({ q: 'a' }, { sort: { v: -1 } });
      assert.equal(removed?._id, 2);
      assert.equal(await col.countDocuments(), 2);
    });
  });

  describe('aggregate', () => {
    before(async () => {
      await db.collection('orders').insertMany([
        { _id: 1 as never, cust: 'c1', items: ['x', 'y'], total: 10 },
        { _id: 2 as never, cust: 'c1', items: ['x'], total: 20 },
        { _id: 3 as never, cust: 'c2', items: [], total: 5 },
        { _id: 4 as never, cust: 'c3', items: ['z'], total: 50 },
      ]);
      await db.collection('customers').insertMany([
        { _id: 'c1' as never, name: 'One' },
        { _id: 'c2' as never, name: 'Two' },
      ]);
    });

    it('$match $sort $skip $limit $project $addFields', async () => {
      const rows = await db
        .collection('orders')
        .aggregate([
          { $match: { total: { $gte: 5 } } },
          { $sort: { total: -1 } },
          { $skip: 1 },
          { $limit: 2 },
          { $addFields: { double: { $multiply: ['$total', 2] } } },
          { $project: { _id: 1, double: 1 } },
        ])
        .toArray();
      assert.deepEqual(rows, [
        { _id: 2, double: 40 },
        { _id: 1, double: 20 },
      ]);
    });

    it('$group $count $unwind $facet $lookup', async () => {
      const orders = db.collection('orders');
      const grouped = await orders.aggregate([{ $group: { _id: '$cust', sum: { $sum: '$total' }, n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
      assert.deepEqual(grouped, [
        { _id: 'c1', sum: 30, n: 2 },
        { _id: 'c2', sum: 5, n: 1 },
        { _id: 'c3', sum: 50, n: 1 },
      ]);
      assert.deepEqual(await orders.aggregate([{ $match: { cust: 'c1' } }, { $count: 'n' }]).toArray(), [{ n: 2 }]);
      assert.deepEqual(await orders.aggregate([{ $match: { cust: 'none' } }, { $count: 'n' }]).toArray(), []);
      const unwound = await orders.aggregate([{ $unwind: '$items' }, { $sort: { _id: 1, items: 1 } }, { $project: { _id: 1, items: 1 } }]).toArray();
      assert.deepEqual(unwound, [
        { _id: 1, items: 'x' },
        { _id: 1, items: 'y' },
        { _id: 2, items: 'x' },
        { _id: 4, items: 'z' },
      ]);
      const [facet] = await orders
        .aggregate([{ $facet: { total: [{ $count: 'n' }], big: [{ $match: { total: { $gt: 15 } } }, { $project: { _id: 1 } }, { $sort: { _id: 1 } }] } }])
        .toArray();
      assert.deepEqual(facet, { total: [{ n: 4 }], big: [{ _id: 2 }, { _id: 4 }] });
      const joined = await orders
        .aggregate([
          { $match: { _id: { $in: [1, 3, 4] } } },
          { $lookup: { from: 'customers', localField: 'cust', foreignField: '_id', as: 'c' } },
          { $project: { _id: 1, names: '$c.name' } },
          { $sort: { _id: 1 } },
        ])
        .toArray();
      assert.deepEqual(joined, [
        { _id: 1, names: ['One'] },
        { _id: 3, names: ['Two'] },
        { _id: 4, names: [] },
      ]);
      const stored = await orders.findOne({ _id: 1 as never });
      assert.deepEqual(stored, { _id: 1, cust: 'c1', items: ['x', 'y'], total: 10 });
    });

    it('countDocuments uses the aggregate path and honours skip/limit', async () => {
      const orders = db.collection('orders');
      assert.equal(await orders.countDocuments({ cust: 'c1' }), 2);
      assert.equal(await orders.countDocuments({}, { skip: 1, limit: 2 }), 2);
      assert.equal(await orders.countDocuments({ cust: 'nobody' }), 0);
    });
  });

  describe('indexes and unique constraints', () => {
    it('createIndexes, listIndexes, dropIndexes', async () => {
      const col = db.collection('idx');
      await col.insertOne({ a: 1, b: 2 });
      const name = await col.createIndex({ a: 1, b: -1 }, { name: 'a_b' });
      assert.equal(name, 'a_b');
      assert.equal(await col.createIndex({ a: 1, b: -1 }, { name: 'a_b' }), 'a_b');
      const list = await col.listIndexes().toArray();
      assert.deepEqual(
        list.map((i) => [i.name, i.key]),
        [
          ['_id_', { _id: 1 }],
          ['a_b', { a: 1, b: -1 }],
        ],
      );
      await assert.rejects(col.createIndex({ b: 1 }, { name: 'a_b' }), (e: MongoServerError) => e.code === 86);
      await col.dropIndex('a_b');
      assert.equal((await col.listIndexes().toArray()).length, 1);
      await assert.rejects(col.dropIndex('nope'), (e: MongoServerError) => e.code === 27);
      await assert.rejects(db.collection('no_such_coll').listIndexes().toArray(), (e: MongoServerError) => e.code === 26);
    });

    it('unique single-field violations report E11000 with keyPattern and keyValue', async () => {
      const col = db.collection('users');
      await col.createIndex({ email: 1 }, { unique: true, name: 'email_1' });
      await col.insertOne({ email: 'a@x.io' });
      await assert.rejects(col.insertOne({ email: 'a@x.io' }), (e: MongoServerError) => {
        assert.equal(e.code, 11000);
        assert.deepEqual(e.keyPattern, { email: 1 });
        assert.deepEqual(e.keyValue, { email: 'a@x.io' });
        assert.match(e.message, new RegExp(`^E11000 duplicate key error collection: ${DB}\\.users index: email_1 dup key: \\{ email: "a@x\\.io" \\}`));
        return true;
      });
      await col.insertOne({ email: 'b@x.io' });
      await assert.rejects(col.updateOne({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } }), (e: MongoServerError) => e.code === 11000);
      await assert.rejects(col.updateOne({ email: 'c@x.io' }, { $set: { email: 'a@x.io' } }, { upsert: true }), (e: MongoServerError) => e.code === 11000);
      await assert.rejects(col.findOneAndUpdate({ email: 'b@x.io' }, { $set: { email: 'a@x.io' } }), (e: MongoServerError) => e.code === 11000);
      assert.equal(await col.countDocuments(), 2);
      const dupId = await col.insertOne({ _id: 'same' as never });
      assert.equal(dupId.insertedId, 'same');
      await assert.rejects(col.insertOne({ _id: 'same' as never, email: 'z@x.io' }), (e: MongoServerError) => e.code === 11000 && e.keyValue?._id === 'same');
    });

    it('unique compound indexes, and unordered bulk inserts continue past duplicates', async () => {
      const col = db.collection('contacts');
      await col.createIndex({ orgId: 1, externalId: 1 }, { unique: true, name: 'org_ext' });
      await col.insertOne({ orgId: 'o1', externalId: 'e1' });
      await col.insertOne({ orgId: 'o2', externalId: 'e1' });
      await assert.rejects(col.insertOne({ orgId: 'o1', externalId: 'e1' }), (e: MongoServerError) => {
        assert.equal(e.code, 11000);
        assert.deepEqual(e.keyPattern, { orgId: 1, externalId: 1 });
        assert.deepEqual(e.keyValue, { orgId: 'o1', externalId: 'e1' });
        return true;
      });
      await assert.rejects(
        col.insertMany(
          [
            { orgId: 'o3', externalId: 'e1' },
            { orgId: 'o1', externalId: 'e1' },
            { orgId: 'o4', externalId: 'e1' },
          ],
          { ordered: false },
        ),
        (e: MongoBulkWriteError) => {
          assert.equal(e.insertedCount, 2);
          assert.equal(e.writeErrors instanceof Array ? e.writeErrors.length : 1, 1);
          return true;
        },
      );
      assert.equal(await col.countDocuments(), 4);
      await assert.rejects(
        col.insertMany([
          { orgId: 'o5', externalId: 'e1' },
          { orgId: 'o1', externalId: 'e1' },
          { orgId: 'o6', externalId: 'e1' },
        ]),
        (e: MongoBulkWriteError) => e.insertedCount === 1,
      );
      assert.equal(await col.countDocuments({ orgId: 'o6' }), 0);
    });

    it('unique multikey indexes treat each array element as a key', async () => {
      const col = db.collection('tagged');
      await col.createIndex({ tags: 1 }, { unique: true });
      await col.insertOne({ tags: ['a', 'b', 'a'] });
      await assert.rejects(col.insertOne({ tags: ['c', 'b'] }), (e: MongoServerError) => e.code === 11000 && e.keyValue?.tags === 'b');
      await col.insertOne({ tags: ['c', 'd'] });
      assert.equal(await col.countDocuments({ tags: 'd' }), 1);
      assert.equal(await col.countDocuments({ tags: 'b' }), 1);
    });

    it('sparse and partial unique indexes ignore documents outside them', async () => {
      const sparse = db.collection('sparse');
      await sparse.createIndex({ code: 1 }, { unique: true, sparse: true });
      await sparse.insertMany([{ x: 1 }, { x: 2 }, { code: 'k' }]);
      await assert.rejects(sparse.insertOne({ code: 'k' }), (e: MongoServerError) => e.code === 11000);
      const partial = db.collection('partial');
      await partial.createIndex({ orgId: 1, externalId: 1 }, { unique: true, partialFilterExpression: { externalId: { $type: 'string' } } });
      await partial.insertMany([
        { orgId: 'o', externalId: null },
        { orgId: 'o', externalId: null },
        { orgId: 'o', externalId: 'x' },
      ]);
      await assert.rejects(partial.insertOne({ orgId: 'o', externalId: 'x' }), (e: MongoServerError) => e.code === 11000);
      assert.equal((await partial.findOne({ orgId: 'o', externalId: 'x' }))?.externalId, 'x');
      assert.equal(await partial.countDocuments({ orgId: 'o', externalId: null }), 2);
      // partial filter on a path through an array of subdocuments ($type matches any element, like mongod)
      const orgs = db.collection('orgs');
      await orgs.createIndex({ 'keys.id': 1 }, { unique: true, partialFilterExpression: { 'keys.id': { $type: 'string' } } });
      const { insertedId } = await orgs.insertOne({ name: 'a', keys: [] });
      await orgs.updateOne({ _id: insertedId }, { $push: { keys: { id: 'k1' } } } as never);
      assert.equal((await orgs.findOne({ 'keys.id': 'k1' }))?.name, 'a');
      await assert.rejects(orgs.insertOne({ name: 'b', keys: [{ id: 'k1' }] }), (e: MongoServerError) => e.code === 11000);
      await orgs.insertOne({ name: 'c', keys: [{ id: 7 }] });
      assert.deepEqual((await orgs.find({ 'keys.id': { $type: 'string' } }).toArray()).map((d) => d.name), ['a']);
    });

    it('building a unique index over duplicates fails with 11000', async () => {
      const col = db.collection('dups');
      await col.insertMany([{ k: 1 }, { k: 1 }]);
      await assert.rejects(col.createIndex({ k: 1 }, { unique: true }), (e: MongoServerError) => e.code === 11000);
      assert.equal((await col.listIndexes().toArray()).length, 1);
    });

    it('index-backed board queries return the same pages as the definition of the order', async () => {
      const col = db.collection('board');
      await col.createIndex({ orgId: 1, leadScore: -1, lastContactAt: 1, _id: 1 });
      const docs = Array.from({ length: 300 }, (_, i) => ({
        _id: i as never,
        orgId: i % 3 === 0 ? 'other' : 'mine',
        leadScore: (i * 7) % 11,
        lastContactAt: i % 4 === 0 ? null : new Date(1_700_000_000_000 + ((i * 13) % 17) * 1000),
        leadStatus: i % 2 ? 'new' : 'contacted',
      }));
      await col.insertMany(docs);
      const expected = docs
        .filter((d) => d.orgId === 'mine' && d.leadScore >= 5 && d.leadStatus === 'new')
        .sort(
          (a, b) =>
            b.leadScore - a.leadScore ||
            (a.lastContactAt?.getTime() ?? -Infinity) - (b.lastContactAt?.getTime() ?? -Infinity) ||
            (a._id as number) - (b._id as number),
        )
        .map((d) => d._id);
      const filter = { orgId: 'mine', leadScore: { $gte: 5 }, leadStatus: 'new' };
      const sort = { leadScore: -1, lastContactAt: 1, _id: 1 } as const;
      const page2 = (await col.find(filter).sort(sort).skip(20).limit(20).toArray()).map((d) => d._id);
      assert.deepEqual(page2, expected.slice(20, 40));
      assert.equal(await col.countDocuments(filter), expected.length);
      const firstPage = await col.find({ orgId: 'mine' }).sort(sort).limit(5).toArray();
      assert.equal(firstPage[0].leadScore, 10);
      assert.equal(firstPage[0].lastContactAt, null);
    });
  });

  describe('limits', () => {
    it('rejects a document over 16 MB with a server error and keeps serving', async () => {
      const col = db.collection('big');
      const big = 'x'.repeat(16 * 1024 * 1024 + 1024);
      await assert.rejects(col.insertOne({ big }), (e: MongoServerError) => e instanceof MongoServerError && [2, 10334].includes(e.code as number));
      const small = await col.insertOne({ ok: true, payload: 'y'.repeat(4 * 1024 * 1024) });
      assert.ok(small.insertedId);
      await col.updateOne({ ok: true }, { $set: { more: 'z'.repeat(6 * 1024 * 1024) } });
      await assert.rejects(col.updateOne({ ok: true }, { $set: { evenMore: 'w'.repeat(7 * 1024 * 1024) } }), (e: MongoServerError) => e instanceof MongoServerError);
      assert.equal(await col.countDocuments(), 1);
      assert.equal((await db.admin().ping()).ok, 1);
    });
  });
});
