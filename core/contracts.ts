/**
 * The wire contracts shared by the API, the realtime events and the widget (DESIGN.md: Data, API, Realtime).
 * Types only: the widget imports them with `import type`, so nothing here reaches a browser bundle.
 * Request bodies are validated by the zod schemas in each feature's schema.ts; these are the shapes that leave the server.
 */

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'booked', 'converted', 'lost'] as const;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

import type { Tier } from './tiers.js';
export { TIERS, type Tier } from './tiers.js';

export type Role = 'agent' | 'admin';

/** One scoring rule that fired, with the lead's own words that triggered it. */
export interface ScoreRule {
  rule: 'base' | 'high_value_keywords' | 'medium_keywords' | 'positive_sentiment' | 'negative_sentiment' | 'urgency' | 'low_urgency';
  points: number;
  /** The keywords or phrases matched (for keyword rules) or the sentiment words. */
  matches: string[];
  /** Short quotes of the lead's lines that triggered the rule. */
  quotes: string[];
}

export interface ScoreBreakdown {
  score: number;
  /** Sum before clamping to 0..100. */
  raw: number;
  rules: ScoreRule[];
  services: string[];
  scoredAt: string;
  callId: string | null;
}

export interface Consent {
  sms: boolean;
  calls: boolean;
  source: string | null;
  at: string | null;
}

export interface Lead {
  id: string;
  name: string;
  /** E.164 when it could be parsed, otherwise exactly as entered (then phoneValid is false). */
  phone: string;
  phoneValid: boolean;
  email: string | null;
  services: string[];
  leadScore: number;
  tier: Tier;
  leadStatus: LeadStatus;
  /** ISO time; null means never contacted. */
  lastContactAt: string | null;
  lastAttemptAt: string | null;
  scoreBreakdown: ScoreBreakdown | null;
  smsOptOut: { at: string; source: string } | null;
  consent: Consent | null;
  externalId: string | null;
  timezone: string | null;
  /** Present when the lead is lost: the status it came from, so an admin can revert. */
  lostFrom: LeadStatus | null;
  lostBy: string | null;
  lostAt: string | null;
  activeCallId: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

export type CallStatus = 'queued' | 'ringing' | 'in-progress' | 'ended' | 'failed';

export interface CallMessage {
  role: 'agent' | 'lead' | 'system';
  text: string;
  at: string | null;
}

export interface Call {
  id: string;
  contactId: string;
  vapiCallId: string | null;
  status: CallStatus;
  endedReason: string | null;
  startedAt: string | null;
  endedAt: string | null;
  durationSec: number | null;
  transcript: string | null;
  messages: CallMessage[];
  summary: string | null;
  recordingUrl: string | null;
  scoreBefore: number | null;
  scoreAfter: number | null;
  createdBy: string | null;
  error: string | null;
  createdAt: string;
}

export type SmsStatus = 'scheduled' | 'queued' | 'sent' | 'delivered' | 'undelivered' | 'failed' | 'received';

export interface SmsLog {
  id: string;
  contactId: string;
  direction: 'outbound' | 'inbound';
  to: string;
  from: string;
  body: string;
  segments: number;
  encoding: 'GSM-7' | 'UCS-2';
  twilioSid: string | null;
  status: SmsStatus;
  errorCode: number | null;
  errorMessage: string | null;
  /** Set when quiet hours deferred the send. */
  scheduledFor: string | null;
  createdBy: string | null;
  createdAt: string;
}

export type AppointmentStatus = 'scheduled' | 'completed' | 'cancelled';

export interface Appointment {
  id: string;
  contactId: string;
  externalId: string | null;
  serviceType: string;
  scheduledAt: string;
  status: AppointmentStatus;
}

export interface Note {
  id: string;
  contactId: string;
  body: string;
  authorId: string;
  authorName: string;
  createdAt: string;
}

export interface LeadEvent {
  id: string;
  contactId: string;
  type: 'created' | 'status_changed' | 'scored' | 'note_added' | 'call' | 'sms' | 'sms_inbound' | 'opted_out' | 'opted_in' | 'opt_out_request' | 'appointment';
  from: string | null;
  to: string | null;
  actor: { id: string; name: string } | null;
  detail: string | null;
  at: string;
}

export interface LeadDetail extends Lead {
  calls: Call[];
  appointments: Appointment[];
  notes: Note[];
  timeline: LeadEvent[];
  /** What the current user may do next from this status (workflow rules applied on the server). */
  allowedTransitions: LeadStatus[];
  canUndoLost: boolean;
  canRevertLost: boolean;
}

export interface LeadPage {
  items: Lead[];
  page: number;
  pageSize: number;
  total: number;
  totalPages: number;
}

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    details?: unknown;
    requestId?: string;
  };
}

/** The user the embed token was minted for. */
export interface EmbedUser {
  id: string;
  name: string;
  role: Role;
}

/** Reply of POST /v1/embed-tokens. */
export interface EmbedTokenReply {
  token: string;
  expiresAt: string;
  user: EmbedUser;
  orgId: string;
}

/** Reply of POST /v1/leads/:id/sms. */
export interface SmsSendReply {
  sms: SmsLog;
  /** True when quiet hours deferred the send to sms.scheduledFor. */
  scheduled: boolean;
}

/** GET /v1/session: what the widget needs to know about the signed-in user and the organisation. */
export interface SessionInfo {
  user: EmbedUser;
  org: { id: string; name: string; timezone: string; quietHours: { start: string; end: string } };
  telephony: { outboundAgentConfigured: boolean; twilioNumber: string | null; sandbox: boolean };
}

/** Socket.io events, server to client (DESIGN.md: Realtime). */
export interface ServerToClientEvents {
  'lead:updated': (payload: { lead: Lead }) => void;
  'lead:scored': (payload: { leadId: string; score: number; previousScore: number; breakdown: ScoreBreakdown }) => void;
  'lead:hot': (payload: { lead: Lead }) => void;
  'call:updated': (payload: { call: Call }) => void;
  'sms:updated': (payload: { sms: SmsLog }) => void;
}

/** Clients send nothing the server acts on; the map stays empty on purpose. */
export type ClientToServerEvents = Record<string, never>;

