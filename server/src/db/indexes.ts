import type { Db, IndexDescription } from 'mongodb';
import { BOARD_ORDER, SORT_ORDERS } from '../../../core/board.js';

/** Every collection the product uses, named in one place. */
export const COLLECTIONS = {
  organizations: 'organizations',
  contacts: 'contacts',
  calls: 'calls',
  smsLogs: 'sms_logs',
  appointments: 'appointments',
  notes: 'notes',
  leadEvents: 'lead_events',
  integrations: 'integrations',
  agents: 'agents',
  webhookReceipts: 'webhook_receipts',
  followUps: 'follow_ups',
  deletedLeads: 'deleted_leads',
  teams: 'teams',
  queueClaims: 'queue_claims',
  smsTemplates: 'sms_templates',
  campaigns: 'campaigns',
  campaignRecipients: 'campaign_recipients',
  campaignPacers: 'campaign_pacers',
} as const;

export type CollectionName = (typeof COLLECTIONS)[keyof typeof COLLECTIONS];

/**
 * The comment of a query that must read a whole collection: maintenance commands run by an operator (key rotation),
 * never a request path. The suite's index check (testing/query-shapes.ts) skips these, and only these.
 */
export const MAINTENANCE_SCAN = 'live-leads maintenance: full scan';


/**
 * Every index, named, per collection. Each query shape the repositories issue is served by one of these following the
 * equality-sort-range rule; the suite's root hook (server/src/testing/root-hooks.ts, with testing/query-shapes.ts) checks every query it sent against this list.
 */
export const INDEXES: Record<CollectionName, IndexDescription[]> = {
  organizations: [
    { name: 'secretKeys_keyId', key: { 'secretKeys.keyId': 1 }, unique: true },
    { name: 'allowedOrigins', key: { allowedOrigins: 1 } },
    { name: 'name', key: { name: 1 } },
  ],
  contacts: [
    { name: 'board_default', key: { orgId: 1, ...BOARD_ORDER } },
    { name: 'board_status', key: { orgId: 1, leadStatus: 1, ...BOARD_ORDER } },
    { name: 'org_externalId', key: { orgId: 1, externalId: 1 }, unique: true, partialFilterExpression: { externalId: { $type: 'string' } } },
    { name: 'org_phone', key: { orgId: 1, phone: 1 } },
    // Leads whose timeline entries still wait in their outbox (leads/changes.ts flush job); only those carry the field.
    { name: 'timeline_pending', key: { timelinePendingSince: 1 }, sparse: true },
    // The other sorts of GET /v1/leads?sort= (core/board.ts), and each priority view's entry instant (core/views.ts):
    // a view's page walks its sort's index; its count is a range on its own index.
    { name: 'board_last_contact', key: { orgId: 1, ...SORT_ORDERS.last_contact } },
    { name: 'board_newest', key: { orgId: 1, ...SORT_ORDERS.newest } },
    { name: 'board_follow_up', key: { orgId: 1, ...SORT_ORDERS.follow_up } },
    { name: 'view_call_today', key: { orgId: 1, callTodayFrom: 1 } },
    { name: 'view_this_week', key: { orgId: 1, thisWeekFrom: 1 } },
    { name: 'view_nurture', key: { orgId: 1, nurtureFrom: 1 } },
    // Search (core/search.ts): one key narrows the clinic to the candidates, in board order, so a page stops early.
    { name: 'board_search', key: { orgId: 1, searchKeys: 1, ...BOARD_ORDER } },
    // owner=me|none|<id> (issue 13): the owner's board in the default order, and each priority view's count per owner.
    // With another sort the sort's own board_* index is walked and the owner filtered inside the bounded scan.
    { name: 'board_owner', key: { orgId: 1, ownerId: 1, ...BOARD_ORDER } },
    { name: 'owner_call_today', key: { orgId: 1, ownerId: 1, callTodayFrom: 1 } },
    { name: 'owner_this_week', key: { orgId: 1, ownerId: 1, thisWeekFrom: 1 } },
    { name: 'owner_nurture', key: { orgId: 1, ownerId: 1, nurtureFrom: 1 } },
  ],
  calls: [
    { name: 'vapiCallId', key: { vapiCallId: 1 }, unique: true, partialFilterExpression: { vapiCallId: { $type: 'string' } } },
    { name: 'org_contact_created', key: { orgId: 1, contactId: 1, createdAt: -1 } },
    { name: 'org_active', key: { orgId: 1, contactId: 1, status: 1 } },
    { name: 'status_created', key: { status: 1, createdAt: 1 } },
  ],
  sms_logs: [
    { name: 'twilioSid', key: { twilioSid: 1 }, unique: true, partialFilterExpression: { twilioSid: { $type: 'string' } } },
    { name: 'org_idempotencyKey', key: { orgId: 1, idempotencyKey: 1 }, unique: true, partialFilterExpression: { idempotencyKey: { $type: 'string' } } },
    { name: 'org_contact_created', key: { orgId: 1, contactId: 1, createdAt: -1 } },
    { name: 'scheduled_due', key: { status: 1, scheduledFor: 1 } },
    // A campaign's frequency cap: the clinic's outbound texts of the last hours (server/src/campaigns/audience.ts).
    { name: 'org_direction_created', key: { orgId: 1, direction: 1, createdAt: -1 } },
  ],
  appointments: [
    { name: 'org_contact_scheduled', key: { orgId: 1, contactId: 1, scheduledAt: 1 } },
    { name: 'org_externalId', key: { orgId: 1, externalId: 1 }, unique: true, partialFilterExpression: { externalId: { $type: 'string' } } },
  ],
  notes: [{ name: 'org_contact_created', key: { orgId: 1, contactId: 1, createdAt: -1 } }],
  lead_events: [{ name: 'org_contact_at', key: { orgId: 1, contactId: 1, at: -1 } }],
  integrations: [
    { name: 'org_provider', key: { orgId: 1, provider: 1 }, unique: true },
    // A phone number belongs to one organisation (NUMBER_IN_USE on import); inbound texts find it by number (+ account).
    { name: 'twilio_phone', key: { phoneNumber: 1, provider: 1 }, unique: true, partialFilterExpression: { phoneNumber: { $type: 'string' } } },
  ],
  agents: [
    { name: 'org_direction', key: { orgId: 1, direction: 1 }, unique: true },
    { name: 'webhookSecretHash', key: { webhookSecretHash: 1 }, partialFilterExpression: { webhookSecretHash: { $type: 'string' } } },
  ],
  webhook_receipts: [{ name: 'provider_key', key: { provider: 1, key: 1 }, unique: true }],
  follow_ups: [
    // A lead's open follow-ups, earliest first (its next one, the detail); GET /v1/follow-ups?due= over the clinic.
    { name: 'org_contact_status_due', key: { orgId: 1, contactId: 1, status: 1, dueAt: 1 } },
    { name: 'org_status_due', key: { orgId: 1, status: 1, dueAt: 1 } },
    // The reminder job, across clinics: open, not yet reminded, due first (claimed once with findOneAndUpdate).
    { name: 'reminder_due', key: { status: 1, remindedAt: 1, dueAt: 1 } },
  ],
  // Tombstones of deleted leads: the host's bulk upsert does not bring them back unless asked (docs/api.md).
  deleted_leads: [
    { name: 'org_externalId', key: { orgId: 1, externalId: 1 } },
    { name: 'org_phone', key: { orgId: 1, phone: 1 } },
  ],
  // One roster document per clinic (server/src/team): replaced whole by PUT /v1/team, with the round-robin turn counter.
  teams: [{ name: 'orgId', key: { orgId: 1 }, unique: true }],
  // Call-queue claims (server/src/queue): one holder per lead at a time (the unique key), live until expiresAt.
  queue_claims: [
    { name: 'org_lead', key: { orgId: 1, leadId: 1 }, unique: true },
    { name: 'org_expires', key: { orgId: 1, expiresAt: 1 } },
  ],
  // SMS campaigns (server/src/campaigns): templates per clinic; campaigns by clinic and, for the sender, by status.
  sms_templates: [{ name: 'org_created', key: { orgId: 1, createdAt: 1 } }],
  campaigns: [
    { name: 'org_created', key: { orgId: 1, createdAt: -1 } },
    { name: 'status_sendAt', key: { status: 1, sendAt: 1 } },
  ],
  // One recipient per lead per campaign; the sender claims by status and due time; replies find a lead's recent texts.
  campaign_recipients: [
    { name: 'campaign_contact', key: { campaignId: 1, contactId: 1 }, unique: true },
    { name: 'campaign_status_due', key: { campaignId: 1, status: 1, nextAttemptAt: 1 } },
    { name: 'campaign_id', key: { campaignId: 1, _id: 1 } },
    { name: 'org_contact_sent', key: { orgId: 1, contactId: 1, sentAt: -1 } },
  ],
  // Send pacing: one document per clinic number (server/src/campaigns/pacer.ts).
  campaign_pacers: [{ name: 'key', key: { key: 1 }, unique: true }],
};

/** Creates every declared index; run at start-up (idempotent). */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    if (indexes.length) await db.collection(collection).createIndexes(indexes);
  }
}
