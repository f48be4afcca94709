/**
 * The wire contracts shared by the API, the realtime events and the widget (DESIGN.md: Data, API, Realtime).
 * Each shape is a zod schema (`leadSchema`) with its type inferred from it (`Lead`), so the two cannot drift.
 * The widget imports only the types, with `import type`, so zod never reaches a browser bundle.
 * Request bodies are validated by the schemas in ./requests.ts; these are the shapes that leave the server.
 */
import { z } from 'zod';
import { TIERS } from './tiers.js';
import type { Campaign } from './campaigns.js';
import { LOST_REASONS } from './workflow.js';
import type { PresenceAck, PresenceClear, PresenceSet, PresenceSnapshot, PresenceUpdate } from './team.js';

export { TIERS, type Tier } from './tiers.js';

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'booked', 'converted', 'lost'] as const;
export const leadStatusSchema = z.enum(LEAD_STATUSES);
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export const tierSchema = z.enum(TIERS);

export const roleSchema = z.enum(['agent', 'admin']);
export type Role = z.infer<typeof roleSchema>;

/** One scoring rule that fired, with the lead's own words that triggered it. */
export const scoreRuleSchema = z.object({
  rule: z.enum(['base', 'high_value_keywords', 'medium_keywords', 'positive_sentiment', 'negative_sentiment', 'urgency', 'low_urgency']),
  points: z.number(),
  /** The keywords or phrases matched (for keyword rules) or the sentiment words. */
  matches: z.array(z.string()),
  /** Short quotes of the lead's lines that triggered the rule. */
  quotes: z.array(z.string()),
});
export type ScoreRule = z.infer<typeof scoreRuleSchema>;

export const scoreBreakdownSchema = z.object({
  score: z.number(),
  /** Sum before clamping to 0..100. */
  raw: z.number(),
  rules: z.array(scoreRuleSchema),
  services: z.array(z.string()),
  scoredAt: z.string(),
  callId: z.string().nullable(),
});
export type ScoreBreakdown = z.infer<typeof scoreBreakdownSchema>;

export const consentSchema = z.object({
  sms: z.boolean(),
  calls: z.boolean(),
  source: z.string().nullable(),
  at: z.string().nullable(),
});
export type Consent = z.infer<typeof consentSchema>;

export const lostReasonSchema = z.enum(LOST_REASONS);
export type { LostReason } from './workflow.js';

/** How a call ended (set by call outcomes, issue 13). */
export const callOutcomeSchema = z.enum(['answered', 'voicemail', 'no_answer', 'busy', 'failed']);
export type CallOutcome = z.infer<typeof callOutcomeSchema>;

/** What the lead wanted, from Vapi's post-call analysis (when the lead spoke; `none` when nothing actionable). */
export const CALL_INTENTS = ['booked', 'callback_requested', 'not_interested', 'needs_info', 'none'] as const;
export const callIntentSchema = z.enum(CALL_INTENTS);
export type CallIntent = z.infer<typeof callIntentSchema>;

export const textSentimentSchema = z.enum(['positive', 'neutral', 'negative']);

export const leadSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** E.164 when it could be parsed, otherwise exactly as entered (then phoneValid is false). */
  phone: z.string(),
  phoneValid: z.boolean(),
  email: z.string().nullable(),
  services: z.array(z.string()),
  leadScore: z.number(),
  tier: tierSchema,
  leadStatus: leadStatusSchema,
  /** ISO time; null means never contacted. */
  lastContactAt: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  scoreBreakdown: scoreBreakdownSchema.nullable(),
  smsOptOut: z.object({ at: z.string(), source: z.string() }).nullable(),
  consent: consentSchema.nullable(),
  externalId: z.string().nullable(),
  timezone: z.string().nullable(),
  /** Present when the lead is lost: the status it came from, so an admin can revert. */
  lostFrom: leadStatusSchema.nullable(),
  lostBy: z.string().nullable(),
  lostAt: z.string().nullable(),
  activeCallId: z.string().nullable(),
  /** Why it was lost (present while lost); `lostNote` is required with `other`. */
  lostReason: lostReasonSchema.nullable(),
  lostNote: z.string().nullable(),
  /** The next scheduled appointment as of the last appointment change (ISO); null = none upcoming then. */
  nextAppointmentAt: z.string().nullable(),
  /** The earliest open follow-up's due time (ISO), and its id. */
  nextFollowUpAt: z.string().nullable(),
  nextFollowUpId: z.string().nullable(),
  /** Sentiment of the lead's last inbound text (null: no text yet). */
  lastInboundSentiment: textSentimentSchema.nullable(),
  /** Owner (set by owners, issue 13): null = unowned. */
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  /** The last ended call's outcome (set by call outcomes, issue 13). */
  lastCallOutcome: callOutcomeSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number(),
});
export type Lead = z.infer<typeof leadSchema>;

export const callStatusSchema = z.enum(['queued', 'ringing', 'in-progress', 'ended', 'failed']);
export type CallStatus = z.infer<typeof callStatusSchema>;

export const callMessageSchema = z.object({
  role: z.enum(['agent', 'lead', 'system']),
  text: z.string(),
  at: z.string().nullable(),
});
export type CallMessage = z.infer<typeof callMessageSchema>;

export const CALL_MODES = ['agent', 'connect'] as const;
export const callModeSchema = z.enum(CALL_MODES);
export type CallMode = z.infer<typeof callModeSchema>;

/** One party of a call: the caller (Connect me: the user's own phone), the lead, or the clinic's front desk (a transfer). */
export const callLegSchema = z.object({
  role: z.enum(['caller', 'lead', 'front_desk']),
  status: callStatusSchema,
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
});
export type CallLeg = z.infer<typeof callLegSchema>;

export const callSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  vapiCallId: z.string().nullable(),
  status: callStatusSchema,
  endedReason: z.string().nullable(),
  startedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  durationSec: z.number().nullable(),
  transcript: z.string().nullable(),
  messages: z.array(callMessageSchema),
  summary: z.string().nullable(),
  recordingUrl: z.string().nullable(),
  scoreBefore: z.number().nullable(),
  scoreAfter: z.number().nullable(),
  createdBy: z.string().nullable(),
  error: z.string().nullable(),
  /**
   * How the call ended (null while it is live). Always sent by the server; optional only for older clients' fixtures.
   * `intent` and `requestedAt` (ISO) come from Vapi's post-call analysis when the lead spoke (docs/api.md, Calls).
   */
  outcome: callOutcomeSchema.nullable().optional(),
  intent: callIntentSchema.nullable().optional(),
  requestedAt: z.string().nullable().optional(),
  /**
   * Call modes (issue 13): 'agent' = the AI agent talks to the lead; 'connect' = the caller's own phone rings first and
   * is then transferred to the lead. `legs` are the call's parties in the order they joined. Always sent by the server
   * (absent means 'agent' and no legs, for older clients' fixtures).
   */
  mode: callModeSchema.optional(),
  legs: z.array(callLegSchema).optional(),
  createdAt: z.string(),
});
export type Call = z.infer<typeof callSchema>;

export const smsStatusSchema = z.enum(['scheduled', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'received']);
export type SmsStatus = z.infer<typeof smsStatusSchema>;

export const smsLogSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  direction: z.enum(['outbound', 'inbound']),
  to: z.string(),
  from: z.string(),
  body: z.string(),
  segments: z.number(),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  twilioSid: z.string().nullable(),
  status: smsStatusSchema,
  errorCode: z.number().nullable(),
  errorMessage: z.string().nullable(),
  /** Set when quiet hours deferred the send. */
  scheduledFor: z.string().nullable(),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
});
export type SmsLog = z.infer<typeof smsLogSchema>;

export const APPOINTMENT_STATUSES = ['scheduled', 'completed', 'cancelled'] as const;
export const appointmentStatusSchema = z.enum(APPOINTMENT_STATUSES);
export type AppointmentStatus = z.infer<typeof appointmentStatusSchema>;

export const appointmentSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  externalId: z.string().nullable(),
  serviceType: z.string(),
  scheduledAt: z.string(),
  status: appointmentStatusSchema,
});
export type Appointment = z.infer<typeof appointmentSchema>;

export const noteSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  body: z.string(),
  authorId: z.string(),
  authorName: z.string(),
  createdAt: z.string(),
});
export type Note = z.infer<typeof noteSchema>;

export const leadEventSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  type: z.enum([
    'created', 'status_changed', 'scored', 'note_added', 'call', 'sms', 'sms_inbound', 'opted_out', 'opted_in', 'opt_out_request', 'appointment',
    'contact_edited', 'follow_up_scheduled', 'follow_up_done', 'follow_up_snoozed', 'follow_up_deleted',
    'call_outcome', 'owner_changed',
  ]),
  from: z.string().nullable(),
  to: z.string().nullable(),
  actor: z.object({ id: z.string(), name: z.string() }).nullable(),
  detail: z.string().nullable(),
  at: z.string(),
});
export type LeadEvent = z.infer<typeof leadEventSchema>;

/** A follow-up: a dated to-do on a lead (POST /v1/leads/:id/follow-ups). */
export const followUpSchema = z.object({
  id: z.string(),
  contactId: z.string(),
  dueAt: z.string(),
  note: z.string().nullable(),
  status: z.enum(['open', 'done']),
  /** Why it exists: scheduled by a person, the revisit offered when marking lost, or a callback from a call (issue 13). */
  source: z.enum(['manual', 'lost_revisit', 'callback']),
  createdBy: z.object({ id: z.string(), name: z.string() }),
  createdAt: z.string(),
  updatedAt: z.string(),
  doneAt: z.string().nullable(),
  doneBy: z.object({ id: z.string(), name: z.string() }).nullable(),
  /** When the due reminder was pushed (null: not yet; a snooze or a new due time clears it). */
  remindedAt: z.string().nullable(),
});
export type FollowUp = z.infer<typeof followUpSchema>;

export const leadDetailSchema = leadSchema.extend({
  calls: z.array(callSchema),
  appointments: z.array(appointmentSchema),
  notes: z.array(noteSchema),
  timeline: z.array(leadEventSchema),
  /** Open follow-ups, earliest first (always sent by the server; optional only for older clients' fixtures). */
  followUps: z.array(followUpSchema).optional(),
  /** What the current user may do next from this status (workflow rules applied on the server). */
  allowedTransitions: z.array(leadStatusSchema),
  canUndoLost: z.boolean(),
  canRevertLost: z.boolean(),
});
export type LeadDetail = z.infer<typeof leadDetailSchema>;

export const leadPageSchema = z.object({
  items: z.array(leadSchema),
  page: z.number(),
  pageSize: z.number(),
  total: z.number(),
  totalPages: z.number(),
});
export type LeadPage = z.infer<typeof leadPageSchema>;

export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.unknown().optional(),
    requestId: z.string().optional(),
  }),
});
export type ApiErrorBody = z.infer<typeof apiErrorBodySchema>;

/** The user the embed token was minted for. */
export const embedUserSchema = z.object({
  id: z.string(),
  name: z.string(),
  role: roleSchema,
  /** The user's own phone (E.164), from the host: "Connect me" calls ring it when the team roster has none. */
  phone: z.string().optional(),
});
export type EmbedUser = z.infer<typeof embedUserSchema>;

/** Reply of POST /v1/embed-tokens. */
export const embedTokenReplySchema = z.object({
  token: z.string(),
  expiresAt: z.string(),
  user: embedUserSchema,
  orgId: z.string(),
});
export type EmbedTokenReply = z.infer<typeof embedTokenReplySchema>;

/** Reply of POST /v1/leads/:id/sms. */
export const smsSendReplySchema = z.object({
  sms: smsLogSchema,
  /** True when quiet hours deferred the send to sms.scheduledFor. */
  scheduled: z.boolean(),
});
export type SmsSendReply = z.infer<typeof smsSendReplySchema>;

/** GET /v1/session: what the widget needs to know about the signed-in user and the organisation. */
export const sessionInfoSchema = z.object({
  user: embedUserSchema,
  org: z.object({
    id: z.string(),
    name: z.string(),
    timezone: z.string(),
    quietHours: z.object({ start: z.string(), end: z.string() }),
  }),
  telephony: z.object({ outboundAgentConfigured: z.boolean(), twilioNumber: z.string().nullable(), sandbox: z.boolean() }),
  /** How this user may call: 'connect' only when a phone of theirs is known (the roster or the token). Always sent. */
  callModes: z.array(callModeSchema).optional(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** GET /v1/views: each priority view with its count under the given filters. */
export const viewCountsSchema = z.object({
  views: z.array(z.object({ view: z.enum(['call_today', 'this_week', 'nurture', 'revisit_lost']), label: z.string(), count: z.number() })),
  at: z.string(),
});
export type ViewCounts = z.infer<typeof viewCountsSchema>;

/** Socket.io events, server to client (DESIGN.md: Realtime). */
export interface ServerToClientEvents {
  'lead:updated': (payload: { lead: Lead }) => void;
  'lead:scored': (payload: { leadId: string; score: number; previousScore: number; breakdown: ScoreBreakdown }) => void;
  'lead:hot': (payload: { lead: Lead }) => void;
  'call:updated': (payload: { call: Call }) => void;
  'sms:updated': (payload: { sms: SmsLog }) => void;
  /** A follow-up reached its due time (pushed once, by one instance, to the clinic). */
  'follow-up:due': (payload: { followUp: FollowUp; lead: Lead }) => void;
  /** An admin deleted the lead: remove it from the board. */
  'lead:deleted': (payload: { leadId: string }) => void;
  /** Sent just before the server closes a socket whose token has expired: get a new token, reconnect, refetch. */
  'session:expired': (payload: { code: 'TOKEN_EXPIRED'; message: string }) => void;
  /** A campaign's status or counts changed (at most a few per second per campaign; the final state always follows). */
  'campaign:updated': (payload: { campaign: Campaign }) => void;
  /** Who is viewing or calling a lead now (core/team.ts); `users: []` when nobody is. */
  'presence:updated': (payload: PresenceUpdate) => void;
  /** Sent once on connect: every lead of the clinic someone is on. */
  'presence:snapshot': (payload: PresenceSnapshot) => void;
}

/** What clients send: presence only (server/src/presence); anything else is ignored. */
export interface ClientToServerEvents {
  'presence:set': (payload: PresenceSet, ack?: (reply: PresenceAck) => void) => void;
  'presence:clear': (payload: PresenceClear, ack?: (reply: PresenceAck) => void) => void;
}
