/**
 * Zod descriptions of replies whose shapes live as TypeScript interfaces (core/team.ts, core/campaigns.ts, the settings
 * views). They only describe, for the OpenAPI document (./openapi.ts); the contract tests validate every reply the server
 * suite receives against them, so they cannot drift from what the server sends. Where the core has a zod schema, that
 * schema is used instead (core/contracts.ts).
 */
import { z } from 'zod';
import { callModeSchema, leadSchema, roleSchema } from '../../../core/contracts.js';
import { CAMPAIGN_STATUSES } from '../../../core/campaigns.js';

const nullableString = z.string().nullable();

export const teamMemberSchema = z.object({ id: z.string(), name: z.string(), role: roleSchema, hasPhone: z.boolean() });
export const teamReplySchema = z.object({ users: z.array(teamMemberSchema), me: z.object({ id: z.string(), matched: z.boolean() }) });
export const assignReplySchema = z.object({ assigned: z.number().int(), leadIds: z.array(z.string()), unchanged: z.number().int() });
export const assignmentSettingSchema = z.object({ mode: z.enum(['none', 'round_robin']), userIds: z.array(z.string()).optional() });

export const queueClaimSchema = z.object({ leadId: z.string(), userId: z.string(), expiresAt: z.string() });
export const queueNextReplySchema = z.object({ lead: leadSchema.nullable(), claim: queueClaimSchema.nullable(), remaining: z.number().int() });

export const smsTemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  body: z.string(),
  builtIn: z.boolean(),
  fields: z.array(z.string()),
  updatedAt: nullableString,
});

const campaignUser = z.object({ id: z.string(), name: z.string() }).loose();
const countsSchema = z
  .object({ recipients: z.number(), queued: z.number(), sent: z.number(), delivered: z.number(), failed: z.number(), skipped: z.number(), replied: z.number(), optedOut: z.number() })
  .loose();
export const campaignSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    status: z.enum(CAMPAIGN_STATUSES),
    body: z.string(),
    templateId: nullableString,
    link: nullableString,
    audience: z.record(z.string(), z.unknown()),
    counts: countsSchema,
    excluded: z.record(z.string(), z.number()),
    segments: z.object({ min: z.number(), max: z.number(), warning: nullableString }),
    sendAt: nullableString,
    createdBy: campaignUser,
    startedBy: campaignUser.nullable(),
    createdAt: z.string(),
    startedAt: nullableString,
    completedAt: nullableString,
    cancelledAt: nullableString,
    ratePerSecond: z.number(),
  })
  .loose();
export const campaignRecipientSchema = z.object({
  id: z.string(),
  leadId: z.string(),
  name: z.string(),
  phone: z.string(),
  status: z.string(),
  reason: nullableString,
  smsId: nullableString,
  segments: z.number().nullable(),
  nextAttemptAt: nullableString,
  sentAt: nullableString,
  deliveredAt: nullableString,
  repliedAt: nullableString,
  optedOutAt: nullableString,
  errorCode: z.number().nullable(),
  errorMessage: nullableString,
});
export const campaignPreviewSchema = z.object({
  leadId: z.string(),
  name: z.string(),
  text: z.string(),
  characters: z.number(),
  encoding: z.enum(['GSM-7', 'UCS-2']),
  segments: z.number(),
  optOutLine: z.boolean(),
  range: z.object({ min: z.number(), max: z.number(), warning: nullableString }),
});
export const campaignSettingsSchema = z.object({
  agentsMayExceed50: z.boolean(),
  ratePerSecond: z.number().nullable(),
  frequencyCapHours: z.number(),
  optOutLine: z.object({ enabled: z.boolean(), text: z.string() }),
});

export const outboundAgentViewSchema = z.object({
  configured: z.boolean(),
  name: nullableString,
  voice: nullableString,
  systemPrompt: nullableString,
  firstMessage: nullableString,
  vapiAssistantId: nullableString,
  updatedAt: nullableString,
});
export const twilioIntegrationViewSchema = z.object({
  provider: z.literal('twilio'),
  /** Masked: AC…1234 (the auth token never leaves the server). */
  accountSid: z.string(),
  phoneNumber: z.string(),
  vapiPhoneNumberId: z.string(),
  connectedAt: z.string(),
});
export const frontDeskViewSchema = z.object({ number: nullableString }).loose();
export const keywordListsSchema = z.object({
  highValue: z.array(z.string()),
  medium: z.array(z.string()),
  urgency: z.array(z.string()),
  lowUrgency: z.array(z.string()),
  objections: z.array(z.string()),
  services: z.record(z.string(), z.string()),
});

export const bulkUpsertReplySchema = z.object({ items: z.array(leadSchema) }).loose();
export const deleteLeadReplySchema = z.object({ deleted: z.object({ leadId: z.string(), records: z.record(z.string(), z.number()) }) });
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), page: z.number(), pageSize: z.number(), total: z.number(), totalPages: z.number() });

export const healthReplySchema = z.object({ status: z.enum(['ok', 'ready']) });
export const vapiWebhookReplySchema = z.object({ received: z.literal(true), duplicate: z.boolean().optional(), ignored: z.string().optional() });

export { callModeSchema };
