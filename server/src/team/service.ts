import type { AssignmentSetting, TeamPutBody, TeamReply } from '../../../core/team.js';
import { badRequest } from '../http/errors.js';
import type { Actor } from '../leads/service.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import type { OrganizationCache } from '../orgs/service.js';
import type { RosterUser, TeamRepository } from './repository.js';

export interface TeamServiceDeps {
  team: TeamRepository;
  orgs: OrganizationRepository;
  orgCache: OrganizationCache;
  now: () => Date;
}

/**
 * The clinic's staff roster, pushed by the host CRM (PUT /v1/team, secret key), and the round-robin setting. The embed
 * token's user is matched to the roster by id; a user who is not on it still works, just unmatched. A user's phone and
 * email stay on the server (calls use the phone; the browser only learns `hasPhone`).
 */
export class TeamService {
  constructor(private readonly deps: TeamServiceDeps) {}

  async replace(orgId: string, body: TeamPutBody): Promise<TeamReply['users']> {
    const users = await this.deps.team.replace(orgId, body.users, this.deps.now());
    return users.map(publicMember);
  }

  async list(actor: Actor): Promise<TeamReply> {
    const roster = await this.deps.team.roster(actor.orgId);
    return { users: roster.map(publicMember), me: { id: actor.user.id, matched: roster.some((u) => u.id === actor.user.id) } };
  }

  /** A roster user with their phone, for server-side use only (Connect-me calls); null when not on the roster. */
  async member(orgId: string, userId: string): Promise<RosterUser | null> {
    return (await this.deps.team.roster(orgId)).find((u) => u.id === userId) ?? null;
  }

  /** The name the team sees for a user: the roster's, else the token's. */
  async displayName(orgId: string, user: { id: string; name: string }): Promise<string> {
    return (await this.member(orgId, user.id))?.name ?? user.name;
  }

  assignment(actor: Actor): AssignmentSetting {
    return actor.org.settings.assignment ?? { mode: 'none' };
  }

  /** Saves the round-robin setting; the users taking turns must be on the roster (400 UNKNOWN_OWNER names who is not). */
  async saveAssignment(actor: Actor, setting: AssignmentSetting): Promise<AssignmentSetting> {
    if (setting.userIds) {
      const roster = new Set((await this.deps.team.roster(actor.orgId)).map((u) => u.id));
      const unknown = setting.userIds.filter((id) => !roster.has(id));
      if (unknown.length) {
        throw badRequest('UNKNOWN_OWNER', `Not on this clinic's team: ${unknown.slice(0, 5).join(', ')}. Push the staff list with PUT /v1/team first.`, { field: 'userIds', userIds: unknown });
      }
    }
    const saved: AssignmentSetting = setting.userIds ? { mode: setting.mode, userIds: [...new Set(setting.userIds)] } : { mode: setting.mode };
    await this.deps.orgs.updateSettings(actor.orgId, { assignment: saved });
    this.deps.orgCache.invalidate(actor.orgId);
    return saved;
  }
}

const publicMember = (u: RosterUser) => ({ id: u.id, name: u.name, role: u.role, hasPhone: Boolean(u.phone) });
