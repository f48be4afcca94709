/**
 * Team contracts (issue 13; DESIGN.md "Working the list": Owners, Presence, and the call queue): the host's staff roster,
 * owner assignment, round-robin, presence on the socket and the call queue. Request schemas (zod) and the shapes that
 * leave the server. The widget imports only the types (`import type`), so zod stays out of the browser bundle.
 */
import { z } from 'zod';
import { LEAD_STATUSES, TIERS } from './contracts.js';
import type { Lead } from './contracts.js';
import { BOARD_SORTS } from './board.js';
import { APPOINTMENT_FILTERS, VIEWS } from './views.js';
import { LOST_REASONS } from './workflow.js';

// ---- Roster (PUT/GET /v1/team) ----

export const TEAM_MAX_USERS = 1000;
export const TEAM_ROLES = ['agent', 'admin'] as const;

/** A roster user id is the host's own user id: the embed token's `user.id` is matched to it. */
const userId = z.string().trim().min(1, 'a user id is required').max(200, 'a user id is at most 200 characters');

export const teamUserInput = z
  .object({
    id: userId,
    name: z.string().trim().min(1, 'a name is required').max(200),
    role: z.enum(TEAM_ROLES, { message: 'role is agent or admin' }),
    /** The user's own phone (E.164): "Connect me" calls ring it first. Never sent to a browser. */
    phone: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'phone is E.164, for example +12125550123').nullable().optional(),
    email: z.email('must be an email address').max(320).nullable().optional(),
  })
  .strict();
export type TeamUserInput = z.infer<typeof teamUserInput>;

export const teamPutBody = z
  .object({ users: z.array(teamUserInput).max(TEAM_MAX_USERS, `at most ${TEAM_MAX_USERS} users`) })
  .strict()
  .refine((b) => new Set(b.users.map((u) => u.id)).size === b.users.length, { message: 'each user id appears once', path: ['users'] });
export type TeamPutBody = z.infer<typeof teamPutBody>;

/** A roster user as the browser sees it: no phone number, no email, only whether a phone is on file. */
export interface TeamMember {
  id: string;
  name: string;
  role: 'agent' | 'admin';
  hasPhone: boolean;
}

/** GET /v1/team. `me.matched` is false when the token's user is not on the roster (the token still works). */
export interface TeamReply {
  users: TeamMember[];
  me: { id: string; matched: boolean };
}

// ---- Owners ----

/** `owner=` on GET /v1/leads, /v1/views, the bulk assignment's and the queue's filter: me, none, or a roster user id. */
export const ownerFilter = z.string().trim().min(1).max(200);

/** The board's filter as a body (bulk assign, queue): the query filters of GET /v1/leads, without pages. */
export const boardFilterBody = z
  .object({
    tier: z.enum(TIERS).optional(),
    status: z.enum(LEAD_STATUSES).optional(),
    q: z.string().trim().max(100, 'search is at most 100 characters').optional(),
    view: z.enum(VIEWS, { message: `view is one of ${VIEWS.join(', ')}` }).optional(),
    owner: ownerFilter.optional(),
    appointment: z.enum(APPOINTMENT_FILTERS, { message: `appointment is one of ${APPOINTMENT_FILTERS.join(', ')}` }).optional(),
    lostReason: z.enum(LOST_REASONS, { message: `lostReason is one of ${LOST_REASONS.join(', ')}` }).optional(),
  })
  .strict();
export type BoardFilterBody = z.infer<typeof boardFilterBody>;

export const ASSIGN_MAX_IDS = 500;

const leadId = z.string().regex(/^[0-9a-f]{24}$/i, 'must be a lead id');

/** POST /v1/leads/assign: listed leads, or every lead matching the board's filter ("all N matching"). */
export const assignBody = z
  .object({
    leadIds: z.array(leadId).min(1, 'give at least one lead id').max(ASSIGN_MAX_IDS, `at most ${ASSIGN_MAX_IDS} lead ids; for more, send the board's filter instead`).optional(),
    filter: boardFilterBody.optional(),
    ownerId: userId.nullable(),
  })
  .strict()
  .refine((b) => (b.leadIds === undefined) !== (b.filter === undefined), { message: 'give either leadIds or filter (not both)', path: ['leadIds'] });
export type AssignBody = z.infer<typeof assignBody>;

export interface AssignReply {
  /** How many leads changed owner (leads that already had this owner are left as they are). */
  assigned: number;
  leadIds: string[];
  unchanged: number;
}

/** Round-robin of new leads (the clinic setting `assignment`, GET/PUT /v1/settings/assignment). */
export const assignmentSettingBody = z
  .object({
    mode: z.enum(['none', 'round_robin']),
    /** The users taking turns; omitted = everyone on the roster. */
    userIds: z.array(userId).min(1).max(TEAM_MAX_USERS).optional(),
  })
  .strict();
export type AssignmentSetting = z.infer<typeof assignmentSettingBody>;

// ---- Presence (socket) ----

export const PRESENCE_ACTIVITIES = ['viewing', 'calling'] as const;
export type PresenceActivity = (typeof PRESENCE_ACTIVITIES)[number];
/** The widget re-sends presence:set this often; an entry without one lives PRESENCE_TTL_MS. */
export const PRESENCE_HEARTBEAT_MS = 10_000;
export const PRESENCE_TTL_MS = 30_000;

export const presenceSetPayload = z.object({ leadId, activity: z.enum(PRESENCE_ACTIVITIES) }).strict();
export const presenceClearPayload = z.object({ leadId }).strict();
export type PresenceSet = z.infer<typeof presenceSetPayload>;
export type PresenceClear = z.infer<typeof presenceClearPayload>;

export interface PresenceUser {
  id: string;
  name: string;
  activity: PresenceActivity;
  /** ISO: when this user started this activity on the lead. */
  since: string;
}
export interface PresenceUpdate {
  leadId: string;
  users: PresenceUser[];
}
export interface PresenceSnapshot {
  entries: PresenceUpdate[];
}
/** The acknowledgement of presence:set / presence:clear (when the client passes a callback). */
export type PresenceAck = { ok: true } | { ok: false; error: { code: string; message: string } };

// ---- Call queue ----

export const QUEUE_CLAIM_TTL_MS = 120_000;
export const QUEUE_RENEW_MS = 30_000;

export const queueNextBody = z
  .object({
    filter: boardFilterBody.optional(),
    sort: z.enum(BOARD_SORTS, { message: `sort is one of ${BOARD_SORTS.join(', ')}` }).optional(),
    release: leadId.optional(),
    skip: z.array(leadId).max(1000, 'at most 1000 skipped leads').optional(),
  })
  .strict();
export type QueueNextBody = z.infer<typeof queueNextBody>;

export const claimParams = z.object({ leadId });

export interface QueueClaim {
  leadId: string;
  userId: string;
  expiresAt: string;
}
export interface QueueNextReply {
  lead: Lead | null;
  claim: QueueClaim | null;
  /** Leads of the filter still free after this one (not held by anyone, not skipped). */
  remaining: number;
}
