/**
 * Twilio through the official `twilio` package (reference: /work/shared/reference/telephony.md, Twilio).
 *
 * - `createTwilio` builds the real client. With `baseUrl` (the sandbox, or a test double) it passes an `httpClient`: a
 *   subclass of twilio's own RequestClient that rewrites https://*.twilio.com to that base URL and changes nothing else,
 *   so auth, form encoding, paging and RestException all stay twilio's.
 * - Errors: `mapTwilioError` turns a RestException (or a network failure) into a stable SNAKE_CASE code, the HTTP status
 *   our API should answer with, and a message a clinic user can act on. `describeTwilioErrorCode` does the same for the
 *   ErrorCode of a status callback.
 * - Webhooks: `validateTwilioWebhook` = `twilio.validateRequest` over the public URL Twilio called and every parameter.
 * - Inbound texts: `classifyInbound` applies Twilio's default opt-out / opt-in / help keywords to the whole body, and spots
 *   plain-language opt-out requests for staff to review.
 */
import twilio from 'twilio';

export type TwilioClient = twilio.Twilio;
type RequestOptions<TData> = twilio.RequestClient extends { request(opts: infer O): unknown } ? O & { data?: TData } : never;

export interface CreateTwilioOptions {
  accountSid: string;
  authToken: string;
  /** Send every request here instead of https://api.twilio.com (e.g. the telephony sandbox's twilioBaseUrl). */
  baseUrl?: string;
  /** Request timeout in ms (default 15 s). */
  timeoutMs?: number;
}

/** twilio's RequestClient, pointed at another origin (and optional path prefix). */
export class RedirectingRequestClient extends twilio.RequestClient {
  private readonly target: URL;
  constructor(baseUrl: string, timeoutMs?: number) {
    super({ autoRetry: false, ...(timeoutMs ? { timeout: timeoutMs } : {}) });
    this.target = new URL(baseUrl);
  }

  override request<TData>(opts: RequestOptions<TData>) {
    const uri = new URL(opts.uri);
    if (uri.hostname === 'twilio.com' || uri.hostname.endsWith('.twilio.com')) {
      const prefix = this.target.pathname.replace(/\/+$/, '');
      opts = { ...opts, uri: `${this.target.origin}${prefix}${uri.pathname}${uri.search}` };
    }
    return super.request<TData>(opts);
  }
}

export function createTwilio({ accountSid, authToken, baseUrl, timeoutMs = 15_000 }: CreateTwilioOptions): TwilioClient {
  // The constructor throws unless the SID starts with "AC": surface that as a credentials problem.
  if (!/^AC[0-9a-zA-Z]{1,64}$/.test(accountSid)) {
    throw new TwilioProviderError('TWILIO_INVALID_CREDENTIALS', 422, 'The Twilio Account SID must start with "AC". Copy it from the Twilio console.', null, false);
  }
  return twilio(accountSid, authToken, {
    httpClient: baseUrl ? new RedirectingRequestClient(baseUrl, timeoutMs) : new twilio.RequestClient({ timeout: timeoutMs, autoRetry: false }),
    autoRetry: false,
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// Errors

export interface MappedTwilioError {
  code: string;
  httpStatus: number;
  message: string;
  twilioCode: number | null;
  optOut: boolean;
}

export class TwilioProviderError extends Error implements MappedTwilioError {
  override name = 'TwilioProviderError';
  constructor(
    readonly code: string,
    readonly httpStatus: number,
    message: string,
    readonly twilioCode: number | null,
    readonly optOut: boolean,
  ) {
    super(message);
  }
}

export const CODES: Record<number, [code: string, httpStatus: number, message: string]> = {
  20003: ['TWILIO_INVALID_CREDENTIALS', 422, 'Twilio rejected the Account SID or Auth Token. Check them in Settings > Telephony.'],
  20404: ['TWILIO_NOT_FOUND', 404, 'Twilio could not find that resource. Check the phone number and account in Settings > Telephony.'],
  20429: ['TWILIO_RATE_LIMITED', 503, 'Twilio is rate limiting this account. Wait a minute and try again.'],
  21211: ['INVALID_PHONE_FORMAT', 422, "This phone number isn't valid. Check the number (with country code) and try again."],
  21212: [
    'INVALID_SENDER_NUMBER',
    422,
    "Twilio says the clinic's sending number isn't a valid phone number. Check the number in Settings > Phone number and import it again.",
  ],
  21408: [
    'SMS_REGION_NOT_PERMITTED',
    422,
    "Texting this country isn't enabled on the clinic's Twilio account. Enable it in Twilio under Messaging > Settings > Geo permissions.",
  ],
  21606: [
    'SENDER_CANNOT_SEND_SMS',
    422,
    "The clinic's Twilio number can't send texts to this number. Check that the number is SMS-capable in Twilio.",
  ],
  21659: [
    'SENDER_NOT_TWILIO_NUMBER',
    422,
    "The clinic's sending number is no longer a Twilio number (it may have been released or ported out). Import the clinic's current Twilio number in Settings > Phone number.",
  ],
  21660: [
    'SENDER_OTHER_ACCOUNT',
    422,
    "The clinic's sending number belongs to a different Twilio account than the one connected. Import it again with that account's Account SID and Auth Token in Settings > Phone number.",
  ],
  21608: [
    'TWILIO_TRIAL_UNVERIFIED_NUMBER',
    422,
    'The Twilio account is a trial and can only text verified numbers. Verify this number in Twilio or upgrade the account.',
  ],
  21610: ['SMS_OPTED_OUT', 409, 'This person replied STOP and has opted out of texts. They can text START to opt back in.'],
  21611: ['SMS_QUEUE_FULL', 503, "The clinic's number has too many texts waiting at Twilio. Try again in a few minutes."],
  21612: [
    'SMS_ROUTE_UNAVAILABLE',
    422,
    "Twilio can't reach this number from the clinic's number (the carrier route isn't available). Try calling the lead instead.",
  ],
  21614: ['PHONE_CANNOT_RECEIVE_SMS', 422, "This number can't receive texts (it may be a landline). Try calling instead."],
  21617: ['SMS_BODY_TOO_LONG', 422, 'The message is over 1,600 characters. Shorten it and send again.'],
  30003: ['SMS_UNREACHABLE', 422, "The phone was unreachable (switched off or out of coverage). Try again later or call."],
  30004: ['SMS_BLOCKED', 422, 'The message was blocked: the recipient may have blocked the clinic, or the carrier refused it.'],
  30005: ['SMS_UNKNOWN_NUMBER', 422, "The number doesn't exist or is no longer in service. Check it with the lead."],
  30006: ['PHONE_CANNOT_RECEIVE_SMS', 422, "This number is a landline or can't receive texts. Try calling instead."],
  30007: ['SMS_FILTERED', 422, 'The carrier filtered this message as spam. Rephrase it (avoid links and all-caps) and try again.'],
  30008: ['SMS_DELIVERY_FAILED', 422, 'The carrier could not deliver the message. Try again later or call.'],
  30034: [
    'SMS_UNREGISTERED_SENDER',
    422,
    "The clinic's number isn't registered for US A2P 10DLC messaging. Complete the registration in Twilio.",
  ],
};

/** Describes a Twilio error code (from a RestException or a status callback's ErrorCode). */
export function describeTwilioErrorCode(twilioCode: number, fallbackMessage?: string): TwilioProviderError {
  const known = CODES[twilioCode];
  if (known) return new TwilioProviderError(known[0], known[1], known[2], twilioCode, twilioCode === 21610);
  return new TwilioProviderError(
    'TWILIO_ERROR',
    502,
    `Twilio refused the request (error ${twilioCode})${fallbackMessage ? `: ${fallbackMessage}` : ''}.`,
    twilioCode,
    false,
  );
}

export function mapTwilioError(err: unknown): TwilioProviderError {
  if (err instanceof TwilioProviderError) return err;
  if (err instanceof twilio.RestException || (err && typeof err === 'object' && 'status' in err && 'code' in err)) {
    const e = err as { status?: number; code?: number; message?: string };
    if (typeof e.code === 'number') return describeTwilioErrorCode(e.code, e.message);
    if (e.status === 401) return describeTwilioErrorCode(20003);
    if (e.status === 404) return describeTwilioErrorCode(20404);
    if (e.status === 429) return describeTwilioErrorCode(20429);
    return new TwilioProviderError('TWILIO_ERROR', 502, `Twilio answered with HTTP ${e.status ?? '?'}. Try again shortly.`, null, false);
  }
  const msg = err instanceof Error ? err.message : String(err);
  const timeout = /timeout|ETIMEDOUT|ECONNABORTED/i.test(msg);
  return new TwilioProviderError(
    timeout ? 'TWILIO_TIMEOUT' : 'TWILIO_UNAVAILABLE',
    503,
    timeout ? 'Twilio did not answer in time. Try again shortly.' : "Twilio can't be reached right now. Try again shortly.",
    null,
    false,
  );
}

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw mapTwilioError(err);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Operations

export interface SendSmsInput {
  to: string;
  from?: string;
  messagingServiceSid?: string;
  body: string;
  statusCallback?: string;
}

export interface SentSms {
  sid: string;
  status: string;
  numSegments: number | null;
  errorCode: number | null;
  errorMessage: string | null;
}

/** Sends one text. Throws TwilioProviderError (see mapTwilioError). */
export async function sendSms(client: TwilioClient, input: SendSmsInput): Promise<SentSms> {
  const m = await guarded(() =>
    client.messages.create({
      to: input.to,
      body: input.body,
      ...(input.messagingServiceSid ? { messagingServiceSid: input.messagingServiceSid } : { from: input.from! }),
      ...(input.statusCallback ? { statusCallback: input.statusCallback } : {}),
    }),
  );
  const segments = Number.parseInt(String(m.numSegments ?? ''), 10);
  return {
    sid: m.sid,
    status: m.status,
    numSegments: Number.isFinite(segments) ? segments : null,
    errorCode: m.errorCode ?? null,
    errorMessage: m.errorMessage ?? null,
  };
}

export interface TwilioAccountInfo {
  sid: string;
  friendlyName: string;
  status: string;
  type: string;
}

/** Fetches the account: proves the SID and token work (20003 otherwise). */
export async function verifyTwilioCredentials(client: TwilioClient): Promise<TwilioAccountInfo> {
  const a = await guarded(() => client.api.v2010.accounts(client.accountSid).fetch());
  return { sid: a.sid, friendlyName: a.friendlyName, status: a.status, type: a.type };
}

export interface IncomingNumber {
  sid: string;
  phoneNumber: string;
  smsUrl: string | null;
  sms: boolean;
  voice: boolean;
}

/** The account's number with this E.164 value, or null when the account does not own it. */
export async function findIncomingNumber(client: TwilioClient, e164: string): Promise<IncomingNumber | null> {
  const list = await guarded(() => client.incomingPhoneNumbers.list({ phoneNumber: e164, limit: 20 }));
  const n = list.find((x) => x.phoneNumber === e164);
  if (!n) return null;
  const caps = (n.capabilities ?? {}) as { sms?: boolean; SMS?: boolean; voice?: boolean };
  return { sid: n.sid, phoneNumber: n.phoneNumber, smsUrl: n.smsUrl || null, sms: Boolean(caps.sms ?? caps.SMS), voice: Boolean(caps.voice) };
}

/** Points the number's inbound-message webhook at our server. */
export async function setInboundWebhook(client: TwilioClient, numberSid: string, smsUrl: string): Promise<IncomingNumber> {
  const n = await guarded(() => client.incomingPhoneNumbers(numberSid).update({ smsUrl, smsMethod: 'POST' }));
  const caps = (n.capabilities ?? {}) as { sms?: boolean; SMS?: boolean; voice?: boolean };
  return { sid: n.sid, phoneNumber: n.phoneNumber, smsUrl: n.smsUrl || null, sms: Boolean(caps.sms ?? caps.SMS), voice: Boolean(caps.voice) };
}

// ---------------------------------------------------------------------------------------------------------------------
// Webhooks

/**
 * Checks X-Twilio-Signature. `publicUrl` must be the exact URL Twilio called (scheme, host, path, query) as configured,
 * not one rebuilt from a request behind a proxy; `params` are all the form parameters received.
 */
export function validateTwilioWebhook(
  authToken: string,
  signature: string | undefined,
  publicUrl: string,
  params: Record<string, string | string[] | undefined>,
): boolean {
  if (!authToken || !signature) return false;
  const clean: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(params)) if (v !== undefined) clean[k] = v;
  return twilio.validateRequest(authToken, signature, publicUrl, clean);
}

export { classifyInbound, type InboundKind, OPT_OUT_KEYWORDS, OPT_IN_KEYWORDS, HELP_KEYWORDS } from '../../../core/opt-out.js';
