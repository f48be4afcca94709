/**
 * The board's priority views, from the guide's "Lead Prioritization Strategy" (leads-page-guide.md, Tips): which leads
 * to call today, this week, which to nurture, and which lost leads to revisit. Pure rules, shared by the server (which
 * filters with them, index-served) and the widget (labels, and a lead's view at an instant).
 *
 * "Open" below means status new, contacted or qualified: booked leads have their appointment, converted and lost ones
 * are closed. Tiers are core/tiers.ts (Hot >= 80, Warm 50-79, Cold < 50). Times are compared with the server's clock;
 * days are the clinic's calendar days (its IANA time zone, core/clinic-time.ts).
 *
 * Call today (high priority), any one of:
 * - A. Hot and open, never contacted or last contacted MORE than 24 hours ago (exactly 24 h is not yet).
 * - B. Qualified with no upcoming appointment (none scheduled, or the last scheduled one has started).
 * - C. Warm and open, whose last inbound text was positive (the sentiment of inbound texts,
 *      server/src/scoring/sentiment.ts) and who has not been contacted since that reply.
 * - D. An open follow-up due by the end of today in the clinic's time zone, overdue ones included, whatever the status
 *      (a callback the lead asked for is such a follow-up, at the time asked).
 * This week (medium priority), unless already in Call today, any one of:
 * - E. Warm and open, never contacted or last contacted more than 7 days ago.
 * - F. Warm and open after rising from Cold ("recently upgraded"): from the moment of the upgrade. Once the week after
 *      the upgrade has passed, rule E (last contact over 7 days) holds anyway, so the lead simply stays.
 * - G. An open follow-up due within the next 7 days: before the end of the 6th local day after today.
 * Nurture (low priority, long term), unless in Call today or This week, any one of:
 * - H. Cold and open (the guide's "cold with failed attempts" and "contacted but low interest": a cold score is both).
 * - I. Lost with the reason "not ready now".
 * Revisit lost: status lost, marked lost 90 days ago or more (exactly 90 x 24 h counts), whatever the reason;
 * independent of the three priority views (a lost lead with a due revisit follow-up is also in Call today).
 *
 * How it is served: every rule above holds from some instant on until the lead is written again (a contact, a score, a
 * status, a follow-up or an appointment change). So each write stores, per priority view, the first instant the lead
 * belongs to it (`viewEntries`: the earliest of its rules' instants, null for none), and a view is a range query on
 * that instant (`callTodayFrom <= now`, ...), index-served, with no per-request computation over the leads.
 */
import type { LeadStatus } from './contracts.js';
import { tierOf } from './tiers.js';
import type { LostReason } from './workflow.js';
import { startOfLocalDay } from './clinic-time.js';

export const VIEWS = ['call_today', 'this_week', 'nurture', 'revisit_lost'] as const;
export type ViewName = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<ViewName, string> = {
  call_today: 'Call today',
  this_week: 'This week',
  nurture: 'Nurture',
  revisit_lost: 'Revisit lost',
};

export const VIEW_DESCRIPTIONS: Record<ViewName, string> = {
  call_today: 'Hot leads not contacted for over 24 hours, qualified leads without an upcoming appointment, warm leads who replied positively, and follow-ups due today.',
  this_week: 'Warm leads not contacted for over 7 days or just upgraded from cold, and follow-ups due in the next 7 days.',
  nurture: 'Cold leads, and lost leads who were not ready yet: long-term nurture.',
  revisit_lost: 'Leads marked lost 90 or more days ago.',
};

export const OPEN_STATUSES: ReadonlySet<LeadStatus> = new Set(['new', 'contacted', 'qualified']);

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Hot leads come back to Call today when the last contact is more than this old. */
export const HOT_RECONTACT_MS = 24 * HOUR;
/** Warm leads come back to This week when the last contact is more than this old. */
export const WARM_RECONTACT_MS = 7 * DAY;
/** Follow-ups are in This week when due before the end of the local day this many days after today. */
export const FOLLOW_UP_WEEK_DAYS = 6;
/** Lost leads are to be revisited this long after they were marked lost (inclusive). */
export const REVISIT_LOST_MS = 90 * DAY;

export type TextSentiment = 'positive' | 'neutral' | 'negative';

/** What the views depend on, as instants in ms (null = none). */
export interface ViewInputs {
  leadScore: number;
  leadStatus: LeadStatus;
  lastContactAt: number | null;
  /** The latest scheduled appointment (null = none scheduled). */
  lastAppointmentAt: number | null;
  lastInboundAt: number | null;
  lastInboundSentiment: TextSentiment | null;
  /** When the score last rose from Cold into Warm. */
  warmedAt: number | null;
  /** From `followUpWindows` of the earliest open follow-up. */
  followUpTodayFrom: number | null;
  followUpWeekFrom: number | null;
  lostReason: LostReason | null;
}

/** The first instant a lead belongs to each priority view (null: not by its current state, whatever the time). */
export interface ViewEntries {
  callTodayFrom: number | null;
  thisWeekFrom: number | null;
  nurtureFrom: number | null;
}

const earliest = (xs: Array<number | null>): number | null => {
  const present = xs.filter((x): x is number => x !== null);
  return present.length ? Math.min(...present) : null;
};

export function viewEntries(i: ViewInputs): ViewEntries {
  const tier = tierOf(i.leadScore);
  const open = OPEN_STATUSES.has(i.leadStatus);
  const never = i.lastContactAt === null;
  const repliedPositively =
    i.lastInboundSentiment === 'positive' && i.lastInboundAt !== null && (i.lastContactAt === null || i.lastContactAt < i.lastInboundAt);
  const callToday = [
    open && tier === 'hot' ? (never ? 0 : i.lastContactAt! + HOT_RECONTACT_MS + 1) : null,
    i.leadStatus === 'qualified' ? (i.lastAppointmentAt ?? 0) : null,
    open && tier === 'warm' && repliedPositively ? i.lastInboundAt : null,
    i.followUpTodayFrom,
  ];
  const thisWeek = [
    open && tier === 'warm' ? (never ? 0 : i.lastContactAt! + WARM_RECONTACT_MS + 1) : null,
    open && tier === 'warm' ? i.warmedAt : null,
    i.followUpWeekFrom,
  ];
  const nurture = [open && tier === 'cold' ? 0 : null, i.leadStatus === 'lost' && i.lostReason === 'not_ready' ? 0 : null];
  return { callTodayFrom: earliest(callToday), thisWeekFrom: earliest(thisWeek), nurtureFrom: earliest(nurture) };
}

/** The view entries a follow-up due at `dueAt` contributes (rules D and G), in the clinic's zone. */
export function followUpWindows(dueAt: number, timeZone: string): { todayFrom: number; weekFrom: number } {
  return { todayFrom: startOfLocalDay(dueAt, timeZone), weekFrom: startOfLocalDay(dueAt, timeZone, -FOLLOW_UP_WEEK_DAYS) };
}

/** Lost leads marked lost at or before this instant are in Revisit lost. */
export const revisitLostBefore = (now: Date): Date => new Date(now.getTime() - REVISIT_LOST_MS);

const reached = (from: number | null, now: number) => from !== null && from <= now;

/**
 * The priority view a lead is in at `now` (at most one: call_today, else this_week, else nurture), and whether it is in
 * Revisit lost; exactly what the server's filters select.
 */
export function viewsAt(
  lead: ViewEntries & { leadStatus: LeadStatus; lostAt: number | null },
  now: Date,
): ViewName[] {
  const t = now.getTime();
  const out: ViewName[] = [];
  if (reached(lead.callTodayFrom, t)) out.push('call_today');
  else if (reached(lead.thisWeekFrom, t)) out.push('this_week');
  else if (reached(lead.nurtureFrom, t)) out.push('nurture');
  if (lead.leadStatus === 'lost' && lead.lostAt !== null && lead.lostAt <= revisitLostBefore(now).getTime()) out.push('revisit_lost');
  return out;
}

export const APPOINTMENT_FILTERS = ['none', 'today'] as const;
/** none: no upcoming appointment (none scheduled, or all have started). today: one scheduled today, clinic time. */
export type AppointmentFilter = (typeof APPOINTMENT_FILTERS)[number];
