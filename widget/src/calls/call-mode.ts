/**
 * Call modes (issue 13): "AI agent calls" (the agent talks to the lead) or "Connect me" (the user's own phone rings
 * first, then the lead, who sees the clinic's number). Offered only when the session says so (`callModes` has
 * 'connect': the user has a phone on the roster or in the token). The last choice is remembered per user.
 */
import { html, nothing } from 'lit';
import type { Call, SessionInfo } from '../../../core/contracts.js';

export type CallMode = 'agent' | 'connect';

export const CALL_MODE_LABELS: Record<CallMode, string> = { agent: 'AI agent calls', connect: 'Connect me' };

const key = (userId: string) => `live-leads.call-mode.${userId}`;

/** The modes the session allows (['agent'] when the server does not say). */
export function callModesOf(session: SessionInfo | null | undefined): CallMode[] {
  const modes = (session as { callModes?: CallMode[] } | null | undefined)?.callModes;
  return modes?.includes('connect') ? ['agent', 'connect'] : ['agent'];
}

/** The user's last choice, when the session still allows it; else the AI agent. */
export function preferredMode(session: SessionInfo | null | undefined): CallMode {
  if (!session || !callModesOf(session).includes('connect')) return 'agent';
  try {
    return localStorage.getItem(key(session.user.id)) === 'connect' ? 'connect' : 'agent';
  } catch {
    return 'agent';
  }
}

export function rememberMode(session: SessionInfo | null | undefined, mode: CallMode): void {
  if (!session) return;
  try {
    localStorage.setItem(key(session.user.id), mode);
  } catch {
    /* storage off (private mode, sandboxed frame): the choice lasts for this page only */
  }
}

/**
 * The mode choice next to a call button: a small select, only when 'connect' is offered. `onChange` gets the new
 * mode (already remembered); the element re-renders from `preferredMode`.
 */
export function callModeTemplate(session: SessionInfo | null | undefined, onChange: () => void, disabled = false) {
  if (callModesOf(session).length < 2) return nothing;
  const mode = preferredMode(session);
  return html`<select
    class="call-mode"
    part="call-mode"
    aria-label="How to call"
    ?disabled=${disabled}
    @change=${(e: Event) => {
      rememberMode(session, (e.target as HTMLSelectElement).value as CallMode);
      onChange();
    }}
  >
    ${(['agent', 'connect'] as const).map((m) => html`<option value=${m} ?selected=${mode === m}>${CALL_MODE_LABELS[m]}</option>`)}
  </select>`;
}

interface Leg {
  role: 'caller' | 'lead' | 'front_desk';
  status: string;
}

/** While a Connect-me call connects: which leg it is on ("Calling your phone…", "Connecting the lead…"), else null. */
export function legText(call: Call | null): string | null {
  const c = call as (Call & { mode?: CallMode; legs?: Leg[] }) | null;
  if (!c || c.mode !== 'connect' || c.status === 'ended' || c.status === 'failed') return null;
  const legs = c.legs ?? [];
  const caller = legs.find((l) => l.role === 'caller');
  const lead = legs.find((l) => l.role === 'lead');
  const live = (s?: string) => s === 'in-progress' || s === 'answered' || s === 'connected';
  if (!caller || !live(caller.status)) return 'Calling your phone…';
  if (!lead || !live(lead.status)) return 'Connecting the lead…';
  return 'Connected';
}
