import assert from 'node:assert/strict';
import { MongoClient, ObjectId } from 'mongodb';
import { startEngine, type RunningEngine } from './index.js';

describe('embedded engine: smoke', () => {
  let engine: RunningEngine | undefined;
  let client: MongoClient;
  const dbName = 'engine_smoke_test';

  before(async () => {
    if (!process.env.MONGODB_URI) engine = await startEngine();
    client = new MongoClient(process.env.MONGODB_URI ?? engine!.uri);
    await client.connect();
    await client.db(dbName).dropDatabase();
  });
  after(async () => {
    await client?.db(dbName).dropDatabase();
    await client?.close();
    await engine?.close();
  });

  it('connects, pings and reports a wire version the driver accepts', async () => {
    const res = await client.db('admin').command({ ping: 1 });
    assert.equal(res.ok, 1);
    const hello = await client.db('admin').command({ hello: 1 });
    assert.equal(hello.isWritablePrimary, true);
    assert.ok(hello.maxWireVersion >= 17);
    assert.equal(hello.maxBsonObjectSize, 16777216);
  });

  it('inserts, finds, updates, deletes, counts and aggregates', async () => {
    const col = client.db(dbName).collection<{ _id?: ObjectId; orgId: string; name: string; score: number; tags?: string[] }>('leads');
    const ins = await col.insertMany([
      { orgId: 'a', name: 'Ann', score: 90 },
      { orgId: 'a', name: 'Bob', score: 40 },
      { orgId: 'b', name: 'Cid', score: 70 },
    ]);
    assert.equal(ins.insertedCount, 3);
    assert.ok(ins.insertedIds[0] instanceof ObjectId);
    const found = await col.find({ orgId: 'a' }).sort({ score: -1 }).toArray();
    assert.deepEqual(found.map((d) => d.name), ['Ann', 'Bob']);
    const upd = await col.updateOne({ name: 'Bob' }, { $inc: { score: 5 }, $push: { tags: 'x' } });
    assert.equal(upd.matchedCount, 1);
    assert.equal(upd.modifiedCount, 1);
    const bob = await col.findOne({ name: 'Bob' });
    assert.equal(bob?.score, 45);
    assert.deepEqual(bob?.tags, ['x']);
    assert.equal(await col.countDocuments({ orgId: 'a' }), 2);
    assert.equal(await col.countDocuments({ score: { $gte: 45 } }), 3);
    const fam = await col.findOneAndUpdate({ name: 'Cid' }, { $set: { score: 10 } }, { returnDocument: 'after' });
    assert.equal(fam?.score, 10);
    const agg = await col.aggregate([{ $group: { _id: '$orgId', total: { $sum: '$score' } } }, { $sort: { _id: 1 } }]).toArray();
    assert.deepEqual(agg, [{ _id: 'a', total: 135 }, { _id: 'b', total: 10 }]);
    const del = await col.deleteMany({ orgId: 'a' });
    assert.equal(del.deletedCount, 2);
    assert.equal(await col.countDocuments(), 1);
  });

  it('pages through many documents with getMore', async () => {
    const col = client.db(dbName).collection('many');
    await col.insertMany(Array.from({ length: 1050 }, (_, i) => ({ i })));
    await col.createIndex({ i: 1 });
    const all = await col.find({}, { batchSize: 100 }).sort({ i: 1 }).toArray();
    assert.equal(all.length, 1050);
    assert.deepEqual(all.slice(0, 3).map((d) => d.i), [0, 1, 2]);
    assert.equal(all[1049].i, 1049);
  });
});
