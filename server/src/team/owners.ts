import type { Lead } from '../../../core/contracts.js';
import { ASSIGN_MAX_IDS, type AssignBody, type AssignReply, type BoardFilterBody } from '../../../core/team.js';
import { AppError, badRequest } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { ChangeActor, ChangePlan, LeadChanges } from '../leads/changes.js';
import { boardFilter, ownerCondition, sortOf, type BoardClock, type ContactRepository } from '../leads/repository.js';
import type { Actor } from '../leads/service.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';
import type { Organization } from '../orgs/repository.js';
import type { RosterUser, TeamRepository } from './repository.js';

/** The owner a change sets: a roster user, or nobody. */
export type OwnerTarget = { id: string; name: string } | null;

/** The actor named on the timeline for round-robin assignments. */
export const ROUND_ROBIN_ACTOR: ChangeActor = { id: 'system:round-robin', name: 'Round-robin' };

/** 400 UNKNOWN_OWNER unless `ownerId` is on the clinic's roster (null = unassign). */
export async function resolveOwner(team: TeamRepository, orgId: string, ownerId: string | null): Promise<OwnerTarget> {
  if (ownerId === null) return null;
  const user = (await team.roster(orgId)).find((u) => u.id === ownerId);
  if (!user) {
    throw badRequest('UNKNOWN_OWNER', `No one with the id "${ownerId}" is on this clinic's team. The host pushes its staff with PUT /v1/team; pick someone from GET /v1/team.`, {
      field: 'ownerId',
      ownerId,
    });
  }
  return { id: user.id, name: user.name };
}

/**
 * The part of a lead change that sets its owner, with its timeline entry ("Assigned to Maria by Sam"); null when the lead
 * already has that owner. The name is kept on the lead (`ownerName`) so the board shows it without the roster.
 */
export function ownerChange(current: Lead, owner: OwnerTarget, actor: ChangeActor): Pick<ChangePlan, 'set' | 'events'> | null {
  const to = owner?.id ?? null;
  if ((current.ownerId ?? null) === to && (current.ownerName ?? null) === (owner?.name ?? null)) return null;
  if ((current.ownerId ?? null) === to) return { set: { ownerName: owner?.name ?? null }, events: [] }; // a renamed roster user
  const detail = owner
    ? `Assigned to ${owner.name} by ${actor.name}${current.ownerName ? ` (was ${current.ownerName})` : ''}`
    : `Unassigned from ${current.ownerName ?? current.ownerId} by ${actor.name}`;
  return { set: { ownerId: to, ownerName: owner?.name ?? null }, events: [{ type: 'owner_changed', from: current.ownerId ?? null, to, detail }] };
}

export interface OwnerServiceDeps {
  changes: LeadChanges;
  contacts: ContactRepository;
  team: TeamRepository;
  logger: Logger;
  now: () => Date;
}

/** How many lead changes a bulk assignment runs at once (each is its own version-checked write and event). */
const ASSIGN_CONCURRENCY = 8;

/** Bulk assignment and round-robin: every owner change goes through LeadChanges, one lead at a time. */
export class OwnerService {
  constructor(private readonly deps: OwnerServiceDeps) {}

  /**
   * POST /v1/leads/assign. Listed ids are all checked first: one that is not a lead of this clinic is a 404 naming it,
   * and nothing is written. A filter assigns every lead matching it now (the board's "all N matching").
   * Agents and admins may both assign and reassign anyone's leads; the timeline records who did it.
   */
  async assign(actor: Actor, body: AssignBody): Promise<AssignReply> {
    const owner = await resolveOwner(this.deps.team, actor.orgId, body.ownerId);
    let ids: string[];
    if (body.leadIds) {
      ids = [...new Set(body.leadIds.map((id) => id.toLowerCase()))];
      const found = new Set((await this.deps.contacts.findManyByIds(actor.orgId, ids)).map((l) => l.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) {
        throw new AppError(404, 'LEAD_NOT_FOUND', `No lead ${missing[0]} in this clinic${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: nothing was assigned. Refresh the board and select again.`, {
          leadIds: missing.slice(0, ASSIGN_MAX_IDS),
        });
      }
    } else {
      ids = await this.matchingIds(actor, body.filter!);
    }
    const who = { id: actor.user.id, name: actor.user.name };
    const changed: string[] = [];
    let unchanged = 0;
    let next = 0;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        const result = await this.deps.changes.apply(actor.orgId, id, (current) => ownerChange(current, owner, who), { actor: who });
        if (result.kind === 'changed') changed.push(id);
        else unchanged++; // already this owner, or deleted meanwhile
      }
    };
    await Promise.all(Array.from({ length: Math.min(ASSIGN_CONCURRENCY, ids.length) }, worker));
    return { assigned: changed.length, leadIds: changed, unchanged };
  }

  /** The ids of every lead matching the board's filter (owner=me resolved for the actor), in board order. */
  private async matchingIds(actor: Actor, filter: BoardFilterBody): Promise<string[]> {
    const clock: BoardClock = { now: this.deps.now(), timeZone: isTimeZone(actor.org.timezone) ? actor.org.timezone : DEFAULT_TIME_ZONE };
    const query = boardFilter(actor.orgId, { ...filter, owner: ownerCondition(filter.owner, actor.user.id) }, clock);
    const docs = await this.deps.contacts.col.find(query, { projection: { _id: 1 } }).sort(sortOf(undefined)).toArray();
    return docs.map((d) => d._id.toHexString());
  }

  /**
   * Round-robin (clinic setting `assignment.mode = round_robin`): gives each new, unowned lead the next user in turn.
   * The turns are taken in one atomic increment, so instances importing at once never hand out the same turn twice.
   */
  async roundRobin(org: Organization, leads: Lead[]): Promise<Lead[]> {
    const setting = org.settings.assignment;
    const fresh = leads.filter((l) => !l.ownerId);
    if (setting?.mode !== 'round_robin' || fresh.length === 0) return leads;
    const roster = await this.deps.team.roster(org.id);
    const turns: RosterUser[] = setting.userIds ? setting.userIds.map((id) => roster.find((u) => u.id === id)).filter((u): u is RosterUser => Boolean(u)) : roster;
    if (turns.length === 0) {
      this.deps.logger.warn({ orgId: org.id }, 'round-robin is on but nobody on the roster takes turns');
      return leads;
    }
    const first = await this.deps.team.takeTurns(org.id, fresh.length);
    const out = new Map(leads.map((l) => [l.id, l]));
    for (const [i, lead] of fresh.entries()) {
      const user = turns[(first + i) % turns.length]!;
      const result = await this.deps.changes.apply(
        org.id,
        lead.id,
        // Only a lead still unowned: someone may have assigned it in between.
        (current) => (current.ownerId ? null : ownerChange(current, { id: user.id, name: user.name }, ROUND_ROBIN_ACTOR)),
        { actor: ROUND_ROBIN_ACTOR },
      );
      if (result.kind === 'changed' || result.kind === 'unchanged') out.set(lead.id, result.lead);
    }
    return leads.map((l) => out.get(l.id)!);
  }
}
