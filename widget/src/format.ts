/** Display formats shared by every element (English, as the seed). Pure functions; `now` is injectable for tests. */
import { STATUS_LABELS } from '../../core/workflow.js';
import type { LeadStatus, Tier } from '../../core/contracts.js';
import { TIER_TABLE, tierOf } from '../../core/tiers.js';
import { isE164 } from '../../core/phone.js';
import { optOutSourceLabel } from '../../core/opt-out.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function toDate(value: string | number | Date): Date {
  return value instanceof Date ? value : new Date(value);
}

/**
 * Last-contact time: "Never" for null, "Just now" under a minute (and for clock skew into the future),
 * "5m ago" under an hour, "2h ago" under a day, "3d ago" under 30 days, then the date ("22 Jan", or "22 Jan 2024"
 * in another year).
 */
export function relativeTime(value: string | number | Date | null | undefined, now: number | Date = Date.now()): string {
  if (value === null || value === undefined || value === '') return 'Never';
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return 'Never';
  const nowMs = now instanceof Date ? now.getTime() : now;
  const diff = nowMs - date.getTime();
  if (diff < MINUTE) return 'Just now';
  if (diff < HOUR) return `${Math.floor(diff / MINUTE)}m ago`;
  if (diff < DAY) return `${Math.floor(diff / HOUR)}h ago`;
  if (diff < 30 * DAY) return `${Math.floor(diff / DAY)}d ago`;
  const sameYear = date.getFullYear() === new Date(nowMs).getFullYear();
  return `${date.getDate()} ${MONTHS[date.getMonth()]}${sameYear ? '' : ` ${date.getFullYear()}`}`;
}

/** Call date "22 Jan, 14:30" (24-hour clock), in `timeZone` when given (IANA), else the browser's zone. */
export function callDate(value: string | number | Date | null | undefined, timeZone?: string): string {
  if (value === null || value === undefined || value === '') return '—';
  const date = toDate(value);
  if (Number.isNaN(date.getTime())) return '—';
  let day = date.getDate();
  let month = date.getMonth();
  let hour = date.getHours();
  let minute = date.getMinutes();
  if (timeZone) {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      day: 'numeric',
      month: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    }).formatToParts(date);
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    day = get('day');
    month = get('month') - 1;
    hour = get('hour') % 24;
    minute = get('minute');
  }
  return `${day} ${MONTHS[month]}, ${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

/** Call duration: "45s", "1m", "2m 45s", "1h 5m"; "—" when unknown. */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const total = Math.round(seconds);
  if (total < 60) return `${total}s`;
  if (total < 3600) {
    const m = Math.floor(total / 60);
    const s = total % 60;
    return s ? `${m}m ${s}s` : `${m}m`;
  }
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return m ? `${h}h ${m}m` : `${h}h`;
}

/**
 * Phone for display: North American E.164 numbers as "+1 (212) 555-1234", other E.164 numbers as
 * "+<digits>" grouped in threes after the first 2-3 digits is guesswork, so they stay as stored. Anything
 * that is not E.164 is shown exactly as entered.
 */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  if (nanp) return `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
  return phone;
}

/** The core's rules the elements format with (core/phone.ts, core/tiers.ts, core/opt-out.ts): one definition each. */
export { isE164, tierOf, optOutSourceLabel };
export const TIER_INFO = TIER_TABLE;

export const tierLabel = (tier: Tier): string => TIER_INFO[tier].label;
export const tierEmoji = (tier: Tier): string => TIER_INFO[tier].emoji;

/** The workflow's own labels (core/workflow.ts). */
export { STATUS_LABELS };

export const statusLabel = (status: LeadStatus): string => STATUS_LABELS[status] ?? status;

/** Score rule names for the "why is this lead hot" explanation. */
export const RULE_LABELS: Record<string, string> = {
  base: 'Base score',
  high_value_keywords: 'High-value keywords',
  medium_keywords: 'Interest keywords',
  positive_sentiment: 'Positive sentiment',
  negative_sentiment: 'Negative sentiment',
  urgency: 'Urgency',
  low_urgency: 'Low urgency',
};

export const ruleLabel = (rule: string): string => RULE_LABELS[rule] ?? rule;

/** "+10" / "-20" / "50". */
export const signedPoints = (points: number, rule?: string): string =>
  rule === 'base' ? String(points) : points > 0 ? `+${points}` : String(points);

/** Call states as the buttons show them. */
export const CALL_STATUS_LABELS: Record<string, string> = {
  queued: 'Call queued',
  ringing: 'Ringing...',
  'in-progress': 'On the call',
  ended: 'Call ended',
  failed: 'Call failed',
};

/**
 * A time in the clinic's zone as the board shows appointments and follow-ups: "Tue 2:30 PM" within 6 days of now
 * (either way), else "Mar 3 2:30 PM". `timeZone` is the clinic's IANA zone (GET /v1/session); the browser's without.
 */
export function clinicWhen(value: string | number | Date, timeZone?: string | null, now: number = Date.now()): string {
  const date = toDate(value);
  const near = Math.abs(date.getTime() - now) < 6 * DAY;
  const options: Intl.DateTimeFormatOptions = { hour: 'numeric', minute: '2-digit', ...(near ? { weekday: 'short' } : { month: 'short', day: 'numeric' }) };
  try {
    return new Intl.DateTimeFormat('en-US', { ...options, timeZone: timeZone || undefined }).format(date).replace(',', '');
  } catch {
    return new Intl.DateTimeFormat('en-US', options).format(date).replace(',', '');
  }
}
