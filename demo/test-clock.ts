/**
 * A clock the end-to-end tests can move, for routines that span days ("a follow-up for tomorrow shows in tomorrow's
 * Call today"). Only with DEMO_TEST_CLOCK=1: the demo then runs its API on `now()` and listens on loopback for
 * `POST /clock {"offsetMs": n}` (and `GET /clock`), printing "test clock at http://...". Never on by default.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestClock {
  url: string;
  now: () => Date;
  close(): Promise<void>;
}

export async function startTestClock(): Promise<TestClock> {
  let offsetMs = 0;
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/clock') return reply(404, { error: 'POST or GET /clock' });
    if (req.method === 'GET') return reply(200, { offsetMs, now: new Date(Date.now() + offsetMs).toISOString() });
    if (req.method !== 'POST') return reply(405, { error: 'POST or GET /clock' });
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const body = (() => {
        try {
          return JSON.parse(raw) as { offsetMs?: unknown };
        } catch {
          return null;
        }
      })();
      if (!body || typeof body.offsetMs !== 'number' || !Number.isFinite(body.offsetMs)) return reply(400, { error: 'send {"offsetMs": <number>}' });
      offsetMs = body.offsetMs;
      reply(200, { offsetMs, now: new Date(Date.now() + offsetMs).toISOString() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    now: () => new Date(Date.now() + offsetMs),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
