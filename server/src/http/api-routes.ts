/**
 * What each route of the app takes and answers, described with the zod schemas the routes validate with (core/requests.ts,
 * core/team.ts, core/campaigns.ts, the routes' own) and the reply schemas (core/contracts.ts, ./reply-schemas.ts).
 * ./openapi.ts turns this list into the OpenAPI document; ./openapi.test.ts checks it against the routers' own stacks.
 * Paths are the routers' (Koa style, `:id`), with the /v1 prefix.
 */
import { z } from 'zod';
import {
  appointmentSchema,
  callSchema,
  embedTokenReplySchema,
  followUpSchema,
  leadDetailSchema,
  leadPageSchema,
  leadSchema,
  noteSchema,
  sessionInfoSchema,
  smsSendReplySchema,
  viewCountsSchema,
} from '../../../core/contracts.js';
import * as req from '../../../core/requests.js';
import { assignBody, assignmentSettingBody, claimParams, queueNextBody, teamPutBody } from '../../../core/team.js';
import * as camp from '../../../core/campaigns.js';
import { embedTokenBody } from '../auth/routes.js';
import { startBody } from '../calls/routes.js';
import { idempotencyKey, inboundForm, smsBody, statusForm } from '../sms/routes.js';
import { frontDeskBody } from '../settings/front-desk.js';
import { keywordSettingsSchema } from '../scoring/keywords.js';
import * as r from './reply-schemas.js';
import { CODES as TWILIO_CODES } from '../telephony/twilio.js';

export type Auth = 'public' | 'token' | 'admin' | 'secretKey' | 'vapi' | 'twilio' | 'metrics';

export interface RouteSpec {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  tag: string;
  summary: string;
  auth: Auth;
  params?: z.ZodObject;
  query?: z.ZodObject;
  headers?: Record<string, { schema: z.ZodType; required: boolean; description: string }>;
  body?: z.ZodType;
  /** Twilio posts forms; everything else is JSON. */
  form?: boolean;
  /** Status -> reply: a zod schema (JSON), a media type with a text body, or null (no body). */
  replies: Record<number, z.ZodType | { media: string; description: string } | null>;
  /** Route-specific error codes by status (the common ones are added by ./openapi.ts). */
  errors?: Record<number, string[]>;
}

const csv = { media: 'text/csv', description: 'CSV with a header row (UTF-8).' };
const idempotency = {
  'Idempotency-Key': { schema: idempotencyKey, required: true, description: 'A new random value per message, reused when retrying it.' },
};
const leadId = req.idParams;
const lead = z.object({ lead: leadSchema });
const campaign = z.object({ campaign: r.campaignSchema });
const notFound = { 404: ['NOT_FOUND'] };

/** Error lists merged by status. */
const merge = (...lists: Array<Record<number, string[]>>) => {
  const out: Record<number, string[]> = {};
  for (const list of lists) for (const [status, codes] of Object.entries(list)) out[+status] = [...(out[+status] ?? []), ...codes];
  return out;
};
/** What a refusal by Twilio becomes (server/src/telephony/twilio.ts): its mapped codes, else TWILIO_ERROR / _TIMEOUT / _UNAVAILABLE. */
const twilioErrors: Record<number, string[]> = merge(
  ...Object.values(TWILIO_CODES).map(([code, status]) => ({ [status]: [code] })),
  { 502: ['TWILIO_ERROR'], 503: ['TWILIO_TIMEOUT', 'TWILIO_UNAVAILABLE'] },
);

export const ROUTES: RouteSpec[] = [
  // ---- Public ----
  { method: 'get', path: '/healthz', tag: 'Health', summary: 'Liveness: the process answers', auth: 'public', replies: { 200: r.healthReplySchema } },
  {
    method: 'get', path: '/readyz', tag: 'Health', summary: 'Readiness: the database (and message bus) answer; 503 while draining', auth: 'public',
    replies: { 200: r.healthReplySchema }, errors: { 503: ['NOT_READY', 'SHUTTING_DOWN'] },
  },
  { method: 'get', path: '/v1/openapi.json', tag: 'Health', summary: 'This document (ETag; If-None-Match answers 304)', auth: 'public', replies: { 200: z.record(z.string(), z.unknown()), 304: null } },
  {
    method: 'get', path: '/metrics', tag: 'Operations', summary: 'Prometheus metrics; only with METRICS_TOKEN set and sent as a bearer token (else 404)', auth: 'metrics',
    replies: { 200: { media: 'text/plain', description: 'Prometheus text exposition format 0.0.4.' } }, errors: { 404: ['ROUTE_NOT_FOUND'] },
  },
  {
    method: 'post', path: '/v1/embed-tokens', tag: 'Auth', summary: "Mint a short-lived embed token for one host-CRM user (the host's backend, secret key)", auth: 'secretKey',
    body: embedTokenBody, replies: { 201: embedTokenReplySchema }, errors: { 403: ['SECRET_KEY_IN_BROWSER'] },
  },
  {
    method: 'post', path: '/webhooks/vapi', tag: 'Webhooks', summary: 'Vapi server messages (status, end of call report); x-vapi-secret; idempotent', auth: 'vapi',
    body: z.record(z.string(), z.unknown()), replies: { 200: r.vapiWebhookReplySchema }, errors: { 400: ['EMPTY_BODY', 'INVALID_WEBHOOK'], 401: ['WEBHOOK_UNAUTHENTICATED'] },
  },
  {
    method: 'post', path: '/webhooks/twilio/status', tag: 'Webhooks', summary: 'Twilio message status callback; X-Twilio-Signature; idempotent', auth: 'twilio', form: true,
    body: statusForm, replies: { 204: null }, errors: { 400: ['INVALID_WEBHOOK'], 401: ['WEBHOOK_UNAUTHENTICATED'] },
  },
  {
    method: 'post', path: '/webhooks/twilio/inbound', tag: 'Webhooks', summary: 'Twilio inbound text (STOP/START, replies); X-Twilio-Signature', auth: 'twilio', form: true,
    body: inboundForm, replies: { 200: { media: 'text/xml', description: 'An empty TwiML <Response/>.' } },
    errors: { 400: ['INVALID_WEBHOOK'], 401: ['WEBHOOK_UNAUTHENTICATED'], 503: ['TWILIO_LOOKUP_FAILED'] },
  },

  // ---- Session ----
  { method: 'get', path: '/v1/session', tag: 'Session', summary: 'Who the widget is signed in as; telephony status; call modes', auth: 'token', replies: { 200: sessionInfoSchema } },

  // ---- Leads ----
  { method: 'get', path: '/v1/leads', tag: 'Leads', summary: 'The board: filter, search, sort, view, page', auth: 'token', query: req.listQuery, replies: { 200: leadPageSchema } },
  { method: 'get', path: '/v1/views', tag: 'Leads', summary: "Each priority view's count under the other filters", auth: 'token', query: req.viewsQuery, replies: { 200: viewCountsSchema } },
  { method: 'get', path: '/v1/leads.csv', tag: 'Leads', summary: 'CSV export of the current filter', auth: 'token', query: req.listQuery, replies: { 200: csv } },
  { method: 'post', path: '/v1/leads', tag: 'Leads', summary: 'Create one lead', auth: 'token', body: req.leadInput, replies: { 201: lead }, errors: { 400: ['INVALID_PHONE_FORMAT', 'INVALID_TIME_ZONE'], 409: ['DUPLICATE_EXTERNAL_ID'] } },
  {
    method: 'put', path: '/v1/leads', tag: 'Leads', summary: 'Bulk upsert from the host CRM (by externalId or phone), at most 1000', auth: 'admin',
    body: req.bulkUpsertBody, replies: { 200: r.bulkUpsertReplySchema }, errors: { 400: ['INVALID_PHONE_FORMAT', 'INVALID_TIME_ZONE'] },
  },
  { method: 'get', path: '/v1/leads/:id', tag: 'Leads', summary: 'A lead with its last calls, appointments, notes, timeline and open follow-ups', auth: 'token', params: leadId, replies: { 200: leadDetailSchema }, errors: notFound },
  {
    method: 'patch', path: '/v1/leads/:id', tag: 'Leads', summary: 'Status change (workflow rules), contact edit and/or owner, version-checked', auth: 'token', params: leadId,
    body: req.statusChangeBody, replies: { 200: lead },
    errors: { 400: ['INVALID_PHONE_FORMAT', 'INVALID_TIME_ZONE', 'LOST_NOTE_REQUIRED', 'LOST_REASON_REQUIRED', 'LOST_FIELDS_WITHOUT_LOST', 'UNKNOWN_OWNER'], 403: ['FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['STALE_LEAD', 'CALL_IN_PROGRESS', 'DUPLICATE_EXTERNAL_ID', 'LEAD_CHANGE_CONFLICT'], 422: ['INVALID_TRANSITION'] },
  },
  { method: 'delete', path: '/v1/leads/:id', tag: 'Leads', summary: 'Delete a lead and its records (admins)', auth: 'admin', params: leadId, replies: { 200: r.deleteLeadReplySchema }, errors: notFound },
  { method: 'post', path: '/v1/leads/:id/revert', tag: 'Leads', summary: 'Revert a lost lead to the status it came from', auth: 'token', params: leadId, replies: { 200: lead }, errors: { 403: ['UNDO_EXPIRED', 'FORBIDDEN'], 404: ['NOT_FOUND'], 409: ['LEAD_CHANGE_CONFLICT'], 422: ['NOT_LOST'] } },
  { method: 'post', path: '/v1/leads/:id/notes', tag: 'Leads', summary: 'Add a note', auth: 'token', params: leadId, body: req.noteBody, replies: { 201: z.object({ note: noteSchema }) }, errors: notFound },
  {
    method: 'put', path: '/v1/appointments', tag: 'Leads', summary: "Upsert appointments from the host's scheduler (admins)", auth: 'admin',
    body: req.appointmentsBody, replies: { 200: z.object({ items: z.array(appointmentSchema) }) }, errors: { 422: ['UNKNOWN_CONTACT'] },
  },
  {
    method: 'post', path: '/v1/leads/assign', tag: 'Team', summary: "Assign listed leads, or all matching the board's filter, to an owner (or none)", auth: 'token',
    body: assignBody, replies: { 200: r.assignReplySchema }, errors: { 400: ['UNKNOWN_OWNER'], 404: ['LEAD_NOT_FOUND'] },
  },

  // ---- Follow-ups ----
  {
    method: 'post', path: '/v1/leads/:id/follow-ups', tag: 'Follow-ups', summary: 'Schedule a follow-up on a lead', auth: 'token', params: leadId,
    body: req.followUpCreateBody, replies: { 201: z.object({ followUp: followUpSchema }) }, errors: { 400: ['DUE_IN_PAST'], 404: ['NOT_FOUND'] },
  },
  {
    method: 'get', path: '/v1/follow-ups', tag: 'Follow-ups', summary: "The clinic's open follow-ups (overdue, today, upcoming)", auth: 'token', query: req.followUpListQuery,
    replies: { 200: z.object({ items: z.array(z.object({ followUp: followUpSchema, lead: leadSchema })) }) },
  },
  {
    method: 'patch', path: '/v1/follow-ups/:id', tag: 'Follow-ups', summary: 'Done, reopen, snooze (new due time) or edit the note', auth: 'token', params: req.followUpIdParams,
    body: req.followUpPatchBody, replies: { 200: z.object({ followUp: followUpSchema }) }, errors: { 400: ['DUE_IN_PAST'], 404: ['NOT_FOUND'] },
  },
  { method: 'delete', path: '/v1/follow-ups/:id', tag: 'Follow-ups', summary: 'Delete a follow-up', auth: 'token', params: req.followUpIdParams, replies: { 204: null }, errors: notFound },

  // ---- Calls ----
  {
    method: 'post', path: '/v1/leads/:id/calls', tag: 'Calls', summary: "Start a call: the AI agent ('agent') or the caller's own phone first ('connect')", auth: 'token', params: leadId,
    body: startBody, replies: { 202: z.object({ call: callSchema }) },
    errors: {
      404: ['NOT_FOUND'], 409: ['CALL_IN_PROGRESS'], 422: ['OUTBOUND_AGENT_NOT_CONFIGURED', 'NO_PHONE_NUMBER', 'INVALID_PHONE_FORMAT', 'NO_CALL_CONSENT', 'CALLER_PHONE_MISSING'], 502: ['CALL_PROVIDER_FAILED'],
    },
  },
  { method: 'get', path: '/v1/calls/:id', tag: 'Calls', summary: 'A call with its full transcript', auth: 'token', params: req.idParams, replies: { 200: z.object({ call: callSchema }) }, errors: notFound },

  // ---- SMS ----
  {
    method: 'post', path: '/v1/leads/:id/sms', tag: 'SMS', summary: 'Text a lead (deferred by quiet hours); idempotent by Idempotency-Key', auth: 'token', params: leadId,
    headers: idempotency, body: smsBody, replies: { 202: smsSendReplySchema },
    errors: merge({ 404: ['NOT_FOUND'], 422: ['TWILIO_NOT_CONFIGURED', 'SMS_OPTED_OUT', 'INVALID_PHONE_FORMAT', 'NO_SMS_CONSENT', 'INVALID_SMS_BODY', 'IDEMPOTENCY_KEY_REUSED'] }, twilioErrors),
  },

  // ---- SMS templates and campaigns ----
  { method: 'get', path: '/v1/sms-templates', tag: 'Campaigns', summary: 'Templates (the three built-ins first)', auth: 'token', replies: { 200: z.object({ items: z.array(r.smsTemplateSchema) }) } },
  { method: 'post', path: '/v1/sms-templates', tag: 'Campaigns', summary: 'Create a template', auth: 'token', body: camp.templateBody, replies: { 201: z.object({ template: r.smsTemplateSchema }) }, errors: { 400: ['UNKNOWN_MERGE_FIELD', 'BODY_TOO_LONG'] } },
  {
    method: 'put', path: '/v1/sms-templates/:id', tag: 'Campaigns', summary: 'Edit a template', auth: 'token', params: camp.templateIdParams, body: camp.templateBody,
    replies: { 200: z.object({ template: r.smsTemplateSchema }) }, errors: { 400: ['UNKNOWN_MERGE_FIELD', 'BODY_TOO_LONG'], 404: ['NOT_FOUND'], 409: ['BUILT_IN_TEMPLATE'] },
  },
  { method: 'delete', path: '/v1/sms-templates/:id', tag: 'Campaigns', summary: 'Delete a template (not a built-in)', auth: 'token', params: camp.templateIdParams, replies: { 204: null }, errors: { 404: ['NOT_FOUND'], 409: ['BUILT_IN_TEMPLATE'] } },
  { method: 'get', path: '/v1/campaign-settings', tag: 'Campaigns', summary: "The clinic's campaign settings", auth: 'token', replies: { 200: z.object({ settings: r.campaignSettingsSchema }) } },
  { method: 'put', path: '/v1/campaign-settings', tag: 'Campaigns', summary: 'Change the campaign settings (admins)', auth: 'admin', body: camp.campaignSettingsBody, replies: { 200: z.object({ settings: r.campaignSettingsSchema }) } },
  { method: 'get', path: '/v1/campaigns', tag: 'Campaigns', summary: "The clinic's campaigns, newest first", auth: 'token', replies: { 200: z.object({ items: z.array(r.campaignSchema) }) } },
  {
    method: 'post', path: '/v1/campaigns', tag: 'Campaigns', summary: 'A draft campaign with its recipient count and exclusions', auth: 'token', body: camp.campaignCreateBody, replies: { 201: campaign },
    errors: { 400: ['UNKNOWN_MERGE_FIELD', 'BODY_TOO_LONG', 'LINK_MISSING'], 403: ['CAMPAIGN_NEEDS_ADMIN'], 404: ['NOT_FOUND', 'LEAD_NOT_FOUND'], 422: ['EMPTY_AUDIENCE'] },
  },
  { method: 'get', path: '/v1/campaigns/:id', tag: 'Campaigns', summary: 'A campaign with its counts', auth: 'token', params: camp.campaignIdParams, replies: { 200: campaign }, errors: notFound },
  {
    method: 'patch', path: '/v1/campaigns/:id', tag: 'Campaigns', summary: 'Edit a draft', auth: 'token', params: camp.campaignIdParams, body: camp.campaignPatchBody, replies: { 200: campaign },
    errors: { 400: ['UNKNOWN_MERGE_FIELD', 'BODY_TOO_LONG', 'LINK_MISSING'], 403: ['CAMPAIGN_NEEDS_ADMIN'], 404: ['NOT_FOUND'], 409: ['CAMPAIGN_NOT_DRAFT'], 422: ['EMPTY_AUDIENCE'] },
  },
  { method: 'delete', path: '/v1/campaigns/:id', tag: 'Campaigns', summary: 'Delete a draft', auth: 'token', params: camp.campaignIdParams, replies: { 204: null }, errors: { 404: ['NOT_FOUND'], 409: ['CAMPAIGN_NOT_DRAFT'] } },
  {
    method: 'get', path: '/v1/campaigns/:id/preview', tag: 'Campaigns', summary: "One recipient's rendered text with its segments", auth: 'token', params: camp.campaignIdParams, query: camp.previewQuery,
    replies: { 200: z.object({ preview: r.campaignPreviewSchema }) }, errors: { 400: ['LINK_MISSING'], 404: ['NOT_FOUND', 'LEAD_NOT_FOUND'] },
  },
  {
    method: 'post', path: '/v1/campaigns/:id/start', tag: 'Campaigns', summary: 'Start now or at sendAt', auth: 'token', params: camp.campaignIdParams, body: camp.campaignStartBody, replies: { 200: campaign },
    errors: { 400: ['LINK_MISSING', 'UNKNOWN_MERGE_FIELD'], 403: ['CAMPAIGN_NEEDS_ADMIN'], 404: ['NOT_FOUND'], 409: ['INVALID_CAMPAIGN_STATE', 'CAMPAIGN_NOT_DRAFT'], 422: ['EMPTY_AUDIENCE', 'TWILIO_NOT_CONFIGURED'] },
  },
  ...(['pause', 'resume', 'cancel'] as const).map(
    (action): RouteSpec => ({
      method: 'post', path: `/v1/campaigns/:id/${action}`, tag: 'Campaigns', summary: `${action[0]!.toUpperCase()}${action.slice(1)} a campaign`, auth: 'token',
      params: camp.campaignIdParams, replies: { 200: campaign }, errors: { 404: ['NOT_FOUND'], 409: ['INVALID_CAMPAIGN_STATE'] },
    }),
  ),
  {
    method: 'get', path: '/v1/campaigns/:id/recipients', tag: 'Campaigns', summary: "A campaign's recipients and their outcomes", auth: 'token', params: camp.campaignIdParams, query: camp.recipientsQuery,
    replies: { 200: r.pageOf(r.campaignRecipientSchema) }, errors: notFound,
  },
  { method: 'get', path: '/v1/campaigns/:id/recipients.csv', tag: 'Campaigns', summary: 'The recipients as CSV', auth: 'token', params: camp.campaignIdParams, replies: { 200: csv }, errors: notFound },

  // ---- Settings ----
  { method: 'get', path: '/v1/agents/outbound', tag: 'Settings', summary: 'The outbound AI agent', auth: 'token', replies: { 200: z.object({ agent: r.outboundAgentViewSchema }) } },
  {
    method: 'put', path: '/v1/agents/outbound', tag: 'Settings', summary: 'Create or update the outbound AI agent in Vapi (admins)', auth: 'admin', body: req.outboundAgentBody,
    replies: { 200: z.object({ agent: r.outboundAgentViewSchema }) }, errors: { 422: ['VAPI_NOT_CONNECTED', 'VAPI_INVALID_KEY'], 502: ['VAPI_REQUEST_FAILED', 'VAPI_TIMEOUT'], 503: ['VAPI_RATE_LIMITED'] },
  },
  { method: 'delete', path: '/v1/agents/outbound', tag: 'Settings', summary: 'Remove the outbound agent (admins)', auth: 'admin', replies: { 204: null } },
  { method: 'get', path: '/v1/telephony/twilio', tag: 'Settings', summary: 'The imported Twilio number (masked)', auth: 'token', replies: { 200: z.object({ integration: r.twilioIntegrationViewSchema.nullable() }) } },
  {
    method: 'post', path: '/v1/telephony/twilio', tag: 'Settings', summary: 'Import a Twilio number into Vapi (admins)', auth: 'admin', body: req.twilioImportBody,
    replies: { 200: z.object({ integration: r.twilioIntegrationViewSchema }) },
    errors: merge({ 409: ['NUMBER_IN_USE'], 422: ['TWILIO_NUMBER_NOT_FOUND', 'INVALID_PHONE_FORMAT', 'VAPI_NOT_CONNECTED', 'VAPI_INVALID_KEY'], 502: ['VAPI_REQUEST_FAILED', 'VAPI_TIMEOUT'], 503: ['VAPI_RATE_LIMITED'] }, twilioErrors),
  },
  { method: 'delete', path: '/v1/telephony/twilio', tag: 'Settings', summary: 'Remove the Twilio number (admins)', auth: 'admin', replies: { 204: null } },
  {
    method: 'put', path: '/v1/telephony/vapi', tag: 'Settings', summary: "Connect the clinic's own Vapi account (admins)", auth: 'admin', body: req.vapiKeyBody,
    replies: { 200: z.object({ connected: z.literal(true) }) }, errors: { 422: ['VAPI_INVALID_KEY'], 502: ['VAPI_REQUEST_FAILED', 'VAPI_TIMEOUT'] },
  },
  { method: 'get', path: '/v1/settings/front-desk', tag: 'Settings', summary: 'The front-desk number the AI agent transfers to', auth: 'token', replies: { 200: z.object({ frontDesk: r.frontDeskViewSchema }) } },
  {
    method: 'put', path: '/v1/settings/front-desk', tag: 'Settings', summary: 'Set or clear the front-desk number (admins)', auth: 'admin', body: frontDeskBody,
    replies: { 200: z.object({ frontDesk: r.frontDeskViewSchema }) }, errors: { 422: ['FRONT_DESK_IS_CLINIC_NUMBER', 'INVALID_PHONE_FORMAT'] },
  },
  { method: 'get', path: '/v1/settings/keywords', tag: 'Settings', summary: 'The scoring keyword lists', auth: 'token', replies: { 200: z.object({ keywords: r.keywordListsSchema }) } },
  { method: 'put', path: '/v1/settings/keywords', tag: 'Settings', summary: 'Replace the scoring keyword lists (admins)', auth: 'admin', body: keywordSettingsSchema, replies: { 200: z.object({ keywords: r.keywordListsSchema }) } },
  { method: 'get', path: '/v1/settings/assignment', tag: 'Team', summary: 'Round-robin assignment of new leads', auth: 'token', replies: { 200: z.object({ assignment: r.assignmentSettingSchema }) } },
  {
    method: 'put', path: '/v1/settings/assignment', tag: 'Team', summary: 'Set round-robin assignment (admins)', auth: 'admin', body: assignmentSettingBody,
    replies: { 200: z.object({ assignment: r.assignmentSettingSchema }) }, errors: { 400: ['UNKNOWN_OWNER'] },
  },

  { method: 'get', path: '/v1/allowed-origins', tag: 'Settings', summary: 'The pages allowed to embed the board (admins)', auth: 'admin', replies: { 200: z.object({ origins: z.array(z.string()) }) } },
  {
    method: 'put', path: '/v1/allowed-origins', tag: 'Settings', summary: "Replace the allowed embed origins (the host's backend, secret key only)", auth: 'secretKey',
    body: req.allowedOriginsBody, replies: { 200: z.object({ origins: z.array(z.string()) }) },
  },

  // ---- Team and queue ----
  {
    method: 'put', path: '/v1/team', tag: 'Team', summary: "Replace the staff roster (the host's backend, secret key only)", auth: 'secretKey', body: teamPutBody,
    replies: { 200: z.object({ users: z.array(r.teamMemberSchema) }) }, errors: { 403: ['SECRET_KEY_REQUIRED'] },
  },
  { method: 'get', path: '/v1/team', tag: 'Team', summary: 'The roster as the board sees it (no phone numbers) and who I am on it', auth: 'token', replies: { 200: r.teamReplySchema } },
  {
    method: 'post', path: '/v1/queue/next', tag: 'Queue', summary: 'Release the last lead and claim the next free one of the filter', auth: 'token', body: queueNextBody,
    replies: { 200: r.queueNextReplySchema },
  },
  {
    method: 'post', path: '/v1/queue/claims/:leadId/renew', tag: 'Queue', summary: 'Renew my claim on a lead', auth: 'token', params: claimParams,
    replies: { 200: z.object({ claim: r.queueClaimSchema }) }, errors: { 404: ['NOT_FOUND'], 409: ['CLAIM_LOST'] },
  },
  { method: 'delete', path: '/v1/queue/claims/:leadId', tag: 'Queue', summary: 'Release my claim on a lead', auth: 'token', params: claimParams, replies: { 204: null } },
];
