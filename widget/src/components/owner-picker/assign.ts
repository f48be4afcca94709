/**
 * Assigning owners (issue 13): the owner picker, then PATCH /v1/leads/:id { ownerId } for one lead or
 * POST /v1/leads/assign for a selection (ids, or every lead of the board's filter), and the toast that says what
 * happened ("3 leads assigned to Sam"). In the lazy chunk: the card, the detail and the board load it on first use.
 */
import type { Lead, SessionInfo } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import { assignLead, assignLeads, getTeam, type Team, type TeamFilter } from '../../api/team.js';
import { toast } from '../../events.js';
import { openLazyDialog } from '../../lazy-load.js';
import type { OwnerChoice } from './owner-picker.js';

const plural = (n: number) => `${n} lead${n === 1 ? '' : 's'}`;

/** Opens the picker (with the team, or Me / Unassigned alone when the team cannot be loaded). */
export async function pickOwner(
  parent: Node,
  api: LeadsApiClient,
  opts: { heading: string; current?: string | null; session: SessionInfo | null },
): Promise<OwnerChoice | null> {
  let team: Team | null = null;
  let note = '';
  try {
    team = await getTeam(api);
  } catch (err) {
    note = `The team could not be loaded (${err instanceof Error ? err.message : 'error'}): only you can be chosen for now.`;
  }
  const meId = team?.me.id ?? opts.session?.user.id ?? null;
  const users = team?.users ?? [];
  return openLazyDialog(parent, 'owner-picker', { heading: opts.heading, current: opts.current, users, meId, note });
}

/** The words for the toast: "Sam", "you", or "nobody". */
function whom(choice: OwnerChoice, session: SessionInfo | null): string {
  if (choice.ownerId === null) return '';
  return choice.ownerId === session?.user.id ? 'you' : choice.name;
}

/** Assign one lead from its card or detail. Resolves with the updated lead, or null (cancelled or refused: toasted). */
export async function assignOne(host: HTMLElement, parent: Node, api: LeadsApiClient, lead: Lead, session: SessionInfo | null): Promise<Lead | null> {
  const choice = await pickOwner(parent, api, { heading: `Assign ${lead.name}`, current: lead.ownerId ?? null, session });
  if (!choice || choice.ownerId === (lead.ownerId ?? null)) return null;
  try {
    const updated = await assignLead(api, lead.id, choice.ownerId);
    const to = whom(choice, session);
    toast(host, { variant: 'success', message: to ? `${lead.name} assigned to ${to}` : `${lead.name} is unassigned now` });
    return updated;
  } catch (err) {
    toast(host, { variant: 'error', message: err instanceof Error ? err.message : 'The lead could not be assigned.' });
    return null;
  }
}

/**
 * Assign a selection: `leadIds`, or (null) every lead of `filter` ("all N matching"); `count` is what the person saw.
 * Resolves with the number assigned, or null when cancelled or refused (toasted; nothing was written).
 */
export async function assignMany(
  host: EventTarget,
  parent: Node,
  api: LeadsApiClient,
  input: { leadIds: string[] | null; filter: TeamFilter; count: number; session: SessionInfo | null },
): Promise<number | null> {
  const choice = await pickOwner(parent, api, { heading: `Assign ${plural(input.count)}`, session: input.session });
  if (!choice) return null;
  try {
    const reply = await assignLeads(api, input.leadIds ? { leadIds: input.leadIds, ownerId: choice.ownerId } : { filter: input.filter, ownerId: choice.ownerId });
    const to = whom(choice, input.session);
    toast(host, { variant: 'success', message: to ? `${plural(reply.assigned)} assigned to ${to}` : `${plural(reply.assigned)} unassigned` });
    return reply.assigned;
  } catch (err) {
    toast(host, { variant: 'error', message: err instanceof Error ? err.message : 'The leads could not be assigned.' });
    return null;
  }
}
