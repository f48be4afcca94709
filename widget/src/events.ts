/**
 * The widget's DOM events, all in one map, all dispatched by `emit()`: bubbling, with a typed `detail`. The host-facing
 * ones are composed (they cross shadow roots up to the host page); the internal ones (INTERNAL_EVENTS) are not.
 *
 * Naming: no prefix. The host-facing events keep DESIGN.md's names exactly (lead-open, lead-status-change,
 * call-started, call-failed, sms-sent, hot-lead); none of the names clashes with a native event.
 * Cancelable "request" events are fired BEFORE an action the host may veto (`event.preventDefault()`), after
 * Shoelace's `sl-request-close`: lead-status-change-request, call-start-request, sms-compose-request,
 * lead-contact-change-request (then lead-contact-change once saved, DESIGN.md "Working the list").
 * `lead-open` is cancelable too: preventing it stops the board from opening its own `lead-detail`.
 */
import type { Call, FollowUp, Lead, LeadStatus, LostReason, SmsLog } from '../../core/contracts.js';
import type { LeadQuery } from './api/client.js';
import type { Campaign } from './api/campaigns.js';

export interface ApiErrorInfo {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

export interface ToastAction {
  label: string;
  /** Runs when the action button is pressed; the toast closes afterwards. */
  run: (toaster: HTMLElement) => void | Promise<void>;
}

export interface ToastOptions {
  message: string;
  variant?: 'success' | 'error' | 'info';
  action?: ToastAction;
  /** ms before it closes on its own; 0 keeps it until dismissed. Default 5000 (8000 with an action). */
  duration?: number;
  /** The dialog that raises it is closing: show it where it stays visible (the dialog underneath, or the board). */
  outlivesDialog?: boolean;
}

export interface StatusChangeDetail {
  lead: Lead;
  from: LeadStatus;
  to: LeadStatus;
  /** On a change to lost: the reason the person gave. */
  lostReason?: LostReason;
}

export interface LeadsEventMap {
  /** A lead was activated (card click, Space). Cancelable: prevent it to show your own detail. */
  'lead-open': { lead: Lead };
  /** Before a status change is sent. Cancelable. `lead` is the lead as the user saw it. */
  'lead-status-change-request': StatusChangeDetail;
  /** After the server accepted a status change (`lead` is the updated lead). Also fired for Undo. */
  'lead-status-change': StatusChangeDetail;
  /**
   * The user asked to edit a contact (E, "Edit contact"). Cancelable: a host that edits contacts in its own form
   * prevents it and opens that form; otherwise the board's form opens. `field`: what to fix first (the phone).
   */
  'lead-contact-change-request': { lead: Lead; field?: 'phone' };
  /** A contact edit was saved (`lead` as stored, `changes` the fields sent), so the host can write it back. */
  'lead-contact-change': { lead: Lead; previous: Lead; changes: Record<string, unknown> };
  /** An admin deleted the lead from the board (with its calls, texts, notes and follow-ups). */
  'lead-deleted': { leadId: string; name: string };
  /** Before an outbound call is requested. Cancelable. */
  'call-start-request': { lead: Lead };
  /** The API queued the call (202). */
  'call-started': { lead: Lead; call: Call };
  /** The API refused the call or the call failed. `error.code` e.g. OUTBOUND_AGENT_NOT_CONFIGURED. */
  'call-failed': { lead: Lead; error: ApiErrorInfo; call?: Call };
  /** The user asked to write an SMS. Cancelable; the board opens `sms-composer` unless prevented. */
  'sms-compose-request': { lead: Lead };
  /** The API accepted an SMS (202); `scheduled` when quiet hours deferred it. */
  'sms-sent': { lead: Lead | null; sms: SmsLog; scheduled: boolean };
  /** A lead crossed into Hot (realtime `lead:hot`). */
  'hot-lead': { lead: Lead };
  /** Ask the nearest `leads-toaster` (the board's) to show a toast. */
  'toast-show': ToastOptions;
  /** A dialog element (lead-detail, sms-composer, the help overlay) asks to be closed. */
  'dialog-close': { reason: 'close' | 'escape' | 'done' };
  /** The user dismissed a call-error guide. */
  'call-error-dismiss': { code: string };
  /** "Edit contact" in the invalid-phone guide. */
  'call-error-edit': { code: string };
  /** A follow-up in the detail's list was done, snoozed or deleted. */
  'follow-ups-change': { followUp: FollowUp; action: 'done' | 'snoozed' | 'deleted' };
  /** The detail refetched its lead after an action of its own (the board updates the card). */
  'lead-changed': { lead: Lead };
  /**
   * A bulk action from the selection bar (cancelable): `leadIds` the picked leads, or null for every lead matching
   * `filter` (the board's filters). The board opens the campaign composer ('text') or the owner picker ('assign').
   */
  'selection-action': { action: 'text' | 'assign'; leadIds: string[] | null; filter: LeadQuery };
  /** A campaign was started or scheduled from the campaign composer (the board opens the campaigns panel on it). */
  'campaign-started': { campaign: Campaign };
}

export type LeadsEventName = keyof LeadsEventMap;
export type LeadsEvent<K extends LeadsEventName> = CustomEvent<LeadsEventMap[K]>;

/**
 * Events between our own elements, not part of the host contract (README "Events for the host page"): they bubble
 * but are not composed, so they stay inside the shadow root they were fired in (the element that renders the
 * emitter listens on its render root or on the element itself).
 */
export const INTERNAL_EVENTS: ReadonlySet<LeadsEventName> = new Set<LeadsEventName>(['toast-show', 'dialog-close', 'call-error-dismiss', 'call-error-edit', 'follow-ups-change', 'lead-changed']);

/**
 * Dispatch one of the widget's events from `target`. Returns false when a cancelable event was prevented.
 */
export function emit<K extends LeadsEventName>(
  target: EventTarget,
  name: K,
  detail: LeadsEventMap[K],
  options: { cancelable?: boolean; composed?: boolean } = {},
): boolean {
  const event = new CustomEvent<LeadsEventMap[K]>(name, {
    bubbles: true,
    composed: options.composed ?? !INTERNAL_EVENTS.has(name),
    cancelable: options.cancelable ?? false,
    detail,
  });
  return target.dispatchEvent(event);
}

/** Show a toast through the nearest toaster (convenience over `emit(el, 'toast-show', ...)`). */
export function toast(target: EventTarget, options: ToastOptions): void {
  emit(target, 'toast-show', options);
}

declare global {
  interface HTMLElementEventMap {
    'lead-open': LeadsEvent<'lead-open'>;
    'lead-status-change-request': LeadsEvent<'lead-status-change-request'>;
    'lead-status-change': LeadsEvent<'lead-status-change'>;
    'call-start-request': LeadsEvent<'call-start-request'>;
    'call-started': LeadsEvent<'call-started'>;
    'call-failed': LeadsEvent<'call-failed'>;
    'sms-compose-request': LeadsEvent<'sms-compose-request'>;
    'sms-sent': LeadsEvent<'sms-sent'>;
    'hot-lead': LeadsEvent<'hot-lead'>;
    'toast-show': LeadsEvent<'toast-show'>;
    'dialog-close': LeadsEvent<'dialog-close'>;
    'call-error-dismiss': LeadsEvent<'call-error-dismiss'>;
    'call-error-edit': LeadsEvent<'call-error-edit'>;
    'follow-ups-change': LeadsEvent<'follow-ups-change'>;
    'lead-changed': LeadsEvent<'lead-changed'>;
    'lead-contact-change-request': LeadsEvent<'lead-contact-change-request'>;
    'lead-contact-change': LeadsEvent<'lead-contact-change'>;
    'lead-deleted': LeadsEvent<'lead-deleted'>;
    'selection-action': LeadsEvent<'selection-action'>;
    'campaign-started': LeadsEvent<'campaign-started'>;
  }
}
