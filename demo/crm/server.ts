/**
 * "Radiance CRM": a sample third-party clinic CRM that embeds the Live Leads board the way a real host would.
 *
 * - Its pages send a strict Content-Security-Policy (no inline scripts or styles; the board works under it because Lit
 *   uses constructable stylesheets and the bundle has no eval).
 * - Its backend holds the organisation's secret key and mints short-lived embed tokens for its own signed-in user with
 *   POST /v1/embed-tokens; the browser only ever sees the embed token (POST /crm-api/embed-token, same-origin only).
 * - Its own "session" is a cookie naming the user picked in the header's user switcher (Agent or Admin).
 * - Dashboard and Patients are rendered on the server from the Live Leads API, as a host CRM's own pages would be.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import type { EmbedTokenReply, Lead, LeadPage } from '../../core/contracts.js';
import { CRM_USERS } from '../users.js';
import { dashboardPage, leadsPage, notFoundPage, patientsPage, reactPage, settingsPage, type PageContext } from './pages.js';
import { apiReferencePage } from './api-reference.js';

export interface CrmOptions {
  /** 0 = ephemeral. */
  port: number;
  host?: string;
  /** The Live Leads API origin, e.g. http://127.0.0.1:3001 */
  apiUrl: string;
  orgId: string;
  /** The organisation's secret key: stays on this server. */
  secretKey: string;
  clinicName: string;
  /** dist/embed/live-leads.js (served as /assets/live-leads.js). */
  widgetFile: string;
  /** Built React host page (demo/react build output), served under /react-app/ when present. */
  reactDir?: string;
  /** Lifetime of the embed tokens minted for the browser (seconds). */
  tokenTtlSeconds?: number;
}

export interface RunningCrm {
  url: string;
  port: number;
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

type Role = 'agent' | 'admin';

export async function startCrm(opts: CrmOptions): Promise<RunningCrm> {
  const host = opts.host ?? '127.0.0.1';
  const api = new URL(opts.apiUrl);
  const apiOrigin = api.origin;
  const wsOrigin = `${api.protocol === 'https:' ? 'wss:' : 'ws:'}//${api.host}`;
  const csp = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${apiOrigin} ${wsOrigin}`,
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');

  async function mintToken(role: Role): Promise<EmbedTokenReply> {
    const res = await fetch(`${apiOrigin}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${opts.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: CRM_USERS[role], ttlSeconds: opts.tokenTtlSeconds ?? 600 }),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await res.json().catch(() => null)) as (EmbedTokenReply & { error?: { code: string; message: string } }) | null;
    if (res.status !== 201 || !body?.token) {
      throw new UpstreamError(res.status, body?.error?.code ?? 'EMBED_TOKEN_FAILED', body?.error?.message ?? `Live Leads answered ${res.status}`);
    }
    return body;
  }

  /** The CRM's own server-side use of the API (dashboard, patients), with a token of the signed-in user. */
  async function apiGet<T>(role: Role, path: string): Promise<T> {
    const { token } = await mintToken(role);
    const res = await fetch(`${apiOrigin}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(5000) });
    if (!res.ok) throw new UpstreamError(res.status, 'API_ERROR', `${path} answered ${res.status}`);
    return (await res.json()) as T;
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const status = err instanceof UpstreamError ? 502 : 500;
      if (!res.headersSent) {
        if ((req.url ?? '').startsWith('/crm-api/')) {
          sendJson(res, status, { error: { code: err instanceof UpstreamError ? err.code : 'CRM_ERROR', message: (err as Error).message } });
        } else {
          sendHtml(res, status, notFoundPage(ctxFor(req, ''), `Something went wrong: ${(err as Error).message}`));
        }
      } else {
        res.destroy();
      }
    });
  });

  function roleOf(req: IncomingMessage): Role {
    const m = /(?:^|;\s*)crm_user=(agent|admin)(?:;|$)/.exec(req.headers.cookie ?? '');
    return (m?.[1] as Role | undefined) ?? 'agent';
  }

  function ctxFor(req: IncomingMessage, active: PageContext['active']): PageContext {
    const role = roleOf(req);
    return { clinicName: opts.clinicName, apiUrl: apiOrigin, user: CRM_USERS[role], role, active };
  }

  function sameOrigin(req: IncomingMessage): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site && site !== 'same-origin') return false;
    const origin = req.headers.origin;
    if (origin && origin !== `http://${req.headers.host}`) return false;
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://crm.local');
    const path = url.pathname;
    const method = req.method ?? 'GET';

    if (path.startsWith('/crm-api/')) {
      if (method !== 'POST') return sendJson(res, 405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Use POST.' } });
      if (!sameOrigin(req)) return sendJson(res, 403, { error: { code: 'CROSS_SITE', message: 'Only the CRM itself may call this.' } });
      if (path === '/crm-api/embed-token') {
        const reply = await mintToken(roleOf(req));
        return sendJson(res, 200, { token: reply.token, expiresAt: reply.expiresAt, user: reply.user });
      }
      if (path === '/crm-api/user') {
        const body = await readJson(req);
        const role = body && typeof body === 'object' && 'role' in body ? (body as { role: unknown }).role : null;
        if (role !== 'agent' && role !== 'admin') return sendJson(res, 400, { error: { code: 'BAD_ROLE', message: 'role is agent or admin' } });
        res.setHeader('set-cookie', `crm_user=${role}; Path=/; HttpOnly; SameSite=Strict; Max-Age=2592000`);
        return sendJson(res, 200, { user: CRM_USERS[role] });
      }
      return sendJson(res, 404, { error: { code: 'NOT_FOUND', message: 'No such CRM endpoint.' } });
    }

    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }

    if (path === '/assets/live-leads.js') return sendFile(req, res, opts.widgetFile, 'no-cache');
    // The lazily loaded chunks of the bundle (live-leads-<name>-<hash>.js), next to it: content-hashed, cacheable.
    if (/^\/assets\/live-leads-[\w.-]+\.js$/.test(path)) {
      return sendFile(req, res, safeJoin(dirname(opts.widgetFile), path.slice('/assets/'.length)), 'max-age=31536000, immutable');
    }
    if (path.startsWith('/assets/')) return sendFile(req, res, safeJoin(PUBLIC_DIR, path.slice('/assets/'.length)), 'no-cache');
    if (path === '/favicon.ico' || path === '/favicon.svg') return sendFile(req, res, join(PUBLIC_DIR, 'favicon.svg'), 'max-age=86400');
    if (path.startsWith('/react-app/') && opts.reactDir) return sendFile(req, res, safeJoin(opts.reactDir, path.slice('/react-app/'.length)), 'no-cache');
    if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });

    switch (path) {
      case '/':
      case '/leads':
        return sendHtml(res, 200, leadsPage(ctxFor(req, 'leads')));
      case '/settings':
        return sendHtml(res, 200, settingsPage(ctxFor(req, 'settings')));
      case '/api-reference':
        return sendHtml(res, 200, apiReferencePage(opts.apiUrl));
      case '/react':
        return sendHtml(res, 200, reactPage(ctxFor(req, 'react'), Boolean(opts.reactDir && existsSync(join(opts.reactDir, 'react-host.js')))));
      case '/dashboard': {
        const role = roleOf(req);
        const [all, hot, fresh, booked, topHot] = await Promise.all([
          apiGet<LeadPage>(role, '/v1/leads?pageSize=1'),
          apiGet<LeadPage>(role, '/v1/leads?tier=hot&pageSize=1'),
          apiGet<LeadPage>(role, '/v1/leads?status=new&pageSize=1'),
          apiGet<LeadPage>(role, '/v1/leads?status=booked&pageSize=1'),
          apiGet<LeadPage>(role, '/v1/leads?tier=hot&pageSize=6'),
        ]);
        return sendHtml(res, 200, dashboardPage(ctxFor(req, 'dashboard'), { total: all.total, hot: hot.total, fresh: fresh.total, booked: booked.total, topHot: topHot.items }));
      }
      case '/patients': {
        const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
        const converted = await apiGet<LeadPage>(roleOf(req), `/v1/leads?status=converted&pageSize=25&page=${page}`);
        return sendHtml(res, 200, patientsPage(ctxFor(req, 'patients'), converted as LeadPage & { items: Lead[] }));
      }
      default:
        return sendHtml(res, 404, notFoundPage(ctxFor(req, ''), 'This page does not exist.'));
    }
  }

  function securityHeaders(res: ServerResponse) {
    res.setHeader('content-security-policy', csp);
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'same-origin');
    res.setHeader('x-frame-options', 'DENY');
  }

  function sendHtml(res: ServerResponse, status: number, html: string) {
    securityHeaders(res);
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(html);
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, file: string | null, cache: string) {
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      securityHeaders(res);
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
      return;
    }
    const stat = statSync(file);
    const etag = `"${stat.size.toString(16)}-${Math.floor(stat.mtimeMs).toString(16)}"`;
    securityHeaders(res);
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag, 'cache-control': cache }).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': stat.size, etag, 'cache-control': cache });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file).pipe(res);
  }

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(opts.port, host, () => {
      server.off('error', reject);
      resolveListen();
    });
  });
  server.keepAliveTimeout = 5000;
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

class UpstreamError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function safeJoin(dir: string, rel: string): string | null {
  const full = resolve(dir, normalize(decodeURIComponent(rel)).replace(/^([/\\])+/, ''));
  return full.startsWith(resolve(dir)) ? full : null;
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 10_000) return null;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    return null;
  }
}
