import { css } from 'lit';

export const styles = css`
  :host {
    --_modal-width: var(--leads-composer-width, 520px);
  }
  .recipient {
    margin: 0;
    font-variant-numeric: tabular-nums;
  }
  .muted {
    color: var(--_muted);
  }
  .number {
    white-space: nowrap;
  }
  .modal-body {
    display: grid;
    gap: 12px;
    align-content: start;
    margin: 0;
  }
  .field {
    display: grid;
    gap: 6px;
  }
  label {
    font-weight: 650;
  }
  textarea {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    padding: 10px 12px;
    min-height: 140px;
    width: 100%;
    resize: vertical;
    line-height: 1.45;
  }
  textarea:focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 0;
  }
  textarea:disabled {
    background: var(--_surface-alt);
    color: var(--_muted);
    cursor: not-allowed;
  }
  textarea[aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .meta {
    display: flex;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
    font-size: 0.9em;
  }
  .counter {
    font-variant-numeric: tabular-nums;
    font-weight: 600;
    color: var(--_muted);
  }
  .counter.over {
    color: var(--_warn-text);
  }
  .counter.too-long {
    color: var(--_danger);
  }
  code {
    font-size: 0.95em;
  }
  .notice:focus {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .modal-footer .btn--primary {
    min-width: 120px;
  }
  :host {
    --_warn-text: light-dark(#93370d, #fec84b);
  }
  @media (max-width: 599.98px) {
    .hint {
      display: none;
    }
    textarea {
      min-height: 180px;
    }
  }
`;
