/**
 * The Vapi REST API fake: assistants, imported Twilio phone numbers and outbound calls, as Vapi's API reference
 * describes them (https://docs.vapi.ai/api-reference). A placed call plays one of ./scenarios.ts over time (queued ->
 * ringing -> in-progress -> ended, or one of the failure endings) and posts Vapi's status-update and end-of-call-report
 * webhooks to the assistant's `server.url` with the assistant's `server.headers` (and `server.secret` as `x-vapi-secret`,
 * the older documented form). There is no `/credential` resource here: it is not in Vapi's published API description,
 * so nothing tested against the sandbox may come to depend on it. The assistant's firstMessage and system prompt are
 * rendered with the call's `assistantOverrides.variableValues` and Vapi's default variables (./variables.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery } from './delivery.js';
import { E164, HttpError, readBody, send, stableId, uuid, type Json } from './http.js';
import { ALL_SCENARIO_NAMES, personalise, pickScenario, requestedInstant, spokenTime, type Scenario, type ScenarioName } from './scenarios.js';
import type { TwilioFake } from './twilio.js';
import type { SandboxDelays, SandboxLogger } from './types.js';
import { defaultVariables, renderVariables } from './variables.js';

/** What a connector does: its first message, then the transfer (Vapi leaves the call: assistant-forwarded-call). */
const CONNECTOR_SCENARIO: Scenario = {
  name: 'forwarded',
  variant: 'connector',
  answered: true,
  forwards: true,
  endedReason: 'assistant-forwarded-call',
  turns: [{ role: 'bot', text: 'Connecting you now.' }],
  summary: '',
};

export const vapiError = (status: number, message: string | string[]) =>
  new HttpError(status, {
    message,
    error: { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error',
    statusCode: status,
  });

interface VapiCall extends Json {
  id: string;
  orgId: string;
  status: string;
  assistantId: string;
  phoneNumberId: string;
  customer: { number: string; name?: string };
}

type VapiPhoneNumber = Json & { id: string; orgId: string; number: string; smsEnabled: boolean; twilioAccountSid: string };

export interface VapiFake {
  /** Answers a request under /vapi (`path` without that prefix). */
  handle(req: IncomingMessage, path: string, res: ServerResponse): Promise<void>;
  nextCallScenario(name: ScenarioName): void;
  /** The next call's webhooks carry no `message.call` (the field is optional in Vapi's description of server messages). */
  nextCallWithoutCallObject(): void;
  /** Deletes an assistant as the dashboard would (any Vapi org). */
  deleteAssistant(id: string): boolean;
  /** Every imported phone number, briefly. */
  phoneNumbersSummary(): unknown[];
  /** Every call, briefly, for the control API's state. */
  callsSummary(): unknown[];
  /** Every transfer a call made (transferCall tool): where to, and the caller id the destination saw. */
  transfers(): SandboxTransfer[];
}

/** A transfer as the destination's phone sees it. */
export interface SandboxTransfer {
  callId: string;
  /** The number Vapi had dialled (the call's customer). */
  from: string;
  to: string;
  /** The number shown to the destination: the destination's callerId rendered, or the call's phone number (Vapi's default for outbound calls). */
  callerId: string;
  mode: string;
  at: string;
}

/** A transferCall tool's number destination, as the call carries it (SDK TransferDestinationNumber). */
interface NumberDestination extends Json {
  type: 'number';
  number: string;
  callerId?: string;
  message?: string;
  transferPlan?: { mode?: string };
}

/** Vapi's default server messages (SDK AssistantOverrides.serverMessages): transfer-update is not among them. */
const DEFAULT_SERVER_MESSAGES = ['conversation-update', 'end-of-call-report', 'function-call', 'hang', 'speech-update', 'status-update', 'tool-calls', 'transfer-destination-request', 'handoff-destination-request', 'user-interrupted', 'assistant.started'];

const numberDestinations = (tools: unknown): NumberDestination[] =>
  (Array.isArray(tools) ? tools : []).flatMap((t) =>
    t && typeof t === 'object' && (t as Json).type === 'transferCall' && Array.isArray((t as Json).destinations)
      ? ((t as Json).destinations as Json[]).filter((d): d is NumberDestination => d?.type === 'number' && typeof d.number === 'string')
      : [],
  );

export function createVapiFake({
  delays,
  log,
  delivery,
  twilio,
  recordingUrl,
}: {
  delays: SandboxDelays;
  log: SandboxLogger | undefined;
  delivery: Delivery;
  twilio: Pick<TwilioFake, 'handOverToVapi'>;
  /** Where the call's recording is served. */
  recordingUrl: (callId: string) => string;
}): VapiFake {
  const assistants = new Map<string, Json & { id: string; orgId: string }>();
  const phoneNumbers = new Map<string, VapiPhoneNumber>();
  const calls = new Map<string, VapiCall>();
  const transfers: SandboxTransfer[] = [];
  let forcedScenario: ScenarioName | null = null;
  let nextWithoutCall = false;
  const withoutCall = new Set<string>();
  const { later } = delivery;

  function vapiOrg(req: IncomingMessage): string {
    const auth = req.headers.authorization ?? '';
    const m = /^Bearer\s+(.+)$/i.exec(auth);
    if (!m || m[1]!.trim() === '' || m[1]!.trim() === 'invalid') {
      throw vapiError(401, 'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.');
    }
    const h = stableId('', 'vapi-org', m[1]!.trim());
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }

  /** The headers of a webhook: the assistant's `server.headers`, and `server.secret` as `x-vapi-secret` (older form). */
  function vapiWebhookHeaders(assistant: Json | undefined): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const server = (assistant?.server ?? {}) as { secret?: unknown; headers?: Record<string, unknown> };
    if (typeof server.secret === 'string' && server.secret) headers['x-vapi-secret'] = server.secret;
    for (const [k, v] of Object.entries(server.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
    return headers;
  }

  async function postVapi(call: VapiCall, message: Json) {
    const assistant = assistants.get(call.assistantId);
    const url = (assistant?.server as { url?: string } | undefined)?.url;
    if (!url) return;
    const phoneNumber = phoneNumbers.get(call.phoneNumberId);
    const body = JSON.stringify({
      message: {
        timestamp: Date.now(),
        ...message,
        ...(withoutCall.has(call.id) ? {} : { call: { ...call } }),
        customer: call.customer,
        phoneNumber: phoneNumber ? { ...phoneNumber, twilioAuthToken: undefined } : undefined,
        assistant: assistant ? { ...assistant } : undefined,
      },
    });
    await delivery.deliver('vapi', String(message.type), url, body, vapiWebhookHeaders(assistant));
  }

  /**
   * The transfer a call can make: a connector (the call's model override holds a transferCall tool, as for "Connect me")
   * transfers right after its first message; otherwise the agent's tools (the assistant's model tools and the call's
   * `tools:append`) are used when the conversation asks for a person (the forwarded scenario).
   */
  function transferOf(call: VapiCall, assistant: Json): { destination: NumberDestination; connector: boolean } | null {
    const overrides = (call.assistantOverrides ?? {}) as Json;
    const overrideModel = overrides.model as Json | undefined;
    const connector = numberDestinations(overrideModel?.tools)[0];
    if (connector) return { destination: connector, connector: true };
    const model = overrideModel ?? (assistant.model as Json | undefined);
    const agent = [...numberDestinations(model?.tools), ...numberDestinations(overrides['tools:append'])][0];
    return agent ? { destination: agent, connector: false } : null;
  }

  function simulateCall(call: VapiCall, scenario: Scenario, transfer: { destination: NumberDestination; connector: boolean } | null) {
    const assistant: Json = assistants.get(call.assistantId) ?? {};
    const overridden = (call.assistantOverrides ?? {}) as Json;
    const serverMessages = (Array.isArray(overridden.serverMessages) ? overridden.serverMessages : Array.isArray(assistant.serverMessages) ? assistant.serverMessages : DEFAULT_SERVER_MESSAGES) as string[];
    const customerName = call.customer.name ?? null;
    // Vapi renders the assistant's texts with the call's variableValues over its default variables (now, date, customer.*).
    const overrides = (call.assistantOverrides ?? {}) as { variableValues?: Record<string, unknown>; firstMessage?: unknown };
    const scope = { ...defaultVariables(new Date(), call.customer), ...(overrides.variableValues ?? {}) };
    const rawFirst = typeof overrides.firstMessage === 'string' ? overrides.firstMessage : typeof assistant.firstMessage === 'string' ? assistant.firstMessage : null;
    const firstMessage = rawFirst === null ? null : renderVariables(rawFirst, scope);
    const systemPrompt = renderVariables(
      ((assistant.model as { messages?: Array<{ role: string; content: string }> } | undefined)?.messages ?? []).find((m) => m.role === 'system')
        ?.content ?? '',
      scope,
    );

    const setStatus = async (status: string, extra: Json = {}) => {
      Object.assign(call, { status, updatedAt: new Date().toISOString() }, extra);
      await postVapi(call, { type: 'status-update', status, ...extra });
    };

    later(delays.ring, async () => {
      if (scenario.connects === false) {
        await finish(new Date(), []);
        return;
      }
      await setStatus('ringing');
      later(delays.answer, async () => {
        if (!scenario.answered) {
          await finish(new Date(), []);
          return;
        }
        const startedAt = new Date();
        await setStatus('in-progress', { startedAt: startedAt.toISOString() });
        later(delays.talk, async () => {
          if (scenario.forwards && transfer) await transferTo(transfer.destination);
          else if (scenario.forwards) await setStatus('forwarding');
          await finish(startedAt, scenario.turns);
        });
      });
    });

    /**
     * The transferCall tool runs: the `forwarding` status with the destination (and the messages so far), then a
     * transfer-update when the call asked for it (not a default server message). The destination's phone rings showing
     * the callerId (rendered like the assistant's texts), or the call's own number when none is given.
     */
    async function transferTo(destination: NumberDestination) {
      const phoneNumber = phoneNumbers.get(call.phoneNumberId);
      const callerId = destination.callerId
        ? renderVariables(destination.callerId, { ...scope, phoneNumber: { number: phoneNumber?.number ?? '' } })
        : (phoneNumber?.number ?? '');
      const { type: _t, ...rest } = destination;
      const dest = { type: 'number', ...rest };
      transfers.push({ callId: call.id, from: call.customer.number, to: destination.number, callerId, mode: destination.transferPlan?.mode ?? 'blind-transfer', at: new Date().toISOString() });
      await setStatus('forwarding', { destination: dest });
      if (serverMessages.includes('transfer-update')) await postVapi(call, { type: 'transfer-update', destination: dest });
    }

    // The time a booked or callback conversation agrees on, said as "Thursday at 4:00 PM" and analysed as its ISO instant.
    const requested = scenario.analysis?.requested ? requestedInstant(scenario.analysis.requested, new Date()) : null;
    const when = requested ? spokenTime(requested) : null;

    async function finish(startedAt: Date, turns: Scenario['turns']) {
      // Spread the turns over a realistic duration (about 6 s per turn), independent of the simulation speed.
      const start = startedAt.getTime();
      let t = start + 800;
      const artifactMessages: Json[] = [];
      if (turns.length > 0 && systemPrompt) artifactMessages.push({ role: 'system', message: systemPrompt, time: start, secondsFromStart: 0 });
      turns.forEach((turn, i) => {
        // The agent's first line is the assistant's rendered firstMessage; the library's own lines use the customer's first name.
        const text = i === 0 && turn.role === 'bot' && firstMessage && scenario.name !== 'voicemail' ? firstMessage : personalise(turn.text, customerName, when);
        const duration = Math.max(1500, text.length * 55);
        artifactMessages.push({
          role: turn.role,
          message: text,
          time: t,
          endTime: t + duration,
          secondsFromStart: (t - start) / 1000,
          duration,
          ...(turn.role === 'bot' ? { source: '' } : {}),
        });
        t += duration + 700;
      });
      const endedAt = new Date(turns.length > 0 ? t : Date.now());
      const transcript = artifactMessages
        .filter((m) => m.role !== 'system')
        .map((m) => `${m.role === 'bot' ? 'AI' : 'User'}: ${m.message as string}`)
        .join('\n');
      const recording = turns.length > 0 ? recordingUrl(call.id) : undefined;
      // Vapi's post-call analysis as the assistant's analysisPlan produces it: the summary, our structured data
      // ({ intent, requestedAt }) and the PassFail evaluation ("true"/"false"); no analysis below two messages.
      // Like Vapi: structured data only when the assistant's structuredDataPlan is enabled (default false), a success
      // evaluation unless its successEvaluationPlan is disabled (default true).
      const analysed = scenario.analysis && turns.length >= 2 ? scenario.analysis : null;
      const plan = (assistant.analysisPlan ?? {}) as { structuredDataPlan?: { enabled?: unknown }; successEvaluationPlan?: { enabled?: unknown } };
      const analysis: Json = {
        ...(scenario.summary ? { summary: personalise(scenario.summary, customerName, when) } : {}),
        ...(analysed && plan.structuredDataPlan?.enabled === true
          ? { structuredData: { intent: analysed.intent, ...(requested && analysed.requested ? { requestedAt: requested.toISOString() } : {}) } }
          : {}),
        ...(analysed && plan.successEvaluationPlan?.enabled !== false ? { successEvaluation: analysed.success ? 'true' : 'false' } : {}),
      };
      const artifact = { messages: artifactMessages, transcript, ...(recording ? { recordingUrl: recording } : {}) };
      const durationSeconds = turns.length > 0 ? Math.round((endedAt.getTime() - start) / 1000) : 0;
      Object.assign(call, {
        status: 'ended',
        endedReason: scenario.endedReason,
        ...(scenario.answered ? { startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString() } : { endedAt: endedAt.toISOString() }),
        artifact,
        analysis,
        messages: artifactMessages,
        transcript,
        ...(recording ? { recordingUrl: recording } : {}),
        summary: analysis.summary,
        cost: Math.round(durationSeconds * 0.0015 * 100) / 100,
        updatedAt: new Date().toISOString(),
      });
      await postVapi(call, { type: 'status-update', status: 'ended', endedReason: scenario.endedReason });
      await postVapi(call, {
        type: 'end-of-call-report',
        endedReason: scenario.endedReason,
        startedAt: call.startedAt,
        endedAt: call.endedAt,
        durationSeconds,
        cost: call.cost,
        artifact,
        analysis,
      });
    }
  }

  const phoneNumberReply = (p: VapiPhoneNumber) => {
    const { twilioAuthToken: _omit, twilioApiSecret: _omit2, ...reply } = p;
    return reply;
  };

  function validatePhoneNumber(body: Json, partial: boolean): string[] {
    const errors: string[] = [];
    if ((!partial || body.provider !== undefined) && body.provider !== 'twilio') {
      errors.push('provider must be one of the following values: byo-phone-number, twilio, vonage, vapi, telnyx');
    }
    if ((!partial || body.number !== undefined) && (typeof body.number !== 'string' || !E164.test(body.number))) {
      errors.push('number must be a valid phone number in the E.164 format');
    }
    if ((!partial || body.twilioAccountSid !== undefined) && (typeof body.twilioAccountSid !== 'string' || !/^AC/.test(body.twilioAccountSid))) {
      errors.push('twilioAccountSid must be a valid Twilio Account SID');
    }
    if (!partial && typeof body.twilioAuthToken !== 'string' && typeof body.twilioApiKey !== 'string') errors.push('twilioAuthToken should not be empty');
    return errors;
  }

  async function handle(req: IncomingMessage, path: string, res: ServerResponse) {
    const orgId = vapiOrg(req);
    const method = req.method ?? 'GET';
    const raw = method === 'GET' ? '' : await readBody(req);
    let body: Json = {};
    if (raw) {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        throw vapiError(400, 'Unexpected token in JSON body');
      }
    }
    const now = new Date().toISOString();
    const owned = <T extends { orgId: string }>(m: Map<string, T>, id: string, what: string): T => {
      const v = m.get(id);
      if (!v || v.orgId !== orgId) throw vapiError(404, `${what} not found`);
      return v;
    };
    let m: RegExpExecArray | null;

    if (method === 'POST' && path === '/assistant') {
      const a = { ...body, id: uuid(), orgId, createdAt: now, updatedAt: now };
      assistants.set(a.id, a);
      return send(res, 201, a);
    }
    if ((m = /^\/assistant\/([^/]+)$/.exec(path))) {
      const a = owned(assistants, decodeURIComponent(m[1]!), 'Assistant');
      if (method === 'GET') return send(res, 200, a);
      if (method === 'PATCH') {
        Object.assign(a, body, { id: a.id, orgId, updatedAt: now });
        return send(res, 200, a);
      }
      if (method === 'DELETE') {
        assistants.delete(a.id);
        return send(res, 200, a);
      }
    }
    if (method === 'GET' && path === '/phone-number') {
      return send(res, 200, [...phoneNumbers.values()].filter((p) => p.orgId === orgId).map(phoneNumberReply));
    }
    if (method === 'POST' && path === '/phone-number') {
      const errors = validatePhoneNumber(body, false);
      if (errors.length) throw vapiError(400, errors);
      // Not documented by Vapi, and stricter on purpose: one org cannot import the same number twice (update it instead).
      if ([...phoneNumbers.values()].some((p) => p.orgId === orgId && p.number === body.number)) {
        throw vapiError(400, `Phone number ${String(body.number)} already exists in this org. Update or delete the existing one.`);
      }
      const smsEnabled = body.smsEnabled !== false;
      const p = { ...body, id: uuid(), orgId, smsEnabled, status: 'active', createdAt: now, updatedAt: now } as unknown as VapiPhoneNumber;
      phoneNumbers.set(p.id, p);
      // Like the real import: with smsEnabled (the default), Vapi takes the number's messaging webhook over.
      if (smsEnabled) twilio.handOverToVapi(p.twilioAccountSid, p.number);
      return send(res, 201, phoneNumberReply(p));
    }
    if ((m = /^\/phone-number\/([^/]+)$/.exec(path))) {
      const p = owned(phoneNumbers, decodeURIComponent(m[1]!), 'Phone number');
      if (method === 'GET') return send(res, 200, phoneNumberReply(p));
      if (method === 'PATCH') {
        const errors = validatePhoneNumber(body, true);
        if (errors.length) throw vapiError(400, errors);
        if (typeof body.number === 'string' && [...phoneNumbers.values()].some((o) => o.orgId === orgId && o.id !== p.id && o.number === body.number)) {
          throw vapiError(400, `Phone number ${body.number} already exists in this org. Update or delete the existing one.`);
        }
        Object.assign(p, body, { id: p.id, orgId, updatedAt: now });
        if (body.smsEnabled !== undefined) p.smsEnabled = body.smsEnabled !== false;
        if (body.smsEnabled === true) twilio.handOverToVapi(p.twilioAccountSid, p.number);
        return send(res, 200, phoneNumberReply(p));
      }
      if (method === 'DELETE') {
        phoneNumbers.delete(p.id);
        return send(res, 200, phoneNumberReply(p));
      }
    }
    if (method === 'POST' && path === '/call') {
      const assistantId = body.assistantId as string | undefined;
      const phoneNumberId = body.phoneNumberId as string | undefined;
      const customer = body.customer as { number?: string; name?: string } | undefined;
      if (!assistantId || !assistants.has(assistantId) || assistants.get(assistantId)!.orgId !== orgId) {
        throw vapiError(400, `Couldn't Get Assistant. \`assistantId\` ${assistantId ?? ''} Does Not Exist.`);
      }
      if (!phoneNumberId || !phoneNumbers.has(phoneNumberId) || phoneNumbers.get(phoneNumberId)!.orgId !== orgId) {
        throw vapiError(400, `Couldn't Get Phone Number. \`phoneNumberId\` ${phoneNumberId ?? ''} Does Not Exist.`);
      }
      if (!customer?.number || !E164.test(customer.number)) {
        throw vapiError(400, ['customer.number must be a valid phone number in the E.164 format. Hot tip, you may be missing the country code (Eg. US: +1).']);
      }
      const assistantJson: Json = assistants.get(assistantId) ?? {};
      const probe = { assistantOverrides: body.assistantOverrides } as unknown as VapiCall;
      const transfer = transferOf(probe, assistantJson);
      // A connector call (Connect me) rings a staff member, who answers unless a failure ending is forced; it then says
      // its first message and transfers.
      const CALLER_ENDINGS: ScenarioName[] = ['no-answer', 'busy', 'failed-to-connect', 'voicemail'];
      const scenario = transfer?.connector
        ? forcedScenario && CALLER_ENDINGS.includes(forcedScenario)
          ? pickScenario(customer.number, forcedScenario)
          : CONNECTOR_SCENARIO
        : pickScenario(customer.number, forcedScenario);
      forcedScenario = null;
      const call: VapiCall = {
        id: uuid(),
        orgId,
        type: 'outboundPhoneCall',
        status: 'queued',
        assistantId,
        phoneNumberId,
        customer: { number: customer.number, ...(customer.name ? { name: customer.name } : {}) },
        ...(body.assistantOverrides ? { assistantOverrides: body.assistantOverrides } : {}),
        ...(body.name ? { name: body.name } : {}),
        phoneCallProvider: 'twilio',
        phoneCallTransport: 'pstn',
        createdAt: now,
        updatedAt: now,
        monitor: {},
        transport: {},
      };
      calls.set(call.id, call);
      if (nextWithoutCall) withoutCall.add(call.id);
      nextWithoutCall = false;
      log?.info({ callId: call.id, scenario: `${scenario.name}/${scenario.variant}` }, 'sandbox call queued');
      simulateCall(call, scenario, transfer);
      return send(res, 201, call);
    }
    if ((m = /^\/call\/([^/]+)$/.exec(path)) && method === 'GET') {
      return send(res, 200, owned(calls, decodeURIComponent(m[1]!), 'Call'));
    }
    throw vapiError(404, `Cannot ${method} ${path}`);
  }

  return {
    handle,
    nextCallScenario(name) {
      if (!ALL_SCENARIO_NAMES.includes(name)) throw new RangeError(`unknown scenario ${name}`);
      forcedScenario = name;
    },
    nextCallWithoutCallObject() {
      nextWithoutCall = true;
    },
    deleteAssistant: (id) => assistants.delete(id),
    phoneNumbersSummary: () => [...phoneNumbers.values()].map((p) => ({ id: p.id, number: p.number, orgId: p.orgId })),
    callsSummary: () => [...calls.values()].map((c) => ({ id: c.id, status: c.status, customer: c.customer, endedReason: c.endedReason ?? null })),
    transfers: () => transfers.map((t) => ({ ...t })),
  };
}
