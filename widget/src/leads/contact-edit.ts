/**
 * Contact edits from any element (E on a card, "Edit contact" in the detail and in the invalid-phone guide), as
 * DESIGN.md's embedding contract has them: the cancelable `lead-contact-change-request` first (a host that edits
 * contacts in its own form prevents it and opens that form), then the board's form (loaded on first use), the PATCH,
 * and `lead-contact-change` with what changed, so the host can write it back.
 */
import type { Lead } from '../../../core/contracts.js';
import type { LeadsApiClient } from '../api/client.js';
import { emit, toast } from '../events.js';
import { openLazyDialog } from '../lazy-load.js';

/** Resolves with the saved lead, or null (vetoed by the host, cancelled, or nothing changed). */
export async function editContact(host: HTMLElement, parent: Node, api: LeadsApiClient, lead: Lead, field?: 'phone'): Promise<Lead | null> {
  if (!emit(host, 'lead-contact-change-request', field ? { lead, field } : { lead }, { cancelable: true })) return null;
  const saved = await openLazyDialog(parent, 'contact-dialog', { lead, api, focusField: field ?? 'name' });
  if (!saved) return null;
  emit(host, 'lead-contact-change', { lead: saved.lead, previous: lead, changes: { ...saved.changes } });
  toast(host, { variant: 'success', message: `Contact saved: ${saved.lead.name}` });
  return saved.lead;
}
