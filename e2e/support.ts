/**
 * End-to-end support: the REAL one-command demo (`tsx demo/start.ts`) as a child process on free loopback ports with a
 * fresh data directory (so it seeds Radiance Aesthetics), Debian's Chromium through playwright-core, the Live Leads API
 * with an admin token minted from the demo's secret key (to choose leads and to break the telephony set-up on purpose),
 * the sandbox's control endpoints, screenshots of each step in artifacts/e2e/, and a small page object for the board.
 *
 * Importing this module registers root-level hooks: the demo and the browser start once for the whole e2e run and
 * stop in the root `after` (SIGINT, then SIGKILL of the process group after a grace period).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { strict as assert } from 'node:assert';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Locator, type Page } from 'playwright-core';
import type { Lead, LeadDetail, LeadPage, SessionInfo } from '../core/contracts.js';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const ARTIFACTS = join(ROOT, 'artifacts/e2e');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];
/** First run builds the widget bundle (vite) before the demo listens: allow for it on a busy machine. */
const START_TIMEOUT_MS = 240_000;
const STOP_GRACE_MS = 10_000;

/** The clinic number the suite imports (the sandbox owns every valid E.164 number). */
export const CLINIC_NUMBER = '+12125550100';
export const SANDBOX_TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'sandbox_e2e_token_0123', phoneNumber: CLINIC_NUMBER };
export const AGENT = {
  name: 'Ava',
  voice: 'Paige',
  systemPrompt: 'You are Ava, the assistant of Radiance Aesthetics. Offer a free consultation and answer questions about treatments.',
  firstMessage: 'Hi {{name}}, this is Ava from Radiance Aesthetics. Is now a good time?',
};

// ------------------------------------------------------------------------------------------------ the demo process

export interface Demo {
  crmUrl: string;
  apiUrl: string;
  sandboxUrl: string;
  /** The API's movable clock (demo/test-clock.ts, DEMO_TEST_CLOCK=1). */
  clockUrl: string;
  dataDir: string;
  orgId: string;
  secretKey: string;
  child: ChildProcess;
  output: () => string;
}

export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => done(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, deadline: number, probe: () => Promise<T | null | undefined>, child?: ChildProcess, output?: () => string): Promise<T> {
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`The demo exited (code ${child.exitCode}) before ${what}:\n${output?.().slice(-4000)}`);
    const value = await probe().catch(() => null);
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}.\n${output?.().slice(-4000) ?? ''}`);
    await sleep(250);
  }
}

export async function startDemo(): Promise<Demo> {
  const [crmPort, apiPort] = await Promise.all([freePort(), freePort()]);
  const dataDir = mkdtempSync(join(tmpdir(), 'live-leads-e2e-'));
  let out = '';
  // Its own process group, so the fallback kill reaches tsx's node child too.
  const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['demo/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(crmPort), API_PORT: String(apiPort), HOST: '127.0.0.1', LEADS_DATA_DIR: dataDir, LOG_LEVEL: process.env.LOG_LEVEL ?? 'error', DEMO_TEST_CLOCK: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const output = () => out;
  const crmUrl = `http://127.0.0.1:${crmPort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  await until('the CRM to answer', deadline, async () => ((await fetch(`${crmUrl}/healthz`)).ok ? true : null), child, output);
  await until('the API to be ready', deadline, async () => ((await fetch(`${apiUrl}/readyz`)).ok ? true : null), child, output);
  // The sandbox listens on an ephemeral port: the demo prints it ("sandbox at http://...").
  const sandboxUrl = await until('the sandbox URL in the demo output', deadline, async () => /sandbox at (http:\/\/[\d.:]+)/.exec(out)?.[1], child, output);
  const clockUrl = await until('the test clock URL in the demo output', deadline, async () => /Test clock at (http:\/\/[\d.:]+)/.exec(out)?.[1], child, output);
  const org = JSON.parse(readFileSync(join(dataDir, 'demo-org.json'), 'utf8')) as { orgId: string; secretKey: string };
  return { crmUrl, apiUrl, sandboxUrl, clockUrl, dataDir, orgId: org.orgId, secretKey: org.secretKey, child, output };
}

export async function stopDemo(demo: Demo): Promise<void> {
  const { child } = demo;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGINT');
    const clean = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS).then(() => false)]);
    if (!clean) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      await Promise.race([exited, sleep(2000)]);
    }
  }
  // Whatever is left in our own group (tsx's node child) goes too.
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    /* already gone */
  }
  rmSync(demo.dataDir, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------ the API (admin)

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what} answered ${status}: ${JSON.stringify(body)}`);
  }
}

export class Api {
  private token: string | null = null;
  constructor(private readonly demo: Demo) {}

  private async adminToken(): Promise<string> {
    if (this.token) return this.token;
    const res = await fetch(`${this.demo.apiUrl}/v1/embed-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${this.demo.secretKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user: { id: 'u_e2e', name: 'E2E Admin', role: 'admin' }, ttlSeconds: 3600 }),
    });
    const body = (await res.json()) as { token?: string };
    if (res.status !== 201 || !body.token) throw new ApiError(res.status, body, 'POST /v1/embed-tokens');
    return (this.token = body.token);
  }

  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const send = async () =>
      fetch(`${this.demo.apiUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${await this.adminToken()}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body !== undefined ? JSON.stringify(body) : undefined,
      });
    let res = await send();
    if (res.status === 401) {
      // The token outlived the API's clock (moved by a test, see setApiClockOffset): mint another, once.
      this.token = null;
      res = await send();
    }
    const text = await res.text();
    const json = text ? (JSON.parse(text) as unknown) : null;
    if (!res.ok) throw new ApiError(res.status, json, `${method} ${path}`);
    return json as T;
  }

  session = () => this.request<SessionInfo>('GET', '/v1/session');
  lead = (id: string) => this.request<LeadDetail>('GET', `/v1/leads/${id}`);
  page = (query: string) => this.request<LeadPage>('GET', `/v1/leads?${query}`);

  /** Every lead of the clinic, in board order. */
  async allLeads(): Promise<Lead[]> {
    const first = await this.page('pageSize=100&page=1');
    const rest = await Promise.all(Array.from({ length: Math.max(0, first.totalPages - 1) }, (_, i) => this.page(`pageSize=100&page=${i + 2}`)));
    return [first, ...rest].flatMap((p) => p.items);
  }

  /** Agent + Twilio number set up (the demo starts without either: the settings steps are part of the demo). */
  async ensureTelephony(): Promise<void> {
    const { telephony } = await this.session();
    if (!telephony.outboundAgentConfigured) await this.request('PUT', '/v1/agents/outbound', AGENT);
    if (!telephony.twilioNumber) await this.request('POST', '/v1/telephony/twilio', SANDBOX_TWILIO);
  }

  /** Waits until no call is live on the lead (so the next test starts from a quiet clinic). */
  async waitCallDone(leadId: string, ms = 30_000): Promise<LeadDetail> {
    return until(`the call to ${leadId} to end`, Date.now() + ms, async () => {
      const l = await this.lead(leadId);
      return l.activeCallId ? null : l;
    });
  }
}

/** The sandbox's control endpoints (docs: server/src/telephony/README.md). */
export class Sandbox {
  constructor(private readonly url: string) {}
  private async post(path: string, body: unknown): Promise<unknown> {
    const res = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await res.json()) as unknown;
    if (!res.ok) throw new ApiError(res.status, json, `sandbox ${path}`);
    return json;
  }
  nextCall = (scenario: 'hot' | 'warm' | 'cold' | 'voicemail' | 'no-answer' | 'booked' | 'callback' | 'not-interested' | 'needs-info') =>
    this.post('/__sandbox/next-call', { scenario });
  inbound = (from: string, to: string, body: string) => this.post('/__sandbox/inbound', { from, to, body });
}

/** Moves the API's clock `offsetMs` from real time (0 puts it back); the browser's clock is the page's own. */
export async function setApiClockOffset(offsetMs: number): Promise<void> {
  const res = await fetch(`${e2e().demo.clockUrl}/clock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ offsetMs }) });
  if (!res.ok) throw new Error(`test clock: ${res.status} ${await res.text()}`);
}

// ------------------------------------------------------------------------------------------------ shared state

export interface Env {
  demo: Demo;
  api: Api;
  sandbox: Sandbox;
  browser: Browser;
}

let env: Env | null = null;
const usedLeads = new Set<string>();

export function e2e(): Env {
  if (!env) throw new Error('The e2e environment is not started (root before hook).');
  return env;
}

/**
 * Picks a lead no other test has used, from the API (never by a fixed name): the first one `accept` takes, in board order.
 * Names are checked to be unique, so the tests can find the card by its accessible name.
 */
export async function claimLead(what: string, accept: (l: Lead) => boolean, source?: () => Promise<Lead[]>): Promise<Lead> {
  const { api } = e2e();
  const leads = await (source ? source() : api.allLeads());
  const all = source ? await api.allLeads() : leads;
  const lead = leads.find((l) => !usedLeads.has(l.id) && accept(l) && all.filter((o) => o.name === l.name).length === 1);
  assert.ok(lead, `no lead in the seed fits: ${what}`);
  usedLeads.add(lead.id);
  return lead;
}

export const OPEN_STATUSES = new Set(['new', 'contacted', 'qualified']);

before(async function () {
  this.timeout(START_TIMEOUT_MS + 60_000);
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  const t = Date.now();
  const demo = await startDemo();
  process.once('exit', () => {
    try {
      process.kill(-demo.child.pid!, 'SIGKILL');
    } catch {
      /* stopped already */
    }
  });
  const browser = await chromium.launch({ executablePath: CHROME, args: CHROME_ARGS, headless: true });
  env = { demo, api: new Api(demo), sandbox: new Sandbox(demo.sandboxUrl), browser };
  if (process.env.E2E_VERBOSE) console.log(`    (demo + browser up in ${Date.now() - t} ms: CRM ${demo.crmUrl}, API ${demo.apiUrl}, sandbox ${demo.sandboxUrl})`);
});

after(async function () {
  this.timeout(STOP_GRACE_MS + 20_000);
  const current = env;
  env = null;
  await current?.browser.close().catch(() => undefined);
  if (current) await stopDemo(current.demo);
});

// ------------------------------------------------------------------------------------------------ browser pages

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

export interface UserPage {
  page: Page;
  context: BrowserContext;
  /** Screenshot of this step into artifacts/e2e/<test>/NN-<label>.png. */
  shot(label: string): Promise<void>;
  /** Uncaught page errors and CSP violations seen so far. */
  problems: string[];
  /** Tap on touch devices, click elsewhere. */
  press(target: Locator): Promise<void>;
  mobile: boolean;
}

export interface OpenOptions {
  role?: 'agent' | 'admin';
  mobile?: boolean;
  /** Screenshot folder (defaults to the current test's full title). */
  name?: string;
}

const contexts: BrowserContext[] = [];
afterEach(async function () {
  const failed = this.currentTest?.state === 'failed';
  for (const [i, c] of contexts.splice(0).entries()) {
    if (failed) {
      // What the user saw when it failed.
      const dir = join(ARTIFACTS, slug(this.currentTest?.parent?.title || 'suite'), slug(this.currentTest?.title ?? 'test'));
      mkdirSync(dir, { recursive: true });
      for (const [j, p] of c.pages().entries()) await p.screenshot({ path: join(dir, `zz-failure-${i}-${j}.png`) }).catch(() => undefined);
    }
    await c.close().catch(() => undefined);
  }
});

/** A new browser context (its own cookies: one "user" of the CRM) with one page; closed after the test. */
export async function openUser(test: Mocha.Context, opts: OpenOptions = {}): Promise<UserPage> {
  const { browser, demo } = e2e();
  const mobile = !!opts.mobile;
  const options: BrowserContextOptions = mobile
    ? { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US', timezoneId: 'America/New_York' }
    : { viewport: { width: 1366, height: 900 }, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'America/New_York' };
  const context = await browser.newContext({ ...options, colorScheme: 'light' });
  contexts.push(context);
  context.setDefaultTimeout(15_000);
  if (opts.role) await context.addCookies([{ name: 'crm_user', value: opts.role, url: demo.crmUrl }]);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Content[- ]Security[- ]Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
    if (process.env.E2E_VERBOSE && (m.type() === 'error' || m.type() === 'warning')) console.log(`      [console.${m.type()}] ${m.text()} ${m.location().url}`);
  });
  if (process.env.E2E_VERBOSE) page.on('requestfailed', (r) => console.log(`      [request failed] ${r.method()} ${r.url()} ${r.failure()?.errorText ?? ''}`));
  const current = test.test ?? test.currentTest;
  const dir = join(ARTIFACTS, slug(current?.parent?.title || 'suite'), slug(opts.name ?? current?.title ?? 'test'));
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    page,
    context,
    problems,
    mobile,
    shot: async (label) => {
      n += 1;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${slug(label)}.png`), animations: 'disabled', caret: 'hide' });
    },
    press: (target) => (mobile ? target.tap() : target.click()),
  };
}

export const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Polls `probe` until it is true (UI state, never a fixed sleep), else fails with `what`. */
export async function eventually(what: string, probe: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      if (await probe()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms: ${what}${last ? ` (${(last as Error).message})` : ''}`);
    await sleep(100);
  }
}

/** The Leads page of the CRM with the embedded board, driven the way a user would (roles, labels, text). */
export class Board {
  readonly root: Locator;
  constructor(readonly user: UserPage) {
    this.root = user.page.locator('leads-board');
  }
  get page(): Page {
    return this.user.page;
  }

  static async open(user: UserPage): Promise<Board> {
    const board = new Board(user);
    await user.page.goto(`${e2e().demo.crmUrl}/`, { waitUntil: 'load' });
    await board.cards().first().waitFor();
    await board.pageInfo().waitFor();
    return board;
  }

  cards(): Locator {
    return this.root.getByRole('article');
  }
  /** A lead's card, by its accessible name "Name, Hot 85, New" (`rest`: exactly what follows the name). */
  card(name: string, rest?: string): Locator {
    const tail = rest === undefined ? '' : `${escapeRe(rest)}$`;
    return this.root.getByRole('article', { name: new RegExp(`^${escapeRe(name)}, ${tail}`) });
  }
  searchBox(): Locator {
    return this.root.getByRole('searchbox', { name: 'Search leads by name or phone' });
  }
  tierChip(tier: 'All' | 'Hot' | 'Warm' | 'Cold'): Locator {
    return this.root.getByRole('group', { name: 'Score tier' }).getByRole('button', { name: new RegExp(`^${tier}\\b`) });
  }
  statusFilter(): Locator {
    return this.root.getByRole('combobox', { name: 'Filter by status' });
  }
  heading(): Locator {
    return this.root.getByRole('heading', { level: 2 }).first();
  }
  pager(): Locator {
    return this.root.getByRole('navigation', { name: 'Pages' });
  }
  pageInfo(): Locator {
    return this.pager().getByText(/^Page \d+ of \d+/);
  }
  toast(text: string | RegExp): Locator {
    return this.root.locator('leads-toaster').getByRole('status').getByText(text);
  }
  detail(name: string): Locator {
    return this.page.getByRole('dialog', { name });
  }
  composer(name: string): Locator {
    return this.page.getByRole('dialog', { name: `Text ${name}` });
  }
  /** The "Why was this lead lost?" dialog that Lost opens (from a card, the L key or the detail). */
  lostDialog(): Locator {
    return this.page.getByRole('dialog', { name: 'Why was this lead lost?' });
  }
  /** Answers the open Lost dialog as a user: the reason by its label, an optional note, the revisit box; then confirms. */
  async answerLost(reason: string, opts: { note?: string; revisit?: boolean; confirm?: boolean } = {}): Promise<Locator> {
    const dialog = this.lostDialog();
    await dialog.waitFor();
    await this.user.press(dialog.getByRole('radio', { name: reason, exact: true }));
    if (opts.note !== undefined) await dialog.getByRole('textbox', { name: /^Note/ }).fill(opts.note);
    const box = dialog.getByRole('checkbox', { name: /^Revisit in 90 days/ });
    if (opts.revisit !== undefined && (await box.isChecked()) !== opts.revisit) await this.user.press(box);
    const confirm = dialog.getByRole('button', { name: 'Mark lost' });
    if (opts.confirm !== false) {
      await this.user.press(confirm);
      await dialog.waitFor({ state: 'detached' });
    }
    return confirm;
  }

  /** "N total" in the board's header. */
  async total(): Promise<number | null> {
    const m = /(\d+) total/.exec((await this.heading().textContent()) ?? '');
    return m ? Number(m[1]) : null;
  }
  async waitTotal(expected: number, ms = 10_000): Promise<void> {
    await eventually(`the board to show "${expected} total" (shows ${await this.total()})`, async () => (await this.total()) === expected, ms);
  }
  async search(q: string): Promise<void> {
    const box = this.searchBox();
    await box.fill(q);
    await box.press('Enter');
  }
  /** Types into the search box and waits for the board to list exactly `expected` leads. */
  async searchFor(q: string, expected: number): Promise<void> {
    await this.search(q);
    await this.waitTotal(expected);
    await this.waitIdle();
  }
  /** No load in flight (the list is not busy). */
  async waitIdle(): Promise<void> {
    await this.root.getByRole('list', { name: 'Leads' }).and(this.root.locator('[aria-busy="false"]')).or(this.root.getByText('No leads match these filters')).first().waitFor();
  }
  async cardNames(): Promise<string[]> {
    const labels = await this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
    return labels.map((l) => l.replace(/, (Hot|Warm|Cold) \d+, \w+$/, ''));
  }
  async cardLabels(): Promise<string[]> {
    return this.cards().evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
  }
  async chooseTier(tier: 'All' | 'Hot' | 'Warm' | 'Cold', expectedTotal: number): Promise<void> {
    await this.user.press(this.tierChip(tier));
    await eventually(`the ${tier} chip to be pressed`, async () => (await this.tierChip(tier).getAttribute('aria-pressed')) === 'true');
    await this.waitTotal(expectedTotal);
    await this.waitIdle();
  }
  /** Opens a lead's detail the way a user does: a tap or click on its name. */
  async openDetail(name: string): Promise<Locator> {
    await this.user.press(this.card(name).getByRole('heading', { name }));
    const dialog = this.detail(name);
    await dialog.waitFor();
    // Loaded: the status section is there (the skeleton shows until GET /v1/leads/:id answers).
    await dialog.getByRole('heading', { name: 'Status', level: 3 }).waitFor();
    return dialog;
  }
}

/** Local wall-clock minutes of `at` in `timeZone`. */
export function minutesIn(timeZone: string, at = new Date()): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}
export const hhmm = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));

/**
 * Records, in the page, every distinct call state a lead's card shows (its call button's label and its live status
 * line), polled every 25 ms: the live states last 1.5-5 s, so the assertion on their order does not depend on how
 * fast a busy machine takes screenshots between them.
 */
export async function recordCallStates(page: Page, leadName: string): Promise<() => Promise<string[]>> {
  const key = `__callStates_${Math.random().toString(36).slice(2)}`;
  await page.evaluate(
    ({ key, name }) => {
      const seen: string[] = [];
      (window as unknown as Record<string, unknown>)[key] = seen;
      setInterval(() => {
        const cards = document.querySelector('leads-board')?.shadowRoot?.querySelectorAll('lead-card') ?? [];
        const card = [...cards].find((c) => (c.getAttribute('aria-label') ?? '').startsWith(`${name},`));
        const root = card?.shadowRoot;
        if (!root) return;
        const button = root.querySelector('[part="call-button"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
        const status = root.querySelector('[role="status"]')?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
        const state = `${button} | ${status}`;
        if (seen.at(-1) !== state) seen.push(state);
      }, 25);
    },
    { key, name: leadName },
  );
  return () => page.evaluate((k) => [...((window as unknown as Record<string, string[]>)[k] ?? [])], key);
}

/** Asserts `states` passes through each of `expected` (regexps), in order. */
export function assertInOrder(states: string[], expected: RegExp[], what: string): void {
  let i = 0;
  for (const re of expected) {
    while (i < states.length && !re.test(states[i])) i++;
    assert.ok(i < states.length, `${what}: expected ${re} after the earlier states, saw:\n  ${states.join('\n  ')}`);
    i++;
  }
}
