/**
 * Conformance suite for writes, command parsing and query options, written against the official driver from MongoDB's
 * documentation and mongod 7.0's sources (IDL parsers, update nodes, write concern validation, collator factory).
 * It runs against the embedded engine by default and, unchanged, against a real mongod 7.0 standalone when
 * MONGODB_URI is set: every assertion here holds there. Assertions about features that a later version added (a `sort`
 * in update statements, `hint` on distinct) run only against 7.0.
 */
import assert from 'node:assert/strict';
import { MongoClient, MongoServerError, type Db, type Document } from 'mongodb';
import { startEngine, type RunningEngine } from './index.js';

const DB = 'engine_conformance_writes_test';

/** Test documents with any _id type (numbers, strings, embedded documents) and operators the typings do not model. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDoc = any;

describe('embedded engine: conformance of writes and command parsing (driver-level, also valid on mongod 7.0)', function () {
  this.timeout(60_000);
  let engine: RunningEngine | undefined;
  let client: MongoClient;
  let db: Db;
  let version = '';
  let standalone = true;

  before(async () => {
    if (!process.env.MONGODB_URI) engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI ?? engine!.uri);
    await client.connect();
    db = client.db(DB);
    await db.dropDatabase();
    version = (await db.admin().buildInfo()).version;
    const hello = await db.command({ hello: 1 });
    standalone = !hello.setName && hello.msg !== 'isdbgrid';
  });
  after(async () => {
    await db?.dropDatabase();
    await client?.close();
    await engine?.close();
  });

  const is70 = () => version.startsWith('7.0');
  const serverError = (code: number, message?: string | RegExp) => (e: unknown) => {
    assert.ok(e instanceof MongoServerError, `expected a server error, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return true;
  };

  describe('collation in writes (strength 1 and 2 are case-insensitive)', () => {
    const people = [
      { _id: 1, name: 'Ann', n: 0 },
      { _id: 2, name: 'ANN', n: 0 },
      { _id: 3, name: 'bob', n: 0 },
    ];
    const ci2 = { locale: 'en', strength: 2 };
    const ci1 = { locale: 'en', strength: 1 };

    it('updateOne, updateMany and replaceOne match case-insensitively and modify the matched documents', async () => {
      const col = db.collection<AnyDoc>('coll_upd');
      await col.insertMany(people.map((p) => ({ ...p })));
      const one = await col.updateOne({ name: 'ann' }, { $set: { touched: 1 } }, { collation: ci2 });
      assert.equal(one.matchedCount, 1);
      assert.equal(one.modifiedCount, 1);
      assert.equal(await col.countDocuments({ touched: 1 }), 1);
      const many = await col.updateMany({ name: 'aNn' }, { $inc: { n: 1 } }, { collation: ci1 });
      assert.equal(many.matchedCount, 2);
      assert.equal(many.modifiedCount, 2);
      assert.deepEqual((await col.find({ n: 1 }).sort({ _id: 1 }).toArray()).map((d) => d._id), [1, 2]);
      const rep = await col.replaceOne({ name: 'BOB' }, { name: 'Bob', replaced: true }, { collation: ci2 });
      assert.equal(rep.matchedCount, 1);
      assert.equal(rep.modifiedCount, 1);
      assert.deepEqual(await col.findOne({ _id: 3 }), { _id: 3, name: 'Bob', replaced: true });
      // without a collation the comparison is binary
      const none = await col.updateOne({ name: 'ann' }, { $set: { touched: 2 } });
      assert.equal(none.matchedCount, 0);
    });

    it('strength 1 also ignores diacritics, strength 2 does not', async () => {
      const col = db.collection<AnyDoc>('coll_accents');
      await col.insertMany([{ _id: 1, name: 'café' }, { _id: 2, name: 'CAFE' }, { _id: 3, name: 'caff' }]);
      assert.deepEqual((await col.find({ name: 'Cafe' }).collation(ci1).sort({ _id: 1 }).toArray()).map((d) => d._id), [1, 2]);
      assert.deepEqual((await col.find({ name: 'Cafe' }).collation(ci2).toArray()).map((d) => d._id), [2]);
      const res = await col.updateMany({ name: 'CAFÉ' }, { $set: { hit: true } }, { collation: ci1 });
      assert.equal(res.modifiedCount, 2);
    });

    it('deleteOne and deleteMany delete what the collation matches', async () => {
      const col = db.collection<AnyDoc>('coll_del');
      await col.insertMany(people.map((p) => ({ ...p })));
      assert.equal((await col.deleteOne({ name: 'BOB' }, { collation: ci2 })).deletedCount, 1);
      assert.equal((await col.deleteMany({ name: 'ann' }, { collation: ci1 })).deletedCount, 2);
      assert.equal(await col.countDocuments(), 0);
    });

    it('findOneAndUpdate matches case-insensitively and returns the modified document', async () => {
      const col = db.collection<AnyDoc>('coll_fam');
      await col.insertMany(people.map((p) => ({ ...p })));
      const doc = await col.findOneAndUpdate({ name: 'BOB' }, { $set: { seen: true } }, { collation: ci2, returnDocument: 'after' });
      assert.deepEqual(doc, { _id: 3, name: 'bob', n: 0, seen: true });
      assert.equal((await col.findOne({ _id: 3 }))?.seen, true);
    });

    it('distinct returns one value per group of strings equal under the collation', async () => {
      const col = db.collection<AnyDoc>('coll_distinct');
      await col.insertMany(people.map((p) => ({ ...p })));
      const values = await col.distinct('name', {}, { collation: ci2 });
      assert.equal(values.length, 2);
      assert.ok(values.includes('bob'));
      assert.ok(values.includes('Ann') || values.includes('ANN'));
      assert.equal((await col.distinct('name')).length, 3);
    });

    it('accepts ICU locale ids written with underscores (en_US, fr_CA) and refuses unknown locales with BadValue', async () => {
      const col = db.collection<AnyDoc>('coll_locale');
      await col.insertMany(people.map((p) => ({ ...p })));
      assert.equal((await col.find({ name: 'ann' }).collation({ locale: 'en_US', strength: 2 }).toArray()).length, 2);
      assert.equal((await col.find({ name: 'ANN' }).collation({ locale: 'fr_CA', strength: 1 }).toArray()).length, 2);
      await assert.rejects(col.find({}).collation({ locale: 'xx' }).toArray(), serverError(2, `Field 'locale' is invalid in: { locale: "xx" }`));
      await assert.rejects(
        col.updateOne({ name: 'ann' }, { $set: { a: 1 } }, { collation: { locale: 'xx' } }),
        serverError(2, /Field 'locale' is invalid in: \{ locale: "xx" \}/),
      );
    });
  });

  describe('update operators on fields of the wrong type fail the write (never a silent success)', () => {
    const check = async (update: Document, code: number, message: string | RegExp) => {
      const col = db.collection<AnyDoc>('types');
      await col.deleteMany({});
      await col.insertOne({ _id: 1, x: 'text', arr: [1, 2] });
      await assert.rejects(col.updateOne({ _id: 1 }, update), serverError(code, message));
      assert.deepEqual(await col.findOne({ _id: 1 }), { _id: 1, x: 'text', arr: [1, 2] });
    };

    it('$inc and $mul on a string: TypeMismatch (14) naming the _id, the field and its type', async () => {
      await check({ $inc: { x: 1 } }, 14, "Cannot apply $inc to a value of non-numeric type. {_id: 1} has the field 'x' of non-numeric type string");
      await check({ $mul: { x: 2 } }, 14, "Cannot apply $mul to a value of non-numeric type. {_id: 1} has the field 'x' of non-numeric type string");
      await check({ $inc: { arr: 1 } }, 14, /^Cannot apply \$inc to a value of non-numeric type\. \{_id: 1\} has the field 'arr' of non-numeric type array$/);
    });

    it('$inc and $mul with a non-numeric argument: TypeMismatch (14)', async () => {
      await check({ $inc: { n: 'a' } }, 14, /^Cannot increment with non-numeric argument: \{n: "a"\}$/);
      await check({ $mul: { n: 'a' } }, 14, /^Cannot multiply with non-numeric argument: \{n: "a"\}$/);
    });

    it('$push on a string: BadValue (2) "must be an array"', async () => {
      await check({ $push: { x: 1 } }, 2, "The field 'x' must be an array but is of type string in document {_id: 1}");
      await check({ $push: { x: { $each: [1, 2] } } }, 2, "The field 'x' must be an array but is of type string in document {_id: 1}");
    });

    it('$addToSet and $pull on a non-array: BadValue (2); $pop: TypeMismatch (14)', async () => {
      await check({ $addToSet: { x: 1 } }, 2, /Cannot apply \$addToSet to non-array field\. Field named 'x' has non-array type string/);
      await check({ $pull: { x: 1 } }, 2, /Cannot apply \$pull to a non-array value/);
      await check({ $pullAll: { x: [1] } }, 2, /Cannot apply \$pull to a non-array value/);
      await check({ $pop: { x: 1 } }, 14, /Path 'x' contains an element of non-array type 'string'/);
    });

    it('the same operators on missing fields create them (or do nothing for $pull/$pop)', async () => {
      const col = db.collection<AnyDoc>('types_missing');
      await col.insertOne({ _id: 1 });
      await col.updateOne({ _id: 1 }, { $inc: { a: 2 }, $mul: { b: 3 }, $push: { c: 1 }, $addToSet: { d: 1 }, $pull: { e: 1 }, $pop: { f: 1 } } as Document);
      assert.deepEqual(await col.findOne({ _id: 1 }), { _id: 1, a: 2, b: 0, c: [1], d: [1] });
    });

    it('in a batch, the failing statement is a write error at its index and ordered batches stop there', async () => {
      const col = db.collection<AnyDoc>('types_batch');
      await col.insertMany([{ _id: 1, x: 'a' }, { _id: 2, x: 1 }]);
      const res = await db.command({ update: 'types_batch', updates: [{ q: { _id: 2 }, u: { $inc: { x: 1 } } }, { q: { _id: 1 }, u: { $inc: { x: 1 } } }, { q: { _id: 2 }, u: { $inc: { x: 1 } } }] });
      assert.equal(res.ok, 1);
      assert.equal(res.n, 1);
      assert.equal(res.nModified, 1);
      assert.equal(res.writeErrors.length, 1);
      assert.equal(res.writeErrors[0].index, 1);
      assert.equal(res.writeErrors[0].code, 14);
      assert.equal((await col.findOne({ _id: 2 }))?.x, 2);
    });
  });

  describe('$push with $each, $slice, $sort and $position (examples of the $push manual pages)', () => {
    const pushed = async (initial: unknown[], spec: Document) => {
      const col = db.collection<AnyDoc>('push');
      await col.deleteMany({});
      await col.insertOne({ _id: 1, a: initial });
      await col.updateOne({ _id: 1 }, { $push: { a: spec } } as Document);
      return (await col.findOne({ _id: 1 }))?.a;
    };

    it('$slice: negative keeps the last elements, positive the first, 0 empties the array', async () => {
      assert.deepEqual(await pushed([40, 50, 60], { $each: [80, 78, 86], $slice: -5 }), [50, 60, 80, 78, 86]);
      assert.deepEqual(await pushed([89, 90], { $each: [100, 20], $slice: 3 }), [89, 90, 100]);
      assert.deepEqual(await pushed([89, 70, 100, 20], { $each: [], $slice: -3 }), [70, 100, 20]);
      assert.deepEqual(await pushed([1, 2, 3], { $each: [4], $slice: 0 }), []);
    });

    it('$position: 0 inserts at the front, a negative value counts from the end', async () => {
      assert.deepEqual(await pushed([100], { $each: [50, 60, 70], $position: 0 }), [50, 60, 70, 100]);
      assert.deepEqual(await pushed([50, 60, 70, 100], { $each: [20, 30], $position: -2 }), [50, 60, 20, 30, 70, 100]);
      assert.deepEqual(await pushed([1, 2], { $each: [9], $position: 5 }), [1, 2, 9]);
    });

    it('$sort: whole values or embedded fields, applied after the insert and before $slice', async () => {
      assert.deepEqual(await pushed([89, 70, 89, 50], { $each: [40, 60], $sort: 1 }), [40, 50, 60, 70, 89, 89]);
      assert.deepEqual(await pushed([89, 70, 100, 20], { $each: [], $sort: -1 }), [100, 89, 70, 20]);
      assert.deepEqual(
        await pushed([{ id: 1, score: 6 }, { id: 2, score: 9 }], { $each: [{ id: 3, score: 8 }, { id: 4, score: 7 }, { id: 5, score: 6 }], $sort: { score: 1 } }),
        [{ id: 1, score: 6 }, { id: 5, score: 6 }, { id: 4, score: 7 }, { id: 3, score: 8 }, { id: 2, score: 9 }],
      );
      assert.deepEqual(
        await pushed(
          [{ wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 3, score: 5 }, { wk: 4, score: 6 }],
          { $each: [{ wk: 5, score: 8 }, { wk: 6, score: 7 }, { wk: 7, score: 6 }], $sort: { score: -1 }, $slice: 3 },
        ),
        [{ wk: 1, score: 10 }, { wk: 2, score: 8 }, { wk: 5, score: 8 }],
      );
    });

    it('refuses malformed modifiers with BadValue (2)', async () => {
      const col = db.collection<AnyDoc>('push_bad');
      await col.insertOne({ _id: 1, a: [] });
      await assert.rejects(col.updateOne({ _id: 1 }, { $push: { a: { $each: 1 } } } as Document), serverError(2, /\$each/));
      await assert.rejects(col.updateOne({ _id: 1 }, { $push: { a: { $each: [1], $slice: 'x' } } } as Document), serverError(2, /\$slice/));
      await assert.rejects(col.updateOne({ _id: 1 }, { $push: { a: { $each: [1], $sort: 2 } } } as Document), serverError(2, /\$sort/));
      await assert.rejects(col.updateOne({ _id: 1 }, { $push: { a: { $each: [1], $bogus: 1 } } } as Document), serverError(2, /Unrecognized clause in \$push: \$bogus/));
      assert.deepEqual((await col.findOne({ _id: 1 }))?.a, []);
    });
  });

  describe('unknown command fields are refused like mongod (40415), legitimate driver fields are not', () => {
    before(async () => {
      await db.collection('strict').insertOne({ _id: 1 as never, a: 1 });
    });
    const refused = (cmd: Document, path: string) =>
      assert.rejects(db.command(cmd), (e: unknown) => serverError(40415, `BSON field '${path}' is an unknown field.`)(e) && (e as MongoServerError).codeName === 'Location40415');

    it('top-level unknown fields of find, insert, update, delete, findAndModify, aggregate, count and distinct', async () => {
      await refused({ find: 'strict', bogus: 1 }, 'find.bogus');
      await refused({ insert: 'strict', documents: [{ a: 2 }], bogus: 1 }, 'insert.bogus');
      await refused({ update: 'strict', updates: [{ q: {}, u: { $set: { a: 3 } } }], bogus: 1 }, 'update.bogus');
      await refused({ delete: 'strict', deletes: [{ q: {}, limit: 0 }], bogus: 1 }, 'delete.bogus');
      await refused({ findAndModify: 'strict', query: {}, update: { $set: { a: 4 } }, bogus: 1 }, 'findAndModify.bogus');
      await refused({ aggregate: 'strict', pipeline: [], cursor: {}, bogus: 1 }, 'aggregate.bogus');
      await refused({ count: 'strict', query: {}, bogus: 1 }, 'count.bogus');
      await refused({ distinct: 'strict', key: 'a', bogus: 1 }, 'distinct.bogus');
      // nothing was written by the refused commands
      assert.deepEqual(await db.collection('strict').find().toArray(), [{ _id: 1, a: 1 }]);
    });

    it('unknown fields inside update and delete statements', async () => {
      await refused({ update: 'strict', updates: [{ q: {}, u: { $set: { a: 3 } }, bogus: 1 }] }, 'update.updates.bogus');
      await refused({ delete: 'strict', deletes: [{ q: {}, limit: 0, bogus: 1 }] }, 'delete.deletes.bogus');
      assert.equal(await db.collection('strict').countDocuments(), 1);
    });

    it('options newer than 7.0 are unknown fields on 7.0 (sort in an update statement, hint on distinct)', async function () {
      if (!is70()) this.skip();
      await refused({ update: 'strict', updates: [{ q: {}, u: { $set: { a: 5 } }, sort: { a: 1 } }] }, 'update.updates.sort');
      await refused({ distinct: 'strict', key: 'a', hint: { _id: 1 } }, 'distinct.hint');
      assert.equal((await db.collection('strict').findOne({ _id: 1 as never }))?.a, 1);
    });

    it('accepts the fields drivers send (generic arguments and documented options)', async () => {
      const col = db.collection('strict');
      const common = { comment: 'c', maxTimeMS: 5000 };
      assert.equal((await db.command({ find: 'strict', filter: {}, sort: { _id: 1 }, projection: { a: 1 }, skip: 0, limit: 5, batchSize: 5, singleBatch: false, hint: { _id: 1 }, collation: { locale: 'en' }, allowDiskUse: true, let: { v: 1 }, readConcern: { level: 'local' }, noCursorTimeout: false, allowPartialResults: false, returnKey: false, showRecordId: false, ...common })).ok, 1);
      assert.equal((await db.command({ insert: 'strict', documents: [{ _id: 2, a: 2 }], ordered: true, bypassDocumentValidation: false, writeConcern: { w: 1 }, ...common })).ok, 1);
      assert.equal((await db.command({ update: 'strict', updates: [{ q: { _id: 2 }, u: { $set: { a: 3 } }, upsert: false, multi: false, collation: { locale: 'en' }, hint: { _id: 1 }, arrayFilters: [] }], ordered: false, let: { v: 1 }, bypassDocumentValidation: false, writeConcern: { w: 'majority' }, ...common })).ok, 1);
      assert.equal((await db.command({ findAndModify: 'strict', query: { _id: 2 }, update: { $set: { a: 4 } }, new: true, upsert: false, sort: { _id: 1 }, fields: { a: 1 }, collation: { locale: 'en' }, hint: { _id: 1 }, let: { v: 1 }, bypassDocumentValidation: false, writeConcern: { w: 1 }, ...common })).ok, 1);
      assert.equal((await db.command({ aggregate: 'strict', pipeline: [{ $match: {} }], cursor: { batchSize: 10 }, allowDiskUse: true, collation: { locale: 'en' }, hint: { _id: 1 }, let: { v: 1 }, readConcern: { level: 'local' }, ...common })).ok, 1);
      assert.equal((await db.command({ count: 'strict', query: {}, limit: 10, skip: 0, hint: { _id: 1 }, collation: { locale: 'en' }, readConcern: { level: 'local' }, ...common })).ok, 1);
      assert.equal((await db.command({ distinct: 'strict', key: 'a', query: {}, collation: { locale: 'en' }, readConcern: { level: 'local' }, ...common })).ok, 1);
      assert.equal((await db.command({ delete: 'strict', deletes: [{ q: { _id: 2 }, limit: 1, collation: { locale: 'en' }, hint: { _id: 1 } }], ordered: true, let: { v: 1 }, writeConcern: { w: 1 }, ...common })).ok, 1);
      // the driver's helpers with sessions, comments and options
      const session = client.startSession();
      try {
        await col.find({}, { session, comment: 'x', maxTimeMS: 1000, allowDiskUse: true }).toArray();
        await col.countDocuments({}, { session, comment: 'x' });
        await col.estimatedDocumentCount({ comment: 'x' });
        await col.distinct('a', {}, { session, comment: 'x' });
        await col.updateOne({ _id: 1 as never }, { $set: { a: 1 } }, { session, comment: 'x', hint: '_id_' });
        await col.findOneAndUpdate({ _id: 1 as never }, { $set: { a: 1 } }, { session, comment: 'x', maxTimeMS: 1000 });
        await col.bulkWrite([{ insertOne: { document: { _id: 3 as never } } }, { deleteOne: { filter: { _id: 3 as never } } }], { session, comment: 'x', ordered: false });
      } finally {
        await session.endSession();
      }
    });
  });

  describe('write concern on a standalone', () => {
    it("w > 1 is refused before anything is written: BadValue (2) \"cannot use 'w' > 1 when a host is not replicated\"", async function () {
      if (!standalone) this.skip();
      const col = db.collection<AnyDoc>('wc');
      await assert.rejects(
        db.command({ insert: 'wc', documents: [{ _id: 1 }], writeConcern: { w: 2 } }),
        serverError(2, "cannot use 'w' > 1 when a host is not replicated"),
      );
      await assert.rejects(col.insertOne({ _id: 2 }, { writeConcern: { w: 2 } }), serverError(2, "cannot use 'w' > 1 when a host is not replicated"));
      await assert.rejects(col.updateOne({ _id: 3 }, { $set: { a: 1 } }, { upsert: true, writeConcern: { w: 3 } }), serverError(2));
      assert.equal(await col.countDocuments(), 0);
      await col.insertOne({ _id: 4 }, { writeConcern: { w: 1 } });
      await col.insertOne({ _id: 5 }, { writeConcern: { w: 'majority' } });
      assert.equal(await col.countDocuments(), 2);
    });
  });

  describe('hints and natural order', () => {
    before(async () => {
      const col = db.collection<AnyDoc>('hinted');
      for (const d of [{ _id: 3, k: 'c' }, { _id: 1, k: 'a' }, { _id: 2, k: 'b' }]) await col.insertOne(d);
      await col.createIndex({ k: 1 }, { name: 'k_1' });
    });
    const missing = /hint provided does not correspond to an existing index/;

    it('a hint naming no index fails with BadValue (2) from the planner', async () => {
      const col = db.collection<AnyDoc>('hinted');
      await assert.rejects(col.find({ k: 'a' }).hint('nope_1').toArray(), serverError(2, missing));
      await assert.rejects(col.find({}).hint({ nope: 1 }).toArray(), serverError(2, missing));
      await assert.rejects(col.aggregate([{ $match: { k: 'a' } }], { hint: 'nope_1' }).toArray(), serverError(2, missing));
      await assert.rejects(db.command({ count: 'hinted', query: {}, hint: 'nope_1' }), serverError(2, missing));
      await assert.rejects(col.updateOne({ k: 'a' }, { $set: { x: 1 } }, { hint: 'nope_1' }), serverError(2, missing));
      await assert.rejects(col.deleteOne({ k: 'a' }, { hint: { nope: 1 } }), serverError(2, missing));
      await assert.rejects(col.findOneAndUpdate({ k: 'a' }, { $set: { x: 1 } }, { hint: 'nope_1' } as never), serverError(2, missing));
      assert.equal(await col.countDocuments({ x: 1 }), 0);
      assert.equal(await col.countDocuments(), 3);
    });

    it('a hint naming an existing index (by name or key pattern) is accepted', async () => {
      const col = db.collection<AnyDoc>('hinted');
      assert.deepEqual((await col.find({ k: 'b' }).hint('k_1').toArray()).map((d) => d._id), [2]);
      assert.deepEqual((await col.find({ k: 'b' }).hint({ k: 1 }).toArray()).map((d) => d._id), [2]);
      assert.equal((await col.updateOne({ k: 'b' }, { $set: { y: 1 } }, { hint: { k: 1 } })).modifiedCount, 1);
    });

    it('sort and hint {$natural: -1} return reverse insertion order, {$natural: 1} insertion order', async () => {
      const col = db.collection<AnyDoc>('hinted');
      assert.deepEqual((await col.find({}).sort({ $natural: -1 }).toArray()).map((d) => d._id), [2, 1, 3]);
      assert.deepEqual((await col.find({}).sort({ $natural: 1 }).toArray()).map((d) => d._id), [3, 1, 2]);
      assert.deepEqual((await col.find({}).hint({ $natural: -1 }).toArray()).map((d) => d._id), [2, 1, 3]);
      assert.deepEqual((await col.find({ k: { $gte: 'a' } }).hint({ $natural: -1 }).limit(2).toArray()).map((d) => d._id), [2, 1]);
    });
  });

  describe('stored documents and indexes', () => {
    it('_id is moved to the front of a document on insert and on replacement', async () => {
      const col = db.collection<AnyDoc>('idfirst');
      await col.insertOne({ a: 1, b: 2, _id: 7 });
      assert.deepEqual(Object.keys((await col.findOne({ _id: 7 }))!), ['_id', 'a', 'b']);
      await col.replaceOne({ _id: 7 }, { c: 3, _id: 7 });
      assert.deepEqual(Object.keys((await col.findOne({ _id: 7 }))!), ['_id', 'c']);
      await col.updateOne({ _id: 8 }, { $set: { z: 1 } }, { upsert: true });
      assert.deepEqual(Object.keys((await col.findOne({ _id: 8 }))!), ['_id', 'z']);
    });

    it('listIndexes shows the _id index as { v, key, name } without unique', async () => {
      const col = db.collection<AnyDoc>('idfirst');
      const ix = (await col.listIndexes().toArray()).find((i) => i.name === '_id_');
      assert.deepEqual(ix, { v: 2, key: { _id: 1 }, name: '_id_' });
    });

    it("a '$'-prefixed field inside _id is refused on insert (DollarPrefixedFieldName 52)", async () => {
      const col = db.collection<AnyDoc>('iddollar');
      await assert.rejects(col.insertOne({ _id: { $a: 1 } }), serverError(52, "_id fields may not contain '$'-prefixed fields: $a is not valid for storage."));
      await assert.rejects(col.insertOne({ _id: { x: { $b: 1 } } }), serverError(52, /_id fields may not contain '\$'-prefixed fields: \$b is not valid for storage\./));
      assert.equal(await col.countDocuments(), 0);
    });
  });

  describe('pipeline updates', () => {
    it('$replaceWith and $replaceRoot without _id keep the original _id', async () => {
      const col = db.collection<AnyDoc>('pipe');
      await col.insertMany([{ _id: 1, a: { x: 1 } }, { _id: 2, a: { x: 2 } }]);
      await col.updateOne({ _id: 1 }, [{ $replaceWith: { b: '$a.x' } }]);
      assert.deepEqual(await col.findOne({ _id: 1 }), { _id: 1, b: 1 });
      await col.updateOne({ _id: 2 }, [{ $replaceRoot: { newRoot: '$a' } }]);
      assert.deepEqual(await col.findOne({ _id: 2 }), { _id: 2, x: 2 });
      await assert.rejects(col.updateOne({ _id: 2 }, [{ $replaceWith: { _id: 99 } }]), serverError(66));
    });
  });

  describe('let variables', () => {
    before(async () => {
      await db.collection<AnyDoc>('vars').insertMany([
        { _id: 1, item: 'a', qty: 5 },
        { _id: 2, item: 'b', qty: 10 },
        { _id: 3, item: 'c', qty: 15 },
      ]);
    });

    it('find and aggregate resolve $$var in $expr', async () => {
      const col = db.collection<AnyDoc>('vars');
      assert.deepEqual((await col.find({ $expr: { $gt: ['$qty', '$$min'] } }, { let: { min: 8 } }).sort({ _id: 1 }).toArray()).map((d) => d._id), [2, 3]);
      const agg = await col.aggregate([{ $match: { $expr: { $eq: ['$item', '$$target'] } } }, { $project: { _id: 1, label: '$$label' } }], { let: { target: 'b', label: 'L' } }).toArray();
      assert.deepEqual(agg, [{ _id: 2, label: 'L' }]);
    });

    it('update (filter and pipeline), delete and findAndModify resolve $$var', async () => {
      const col = db.collection<AnyDoc>('vars');
      const up = await col.updateOne({ $expr: { $eq: ['$_id', '$$id'] } }, [{ $set: { qty: { $add: ['$qty', '$$inc'] } } }], { let: { id: 1, inc: 100 } });
      assert.equal(up.modifiedCount, 1);
      assert.equal((await col.findOne({ _id: 1 }))?.qty, 105);
      const fam = await col.findOneAndUpdate({ $expr: { $eq: ['$item', '$$name'] } }, [{ $set: { tag: '$$tag' } }], { let: { name: 'c', tag: 'T' }, returnDocument: 'after' });
      assert.deepEqual(fam, { _id: 3, item: 'c', qty: 15, tag: 'T' });
      const del = await col.deleteOne({ $expr: { $lt: ['$qty', '$$max'] } }, { let: { max: 12 } });
      assert.equal(del.deletedCount, 1);
      assert.equal(await col.findOne({ _id: 2 }), null);
    });
  });
});
