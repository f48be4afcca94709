import assert from 'node:assert/strict';
import { leadDetailSchema, leadPageSchema, leadSchema, type Lead, type LeadPage } from './contracts.js';
import { leadInput, listQuery } from './requests.js';

/** A lead as GET /v1/leads returns it: scored after a call, consented, never opted out. */
const lead: Lead = {
  id: '665f1c2ab3d4e5f601234567',
  name: 'Maria Lopez',
  phone: '+14155550123',
  phoneValid: true,
  email: 'maria@example.com',
  services: ['Botox'],
  leadScore: 85,
  tier: 'hot',
  leadStatus: 'contacted',
  lastContactAt: '2025-06-04T15:02:11.000Z',
  lastAttemptAt: '2025-06-04T15:00:00.000Z',
  scoreBreakdown: {
    score: 85,
    raw: 85,
    rules: [
      { rule: 'base', points: 20, matches: [], quotes: [] },
      { rule: 'high_value_keywords', points: 10, matches: ['botox'], quotes: ['I want botox before the wedding'] },
      { rule: 'urgency', points: 30, matches: ['this week'], quotes: ['can I come in this week?'] },
    ],
    services: ['Botox'],
    scoredAt: '2025-06-04T15:03:00.000Z',
    callId: '665f1c2ab3d4e5f601234599',
  },
  smsOptOut: null,
  consent: { sms: true, calls: true, source: 'web form', at: '2025-06-01T09:00:00.000Z' },
  externalId: 'crm-4711',
  timezone: 'America/Los_Angeles',
  lostFrom: null,
  lostBy: null,
  lostAt: null,
  activeCallId: null,
  lostReason: null,
  lostNote: null,
  nextAppointmentAt: '2025-06-10T17:30:00.000Z',
  nextFollowUpAt: null,
  nextFollowUpId: null,
  lastInboundSentiment: 'positive',
  ownerId: null,
  ownerName: null,
  lastCallOutcome: null,
  createdAt: '2025-06-01T09:00:00.000Z',
  updatedAt: '2025-06-04T15:03:00.000Z',
  version: 3,
};

describe('wire contracts (core/contracts.ts)', () => {
  it('a realistic lead parses to itself', () => {
    assert.deepEqual(leadSchema.parse(lead), lead);
  });

  it('a lead page parses, items included', () => {
    const page: LeadPage = { items: [lead, { ...lead, id: '665f1c2ab3d4e5f601234568', leadScore: 40, tier: 'cold', scoreBreakdown: null }], page: 1, pageSize: 20, total: 2, totalPages: 1 };
    assert.deepEqual(leadPageSchema.parse(page), page);
  });

  it('a lead detail extends the lead with its history', () => {
    const detail = {
      ...lead,
      calls: [],
      appointments: [{ id: 'a1', contactId: lead.id, externalId: null, serviceType: 'Botox', scheduledAt: '2025-06-10T17:00:00.000Z', status: 'scheduled' }],
      notes: [{ id: 'n1', contactId: lead.id, body: 'Prefers mornings', authorId: 'u1', authorName: 'Sam', createdAt: '2025-06-04T15:05:00.000Z' }],
      timeline: [{ id: 'e1', contactId: lead.id, type: 'status_changed', from: 'new', to: 'contacted', actor: { id: 'u1', name: 'Sam' }, detail: null, at: '2025-06-04T15:02:11.000Z' }],
      allowedTransitions: ['qualified', 'lost'],
      canUndoLost: false,
      canRevertLost: false,
    };
    assert.deepEqual(leadDetailSchema.parse(detail), detail);
  });

  it('refuses a lead with an unknown status, naming the field', () => {
    const r = leadSchema.safeParse({ ...lead, leadStatus: 'pending' });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')), ['leadStatus']);
  });

  it('refuses a lead without an id', () => {
    const { id: _id, ...withoutId } = lead;
    const r = leadSchema.safeParse(withoutId);
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')), ['id']);
  });

  it('refuses a page whose second item is malformed, pointing at it', () => {
    const r = leadPageSchema.safeParse({ items: [lead, { ...lead, tier: 'lukewarm', phoneValid: 'yes' }], page: 1, pageSize: 20, total: 2, totalPages: 1 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues.map((i) => i.path.join('.')).sort(), ['items.1.phoneValid', 'items.1.tier']);
  });

  it('keeps nullable fields required: null is fine, absent is not', () => {
    const { email: _email, ...withoutEmail } = lead;
    assert.equal(leadSchema.safeParse({ ...lead, email: null }).success, true);
    assert.equal(leadSchema.safeParse(withoutEmail).success, false);
  });
});

describe('request contracts (core/requests.ts)', () => {
  it('the list query coerces page numbers from the query string and defaults them', () => {
    assert.deepEqual(listQuery.parse({ tier: 'hot', page: '2' }), { tier: 'hot', page: 2, pageSize: 20, sort: 'score' });
    assert.equal(listQuery.safeParse({ status: 'pending' }).success, false);
  });

  it('a lead input needs a name and a phone', () => {
    assert.equal(leadInput.safeParse({ name: 'Maria Lopez', phone: '(415) 555-0123' }).success, true);
    assert.equal(leadInput.safeParse({ name: ' ', phone: '(415) 555-0123' }).success, false);
  });
});
