/**
 * `npm start`: the one-command demo.
 *
 * Starts the Live Leads API (embedded MongoDB-compatible engine with its data in LEADS_DATA_DIR, sandbox telephony with
 * demo-paced delays), creates and seeds the demo clinic on the first run (kept in <data dir>/demo-org.json, mode 600),
 * builds the widget bundle when it is missing or stale, and serves the sample clinic CRM that embeds the board.
 *
 *   PORT            the CRM (default 3000)
 *   API_PORT        the Live Leads API (default PORT + 1)
 *   LEADS_DATA_DIR  data directory (default .data/ in the checkout; "memory" keeps nothing)
 *   HOST            interface for both (default 127.0.0.1)
 *   LOG_LEVEL       API log level (default error here, to keep the console readable; info shows every request)
 *   any other variable of the API's configuration (see README.md) applies to the API.
 *
 * A second run reuses the organisation and its data (no reseeding). Ctrl-C stops everything and flushes the data.
 */
import { chmodSync, existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig, ROOT_DIR } from '../server/src/config.js';
import { startServer, type RunningServer } from '../server/src/main.js';
import { createOrganization } from '../server/src/orgs/service.js';
import { COLLECTIONS } from '../server/src/db/indexes.js';
import { startCrm, type RunningCrm } from './crm/server.js';
import { ensureWidgetBundle, REACT_OUT_DIR } from './build.js';
import { ensureReactHost } from './react/build.js';
import { seedDemo } from './seed.js';
import { DEMO_CLINIC, DEMO_TEAM } from './users.js';
import { startTestClock, type TestClock } from './test-clock.js';

interface DemoOrgFile {
  orgId: string;
  secretKey: string;
  name: string;
  createdAt: string;
  seededAt: string | null;
}

const SANDBOX_DELAYS = { ring: 1500, answer: 2500, talk: 5000, sms: 1500 };

const say = (msg: string) => process.stdout.write(`${msg}\n`);

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}=${JSON.stringify(value)}: must be a port number (0-65535).`);
  return n;
}

async function main(): Promise<void> {
  const started = Date.now();
  const crmPort = port('PORT', process.env.PORT, 3000);
  const apiPort = port('API_PORT', process.env.API_PORT, crmPort === 0 ? 0 : crmPort + 1);
  const host = process.env.HOST || '127.0.0.1';
  const dataEnv = process.env.LEADS_DATA_DIR || join(ROOT_DIR, '.data');
  const dataDir = dataEnv === 'memory' ? null : resolve(ROOT_DIR, dataEnv);
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });

  const widgetFile = await ensureWidgetBundle(say);
  // The React host page: built when React is installed; an earlier build is served as it is.
  const reactDir =
    (await ensureReactHost(say).catch((err: Error) => {
      say(`(The React host page was not built: ${err.message.split('\n')[0]})`);
      return null;
    })) ?? (existsSync(join(REACT_OUT_DIR, 'react-host.js')) ? REACT_OUT_DIR : null);

  const config = loadConfig({
    ...process.env,
    PORT: String(apiPort),
    HOST: host,
    LEADS_DATA_DIR: dataDir ?? 'memory',
    LOG_LEVEL: process.env.LOG_LEVEL || 'error',
  });
  let api: RunningServer | null = null;
  let testClock: TestClock | null = null;
  let crm: RunningCrm | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (code: number) => {
    stopping ??= (async () => {
      say('\nStopping the demo…');
      await crm?.close().catch(() => undefined);
      await api?.close().catch((err: Error) => say(`API close: ${err.message}`));
      await testClock?.close();
      say(`Stopped. ${dataDir ? `Data kept in ${shortPath(dataDir)}.` : 'Nothing kept (memory mode).'}`);
    })().finally(() => process.exit(code));
    return stopping;
  };
  // Ctrl-C reaches this process twice (from the terminal's process group and relayed by tsx/npm): only a second
  // Ctrl-C pressed a moment later forces the exit.
  let firstSignalAt = 0;
  process.on('SIGINT', () => {
    if (!stopping) {
      firstSignalAt = Date.now();
      void stop(0);
    } else if (Date.now() - firstSignalAt > 1000) {
      process.exit(130);
    }
  });
  process.on('SIGTERM', () => void stop(0));

  // End-to-end tests only: an API clock they can move (demo/test-clock.ts).
  testClock = process.env.DEMO_TEST_CLOCK === '1' ? await startTestClock() : null;
  if (testClock) say(`Test clock at ${testClock.url} (DEMO_TEST_CLOCK=1)`);
  try {
    api = await startServer({ config, sandboxDelays: SANDBOX_DELAYS, now: testClock?.now });
  } catch (err) {
    throw friendly(err, 'API_PORT', apiPort);
  }

  // --- the demo organisation: created once, then reused
  const orgFile = dataDir ? join(dataDir, 'demo-org.json') : null;
  const crmOrigins = [`http://${host}:${crmPort}`, ...(host === '127.0.0.1' ? [`http://localhost:${crmPort}`] : [])];
  const orgs = api.context.repos.orgs;
  let demo: DemoOrgFile | null = orgFile && existsSync(orgFile) ? (JSON.parse(readFileSync(orgFile, 'utf8')) as DemoOrgFile) : null;
  let org = demo ? await orgs.findById(demo.orgId) : null;
  if (!org || !demo) {
    const created = await createOrganization(orgs, {
      name: DEMO_CLINIC.name,
      timezone: DEMO_CLINIC.timezone,
      defaultCountry: DEMO_CLINIC.defaultCountry,
      allowedOrigins: crmOrigins,
    });
    org = created.org;
    demo = { orgId: org.id, secretKey: created.secretKey, name: org.name, createdAt: new Date().toISOString(), seededAt: null };
    say(`Created the demo clinic "${org.name}".`);
  }
  // The CRM's origin may change between runs (another PORT): keep the allowed origins in step.
  const origins = [...new Set([...org.allowedOrigins, ...crmOrigins])];
  if (origins.length !== org.allowedOrigins.length) await orgs.setAllowedOrigins(org.id, origins);

  const contacts = await api.database.db.collection(COLLECTIONS.contacts).countDocuments({ orgId: org.id }, { limit: 1 });
  if (contacts === 0) {
    const t = Date.now();
    const seeded = await seedDemo(api.database.db, org.id);
    demo.seededAt = new Date().toISOString();
    say(`Seeded ${seeded.leads} leads and ${seeded.calls} past calls (${Date.now() - t} ms).`);
  }
  await pushTeam(api.url, demo.secretKey);
  if (orgFile) {
    writeFileSync(orgFile, JSON.stringify(demo, null, 2) + '\n', { mode: 0o600 });
    chmodSync(orgFile, 0o600);
  }

  try {
    crm = await startCrm({ port: crmPort, host, apiUrl: api.url, orgId: org.id, secretKey: demo.secretKey, clinicName: org.name, widgetFile, reactDir: reactDir ?? undefined });
  } catch (err) {
    throw friendly(err, 'PORT', crmPort);
  }

  const mongoUri = config.MONGODB_URI ? config.MONGODB_URI.replace(/\/\/[^@/]*@/, '//***@') : api.database.uri;
  say(`
  Live Leads demo is running (${((Date.now() - started) / 1000).toFixed(1)} s)

  Clinic CRM      ${crm.url}/            the board embedded by <script type="module">
                  ${crm.url}/settings    AI agent and Twilio number setup
                  ${crm.url}/dashboard   ${crm.url}/patients${reactDir ? `   ${crm.url}/react` : ''}
  Live Leads API  ${api.url}           (GET /healthz, /v1/...)
                  ${crm.url}/api-reference   the API reference (from ${api.url}/v1/openapi.json)
  Telephony       ${api.sandbox ? `sandbox at ${api.sandbox.url} (calls and texts are simulated)` : 'real providers'}
  MongoDB         ${mongoUri}${config.MONGODB_URI ? '' : '   (embedded engine; any MongoDB tool can connect)'}
  Data            ${dataDir ? shortPath(dataDir) : 'memory only (LEADS_DATA_DIR=memory)'}

  Demo org id     ${org.id}
  Secret key      ${demo.secretKey}
                  ${orgFile ? `kept in ${shortPath(orgFile)} (mode 600); mint a token with:` : 'not saved (memory mode); mint a token with:'}
                  curl -s -X POST ${api.url}/v1/embed-tokens -H 'authorization: Bearer ${demo.secretKey}' \\
                    -H 'content-type: application/json' -d '{"user":{"id":"me","name":"Me","role":"admin"}}'

  Ctrl-C to stop.
`);
}

/** The host's staff list, as a CRM pushes it (PUT /v1/team with the secret key); every start, so edits to users.ts apply. */
async function pushTeam(apiUrl: string, secretKey: string): Promise<void> {
  const res = await fetch(`${apiUrl}/v1/team`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ users: DEMO_TEAM }),
  }).catch((err: Error) => ({ ok: false, status: 0, text: async () => err.message }));
  if (!res.ok) say(`(The team roster was not pushed: ${res.status} ${(await res.text()).slice(0, 200)})`);
}

/** A path relative to the working directory when it is inside it, else absolute. */
function shortPath(p: string): string {
  const r = relative(process.cwd(), p);
  return r && !r.startsWith('..') ? r : p;
}

function friendly(err: unknown, variable: string, value: number): Error {
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'EADDRINUSE') return new Error(`Port ${value} is already in use. Stop whatever uses it, or start with another ${variable}=...`);
  return e instanceof Error ? e : new Error(String(e));
}

main().catch((err: Error) => {
  process.stderr.write(`\nThe demo could not start: ${err.message}\n`);
  process.exit(1);
});

