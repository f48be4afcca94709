/**
 * SMS campaigns and templates: the request schemas (zod) and the wire shapes of ../shared DESIGN.md "SMS templates" and
 * "Campaigns". The server validates with these; the widget imports the types.
 */
import { z } from 'zod';
import { LEAD_STATUSES } from './contracts.js';
import { TIERS } from './tiers.js';
import { VIEWS } from './views.js';
import { MAX_SMS_CHARACTERS } from './segments.js';

const objectId = (what: string) => z.string().regex(/^[0-9a-f]{24}$/i, `must be a ${what} id`);

/** Campaigns to more than this many recipients need an admin, unless the clinic allows agents. */
export const AGENT_RECIPIENT_LIMIT = 50;
/** Replies within this long of a campaign text count as replies to it. */
export const REPLY_WINDOW_MS = 7 * 86_400_000;
/** The default frequency cap: a lead texted within this many hours is left out of a new campaign. */
export const DEFAULT_FREQUENCY_CAP_HOURS = 24;
export const DEFAULT_OPT_OUT_LINE = 'Reply STOP to opt out';
/** A hand-picked audience is at most this many ids; larger audiences are a filter. */
export const MAX_PICKED_LEADS = 10_000;

export const templateBody = z
  .object({
    name: z.string().trim().min(1, 'give the template a name').max(80, 'at most 80 characters'),
    body: z.string().trim().min(1, 'the text is empty').max(MAX_SMS_CHARACTERS, `at most ${MAX_SMS_CHARACTERS} characters`),
  })
  .strict();
export type TemplateBody = z.infer<typeof templateBody>;

export const templateIdParams = z.object({ id: z.string().regex(/^[0-9a-z-]{1,64}$/i, 'must be a template id') });

export interface SmsTemplate {
  id: string;
  name: string;
  body: string;
  builtIn: boolean;
  /** The merge fields the body uses. */
  fields: string[];
  updatedAt: string | null;
}

export const OWNER_FILTER = z.union([z.literal('me'), z.literal('none'), z.string().trim().min(1).max(200)]);

export const campaignAudience = z
  .object({
    tier: z.enum(TIERS).optional(),
    status: z.enum(LEAD_STATUSES).optional(),
    q: z.string().trim().max(100, 'search is at most 100 characters').optional(),
    view: z.enum(VIEWS, { message: `view is one of ${VIEWS.join(', ')}` }).optional(),
    owner: OWNER_FILTER.optional(),
    leadIds: z.array(objectId('lead')).min(1, 'pick at least one lead').max(MAX_PICKED_LEADS, `at most ${MAX_PICKED_LEADS} picked leads; use a filter for more`).optional(),
    /** Last contact before this instant (never-contacted leads are not "last contacted before" anything). */
    lastContactBefore: z.iso.datetime({ offset: true, message: 'lastContactBefore is an ISO date-time with its offset' }).optional(),
    appointmentWithinHours: z.number().int().min(1).max(24 * 60, 'at most 60 days (1440 hours) ahead').optional(),
    noUpcomingAppointment: z.boolean().optional(),
    services: z.array(z.string().trim().min(1).max(80)).min(1).max(50).optional(),
  })
  .strict()
  .refine((a) => !(a.appointmentWithinHours && a.noUpcomingAppointment), {
    message: 'choose either appointmentWithinHours or noUpcomingAppointment, not both',
    path: ['noUpcomingAppointment'],
  });
export type CampaignAudience = z.infer<typeof campaignAudience>;

const sendAt = z.iso.datetime({ offset: true, message: 'sendAt is an ISO date-time with its offset' });
const link = z.url('link must be a full URL (https://...)').max(500);

export const campaignCreateBody = z
  .object({
    name: z.string().trim().min(1, 'give the campaign a name').max(120, 'at most 120 characters'),
    body: z.string().trim().min(1, 'the text is empty').max(MAX_SMS_CHARACTERS, `at most ${MAX_SMS_CHARACTERS} characters`).optional(),
    templateId: z.string().trim().min(1).max(64).optional(),
    audience: campaignAudience,
    /** The value of {link}. */
    link: link.optional(),
    sendAt: sendAt.optional(),
  })
  .strict()
  .refine((b) => (b.body === undefined) !== (b.templateId === undefined), { message: 'give the text (body) or a templateId, one of them', path: ['body'] });
export type CampaignCreateBody = z.infer<typeof campaignCreateBody>;

export const campaignPatchBody = z
  .object({
    name: z.string().trim().min(1).max(120).optional(),
    body: z.string().trim().min(1, 'the text is empty').max(MAX_SMS_CHARACTERS).optional(),
    templateId: z.string().trim().min(1).max(64).optional(),
    audience: campaignAudience.optional(),
    link: link.nullable().optional(),
    sendAt: sendAt.nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'give at least one field to change')
  .refine((b) => !(b.body !== undefined && b.templateId !== undefined), { message: 'give the text (body) or a templateId, not both', path: ['body'] });
export type CampaignPatchBody = z.infer<typeof campaignPatchBody>;

export const campaignStartBody = z.object({ sendAt: sendAt.optional() }).strict();

export const campaignIdParams = z.object({ id: objectId('campaign') });
export const previewQuery = z.object({ leadId: objectId('lead').optional() }).strict();
export const recipientsQuery = z
  .object({
    status: z.enum(['pending', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'excluded']).optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    pageSize: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

export const campaignSettingsBody = z
  .object({
    /** Agents may send campaigns to more than 50 leads. */
    agentsMayExceed50: z.boolean().optional(),
    /** Texts per second from the clinic's number: a long code sends about 1; a Messaging Service more. */
    ratePerSecond: z.number().min(0.1).max(10_000).nullable().optional(),
    /** Hours within which a lead already texted is left out of a new campaign. */
    frequencyCapHours: z.number().int().min(0).max(24 * 30).optional(),
    /** The line appended to the first text a lead ever receives from the clinic. */
    optOutLine: z.object({ enabled: z.boolean(), text: z.string().trim().min(4).max(80) }).strict().optional(),
  })
  .strict();
export type CampaignSettingsBody = z.infer<typeof campaignSettingsBody>;

export interface CampaignSettings {
  agentsMayExceed50: boolean;
  ratePerSecond: number | null;
  frequencyCapHours: number;
  optOutLine: { enabled: boolean; text: string };
}

export const DEFAULT_CAMPAIGN_SETTINGS: CampaignSettings = Object.freeze({
  agentsMayExceed50: false,
  ratePerSecond: null,
  frequencyCapHours: DEFAULT_FREQUENCY_CAP_HOURS,
  optOutLine: Object.freeze({ enabled: true, text: DEFAULT_OPT_OUT_LINE }),
}) as CampaignSettings;

export const CAMPAIGN_STATUSES = ['draft', 'scheduled', 'sending', 'paused', 'completed', 'cancelled'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const EXCLUSION_REASONS = ['optedOut', 'noConsent', 'invalidPhone', 'recentlyTexted', 'duplicatePhone'] as const;
export type ExclusionReason = (typeof EXCLUSION_REASONS)[number];
export type Exclusions = Record<ExclusionReason, number>;

export const RECIPIENT_STATUSES = ['pending', 'sending', 'sent', 'delivered', 'failed', 'skipped', 'excluded'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export interface CampaignCounts {
  /** Leads the campaign texts (exclusions left out). */
  recipients: number;
  /** Not yet texted (waiting, in quiet hours, or being sent). */
  queued: number;
  /** Handed to the carrier (delivered ones included). */
  sent: number;
  delivered: number;
  /** Refused by Twilio or undelivered. */
  failed: number;
  /** Not texted after all: opted out or lost consent before their turn, or the campaign was cancelled. */
  skipped: number;
  /** Replied within 7 days of their text. */
  replied: number;
  /** Replied STOP during the campaign (or had opted out by their turn). */
  optedOut: number;
  /** Segments of the texts handed to the carrier. */
  segments: number;
}

export interface CampaignUser {
  id: string;
  name: string;
}

export interface Campaign {
  id: string;
  name: string;
  status: CampaignStatus;
  body: string;
  templateId: string | null;
  link: string | null;
  audience: CampaignAudience;
  counts: CampaignCounts;
  excluded: Exclusions;
  segments: { min: number; max: number; warning: string | null };
  sendAt: string | null;
  createdBy: CampaignUser;
  startedBy: CampaignUser | null;
  createdAt: string;
  startedAt: string | null;
  completedAt: string | null;
  cancelledAt: string | null;
  /** Texts per second this campaign is sent at. */
  ratePerSecond: number;
}

export interface CampaignRecipient {
  id: string;
  leadId: string;
  name: string;
  phone: string;
  status: RecipientStatus;
  reason: string | null;
  smsId: string | null;
  segments: number | null;
  nextAttemptAt: string | null;
  sentAt: string | null;
  deliveredAt: string | null;
  repliedAt: string | null;
  optedOutAt: string | null;
  errorCode: number | null;
  errorMessage: string | null;
}

export interface CampaignPreview {
  leadId: string;
  name: string;
  text: string;
  characters: number;
  encoding: 'GSM-7' | 'UCS-2';
  segments: number;
  /** True when this lead has never been texted by the clinic: its text carries the opt-out line. */
  optOutLine: boolean;
  range: { min: number; max: number; warning: string | null };
}
