/**
 * Asking why a lead was lost before marking it (the server refuses a Lost without a reason: LOST_REASON_REQUIRED).
 * The dialog is loaded on first use (lazy.ts, a separate chunk of the script-tag build, see README.md "Script tag").
 */
import type { Lead } from '../../../core/contracts.js';
import type { LostChoice } from '../dialogs/lost-reason-dialog.js';
import { openLazyDialog } from '../lazy-load.js';

export type { LostChoice };

/**
 * Opens "Why was this lead lost?" inside `parent` (a shadow root or an element in one, so the board's theme and contexts
 * reach it) and resolves with the choice, or null when the person cancels (nothing is sent then).
 */
export function askLostReason(parent: Node, lead: Lead, timeZone?: string | null): Promise<LostChoice | null> {
  return openLazyDialog(parent, 'lost-reason-dialog', { lead, timeZone: timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone });
}
