import type { Lead, LeadEvent, LeadStatus } from '../../../core/contracts.js';
import { crossedIntoHot } from '../../../core/tiers.js';
import { canTransition } from '../../../core/workflow.js';
import { AppError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Broadcaster, EventName, EventPayload } from '../realtime/broadcaster.js';
import type { ContactRepository, ContactSet } from './repository.js';
import type { LeadEventDoc, LeadEventRepository } from './timeline-repository.js';
import { ObjectId } from 'mongodb';

/** How long a change's own copy of its timeline entries gets before the flush job copies them instead. */
const OUTBOX_GRACE_MS = 2_000;

/** Who made a change, as the timeline shows it. */
export interface ChangeActor {
  id: string;
  name: string;
}

/** A timeline entry the change writes once the lead is saved. */
export type ChangeEvent = Pick<LeadEvent, 'type'> & Partial<Pick<LeadEvent, 'from' | 'to' | 'detail'>>;

/** What one change does to a lead, worked out from the lead as it is now (a plan runs again on every retry). */
export interface ChangePlan {
  set: ContactSet;
  /** Entries for lead_events (the status change is added by the path itself when `set.leadStatus` moves). */
  events?: ChangeEvent[];
  /** Reverting a lost lead to the status it came from: the one sanctioned move against the workflow. */
  revert?: boolean;
  /** Why the status moved, on its timeline entry ("First answered call"). */
  statusDetail?: string | null;
  /** Further realtime events to publish after lead:updated (lead:scored, ...), built from the saved lead. */
  publish?: (lead: Lead, previous: Lead) => Array<{ [E in EventName]: { event: E; payload: EventPayload<E> } }[EventName]>;
}

/** A plan returns null when there is nothing to change (then the lead is left exactly as it is). */
export type Planner = (current: Lead) => ChangePlan | null | Promise<ChangePlan | null>;

export type ChangeResult =
  | { kind: 'changed'; lead: Lead; previous: Lead }
  | { kind: 'unchanged'; lead: Lead }
  | { kind: 'stale'; lead: Lead }
  | { kind: 'not_found' };

export interface ChangeOptions {
  actor: ChangeActor;
  /**
   * What the caller saw (a person's PATCH): a mismatch is `stale` at once, with no retry, so nobody overwrites a change
   * they did not see. Without it (webhooks, jobs) the plan is re-run on the fresh lead, up to `attempts` times.
   */
  expect?: { status?: LeadStatus; version?: number };
  attempts?: number;
}

/** Raised when a system change found the lead changing under it on every attempt: logged, never dropped in silence. */
export class LeadChangeConflictError extends AppError {
  constructor(leadId: string, attempts: number) {
    super(409, 'LEAD_CHANGE_CONFLICT', `The lead kept changing while this update was saved (${attempts} attempts). Try again in a moment.`, { leadId });
  }
}

export interface LeadChangesDeps {
  contacts: ContactRepository;
  events: LeadEventRepository;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => Date;
}

/**
 * The one path every change to a lead takes: status, score, first touch, opt-out, active call, owner and contact edits.
 * Each change is a version-checked write of what the plan computed from the current lead, retried (bounded) when someone
 * else wrote in between, then its timeline entries, then `lead:updated` (and the plan's own events, and `lead:hot` when
 * the score crossed into Hot). A status move is checked against the workflow here, whoever asks for it.
 */
export class LeadChanges {
  constructor(private readonly deps: LeadChangesDeps) {}

  async apply(orgId: string, leadId: string, plan: Planner, opts: ChangeOptions): Promise<ChangeResult> {
    const attempts = opts.expect ? 1 : (opts.attempts ?? 5);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const current = await this.deps.contacts.findById(orgId, leadId);
      if (!current) return { kind: 'not_found' };
      if (opts.expect?.status && opts.expect.status !== current.leadStatus) return { kind: 'stale', lead: current };
      if (opts.expect?.version !== undefined && opts.expect.version !== current.version) return { kind: 'stale', lead: current };
      const change = await plan(current);
      if (!change) return { kind: 'unchanged', lead: current };
      const to = change.set.leadStatus;
      if (to !== undefined && to !== current.leadStatus && !change.revert && !canTransition(current.leadStatus, to)) {
        throw new AppError(422, 'INVALID_TRANSITION', `A ${current.leadStatus} lead cannot be moved to ${to}.`, { from: current.leadStatus, to });
      }
      const now = this.deps.now();
      const entries = this.entriesOf(orgId, current, change, opts.actor, now);
      // The change and its timeline entries are one atomic write (the entries wait in the lead's outbox), so a failure
      // after it can delay the timeline but never lose it: they are copied now, or by the flush job.
      const lead = await this.deps.contacts.update(orgId, leadId, { set: change.set, expect: { version: current.version }, outbox: entries }, now);
      if (!lead) {
        if (opts.expect) return { kind: 'stale', lead: (await this.deps.contacts.findById(orgId, leadId)) ?? current };
        continue;
      }
      await this.copyTimeline(orgId, leadId, entries);
      this.publish(orgId, lead, current, change);
      return { kind: 'changed', lead, previous: current };
    }
    this.deps.logger.error({ orgId, leadId, attempts, actor: opts.actor.id }, 'lead change gave up: the lead kept changing');
    throw new LeadChangeConflictError(leadId, attempts);
  }

  /** The timeline entries of a change, with their own ids (so copying them twice writes them once). */
  private entriesOf(orgId: string, current: Lead, change: ChangePlan, actor: ChangeActor, at: Date): LeadEventDoc[] {
    const entries: ChangeEvent[] = [...(change.events ?? [])];
    const to = change.set.leadStatus;
    if (to !== undefined && to !== current.leadStatus) {
      entries.push({ type: 'status_changed', from: current.leadStatus, to, detail: change.statusDetail ?? null });
    }
    return entries.map((e) => ({ _id: new ObjectId(), orgId, contactId: current.id, type: e.type, from: e.from ?? null, to: e.to ?? null, actor, detail: e.detail ?? null, at }));
  }

  /** Copies a change's entries to lead_events and out of the outbox; on a database failure the flush job does it later. */
  private async copyTimeline(orgId: string, leadId: string, entries: LeadEventDoc[]): Promise<void> {
    if (entries.length === 0) return;
    try {
      await this.deps.events.addOnce(entries);
      await this.deps.contacts.clearTimelineOutbox(orgId, leadId, entries.map((e) => e._id));
    } catch (err) {
      this.deps.logger.warn({ orgId, leadId, err: (err as Error).message }, 'timeline entries wait in the lead outbox for the flush job');
    }
  }

  /**
   * The flush job: copies timeline entries still waiting in outboxes (a failure right after their change) to lead_events.
   * Safe on every instance at once: copying is idempotent. Returns how many leads it cleared.
   */
  async flushTimelines(limit = 200): Promise<number> {
    const waiting = await this.deps.contacts.withPendingTimeline(new Date(this.deps.now().getTime() - OUTBOX_GRACE_MS), limit);
    let cleared = 0;
    for (const doc of waiting) {
      const entries = doc.timelineOutbox ?? [];
      await this.deps.events.addOnce(entries);
      await this.deps.contacts.clearTimelineOutbox(doc.orgId, doc._id, entries.map((e) => e._id));
      cleared++;
    }
    return cleared;
  }

  private publish(orgId: string, lead: Lead, previous: Lead, change: ChangePlan): void {
    this.deps.broadcaster.publish(orgId, 'lead:updated', { lead });
    for (const extra of change.publish?.(lead, previous) ?? []) this.deps.broadcaster.publish(orgId, extra.event, extra.payload as never);
    if (crossedIntoHot(previous.leadScore, lead.leadScore)) this.deps.broadcaster.publish(orgId, 'lead:hot', { lead });
  }
}
