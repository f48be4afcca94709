/**
 * Calendar days in a clinic's time zone: where "today" starts and ends, the same wall-clock time a few days on. Intl only
 * (the offset arithmetic of ./quiet-hours.ts), so it is right across daylight-saving changes: a local day may be 23 or 25
 * hours long, and a day start that falls in a DST gap is the first instant after the gap.
 * Shared by the server (views, follow-ups, the appointment filter) and the widget (follow-up quick choices, due labels).
 */
import { instantOf, wallClock } from './quiet-hours.js';

export interface LocalDate {
  y: number;
  /** 1-12 */
  mo: number;
  d: number;
}

/** The civil date in `timeZone` at instant `ms`, moved by `days` calendar days. */
export function localDate(ms: number, timeZone: string, days = 0): LocalDate {
  const w = wallClock(ms, timeZone);
  const moved = new Date(Date.UTC(w.y, w.mo - 1, w.d + days));
  return { y: moved.getUTCFullYear(), mo: moved.getUTCMonth() + 1, d: moved.getUTCDate() };
}

/** The instant the local day `days` after the one containing `ms` starts (00:00 local). */
export function startOfLocalDay(ms: number, timeZone: string, days = 0): number {
  const { y, mo, d } = localDate(ms, timeZone, days);
  return instantOf(y, mo, d, 0, timeZone);
}

/** The end of the local day containing `ms`: the first instant of the next day (exclusive bound). */
export function endOfLocalDay(ms: number, timeZone: string): number {
  return startOfLocalDay(ms, timeZone, 1);
}

/** The instant the local clock shows `hh:mm` on the day `days` after the one containing `ms`. */
export function atLocalTime(ms: number, timeZone: string, days: number, hhmm: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (!m) throw new RangeError(`invalid time "${hhmm}": expected HH:MM`);
  const { y, mo, d } = localDate(ms, timeZone, days);
  return instantOf(y, mo, d, Number(m[1]) * 60 + Number(m[2]), timeZone);
}

/** Day of the week in the zone: 0 Sunday .. 6 Saturday. */
export function localWeekday(ms: number, timeZone: string): number {
  const { y, mo, d } = localDate(ms, timeZone);
  return new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
}

/** Minutes past local midnight at `ms`. */
export function localMinuteOfDay(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  return w.h * 60 + w.mi;
}

/** [start, end) of the local day containing `now`. */
export function localDayBounds(now: Date | number, timeZone: string): { start: Date; end: Date } {
  const ms = typeof now === 'number' ? now : now.getTime();
  return { start: new Date(startOfLocalDay(ms, timeZone)), end: new Date(endOfLocalDay(ms, timeZone)) };
}
