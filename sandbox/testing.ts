/** What the sandbox's own tests and the product's contract tests against it share: a fast sandbox and a webhook receiver. */
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './receiver.js';
import { startTelephonySandbox } from './server.js';
import type { TelephonySandbox } from './types.js';

/** Every simulated step 10 ms apart. */
export const FAST_DELAYS = { ring: 10, answer: 10, talk: 10, sms: 10 };

export async function startFastSandbox(): Promise<{ sandbox: TelephonySandbox; receiver: WebhookReceiver }> {
  return { sandbox: await startTelephonySandbox({ delaysMs: FAST_DELAYS }), receiver: await startWebhookReceiver() };
}

export async function stopFastSandbox(running: { sandbox?: TelephonySandbox; receiver?: WebhookReceiver }): Promise<void> {
  await running.sandbox?.close();
  await running.receiver?.close();
}

/** A form-encoded webhook's parameters. */
export const formOf = (r: ReceivedRequest): Record<string, string> => Object.fromEntries(new URLSearchParams(r.rawBody));
