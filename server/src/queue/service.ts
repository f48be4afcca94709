import type { Filter } from 'mongodb';
import { QUEUE_CLAIM_TTL_MS, type QueueClaim, type QueueNextBody, type QueueNextReply } from '../../../core/team.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';
import { AppError, notFound } from '../http/errors.js';
import { toObjectId } from '../db/plain.js';
import { boardFilter, ownerCondition, sortOf, type ContactDoc, type ContactRepository } from '../leads/repository.js';
import type { Actor } from '../leads/service.js';
import type { ClaimDoc, ClaimRepository } from './repository.js';

export interface QueueServiceDeps {
  claims: ClaimRepository;
  contacts: ContactRepository;
  /** Leads a colleague is calling now (presence 'calling'): the queue skips them. */
  presence?: { callingLeadIds(orgId: string, exceptUserId: string): Promise<Set<string>> };
  now: () => Date;
  claimTtlMs?: number;
}

const claimOf = (c: Pick<ClaimDoc, 'leadId' | 'userId' | 'expiresAt'>): QueueClaim => ({ leadId: c.leadId, userId: c.userId, expiresAt: c.expiresAt.toISOString() });

const claimLost = (leadId: string) =>
  new AppError(409, 'CLAIM_LOST', 'A colleague has this lead open in their call queue now. Move on to the next lead.', { leadId });

/**
 * The call queue ("Start calling" on a view or filter): hands out the first lead of the board's filter, in the board's
 * order, that nobody else holds, and claims it for the coordinator until they move on (or 120 s without a renew). The
 * filter is the board's own (leads/repository.ts boardFilter and sortOf), so the queue is exactly what the board shows.
 * Skipped: leads claimed by anyone (my own earlier claims too: one lead at a time), leads a colleague is calling
 * (presence), leads on a call now (activeCallId), and the caller's `skip` list.
 */
export class QueueService {
  /** Per clinic, this instance's /next calls run one after another (see `next`). */
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: QueueServiceDeps) {}

  private get ttl(): number {
    return this.deps.claimTtlMs ?? QUEUE_CLAIM_TTL_MS;
  }

  /**
   * Hands out the next free lead. The claim itself is atomic in the database (a unique key per lead), which is what keeps
   * two coordinators apart, across instances too. Within one instance a clinic's calls also take turns: coordinators
   * asking at the same moment would otherwise all race for the same first free lead and retry down the list, which
   * costs O(n^2) writes for n callers; one after another, each claim is one write, and the order stays the board's.
   */
  next(actor: Actor, body: QueueNextBody): Promise<QueueNextReply> {
    const previous = this.turns.get(actor.orgId) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.claimNext(actor, body));
    const settled = run.catch(() => undefined);
    this.turns.set(actor.orgId, settled);
    void settled.then(() => {
      if (this.turns.get(actor.orgId) === settled) this.turns.delete(actor.orgId);
    });
    return run;
  }

  private async claimNext(actor: Actor, body: QueueNextBody): Promise<QueueNextReply> {
    const { orgId, user } = actor;
    if (body.release) await this.deps.claims.release(orgId, body.release.toLowerCase(), user.id);
    const now = this.deps.now();
    const [live, calling] = await Promise.all([this.deps.claims.live(orgId, now), this.deps.presence?.callingLeadIds(orgId, user.id) ?? new Set<string>()]);
    const excluded = new Set<string>([...live.map((c) => c.leadId), ...calling, ...(body.skip ?? []).map((id) => id.toLowerCase())]);
    const timeZone = isTimeZone(actor.org.timezone) ? actor.org.timezone : DEFAULT_TIME_ZONE;
    const base: Filter<ContactDoc> = {
      ...boardFilter(orgId, { ...body.filter, owner: ownerCondition(body.filter?.owner, user.id) }, { now, timeZone }),
      activeCallId: null,
    };
    const expiresAt = new Date(now.getTime() + this.ttl);
    // Walk the board's order (ids only) and skip the excluded in memory: cheaper than a growing $nin on every query.
    const cursor = this.deps.contacts.col.find(base, { projection: { _id: 1 } }).sort(sortOf(body.sort)).batchSize(200);
    try {
      for await (const { _id } of cursor) {
        const leadId = _id.toHexString();
        if (excluded.has(leadId)) continue;
        if (!(await this.deps.claims.claim(orgId, leadId, user, expiresAt, now))) continue; // a colleague claimed it a moment ago
        const lead = await this.deps.contacts.findById(orgId, leadId);
        if (!lead) {
          await this.deps.claims.release(orgId, leadId, user.id); // deleted in between
          continue;
        }
        excluded.add(leadId);
        const remaining = await this.remaining(base, excluded);
        return { lead, claim: { leadId, userId: user.id, expiresAt: expiresAt.toISOString() }, remaining };
      }
    } finally {
      await cursor.close();
    }
    return { lead: null, claim: null, remaining: 0 };
  }

  /** The filter's leads minus those excluded (held, being called, skipped, just claimed). */
  private async remaining(base: Filter<ContactDoc>, excluded: Set<string>): Promise<number> {
    const ids = [...excluded].map(toObjectId).filter((x) => x !== null);
    const [all, held] = await Promise.all([
      this.deps.contacts.col.countDocuments(base),
      ids.length ? this.deps.contacts.col.countDocuments({ ...base, _id: { $in: ids } }) : Promise.resolve(0),
    ]);
    return all - held;
  }

  /** Keeps the claim while the lead is open (the widget renews every 30 s); 409 CLAIM_LOST when someone else holds it. */
  async renew(actor: Actor, leadId: string): Promise<QueueClaim> {
    const { orgId, user } = actor;
    const id = leadId.toLowerCase();
    const now = this.deps.now();
    const expiresAt = new Date(now.getTime() + this.ttl);
    const renewed = await this.deps.claims.renew(orgId, id, user.id, expiresAt, now);
    if (renewed) return claimOf(renewed);
    if (!(await this.deps.contacts.findById(orgId, id))) throw notFound('This lead');
    // Not held by me any more (expired, or released): take it again unless a colleague has it now.
    if (await this.deps.claims.claim(orgId, id, user, expiresAt, now)) return { leadId: id, userId: user.id, expiresAt: expiresAt.toISOString() };
    throw claimLost(id);
  }

  async release(actor: Actor, leadId: string): Promise<void> {
    await this.deps.claims.release(actor.orgId, leadId.toLowerCase(), actor.user.id);
  }
}
