/**
 * The Vapi REST API fake: webhook credentials, assistants, imported Twilio phone numbers and outbound calls. A placed
 * call plays one of ./scenarios.ts over time (queued -> ringing -> in-progress -> ended) and posts Vapi's status-update
 * and end-of-call-report webhooks to the assistant's server URL, signed with its credential.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { vapiCredentialHeaders, type Delivery, type VapiAuthenticationPlan } from './delivery.js';
import { E164, HttpError, readBody, send, stableId, uuid, type Json } from './http.js';
import { personalise, pickScenario, SCENARIO_NAMES, type Scenario, type ScenarioName } from './scenarios.js';
import type { TwilioFake } from './twilio.js';
import type { SandboxDelays, SandboxLogger } from './types.js';

export const vapiError = (status: number, message: string | string[]) =>
  new HttpError(status, {
    message,
    error: { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error',
    statusCode: status,
  });

interface VapiCredential {
  id: string;
  orgId: string;
  provider: 'webhook';
  name?: string;
  authenticationPlan: VapiAuthenticationPlan;
  createdAt: string;
  updatedAt: string;
}

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
  /** Every call, briefly, for the control API's state. */
  callsSummary(): unknown[];
}

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
  const credentials = new Map<string, VapiCredential>();
  const assistants = new Map<string, Json & { id: string; orgId: string }>();
  const phoneNumbers = new Map<string, VapiPhoneNumber>();
  const calls = new Map<string, VapiCall>();
  let forcedScenario: ScenarioName | null = null;
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

  function vapiWebhookHeaders(assistant: Json | undefined, rawBody: string): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const server = (assistant?.server ?? {}) as { credentialId?: string; headers?: Record<string, unknown> };
    for (const [k, v] of Object.entries(server.headers ?? {})) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
    const cred = server.credentialId ? credentials.get(server.credentialId) : undefined;
    if (cred) Object.assign(headers, vapiCredentialHeaders(cred.authenticationPlan, rawBody));
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
        call: { ...call },
        customer: call.customer,
        phoneNumber: phoneNumber ? { ...phoneNumber, twilioAuthToken: undefined } : undefined,
        assistant: assistant ? { ...assistant } : undefined,
      },
    });
    await delivery.deliver('vapi', String(message.type), url, body, vapiWebhookHeaders(assistant, body));
  }

  function simulateCall(call: VapiCall, scenario: Scenario) {
    const assistant: Json = assistants.get(call.assistantId) ?? {};
    const customerName = call.customer.name ?? null;
    const firstMessage = typeof assistant.firstMessage === 'string' ? assistant.firstMessage : null;
    const systemPrompt =
      ((assistant.model as { messages?: Array<{ role: string; content: string }> } | undefined)?.messages ?? []).find((m) => m.role === 'system')
        ?.content ?? '';

    const setStatus = async (status: string, extra: Json = {}) => {
      Object.assign(call, { status, updatedAt: new Date().toISOString() }, extra);
      await postVapi(call, { type: 'status-update', status, ...extra });
    };

    later(delays.ring, async () => {
      await setStatus('ringing');
      later(delays.answer, async () => {
        if (!scenario.answered) {
          await finish(new Date(), []);
          return;
        }
        const startedAt = new Date();
        await setStatus('in-progress', { startedAt: startedAt.toISOString() });
        later(delays.talk, () => finish(startedAt, scenario.turns));
      });
    });

    async function finish(startedAt: Date, turns: Scenario['turns']) {
      // Spread the turns over a realistic duration (about 6 s per turn), independent of the simulation speed.
      const start = startedAt.getTime();
      let t = start + 800;
      const artifactMessages: Json[] = [];
      if (turns.length > 0 && systemPrompt) artifactMessages.push({ role: 'system', message: systemPrompt, time: start, secondsFromStart: 0 });
      turns.forEach((turn, i) => {
        const text = personalise(i === 0 && turn.role === 'bot' && firstMessage && scenario.name !== 'voicemail' ? firstMessage : turn.text, customerName);
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
      const analysis = { summary: scenario.summary ? personalise(scenario.summary, customerName) : undefined, successEvaluation: scenario.name === 'hot' ? 'true' : 'false' };
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

  const redactCredential = (c: VapiCredential) => {
    const { secretKey: _s, token: _t, ...plan } = c.authenticationPlan;
    return { ...c, authenticationPlan: plan };
  };

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

    if (method === 'POST' && path === '/credential') {
      const plan = body.authenticationPlan as VapiCredential['authenticationPlan'] | undefined;
      if (body.provider !== 'webhook' || !plan || typeof plan !== 'object') {
        throw vapiError(400, ['provider must be one of the following values: webhook, ...', 'authenticationPlan should not be empty']);
      }
      if (plan.type === 'hmac' && (typeof plan.secretKey !== 'string' || plan.secretKey.length === 0)) {
        throw vapiError(400, ['authenticationPlan.secretKey should not be empty']);
      }
      const cred: VapiCredential = { id: uuid(), orgId, provider: 'webhook', name: body.name as string | undefined, authenticationPlan: plan, createdAt: now, updatedAt: now };
      credentials.set(cred.id, cred);
      return send(res, 201, redactCredential(cred));
    }
    if ((m = /^\/credential\/([^/]+)$/.exec(path))) {
      const cred = owned(credentials, decodeURIComponent(m[1]!), 'Credential');
      if (method === 'GET') return send(res, 200, redactCredential(cred));
      if (method === 'PATCH') {
        if (body.authenticationPlan) cred.authenticationPlan = body.authenticationPlan as VapiCredential['authenticationPlan'];
        if (typeof body.name === 'string') cred.name = body.name;
        cred.updatedAt = now;
        return send(res, 200, redactCredential(cred));
      }
    }
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
    }
    if (method === 'POST' && path === '/phone-number') {
      const errors: string[] = [];
      if (body.provider !== 'twilio') errors.push('provider must be one of the following values: byo-phone-number, twilio, vonage, vapi, telnyx');
      if (typeof body.number !== 'string' || !E164.test(body.number)) errors.push('number must be a valid phone number in the E.164 format');
      if (typeof body.twilioAccountSid !== 'string' || !/^AC/.test(body.twilioAccountSid)) errors.push('twilioAccountSid must be a valid Twilio Account SID');
      if (typeof body.twilioAuthToken !== 'string' && typeof body.twilioApiKey !== 'string') errors.push('twilioAuthToken should not be empty');
      if (errors.length) throw vapiError(400, errors);
      const smsEnabled = body.smsEnabled !== false;
      const p = { ...body, id: uuid(), orgId, smsEnabled, status: 'active', createdAt: now, updatedAt: now } as unknown as VapiPhoneNumber;
      phoneNumbers.set(p.id, p);
      // Like the real import: with smsEnabled (the default), Vapi takes the number's messaging webhook over.
      if (smsEnabled) twilio.handOverToVapi(p.twilioAccountSid, p.number);
      const { twilioAuthToken: _omit, ...reply } = p;
      return send(res, 201, reply);
    }
    if ((m = /^\/phone-number\/([^/]+)$/.exec(path)) && method === 'GET') {
      const { twilioAuthToken: _omit, ...reply } = owned(phoneNumbers, decodeURIComponent(m[1]!), 'Phone number');
      return send(res, 200, reply);
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
      const scenario = pickScenario(customer.number, forcedScenario);
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
      log?.info({ callId: call.id, scenario: `${scenario.name}/${scenario.variant}` }, 'sandbox call queued');
      simulateCall(call, scenario);
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
      if (!SCENARIO_NAMES.includes(name)) throw new RangeError(`unknown scenario ${name}`);
      forcedScenario = name;
    },
    callsSummary: () => [...calls.values()].map((c) => ({ id: c.id, status: c.status, customer: c.customer, endedReason: c.endedReason ?? null })),
  };
}
