/**
 * Graceful shutdown: SIGTERM under load. The API runs as its own process (testing/child-server.ts) over a durable data
 * directory (or MONGODB_URI); clients keep creating leads while it is told to stop. Every acknowledged write must be
 * there after a restart, every request it accepted must get its whole answer, and connected widgets must be told to
 * reconnect (a transport close), not to go away.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { io as connect } from 'socket.io-client';
import { leadBody } from './testing/harness.js';

const childScript = new URL('./testing/child-server.ts', import.meta.url).pathname;

interface Child {
  process: ChildProcess;
  url: string;
  orgId?: string;
  secretKey?: string;
  exited: Promise<number | null>;
}

function startChild(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, ['--import', 'tsx', childScript], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve({ process: child, exited, ...(JSON.parse(line) as { url: string; orgId?: string; secretKey?: string }) }));
    child.once('exit', (code) => reject(new Error(`the API process exited with ${code} before listening`)));
  });
}

describe('graceful shutdown (SIGTERM under load)', function () {
  this.timeout(60_000);
  const dataDir = mkdtempSync(join(tmpdir(), 'll-shutdown-'));
  const env = {
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: 'silent',
    LEADS_DATA_DIR: dataDir,
    TOKEN_SECRET: randomBytes(32).toString('hex'),
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    MONGODB_DB: `ll_test_stop_${randomBytes(3).toString('hex')}`,
    JOBS_INTERVAL_MS: '0',
  };
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  it('when SIGTERM arrives mid-load, then in-flight requests finish, sockets are told to reconnect, the process exits 0 and every acknowledged lead survives', async () => {
    const first = await startChild({ ...env, CHILD_CREATE_ORG: 'Shutdown Clinic' });
    const mint = async (url: string) => {
      const res = await fetch(`${url}/v1/embed-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${first.secretKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ user: { id: 'u1', name: 'Front Desk', role: 'admin' } }),
      });
      assert.equal(res.status, 201);
      return ((await res.json()) as { token: string }).token;
    };
    const token = await mint(first.url);
    const socket = connect(first.url, { auth: { token }, transports: ['websocket'], reconnection: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    let disconnectReason = '';
    socket.on('disconnect', (reason) => (disconnectReason = reason));

    const acknowledged: string[] = [];
    const refused: string[] = [];
    const broken: string[] = [];
    let n = 0;
    let signalled = false;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const phone = `+1212${String(5_000_000 + n++).padStart(7, '0')}`;
        try {
          const res = await fetch(`${first.url}/v1/leads`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify(leadBody({ name: `Load ${phone}`, phone })),
          });
          const body = (await res.json()) as { lead?: { id: string } };
          if (res.status === 201 && body.lead) acknowledged.push(phone);
          else broken.push(`${phone}: ${res.status}`);
        } catch (err) {
          const code = (err as { cause?: { code?: string } }).cause?.code ?? String(err);
          // After the signal, new connections are refused: that is a clean "try elsewhere", never a lost answer.
          if (signalled && (code === 'ECONNREFUSED' || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')) {
            refused.push(`${phone}: ${code}`);
            stop = true;
          } else {
            broken.push(`${phone}: ${code}`);
            stop = true;
          }
        }
      }
    };
    const workers = Array.from({ length: 6 }, () => worker());
    while (acknowledged.length < 60) await new Promise((r) => setTimeout(r, 10));
    signalled = true;
    const ackedAtSignal = acknowledged.length;
    first.process.kill('SIGTERM');
    const code = await first.exited;
    stop = true;
    await Promise.all(workers);
    socket.disconnect();

    assert.equal(code, 0, 'a clean exit');
    assert.deepEqual(broken, [], 'no request got a broken or error answer');
    assert.ok(acknowledged.length >= ackedAtSignal, 'requests in flight at the signal were answered');
    assert.equal(disconnectReason, 'transport close', 'the widget is told to reconnect (socket.io reconnects on a transport close)');

    // Restart on the same data: every acknowledged lead is there, and nothing that was not acknowledged.
    const second = await startChild(env);
    try {
      const token2 = await mint(second.url);
      const page = await fetch(`${second.url}/v1/leads?pageSize=100&q=Load`, { headers: { authorization: `Bearer ${token2}` } });
      const body = (await page.json()) as { total: number; items: Array<{ phone: string }> };
      assert.equal(body.total, acknowledged.length, `${acknowledged.length} acknowledged, ${body.total} stored (refused after the signal: ${refused.length})`);
    } finally {
      second.process.kill('SIGTERM');
      assert.equal(await second.exited, 0);
    }
  });
});
