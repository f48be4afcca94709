/**
 * Search served by an index (core/search.ts, index board_search): the guide's examples through the API, the cost in
 * proportion to the candidates (explain's executionStats, on the engine and on a real MongoDB alike), and the start-up
 * migration of contacts written before search keys existed.
 */
import assert from 'node:assert/strict';
import type { Document } from 'mongodb';
import { startTestServer, type TestServer } from '../testing/harness.js';
import { searchIndex } from './repository.js';

/** Letters for filler names that no searched example starts with or contains (j, o, s, z, h, y left out). */
const FILLER = 'abcdefgiklmnpqrtuvw';

/** A number per filler lead that shares no searched digits with the examples (1234, 1212, 212555, 0042, 9876). */
function fillerPhone(i: number): string {
  for (let n = 5550000 + i * 3; ; n++) {
    const digits = `1310${n}`;
    if (!['1234', '1212', '212555', '0042', '9876'].some((d) => digits.includes(d))) return `+${digits}`;
  }
}

describe('search served by an index', () => {
  let server: TestServer;
  let orgA: string;
  let orgB: string;
  let agentA: string;
  let agentB: string;
  const contacts = () => server.database.db.collection('contacts');

  before(async () => {
    server = await startTestServer();
    let secretA: string;
    ({ orgId: orgA, secretKey: secretA } = await server.createOrg('Glow Clinic'));
    ({ orgId: orgB } = await server.createOrg('Other Clinic'));
    agentA = await server.token(orgA, { id: 'u-a', name: 'Amy', role: 'agent' });
    agentB = await server.token(orgB, { id: 'u-b', name: 'Bob', role: 'agent' });
    // 1,500 leads, of which a few Smiths and one John Smith at +1 (212) 555-1234; the rest share no key with them.
    const leads = Array.from({ length: 1500 }, (_, i) => ({
      externalId: `x${i}`,
      name: `Patient ${FILLER[i % FILLER.length]}${FILLER[((i / FILLER.length) | 0) % FILLER.length]}q Ortega`,
      phone: fillerPhone(i),
      leadScore: i % 101,
    }));
    leads[7] = { externalId: 'x7', name: 'John Smith', phone: '(212) 555-1234', leadScore: 80 };
    for (const i of [100, 200, 300]) leads[i] = { externalId: `x${i}`, name: `Ann Smithers ${i}`, phone: `+1310777${String(i).padStart(4, '0')}`, leadScore: 50 };
    for (let start = 0; start < leads.length; start += 500) {
      const res = await server.request('PUT', '/v1/leads', { token: secretA, body: { leads: leads.slice(start, start + 500) } });
      assert.equal(res.status, 200, res.text);
    }
    // the other clinic has a John Smith with the same number: never in clinic A's results
    const res = await server.request('POST', '/v1/leads', { token: agentB, body: { name: 'John Smith', phone: '+12125551234' } });
    assert.equal(res.status, 201, res.text);
    await server.context.repos.contacts.backfillSearchKeys();
  });
  after(() => server.close());

  const search = async (q: string, token = agentA, extra = '') => {
    const res = await server.request('GET', `/v1/leads?q=${encodeURIComponent(q)}${extra}`, { token });
    assert.equal(res.status, 200, res.text);
    return res.body as { items: Array<{ name: string; orgId?: string }>; total: number };
  };

  it("finds the guide's examples: 1234, +1212, (212) 555, john, smith, JOHN", async () => {
    for (const q of ['1234', '+1212', '(212) 555', 'john', 'JOHN', 'John Smith', 'ohn']) {
      const page = await search(q);
      assert.deepEqual(page.items.map((l) => l.name), ['John Smith'], q);
      assert.equal(page.total, 1, q);
    }
    const smiths = await search('smith');
    assert.equal(smiths.total, 4);
    assert.deepEqual(smiths.items.map((l) => l.name), ['John Smith', 'Ann Smithers 100', 'Ann Smithers 200', 'Ann Smithers 300'], 'board order');
    assert.equal((await search('smith', agentB)).total, 1, 'the other clinic sees only its own');
    assert.equal((await search('smyth')).total, 0);
    assert.equal((await search('smith', agentA, '&status=contacted')).total, 0);
    assert.equal((await search('jo')).total, 1, 'two letters: the start of a word');
  });

  it('reads only the candidates of its key, not the clinic (explain executionStats)', async () => {
    const clinic = await contacts().countDocuments({ orgId: orgA });
    assert.equal(clinic, 1500);
    const explain = async (filter: Document) =>
      (await contacts().find(filter).sort({ leadScore: -1, lastContactAt: 1, _id: 1 }).limit(20).explain('executionStats')) as Document;
    for (const [filter, most] of [
      [{ orgId: orgA, searchKeys: 'n:smi', nameLower: { $regex: 'smith' } }, 4],
      [{ orgId: orgA, searchKeys: 'p:1234', phoneDigits: { $regex: '1234' } }, 3],
      [{ orgId: orgA, leadStatus: 'new', searchKeys: 'n:smi', nameLower: { $regex: 'smith' } }, 4],
    ] as const) {
      const stats = (await explain(filter)).executionStats;
      assert.ok(stats.totalDocsExamined <= most, `${JSON.stringify(filter)} examined ${stats.totalDocsExamined}`);
      assert.ok(stats.totalKeysExamined <= most + 1, `${JSON.stringify(filter)} read ${stats.totalKeysExamined} keys`);
    }
  });

  it('contacts from before search keys are found during and after the start-up migration', async () => {
    // As an earlier version wrote them: no searchKeys.
    const now = new Date();
    const legacy = await contacts().insertOne({
      ...(await contacts().findOne({ orgId: orgA, externalId: 'x9' }, { projection: { _id: 0 } })),
      externalId: 'legacy-1',
      name: 'Zelda Smithson',
      nameLower: 'zelda smithson',
      phone: '+13105559876',
      phoneDigits: '13105559876',
      createdAt: now,
      updatedAt: now,
      searchKeys: undefined,
    });
    await contacts().updateOne({ _id: legacy.insertedId }, { $unset: { searchKeys: '' } });
    searchIndex.ready = false; // a process that has not finished its backfill yet
    try {
      assert.equal((await search('zelda')).total, 1, 'found before the backfill (search reads the clinic meanwhile)');
      assert.equal(await server.context.repos.contacts.backfillSearchKeys(), 1);
      assert.equal(searchIndex.ready, true);
      const doc = await contacts().findOne({ _id: legacy.insertedId });
      assert.ok(doc?.searchKeys.includes('n:zel') && doc.searchKeys.includes('p:9876'));
      assert.equal((await search('zelda')).total, 1);
      assert.equal((await search('9876')).total, 1);
      assert.equal(await server.context.repos.contacts.backfillSearchKeys(), 0, 'idempotent');
    } finally {
      searchIndex.ready = true;
    }
  });

  it('a rename or a new number moves the lead to its new keys', async () => {
    const john = (await search('john')).items[0] as unknown as { id: string; version: number };
    const res = await server.request('PATCH', `/v1/leads/${john.id}`, {
      token: agentA,
      body: { contact: { name: 'Jonathan Smith', phone: '+12125550042' }, expectedVersion: john.version },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((await search('john')).total, 0);
    assert.equal((await search('jonathan')).total, 1);
    assert.equal((await search('1234')).total, 0);
    assert.equal((await search('0042')).total, 1);
  });
});
