import { css, html, nothing } from 'lit';
import type { Call, CallIntent, CallOutcome, Lead } from '../../../core/contracts.js';
import { CALL_STATUS_LABELS, clinicWhen, duration } from '../format.js';
import type { CallController } from './call-controller.js';
import { loadLazy } from '../lazy-load.js';
import { phoneIcon } from '../components/lead-card/icons.js';

/** The call-state line's own styles, shared by the card and the detail (each styles its colours by state). */
export const callStateStyles = css`
  .call-state {
    flex-wrap: wrap;
  }
  .call-state.last {
    color: var(--_muted);
    font-weight: 500;
  }
  .call-state svg {
    width: 1em;
    height: 1em;
    flex: none;
  }
  .call-state .suggest {
    color: var(--_danger);
    padding: 0 0.5em;
  }
`;

const OUTCOME_LABELS: Record<CallOutcome, string> = {
  answered: 'Answered',
  voicemail: 'Voicemail',
  no_answer: 'No answer',
  busy: 'Busy',
  failed: 'Call failed',
};

/**
 * How an ended call went, in a few words: what the lead wanted when they spoke ("Booked on the call", "Asked for a
 * callback Tue 3 PM" in the clinic's zone, "Not interested"), else how it ended ("Voicemail", "No answer", "Busy").
 * Null for an answered call with nothing actionable (or no outcome yet).
 */
export function callOutcomeText(
  c: { outcome?: CallOutcome | null; intent?: CallIntent | null; requestedAt?: string | null },
  timeZone?: string | null,
  now?: number,
): string | null {
  switch (c.intent) {
    case 'booked':
      return 'Booked on the call';
    case 'callback_requested':
      return `Asked for a callback${c.requestedAt ? ` ${clinicWhen(c.requestedAt, timeZone, now)}` : ''}`;
    case 'not_interested':
      return 'Not interested';
    case 'needs_info':
      return 'Wants more information';
  }
  return c.outcome && c.outcome !== 'answered' ? OUTCOME_LABELS[c.outcome] : null;
}

/** What the outcome line needs besides the live call: the lead, the clinic's zone, its latest call (detail), Mark lost. */
export interface OutcomeContext {
  lead: Lead;
  timeZone?: string | null;
  /** The latest call as loaded (the detail has it, with its intent); the card knows only `lead.lastCallOutcome`. */
  latest?: Call | null;
  /** Opens "Why was this lead lost?" (the suggestion after "Not interested"; never automatic). */
  onMarkLost?: () => void;
}

/**
 * The call state under a Call Back / Call Now button (lead-card and lead-detail show the same line): live states, then
 * how the call ended ("Voicemail · 10s", "Booked on the call · 2m 45s"); with no call followed here, the last call's
 * outcome ("Last call: No answer"). "Not interested" offers "Mark lost?", which only opens the Lost dialog.
 */
export function callStateTemplate(calls: CallController, o?: OutcomeContext) {
  const { phase, call } = calls;
  if (phase === 'starting' || phase === 'failed') return nothing;
  const lead = o?.lead;
  const suggest = (c: { intent?: CallIntent | null } | null | undefined) =>
    c?.intent === 'not_interested' && o?.onMarkLost && lead && lead.leadStatus !== 'lost' && lead.leadStatus !== 'converted'
      ? html` — <button class="btn btn--ghost suggest" part="suggest-lost" @click=${o.onMarkLost}>Mark lost?</button>`
      : nothing;
  if (phase === 'idle') {
    if (!lead) return nothing;
    const c = o.latest?.outcome ? o.latest : null;
    const outcome = c?.outcome ?? lead.lastCallOutcome;
    if (!outcome) return nothing;
    const text = callOutcomeText(c ?? { outcome }, o.timeZone) ?? OUTCOME_LABELS[outcome];
    return html`<p class="call-state last" part="call-outcome">${phoneIcon}<span>Last call: ${text}${suggest(c)}</span></p>`;
  }
  const outcome = phase === 'ended' && call ? callOutcomeText(call, o?.timeZone) : null;
  const label = outcome ?? CALL_STATUS_LABELS[phase] ?? phase;
  const extra = phase === 'ended' && call?.durationSec != null ? ` · ${duration(call.durationSec)}` : '';
  return html`<p class="call-state" role="status">
    ${phase === 'in-progress' ? html`<span class="live-dot" aria-hidden="true"></span>` : nothing}${label}${extra}${phase === 'ended' ? suggest(call) : nothing}
  </p>`;
}

/** The step-by-step guide for a refused call, with its part names exported for the host (upgraded once loaded). */
export function callGuideTemplate(calls: CallController, lead: Lead, headingLevel: 3 | 4, onEdit?: () => void) {
  const error = calls.error;
  if (!error) return nothing;
  void loadLazy();
  return html`<call-error-guide
    part="guide"
    exportparts="base: guide-base, settings-link: guide-settings-link, edit-contact: guide-edit-contact"
    .code=${error.code}
    .message=${error.message}
    .phone=${lead.phone}
    heading-level=${headingLevel}
    .editable=${!!onEdit}
    @call-error-dismiss=${() => calls.dismissError()}
    @call-error-edit=${() => onEdit?.()}
  ></call-error-guide>`;
}
