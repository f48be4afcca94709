/**
 * The request contracts: zod schemas for what clients send the API (query strings and bodies), with their types.
 * Pure zod, so the server validates with them and any client may share them; the widget does not import them at
 * runtime (zod stays out of the browser bundle). Phone numbers are only length-checked here: parsing them to E.164
 * needs libphonenumber, which stays on the server (server/src/leads/phone.ts via the leads service).
 */
import { z } from 'zod';
import { APPOINTMENT_STATUSES, LEAD_STATUSES, TIERS } from './contracts.js';
import { BOARD_SORTS } from './board.js';
import { APPOINTMENT_FILTERS, VIEWS } from './views.js';
import { LOST_REASONS } from './workflow.js';
import { FOLLOW_UP_DUE_FILTERS, FOLLOW_UP_NOTE_MAX, REVISIT_MAX_DAYS } from './follow-ups.js';

// ---- Leads (server/src/leads/routes.ts) ----

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id');
export const idParams = z.object({ id: objectId });

/** The filters the board, the CSV export and the view counts share (combinable). */
const boardFilters = {
  tier: z.enum(TIERS).optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  q: z.string().trim().max(100, 'search is at most 100 characters').optional(),
  /** none: no upcoming appointment; today: an appointment today in the clinic's time zone. */
  appointment: z.enum(APPOINTMENT_FILTERS, { message: `appointment is one of ${APPOINTMENT_FILTERS.join(', ')}` }).optional(),
  lostReason: z.enum(LOST_REASONS, { message: `lostReason is one of ${LOST_REASONS.join(', ')}` }).optional(),
  /** me, none (unassigned) or a roster user id (core/team.ts). */
  owner: z.string().trim().min(1, 'owner is me, none or a user id').max(200).optional(),
};

export const listQuery = z.object({
  ...boardFilters,
  view: z.enum(VIEWS, { message: `view is one of ${VIEWS.join(', ')}` }).optional(),
  sort: z.enum(BOARD_SORTS, { message: `sort is one of ${BOARD_SORTS.join(', ')}` }).default('score'),
  page: z.coerce.number().int().min(1, 'pages start at 1').max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100, 'at most 100 leads per page').default(20),
}).strict();
export type ListQuery = z.infer<typeof listQuery>;

/** GET /v1/views: the counts under the board's other filters. */
export const viewsQuery = z.object(boardFilters).strict();
export type ViewsQuery = z.infer<typeof viewsQuery>;

const consent = z.object({
  sms: z.boolean(),
  calls: z.boolean(),
  source: z.string().max(200).nullable().default(null),
  at: z.iso.datetime({ offset: true }).nullable().default(null),
});

export const leadInput = z.object({
  name: z.string().trim().min(1, 'a name is required').max(200),
  phone: z.string().trim().min(1, 'a phone number is required').max(40),
  email: z.email('must be an email address').max(320).nullable().optional(),
  services: z.array(z.string().trim().min(1).max(80)).max(50).optional(),
  externalId: z.string().trim().min(1).max(200).optional(),
  leadStatus: z.enum(LEAD_STATUSES).optional(),
  leadScore: z.number().int().min(0).max(100).optional(),
  lastContactAt: z.iso.datetime({ offset: true }).nullable().optional(),
  timezone: z.string().max(64).nullable().optional(),
  consent: consent.nullable().optional(),
});
export type LeadInput = z.infer<typeof leadInput>;

/** A host-CRM row of PUT /v1/leads: `updatedAt` is when the host last changed the contact (see docs/api.md). */
export const bulkLeadInput = leadInput.extend({ updatedAt: z.iso.datetime({ offset: true }).optional() });

export const bulkUpsertBody = z.object({
  leads: z.array(bulkLeadInput).min(1, 'send at least one lead').max(1000, 'at most 1000 leads per request'),
  /** Re-create leads an admin deleted (otherwise rows matching a deleted lead are skipped and reported). */
  restoreDeleted: z.boolean().optional(),
});
export type BulkLeadInput = z.infer<typeof bulkLeadInput>;

/** The contact fields a person may edit on the board (PATCH /v1/leads/:id { contact }). */
export const contactEdit = z
  .object({
    name: z.string().trim().min(1, 'a name is required').max(200),
    phone: z.string().trim().min(1, 'a phone number is required').max(40),
    email: z.email('must be an email address').max(320).nullable(),
    services: z.array(z.string().trim().min(1).max(80)).max(50),
    timezone: z.string().max(64).nullable(),
    consent: consent.nullable(),
    externalId: z.string().trim().min(1).max(200),
  })
  .partial()
  .strict()
  .refine((c) => Object.keys(c).length > 0, 'give at least one contact field to change');
export type ContactEdit = z.infer<typeof contactEdit>;

/**
 * PATCH /v1/leads/:id: a status change, a contact edit, or both in one version-checked write. Marking lost needs a
 * `lostReason` (and `lostNote` with `other`); `revisitInDays` schedules the revisit follow-up.
 */
export const statusChangeBody = z
  .object({
    status: z.enum(LEAD_STATUSES).optional(),
    expectedStatus: z.enum(LEAD_STATUSES).optional(),
    expectedVersion: z.number().int().min(0).optional(),
    lostReason: z.enum(LOST_REASONS, { message: `lostReason is one of ${LOST_REASONS.join(', ')}` }).optional(),
    lostNote: z.string().trim().min(1).max(FOLLOW_UP_NOTE_MAX).optional(),
    revisitInDays: z.number().int().min(1).max(REVISIT_MAX_DAYS, `revisit at most ${REVISIT_MAX_DAYS} days ahead`).optional(),
    contact: contactEdit.optional(),
    /** A roster user id (GET /v1/team), or null to unassign (issue 13). */
    ownerId: z.string().trim().min(1, 'ownerId is a user id, or null to unassign').max(200).nullable().optional(),
  })
  .strict()
  .refine((b) => b.status !== undefined || b.contact !== undefined || b.ownerId !== undefined, { message: 'give a status, contact fields or an ownerId to change', path: ['status'] })
  .refine((b) => b.contact === undefined || b.expectedVersion !== undefined, {
    message: 'a contact edit carries the version of the lead it was made on (expectedVersion)',
    path: ['expectedVersion'],
  });
export type LeadPatchBody = z.infer<typeof statusChangeBody>;

// ---- Follow-ups (server/src/leads/follow-up-routes.ts) ----

export const followUpIdParams = z.object({ id: z.string().regex(/^[0-9a-f]{24}$/i, 'must be a follow-up id') });

const followUpNote = z.string().trim().max(FOLLOW_UP_NOTE_MAX, `at most ${FOLLOW_UP_NOTE_MAX} characters`);

export const followUpCreateBody = z
  .object({ dueAt: z.iso.datetime({ offset: true, message: 'dueAt is an ISO date-time with its offset' }), note: followUpNote.nullable().optional() })
  .strict();

export const followUpPatchBody = z
  .object({
    /** true marks it done (false reopens it). */
    done: z.boolean().optional(),
    /** A new due time: a snooze (the reminder is pushed again then). */
    dueAt: z.iso.datetime({ offset: true, message: 'dueAt is an ISO date-time with its offset' }).optional(),
    note: followUpNote.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give done, dueAt or note');

export const followUpListQuery = z
  .object({
    due: z.enum(FOLLOW_UP_DUE_FILTERS, { message: `due is one of ${FOLLOW_UP_DUE_FILTERS.join(', ')}` }).optional(),
    leadId: objectId.optional(),
    limit: z.coerce.number().int().min(1).max(200).default(100),
  })
  .strict();
export type FollowUpListQuery = z.infer<typeof followUpListQuery>;

export const noteBody = z.object({ body: z.string().trim().min(1, 'the note is empty').max(5000, 'at most 5000 characters') }).strict();

export const appointmentsBody = z.object({
  appointments: z
    .array(
      z
        .object({
          externalId: z.string().trim().min(1).max(200),
          contactId: objectId.optional(),
          contactExternalId: z.string().trim().min(1).max(200).optional(),
          serviceType: z.string().trim().min(1).max(120),
          scheduledAt: z.iso.datetime({ offset: true }),
          status: z.enum(APPOINTMENT_STATUSES).default('scheduled'),
        })
        .refine((a) => a.contactId || a.contactExternalId, { message: 'give contactId or contactExternalId', path: ['contactId'] }),
    )
    .min(1)
    .max(1000),
});

// ---- Settings (server/src/settings/routes.ts) ----

export const outboundAgentBody = z
  .object({
    name: z.string().trim().min(1, 'give the agent a name').max(40, 'at most 40 characters (a Vapi limit)'),
    voice: z.string().trim().min(1).max(60).default('Elliot'),
    systemPrompt: z.string().trim().min(20, 'describe what the agent should do in at least 20 characters').max(8000),
    firstMessage: z
      .string()
      .trim()
      .min(10, 'the first message must introduce the clinic (at least 10 characters)')
      .max(500),
  })
  .strict();
export type OutboundAgentBody = z.infer<typeof outboundAgentBody>;

export const twilioImportBody = z
  .object({
    accountSid: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'a Twilio Account SID is "AC" followed by 32 hexadecimal characters'),
    authToken: z.string().trim().min(16, 'paste the Auth Token from the Twilio console').max(128),
    phoneNumber: z.string().trim().min(5, 'the Twilio phone number, in E.164 (+12125550123)').max(30),
  })
  .strict();
export type TwilioImportBody = z.infer<typeof twilioImportBody>;

export const vapiKeyBody = z.object({ apiKey: z.string().trim().min(16, 'paste the private API key from the Vapi dashboard').max(200) }).strict();

// ---- Keyword settings (server/src/settings/service.ts; defaults in server/src/scoring/keywords.ts) ----
// Lists are matched as whole words or phrases, case-insensitively, against the lead's own lines only (server/src/scoring/score.ts).
// The schema normalises what an admin types: trimmed, lower-cased, curly apostrophes straightened, duplicates removed.

const normaliseKeyword = (s: string) => s.normalize('NFKC').replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();

const keyword = z
  .string()
  .transform(normaliseKeyword)
  .pipe(z.string().min(1, 'a keyword cannot be empty').max(60, 'a keyword is at most 60 characters'));

const keywordList = z
  .array(keyword)
  .max(200, 'at most 200 keywords per list')
  .transform((list) => [...new Set(list)]);

export const keywordSettingsSchema = z.object({
  /** Treatments and booking intent: +10 each distinct match, at most +40. */
  highValue: keywordList,
  /** Buying questions: +5 each distinct match, at most +20. */
  medium: keywordList,
  /** Wants it soon: +30 once. */
  urgency: keywordList,
  /** Vague timing: -10 once. */
  lowUrgency: keywordList,
  /** Objections and hesitation: counted as negative sentiment. */
  objections: keywordList,
  /** Keyword (any list) -> canonical service name stored in the lead's `services`. */
  services: z
    .record(z.string(), z.string().trim().min(1).max(80))
    .transform((map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [normaliseKeyword(k), v] as const)))
    .refine((map) => Object.keys(map).every((k) => k.length > 0), 'service keywords cannot be empty'),
});

export type KeywordSettings = z.infer<typeof keywordSettingsSchema>;
export type KeywordSettingsInput = z.input<typeof keywordSettingsSchema>;

// ---- Embed origins (server/src/orgs/routes.ts) ----

/** An origin exactly as a browser sends it: scheme, host and port only (https, or http on localhost for development). */
const embedOrigin = z
  .string()
  .trim()
  .max(200)
  // as a browser sends it: lowercase host (IDNs in punycode), optional port, no path
  .regex(
    /^(https:\/\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|http:\/\/(?:localhost|127\.0\.0\.1|\[::1\]))(?::\d{1,5})?$/,
    'must be an origin like https://crm.example.com (https, no path or trailing slash; http only on localhost)',
  );

export const allowedOriginsBody = z
  .object({ origins: z.array(embedOrigin).max(50, 'at most 50 origins per clinic') })
  .strict();
export type AllowedOriginsBody = z.infer<typeof allowedOriginsBody>;
