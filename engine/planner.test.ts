/** Engine internals: index narrowing and in-order walks (not visible through the driver, so tested on Collection directly). */
import assert from 'node:assert/strict';
import { Collection } from './collection.js';
import { Engine } from './engine.js';
import { compareValues } from './values.js';

function makeBoard(): Collection {
  const c = new Collection('t', 'contacts', {}, () => {});
  c.createIndex({ v: 2, key: { orgId: 1, leadScore: -1, lastContactAt: 1, _id: 1 }, name: 'board' });
  c.createIndex({ v: 2, key: { orgId: 1, leadStatus: 1, leadScore: -1, lastContactAt: 1, _id: 1 }, name: 'board_status' });
  for (let i = 0; i < 3000; i++)
    c.insert({
      _id: i,
      orgId: i < 1000 ? 'A' : i < 2000 ? 'B' : 'C',
      leadScore: (i * 37) % 101,
      leadStatus: ['new', 'contacted', 'lost'][i % 3],
      lastContactAt: i % 5 === 0 ? null : new Date(1_700_000_000_000 + (i % 97) * 1000),
      name: `lead ${i}`,
    });
  return c;
}

const SORT = { leadScore: -1, lastContactAt: 1, _id: 1 };

function byDefinition(docs: Array<Record<string, unknown>>) {
  return [...docs].sort(
    (a, b) =>
      compareValues(b.leadScore, a.leadScore) || compareValues(a.lastContactAt ?? null, b.lastContactAt ?? null) || compareValues(a._id, b._id),
  );
}

describe('embedded engine: multikey indexes and sort order', () => {
  // Search keys as the board stores them: an array per document, equality on one key, then the board order.
  const c = new Collection('t', 'contacts', {}, () => {});
  c.createIndex({ v: 2, key: { orgId: 1, keys: 1, leadScore: -1, _id: 1 }, name: 'search' });
  c.createIndex({ v: 2, key: { orgId: 1, tags: 1 }, name: 'tags' });
  for (let i = 0; i < 2000; i++)
    c.insert({ _id: i, orgId: 'A', keys: [`k${i % 10}`, `k${(i + 1) % 10}`, 'all'], tags: [i % 7, i % 3], leadScore: (i * 37) % 101 });

  it('an equality on the multikey field still walks the index in sort order and stops after the page', () => {
    const rows = c.find({ orgId: 'A', keys: 'k3' }, { sort: { leadScore: -1, _id: 1 }, limit: 20 });
    const expected = [...c.docs.values()]
      .filter((d) => (d.keys as string[]).includes('k3'))
      .sort((a, b) => compareValues(b.leadScore, a.leadScore) || compareValues(a._id, b._id))
      .slice(0, 20)
      .map((d) => d._id);
    assert.deepEqual(rows.map((r) => r.doc._id), expected);
    assert.equal(c.lastExamined, 20, 'no blocking sort: the walk stops at the limit');
    // each document appears once even though two of its keys would match a range on the field
    const all = c.find({ orgId: 'A', keys: 'all' }, { sort: { leadScore: -1, _id: 1 } });
    assert.equal(new Set(all.map((r) => r.doc._id)).size, 2000);
    assert.equal(all.length, 2000);
  });

  it('a range or an unbound multikey field gives no order (a blocking sort, still correct)', () => {
    const rows = c.find({ orgId: 'A', keys: { $gte: 'k3', $lte: 'k4' } }, { sort: { leadScore: -1, _id: 1 }, limit: 5 });
    const expected = [...c.docs.values()]
      // MongoDB semantics: on an array each bound may be met by a different element
      .filter((d) => (d.keys as string[]).some((k) => k >= 'k3') && (d.keys as string[]).some((k) => k <= 'k4'))
      .sort((a, b) => compareValues(b.leadScore, a.leadScore) || compareValues(a._id, b._id))
      .slice(0, 5)
      .map((d) => d._id);
    assert.deepEqual(rows.map((r) => r.doc._id), expected);
    assert.ok(c.lastExamined > 5, 'all candidates were read before sorting');
    // sorting on a multikey field itself never takes index order
    const byTags = c.find({ orgId: 'A' }, { sort: { tags: 1 }, limit: 3, hint: 'tags' } as never);
    assert.equal(byTags.length, 3);
  });
});

describe('embedded engine: index-assisted queries', () => {
  const c = makeBoard();
  const orgA = [...c.docs.values()].filter((d) => d.orgId === 'A');

  it('a default-order page walks the index in order and stops after skip+limit', () => {
    const rows = c.find({ orgId: 'A' }, { sort: SORT, skip: 40, limit: 20 });
    assert.deepEqual(
      rows.map((r) => r.doc._id),
      byDefinition(orgA)
        .slice(40, 60)
        .map((d) => d._id),
    );
    assert.equal(c.lastExamined, 60);
  });

  it('never contacted (null) comes first within a score', () => {
    const rows = c.find({ orgId: 'A', leadScore: 100 }, { sort: SORT });
    assert.ok(rows.length > 1);
    const firstNonNull = rows.findIndex((r) => r.doc.lastContactAt !== null);
    assert.ok(rows.slice(firstNonNull).every((r) => r.doc.lastContactAt !== null));
    assert.equal(rows[0].doc.lastContactAt, null);
  });

  it('equality on the org prefix never reads other organisations\u2019 documents', () => {
    const n = c.count({ orgId: 'A', name: { $regex: '7' } });
    assert.equal(n, orgA.filter((d) => String(d.name).includes('7')).length);
    assert.ok(c.lastExamined <= 1000, `examined ${c.lastExamined}`);
    c.find({ orgId: 'B', name: { $regex: '^lead 1' } }, { sort: SORT });
    assert.equal(c.lastExamined, 1000);
  });

  it('tier ranges and status use the bounds of the best index', () => {
    const filter = { orgId: 'A', leadScore: { $gte: 50, $lt: 80 }, leadStatus: 'new' };
    const expected = byDefinition(orgA.filter((d) => (d.leadScore as number) >= 50 && (d.leadScore as number) < 80 && d.leadStatus === 'new'));
    const page = c.find(filter, { sort: SORT, skip: 5, limit: 20 });
    assert.deepEqual(
      page.map((r) => r.doc._id),
      expected.slice(5, 25).map((d) => d._id),
    );
    assert.ok(c.lastExamined <= 25 + 1, `examined ${c.lastExamined}`);
    assert.equal(c.count(filter), expected.length);
    assert.equal(c.lastExamined, 0, 'count served from index bounds alone');
  });

  it('keeps indexes consistent through updates and deletes', () => {
    const d = c.find({ _id: 5 })[0];
    c.replace(d.rid, { ...d.doc, orgId: 'A', leadScore: 101 });
    assert.equal(c.find({ orgId: 'A' }, { sort: SORT, limit: 1 })[0].doc._id, 5);
    c.remove(d.rid);
    assert.notEqual(c.find({ orgId: 'A' }, { sort: SORT, limit: 1 })[0].doc._id, 5);
    assert.equal(c.count({ orgId: 'A', leadScore: { $gte: 0 } }), orgA.length - 1);
  });
});

describe('embedded engine: organisation isolation of every command', () => {
  // Org A: 40 leads, org B: 400. Besides the orgId-prefixed index there is a status index (as on `calls`), which
  // binds as many fields as the org index for {orgId, status} and would scan both organisations.
  const engine = new Engine();
  const ctx = { connectionId: 1 };
  const run = async (cmd: Record<string, unknown>) => {
    const reply = await engine.run({ ...cmd, $db: 'iso' }, ctx);
    assert.equal(reply.ok, 1, JSON.stringify(reply));
    return reply;
  };
  const examined = () => engine.coll('iso', 'leads')!.lastExamined;
  const ORG_A = 40;

  before(async () => {
    await run({ createIndexes: 'leads', indexes: [
      { key: { orgId: 1, contactId: 1, status: 1 }, name: 'org_active' },
      { key: { status: 1, createdAt: 1 }, name: 'status_created' },
    ] });
    const docs = [];
    for (let i = 0; i < 440; i++)
      docs.push({ _id: i, orgId: i < ORG_A ? 'A' : 'B', contactId: `c${i % 7}`, status: ['queued', 'done'][i % 2], createdAt: new Date(1_700_000_000_000 + i), name: `lead ${i}` });
    await run({ insert: 'leads', documents: docs });
  });

  it('find and countDocuments', async () => {
    const r = await run({ find: 'leads', filter: { orgId: 'A', status: 'queued' }, sort: { createdAt: 1 } });
    assert.equal(r.cursor.firstBatch.length, ORG_A / 2);
    assert.ok(examined() <= ORG_A, `find examined ${examined()}`);
    const c = await run({ aggregate: 'leads', pipeline: [{ $match: { orgId: 'A', status: 'queued' } }, { $group: { _id: 1, n: { $sum: 1 } } }], cursor: {} });
    assert.equal(c.cursor.firstBatch[0].n, ORG_A / 2);
    assert.ok(examined() <= ORG_A, `countDocuments examined ${examined()}`);
    const limited = await run({ aggregate: 'leads', pipeline: [{ $match: { orgId: 'A', name: { $regex: 'lead' } } }, { $limit: 5 }, { $group: { _id: 1, n: { $sum: 1 } } }], cursor: {} });
    assert.equal(limited.cursor.firstBatch[0].n, 5);
    assert.equal(examined(), 5, 'a limited count stops at the limit');
    const two = await run({ aggregate: 'leads', pipeline: [{ $match: { orgId: 'A' } }, { $match: { status: 'done' } }, { $count: 'n' }], cursor: {} });
    assert.equal(two.cursor.firstBatch[0].n, ORG_A / 2);
    assert.ok(examined() <= ORG_A, `two $match stages examined ${examined()}`);
  });

  it('a filter pinning orgId in every $or branch, and under a case-insensitive collation', async () => {
    const r = await run({ find: 'leads', filter: { $or: [{ orgId: 'A', status: 'queued' }, { orgId: 'A', contactId: 'c1' }] } });
    assert.ok(r.cursor.firstBatch.length > 0 && r.cursor.firstBatch.every((d: { orgId: string }) => d.orgId === 'A'));
    assert.ok(examined() <= ORG_A, `$or examined ${examined()}`);
    const ci = await run({ find: 'leads', filter: { orgId: 'a', status: 'QUEUED' }, collation: { locale: 'en', strength: 2 } });
    assert.equal(ci.cursor.firstBatch.length, ORG_A / 2);
    assert.ok(examined() <= ORG_A, `collation examined ${examined()}`);
  });

  it('findAndModify, update with multi and deleteMany', async () => {
    const fam = await run({ findAndModify: 'leads', query: { orgId: 'A', status: 'queued' }, sort: { createdAt: -1 }, update: { $set: { picked: true } }, new: true });
    assert.equal(fam.value.orgId, 'A');
    assert.ok(examined() <= ORG_A, `findAndModify examined ${examined()}`);
    const famUpsert = await run({ findAndModify: 'leads', query: { orgId: 'A', status: 'none' }, update: { $set: { x: 1 } }, upsert: true });
    assert.equal(famUpsert.lastErrorObject.updatedExisting, false);
    assert.ok(examined() <= ORG_A + 1, `findAndModify upsert examined ${examined()}`);
    const upd = await run({ update: 'leads', updates: [{ q: { orgId: 'A', status: 'queued' }, u: { $set: { flag: 1 } }, multi: true }] });
    assert.equal(upd.n, ORG_A / 2);
    assert.ok(examined() <= ORG_A + 1, `update multi examined ${examined()}`);
    const del = await run({ delete: 'leads', deletes: [{ q: { orgId: 'A', status: 'done' }, limit: 0 }] });
    assert.equal(del.n, ORG_A / 2);
    assert.ok(examined() <= ORG_A + 1, `deleteMany examined ${examined()}`);
    const cnt = await run({ count: 'leads', query: { orgId: 'B', status: 'done' } });
    assert.equal(cnt.n, 200);
    const byId = await run({ findAndModify: 'leads', query: { _id: 300, orgId: 'A' }, update: { $set: { stolen: true } } });
    assert.equal(byId.value, null, 'another organisation’s document is never modified');
    assert.ok(examined() <= 1, 'a unique point lookup reads at most one document');
  });
});
