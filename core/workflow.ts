import type { LeadStatus, Role } from './contracts.js';

/** new -> contacted -> qualified -> booked -> converted; any of the first four -> lost. Forward skips allowed. */
const ORDER: LeadStatus[] = ['new', 'contacted', 'qualified', 'booked', 'converted'];
export const TERMINAL: ReadonlySet<LeadStatus> = new Set(['converted', 'lost']);
/** How long the one who marked a lead lost can undo it. */
export const UNDO_LOST_WINDOW_MS = 10_000;

export function allowedTransitions(from: LeadStatus): LeadStatus[] {
  if (TERMINAL.has(from)) return [];
  const index = ORDER.indexOf(from);
  return [...ORDER.slice(index + 1), 'lost'];
}

export function canTransition(from: LeadStatus, to: LeadStatus): boolean {
  return allowedTransitions(from).includes(to);
}

export interface LostInfo {
  leadStatus: LeadStatus;
  lostFrom: LeadStatus | null;
  lostBy: string | null;
  lostAt: string | null;
}

/** Whether this user may take a lost lead back to the status it came from, now. */
export function revertRight(lead: LostInfo, user: { id: string; role: Role }, now: Date): 'undo' | 'admin' | null {
  if (lead.leadStatus !== 'lost' || !lead.lostFrom) return null;
  const withinUndo = lead.lostBy === user.id && lead.lostAt !== null && now.getTime() - Date.parse(lead.lostAt) <= UNDO_LOST_WINDOW_MS;
  if (withinUndo) return 'undo';
  if (user.role === 'admin') return 'admin';
  return null;
}

export const STATUS_LABELS: Record<LeadStatus, string> = {
  new: 'New',
  contacted: 'Contacted',
  qualified: 'Qualified',
  booked: 'Booked',
  converted: 'Converted',
  lost: 'Lost',
};

/**
 * The first successful touch (a call the lead answered, a text Twilio accepted) moves a new lead to contacted; any
 * other status stays as it is, so a late webhook can never move a lost, converted or booked lead.
 */
export function statusAfterTouch(current: LeadStatus): LeadStatus | null {
  return current === 'new' ? 'contacted' : null;
}

/**
 * Why a lead was lost (the guide's four, or other with a note). A person marking a lead lost gives one; `other` needs
 * a note. Kept on the lead (`lostReason`, `lostNote`) until the lead is reverted, and filterable (`lostReason=`).
 */
export const LOST_REASONS = ['price', 'competitor', 'no_response', 'not_ready', 'other'] as const;
export type LostReason = (typeof LOST_REASONS)[number];

export const LOST_REASON_LABELS: Record<LostReason, string> = {
  price: 'Price',
  competitor: 'Went to a competitor',
  no_response: 'No response after several attempts',
  not_ready: 'Not ready now',
  other: 'Other',
};

/** The revisit the Lost dialog offers ("revisit in 90 days"): a follow-up that many days ahead. */
export const DEFAULT_REVISIT_DAYS = 90;
