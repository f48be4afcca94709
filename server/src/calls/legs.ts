/**
 * The legs of a call (issue 13): who is on it, in the order they joined. Pure functions of the stored legs, applied by
 * the call service as Vapi's webhooks arrive (status-update, transfer-update, end-of-call-report).
 *
 * - The first leg is the number Vapi dialled: the lead (AI agent calls) or the caller's own phone (Connect me). It
 *   follows the call's status until a transfer.
 * - A transfer (transfer-update, or a `forwarding` status with a destination) adds the leg it dials: the lead
 *   (Connect me) or the clinic's front desk (AI agent calls). A blind transfer hands the call to the phone network and
 *   Vapi leaves it, so Vapi reports nothing after it: every leg closes when Vapi's call ends (the hand-over).
 */
import type { CallLeg, CallMode, CallStatus } from '../../../core/contracts.js';
import { iso } from '../db/plain.js';

export interface CallLegDoc {
  role: CallLeg['role'];
  status: CallStatus;
  startedAt: Date | null;
  endedAt: Date | null;
}

const OPEN: CallStatus[] = ['queued', 'ringing', 'in-progress'];

export function firstLeg(mode: CallMode): CallLegDoc {
  return { role: mode === 'connect' ? 'caller' : 'lead', status: 'queued', startedAt: null, endedAt: null };
}

/** Who a transfer dials: Connect me transfers the caller to the lead; the AI agent transfers the lead to the front desk. */
export function transferRole(mode: CallMode): CallLeg['role'] {
  return mode === 'connect' ? 'lead' : 'front_desk';
}

/** The first leg follows a ringing / in-progress status (never backwards, never after a transfer). Null: no change. */
export function legsOnStatus(legs: CallLegDoc[], status: CallStatus, now: Date): CallLegDoc[] | null {
  const [first, ...rest] = legs;
  if (!first || rest.length > 0 || !OPEN.includes(first.status) || OPEN.indexOf(status) <= OPEN.indexOf(first.status)) return null;
  if (status !== 'ringing' && status !== 'in-progress') return null;
  return [{ ...first, status, startedAt: status === 'in-progress' ? now : first.startedAt }];
}

/** A transfer adds the dialled leg once; the first leg is then in progress (a transfer happens on a live call). */
export function legsOnTransfer(legs: CallLegDoc[], role: CallLeg['role'], now: Date): CallLegDoc[] | null {
  if (legs.some((l) => l.role === role)) return null;
  const next = legs.map((l, i) => (i === 0 && OPEN.includes(l.status) ? { ...l, status: 'in-progress' as const, startedAt: l.startedAt ?? now } : l));
  return [...next, { role, status: 'ringing', startedAt: now, endedAt: null }];
}

/**
 * Vapi's call ended: every open leg closes at that time. A leg that never got through (still queued or ringing when
 * the call failed or was not answered) ends as failed when the call failed, else as ended.
 */
export function legsOnEnd(legs: CallLegDoc[], end: { failed: boolean; endedAt: Date; connectedAt: Date | null }): CallLegDoc[] {
  return legs.map((l, i) => {
    if (!OPEN.includes(l.status)) return l;
    const startedAt = l.startedAt ?? (i === 0 ? end.connectedAt : null);
    const reached = l.status === 'in-progress' || (i === 0 && end.connectedAt !== null) || l.role !== legs[0]!.role;
    return { ...l, status: end.failed && !reached ? 'failed' : 'ended', startedAt, endedAt: end.endedAt };
  });
}

export const toCallLeg = (l: CallLegDoc): CallLeg => ({ role: l.role, status: l.status, startedAt: iso(l.startedAt), endedAt: iso(l.endedAt) });
