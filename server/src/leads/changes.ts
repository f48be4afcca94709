import type { Lead, LeadEvent, LeadStatus } from '../../../core/contracts.js';
import { crossedIntoHot } from '../../../core/tiers.js';
import { canTransition } from '../../../core/workflow.js';
import { AppError } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Broadcaster, EventName, EventPayload } from '../realtime/broadcaster.js';
import type { ContactRepository, ContactSet } from './repository.js';
import type { LeadEventRepository } from './timeline-repository.js';

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
      const lead = await this.deps.contacts.update(orgId, leadId, { set: change.set, expect: { version: current.version } }, now);
      if (!lead) {
        if (opts.expect) return { kind: 'stale', lead: (await this.deps.contacts.findById(orgId, leadId)) ?? current };
        continue;
      }
      await this.record(orgId, lead, current, change, opts.actor, now);
      return { kind: 'changed', lead, previous: current };
    }
    this.deps.logger.error({ orgId, leadId, attempts, actor: opts.actor.id }, 'lead change gave up: the lead kept changing');
    throw new LeadChangeConflictError(leadId, attempts);
  }

  private async record(orgId: string, lead: Lead, previous: Lead, change: ChangePlan, actor: ChangeActor, at: Date): Promise<void> {
    const entries: ChangeEvent[] = [...(change.events ?? [])];
    if (previous.leadStatus !== lead.leadStatus) {
      entries.push({ type: 'status_changed', from: previous.leadStatus, to: lead.leadStatus, detail: change.statusDetail ?? null });
    }
    for (const e of entries) {
      await this.deps.events.add(orgId, { contactId: lead.id, type: e.type, from: e.from ?? null, to: e.to ?? null, actor, detail: e.detail ?? null, at });
    }
    this.deps.broadcaster.publish(orgId, 'lead:updated', { lead });
    for (const extra of change.publish?.(lead, previous) ?? []) this.deps.broadcaster.publish(orgId, extra.event, extra.payload as never);
    if (crossedIntoHot(previous.leadScore, lead.leadScore)) this.deps.broadcaster.publish(orgId, 'lead:hot', { lead });
  }
}
