/**
 * The team routes of the API (DESIGN.md "Working the list": owners, presence, the call queue), over the board's
 * LeadsApiClient (`send`), so they share its token, retry and error handling. The types mirror the server's replies.
 */
import type { Lead } from '../../../core/contracts.js';
import type { LeadQuery, LeadsApiClient } from './client.js';

/** A staff member of the clinic's roster (PUT /v1/team by the host); never another user's phone number. */
export interface TeamUser {
  id: string;
  name: string;
  role: 'agent' | 'admin';
  hasPhone: boolean;
}

/** GET /v1/team: the roster, and whether the signed-in user is on it. */
export interface Team {
  users: TeamUser[];
  me: { id: string; matched: boolean };
}

export type PresenceActivity = 'viewing' | 'calling';

export interface PresenceUser {
  id: string;
  name: string;
  activity: PresenceActivity;
  /** ISO time the activity started. */
  since: string;
}

/** The board filter a bulk assign or the queue works on (GET /v1/leads's query without paging). */
export type TeamFilter = Pick<LeadQuery, 'tier' | 'status' | 'q' | 'view' | 'owner' | 'appointment' | 'lostReason'>;

export interface QueueClaim {
  leadId: string;
  userId: string;
  expiresAt: string;
}

export interface QueueReply {
  lead: Lead | null;
  claim: QueueClaim | null;
  /** Leads of the filter still waiting (not held by anyone). */
  remaining: number;
}

export interface QueueNextInput {
  filter?: TeamFilter;
  sort?: string | null;
  /** The lead to give back first (the one just worked). */
  release?: string;
  /** Leads skipped in this session: never offered again. */
  skip?: string[];
}

/** Only the filter fields that are set (the server validates them strictly). */
export function compactFilter(filter: TeamFilter | LeadQuery): TeamFilter {
  const out: Record<string, unknown> = {};
  for (const key of ['tier', 'status', 'q', 'view', 'owner', 'appointment', 'lostReason'] as const) {
    const v = filter[key];
    if (v !== null && v !== undefined && v !== '' && !(key === 'q' && !String(v).trim())) out[key] = key === 'q' ? String(v).trim() : v;
  }
  return out as TeamFilter;
}

const teams = new WeakMap<LeadsApiClient, { at: number; team: Promise<Team> }>();
const TEAM_TTL_MS = 60_000;

/** GET /v1/team, shared for a minute by everything on the board (the card picker, the filter, the queue). */
export function getTeam(api: LeadsApiClient, fresh = false): Promise<Team> {
  const cached = teams.get(api);
  if (cached && !fresh && Date.now() - cached.at < TEAM_TTL_MS) return cached.team;
  const team = api.send<Team>('GET', '/v1/team');
  teams.set(api, { at: Date.now(), team });
  team.catch(() => teams.get(api)?.team === team && teams.delete(api));
  return team;
}

/** The display name of `ownerId` on the team (or the lead's own `ownerName`). */
export function ownerLabel(team: Team | null, ownerId: string | null, fallback?: string | null): string {
  if (!ownerId) return 'Unassigned';
  return team?.users.find((u) => u.id === ownerId)?.name ?? fallback ?? 'someone';
}

/** PATCH /v1/leads/:id { ownerId } (null unassigns); 400 UNKNOWN_OWNER for someone not on the team. */
export async function assignLead(api: LeadsApiClient, leadId: string, ownerId: string | null, expectedVersion?: number): Promise<Lead> {
  const body = expectedVersion === undefined ? { ownerId } : { ownerId, expectedVersion };
  const reply = await api.send<{ lead: Lead }>('PATCH', `/v1/leads/${encodeURIComponent(leadId)}`, body);
  return reply.lead;
}

/** POST /v1/leads/assign: these ids (at most 500) or every lead of `filter`; all or nothing. */
export function assignLeads(
  api: LeadsApiClient,
  input: { leadIds?: string[]; filter?: TeamFilter; ownerId: string | null },
): Promise<{ assigned: number; leadIds: string[] }> {
  const body = input.leadIds ? { leadIds: input.leadIds, ownerId: input.ownerId } : { filter: compactFilter(input.filter ?? {}), ownerId: input.ownerId };
  return api.send('POST', '/v1/leads/assign', body);
}

/** POST /v1/queue/next: releases `release`, claims the next lead of the filter nobody holds. */
export function queueNext(api: LeadsApiClient, input: QueueNextInput): Promise<QueueReply> {
  const body: Record<string, unknown> = { filter: compactFilter(input.filter ?? {}) };
  if (input.sort && input.sort !== 'score') body.sort = input.sort;
  if (input.release) body.release = input.release;
  if (input.skip?.length) body.skip = input.skip;
  return api.send('POST', '/v1/queue/next', body);
}

/** POST /v1/queue/claims/:leadId/renew (409 CLAIM_LOST when a colleague holds it now). */
export function renewClaim(api: LeadsApiClient, leadId: string): Promise<{ claim: QueueClaim }> {
  return api.send('POST', `/v1/queue/claims/${encodeURIComponent(leadId)}/renew`, {});
}

/** DELETE /v1/queue/claims/:leadId (204). */
export function releaseClaim(api: LeadsApiClient, leadId: string): Promise<void> {
  return api.send('DELETE', `/v1/queue/claims/${encodeURIComponent(leadId)}`);
}
