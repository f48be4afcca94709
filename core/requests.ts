/**
 * The request contracts: zod schemas for what clients send the API (query strings and bodies), with their types.
 * Pure zod, so the server validates with them and any client may share them; the widget does not import them at
 * runtime (zod stays out of the browser bundle). Phone numbers are only length-checked here: parsing them to E.164
 * needs libphonenumber, which stays on the server (server/src/leads/phone.ts via the leads service).
 */
import { z } from 'zod';
import { APPOINTMENT_STATUSES, LEAD_STATUSES, TIERS } from './contracts.js';

// ---- Leads (server/src/leads/routes.ts) ----

const objectId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id');
export const idParams = z.object({ id: objectId });

export const listQuery = z.object({
  tier: z.enum(TIERS).optional(),
  status: z.enum(LEAD_STATUSES).optional(),
  q: z.string().trim().max(100, 'search is at most 100 characters').optional(),
  page: z.coerce.number().int().min(1, 'pages start at 1').max(100_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(100, 'at most 100 leads per page').default(20),
}).strict();
export type ListQuery = z.infer<typeof listQuery>;

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

export const bulkUpsertBody = z.object({ leads: z.array(leadInput).min(1, 'send at least one lead').max(1000, 'at most 1000 leads per request') });

export const statusChangeBody = z
  .object({
    status: z.enum(LEAD_STATUSES),
    expectedStatus: z.enum(LEAD_STATUSES).optional(),
    expectedVersion: z.number().int().min(0).optional(),
  })
  .strict();

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
