/**
 * Follow-ups: the quick choices a person picks a due time from, and how a due time reads ("overdue", "today",
 * "upcoming"), all in the clinic's time zone. Shared by the server (GET /v1/follow-ups?due=, the views) and the widget
 * (the schedule menu, card labels), so both say the same thing at the same instant.
 *
 * Quick choices (the clinic's wall clock):
 * - later_today: now + 3 hours, rounded up to the next quarter hour; offered only while that is still before 21:00 the
 *   same day (the end of the default texting window: nobody is called later than that).
 * - tomorrow_morning: 09:00 tomorrow.
 * - in_3_days: 09:00 three calendar days from today.
 * - next_week: 09:00 next Monday (on a Monday, the Monday in 7 days).
 * - custom: any time the person types (not computed here).
 *
 * Due states, for open follow-ups at `now` (disjoint, in this order):
 * - overdue: due before now.
 * - today: due from now until the end of today (local midnight).
 * - upcoming: due after today.
 */
import { atLocalTime, endOfLocalDay, localMinuteOfDay, localWeekday } from './clinic-time.js';

export const FOLLOW_UP_CHOICES = ['later_today', 'tomorrow_morning', 'in_3_days', 'next_week', 'custom'] as const;
export type FollowUpChoice = (typeof FOLLOW_UP_CHOICES)[number];

export const FOLLOW_UP_CHOICE_LABELS: Record<FollowUpChoice, string> = {
  later_today: 'Later today',
  tomorrow_morning: 'Tomorrow morning',
  in_3_days: 'In 3 days',
  next_week: 'Next week',
  custom: 'Pick a date and time',
};

/** The local time the "morning" choices use. */
export const FOLLOW_UP_MORNING = '09:00';
/** "Later today" is this far ahead (then rounded up to a quarter hour). */
export const LATER_TODAY_MS = 3 * 3_600_000;
/** "Later today" is not offered when it would fall at or after this local time. */
export const LATER_TODAY_LAST = '21:00';
const QUARTER_HOUR = 15 * 60_000;

/** The due time of a quick choice, or null when it is not offered now (later_today in the evening; custom). */
export function followUpChoiceDue(choice: FollowUpChoice, now: Date, timeZone: string): Date | null {
  const ms = now.getTime();
  switch (choice) {
    case 'later_today': {
      const at = Math.ceil((ms + LATER_TODAY_MS) / QUARTER_HOUR) * QUARTER_HOUR;
      const [h, m] = LATER_TODAY_LAST.split(':').map(Number) as [number, number];
      if (at >= endOfLocalDay(ms, timeZone) || localMinuteOfDay(at, timeZone) >= h * 60 + m) return null;
      return new Date(at);
    }
    case 'tomorrow_morning':
      return new Date(atLocalTime(ms, timeZone, 1, FOLLOW_UP_MORNING));
    case 'in_3_days':
      return new Date(atLocalTime(ms, timeZone, 3, FOLLOW_UP_MORNING));
    case 'next_week': {
      const weekday = localWeekday(ms, timeZone);
      const days = ((8 - weekday) % 7) || 7; // days until the next Monday (1)
      return new Date(atLocalTime(ms, timeZone, days, FOLLOW_UP_MORNING));
    }
    case 'custom':
      return null;
  }
}

/** The quick choices offered now, with their due times (custom last, without one). */
export function followUpQuickChoices(now: Date, timeZone: string): Array<{ choice: FollowUpChoice; label: string; dueAt: Date | null }> {
  return FOLLOW_UP_CHOICES.flatMap((choice) => {
    const dueAt = followUpChoiceDue(choice, now, timeZone);
    if (choice !== 'custom' && !dueAt) return [];
    return [{ choice, label: FOLLOW_UP_CHOICE_LABELS[choice], dueAt }];
  });
}

export const FOLLOW_UP_DUE_FILTERS = ['overdue', 'today', 'upcoming'] as const;
export type FollowUpDue = (typeof FOLLOW_UP_DUE_FILTERS)[number];

/** How an open follow-up's due time reads at `now` (see the module note). */
export function followUpDueState(dueAt: Date | string, now: Date, timeZone: string): FollowUpDue {
  const due = typeof dueAt === 'string' ? Date.parse(dueAt) : dueAt.getTime();
  if (due < now.getTime()) return 'overdue';
  return due < endOfLocalDay(now.getTime(), timeZone) ? 'today' : 'upcoming';
}

/** The dueAt range of a due filter at `now`, as [from, before) instants (null = unbounded). */
export function followUpDueRange(due: FollowUpDue, now: Date, timeZone: string): { from: Date | null; before: Date | null } {
  const endOfToday = new Date(endOfLocalDay(now.getTime(), timeZone));
  if (due === 'overdue') return { from: null, before: now };
  if (due === 'today') return { from: now, before: endOfToday };
  return { from: endOfToday, before: null };
}

/** A note is at most this long. */
export const FOLLOW_UP_NOTE_MAX = 1000;
/** "Revisit in N days" when marking lost: at most a year ahead. */
export const REVISIT_MAX_DAYS = 365;
