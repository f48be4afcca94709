/**
 * Status changes from any element (card buttons, the detail's status control): the cancelable request event,
 * the PATCH with the status the user saw, the result event, and the toast ("Lead marked as lost" with Undo).
 */
import type { Lead, LeadStatus } from '../../../core/contracts.js';
import { ApiError, type LeadsApiClient } from '../api/client.js';
import { emit, toast, type ApiErrorInfo, type ToastOptions } from '../events.js';
import { statusLabel } from '../format.js';
import type { LostChoice } from '../dialogs/lost-reason-dialog.js';

export interface StatusActionOptions {
  /** Show the success toast (default true). */
  toast?: boolean;
  /** With `to === 'lost'`: the reason (and note, revisit) from the Lost dialog (askLostReason). */
  lost?: LostChoice | null;
}

/**
 * What became of a status change:
 * - `changed`: the server accepted it (`lead` is the updated lead); `lead-status-change` was fired.
 * - `stale`: 409 STALE_LEAD, someone else changed the lead first; `lead` is the lead as it is now. Nothing was saved.
 * - `refused`: the API refused it (or the request failed); `error` says why.
 * - `vetoed`: a listener prevented `lead-status-change-request`; nothing was sent.
 * Only `changed` fires `lead-status-change`.
 */
export type StatusChangeResult =
  | { kind: 'changed'; lead: Lead }
  | { kind: 'stale'; lead: Lead | null; error: ApiErrorInfo }
  | { kind: 'refused'; error: ApiErrorInfo }
  | { kind: 'vetoed' };

function errorInfo(err: unknown, fallback: string): ApiErrorInfo {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  return { status: 0, code: 'NETWORK_ERROR', message: err instanceof Error ? err.message : fallback };
}

/** Show a toast from `host`, or straight in `toaster` once `host` is gone (a card removed after Lost). */
function toastFrom(host: HTMLElement, toaster: HTMLElement, options: ToastOptions): void {
  if (host.isConnected) return toast(host, options);
  const own = toaster as HTMLElement & { show?: (o: ToastOptions) => unknown };
  if (typeof own.show === 'function') own.show(options);
  else toast(toaster, options);
}

/** Change `lead` to `to`. The user is told about stale and refused changes with an error toast. */
export async function changeLeadStatus(
  host: HTMLElement,
  api: LeadsApiClient,
  lead: Lead,
  to: LeadStatus,
  options: StatusActionOptions = {},
): Promise<StatusChangeResult> {
  const from = lead.leadStatus;
  const lost = to === 'lost' ? options.lost ?? undefined : undefined;
  const request = lost ? { lead, from, to, lostReason: lost.lostReason } : { lead, from, to };
  if (!emit(host, 'lead-status-change-request', request, { cancelable: true })) return { kind: 'vetoed' };
  let updated: Lead;
  try {
    updated = await api.changeStatus(lead.id, { status: to, expectedStatus: from, ...lost });
  } catch (err) {
    const error = errorInfo(err, 'The status could not be changed.');
    if (err instanceof ApiError && err.code === 'STALE_LEAD') {
      const current = (err.details as { lead?: Lead } | undefined)?.lead ?? null;
      toast(host, {
        variant: 'error',
        message: `${lead.name} was changed by someone else${current ? ` (now ${statusLabel(current.leadStatus)})` : ''}. Nothing was saved.`,
      });
      return { kind: 'stale', lead: current, error };
    }
    toast(host, { variant: 'error', message: error.message });
    return { kind: 'refused', error };
  }
  emit(host, 'lead-status-change', { lead: updated, from, to });
  if (options.toast !== false) {
    toast(host, {
      variant: 'success',
      message: `Lead marked as ${statusLabel(to).toLowerCase()}`,
      action:
        to === 'lost'
          ? {
              label: 'Undo',
              run: async (toaster) => {
                const target = host.isConnected ? host : toaster;
                try {
                  const restored = await api.revert(lead.id);
                  emit(target, 'lead-status-change', { lead: restored, from: 'lost', to: restored.leadStatus });
                  toastFrom(host, toaster, { variant: 'info', message: `Lead restored to ${statusLabel(restored.leadStatus).toLowerCase()}` });
                } catch (err) {
                  toastFrom(host, toaster, { variant: 'error', message: err instanceof Error ? err.message : 'Undo failed.' });
                }
              },
            }
          : undefined,
    });
  }
  return { kind: 'changed', lead: updated };
}
