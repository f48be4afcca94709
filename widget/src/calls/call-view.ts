import { html, nothing } from 'lit';
import type { Lead } from '../../../core/contracts.js';
import { CALL_STATUS_LABELS, duration } from '../format.js';
import type { CallController } from './call-controller.js';
import { loadLazy } from '../lazy-load.js';

/** The live call state under a Call Back / Call Now button (lead-card and lead-detail show the same line). */
export function callStateTemplate(calls: CallController) {
  const { phase, call } = calls;
  if (phase === 'idle' || phase === 'starting' || phase === 'failed') return nothing;
  const label = CALL_STATUS_LABELS[phase] ?? phase;
  const extra = phase === 'ended' && call?.durationSec != null ? ` · ${duration(call.durationSec)}` : '';
  return html`<p class="call-state" role="status">
    ${phase === 'in-progress' ? html`<span class="live-dot" aria-hidden="true"></span>` : nothing}${label}${extra}
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
