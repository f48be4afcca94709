/** A tiny loopback webhook receiver for tests and local experiments: records every request with its raw body. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  url: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedRequest[];
  /** Resolves once at least `n` requests matched the filter. */
  waitFor(n: number, filter?: (r: ReceivedRequest) => boolean, timeoutMs?: number): Promise<ReceivedRequest[]>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(status = 204): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = [];
  let listeners: Array<() => void> = [];
  let baseUrl = '';
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    received.push({
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      url: `${baseUrl}${req.url ?? '/'}`,
      headers: req.headers,
      rawBody: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(status).end();
    for (const l of listeners) l();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    received,
    waitFor(n, filter = () => true, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hits = received.filter(filter);
          if (hits.length >= n) {
            listeners = listeners.filter((l) => l !== check);
            clearTimeout(timer);
            resolve(hits);
          }
        };
        const timer = setTimeout(() => {
          listeners = listeners.filter((l) => l !== check);
          reject(new Error(`timed out waiting for ${n} webhook(s); got ${received.filter(filter).length}`));
        }, timeoutMs);
        listeners.push(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
