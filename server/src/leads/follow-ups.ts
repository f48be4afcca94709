/**
 * Follow-ups: dated to-dos on a lead (DESIGN.md: Working the list). Scheduling, done, snooze (a new due time), note
 * edits and deletes are recorded on the lead's timeline and keep the lead's denormalised `nextFollowUpAt` (its earliest
 * open follow-up, with the sort rank and the view windows of core/views.ts) current, through the one lead-change path.
 *
 * Due reminders: `remindDue` (run by the background jobs, server/src/main.ts) claims each due follow-up with one atomic
 * findOneAndUpdate on `remindedAt` (null -> now, `claimedBy` = this instance), so across instances and restarts each
 * reminder is pushed exactly once, at the first job run at or after its due time; one missed while every instance was
 * down goes out at the next start. A snooze or a new due time clears the claim, so the reminder comes again then. The
 * reminder is `follow-up:due { followUp, lead }` to the clinic's room (owners arrive with issue 13).
 */
import { randomBytes } from 'node:crypto';
import type { FollowUp, Lead } from '../../../core/contracts.js';
import { DETAIL_LIMITS } from '../../../core/board.js';
import { followUpDueRange } from '../../../core/follow-ups.js';
import { followUpWindows } from '../../../core/views.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';
import { badRequest, notFound } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { ChangeActor, ChangeEvent, LeadChanges } from './changes.js';
import type { ContactRepository, ContactSet } from './repository.js';
import type { FollowUpRepository } from './follow-up-repository.js';
import type { FollowUpListQuery } from '../../../core/requests.js';
import type { Actor } from './service.js';

export interface FollowUpServiceDeps {
  followUps: FollowUpRepository;
  contacts: ContactRepository;
  changes: LeadChanges;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => Date;
  /** Names this instance in `claimedBy` (diagnostics: which instance pushed a reminder). */
  instanceId?: string;
}

/** A due time may be at most this far in the past (a person picking "now" while the request travels). */
const PAST_GRACE_MS = 5 * 60_000;

const ref = (actor: Actor): ChangeActor => ({ id: actor.user.id, name: actor.user.name });

/** "Tue, Nov 25, 9:00 AM" in the clinic's zone, for timeline entries. */
export function formatDue(at: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' }).format(
    typeof at === 'string' ? new Date(at) : at,
  );
}

export class FollowUpService {
  readonly instanceId: string;
  constructor(private readonly deps: FollowUpServiceDeps) {
    this.instanceId = deps.instanceId ?? `api-${process.pid}-${randomBytes(3).toString('hex')}`;
  }

  private zone(actorOrZone: Actor | string | null | undefined): string {
    const zone = typeof actorOrZone === 'string' ? actorOrZone : actorOrZone?.org.timezone;
    return isTimeZone(zone) ? zone : DEFAULT_TIME_ZONE;
  }

  private checkDue(dueAt: Date): void {
    if (dueAt.getTime() < this.deps.now().getTime() - PAST_GRACE_MS) {
      throw badRequest('DUE_IN_PAST', 'A follow-up is due in the future: pick a later time.', { dueAt: dueAt.toISOString() });
    }
  }

  /** Schedules a follow-up on a lead of the actor's clinic (404 for another clinic's lead). */
  async schedule(actor: Actor, leadId: string, input: { dueAt: string | Date; note?: string | null }, source: FollowUp['source'] = 'manual'): Promise<FollowUp> {
    const dueAt = new Date(input.dueAt);
    if (source === 'manual') this.checkDue(dueAt);
    return this.scheduleAs(actor.orgId, leadId, { dueAt, note: input.note }, source, ref(actor), this.zone(actor));
  }

  /**
   * Schedules a follow-up in the name of someone other than a signed-in user (the AI agent's callback from a call), in
   * the clinic's time zone; no check on the due time (a callback asked for a time already past is due now).
   */
  async scheduleAs(
    orgId: string,
    leadId: string,
    input: { dueAt: Date; note?: string | null },
    source: FollowUp['source'],
    by: ChangeActor,
    timeZone: string | null | undefined,
  ): Promise<FollowUp> {
    const lead = await this.deps.contacts.findById(orgId, leadId);
    if (!lead) throw notFound('This lead');
    const followUp = await this.deps.followUps.insert(
      orgId,
      { contactId: lead.id, dueAt: input.dueAt, note: input.note?.trim() || null, source, createdBy: by },
      this.deps.now(),
    );
    const zone = this.zone(timeZone);
    const kind = source === 'lost_revisit' ? 'Revisit' : source === 'callback' ? 'Callback' : 'Follow-up';
    await this.sync(orgId, lead.id, zone, by, [
      { type: 'follow_up_scheduled', to: followUp.dueAt, detail: `${kind} ${formatDue(input.dueAt, zone)}${followUp.note ? `: ${followUp.note}` : ''}` },
    ]);
    return followUp;
  }

  /** Done (or reopened), snoozed to a new due time, or its note edited. */
  async update(actor: Actor, id: string, change: { done?: boolean; dueAt?: string; note?: string | null }): Promise<FollowUp> {
    const current = await this.deps.followUps.findById(actor.orgId, id);
    if (!current) throw notFound('This follow-up');
    const now = this.deps.now();
    const zone = this.zone(actor);
    const set: Parameters<FollowUpRepository['update']>[2] = {};
    const events: ChangeEvent[] = [];
    if (change.note !== undefined) set.note = change.note?.trim() || null;
    if (change.dueAt !== undefined && Date.parse(change.dueAt) !== Date.parse(current.dueAt)) {
      const dueAt = new Date(change.dueAt);
      this.checkDue(dueAt);
      Object.assign(set, { dueAt, remindedAt: null, claimedBy: null });
      events.push({ type: 'follow_up_snoozed', from: current.dueAt, to: dueAt.toISOString(), detail: `Follow-up moved to ${formatDue(dueAt, zone)}` });
    }
    if (change.done === true && current.status !== 'done') {
      Object.assign(set, { status: 'done', doneAt: now, doneBy: ref(actor) });
      events.push({ type: 'follow_up_done', to: 'done', detail: `Follow-up of ${formatDue(current.dueAt, zone)} done${current.note ? `: ${current.note}` : ''}` });
    } else if (change.done === false && current.status === 'done') {
      Object.assign(set, { status: 'open', doneAt: null, doneBy: null });
      events.push({ type: 'follow_up_scheduled', to: current.dueAt, detail: `Follow-up ${formatDue(set.dueAt ?? current.dueAt, zone)} reopened` });
    }
    const updated = await this.deps.followUps.update(actor.orgId, id, set, now);
    if (!updated) throw notFound('This follow-up');
    await this.sync(actor.orgId, updated.contactId, zone, ref(actor), events);
    return updated;
  }

  async delete(actor: Actor, id: string): Promise<void> {
    const deleted = await this.deps.followUps.delete(actor.orgId, id);
    if (!deleted) throw notFound('This follow-up');
    const zone = this.zone(actor);
    await this.sync(actor.orgId, deleted.contactId, zone, ref(actor), [
      { type: 'follow_up_deleted', from: deleted.dueAt, detail: `Follow-up of ${formatDue(deleted.dueAt, zone)} removed` },
    ]);
  }

  /** The clinic's open follow-ups, earliest first, each with its lead: all, or due overdue / today / upcoming. */
  async list(actor: Actor, q: FollowUpListQuery): Promise<{ items: Array<{ followUp: FollowUp; lead: Lead }> }> {
    const range = q.due ? followUpDueRange(q.due, this.deps.now(), this.zone(actor)) : { from: null, before: null };
    const followUps = await this.deps.followUps.openDue(actor.orgId, range, q.limit, q.leadId);
    const leads = new Map((await this.deps.contacts.findManyByIds(actor.orgId, [...new Set(followUps.map((f) => f.contactId))])).map((l) => [l.id, l]));
    return { items: followUps.flatMap((followUp) => (leads.has(followUp.contactId) ? [{ followUp, lead: leads.get(followUp.contactId)! }] : [])) };
  }

  openForLead(orgId: string, leadId: string): Promise<FollowUp[]> {
    return this.deps.followUps.openForLead(orgId, leadId, DETAIL_LIMITS.followUps);
  }

  /**
   * Re-reads the lead's earliest open follow-up and stores it on the lead (due time, id, sort rank, view windows), with
   * the timeline entries of what happened, through the one lead-change path (re-planned on the fresh lead if it moved).
   */
  async sync(orgId: string, leadId: string, timeZone: string, actor: ChangeActor, events: ChangeEvent[]): Promise<void> {
    await this.deps.changes.apply(
      orgId,
      leadId,
      async (current) => {
        const next = await this.deps.followUps.nextOpen(orgId, leadId);
        const due = next ? new Date(next.dueAt) : null;
        const windows = due ? followUpWindows(due.getTime(), timeZone) : null;
        const set: ContactSet = {
          nextFollowUpAt: due,
          nextFollowUpId: next?.id ?? null,
          followUpRank: due ? -due.getTime() : null,
          followUpTodayFrom: windows ? new Date(windows.todayFrom) : null,
          followUpWeekFrom: windows ? new Date(windows.weekFrom) : null,
        };
        const unchanged = current.nextFollowUpAt === (due?.toISOString() ?? null) && current.nextFollowUpId === (next?.id ?? null);
        if (unchanged && events.length === 0) return null;
        return { set, events };
      },
      { actor },
    );
  }

  /**
   * Pushes the due reminders: claims due follow-ups one at a time (each exactly once across instances) and publishes
   * `follow-up:due` to the clinic. Returns how many were pushed.
   */
  async remindDue(limit = 100): Promise<number> {
    let pushed = 0;
    for (let i = 0; i < limit; i++) {
      const claimed = await this.deps.followUps.claimDue(this.deps.now(), this.instanceId);
      if (!claimed) break;
      const { orgId, ...followUp } = claimed;
      const lead = await this.deps.contacts.findById(orgId, followUp.contactId);
      if (!lead) continue;
      this.deps.broadcaster.publish(orgId, 'follow-up:due', { followUp, lead });
      pushed++;
    }
    if (pushed) this.deps.logger.info({ pushed, instance: this.instanceId }, 'follow-up reminders pushed');
    return pushed;
  }
}
