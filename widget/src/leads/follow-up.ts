/**
 * Scheduling a follow-up from any element (card button and F key, the detail): the "Schedule a follow-up" dialog
 * (loaded on first use), POST /v1/leads/:id/follow-ups, and the toast. The lead's `nextFollowUpAt` comes back through
 * the realtime `lead:updated`; the returned follow-up lets the caller show it at once.
 */
import type { FollowUp, Lead } from '../../../core/contracts.js';
import type { LeadsApiClient } from '../api/client.js';
import { toast } from '../events.js';
import { clinicWhen } from '../format.js';
import { openLazyDialog } from '../lazy-load.js';

export async function scheduleFollowUp(
  host: HTMLElement,
  parent: Node,
  api: LeadsApiClient,
  lead: Lead,
  timeZone: string | undefined,
): Promise<FollowUp | null> {
  const zone = timeZone || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const input = await openLazyDialog(parent, 'follow-up-dialog', { lead, timeZone: zone });
  if (!input) return null;
  try {
    const followUp = await api.scheduleFollowUp(lead.id, input);
    toast(host, { variant: 'success', message: `Follow-up scheduled for ${clinicWhen(followUp.dueAt, zone)}` });
    return followUp;
  } catch (err) {
    toast(host, { variant: 'error', message: err instanceof Error ? err.message : 'The follow-up could not be scheduled.' });
    return null;
  }
}
