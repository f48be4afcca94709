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
};

/** Creates every declared index; run at start-up (idempotent). */
export async function ensureIndexes(db: Db): Promise<void> {
  for (const [collection, indexes] of Object.entries(INDEXES)) {
    if (indexes.length) await db.collection(collection).createIndexes(indexes);
  }
}
