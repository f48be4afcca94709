/**
 * LeadsApiClient: the widget's only door to the HTTP API (docs/api.md).
 * Elements never call `fetch`; they receive this client through `apiContext` (contexts.ts).
 */
import type {
  ApiErrorBody,
  Call,
  LeadDetail,
  LeadPage,
  LeadStatus,
  FollowUp,
  Lead,
  LostReason,
  Note,
  SessionInfo,
  SmsSendReply,
  Tier,
  ViewCounts,
} from '../../../core/contracts.js';
import type { BoardSort } from '../../../core/board.js';
import type { AppointmentFilter, ViewName } from '../../../core/views.js';

/** An async function returning a fresh embed token. Called at start and once after a 401 TOKEN_EXPIRED. */
export type TokenProvider = () => Promise<string> | string;

export interface LeadsApiClientOptions {
  /** API origin, e.g. `https://api.example.com` (the `/v1` prefix is added by the client). */
  baseUrl: string;
  /** A static token; used until it expires, then `tokenProvider` (if any) is asked for a new one. */
  token?: string | null;
  tokenProvider?: TokenProvider | null;
  /** Injected fetch (tests, or a host that wraps fetch). Defaults to the global fetch. */
  fetch?: typeof fetch;
}

/** The filters of the board (GET /v1/leads and GET /v1/leads.csv). */
export interface LeadQuery {
  tier?: Tier | Tier[] | null;
  status?: LeadStatus | null;
  q?: string | null;
  /** score (the default, not sent), last_contact (oldest first), newest, follow_up (next due first). */
  sort?: BoardSort | null;
  /** A priority view computed on the server (GET /v1/views gives their counts). */
  view?: ViewName | null;
  /** none: no upcoming appointment; today: an appointment today (clinic time). */
  appointment?: AppointmentFilter | null;
  /** Only leads marked lost for this reason. */
  lostReason?: LostReason | null;
  /** Owner: me (the signed-in user), none (unassigned) or a team user's id. */
  owner?: string | null;
  page?: number;
  pageSize?: number;
}

export interface StatusChange {
  status: LeadStatus;
  /** The status the user saw; a stale one gets 409 STALE_LEAD with `details.lead`. */
  expectedStatus?: LeadStatus;
  expectedVersion?: number;
  /** Required with `status: 'lost'` (400 LOST_REASON_REQUIRED without it). */
  lostReason?: LostReason;
  /** Required with `lostReason: 'other'` (400 LOST_NOTE_REQUIRED). */
  lostNote?: string;
  /** Schedules the revisit follow-up this many days ahead (09:00 clinic time). */
  revisitInDays?: number;
}

/** A typed error built from the API's error shape `{ error: { code, message, details } }`. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

/** Codes the call button turns into a step-by-step guide (call-error-guide). */
export const CALL_SETUP_ERROR_CODES = ['OUTBOUND_AGENT_NOT_CONFIGURED', 'NO_PHONE_NUMBER', 'INVALID_PHONE_FORMAT'] as const;
export type CallSetupErrorCode = (typeof CALL_SETUP_ERROR_CODES)[number];

/** A random key for POST /v1/leads/:id/sms; create one per composed message and reuse it for retries. */
export function newIdempotencyKey(): string {
  const c = globalThis.crypto;
  if (typeof c?.randomUUID === 'function') {
    try {
      return c.randomUUID();
    } catch {
      /* insecure context: fall through */
    }
  }
  const bytes = c.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: LeadQuery;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  raw?: boolean;
}

export class LeadsApiClient {
  readonly baseUrl: string;
  private token: string | null;
  private tokenProvider: TokenProvider | null;
  private readonly fetchImpl: typeof fetch;
  private refreshing: Promise<string | null> | null = null;

  constructor(options: LeadsApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token ?? null;
    this.tokenProvider = options.tokenProvider ?? null;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Replace the static token (the board calls this when its `token` attribute changes). */
  setToken(token: string | null): void {
    this.token = token;
  }

  setTokenProvider(provider: TokenProvider | null): void {
    this.tokenProvider = provider;
  }

  /** The current token, asking the provider when there is none yet. Shared with the live service. */
  async getToken(): Promise<string | null> {
    if (this.token) return this.token;
    return this.refreshToken();
  }

  /** Ask the provider for a new token; concurrent callers share one request. Returns the old token without a provider. */
  refreshToken(): Promise<string | null> {
    if (!this.tokenProvider) return Promise.resolve(this.token);
    this.refreshing ??= Promise.resolve()
      .then(() => this.tokenProvider!())
      .then((t) => (this.token = t || null))
      .finally(() => (this.refreshing = null));
    return this.refreshing;
  }

  // --- routes -------------------------------------------------------------------------------

  session(signal?: AbortSignal): Promise<SessionInfo> {
    return this.request('/v1/session', { signal });
  }

  listLeads(query: LeadQuery = {}, signal?: AbortSignal): Promise<LeadPage> {
    return this.request('/v1/leads', { query, signal });
  }

  /** Each priority view's count under the board's other filters (tier, status, q, appointment). */
  viewCounts(query: LeadQuery = {}, signal?: AbortSignal): Promise<ViewCounts> {
    const { tier, status, q, appointment, lostReason, owner } = query;
    return this.request('/v1/views', { query: { tier, status, q, appointment, lostReason, owner }, signal });
  }

  getLead(id: string, signal?: AbortSignal): Promise<LeadDetail> {
    return this.request(`/v1/leads/${encodeURIComponent(id)}`, { signal });
  }

  async changeStatus(id: string, change: StatusChange): Promise<Lead> {
    const reply = await this.request<{ lead: Lead }>(`/v1/leads/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });
    return reply.lead;
  }

  /**
   * A contact edit (PATCH /v1/leads/:id { contact, expectedVersion }): the phone is normalised and re-validated
   * (400 INVALID_PHONE_FORMAT with `details.field` "contact.phone"); a stale version gets 409 STALE_LEAD.
   */
  async editContact(id: string, contact: object, expectedVersion: number): Promise<Lead> {
    const reply = await this.request<{ lead: Lead }>(`/v1/leads/${encodeURIComponent(id)}`, { method: 'PATCH', body: { contact, expectedVersion } });
    return reply.lead;
  }

  /** Undo of Lost (by the one who marked it, within 10 s) or an admin's revert of a lost lead. */
  async revert(id: string): Promise<Lead> {
    const reply = await this.request<{ lead: Lead }>(`/v1/leads/${encodeURIComponent(id)}/revert`, { method: 'POST', body: {} });
    return reply.lead;
  }

  /** POST /v1/leads/:id/follow-ups: `dueAt` ISO with its offset (400 DUE_IN_PAST for a time gone by). */
  async scheduleFollowUp(id: string, input: { dueAt: string; note?: string | null }): Promise<FollowUp> {
    const reply = await this.request<{ followUp: FollowUp }>(`/v1/leads/${encodeURIComponent(id)}/follow-ups`, { method: 'POST', body: input });
    return reply.followUp;
  }

  /** PATCH /v1/follow-ups/:id: done (true) or reopened, snoozed to a new `dueAt`, or its note changed. */
  async updateFollowUp(id: string, change: { done?: boolean; dueAt?: string; note?: string | null }): Promise<FollowUp> {
    const reply = await this.request<{ followUp: FollowUp }>(`/v1/follow-ups/${encodeURIComponent(id)}`, { method: 'PATCH', body: change });
    return reply.followUp;
  }

  /** DELETE /v1/leads/:id (admins, 204): the lead with its calls, texts, notes and follow-ups. */
  async deleteLead(id: string): Promise<void> {
    await this.request<void>(`/v1/leads/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  /** DELETE /v1/follow-ups/:id (204). */
  async deleteFollowUp(id: string): Promise<void> {
    await this.request<void>(`/v1/follow-ups/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }

  async addNote(id: string, body: string): Promise<Note> {
    const reply = await this.request<{ note: Note }>(`/v1/leads/${encodeURIComponent(id)}/notes`, { method: 'POST', body: { body } });
    return reply.note;
  }

  /**
   * 202 with the queued call; 422 OUTBOUND_AGENT_NOT_CONFIGURED / NO_PHONE_NUMBER / INVALID_PHONE_FORMAT as ApiError.
   * `mode`: 'agent' (the AI agent calls) or 'connect' (rings the user's phone first; 422 CALLER_PHONE_MISSING without one).
   */
  async startCall(id: string, mode?: 'agent' | 'connect'): Promise<Call> {
    const reply = await this.request<{ call: Call }>(`/v1/leads/${encodeURIComponent(id)}/calls`, { method: 'POST', body: mode ? { mode } : {} });
    return reply.call;
  }

  async getCall(id: string, signal?: AbortSignal): Promise<Call> {
    const reply = await this.request<{ call: Call }>(`/v1/calls/${encodeURIComponent(id)}`, { signal });
    return reply.call;
  }

  /**
   * Send an SMS. Pass the same `idempotencyKey` for every attempt of one composed message
   * (create it with `newIdempotencyKey()` when the composer opens). A network failure or a 5xx is
   * retried once here with the same key, so the server sends the message at most once.
   */
  async sendSms(id: string, body: string, idempotencyKey: string = newIdempotencyKey()): Promise<SmsSendReply> {
    const path = `/v1/leads/${encodeURIComponent(id)}/sms`;
    const options: RequestOptions = { method: 'POST', body: { body }, headers: { 'Idempotency-Key': idempotencyKey } };
    try {
      return await this.request<SmsSendReply>(path, options);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 0 || err.status >= 500)) return this.request<SmsSendReply>(path, options);
      throw err;
    }
  }

  /** The CSV export of the current filter (without paging), as a Blob ready for a download link. */
  async exportCsv(query: LeadQuery = {}): Promise<Blob> {
    const { page: _p, pageSize: _s, ...filters } = query;
    const res = await this.request<Response>('/v1/leads.csv', { query: filters, raw: true });
    return res.blob();
  }

  /** One JSON request through the same token, retry and error handling, for the feature modules (api/team.ts). */
  send<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>(path, { method, body, signal });
  }

  /** A file (a CSV) as a Blob, through the same token handling: the token travels in the Authorization header, never in a URL. */
  async blob(path: string): Promise<Blob> {
    const res = await this.request<Response>(path, { raw: true });
    return res.blob();
  }

  // --- plumbing -----------------------------------------------------------------------------

  private url(path: string, query?: LeadQuery): string {
    const params = new URLSearchParams();
    if (query) {
      const tier = Array.isArray(query.tier) ? query.tier.join(',') : query.tier;
      if (tier) params.set('tier', tier);
      if (query.status) params.set('status', query.status);
      if (query.q && query.q.trim()) params.set('q', query.q.trim());
      if (query.sort && query.sort !== 'score') params.set('sort', query.sort);
      if (query.view) params.set('view', query.view);
      if (query.appointment) params.set('appointment', query.appointment);
      if (query.lostReason) params.set('lostReason', query.lostReason);
      if (query.owner) params.set('owner', query.owner);
      if (query.page) params.set('page', String(query.page));
      if (query.pageSize) params.set('pageSize', String(query.pageSize));
    }
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async request<T>(path: string, options: RequestOptions = {}, retried = false): Promise<T> {
    const token = await this.getToken();
    const headers: Record<string, string> = { Accept: options.raw ? 'text/csv' : 'application/json', ...options.headers };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(path, options.query), {
        method: options.method ?? 'GET',
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        credentials: 'omit',
      });
    } catch (err) {
      if ((err as Error)?.name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK_ERROR', 'Cannot reach the leads service. Check your connection and try again.');
    }
    if (res.ok) {
      if (options.raw) return res as unknown as T;
      if (res.status === 204) return undefined as T;
      return (await res.json()) as T;
    }
    const error = await toApiError(res);
    if (error.status === 401 && error.code === 'TOKEN_EXPIRED' && !retried && this.tokenProvider) {
      this.token = null;
      await this.refreshToken();
      return this.request<T>(path, options, true);
    }
    throw error;
  }
}

async function toApiError(res: Response): Promise<ApiError> {
  let body: Partial<ApiErrorBody> | null = null;
  try {
    body = (await res.json()) as ApiErrorBody;
  } catch {
    body = null;
  }
  const e = body?.error;
  return new ApiError(
    res.status,
    e?.code ?? `HTTP_${res.status}`,
    e?.message ?? `The leads service answered ${res.status}.`,
    e?.details,
    e?.requestId,
  );
}
