/**
 * What is next for a lead, as the card and the detail show it: the next appointment and the next follow-up ("Tue 2:30
 * PM", clinic time; a follow-up reads overdue or today), why a lost lead was lost, and who owns the lead (owners are
 * set by the team features; nothing shows while a lead has none).
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import type { Lead } from '../../../core/contracts.js';
import { followUpDueState } from '../../../core/follow-ups.js';
import { LOST_REASON_LABELS } from '../../../core/workflow.js';
import { clinicWhen } from '../format.js';
import { calendarIcon, clockIcon } from '../components/lead-card/icons.js';

type Wrap = (cls: string, part: string, content: TemplateResult) => TemplateResult;

export function nextLinesTemplate(lead: Lead, timeZone: string | undefined, now: number, wrap: Wrap) {
  const at = (iso: string) => html`<time datetime=${iso}>${clinicWhen(iso, timeZone, now)}</time>`;
  const appt = lead.nextAppointmentAt && Date.parse(lead.nextAppointmentAt) > now ? lead.nextAppointmentAt : null;
  const fu = lead.nextFollowUpAt;
  const state = fu ? followUpDueState(fu, new Date(now), timeZone || 'UTC') : null;
  return html`${appt ? wrap('appt', 'appointment', html`${calendarIcon}<span>Appointment ${at(appt)}</span>`) : nothing}
  ${fu ? wrap(`fu fu--${state}`, 'follow-up', html`${clockIcon}<span>Follow-up${state === 'upcoming' ? '' : ` ${state}`} ${at(fu)}</span>`) : nothing}
  ${lead.leadStatus === 'lost' && lead.lostReason
    ? wrap('lost-why', 'lost-reason', html`<span>Lost: ${LOST_REASON_LABELS[lead.lostReason]}${lead.lostNote ? ` · “${lead.lostNote}”` : ''}</span>`)
    : nothing}
  ${lead.ownerName ? wrap('owner', 'owner', html`<span>Owner: ${lead.ownerName}</span>`) : nothing}`;
}

export const nextLineStyles = css`
  .fu--overdue {
    color: var(--_danger);
    font-weight: 600;
  }
  .fu--today {
    color: var(--_accent);
    font-weight: 600;
  }
  .fu--overdue svg,
  .fu--today svg {
    color: inherit;
  }
  .lost-why {
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
`;
