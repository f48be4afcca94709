/**
 * Vapi webhooks: authentication and normalisation (telephony.md: Vapi, Webhooks).
 *
 * Authentication, verified in constant time (./README.md, "Webhook authentication"):
 * - What our assistants are configured with (vapi.ts): the static secret in `x-vapi-secret`, sent through the
 *   assistant's `server.headers`. No timestamp: replay protection rests on the handlers' idempotency.
 * - Also accepted, for an account whose dashboard adds a credential to the server: `Authorization: Bearer <secret>`,
 *   and an HMAC credential (`x-signature` = hex HMAC-SHA256 of `${x-timestamp}.${rawBody}`, timestamp within
 *   `toleranceSec`, seconds or milliseconds), verified over the raw body bytes.
 * - `message.call` is optional in Vapi's description of server messages: a message without it carries
 *   `vapiCallId: null` and whatever else identifies the call (customer number, phone number, assistant).
 *
 * Normalisation keeps only what the product stores, with Vapi's roles mapped to ours ('assistant'/'bot' -> 'agent',
 * 'user' -> 'lead'); tool-call entries are dropped. Unknown message types come back as { kind: 'ignored' }.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CALL_INTENTS, type CallIntent, type CallMessage, type CallOutcome, type CallStatus } from '../../../core/contracts.js';

// ---------------------------------------------------------------------------------------------------------------------
// Verification

export type HeaderBag = Record<string, string | string[] | undefined> | Headers;

export interface VerifyVapiInput {
  rawBody: string | Buffer;
  headers: HeaderBag;
  secret: string;
  nowMs: number;
  toleranceSec?: number;
}

export type VerifyResult =
  | { ok: true; method: 'hmac' | 'secret' | 'bearer' }
  | { ok: false; reason: 'missing_credentials' | 'bad_signature' | 'stale_timestamp' | 'bad_timestamp' | 'bad_secret' };

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const direct = bag[name] ?? bag[name.toLowerCase()];
  const v = direct ?? Object.entries(bag).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];
  return Array.isArray(v) ? v[0] : v;
}

/** Constant-time string comparison that does not leak the length either (both sides are hashed first). */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const ha = createHmac('sha256', 'live-leads-compare').update(a).digest();
  const hb = createHmac('sha256', 'live-leads-compare').update(b).digest();
  return timingSafeEqual(ha, hb);
}

/** SHA-256 (hex) of a webhook secret: an index key that finds its organisation, never the secret itself (256 random bits). */
export function webhookSecretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function signVapiPayload(secret: string, timestamp: string, rawBody: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest('hex');
}

export function verifyVapiRequest({ rawBody, headers, secret, nowMs, toleranceSec = 300 }: VerifyVapiInput): VerifyResult {
  if (!secret) return { ok: false, reason: 'missing_credentials' };
  const signature = header(headers, 'x-signature');
  if (signature !== undefined) {
    const timestamp = header(headers, 'x-timestamp');
    if (!timestamp || !/^\d{1,16}$/.test(timestamp.trim())) return { ok: false, reason: 'bad_timestamp' };
    const n = Number(timestamp.trim());
    const tsMs = n > 1e11 ? n : n * 1000;
    if (Math.abs(nowMs - tsMs) > toleranceSec * 1000) return { ok: false, reason: 'stale_timestamp' };
    const provided = signature.trim().replace(/^sha256=/i, '').toLowerCase();
    const expected = signVapiPayload(secret, timestamp.trim(), rawBody);
    return safeEqual(provided, expected) ? { ok: true, method: 'hmac' } : { ok: false, reason: 'bad_signature' };
  }
  const legacy = header(headers, 'x-vapi-secret');
  if (legacy !== undefined) return safeEqual(legacy, secret) ? { ok: true, method: 'secret' } : { ok: false, reason: 'bad_secret' };
  const auth = header(headers, 'authorization');
  if (auth !== undefined && /^bearer\s+/i.test(auth)) {
    return safeEqual(auth.replace(/^bearer\s+/i, ''), secret) ? { ok: true, method: 'bearer' } : { ok: false, reason: 'bad_secret' };
  }
  return { ok: false, reason: 'missing_credentials' };
}

// ---------------------------------------------------------------------------------------------------------------------
// Normalisation

const artifactMessageSchema = z
  .object({
    role: z.string(),
    message: z.string().optional(),
    content: z.string().nullish(),
    time: z.number().optional(),
  })
  .loose();

const artifactSchema = z
  .object({
    transcript: z.string().optional(),
    messages: z.array(artifactMessageSchema).optional(),
    recordingUrl: z.string().optional(),
    recording: z.object({ mono: z.object({ combinedUrl: z.string().optional() }).loose().optional() }).loose().optional(),
  })
  .loose();

/**
 * Vapi's post-call analysis (`analysisPlan`, set on the assistant in vapi.ts): `summary`, `structuredData` (our schema
 * {intent, requestedAt}) and `successEvaluation` (PassFail: "true"/"false"; other rubrics send other strings or numbers).
 */
const analysisSchema = z
  .object({
    summary: z.string().nullish(),
    structuredData: z.unknown().optional(),
    successEvaluation: z.union([z.string(), z.number(), z.boolean()]).nullish(),
  })
  .loose();

const callSchema = z
  .object({
    id: z.string().min(1),
    status: z.string().optional(),
    endedReason: z.string().optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    assistantOverrides: z.object({ metadata: z.record(z.string(), z.unknown()).optional() }).loose().optional(),
    artifact: artifactSchema.optional(),
    analysis: analysisSchema.optional(),
    messages: z.array(artifactMessageSchema).optional(),
    transcript: z.string().optional(),
    recordingUrl: z.string().optional(),
    summary: z.string().optional(),
  })
  .loose();

/** A transfer's destination (SDK ServerMessageTransferUpdateDestination / ServerMessageStatusUpdateDestination). */
const destinationSchema = z
  .object({ type: z.string(), number: z.string().optional(), callerId: z.string().optional() })
  .loose();

const statusUpdateSchema = z
  .object({
    type: z.literal('status-update'),
    status: z.string(),
    endedReason: z.string().optional(),
    /** "Only sent if the status is forwarding" (SDK ServerMessageStatusUpdate.destination). */
    destination: destinationSchema.optional(),
    call: callSchema.optional(),
    timestamp: z.number().optional(),
  })
  .loose();

/** `transfer-update`: "sent whenever a transfer happens" (SDK ServerMessageTransferUpdate), with the destination. */
const transferUpdateSchema = z
  .object({ type: z.literal('transfer-update'), destination: destinationSchema.optional(), call: callSchema.optional(), timestamp: z.number().optional() })
  .loose();

const endOfCallSchema = z
  .object({
    type: z.literal('end-of-call-report'),
    endedReason: z.string().optional(),
    call: callSchema.optional(),
    startedAt: z.string().optional(),
    endedAt: z.string().optional(),
    durationSeconds: z.number().optional(),
    artifact: artifactSchema.optional(),
    analysis: analysisSchema.optional(),
    // Older payloads carry these at the top level of the message.
    transcript: z.string().optional(),
    messages: z.array(artifactMessageSchema).optional(),
    recordingUrl: z.string().optional(),
    summary: z.string().optional(),
    timestamp: z.number().optional(),
  })
  .loose();

const envelopeSchema = z.object({ message: z.object({ type: z.string() }).loose() }).loose();

/** What else a server message says about its call: used when `message.call` is missing. */
const contextSchema = z
  .object({
    customer: z.object({ number: z.string().optional() }).loose().nullish(),
    phoneNumber: z.object({ id: z.string().optional(), number: z.string().optional() }).loose().nullish(),
    assistant: z.object({ id: z.string().optional(), metadata: z.record(z.string(), z.unknown()).optional() }).loose().nullish(),
  })
  .loose();

/** How a message points at its call besides `message.call.id`. */
export interface VapiCallContext {
  customerNumber: string | null;
  phoneNumberId: string | null;
  assistantId: string | null;
}

function contextOf(message: unknown, call: z.infer<typeof callSchema> | undefined): VapiCallContext {
  const c = contextSchema.safeParse(message);
  const m = c.success ? c.data : {};
  const fromCall = (call ?? {}) as { customer?: { number?: unknown }; phoneNumberId?: unknown; assistantId?: unknown };
  const str = (v: unknown) => (typeof v === 'string' && v ? v : null);
  return {
    customerNumber: str(m.customer?.number) ?? str(fromCall.customer?.number),
    phoneNumberId: str(m.phoneNumber?.id) ?? str(fromCall.phoneNumberId),
    assistantId: str(m.assistant?.id) ?? str(fromCall.assistantId),
  };
}

export type VapiWebhookEvent =
  | {
      kind: 'status';
      /** Null when the message carries no `call`. */
      vapiCallId: string | null;
      status: string;
      endedReason: string | null;
      metadata: Record<string, unknown>;
      context: VapiCallContext;
      /** The number the call is being transferred to, on a `forwarding` status; else null. */
      transferTo: string | null;
    }
  | {
      /** A transfer-update: the call is handed to another number (a new leg). */
      kind: 'transfer';
      vapiCallId: string | null;
      /** The destination number; null for an assistant or SIP destination. */
      transferTo: string | null;
      metadata: Record<string, unknown>;
      context: VapiCallContext;
    }
  | {
      kind: 'ended';
      vapiCallId: string | null;
      endedReason: string | null;
      startedAt: string | null;
      endedAt: string | null;
      durationSec: number | null;
      transcript: string;
      messages: CallMessage[];
      recordingUrl: string | null;
      summary: string | null;
      analysis: VapiAnalysis;
      metadata: Record<string, unknown>;
      context: VapiCallContext;
    }
  | { kind: 'ignored'; type: string };

export interface VapiCallSnapshot {
  vapiCallId: string;
  status: string;
  endedReason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  transcript: string;
  messages: CallMessage[];
  recordingUrl: string | null;
  summary: string | null;
  analysis: VapiAnalysis;
  metadata: Record<string, unknown>;
}

/** What the post-call analysis said: null where Vapi sent nothing usable (no plan, a timeout, a malformed value). */
export interface VapiAnalysis {
  intent: CallIntent | null;
  /** ISO; null when no time was agreed or it could not be read. */
  requestedAt: string | null;
  successEvaluation: string | null;
}

export class VapiPayloadError extends Error {
  override name = 'VapiPayloadError';
  constructor(
    message: string,
    readonly issues: unknown,
  ) {
    super(message);
  }
}

type ArtifactMessage = z.infer<typeof artifactMessageSchema>;

const ROLE_MAP: Record<string, CallMessage['role']> = { assistant: 'agent', bot: 'agent', user: 'lead', system: 'system' };

export function mapVapiMessages(items: readonly ArtifactMessage[] | undefined): CallMessage[] {
  const out: CallMessage[] = [];
  for (const m of items ?? []) {
    const role = ROLE_MAP[m.role];
    const text = (m.message ?? m.content ?? '').trim();
    if (!role || !text) continue; // tool calls, tool results, empty turns
    out.push({ role, text, at: typeof m.time === 'number' && Number.isFinite(m.time) ? new Date(m.time).toISOString() : null });
  }
  return out;
}

function transcriptFrom(messages: CallMessage[]): string {
  return messages
    .filter((m) => m.role !== 'system')
    .map((m) => `${m.role === 'agent' ? 'AI' : 'User'}: ${m.text}`)
    .join('\n');
}

function durationOf(startedAt: string | null, endedAt: string | null, reported?: number): number | null {
  if (typeof reported === 'number' && Number.isFinite(reported)) return Math.round(reported);
  if (!startedAt || !endedAt) return null;
  const d = (Date.parse(endedAt) - Date.parse(startedAt)) / 1000;
  return Number.isFinite(d) && d >= 0 ? Math.round(d) : null;
}

function metadataOf(call: z.infer<typeof callSchema> | undefined): Record<string, unknown> {
  return { ...(call?.metadata ?? {}), ...(call?.assistantOverrides?.metadata ?? {}) };
}

/**
 * Reads our structured data ({ intent, requestedAt }, the schema in vapi.ts) and the success evaluation. An intent
 * outside our list is null (the caller treats a spoken call without one as `none`); `requestedAt` must be a date-time
 * JavaScript can read (with an offset, as the schema asks; without one it is read as UTC).
 */
export function analysisOf(raw: z.infer<typeof analysisSchema> | undefined): VapiAnalysis {
  let data: unknown = raw?.structuredData;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data);
    } catch {
      data = null;
    }
  }
  const obj = data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {};
  const intentRaw = typeof obj.intent === 'string' ? obj.intent.trim().toLowerCase().replace(/[\s-]+/g, '_') : null;
  const intent = intentRaw && (CALL_INTENTS as readonly string[]).includes(intentRaw) ? (intentRaw as CallIntent) : null;
  let requestedAt: string | null = null;
  if (typeof obj.requestedAt === 'string' && obj.requestedAt.trim()) {
    const text = obj.requestedAt.trim();
    const withZone = /([zZ]|[+-]\d{2}:?\d{2})$/.test(text) || !/T\d/.test(text) ? text : `${text}Z`;
    const ms = Date.parse(withZone);
    if (Number.isFinite(ms)) requestedAt = new Date(ms).toISOString();
  }
  const se = raw?.successEvaluation;
  return { intent, requestedAt, successEvaluation: se === null || se === undefined ? null : String(se) };
}

/** Parses a webhook body (already JSON-decoded) into one of our events. Throws VapiPayloadError on a malformed known type. */
export function parseVapiWebhook(body: unknown): VapiWebhookEvent {
  const env = envelopeSchema.safeParse(body);
  if (!env.success) throw new VapiPayloadError('not a Vapi server message', env.error.issues);
  const type = env.data.message.type;
  if (type === 'status-update') {
    const r = statusUpdateSchema.safeParse(env.data.message);
    if (!r.success) throw new VapiPayloadError('malformed status-update', r.error.issues);
    const m = r.data;
    return {
      kind: 'status',
      vapiCallId: m.call?.id ?? null,
      status: m.status,
      endedReason: m.endedReason ?? null,
      metadata: metadataOf(m.call),
      context: contextOf(m, m.call),
      transferTo: m.status === 'forwarding' && m.destination?.type === 'number' ? (m.destination.number ?? null) : null,
    };
  }
  if (type === 'transfer-update') {
    const r = transferUpdateSchema.safeParse(env.data.message);
    if (!r.success) throw new VapiPayloadError('malformed transfer-update', r.error.issues);
    const m = r.data;
    return {
      kind: 'transfer',
      vapiCallId: m.call?.id ?? null,
      transferTo: m.destination?.type === 'number' ? (m.destination.number ?? null) : null,
      metadata: metadataOf(m.call),
      context: contextOf(m, m.call),
    };
  }
  if (type === 'end-of-call-report') {
    const r = endOfCallSchema.safeParse(env.data.message);
    if (!r.success) throw new VapiPayloadError('malformed end-of-call-report', r.error.issues);
    const m = r.data;
    const messages = mapVapiMessages(m.artifact?.messages ?? m.messages ?? m.call?.artifact?.messages ?? m.call?.messages);
    const startedAt = m.startedAt ?? m.call?.startedAt ?? null;
    const endedAt = m.endedAt ?? m.call?.endedAt ?? null;
    return {
      kind: 'ended',
      vapiCallId: m.call?.id ?? null,
      endedReason: m.endedReason ?? m.call?.endedReason ?? null,
      startedAt,
      endedAt,
      durationSec: durationOf(startedAt, endedAt, m.durationSeconds),
      transcript: m.artifact?.transcript ?? m.transcript ?? transcriptFrom(messages),
      messages,
      recordingUrl: m.artifact?.recordingUrl ?? m.recordingUrl ?? m.artifact?.recording?.mono?.combinedUrl ?? null,
      summary: m.analysis?.summary ?? m.summary ?? m.call?.analysis?.summary ?? null,
      analysis: analysisOf(m.analysis ?? m.call?.analysis),
      metadata: metadataOf(m.call),
      context: contextOf(m, m.call),
    };
  }
  return { kind: 'ignored', type };
}

/** Normalises a call read back through the API (GET /call/:id), for reconciliation. */
export function normaliseVapiCall(raw: unknown): VapiCallSnapshot {
  const r = callSchema.safeParse(raw);
  if (!r.success) throw new VapiPayloadError('malformed call', r.error.issues);
  const c = r.data;
  const messages = mapVapiMessages(c.artifact?.messages ?? c.messages);
  const startedAt = c.startedAt ?? null;
  const endedAt = c.endedAt ?? null;
  return {
    vapiCallId: c.id,
    status: c.status ?? 'queued',
    endedReason: c.endedReason ?? null,
    startedAt,
    endedAt,
    durationSec: durationOf(startedAt, endedAt),
    transcript: c.artifact?.transcript ?? c.transcript ?? transcriptFrom(messages),
    messages,
    recordingUrl: c.artifact?.recordingUrl ?? c.recordingUrl ?? c.artifact?.recording?.mono?.combinedUrl ?? null,
    summary: c.analysis?.summary ?? c.summary ?? null,
    analysis: analysisOf(c.analysis),
    metadata: metadataOf(c),
  };
}

/**
 * What an endedReason means for the clinic (Vapi's list: https://docs.vapi.ai/calls/call-ended-reason). A call that never
 * reached the lead's phone through a fault (Twilio could not connect it, a provider or pipeline error) is `failed`, with a
 * message staff can act on; a call the lead did not take (busy, no answer, voicemail) is `ended` with what happened.
 */
export function describeEndedReason(reason: string | null): { status: 'ended' | 'failed'; label: string | null } {
  if (!reason) return { status: 'ended', label: null };
  const known: Record<string, [status: 'ended' | 'failed', label: string]> = {
    'customer-busy': ['ended', 'The line was busy.'],
    'customer-did-not-answer': ['ended', 'No answer.'],
    voicemail: ['ended', 'Reached voicemail.'],
    'customer-ended-call': ['ended', 'The lead hung up.'],
    'assistant-ended-call': ['ended', 'The AI agent ended the call.'],
    'assistant-forwarded-call': ['ended', 'The AI agent forwarded the call to the clinic.'],
    'silence-timed-out': ['ended', 'The call ended after a long silence.'],
    'exceeded-max-duration': ['ended', 'The call reached its maximum length.'],
    'twilio-failed-to-connect-call': [
      'failed',
      "Twilio could not connect the call. Check that the number can be called and that the clinic's Twilio account can call this country.",
    ],
    'twilio-reported-customer-misdialed': ['failed', 'The number could not be dialled. Check it with the lead.'],
    'customer-did-not-give-microphone-permission': ['failed', 'The call could not start.'],
  };
  const hit = known[reason];
  if (hit) return { status: hit[0], label: hit[1] };
  if (/^(pipeline-error|call\.in-progress\.error|call\.start\.error|assistant-(not-found|not-valid|request-failed|request-returned)|phone-call-provider|vonage|twilio-|sip-|worker-|db-error|unknown-error)/.test(reason)) {
    return { status: 'failed', label: `The call failed on the provider's side (${reason}). Try again in a few minutes.` };
  }
  return { status: 'ended', label: null };
}

const NO_ANSWER_REASONS = new Set([
  'customer-did-not-answer',
  // SIP timeouts and "temporarily unavailable": the callee did not pick up (Vapi's "Phone rang but no answer").
  'call.in-progress.error-providerfault-outbound-sip-408-request-timeout',
  'call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable',
]);

/**
 * How a call ended for the clinic, from Vapi's `endedReason` (https://docs.vapi.ai/calls/call-ended-reason) and whether
 * the lead spoke: `voicemail` (the reason says so, even if the greeting was transcribed as the lead's speech), `busy`
 * (`customer-busy`), `no_answer` (`customer-did-not-answer`, SIP 408/480, or a call that never connected for a reason
 * that is no fault), `answered` (the lead spoke, or picked up: the call connected), `failed` (a fault before the lead
 * was reached: `twilio-failed-to-connect-call`, provider and pipeline errors, see describeEndedReason).
 */
export function callOutcomeOf(reason: string | null, opts: { leadSpoke: boolean; connected: boolean }): CallOutcome {
  if (reason === 'voicemail') return 'voicemail';
  if (reason === 'customer-busy') return 'busy';
  if (reason && NO_ANSWER_REASONS.has(reason)) return 'no_answer';
  if (opts.leadSpoke) return 'answered';
  if (describeEndedReason(reason).status === 'failed') return 'failed';
  return opts.connected ? 'answered' : 'no_answer';
}

/** Vapi's call status in our vocabulary (contracts.ts CallStatus). */
export function toCallStatus(vapiStatus: string): CallStatus {
  switch (vapiStatus) {
    case 'scheduled':
    case 'queued':
      return 'queued';
    case 'ringing':
      return 'ringing';
    case 'in-progress':
    case 'forwarding':
      return 'in-progress';
    case 'ended':
      return 'ended';
    default:
      return 'failed';
  }
}
