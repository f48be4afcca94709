/**
 * Client compatibility: the real `mongosh` (devDependency) against the engine started the way `npm run db` starts it
 * (engine/cli.ts with LEADS_DB_PORT / LEADS_DATA_DIR). mongosh starts slowly, so everything runs in two invocations.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { EJSON, type Document } from 'bson';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mongosh = path.join(root, 'node_modules', '.bin', 'mongosh');

/** Runs mongosh --eval for each script (mongosh prints print() output and the value of the last one only). */
function runMongosh(uri: string, ...scripts: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(mongosh, [uri, '--quiet', '--norc', ...scripts.flatMap((s) => ['--eval', s])], { timeout: 60_000, env: { ...process.env, MONGOSH_NO_TELEMETRY: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(`mongosh failed: ${err.message}\n${stdout}\n${stderr}`));
      else resolve(stdout);
    });
  });
}

const SCRIPT = `
const d = db.getSiblingDB('clients_test');
d.dropDatabase();
d.people.insertMany([
  { _id: 1, name: 'Ada', age: 36, city: 'London' },
  { _id: 2, name: 'Grace', age: 45, city: 'New York' },
  { _id: 3, name: 'Linus', age: 28, city: 'Helsinki' },
  { _id: 4, name: 'Barbara', age: 52, city: 'New York' },
]);
d.people.createIndex({ age: 1 });
const out = {};
out.version = db.version();
out.stats = d.stats();
out.collStats = d.people.stats();
out.explain = d.people.find({ age: { $gte: 40 } }).explain('executionStats');
const s = db.serverStatus();
out.serverStatus = { host: s.host, version: s.version, process: s.process, pid: s.pid, uptime: s.uptime, connections: s.connections, opInsert: s.opcounters.insert, mem: s.mem, ok: s.ok };
out.agg = d.people.aggregate([{ $group: { _id: '$city', n: { $sum: 1 } } }, { $sort: { n: -1, _id: 1 } }]).toArray();
try { d.people.insertOne({ _id: 1, name: 'again' }); out.dup = 'no error'; } catch (e) { out.dup = { code: e.code, name: e.name, message: e.message }; }
print('RESULT ' + EJSON.stringify(out, { relaxed: true }));
`;

describe('client compatibility: mongosh against `npm run db`', function () {
  this.timeout(120_000);
  let child: ChildProcess | undefined;
  let dataDir: string;
  let uri: string;

  before(async function () {
    if (!fs.existsSync(mongosh)) {
      console.warn('mongosh is not installed (npm install): skipping the client compatibility test');
      this.skip();
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-clients-'));
    child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'engine', 'cli.ts')], {
      cwd: root,
      env: { ...process.env, LEADS_DB_PORT: '0', LEADS_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    uri = await new Promise<string>((resolve, reject) => {
      let out = '';
      child!.stdout!.on('data', (d) => {
        out += d;
        const m = /(mongodb:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]);
      });
      child!.once('exit', (code) => reject(new Error(`npm run db exited with ${code}`)));
    });
  });

  after(async () => {
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child!.once('exit', () => resolve());
        child!.kill('SIGTERM'); // cli.ts snapshots and exits
      });
    }
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('db.stats(), coll.stats(), explain(), serverStatus(), an aggregate and a duplicate key', async () => {
    const stdout = await runMongosh(uri.replace('/?', '/admin?'), SCRIPT);
    const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
    assert.ok(line, `no result in mongosh output:\n${stdout}`);
    const r = EJSON.parse(line.slice(7), { relaxed: true }) as Document;

    assert.match(r.version, /^7\.0/);

    assert.equal(r.stats.db, 'clients_test');
    assert.equal(r.stats.collections, 1);
    assert.equal(r.stats.objects, 4);
    assert.equal(r.stats.indexes, 2);
    assert.ok(r.stats.dataSize > 100);
    assert.equal(r.stats.ok, 1);

    assert.equal(r.collStats.ns, 'clients_test.people');
    assert.equal(r.collStats.count, 4);
    assert.equal(r.collStats.nindexes, 2);
    assert.deepEqual(Object.keys(r.collStats.indexSizes).sort(), ['_id_', 'age_1']);
    assert.ok(r.collStats.size > 100);

    const plan = r.explain.queryPlanner.winningPlan;
    assert.equal(plan.stage, 'FETCH');
    assert.equal(plan.inputStage.stage, 'IXSCAN');
    assert.equal(plan.inputStage.indexName, 'age_1');
    assert.equal(r.explain.executionStats.nReturned, 2);
    assert.equal(r.explain.executionStats.totalDocsExamined, 2);
    assert.equal(r.explain.executionStats.totalKeysExamined, 2);

    assert.equal(r.serverStatus.ok, 1);
    assert.equal(r.serverStatus.process, 'mongod');
    assert.match(r.serverStatus.version, /^7\.0/);
    assert.equal(r.serverStatus.pid, child!.pid);
    assert.ok(r.serverStatus.connections.current >= 1);
    assert.ok(r.serverStatus.connections.totalCreated >= r.serverStatus.connections.current);
    assert.ok(r.serverStatus.opInsert >= 4);
    assert.ok(r.serverStatus.mem.resident > 0);

    assert.deepEqual(r.agg, [
      { _id: 'New York', n: 2 },
      { _id: 'Helsinki', n: 1 },
      { _id: 'London', n: 1 },
    ]);

    assert.equal(r.dup.code, 11000);
    assert.match(r.dup.message, /E11000 duplicate key error collection: clients_test\.people index: _id_ dup key: \{ _id: 1 \}/);
  });

  it('show dbs and show collections list the data', async () => {
    const stdout = await runMongosh(uri.replace('/?', '/clients_test?'), 'print("COLLECTIONS " + db.getCollectionNames().join(","))', 'show dbs');
    assert.match(stdout, /^COLLECTIONS people$/m);
    const row = stdout.split('\n').find((l) => l.startsWith('clients_test'));
    assert.ok(row, `clients_test missing from show dbs:\n${stdout}`);
    assert.match(row, /^clients_test\s+\d+(\.\d+)?\s*(B|KiB|MiB)$/);
  });
});
