/**
 * Hostile input over every route: the routes are read from the app's own routers, so a route added later is covered
 * without touching this file. Each gets malformed bodies, operator injection, wrong types, huge and deeply nested
 * values, odd path ids and query strings, with an admin token, an agent token, a secret key, a forged token and none.
 * Whatever the input: no 5xx, always the error shape for errors, never a stack trace or a driver message.
 */
import assert from 'node:assert/strict';
import type Router from '@koa/router';
import { startTestServer, configureTelephony, leadBody, type TestServer } from '../testing/harness.js';

interface RouteSpec {
  method: string;
  path: string;
}

/** Every method + path the app routes, from the routers' layers (nested /v1 routers included, HEAD left out). */
function routesOf(server: TestServer): RouteSpec[] {
  const seen = new Map<string, RouteSpec>();
  for (const mw of server.context.app.middleware as Array<{ router?: Router }>) {
    for (const layer of mw.router?.stack ?? []) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        const path = String(layer.path);
        seen.set(`${method} ${path}`, { method, path });
      }
    }
  }
  return [...seen.values()];
}

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });

const BODIES: Array<[string, string]> = [
  ['empty object', '{}'],
  ['array', '[]'],
  ['string', '"hello"'],
  ['number', '42'],
  ['null', 'null'],
  ['truncated JSON', '{"name": "Jane'],
  ['operator injection', JSON.stringify({ name: { $gt: '' }, status: { $ne: null }, body: { $where: 'sleep(1000)' }, phone: { $regex: '.*' } })],
  ['prototype pollution', '{"__proto__": {"admin": true}, "constructor": {"prototype": {"role": "admin"}}}'],
  ['wrong types', JSON.stringify({ name: 12, phone: [], email: {}, status: 7, services: 'Botox', body: false, expectedVersion: 'x', ttlSeconds: '60' })],
  ['huge strings', JSON.stringify({ name: 'N'.repeat(200_000), body: 'B'.repeat(200_000), phone: '9'.repeat(10_000) })],
  ['deep nesting', JSON.stringify({ name: deep(400), contact: deep(400) })],
  ['unicode and control characters', JSON.stringify({ name: '\u0000\u202e<script>alert(1)</script>\ud83d', phone: '+1\u0000212', body: '\uffff' })],
  ['many keys', JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i])))],
  ['a big array', JSON.stringify({ leads: Array.from({ length: 3000 }, () => ({ name: 'x' })), appointments: Array.from({ length: 3000 }, () => ({})), leadIds: Array.from({ length: 3000 }, () => 'x') })],
];

const IDS = ['abc', '000000000000000000000000', 'ffffffffffffffffffffffff', '%24gt', '..%2F..%2Fetc', 'x'.repeat(3000), '%00', '1e309', '__proto__'];
const QUERIES = ['', '?page=-1&pageSize=100000000', '?q[$regex]=.*&tier[$ne]=x', '?sort=__proto__&view=constructor&status=<b>', '?q=' + '('.repeat(500), '?page=1e308&pageSize=NaN', '?due=whenever&owner[]=1&owner[]=2'];

describe('hostile input over every route', function () {
  this.timeout(300_000);
  let server: TestServer;
  const credentials: Record<string, string | undefined> = {};
  let leadId = '';

  before(async () => {
    server = await startTestServer();
    const { orgId, secretKey } = await server.createOrg('Hostile Clinic');
    credentials.admin = await server.token(orgId, { role: 'admin' });
    credentials.agent = await server.token(orgId, { role: 'agent', id: 'agent-1' });
    credentials.secretKey = secretKey;
    credentials.forged = 'eyJhbGciOiJIUzI1NiJ9.eyJvcmciOiJ4In0.c2lnbmF0dXJl';
    credentials.none = undefined;
    await configureTelephony(server, credentials.admin);
    leadId = (await server.request('POST', '/v1/leads', { token: credentials.admin, body: leadBody() })).body.lead.id;
  });
  after(async () => {
    await server?.sandbox?.control.idle();
    await server?.close();
  });

  it('then no request of thousands gets a 5xx or a body outside the error shape', async () => {
    const routes = routesOf(server);
    assert.ok(routes.length >= 20, `found ${routes.length} routes`);
    const failures: string[] = [];
    let sent = 0;
    const check = async (method: string, path: string, who: string, body?: string, contentType = 'application/json') => {
      const headers: Record<string, string> = { 'content-type': contentType, 'idempotency-key': `hostile-${sent}-${Date.now()}` };
      const token = credentials[who];
      if (token) headers.authorization = `Bearer ${token}`;
      sent++;
      const res = await fetch(`${server.url}${path}`, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : body });
      const text = await res.text();
      const label = `${who} ${method} ${path.slice(0, 80)} ${body ? body.slice(0, 40) : ''} -> ${res.status}`;
      if (res.status >= 500) failures.push(`${label}: ${text.slice(0, 200)}`);
      if (/\bat .+\.(ts|js):\d+|MongoServerError|E11000|stack/.test(text)) failures.push(`${label}: leaks internals: ${text.slice(0, 200)}`);
      if (res.status >= 400) {
        try {
          const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
          if (typeof parsed.error?.code !== 'string' || typeof parsed.error?.message !== 'string') failures.push(`${label}: not the error shape: ${text.slice(0, 120)}`);
        } catch {
          failures.push(`${label}: not JSON: ${text.slice(0, 120)}`);
        }
      }
    };

    for (const route of routes) {
      const paths = route.path.includes(':')
        ? [route.path.replace(/:[A-Za-z]+/g, leadId), ...IDS.map((id) => route.path.replace(/:[A-Za-z]+/g, id))]
        : [route.path];
      for (const who of ['admin', 'agent', 'secretKey', 'forged', 'none']) {
        for (const path of paths) {
          if (route.method === 'GET' || route.method === 'DELETE') {
            for (const q of who === 'admin' ? QUERIES : ['']) await check(route.method, path + q, who);
          } else {
            for (const [, body] of who === 'admin' || who === 'secretKey' ? BODIES : BODIES.slice(0, 2)) await check(route.method, path, who, body);
            if (who === 'admin') {
              await check(route.method, path, who, 'name=x&status[$ne]=1', 'application/x-www-form-urlencoded');
              await check(route.method, path, who, '<xml/>', 'text/xml');
            }
          }
        }
      }
    }
    assert.ok(sent > 2000, `sent ${sent}`);
    if (process.env.HOSTILE_REPORT) console.log(`${routes.length} routes, ${sent} requests, ${failures.length} failures`);
    assert.deepEqual(failures.slice(0, 30), [], `${failures.length} of ${sent} requests failed`);
  });
});
