/**
 * Quiet hours in the recipient's time zone (telephony.md: 8:00-21:00 is the common norm; queue, don't drop).
 *
 * `nextAllowedSendTime` returns null when a text may go now, otherwise the first instant the window opens again.
 * Intl only (no tz database of our own): wall-clock times are turned into instants by asking Intl for the zone's offset,
 * which keeps it right across daylight-saving changes and midnight.
 * - The window is [start, end): 21:00 itself is already quiet.
 * - A window whose start is after its end crosses midnight (e.g. 22:00-06:00 for night shifts).
 * - start === end means no quiet hours.
 * - If the opening time does not exist on that day (a DST gap), the first instant after the gap is returned;
 *   if it exists twice (a DST overlap), the earlier one.
 */

export interface SendWindow {
  /** 'HH:MM', 24-hour. */
  start: string;
  end: string;
}

export const DEFAULT_SEND_WINDOW: SendWindow = { start: '08:00', end: '21:00' };

const MINUTE = 60_000;
const DAY = 86_400_000;

function parseHm(value: string): number {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(value);
  if (!m) throw new RangeError(`invalid time "${value}": expected HH:MM`);
  return Number(m[1]) * 60 + Number(m[2]);
}

export interface Wall {
  y: number;
  mo: number;
  d: number;
  h: number;
  mi: number;
  s: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function wallClock(ms: number, timeZone: string): Wall {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return { y: parts.year!, mo: parts.month!, d: parts.day!, h: parts.hour! % 24, mi: parts.minute!, s: parts.second! };
}

/** Offset of the zone from UTC at an instant, in ms (local = utc + offset). */
function offsetAt(ms: number, timeZone: string): number {
  const w = wallClock(ms, timeZone);
  const asUtc = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/** The instant at which the zone's wall clock shows y-mo-d hh:mm (see the module note for gaps and overlaps). */
export function instantOf(y: number, mo: number, d: number, minuteOfDay: number, timeZone: string): number {
  const guess = Date.UTC(y, mo - 1, d, Math.floor(minuteOfDay / 60), minuteOfDay % 60);
  const offsets = new Set([offsetAt(guess - DAY, timeZone), offsetAt(guess, timeZone), offsetAt(guess + DAY, timeZone)]);
  const candidates = [...offsets].map((o) => guess - o).sort((a, b) => a - b);
  const exact = candidates.filter((t) => {
    const w = wallClock(t, timeZone);
    return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi) === guess;
  });
  if (exact.length > 0) return exact[0]!;
  // In a gap: the wall time never shows. Find the transition between the candidates: the first instant whose wall clock is
  // past the target.
  let lo = candidates[0]!;
  let hi = candidates[candidates.length - 1]!;
  const wallMs = (t: number) => {
    const w = wallClock(t, timeZone);
    return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s);
  };
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (wallMs(mid) >= guess) hi = mid;
    else lo = mid;
  }
  return hi;
}

function inWindow(minute: number, start: number, end: number): boolean {
  if (start === end) return true;
  if (start < end) return minute >= start && minute < end;
  return minute >= start || minute < end;
}

/**
 * @returns null when sending is allowed at `now` in `timeZone`, else the next instant the window opens.
 * @throws RangeError for an unknown time zone or a malformed window.
 */
export function nextAllowedSendTime(now: Date, timeZone: string, window: SendWindow = DEFAULT_SEND_WINDOW): Date | null {
  const start = parseHm(window.start);
  const end = parseHm(window.end);
  const nowMs = now.getTime();
  if (!Number.isFinite(nowMs)) throw new RangeError('invalid date');
  const w = wallClock(nowMs, timeZone);
  const minute = w.h * 60 + w.mi;
  if (inWindow(minute, start, end)) return null;
  // Outside the window: it opens at `start`, today if that is still ahead on the local clock, otherwise tomorrow.
  const today = Date.UTC(w.y, w.mo - 1, w.d);
  const day = minute < start ? today : today + DAY;
  const dd = new Date(day);
  const at = instantOf(dd.getUTCFullYear(), dd.getUTCMonth() + 1, dd.getUTCDate(), start, timeZone);
  // Guard against DST oddities ever yielding a time in the past.
  return new Date(Math.max(at, Math.ceil((nowMs + 1) / MINUTE) * MINUTE));
}

/** A clinic's time zone when none was given at creation. */
export const DEFAULT_TIME_ZONE = 'America/New_York';

export function isTimeZone(zone: string | null | undefined): zone is string {
  if (!zone) return false;
  let known = zoneChecks.get(zone);
  if (known === undefined) {
    // Building a DateTimeFormat costs tens of microseconds; every board request asks about the clinic's zone.
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    if (zoneChecks.size > 1000) zoneChecks.clear();
    zoneChecks.set(zone, known);
  }
  return known;
}
const zoneChecks = new Map<string, boolean>();

/**
 * The zone quiet hours are judged in: the lead's own when it is a valid IANA zone, else the clinic's, else the default.
 * The server (sending) and the composer (its notice) both ask this.
 */
export function sendZone(leadZone: string | null | undefined, clinicZone: string | null | undefined): { zone: string; whose: "lead's" | 'clinic' } {
  if (isTimeZone(leadZone)) return { zone: leadZone, whose: "lead's" };
  if (isTimeZone(clinicZone)) return { zone: clinicZone, whose: 'clinic' };
  return { zone: DEFAULT_TIME_ZONE, whose: 'clinic' };
}
