/**
 * The Twilio 2010-04-01 REST API fake: accounts (Basic auth), incoming phone numbers (lookup and SmsUrl), messages
 * (validation, Twilio's magic test numbers, status callbacks queued -> sent -> delivered or a forced carrier error), and
 * inbound texts with Twilio's own STOP/START bookkeeping (error 21610 until the recipient opts back in).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Delivery } from './delivery.js';
import { E164, hex, HttpError, readBody, rfc2822, send, stableId } from './http.js';
import { twilioKeyword, twilioSegments } from './twilio-rules.js';
import type { InboundResult, SandboxDelays } from './types.js';

const TWILIO_API = '/2010-04-01';

/** The messaging webhook Vapi sets on a number it imports with smsEnabled (the default). */
export const VAPI_SMS_URL = 'https://api.vapi.ai/twilio/sms';

export const twilioError = (status: number, code: number, message: string) =>
  new HttpError(status, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status });

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

/**
 * Twilio's magic test numbers and the errors they produce (https://www.twilio.com/docs/iam/test-credentials, "Test SMS
 * messages"). From: +15005550001 invalid (21212), +15005550007 not owned or not SMS-capable (21606), +15005550008 queue
 * full (21611), +15005550006 passes; any other number of the magic range: 21606.
 */
const MAGIC_FROM: Record<string, [code: number, message: (from: string) => string]> = {
  '+15005550001': [21212, (from) => `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`],
  '+15005550007': [21606, (from) => `The 'From' phone number provided (${from}) is not a valid message-capable Twilio phone number for this destination/account.`],
  '+15005550008': [21611, (from) => `This 'From' number (${from}) has exceeded the maximum number of queued messages.`],
};

/** To: +15005550001 invalid (21211), +15005550002 cannot route (21612), +15005550003 no permission (21408), +15005550004 blocked (21610), +15005550009 cannot receive SMS (21614). */
const MAGIC_TO: Record<string, [code: number, message: (to: string) => string]> = {
  '+15005550001': [21211, (to) => `The 'To' number ${to} is not a valid phone number.`],
  '+15005550002': [21612, (to) => `The 'To' phone number: ${to}, is not currently reachable using the 'From' phone number via SMS.`],
  '+15005550003': [21408, (to) => `Permission to send an SMS has not been enabled for the region indicated by the 'To' number: ${to}.`],
  '+15005550004': [21610, () => 'Attempt to send to unsubscribed recipient'],
  '+15005550009': [21614, (to) => `'To' number ${to} is not a valid mobile number`],
};

const CARRIER_ERRORS: Record<number, string> = {
  30003: 'Unreachable destination handset',
  30004: 'Message blocked',
  30005: 'Unknown destination handset',
  30006: 'Landline or unreachable carrier',
  30007: 'Message filtered',
  30008: 'Unknown error',
};

export interface TwilioFake {
  /** Answers a request under /twilio (`path` without that prefix). */
  handle(req: IncomingMessage, path: string, query: URLSearchParams, res: ServerResponse): Promise<void>;
  /** A lead texts a clinic number. */
  inbound(msg: { from: string; to: string; body: string }): Promise<InboundResult>;
  nextSmsOutcome(o: { status: 'undelivered' | 'failed'; errorCode: number }): void;
  optedOut(accountSid: string, clinicNumber: string): string[];
  /** The number leaves Twilio (ported out or released). */
  releaseNumber(e164: string): void;
  /** What Vapi's number import does to the Twilio number: takes its messaging webhook over. */
  handOverToVapi(accountSid: string, e164: string): void;
  /** Every message, in the API's JSON shape. */
  messagesJson(): unknown[];
}

export function createTwilioFake({ delays, delivery }: { delays: SandboxDelays; delivery: Delivery }): TwilioFake {
  const accounts = new Map<string, TwilioAccount>();
  const numbers = new Map<string, TwilioNumber>(); // by sid
  /** Which account a number belongs to: the first account that looks it up or sends from it (a sandbox rule). */
  const ownerOf = new Map<string, string>(); // e164 -> accountSid
  const released = new Set<string>(); // numbers that left Twilio
  const messages = new Map<string, TwilioMessage>();
  const optOuts = new Set<string>(); // `${accountSid}|${clinicNumber}|${recipient}`
  const smsOutcomes: Array<{ status: 'undelivered' | 'failed'; errorCode: number }> = [];
  const { later, track } = delivery;

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

  /**
   * Any valid E.164 number is a Twilio number, except Twilio's magic test range (+1 500 555 ...; +15005550006 aside,
   * shared by all) and released numbers. A number belongs to one account at a time: the last one that looked it up in
   * IncomingPhoneNumbers (a sandbox rule: as if it moved there, so the demo can re-import with new test credentials), or
   * else the first that sent from it. Sending from a number another account holds fails with 21660.
   */
  function numberFor(accountSid: string, e164: string, claim: boolean): TwilioNumber | null {
    if (!E164.test(e164) || (e164.startsWith('+1500555') && e164 !== '+15005550006') || released.has(e164)) return null;
    const owner = ownerOf.get(e164);
    if (e164 !== '+15005550006') {
      if (claim) {
        if (owner && owner !== accountSid) for (const [sid, n] of numbers) if (n.phoneNumber === e164 && n.accountSid === owner) numbers.delete(sid);
        ownerOf.set(e164, accountSid);
      } else if (owner && owner !== accountSid) {
        return null;
      } else {
        ownerOf.set(e164, accountSid);
      }
    }
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
    await delivery.postTwilio(`sms.${msg.status}`, msg.statusCallback, params, acc.authToken);
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
    const magicFrom = from ? MAGIC_FROM[from] : undefined;
    if (magicFrom) throw twilioError(400, magicFrom[0], magicFrom[1](from));
    if (from && !numberFor(acc.sid, from, false)) {
      // Twilio's codes since July 2024: 21659 not a Twilio number, 21660 a Twilio number of another account, else 21606.
      if (released.has(from)) throw twilioError(400, 21659, `'From' ${from} is not a Twilio phone number or Short Code country mismatch`);
      const owner = ownerOf.get(from);
      if (owner && owner !== acc.sid) throw twilioError(400, 21660, `Mismatch between the 'From' number ${from} and the account ${acc.sid}`);
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

  async function handle(req: IncomingMessage, path: string, query: URLSearchParams, res: ServerResponse) {
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
    if (rest === '/Messages.json' && method === 'GET') {
      // The message list (newest first) with Twilio's To, From and DateSent>/DateSent< filters: the product asks it
      // whether a text it logged just before a crash was accepted.
      const to = query.get('To');
      const from = query.get('From');
      const after = query.get('DateSent>') ? Date.parse(query.get('DateSent>')!) : null;
      const before = query.get('DateSent<') ? Date.parse(query.get('DateSent<')!) : null;
      const list = [...messages.values()]
        .filter((msg) => msg.accountSid === acc.sid && (!to || msg.to === to) && (!from || msg.from === from))
        .filter((msg) => (after === null || msg.createdAt.getTime() >= after) && (before === null || msg.createdAt.getTime() < before))
        .reverse();
      const pageSize = Math.min(1000, Number(query.get('PageSize') ?? 50) || 50);
      const uri = `${TWILIO_API}/Accounts/${acc.sid}/Messages.json?PageSize=${pageSize}&Page=0`;
      return send(res, 200, {
        messages: list.slice(0, pageSize).map(messageJson),
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
    if ((r = /^\/Messages\/(SM[0-9a-f]{32})\.json$/.exec(rest)) && method === 'GET') {
      const msg = messages.get(r[1]!);
      if (!msg || msg.accountSid !== acc.sid) throw twilioError(404, 20404, `The requested resource ${path} was not found`);
      return send(res, 200, messageJson(msg));
    }
    if (rest === '/IncomingPhoneNumbers.json' && method === 'GET') {
      const wanted = query.get('PhoneNumber');
      const list = wanted
        ? [numberFor(acc.sid, wanted.trim(), true)].filter((n): n is TwilioNumber => n !== null)
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
    const record = await track(delivery.postTwilio('sms.inbound', number.smsUrl, params, acc.authToken));
    return { messageSid: sid, kind, deliveredTo: number.smsUrl, status: record.status };
  }

  return {
    handle,
    inbound,
    nextSmsOutcome(o) {
      smsOutcomes.push(o);
    },
    optedOut: (accountSid, clinicNumber) =>
      [...optOuts].filter((k) => k.startsWith(`${accountSid}|${clinicNumber}|`)).map((k) => k.split('|')[2]!),
    releaseNumber(e164) {
      released.add(e164);
      for (const [sid, n] of numbers) if (n.phoneNumber === e164) numbers.delete(sid);
    },
    handOverToVapi(accountSid, e164) {
      const n = numberFor(accountSid, e164, false);
      if (n) Object.assign(n, { smsUrl: VAPI_SMS_URL, smsMethod: 'POST', updatedAt: new Date() });
    },
    messagesJson: () => [...messages.values()].map(messageJson),
  };
}
