/** The sandbox's public shapes: options, the control surface and what it records. Re-exported by ./index.ts. */
import type { TwilioKeyword } from './twilio-rules.js';
import type { ScenarioName } from './scenarios.js';
import type { SandboxTransfer } from './vapi.js';

export type { SandboxTransfer } from './vapi.js';

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
  kind: TwilioKeyword;
  /** Where the sandbox posted it: our SmsUrl, Vapi (when the number was imported with smsEnabled true), or nowhere. */
  deliveredTo: string | null;
  status: number | null;
}

export interface SandboxControl {
  /** Forces the conversation (or failure ending: busy, failed-to-connect, forwarded) of the next call placed. */
  nextCallScenario(name: ScenarioName): void;
  /** The next call's webhooks leave out `message.call` (optional in Vapi's description of server messages). */
  nextCallWithoutCallObject(): void;
  /** Deletes a Vapi assistant, as someone would in Vapi's dashboard. */
  deleteVapiAssistant(id: string): boolean;
  /** The number leaves Twilio (ported out or released): lookups no longer find it; sending from it fails with 21659. */
  releaseNumber(e164: string): void;
  /** Imported Vapi phone numbers (id, number, Vapi org). */
  vapiPhoneNumbers(): Array<{ id: string; number: string; orgId: string }>;
  /** A lead texts the clinic number: posts a signed inbound message to the number's SmsUrl. */
  inbound(msg: { from: string; to: string; body: string }): Promise<InboundResult>;
  /** Makes the next request to a service fail or hang. */
  failNext(f: FailNext): void;
  /** The next SMS sent ends undelivered/failed with this carrier error (30003-30008...) instead of delivered. */
  nextSmsOutcome(o: { status: 'undelivered' | 'failed'; errorCode: number }): void;
  /** Every webhook posted so far. */
  deliveries(): WebhookDelivery[];
  /** Every transfer made by a call's transferCall tool: the destination and the caller id its phone showed. */
  transfers(): SandboxTransfer[];
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

export const DEFAULT_DELAYS: SandboxDelays = { ring: 1500, answer: 2500, talk: 4000, sms: 1500 };
