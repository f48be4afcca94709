/**
 * Vapi through its official server SDK (`@vapi-ai/server-sdk` 2.0), reference: /work/shared/reference/telephony.md.
 *
 * - The client never retries (`maxRetries: 0`): a retried POST /call can dial a lead twice.
 * - Webhook authentication (./README.md, "Webhook authentication"): the assistant's `server.headers` carry
 *   `x-vapi-secret: <the org's secret>`. `server.headers` is part of Vapi's published Server schema ("These are the headers
 *   to include in the request") and `x-vapi-secret` is the header Vapi itself documents for the older `server.secret`,
 *   so nothing rests on the `/credential` endpoint (absent from Vapi's API description and from SDK 2.0).
 * - Assistants and phone numbers are updated in place when we know their id, and created only when Vapi no longer has
 *   them: Vapi documents the 2xx answers only, so any client error on the update of a stored id (other than an auth or
 *   rate-limit one) means "not there any more"; a phone number is then looked up by its E.164 in Vapi's list first.
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

/**
 * Whether a failed update of a stored id means the resource is gone (so create it again): a client error other than bad
 * credentials, forbidden, timeout, conflict or rate limiting. Vapi's API reference lists only the 2xx answers of
 * PATCH /assistant/{id} and PATCH /phone-number/{id}, so we do not rely on a 404 in particular.
 */
export function isGone(err: unknown): boolean {
  return err instanceof VapiProviderError && err.status !== null && err.status >= 400 && err.status < 500 && ![401, 403, 408, 409, 429].includes(err.status);
}

// ---------------------------------------------------------------------------------------------------------------------
// Assistant

/** The header our webhooks are authenticated with (see the file header). */
export const WEBHOOK_SECRET_HEADER = 'x-vapi-secret';

/** A static secret Vapi sends in the `x-vapi-secret` header of every webhook (through the assistant's server.headers). */
export type WebhookAuth = { type: 'secret'; secret: string };

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

/**
 * The structured data Vapi's post-call analysis extracts from every call (`analysisPlan.structuredDataPlan.schema`,
 * output in the end-of-call-report's `analysis.structuredData`): what the lead wanted, and the time they asked for.
 * ./README.md, "Call outcomes", says why this and not Vapi's newer structured outputs.
 */
export const CALL_ANALYSIS_SCHEMA: Vapi.JsonSchema = {
  type: 'object',
  properties: {
    intent: {
      type: 'string',
      enum: ['booked', 'callback_requested', 'not_interested', 'needs_info', 'none'],
      description:
        'What the lead (the person called) wanted by the end of the call: booked = agreed an appointment at a time; ' +
        'callback_requested = asked to be called back (at a time if they gave one); not_interested = declined or asked not to be called; ' +
        'needs_info = asked for information the agent could not give or wants more before deciding; none = none of these, or nobody spoke.',
    },
    requestedAt: {
      type: 'string',
      format: 'date-time',
      description:
        'For booked or callback_requested: the appointment or callback time the lead agreed, as an ISO 8601 date-time with the ' +
        "clinic's UTC offset, worked out from the date of the call. Leave it out when no time was agreed.",
    },
  },
  required: ['intent'],
};

const ANALYSIS_PLAN: Vapi.AnalysisPlan = {
  structuredDataPlan: {
    enabled: true,
    schema: CALL_ANALYSIS_SCHEMA,
    timeoutSeconds: 20,
    messages: [
      {
        role: 'system',
        content:
          'You are an expert data extractor. You will be given the transcript of an outbound call from a clinic\'s AI assistant to a lead, ' +
          'and the assistant\'s system prompt (which gives the date of the call and the clinic). Extract structured data per the JSON Schema. ' +
          'DO NOT return anything except the structured data.\n\nJson Schema:\n{{schema}}\n\nOnly respond with the JSON.',
      },
      {
        role: 'user',
        content: 'Here is the transcript:\n\n{{transcript}}\n\n. Here is the system prompt of the call:\n\n{{systemPrompt}}\n\n. Here is the ended reason of the call:\n\n{{endedReason}}\n\n',
      },
    ],
  },
  successEvaluationPlan: { enabled: true, rubric: 'PassFail', timeoutSeconds: 20 },
};

function assistantBody(input: OutboundAssistantInput): Vapi.CreateAssistantDto {
  const server: Vapi.Server = { url: input.serverUrl, headers: { [WEBHOOK_SECRET_HEADER]: input.webhookAuth.secret }, timeoutSeconds: 20 };
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
    serverMessages: [...SERVER_MESSAGES],
    artifactPlan: { recordingEnabled: true },
    analysisPlan: ANALYSIS_PLAN,
    maxDurationSeconds: input.maxDurationSeconds ?? 600,
    ...(input.metadata ? { metadata: input.metadata } : {}),
  };
}

/** Creates or updates the org's outbound assistant; returns Vapi's assistant id (a new one when Vapi no longer had it). */
export async function upsertOutboundAssistant(client: VapiClient, input: OutboundAssistantInput): Promise<{ id: string; created: boolean }> {
  const body = assistantBody(input);
  if (input.assistantId) {
    try {
      const updated = await call(() => client.assistants.update({ id: input.assistantId!, ...body }));
      return { id: updated.id, created: false };
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  }
  const created = await call(() => client.assistants.create(body));
  return { id: created.id, created: true };
}

// ---------------------------------------------------------------------------------------------------------------------
// Phone number

export interface ImportTwilioNumberInput {
  number: string;
  twilioAccountSid: string;
  twilioAuthToken: string;
  name?: string;
  /** The Vapi phone number we imported before: updated in place rather than imported again. */
  phoneNumberId?: string | null;
}

/**
 * Imports the org's Twilio number into Vapi for outbound calls, or updates the one imported before (by its stored id,
 * else found by its E.164 in Vapi's list), so re-saving the settings never piles up duplicates. `smsEnabled: false`
 * keeps the number's messaging webhook with us: with the default (true) Vapi takes over inbound texts and STOP replies.
 */
export async function importTwilioNumber(
  client: VapiClient,
  input: ImportTwilioNumberInput,
): Promise<{ id: string; number: string; created: boolean }> {
  const fields = {
    number: input.number,
    twilioAccountSid: input.twilioAccountSid,
    twilioAuthToken: input.twilioAuthToken,
    smsEnabled: false,
    ...(input.name ? { name: input.name.slice(0, 40) } : {}),
  };
  const update = async (id: string) => {
    const updated = await call(() => client.phoneNumbers.update({ id, body: { provider: 'twilio', ...fields } }));
    return { id: updated.id, number: input.number, created: false };
  };
  if (input.phoneNumberId) {
    try {
      return await update(input.phoneNumberId);
    } catch (err) {
      if (!isGone(err)) throw err;
    }
  }
  const listed = await call(() => client.phoneNumbers.list({ limit: 1000 }));
  const existing = listed.find((p) => 'number' in p && p.number === input.number);
  if (existing) return update(existing.id);
  const created = await call(() => client.phoneNumbers.create({ provider: 'twilio', ...fields }));
  return { id: created.id, number: 'number' in created && typeof created.number === 'string' ? created.number : input.number, created: true };
}

/** Removes an imported number from Vapi (so Vapi no longer holds the clinic's Twilio token); a missing one is fine. */
export async function removeVapiPhoneNumber(client: VapiClient, phoneNumberId: string): Promise<void> {
  try {
    await call(() => client.phoneNumbers.delete({ id: phoneNumberId }));
  } catch (err) {
    if (!isGone(err)) throw err;
  }
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
  /** Call modes (./README.md, "Call modes"): a first message, a connector model, transfer tools for this call only. */
  firstMessage?: string;
  model?: Vapi.AssistantOverridesModel;
  appendTools?: Vapi.AssistantOverridesToolsAppendItem[];
}

/**
 * The server messages we ask for. `transfer-update` is not among Vapi's defaults (AssistantOverrides.serverMessages in
 * the SDK: "Default is conversation-update,end-of-call-report,...,status-update,tool-calls,transfer-destination-request,...")
 * so it is named; it is also sent with every call, so assistants saved before it was added ask for it too.
 */
export const SERVER_MESSAGES = ['status-update', 'transfer-update', 'end-of-call-report'] as const;

/**
 * A transferCall tool with one phone-number destination (SDK `CreateTransferCallToolDto`, destination
 * `TransferDestinationNumber`): `callerId` is what the destination sees (an E.164 number the Twilio account owns, here
 * the clinic's), `message` what the customer hears before the transfer ('' = nothing), `description` when the model
 * should use it, and `transferPlan.mode` 'blind-transfer' (Vapi's default: the call is handed over at once, no
 * introduction to the destination). https://docs.vapi.ai/call_forwarding, https://docs.vapi.ai/tools/transfer-call/blind-transfer
 */
export function transferCallTool(input: {
  number: string;
  callerId: string;
  message: string;
  description: string;
  name: string;
}): Vapi.AssistantOverridesToolsAppendItem.TransferCall & Vapi.OpenAiModelToolsItem.TransferCall {
  return {
    type: 'transferCall',
    destinations: [
      {
        type: 'number',
        number: input.number,
        callerId: input.callerId,
        message: input.message,
        description: input.description,
        name: input.name.slice(0, 40),
        transferPlan: { mode: 'blind-transfer' },
      },
    ],
  };
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
        serverMessages: [...SERVER_MESSAGES],
        ...(input.variableValues ? { variableValues: input.variableValues } : {}),
        ...(input.firstMessage ? { firstMessage: input.firstMessage } : {}),
        ...(input.model ? { model: input.model } : {}),
        ...(input.appendTools?.length ? { 'tools:append': input.appendTools } : {}),
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
