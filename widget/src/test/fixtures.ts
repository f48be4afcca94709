/**
 * Test helpers for the widget: lead factories, an in-memory backend behind a fake `fetch` (so the real
 * LeadsApiClient runs in every component test), fake live updates, and a context provider element.
 */
import { ContextProvider } from '@lit/context';
import { LitElement, html } from 'lit';
import type { Call, FollowUp, Lead, LeadStatus, SmsLog } from '../../../core/contracts.js';
import { LeadsApiClient } from '../api/client.js';
import { LiveEmitter, type LiveClientEvents, type LiveEventMap } from '../api/live.js';
import type { Team } from '../api/team.js';
import { apiContext, configContext, liveContext, defaultConfig, type WidgetConfig } from '../contexts.js';
import { tierOf } from '../format.js';
import { CampaignBackend } from './campaign-backend.js';

let n = 0;
export function makeLead(overrides: Partial<Lead> = {}): Lead {
  n++;
  const score = overrides.leadScore ?? 85;
  const now = new Date().toISOString();
  return {
    id: `lead-${n}`,
    name: `Lead ${n}`,
    phone: '+12125551234',
    phoneValid: true,
    email: null,
    services: ['Botox'],
    leadScore: score,
    tier: tierOf(score),
    leadStatus: 'new',
    lastContactAt: null,
    lastAttemptAt: null,
    scoreBreakdown: null,
    smsOptOut: null,
    consent: null,
    externalId: null,
    timezone: null,
    lostFrom: null,
    lostBy: null,
    lostAt: null,
    activeCallId: null,
    lostReason: null,
    lostNote: null,
    nextAppointmentAt: null,
    nextFollowUpAt: null,
    nextFollowUpId: null,
    lastInboundSentiment: null,
    ownerId: null,
    ownerName: null,
    lastCallOutcome: null,
    createdAt: now,
    updatedAt: now,
    version: 1,
    ...overrides,
  } as Lead;
}

export function makeCall(overrides: Partial<Call> = {}): Call {
  return {
    id: 'call-1',
    contactId: 'lead-1',
    vapiCallId: 'v-1',
    status: 'queued',
    endedReason: null,
    startedAt: null,
    endedAt: null,
    durationSec: null,
    transcript: null,
    messages: [],
    summary: null,
    recordingUrl: null,
    scoreBefore: null,
    scoreAfter: null,
    createdBy: 'u1',
    error: null,
    createdAt: new Date().toISOString(),
    ...overrides,
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Headers;
  body: unknown;
}

type Reply = { status: number; body?: unknown };
type Override = (req: RecordedRequest) => Reply | undefined | Promise<Reply | undefined>;

/** An in-memory API that follows docs/api.md closely enough for the widget. */
export class FakeBackend {
  leads: Lead[];
  requests: RecordedRequest[] = [];
  /** Checked before the built-in routes; return a reply to take over a request. */
  overrides: Override[] = [];
  /** The lead ids in each priority view (GET /v1/leads?view=, GET /v1/views), as the server would compute them. */
  views: Record<string, string[]> = {};
  /** Follow-ups (open and done); GET /v1/leads/:id lists a lead's open ones, earliest first. */
  followUps: FollowUp[] = [];
  /** Delay every reply (ms), to observe loading states. */
  delay = 0;
  /** The signed-in user's role (GET /v1/session); admin-only routes refuse an agent with 403 as the server does. */
  role: 'agent' | 'admin' = 'agent';
  /** The clinic's roster (GET /v1/team); the signed-in user is u1 (Ann). */
  team: Team = {
    users: [
      { id: 'u1', name: 'Ann', role: 'agent', hasPhone: true },
      { id: 'u2', name: 'Sam', role: 'agent', hasPhone: false },
      { id: 'u3', name: 'Maria', role: 'admin', hasPhone: true },
    ],
    me: { id: 'u1', matched: true },
  };
  /** GET /v1/session's callModes (null: not sent, as before issue 13). */
  callModes: Array<'agent' | 'connect'> | null = null;
  /** Queue claims: lead id -> the user holding it (tests put colleagues' claims here). */
  claims = new Map<string, string>();
  /** Leads with a live call (POST /v1/leads/:id/calls answers 409 CALL_IN_PROGRESS, as the server does). */
  liveCalls = new Set<string>();
  client: LeadsApiClient;
  /** SMS templates and campaigns (campaign-backend.ts). */
  campaigns = new CampaignBackend(() => this.leads, (q) => this.filtered(q), () => this.role);

  constructor(leads: Lead[] = [], clientOptions: { token?: string; tokenProvider?: () => Promise<string> } = {}) {
    this.leads = leads;
    this.client = new LeadsApiClient({ baseUrl: 'http://api.test', token: clientOptions.token ?? 'tok', tokenProvider: clientOptions.tokenProvider, fetch: this.fetch });
  }

  fetch = async (input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> => {
    const url = new URL(String(input));
    const req: RecordedRequest = {
      method: init.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: new Headers(init.headers),
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    this.requests.push(req);
    if (this.delay) await new Promise((r) => setTimeout(r, this.delay));
    if (init.signal?.aborted) throw new DOMException('aborted', 'AbortError');
    let reply: Reply | undefined;
    for (const o of this.overrides) {
      reply = await o(req);
      if (reply) break;
    }
    reply ??= this.route(req);
    if (reply.body instanceof Blob) return new Response(reply.body, { status: reply.status });
    return new Response(reply.body === undefined ? null : JSON.stringify(reply.body), {
      status: reply.status,
      headers: { 'Content-Type': 'application/json' },
    });
  };

  requestsTo(method: string, path: string | RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)));
  }

  private route(req: RecordedRequest): Reply {
    const { method, path } = req;
    if (method === 'GET' && path === '/v1/session') {
      const modes = this.callModes ? { callModes: this.callModes } : {};
      return { status: 200, body: { user: { id: 'u1', name: 'Ann', role: this.role }, org: { id: 'o1', name: 'Clinic', timezone: 'UTC' }, telephony: { outboundAgentConfigured: true, twilioNumber: '+15550001111', sandbox: true }, ...modes } };
    }
    const team = this.teamRoute(req);
    if (team) return team;
    if (method === 'GET' && path === '/v1/leads') return { status: 200, body: this.page(req.query) };
    if (method === 'GET' && path === '/v1/views') {
      // Strict like the server: only the board's filters.
      const extra = [...req.query.keys()].filter((k) => !['tier', 'status', 'q', 'appointment', 'lostReason', 'owner'].includes(k));
      if (extra.length) return error(400, 'VALIDATION_FAILED', `unknown ${extra.join(', ')}`);
      const labels: Record<string, string> = { call_today: 'Call today', this_week: 'This week', nurture: 'Nurture', revisit_lost: 'Revisit lost' };
      const views = Object.keys(labels).map((view) => {
        const q = new URLSearchParams(req.query);
        q.set('view', view);
        return { view, label: labels[view], count: this.filtered(q).length };
      });
      return { status: 200, body: { views, at: new Date().toISOString() } };
    }
    if (method === 'GET' && path === '/v1/leads.csv') return { status: 200, body: new Blob(['name,phone\n']) };
    const campaignReply = this.campaigns.route(req);
    if (campaignReply) return campaignReply;
    const fm = /^\/v1\/follow-ups\/([^/]+)$/.exec(path);
    if (fm) return this.followUpRoute(req, decodeURIComponent(fm[1]));
    const m = /^\/v1\/leads\/([^/]+)(?:\/([\w-]+))?$/.exec(path);
    const lead = m ? this.leads.find((l) => l.id === decodeURIComponent(m[1])) : undefined;
    if (m && !lead) return error(404, 'NOT_FOUND', 'No such lead');
    if (lead && method === 'PATCH' && !m![2] && 'ownerId' in (req.body as object)) {
      const ownerId = (req.body as { ownerId: string | null }).ownerId;
      const owner = ownerId === null ? null : this.team.users.find((u) => u.id === ownerId);
      if (owner === undefined) return error(400, 'UNKNOWN_OWNER', `Nobody with the id "${ownerId}" is on the clinic's team.`);
      Object.assign(lead, { ownerId, ownerName: owner?.name ?? null, version: lead.version + 1 });
      return { status: 200, body: { lead: { ...lead } } };
    }
    if (lead && method === 'PATCH' && !m![2] && (req.body as { contact?: unknown }).contact) {
      // A contact edit (docs/api.md): version-checked, the phone re-validated (E.164 after removing formatting).
      const body = req.body as { contact: Partial<Lead>; expectedVersion: number };
      if (body.expectedVersion !== lead.version) return error(409, 'STALE_LEAD', 'Changed', { lead: { ...lead } });
      const c = { ...body.contact };
      if (c.phone !== undefined) {
        const phone = c.phone.replace(/[\s().-]/g, '');
        if (!/^\+[1-9]\d{6,14}$/.test(phone)) {
          return error(400, 'INVALID_PHONE_FORMAT', `"${c.phone}" has no country code we recognise: start with + and the country code, for example +12125550123.`, { field: 'contact.phone' });
        }
        Object.assign(c, { phone, phoneValid: true });
      }
      Object.assign(lead, c, { version: lead.version + 1 });
      return { status: 200, body: { lead: { ...lead } } };
    }
    if (lead && method === 'PATCH' && !m![2]) {
      const body = req.body as { status: LeadStatus; expectedStatus?: LeadStatus; lostReason?: Lead['lostReason']; lostNote?: string };
      // As the server (docs/api.md): a Lost needs a reason, and "other" a note.
      if (body.status === 'lost' && !body.lostReason) return error(400, 'LOST_REASON_REQUIRED', 'Say why this lead was lost.');
      if (body.lostReason === 'other' && !body.lostNote) return error(400, 'LOST_NOTE_REQUIRED', 'Add a note.');
      if (body.expectedStatus && body.expectedStatus !== lead.leadStatus) return error(409, 'STALE_LEAD', 'Changed', { lead });
      const lost = body.status === 'lost';
      Object.assign(lead, {
        leadStatus: body.status,
        version: lead.version + 1,
        lostFrom: lost ? lead.leadStatus : null,
        lostReason: lost ? body.lostReason : null,
        lostNote: lost ? body.lostNote ?? null : null,
      });
      return { status: 200, body: { lead: { ...lead } } };
    }
    if (lead && method === 'POST' && m![2] === 'revert') {
      Object.assign(lead, { leadStatus: lead.lostFrom ?? 'new', lostFrom: null, lostReason: null, lostNote: null, version: lead.version + 1 });
      return { status: 200, body: { lead: { ...lead } } };
    }
    if (lead && method === 'POST' && m![2] === 'follow-ups') {
      const body = req.body as { dueAt: string; note?: string | null };
      if (Date.parse(body.dueAt) < Date.now() - 60_000) return error(400, 'DUE_IN_PAST', 'A follow-up is due in the future: pick a later time.');
      const at = new Date().toISOString();
      const followUp: FollowUp = { id: `fu-${this.requests.length}`, contactId: lead.id, dueAt: new Date(body.dueAt).toISOString(), note: body.note ?? null, status: 'open', source: 'manual', createdBy: { id: 'u1', name: 'Ann' }, createdAt: at, updatedAt: at, doneAt: null, doneBy: null, remindedAt: null };
      this.followUps.push(followUp);
      if (!lead.nextFollowUpAt || Date.parse(followUp.dueAt) < Date.parse(lead.nextFollowUpAt)) Object.assign(lead, { nextFollowUpAt: followUp.dueAt, nextFollowUpId: followUp.id });
      return { status: 201, body: { followUp } };
    }
    if (lead && method === 'POST' && m![2] === 'calls') {
      if (this.liveCalls.has(lead.id)) return error(409, 'CALL_IN_PROGRESS', `A call to ${lead.name} is already in progress.`);
      this.liveCalls.add(lead.id);
      const mode = (req.body as { mode?: string }).mode;
      if (mode === 'connect') return { status: 202, body: { call: { ...makeCall({ id: `call-${lead.id}`, contactId: lead.id }), mode, legs: [{ role: 'caller', status: 'ringing', startedAt: null, endedAt: null }] } } };
      return { status: 202, body: { call: makeCall({ id: `call-${lead.id}`, contactId: lead.id }) } };
    }
    if (lead && method === 'POST' && m![2] === 'sms') {
      const sms = { id: 'sms-1', contactId: lead.id, body: (req.body as { body: string }).body, status: 'queued' } as SmsLog;
      return { status: 202, body: { sms, scheduled: false } };
    }
    if (lead && method === 'DELETE' && !m![2]) {
      if (this.role !== 'admin') return error(403, 'FORBIDDEN', 'Only an admin of this clinic can do this.');
      this.leads = this.leads.filter((l) => l !== lead);
      return { status: 204 };
    }
    if (lead && method === 'GET' && !m![2]) {
      const followUps = this.openFollowUps(lead.id);
      return { status: 200, body: { ...lead, calls: [], appointments: [], notes: [], timeline: [], followUps, allowedTransitions: [], canUndoLost: false, canRevertLost: false } };
    }
    return error(404, 'NOT_FOUND', `No route ${method} ${path}`);
  }

  /** GET /v1/team, POST /v1/leads/assign and the queue (DESIGN.md "Working the list"; /tmp contract of issue 13). */
  private teamRoute(req: RecordedRequest): Reply | undefined {
    const { method, path } = req;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (method === 'GET' && path === '/v1/team') return { status: 200, body: this.team };
    if (method === 'POST' && path === '/v1/leads/assign') {
      const ownerId = body.ownerId as string | null;
      const owner = ownerId === null ? null : this.team.users.find((u) => u.id === ownerId);
      if (owner === undefined) return error(400, 'UNKNOWN_OWNER', `Nobody with the id "${ownerId}" is on the clinic's team.`);
      const ids = body.leadIds as string[] | undefined;
      const missing = ids?.find((id) => !this.leads.some((l) => l.id === id));
      if (missing) return error(404, 'LEAD_NOT_FOUND', `No lead ${missing} in this clinic: nothing was assigned.`);
      const targets = ids ? this.leads.filter((l) => ids.includes(l.id)) : this.filtered(this.filterQuery(body.filter));
      for (const l of targets) Object.assign(l, { ownerId, ownerName: owner?.name ?? null, version: l.version + 1 });
      return { status: 200, body: { assigned: targets.length, leadIds: targets.map((l) => l.id) } };
    }
    if (method === 'POST' && path === '/v1/queue/next') {
      if (typeof body.release === 'string' && this.claims.get(body.release) === 'u1') this.claims.delete(body.release);
      const skip = new Set((body.skip as string[] | undefined) ?? []);
      const q = this.filterQuery(body.filter);
      if (typeof body.sort === 'string') q.set('sort', body.sort);
      const free = this.filtered(q).filter((l) => !this.claims.has(l.id) && !skip.has(l.id));
      const lead = free[0] ?? null;
      if (!lead) return { status: 200, body: { lead: null, claim: null, remaining: 0 } };
      this.claims.set(lead.id, 'u1');
      const claim = { leadId: lead.id, userId: 'u1', expiresAt: new Date(Date.now() + 120_000).toISOString() };
      return { status: 200, body: { lead: { ...lead }, claim, remaining: free.length - 1 } };
    }
    const claim = /^\/v1\/queue\/claims\/([^/]+)(\/renew)?$/.exec(path);
    if (claim) {
      const id = decodeURIComponent(claim[1]);
      if (method === 'DELETE') {
        if (this.claims.get(id) === 'u1') this.claims.delete(id);
        return { status: 204 };
      }
      if (this.claims.get(id) !== 'u1') return error(409, 'CLAIM_LOST', 'A colleague holds this lead now.');
      return { status: 200, body: { claim: { leadId: id, userId: 'u1', expiresAt: new Date(Date.now() + 120_000).toISOString() } } };
    }
    return undefined;
  }

  private filterQuery(filter: unknown): URLSearchParams {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries((filter ?? {}) as Record<string, unknown>)) if (v !== null && v !== undefined) q.set(k, String(v));
    return q;
  }

  openFollowUps(leadId: string): FollowUp[] {
    return this.followUps.filter((f) => f.contactId === leadId && f.status === 'open').sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt)).map((f) => ({ ...f }));
  }

  /** PATCH / DELETE /v1/follow-ups/:id, keeping the lead's nextFollowUpAt / nextFollowUpId current (as docs/api.md). */
  private followUpRoute(req: RecordedRequest, id: string): Reply {
    const f = this.followUps.find((x) => x.id === id);
    if (!f) return error(404, 'NOT_FOUND', 'No such follow-up');
    if (req.method === 'PATCH') {
      const body = req.body as { done?: boolean; dueAt?: string; note?: string | null };
      if (body.dueAt !== undefined && Date.parse(body.dueAt) < Date.now() - 5 * 60_000) return error(400, 'DUE_IN_PAST', 'A follow-up is due in the future: pick a later time.');
      const at = new Date().toISOString();
      if (body.done !== undefined) Object.assign(f, { status: body.done ? 'done' : 'open', doneAt: body.done ? at : null, doneBy: body.done ? { id: 'u1', name: 'Ann' } : null });
      if (body.dueAt !== undefined) Object.assign(f, { dueAt: new Date(body.dueAt).toISOString(), remindedAt: null });
      if (body.note !== undefined) f.note = body.note;
      f.updatedAt = at;
    } else if (req.method === 'DELETE') {
      this.followUps = this.followUps.filter((x) => x !== f);
    } else return error(405, 'METHOD_NOT_ALLOWED', 'No');
    const lead = this.leads.find((l) => l.id === f.contactId);
    if (lead) {
      const next = this.openFollowUps(lead.id)[0] ?? null;
      Object.assign(lead, { nextFollowUpAt: next?.dueAt ?? null, nextFollowUpId: next?.id ?? null, version: lead.version + 1 });
    }
    return req.method === 'DELETE' ? { status: 204 } : { status: 200, body: { followUp: { ...f } } };
  }

  filtered(query: URLSearchParams): Lead[] {
    const tiers = query.get('tier')?.split(',');
    const status = query.get('status');
    const q = query.get('q')?.toLowerCase();
    const view = query.get('view');
    const appointment = query.get('appointment');
    const lostReason = query.get('lostReason');
    const owner = query.get('owner');
    const ownerOf = owner === 'me' ? 'u1' : owner === 'none' ? null : owner;
    const now = Date.now();
    const upcoming = (l: Lead) => (l.nextAppointmentAt && Date.parse(l.nextAppointmentAt) > now ? Date.parse(l.nextAppointmentAt) : null);
    // The clinic's zone is UTC here (GET /v1/session).
    const today = (at: number) => new Date(at).toISOString().slice(0, 10) === new Date(now).toISOString().slice(0, 10);
    const sort = query.get('sort') ?? 'score';
    const time = (v: string | null, none: number) => (v ? Date.parse(v) : none);
    const order: Record<string, (a: Lead, b: Lead) => number> = {
      score: (a, b) => b.leadScore - a.leadScore,
      last_contact: (a, b) => time(a.lastContactAt, -Infinity) - time(b.lastContactAt, -Infinity),
      newest: (a, b) => time(b.createdAt, 0) - time(a.createdAt, 0),
      follow_up: (a, b) => time(a.nextFollowUpAt, Infinity) - time(b.nextFollowUpAt, Infinity),
    };
    return this.leads
      .filter((l) => !tiers || tiers.includes(tierOf(l.leadScore)))
      .filter((l) => !status || l.leadStatus === status)
      .filter((l) => !view || (this.views[view] ?? []).includes(l.id))
      .filter((l) => !appointment || (appointment === 'none' ? upcoming(l) === null : l.nextAppointmentAt !== null && today(Date.parse(l.nextAppointmentAt))))
      .filter((l) => !lostReason || l.lostReason === lostReason)
      .filter((l) => !owner || (l.ownerId ?? null) === ownerOf)
      .filter((l) => !q || l.name.toLowerCase().includes(q) || (q.replace(/\D/g, '') && l.phone.includes(q.replace(/\D/g, ''))))
      .sort(order[sort]);
  }

  private page(query: URLSearchParams) {
    const page = Number(query.get('page') ?? 1);
    const pageSize = Number(query.get('pageSize') ?? 20);
    const items = this.filtered(query);
    const total = items.length;
    return { items: items.slice((page - 1) * pageSize, page * pageSize).map((l) => ({ ...l })), page, pageSize, total, totalPages: Math.ceil(total / pageSize) };
  }
}

export function error(status: number, code: string, message: string, details?: unknown): Reply {
  return { status, body: { error: { code, message, details } } };
}

/** Live updates a test drives by hand. */
export class FakeLive extends LiveEmitter {
  /** What the widget sent (presence:set / presence:clear), in order. */
  sent: Array<{ event: keyof LiveClientEvents; payload: unknown }> = [];
  send<K extends keyof LiveClientEvents>(event: K, payload: LiveClientEvents[K]): void {
    this.sent.push({ event, payload });
  }
  /** Pretend the socket (re)connected or dropped: presence re-sends or clears on it. */
  setConnected(connected: boolean): void {
    this.setStatus(connected ? 'connected' : 'disconnected');
  }
  push<K extends keyof LiveEventMap>(event: K, ...payload: LiveEventMap[K] extends void ? [] : [LiveEventMap[K]]): void {
    this.emit(event, ...payload);
  }
  listeners(event: keyof LiveEventMap): number {
    return (this as unknown as { handlers: Map<string, Set<unknown>> }).handlers.get(event)?.size ?? 0;
  }
}

/** Provides the three contexts to its light-DOM children, like the board does. */
export class TestProvider extends LitElement {
  static override properties = { api: { attribute: false }, live: { attribute: false }, config: { attribute: false } };
  api?: LeadsApiClient;
  live?: LiveEmitter;
  config: WidgetConfig = defaultConfig;
  private apiP = new ContextProvider(this, { context: apiContext });
  private liveP = new ContextProvider(this, { context: liveContext });
  private configP = new ContextProvider(this, { context: configContext, initialValue: defaultConfig });

  protected override willUpdate(): void {
    this.apiP.setValue(this.api);
    this.liveP.setValue(this.live);
    this.configP.setValue(this.config);
  }

  override render() {
    return html`<slot></slot>`;
  }
}
if (!customElements.get('test-provider')) customElements.define('test-provider', TestProvider);

/** Wait until `check` is true (polling), or fail after `timeout` ms. */
export async function waitFor(check: () => unknown, message = 'condition', timeout = 3000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeout) throw new Error(`Timed out waiting for ${message}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The "Why was this lead lost?" dialog once it has opened under `root` (a shadow root). */
export async function lostDialogIn(root: ParentNode): Promise<import('../dialogs/lost-reason-dialog.js').LostReasonDialog> {
  await waitFor(() => root.querySelector('lost-reason-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'the Lost dialog');
  const dialog = root.querySelector('lost-reason-dialog')!;
  await dialog.updateComplete;
  return dialog;
}

/** Picks `reason` in the Lost dialog under `root` (with `note`), sets the revisit box when given, and confirms. */
export async function pickLostReason(root: ParentNode, reason: string, opts: { note?: string; revisit?: boolean } = {}): Promise<void> {
  const dialog = await lostDialogIn(root);
  const r = dialog.shadowRoot!;
  r.querySelector<HTMLInputElement>(`input[type="radio"][value="${reason}"]`)!.click();
  await dialog.updateComplete;
  if (opts.note !== undefined) {
    const input = r.querySelector<HTMLInputElement>('input.note')!;
    input.value = opts.note;
    input.dispatchEvent(new InputEvent('input', { bubbles: true }));
  }
  const box = r.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
  if (opts.revisit !== undefined && box.checked !== opts.revisit) box.click();
  await dialog.updateComplete;
  r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
}
