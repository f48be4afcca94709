import { css } from 'lit';

export const styles = css`
  :host {
    --_modal-width: var(--leads-detail-width, 920px);
    --_section-gap: 18px;
    --_appt-scheduled: var(--leads-appointment-scheduled, var(--_accent));
    --_appt-completed: var(--leads-appointment-completed, var(--_success));
    --_appt-cancelled: var(--leads-appointment-cancelled, var(--_danger));
  }
  dialog {
    height: min(860px, calc(100dvh - 48px));
  }
  .badges {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
  }
  .contact {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 18px;
    align-items: center;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .contact li {
    display: flex;
    align-items: center;
    gap: 6px;
    min-width: 0;
  }
  .contact svg {
    width: 1em;
    height: 1em;
    flex: none;
    color: var(--_muted);
  }
  .contact a {
    color: var(--_accent);
    font-weight: 600;
    text-decoration: none;
    font-variant-numeric: tabular-nums;
    display: inline-flex;
    align-items: center;
    min-height: var(--_touch);
    overflow-wrap: anywhere;
  }
  .contact a:hover {
    text-decoration: underline;
  }
  .contact .invalid a {
    color: var(--_danger);
  }
  .muted {
    color: var(--_muted);
  }
  .modal-body {
    display: grid;
    grid-template-columns: minmax(0, 1fr);
    gap: var(--_section-gap);
    align-content: start;
  }
  @media (min-width: 820px) {
    .columns {
      display: grid;
      grid-template-columns: minmax(0, 5fr) minmax(0, 6fr);
      gap: var(--_section-gap) 28px;
      align-items: start;
    }
  }
  .columns {
    display: grid;
    gap: var(--_section-gap);
  }
  .column {
    display: grid;
    gap: var(--_section-gap);
    align-content: start;
    min-width: 0;
  }
  section {
    min-width: 0;
  }
  h3 {
    margin: 0 0 8px;
    font-size: 0.8em;
    font-weight: 750;
    letter-spacing: 0.06em;
    text-transform: uppercase;
    color: var(--_muted);
  }
  ul.plain,
  ol.plain {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  .tag {
    padding: 2px 10px;
    border-radius: 999px;
    background: var(--_surface-alt);
    border: 1px solid var(--_border);
    font-size: 0.9em;
  }
  /* Status control */
  .status-row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  .status-row .label {
    color: var(--_muted);
    font-size: 0.9em;
  }
  .transitions {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    margin-top: 8px;
  }
  .transitions .btn {
    font-weight: 600;
  }
  .status-message {
    margin-top: 10px;
  }
  /* Score explanation */
  .rules {
    display: grid;
    gap: 8px;
  }
  /* Calls */
  .call {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    padding: 10px 12px;
    display: grid;
    gap: 6px;
  }
  .call + .call {
    margin-top: 8px;
  }
  .call-meta {
    display: flex;
    flex-wrap: wrap;
    gap: 4px 12px;
    align-items: baseline;
    font-weight: 600;
    font-variant-numeric: tabular-nums;
  }
  .call-meta .muted {
    font-weight: 400;
  }
  .snippet {
    margin: 0;
    color: var(--_muted);
    overflow-wrap: anywhere;
  }
  .transcript-toggle {
    justify-self: start;
    min-height: var(--_touch);
    padding: 0 0.6em;
    margin-inline-start: -0.6em;
    color: var(--_accent);
  }
  .transcript {
    display: grid;
    gap: 8px;
    margin: 0;
    padding: 10px;
    list-style: none;
    background: var(--_surface-alt);
    border-radius: calc(var(--_radius) * 0.8);
    max-height: 320px;
    overflow: auto;
  }
  .transcript.plain-text {
    display: block;
    white-space: pre-wrap;
  }
  .msg {
    display: grid;
    gap: 1px;
    max-width: 88%;
  }
  .msg .speaker {
    font-size: 0.78em;
    font-weight: 700;
    color: var(--_muted);
    text-transform: uppercase;
    letter-spacing: 0.04em;
  }
  .msg .text {
    padding: 6px 10px;
    border-radius: 12px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    overflow-wrap: anywhere;
  }
  .msg--lead {
    justify-self: end;
    text-align: end;
  }
  .msg--lead .text {
    background: var(--_cold-bg);
    color: var(--_cold-fg);
    border-color: transparent;
    text-align: start;
  }
  .msg--system {
    justify-self: center;
    max-width: 100%;
    font-style: italic;
  }
  .call-state {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 0;
    font-weight: 600;
    color: var(--_accent);
  }
  .live-dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_success);
  }
  .call-meta .outcome {
    font-weight: 600;
  }
  /* Appointments */
  .appt {
    display: flex;
    flex-wrap: wrap;
    justify-content: space-between;
    align-items: center;
    gap: 4px 10px;
    padding: 8px 0;
    border-bottom: 1px solid var(--_border);
  }
  .appt:last-child {
    border-bottom: 0;
  }
  .appt-status {
    display: inline-flex;
    align-items: center;
    gap: 6px;
    font-weight: 700;
    font-size: 0.85em;
    padding: 1px 10px;
    border-radius: 999px;
    border: 1px solid currentColor;
  }
  .appt-status::before {
    content: '';
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: currentColor;
  }
  .appt-status--scheduled {
    color: var(--_appt-scheduled);
  }
  .appt-status--completed {
    color: var(--_appt-completed);
  }
  .appt-status--cancelled {
    color: var(--_appt-cancelled);
  }
  .appt--cancelled .appt-what {
    text-decoration: line-through;
    color: var(--_muted);
  }
  /* Notes */
  .note-form {
    display: grid;
    gap: 6px;
    margin-bottom: 10px;
  }
  .note-form label {
    font-weight: 600;
    font-size: 0.9em;
  }
  textarea {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    padding: 8px 10px;
    min-height: 64px;
    resize: vertical;
    width: 100%;
  }
  textarea:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 0;
  }
  .note-form .row {
    display: flex;
    gap: 8px;
    align-items: center;
    justify-content: space-between;
    flex-wrap: wrap;
  }
  .note {
    padding: 8px 0;
    border-bottom: 1px solid var(--_border);
  }
  .note:last-child {
    border-bottom: 0;
  }
  .note p {
    margin: 0;
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .note .by {
    font-size: 0.85em;
    color: var(--_muted);
    margin-top: 2px;
  }
  .note.pending {
    opacity: 0.7;
  }
  .error-text {
    color: var(--_danger);
    margin: 0;
  }
  /* Timeline */
  ol.timeline {
    position: relative;
    display: grid;
    gap: 10px;
    padding-inline-start: 20px;
  }
  .timeline::before {
    content: '';
    position: absolute;
    inset-block: 4px;
    inset-inline-start: 5px;
    width: 2px;
    background: var(--_border);
  }
  .event {
    position: relative;
    display: grid;
    gap: 1px;
  }
  .event::before {
    content: '';
    position: absolute;
    inset-inline-start: -19px;
    top: 0.4em;
    width: 10px;
    height: 10px;
    border-radius: 50%;
    background: var(--_surface);
    border: 2px solid var(--_muted);
  }
  .event--status_changed::before {
    border-color: var(--_accent);
  }
  .event--opted_out::before,
  .event--opt_out_request::before {
    border-color: var(--_danger);
  }
  .event--call::before,
  .event--sms::before,
  .event--sms_inbound::before {
    border-color: var(--_success);
  }
  .event .what {
    font-weight: 600;
    overflow-wrap: anywhere;
  }
  .event .when {
    font-size: 0.85em;
    color: var(--_muted);
  }
  /* Loading */
  .skeleton {
    height: 72px;
    border-radius: var(--_radius);
    background: linear-gradient(90deg, var(--_surface-alt) 25%, var(--_border) 50%, var(--_surface-alt) 75%);
    background-size: 200% 100%;
    animation: shimmer 1.2s infinite;
  }
  @keyframes shimmer {
    to {
      background-position: -200% 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
  .state.loading,
  .state.loading .skeleton {
    width: 100%;
  }
  .state {
    display: grid;
    gap: 8px;
    justify-items: start;
  }
  @media (max-width: 599.98px) {
    dialog {
      height: 100dvh;
    }
    .title-row h2 {
      font-size: 1.25em;
    }
    .transitions .btn {
      flex: 1 1 calc(50% - 3px);
    }
  }
  .contact .presence {
    font-weight: 600;
    color: var(--_danger);
  }
  select.call-mode {
    min-height: var(--_touch);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
    padding: 0 8px;
  }
`;
