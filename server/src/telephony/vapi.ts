/**
 * Vapi through its official server SDK (`@vapi-ai/server-sdk` 2.0), reference: /work/shared/reference/telephony.md.
 *
 * - The client never retries (`maxRetries: 0`): a retried POST /call can dial a lead twice.
 * - Webhook authentication: the assistant's `server.credentialId` names a Vapi *webhook credential* with an HMAC-SHA256
 *   authentication plan (headers `x-signature` + `x-timestamp`, payload `{timestamp}.{body}`, hex). That is the mechanism
 *   Vapi documents today ("Server authentication": custom credentials referenced by credentialId). SDK 2.0.1 has no
 *   credentials resource, so the credential is created through the SDK's own passthrough `client.fetch` (same auth,
 *   base URL, timeout and retry settings) on `POST /credential`. The legacy static header (`server.headers` with
 *   `x-vapi-secret`) is supported too, for accounts that prefer it; `verifyVapiRequest` accepts both.
 * - Every provider failure leaves these functions as a `VapiProviderError` ({ kind: 'timeout' | 'provider', status }).
 */
import { Vapi, VapiClient, VapiError, VapiTimeoutError } from '@vapi-ai/server-sdk';
import { normaliseVapiCall, type VapiCallSnapshot } from './vapi-webhook.js';

export interface CreateVapiOptions {
  token: string;
  /** Defaults to https://api.vapi.ai; the sandbox passes its own base URL here. */
  baseUrl?: string;
  timeoutSeconds?: number;
}

export function createVapi({ token, baseUrl, timeoutSeconds = 20 }: CreateVapiOptions): VapiClient {
  return new VapiClient({ token, ...(baseUrl ? { baseUrl } : {}), timeoutInSeconds: timeoutSeconds, maxRetries: 0 });
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors

export class VapiProviderError extends Error {
  override name = 'VapiProviderError';
  constructor(
    readonly kind: 'timeout' | 'provider',
    /** HTTP status from Vapi; null for timeouts and network failures. */
    readonly status: number | null,
    message: string,
    readonly body?: unknown,
  ) {
    super(message);
  }
}

function bodyMessage(body: unknown): string | null {
  if (body && typeof body === 'object' && 'message' in body) {
    const m = (body as { message: unknown }).message;
    if (Array.isArray(m)) return m.map(String).join('; ');
    if (typeof m === 'string') return m;
  }
  if (typeof body === 'string' && body.trim()) return body.trim().slice(0, 300);
  return null;
}

/** Maps anything the SDK throws to a VapiProviderError. */
export function mapVapiError(err: unknown): VapiProviderError {
  if (err instanceof VapiProviderError) return err;
  if (err instanceof VapiTimeoutError) return new VapiProviderError('timeout', null, 'Vapi did not answer in time');
  if (err instanceof VapiError) {
    const status = err.statusCode ?? null;
    // SDK 2.0.1 on Node's fetch: its timeout aborts with the string "timeout", which the SDK does not recognise as an
    // AbortError, so a timeout arrives as a status-less VapiError whose cause is "timeout".
    const cause: unknown = err.cause;
    if (
      status === null &&
      (cause === 'timeout' ||
        (cause instanceof Error && (cause.name === 'TimeoutError' || cause.name === 'AbortError')) ||
        /^"?timeout"?$/i.test(err.message))
    ) {
      return new VapiProviderError('timeout', null, 'Vapi did not answer in time');
    }
    const detail = bodyMessage(err.body) ?? err.message;
    return new VapiProviderError('provider', status, status ? `Vapi error ${status}: ${detail}` : `Vapi request failed: ${detail}`, err.body);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new VapiProviderError('provider', null, `Vapi request failed: ${message}`);
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapVapiError(err);
  }
}

/** The passthrough `client.fetch` returns a Response and does not throw on status: turn it into the same errors. */
async function passthroughJson<T>(client: VapiClient, path: string, method: string, body?: unknown): Promise<T> {
  return call(async () => {
    const res = await client.fetch(path, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* keep text */
    }
    if (!res.ok) throw new VapiError({ statusCode: res.status, body: parsed });
    return parsed as T;
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Webhook credential (HMAC)

/** The HMAC plan our verifier expects; spelled out rather than relying on Vapi's defaults. */
export const HMAC_PLAN = {
  type: 'hmac',
  algorithm: 'sha256',
  signatureHeader: 'x-signature',
  timestampHeader: 'x-timestamp',
  payloadFormat: '{timestamp}.{body}',
  signatureEncoding: 'hex',
} as const;

export interface WebhookCredentialInput {
  secret: string;
  name?: string;
  /** An existing credential to rotate; if Vapi no longer has it, a new one is created. */
  credentialId?: string | null;
}

/** Creates (or rotates) the org's Vapi webhook credential and returns its id for `server.credentialId`. */
export async function ensureWebhookCredential(client: VapiClient, input: WebhookCredentialInput): Promise<string> {
  const authenticationPlan = { ...HMAC_PLAN, secretKey: input.secret };
  const name = (input.name ?? 'Live Leads webhooks').slice(0, 40);
  if (input.credentialId) {
    try {
      const updated = await passthroughJson<{ id: string }>(client, `credential/${encodeURIComponent(input.credentialId)}`, 'PATCH', {
        provider: 'webhook',
        name,
        authenticationPlan,
      });
      return updated.id;
    } catch (err) {
      if (!(err instanceof VapiProviderError && err.status === 404)) throw err;
    }
  }
  const created = await passthroughJson<{ id: string }>(client, 'credential', 'POST', { provider: 'webhook', name, authenticationPlan });
  return created.id;
}

// ---------------------------------------------------------------------------------------------------------------------
// Assistant

export type WebhookAuth =
  /** Recommended: a webhook credential with an HMAC plan (see ensureWebhookCredential). */
  | { type: 'hmac'; credentialId: string }
  /** Legacy: a static secret sent in the `x-vapi-secret` header. */
  | { type: 'secret'; secret: string };

export interface OutboundAssistantInput {
  /** Update this assistant when given; created when absent or when Vapi no longer has it. */
  assistantId?: string | null;
  name: string;
  voice: Vapi.CreateAssistantDtoVoice;
  systemPrompt: string;
  firstMessage: string;
  /** Where Vapi posts status-update and end-of-call-report. */
  serverUrl: string;
  webhookAuth: WebhookAuth;
  model?: { provider: 'openai'; model: Vapi.OpenAiModelModel };
  maxDurationSeconds?: number;
  metadata?: Record<string, unknown>;
}

export const DEFAULT_VOICE: Vapi.CreateAssistantDtoVoice = { provider: 'vapi', voiceId: 'Elliot' };

function assistantBody(input: OutboundAssistantInput): Vapi.CreateAssistantDto {
  const server: Vapi.Server =
    input.webhookAuth.type === 'hmac'
      ? { url: input.serverUrl, credentialId: input.webhookAuth.credentialId, timeoutSeconds: 20 }
      : { url: input.serverUrl, headers: { 'x-vapi-secret': input.webhookAuth.secret }, timeoutSeconds: 20 };
  return {
    name: input.name.slice(0, 40),
    firstMessage: input.firstMessage,
    firstMessageMode: 'assistant-speaks-first',
    voice: input.voice,
    model: {
      provider: 'openai',
      model: input.model?.model ?? 'gpt-4o',
      messages: [{ role: 'system', content: input.systemPrompt }],
    },
    server,
    serverMessages: ['status-update', 'end-of-call-report'],
    artifactPlan: { recordingEnabled: true },
    maxDurationSeconds: input.maxDurationSeconds ?? 600,
    ...(input.metadata ? { metadata: input.metadata } : {}),
  };
}

/** Creates or updates the org's outbound assistant; returns Vapi's assistant id. */
export async function upsertOutboundAssistant(client: VapiClient, input: OutboundAssistantInput): Promise<{ id: string }> {
  const body = assistantBody(input);
  if (input.assistantId) {
    try {
      const updated = await call(() => client.assistants.update({ id: input.assistantId!, ...body }));
      return { id: updated.id };
    } catch (err) {
      if (!(err instanceof VapiProviderError && err.status === 404)) throw err;
    }
  }
  const created = await call(() => client.assistants.create(body));
  return { id: created.id };
}

// ---------------------------------------------------------------------------------------------------------------------
// Phone number

export interface ImportTwilioNumberInput {
  number: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  name?: string;
}

/**
 * Imports the org's Twilio number into Vapi for outbound calls. `smsEnabled: false` keeps the number's messaging webhook
 * with us: with the default (true) Vapi takes over inbound texts and STOP replies.
 */
export async function importTwilioNumber(client: VapiClient, input: ImportTwilioNumberInput): Promise<{ id: string; number: string }> {
  const created = await call(() =>
    client.phoneNumbers.create({
      provider: 'twilio',
      number: input.number,
      twilioAccountSid: input.twilioAccountSid,
      twilioAuthToken: input.twilioAuthToken,
      smsEnabled: false,
      ...(input.name ? { name: input.name.slice(0, 40) } : {}),
    }),
  );
  return { id: created.id, number: 'number' in created && typeof created.number === 'string' ? created.number : input.number };
}

// ---------------------------------------------------------------------------------------------------------------------
// Calls

export interface PlaceCallInput {
  assistantId: string;
  phoneNumberId: string;
  customer: { number: string; name?: string | null };
  /** Our ids, echoed back in every webhook under call.assistantOverrides.metadata. */
  orgId: string;
  callId: string;
  variableValues?: Record<string, string>;
}

export interface PlacedCall {
  vapiCallId: string;
  status: string;
}

export async function placeCall(client: VapiClient, input: PlaceCallInput): Promise<PlacedCall> {
  const result = await call(() =>
    client.calls.create({
      assistantId: input.assistantId,
      phoneNumberId: input.phoneNumberId,
      customer: { number: input.customer.number, ...(input.customer.name ? { name: input.customer.name.slice(0, 40) } : {}) },
      name: `live-leads ${input.callId}`.slice(0, 40),
      assistantOverrides: {
        metadata: { orgId: input.orgId, callId: input.callId },
        ...(input.variableValues ? { variableValues: input.variableValues } : {}),
      },
    }),
  );
  if (!('id' in result) || typeof result.id !== 'string') {
    throw new VapiProviderError('provider', null, 'Vapi answered a single call request with a batch response');
  }
  return { vapiCallId: result.id, status: result.status ?? 'queued' };
}

/** Reads a call back (reconciliation of calls whose end-of-call-report never arrived). */
export async function getCall(client: VapiClient, vapiCallId: string): Promise<VapiCallSnapshot> {
  const c = await call(() => client.calls.get({ id: vapiCallId }));
  return normaliseVapiCall(c);
}
