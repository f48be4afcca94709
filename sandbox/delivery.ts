/**
 * Webhook delivery, as the providers do it: Vapi's server-credential signing (HMAC or bearer), Twilio's
 * X-Twilio-Signature, one POST per event with no retry, and the timing of every simulated step (timers the sandbox can
 * wait on with `idle()` and cancel on close).
 */
import { createHmac } from 'node:crypto';
import { uuid } from './http.js';
import type { SandboxLogger, WebhookDelivery } from './types.js';

/** X-Twilio-Signature: base64 HMAC-SHA1 of the URL followed by each POST parameter (sorted by name) name+value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, k) => acc + k + params[k], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** The headers Twilio sends with a webhook: form body, signature over the exact URL and params, idempotency token. */
export function twilioWebhookHeaders(authToken: string, url: string, params: Record<string, string>): Record<string, string> {
  return {
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'x-twilio-signature': twilioSignature(authToken, url, params),
    'i-twilio-idempotency-token': uuid(),
    'user-agent': 'TwilioProxy/1.1',
  };
}

/** A Vapi webhook credential's authentication plan (`provider: 'webhook'`). */
export type VapiAuthenticationPlan = {
  type: string;
  secretKey?: string;
  token?: string;
  headerName?: string;
  bearerPrefixEnabled?: boolean;
} & Record<string, unknown>;

/** The headers a Vapi credential adds to a webhook: an HMAC signature (and timestamp) or a bearer token. */
export function vapiCredentialHeaders(plan: VapiAuthenticationPlan, rawBody: string): Record<string, string> {
  const headers: Record<string, string> = {};
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
  return headers;
}

export interface Delivery {
  /** Posts one webhook and records it; never throws, never retries (neither provider retries these). */
  deliver(provider: 'vapi' | 'twilio', type: string, url: string, body: string, headers: Record<string, string>): Promise<WebhookDelivery>;
  /** Posts a Twilio form webhook signed with the account's auth token. */
  postTwilio(type: string, url: string, params: Record<string, string>, authToken: string): Promise<WebhookDelivery>;
  /** Runs `fn` after `ms` (unless closed), tracked so `idle()` waits for it. */
  later(ms: number, fn: () => Promise<void> | void): void;
  /** Tracks a promise so `idle()` waits for it. */
  track<T>(p: Promise<T>): Promise<T>;
  /** Every webhook posted so far (copies). */
  deliveries(): WebhookDelivery[];
  /** The live record list (for the control API's state). */
  readonly records: WebhookDelivery[];
  idle(): Promise<void>;
  /** Stops scheduling and cancels every timer. */
  stop(): void;
  /** Resolves when every tracked promise has settled. */
  settle(): Promise<void>;
  /** Wakes idle() waiters if nothing is pending. */
  checkIdle(): void;
}

export function createDelivery(log: SandboxLogger | undefined): Delivery {
  const records: WebhookDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pending = new Set<Promise<unknown>>();
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

  async function deliver(provider: 'vapi' | 'twilio', type: string, url: string, body: string, headers: Record<string, string>) {
    const record: WebhookDelivery = { provider, type, url, status: null, error: null, at: new Date().toISOString() };
    records.push(record);
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

  return {
    deliver,
    postTwilio: (type, url, params, authToken) =>
      deliver('twilio', type, url, new URLSearchParams(params).toString(), twilioWebhookHeaders(authToken, url, params)),
    later,
    track,
    deliveries: () => records.map((d) => ({ ...d })),
    records,
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      }),
    stop() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
    settle: async () => {
      await Promise.allSettled([...pending]);
    },
    checkIdle,
  };
}
