/**
 * Status changes from any element (card buttons, the detail's status control): the cancelable request event,
 * the PATCH with the status the user saw, the result event, and the toast ("Lead marked as lost" with Undo).
 */
import type { Lead, LeadStatus } from '../../../core/contracts.js';
import { ApiError, type LeadsApiClient } from '../api/client.js';
import { emit, toast } from '../events.js';
import { statusLabel } from '../format.js';

export interface StatusActionOptions {
  /** Show the success toast (default true). */
  toast?: boolean;
}

/**
 * Change `lead` to `to`. Returns the updated lead; null when vetoed or refused (the user saw a toast).
 * On 409 STALE_LEAD it returns the server's current lead (so callers can show it) and tells the user.
 */
export async function changeLeadStatus(
  host: HTMLElement,
  api: LeadsApiClient,
  lead: Lead,
  to: LeadStatus,
  options: StatusActionOptions = {},
): Promise<Lead | null> {
  const from = lead.leadStatus;
  if (!emit(host, 'lead-status-change-request', { lead, from, to }, { cancelable: true })) return null;
  let updated: Lead;
  try {
    updated = await api.changeStatus(lead.id, { status: to, expectedStatus: from });
  } catch (err) {
    if (err instanceof ApiError && err.code === 'STALE_LEAD') {
      const current = (err.details as { lead?: Lead } | undefined)?.lead ?? null;
      toast(host, {
        variant: 'error',
        message: `${lead.name} was changed by someone else${current ? ` (now ${statusLabel(current.leadStatus)})` : ''}. Nothing was saved.`,
      });
      if (current) emit(host, 'lead-status-change', { lead: current, from, to: current.leadStatus });
      return current;
    }
    toast(host, { variant: 'error', message: err instanceof Error ? err.message : 'The status could not be changed.' });
    return null;
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
                  toast(target, { variant: 'info', message: `Lead restored to ${statusLabel(restored.leadStatus).toLowerCase()}` });
                } catch (err) {
                  toast(target, { variant: 'error', message: err instanceof Error ? err.message : 'Undo failed.' });
                }
              },
            }
          : undefined,
    });
  }
  return updated;
}
