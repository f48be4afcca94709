/**
 * The telephony sandbox: a loopback HTTP server that answers the used part of Vapi's and Twilio's REST APIs with their
 * shapes, status codes and error codes, and posts the same signed webhooks back. The product's real clients are simply
 * pointed at `vapiBaseUrl` / `twilioBaseUrl`; there is no sandbox branch in product code. See ../README.md.
 */
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { twilioKeyword, twilioSegments } from './twilio-rules.js';
import { personalise, pickScenario, SCENARIO_NAMES, type Scenario, type ScenarioName } from './scenarios.js';

export interface SandboxDelays {
  /** queued -> ringing */
  ring: number;
  /** ringing -> in-progress (or -> ended for no-answer) */
  answer: number;
  /** in-progress -> ended */
  talk: number;
  /** each SMS status step: queued -> sent -> delivered */
  sms: number;
}

export interface SandboxLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
}

export interface SandboxOptions {
  port?: number;
  host?: string;
  delaysMs?: Partial<SandboxDelays>;
  logger?: SandboxLogger;
}

export interface WebhookDelivery {
  provider: 'vapi' | 'twilio';
  type: string;
  url: string;
  status: number | null;
  error: string | null;
  at: string;
}

export interface FailNext {
  service: 'vapi' | 'twilio';
  /** Answer the next request with this status (and a provider-shaped error body). */
  status?: number;
  /** Never answer the next request (until close), to exercise client timeouts. */
  hang?: boolean;
}

export interface InboundResult {
  messageSid: string;
  kind: ReturnType<typeof twilioKeyword>;
  /** Where the sandbox posted it: our SmsUrl, Vapi (when the number was imported with smsEnabled true), or nowhere. */
  deliveredTo: string | null;
  status: number | null;
}

export interface SandboxControl {
  /** Forces the conversation of the next call placed. */
  nextCallScenario(name: ScenarioName): void;
  /** A lead texts the clinic number: posts a signed inbound message to the number's SmsUrl. */
  inbound(msg: { from: string; to: string; body: string }): Promise<InboundResult>;
  /** Makes the next request to a service fail or hang. */
  failNext(f: FailNext): void;
  /** The next SMS sent ends undelivered/failed with this carrier error (30003-30008...) instead of delivered. */
  nextSmsOutcome(o: { status: 'undelivered' | 'failed'; errorCode: number }): void;
  /** Every webhook posted so far. */
  deliveries(): WebhookDelivery[];
  /** Resolves when no call or SMS simulation is pending (all webhooks sent). */
  idle(): Promise<void>;
  /** Recipients who replied STOP to a clinic number (and have not replied START since). */
  optedOut(accountSid: string, clinicNumber: string): string[];
}

export interface TelephonySandbox {
  url: string;
  vapiBaseUrl: string;
  twilioBaseUrl: string;
  control: SandboxControl;
  close(): Promise<void>;
}

const DEFAULT_DELAYS: SandboxDelays = { ring: 1500, answer: 2500, talk: 4000, sms: 1500 };
const E164 = /^\+[1-9]\d{6,14}$/;
const TWILIO_API = '/2010-04-01';

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(typeof body === 'object' && body && 'message' in body ? String((body as { message: unknown }).message) : `HTTP ${status}`);
  }
}

const vapiError = (status: number, message: string | string[]) =>
  new HttpError(status, {
    message,
    error: { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[status] ?? 'Error',
    statusCode: status,
  });

const twilioError = (status: number, code: number, message: string) =>
  new HttpError(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

const hex = (n: number) => randomBytes(n).toString('hex');
const uuid = () => {
  const b = randomBytes(16);
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};
const rfc2822 = (d: Date) => d.toUTCString().replace('GMT', '+0000');
const stableId = (prefix: string, ...parts: string[]) => prefix + createHash('sha256').update(parts.join('|')).digest('hex').slice(0, 32);

/** X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each POST parameter (sorted by name) name+value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------------------------------
// State

interface VapiCredential {
  id: string;
  orgId: string;
  provider: 'webhook';
  name?: string;
  authenticationPlan: { type: string; secretKey?: string; token?: string; headerName?: string; bearerPrefixEnabled?: boolean } & Record<
    string,
    unknown
  >;
  createdAt: string;
  updatedAt: string;
}

type Json = Record<string, unknown>;

interface VapiCall extends Json {
  id: string;
  orgId: string;
  status: string;
  assistantId: string;
  phoneNumberId: string;
  customer: { number: string; name?: string };
}

interface TwilioAccount {
  sid: string;
  authToken: string;
  createdAt: Date;
}

interface TwilioNumber {
  sid: string;
  accountSid: string;
  phoneNumber: string;
  smsUrl: string;
  smsMethod: string;
  createdAt: Date;
  updatedAt: Date;
}

interface TwilioMessage {
  sid: string;
  accountSid: string;
  from: string;
  to: string;
  body: string;
  status: string;
  numSegments: number;
  direction: 'outbound-api' | 'inbound';
  messagingServiceSid: string | null;
  statusCallback: string | null;
  errorCode: number | null;
  errorMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/** Twilio's magic test numbers (To), and the errors they produce. */
const MAGIC_TO: Record<string, [code: number, message: (to: string) => string]> = {
  '+15005550001': [21211, (to) => `The 'To' number ${to} is not a valid phone number.`],
  '+15005550003': [21408, (to) => `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`],
  '+15005550004': [21610, () => 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, (to) => `'To' number ${to} is not a valid mobile number`],
};

const VAPI_SMS_URL = 'https://api.vapi.ai/twilio/sms';

// ---------------------------------------------------------------------------------------------------------------------

export async function startTelephonySandbox(options: SandboxOptions = {}): Promise<TelephonySandbox> {
  const host = options.host ?? '127.0.0.1';
  const delays: SandboxDelays = { ...DEFAULT_DELAYS, ...(options.delaysMs ?? {}) };
  const log = options.logger;

  const credentials = new Map<string, VapiCredential>();
  const assistants = new Map<string, Json & { id: string; orgId: string }>();
  const phoneNumbers = new Map<string, Json & { id: string; orgId: string; number: string; smsEnabled: boolean; twilioAccountSid: string }>();
  const calls = new Map<string, VapiCall>();
  const accounts = new Map<string, TwilioAccount>();
  const numbers = new Map<string, TwilioNumber>(); // by sid
  const messages = new Map<string, TwilioMessage>();
  const optOuts = new Set<string>(); // `${accountSid}|${clinicNumber}|${recipient}`
  const deliveries: WebhookDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();
  const hanging = new Set<ServerResponse>();
  let forcedScenario: ScenarioName | null = null;
  const failures: FailNext[] = [];
  const smsOutcomes: Array<{ status: 'undelivered' | 'failed'; errorCode: number }> = [];
  const CARRIER_ERRORS: Record<number, string> = {
    30003: 'Unreachable destination handset',
    30004: 'Message blocked',
    30005: 'Unknown destination handset',
    30006: 'Landline or unreachable carrier',
    30007: 'Message filtered',
    30008: 'Unknown error',
  };
  let closed = false;
  let idleWaiters: Array<() => void> = [];

  const checkIdle = () => {
    if (timers.size === 0 && pending.size === 0) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const f of w) f();
    }
  };
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    p.finally(() => {
      pending.delete(p);
      checkIdle();
    }).catch(() => undefined);
    return p;
  };
  const later = (ms: number, fn: () => Promise<void> | void) => {
    if (closed) return;
    const t = setTimeout(() => {
      timers.delete(t);
      if (closed) return;
      void track(Promise.resolve().then(fn)).catch((err) => log?.warn({ err }, 'sandbox step failed'));
    }, ms);
    timers.add(t);
  };

  // ----- webhook delivery ---------------------------------------------------------------------------------------------

  async function deliver(provider: 'vapi' | 'twilio', type: string, url: string, body: string, headers: Record<string, string>) {
    const record: WebhookDelivery = { provider, type, url, status: null, error: null, at: new Date().toISOString() };
    deliveries.push(record);
    try {
      const res = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(20_000) });
      record.status = res.status;
      await res.arrayBuffer().catch(() => undefined);
      log?.info({ provider, type, url, status: res.status }, 'sandbox webhook delivered');
    } catch (err) {
      record.error = err instanceof Error ? err.message : String(err);
      log?.warn({ provider, type, url, err: record.error }, 'sandbox webhook failed (not retried, like the provider)');
    }
    return record;
  }

  // ----- Vapi ---------------------------------------------------------------------------------------------------------

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
    if (cred) {
      const plan = cred.authenticationPlan;
      if (plan.type === 'hmac' && typeof plan.secretKey === 'string') {
        const ts = String(Date.now());
        const algorithm = typeof plan.algorithm === 'string' ? plan.algorithm : 'sha256';
        const payload = (typeof plan.payloadFormat === 'string' ? plan.payloadFormat : '{timestamp}.{body}')
          .replace('{timestamp}', ts)
          .replace('{body}', rawBody);
        const key = plan.secretIsBase64 ? Buffer.from(plan.secretKey, 'base64') : plan.secretKey;
        const sig = createHmac(algorithm, key).update(payload).digest(plan.signatureEncoding === 'base64' ? 'base64' : 'hex');
        headers[String(plan.signatureHeader ?? 'x-signature').toLowerCase()] = `${plan.signaturePrefix ?? ''}${sig}`;
        if (plan.includeTimestamp !== false) headers[String(plan.timestampHeader ?? 'x-timestamp').toLowerCase()] = ts;
      } else if (plan.type === 'bearer' && typeof plan.token === 'string') {
        const name = (plan.headerName ?? 'Authorization').toLowerCase();
        headers[name] = plan.bearerPrefixEnabled === false ? plan.token : `Bearer ${plan.token}`;
      }
    }
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
    await deliver('vapi', String(message.type), url, body, vapiWebhookHeaders(assistant, body));
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
      const recordingUrl = turns.length > 0 ? `${baseUrl}/recordings/${call.id}.wav` : undefined;
      const analysis = { summary: scenario.summary ? personalise(scenario.summary, customerName) : undefined, successEvaluation: scenario.name === 'hot' ? 'true' : 'false' };
      const artifact = { messages: artifactMessages, transcript, ...(recordingUrl ? { recordingUrl } : {}) };
      const durationSeconds = turns.length > 0 ? Math.round((endedAt.getTime() - start) / 1000) : 0;
      Object.assign(call, {
        status: 'ended',
        endedReason: scenario.endedReason,
        ...(scenario.answered ? { startedAt: startedAt.toISOString(), endedAt: endedAt.toISOString() } : { endedAt: endedAt.toISOString() }),
        artifact,
        analysis,
        messages: artifactMessages,
        transcript,
        ...(recordingUrl ? { recordingUrl } : {}),
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

  async function handleVapi(req: IncomingMessage, path: string, res: ServerResponse) {
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
      const p = { ...body, id: uuid(), orgId, smsEnabled, status: 'active', createdAt: now, updatedAt: now } as unknown as Json & {
        id: string;
        orgId: string;
        number: string;
        smsEnabled: boolean;
        twilioAccountSid: string;
      };
      phoneNumbers.set(p.id, p);
      // Like the real import: with smsEnabled (the default), Vapi takes the number's messaging webhook over.
      if (smsEnabled) {
        const n = numberFor(p.twilioAccountSid, p.number);
        if (n) Object.assign(n, { smsUrl: VAPI_SMS_URL, smsMethod: 'POST', updatedAt: new Date() });
      }
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

  const redactCredential = (c: VapiCredential) => {
    const { secretKey: _s, token: _t, ...plan } = c.authenticationPlan;
    return { ...c, authenticationPlan: plan };
  };

  // ----- Twilio -------------------------------------------------------------------------------------------------------

  function twilioAccount(req: IncomingMessage, pathSid: string): TwilioAccount {
    const m = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
    const [user, ...rest] = m ? Buffer.from(m[1]!, 'base64').toString('utf8').split(':') : [];
    const token = rest.join(':');
    if (!user || !token || user !== pathSid || !/^AC[0-9a-zA-Z]+$/.test(user) || token === 'invalid') {
      throw twilioError(401, 20003, 'Authenticate');
    }
    let acc = accounts.get(user);
    if (!acc) {
      acc = { sid: user, authToken: token, createdAt: new Date() };
      accounts.set(user, acc);
    }
    acc.authToken = token; // webhooks are signed with the token the product uses
    return acc;
  }

  /** Every account owns any valid E.164 number except Twilio's magic test range (+1 500 555 ...), +15005550006 aside. */
  function numberFor(accountSid: string, e164: string): TwilioNumber | null {
    if (!E164.test(e164) || (e164.startsWith('+1500555') && e164 !== '+15005550006')) return null;
    const sid = stableId('PN', accountSid, e164);
    let n = numbers.get(sid);
    if (!n) {
      const now = new Date();
      n = { sid, accountSid, phoneNumber: e164, smsUrl: '', smsMethod: 'POST', createdAt: now, updatedAt: now };
      numbers.set(sid, n);
    }
    return n;
  }

  const numberJson = (n: TwilioNumber) => ({
    sid: n.sid,
    account_sid: n.accountSid,
    friendly_name: n.phoneNumber.replace(/^\+1(\d{3})(\d{3})(\d{4})$/, '($1) $2-$3'),
    phone_number: n.phoneNumber,
    api_version: '2010-04-01',
    capabilities: { voice: true, sms: true, mms: true, fax: false },
    sms_url: n.smsUrl,
    sms_method: n.smsMethod,
    sms_fallback_url: '',
    sms_fallback_method: 'POST',
    voice_url: '',
    voice_method: 'POST',
    status: 'in-use',
    origin: 'twilio',
    date_created: rfc2822(n.createdAt),
    date_updated: rfc2822(n.updatedAt),
    uri: `${TWILIO_API}/Accounts/${n.accountSid}/IncomingPhoneNumbers/${n.sid}.json`,
  });

  const messageJson = (msg: TwilioMessage) => ({
    sid: msg.sid,
    account_sid: msg.accountSid,
    api_version: '2010-04-01',
    body: msg.body,
    date_created: rfc2822(msg.createdAt),
    date_sent: msg.sentAt ? rfc2822(msg.sentAt) : null,
    date_updated: rfc2822(msg.updatedAt),
    direction: msg.direction,
    error_code: msg.errorCode,
    error_message: msg.errorMessage,
    from: msg.from,
    messaging_service_sid: msg.messagingServiceSid,
    num_media: '0',
    num_segments: String(msg.numSegments),
    price: null,
    price_unit: 'USD',
    status: msg.status,
    subresource_uris: { media: `${TWILIO_API}/Accounts/${msg.accountSid}/Messages/${msg.sid}/Media.json` },
    to: msg.to,
    uri: `${TWILIO_API}/Accounts/${msg.accountSid}/Messages/${msg.sid}.json`,
  });

  async function postStatusCallback(msg: TwilioMessage, acc: TwilioAccount) {
    if (!msg.statusCallback) return;
    const params: Record<string, string> = {
      AccountSid: msg.accountSid,
      ApiVersion: '2010-04-01',
      From: msg.from,
      MessageSid: msg.sid,
      MessageStatus: msg.status,
      SmsSid: msg.sid,
      SmsStatus: msg.status,
      To: msg.to,
      ...(msg.messagingServiceSid ? { MessagingServiceSid: msg.messagingServiceSid } : {}),
      ...(msg.errorCode ? { ErrorCode: String(msg.errorCode) } : {}),
    };
    await deliver('twilio', `sms.${msg.status}`, msg.statusCallback, new URLSearchParams(params).toString(), {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'x-twilio-signature': twilioSignature(acc.authToken, msg.statusCallback, params),
      'i-twilio-idempotency-token': uuid(),
      'user-agent': 'TwilioProxy/1.1',
    });
  }

  function createMessage(acc: TwilioAccount, form: URLSearchParams): TwilioMessage {
    const to = (form.get('To') ?? '').trim();
    const from = (form.get('From') ?? '').trim();
    const body = form.get('Body') ?? '';
    const messagingServiceSid = form.get('MessagingServiceSid');
    if (!to) throw twilioError(400, 21604, "A 'To' phone number is required.");
    if (!body) throw twilioError(400, 21602, 'Message body is required.');
    if (!from && !messagingServiceSid) throw twilioError(400, 21603, "A 'From' phone number is required.");
    if (twilioSegments(body).characters > 1600) throw twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    const magic = MAGIC_TO[to];
    if (magic) throw twilioError(400, magic[0], magic[1](to));
    if (!E164.test(to)) throw twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const sender = from || '+15005550006';
    if (from && !numberFor(acc.sid, from)) {
      throw twilioError(400, 21606, `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account.`);
    }
    if (optOuts.has(`${acc.sid}|${sender}|${to}`)) throw twilioError(400, 21610, 'Attempt to send to unsubscribed recipient');
    const now = new Date();
    const msg: TwilioMessage = {
      sid: 'SM' + hex(16),
      accountSid: acc.sid,
      from: sender,
      to,
      body,
      status: 'queued',
      numSegments: Math.max(1, twilioSegments(body).segments),
      direction: 'outbound-api',
      messagingServiceSid: messagingServiceSid ?? null,
      statusCallback: form.get('StatusCallback'),
      errorCode: null,
      errorMessage: null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    messages.set(msg.sid, msg);
    const outcome = smsOutcomes.shift();
    // No callback for the initial queued state (as with Twilio); then sent, then delivered (or the forced outcome).
    later(delays.sms, async () => {
      Object.assign(msg, { status: 'sent', sentAt: new Date(), updatedAt: new Date() });
      await postStatusCallback(msg, acc);
      later(delays.sms, async () => {
        if (outcome) {
          Object.assign(msg, {
            status: outcome.status,
            errorCode: outcome.errorCode,
            errorMessage: CARRIER_ERRORS[outcome.errorCode] ?? 'Unknown error',
            updatedAt: new Date(),
          });
        } else {
          Object.assign(msg, { status: 'delivered', updatedAt: new Date() });
        }
        await postStatusCallback(msg, acc);
      });
    });
    return msg;
  }

  async function handleTwilio(req: IncomingMessage, path: string, query: URLSearchParams, res: ServerResponse) {
    const method = req.method ?? 'GET';
    const m = /^\/2010-04-01\/Accounts\/([^/.]+)(\.json|\/.*)$/.exec(path);
    if (!m) throw twilioError(404, 20404, `The requested resource ${path} was not found`);
    const acc = twilioAccount(req, decodeURIComponent(m[1]!));
    const rest = m[2]!;
    const form = method === 'POST' ? new URLSearchParams(await readBody(req)) : new URLSearchParams();
    let r: RegExpExecArray | null;

    if (rest === '.json' && method === 'GET') {
      return send(res, 200, {
        sid: acc.sid,
        owner_account_sid: acc.sid,
        friendly_name: 'Live Leads Sandbox',
        status: 'active',
        type: 'Full',
        date_created: rfc2822(acc.createdAt),
        date_updated: rfc2822(acc.createdAt),
        uri: `${TWILIO_API}/Accounts/${acc.sid}.json`,
        subresource_uris: {
          messages: `${TWILIO_API}/Accounts/${acc.sid}/Messages.json`,
          incoming_phone_numbers: `${TWILIO_API}/Accounts/${acc.sid}/IncomingPhoneNumbers.json`,
        },
      });
    }
    if (rest === '/Messages.json' && method === 'POST') return send(res, 201, messageJson(createMessage(acc, form)));
    if ((r = /^\/Messages\/(SM[0-9a-f]{32})\.json$/.exec(rest)) && method === 'GET') {
      const msg = messages.get(r[1]!);
      if (!msg || msg.accountSid !== acc.sid) throw twilioError(404, 20404, `The requested resource ${path} was not found`);
      return send(res, 200, messageJson(msg));
    }
    if (rest === '/IncomingPhoneNumbers.json' && method === 'GET') {
      const wanted = query.get('PhoneNumber');
      const list = wanted
        ? [numberFor(acc.sid, wanted.trim())].filter((n): n is TwilioNumber => n !== null)
        : [...numbers.values()].filter((n) => n.accountSid === acc.sid);
      const pageSize = Number(query.get('PageSize') ?? 50) || 50;
      const uri = `${TWILIO_API}/Accounts/${acc.sid}/IncomingPhoneNumbers.json?PageSize=${pageSize}&Page=0`;
      return send(res, 200, {
        incoming_phone_numbers: list.slice(0, pageSize).map(numberJson),
        end: Math.max(0, Math.min(list.length, pageSize) - 1),
        first_page_uri: uri,
        next_page_uri: null,
        page: 0,
        page_size: pageSize,
        previous_page_uri: null,
        start: 0,
        uri,
      });
    }
    if ((r = /^\/IncomingPhoneNumbers\/(PN[0-9a-f]{32})\.json$/.exec(rest))) {
      const n = numbers.get(r[1]!);
      if (!n || n.accountSid !== acc.sid) throw twilioError(404, 20404, `The requested resource ${path} was not found`);
      if (method === 'POST') {
        if (form.has('SmsUrl')) n.smsUrl = form.get('SmsUrl') ?? '';
        if (form.has('SmsMethod')) n.smsMethod = form.get('SmsMethod') ?? 'POST';
        n.updatedAt = new Date();
      }
      return send(res, 200, numberJson(n));
    }
    throw twilioError(404, 20404, `The requested resource ${path} was not found`);
  }

  // ----- inbound texts --------------------------------------------------------------------------------------------------

  async function inbound({ from, to, body }: { from: string; to: string; body: string }): Promise<InboundResult> {
    const number = [...numbers.values()].find((n) => n.phoneNumber === to);
    const kind = twilioKeyword(body);
    const sid = 'SM' + hex(16);
    if (!number) return { messageSid: sid, kind, deliveredTo: null, status: null };
    const acc = accounts.get(number.accountSid)!;
    // Twilio's own opt-out handling happens whatever the webhook does.
    const key = `${acc.sid}|${to}|${from}`;
    if (kind === 'stop') optOuts.add(key);
    if (kind === 'start') optOuts.delete(key);
    const now = new Date();
    messages.set(sid, {
      sid, accountSid: acc.sid, from, to, body, status: 'received', numSegments: Math.max(1, twilioSegments(body).segments),
      direction: 'inbound', messagingServiceSid: null, statusCallback: null, errorCode: null, errorMessage: null,
      createdAt: now, updatedAt: now, sentAt: now,
    });
    if (!number.smsUrl) return { messageSid: sid, kind, deliveredTo: null, status: null };
    if (number.smsUrl === VAPI_SMS_URL) return { messageSid: sid, kind, deliveredTo: 'vapi', status: null };
    const params: Record<string, string> = {
      ToCountry: 'US', ToState: '', SmsMessageSid: sid, NumMedia: '0', ToCity: '', FromZip: '', SmsSid: sid, FromState: '',
      SmsStatus: 'received', FromCity: '', Body: body, FromCountry: 'US', To: to, ToZip: '',
      NumSegments: String(Math.max(1, twilioSegments(body).segments)), MessageSid: sid, AccountSid: acc.sid, From: from,
      ApiVersion: '2010-04-01',
    };
    // No OptOutType: Twilio sends it only with Advanced Opt-Out on a Messaging Service; the product matches the body itself.
    const record = await track(
      deliver('twilio', 'sms.inbound', number.smsUrl, new URLSearchParams(params).toString(), {
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        'x-twilio-signature': twilioSignature(acc.authToken, number.smsUrl, params),
        'i-twilio-idempotency-token': uuid(),
        'user-agent': 'TwilioProxy/1.1',
      }),
    );
    return { messageSid: sid, kind, deliveredTo: number.smsUrl, status: record.status };
  }

  // ----- HTTP ---------------------------------------------------------------------------------------------------------

  const SILENT_WAV = (() => {
    const samples = 8000;
    const b = Buffer.alloc(44 + samples);
    b.write('RIFF', 0);
    b.writeUInt32LE(36 + samples, 4);
    b.write('WAVEfmt ', 8);
    b.writeUInt32LE(16, 16);
    b.writeUInt16LE(1, 20);
    b.writeUInt16LE(1, 22);
    b.writeUInt32LE(8000, 24);
    b.writeUInt32LE(8000, 28);
    b.writeUInt16LE(1, 32);
    b.writeUInt16LE(8, 34);
    b.write('data', 36);
    b.writeUInt32LE(samples, 40);
    b.fill(128, 44);
    return b;
  })();

  async function handleControl(req: IncomingMessage, path: string, res: ServerResponse) {
    const raw = req.method === 'POST' ? await readBody(req) : '';
    const body = raw ? (JSON.parse(raw) as Json) : {};
    if (req.method === 'POST' && path === '/__sandbox/next-call') {
      const s = body.scenario as ScenarioName;
      if (!SCENARIO_NAMES.includes(s)) return send(res, 400, { error: `scenario must be one of ${SCENARIO_NAMES.join(', ')}` });
      control.nextCallScenario(s);
      return send(res, 200, { next: s });
    }
    if (req.method === 'POST' && path === '/__sandbox/inbound') {
      const { from, to, body: text } = body as { from?: string; to?: string; body?: string };
      if (!from || !to || typeof text !== 'string') return send(res, 400, { error: 'from, to and body are required' });
      return send(res, 200, await control.inbound({ from, to, body: text }));
    }
    if (req.method === 'POST' && path === '/__sandbox/fail-next') {
      const f = body as unknown as FailNext;
      if (f.service !== 'vapi' && f.service !== 'twilio') return send(res, 400, { error: 'service must be vapi or twilio' });
      control.failNext(f);
      return send(res, 200, { ok: true });
    }
    if (req.method === 'POST' && path === '/__sandbox/next-sms') {
      const { status, errorCode } = body as { status?: string; errorCode?: number };
      if ((status !== 'undelivered' && status !== 'failed') || typeof errorCode !== 'number') {
        return send(res, 400, { error: 'status (undelivered|failed) and a numeric errorCode are required' });
      }
      control.nextSmsOutcome({ status, errorCode });
      return send(res, 200, { ok: true });
    }
    if (req.method === 'GET' && path === '/__sandbox/state') {
      return send(res, 200, {
        calls: [...calls.values()].map((c) => ({ id: c.id, status: c.status, customer: c.customer, endedReason: c.endedReason ?? null })),
        messages: [...messages.values()].map(messageJson),
        deliveries,
        scenarios: SCENARIO_NAMES,
      });
    }
    return send(res, 404, { error: 'unknown sandbox control' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const path = url.pathname;
    const service = path.startsWith('/vapi/') ? 'vapi' : path.startsWith('/twilio/') ? 'twilio' : null;
    if (service) {
      const i = failures.findIndex((f) => f.service === service);
      if (i >= 0) {
        const f = failures.splice(i, 1)[0]!;
        if (f.hang) {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        const status = f.status ?? 500;
        return send(
          res,
          status,
          service === 'vapi' ? vapiError(status, 'Internal server error (sandbox fail-next)').body : twilioError(status, 20500, 'Internal Server Error').body,
        );
      }
    }
    const run = async () => {
      if (service === 'vapi') return handleVapi(req, path.slice('/vapi'.length), res);
      if (service === 'twilio') return handleTwilio(req, path.slice('/twilio'.length), url.searchParams, res);
      if (path.startsWith('/__sandbox/')) return handleControl(req, path, res);
      if (/^\/recordings\/[\w-]+\.wav$/.test(path) && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'audio/wav', 'content-length': SILENT_WAV.length });
        return void res.end(SILENT_WAV);
      }
      if (path === '/' || path === '/healthz') return send(res, 200, { ok: true, vapiBaseUrl, twilioBaseUrl });
      return send(res, 404, { error: 'not found' });
    };
    run().catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, err.body);
      log?.warn({ err }, 'sandbox request failed');
      send(res, 500, { message: 'sandbox error', statusCode: 500 });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const vapiBaseUrl = `${baseUrl}/vapi`;
  const twilioBaseUrl = `${baseUrl}/twilio`;

  const control: SandboxControl = {
    nextCallScenario(name) {
      if (!SCENARIO_NAMES.includes(name)) throw new RangeError(`unknown scenario ${name}`);
      forcedScenario = name;
    },
    inbound: (msg) => inbound(msg),
    failNext(f) {
      failures.push(f);
    },
    nextSmsOutcome(o) {
      smsOutcomes.push(o);
    },
    deliveries: () => deliveries.map((d) => ({ ...d })),
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    optedOut: (accountSid, clinicNumber) =>
      [...optOuts].filter((k) => k.startsWith(`${accountSid}|${clinicNumber}|`)).map((k) => k.split('|')[2]!),
  };

  return {
    url: baseUrl,
    vapiBaseUrl,
    twilioBaseUrl,
    control,
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const r of hanging) r.destroy();
      hanging.clear();
      await Promise.allSettled([...pending]);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      checkIdle();
    },
  };
}
