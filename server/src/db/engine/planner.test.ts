/** Engine internals: index narrowing and in-order walks (not visible through the driver, so tested on Collection directly). */
import assert from 'node:assert/strict';
import { Collection } from './collection.js';
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
