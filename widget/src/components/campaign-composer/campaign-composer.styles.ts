import { css } from 'lit';

export const styles = css`
  :host {
    --_modal-width: var(--leads-campaign-composer-width, 640px);
    --_warn-text: light-dark(#93370d, #fec84b);
  }
  .muted {
    color: var(--_muted);
  }
  .sub {
    margin: 0;
    font-size: 0.9em;
  }
  .modal-body {
    display: grid;
    gap: 14px;
    align-content: start;
    margin: 0;
  }
  .row {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(200px, 1fr));
    gap: 12px;
  }
  .field {
    display: grid;
    gap: 6px;
    font-weight: 650;
  }
  label[for] {
    font-weight: 650;
  }
  select,
  input[type='text'],
  input[type='url'],
  input[type='number'],
  input[type='datetime-local'],
  textarea {
    font: inherit;
    font-weight: 400;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    min-height: var(--_touch);
    padding: 0 10px;
  }
  textarea {
    padding: 10px 12px;
    min-height: 110px;
    width: 100%;
    resize: vertical;
    line-height: 1.45;
  }
  input.n {
    width: 5.5em;
    min-height: 36px;
  }
  .merge {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  .chip {
    min-height: 36px;
    padding: 0 10px;
    font-size: 0.88em;
    border-radius: 999px;
  }
  .hint {
    margin: 0;
    font-size: 0.85em;
    font-weight: 400;
  }
  fieldset {
    margin: 0;
    padding: 10px 12px 12px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    display: grid;
    gap: 6px;
  }
  legend {
    font-weight: 650;
    padding: 0 4px;
  }
  .summary {
    margin: 0 0 2px;
  }
  .check {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 6px;
    min-height: 40px;
  }
  .check input[type='checkbox'],
  .check input[type='radio'] {
    width: 20px;
    height: 20px;
    margin: 0;
    accent-color: var(--_primary);
  }
  .when {
    grid-template-columns: auto auto 1fr;
    align-items: center;
    column-gap: 14px;
  }
  .when legend,
  .when .hint {
    grid-column: 1 / -1;
  }
  .counts p {
    margin: 0;
  }
  .counts .recipients {
    font-size: 1.1em;
  }
  .excluded {
    margin: 4px 0 0;
    padding-inline-start: 20px;
    color: var(--_muted);
  }
  .preview {
    display: grid;
    gap: 6px;
  }
  .preview-head {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
  }
  .preview h3 {
    margin: 0;
    font-size: 1em;
  }
  .bubble {
    margin: 0;
    padding: 10px 14px;
    max-width: 85%;
    border-radius: 16px 16px 16px 4px;
    background: var(--_surface-alt);
    border: 1px solid var(--_border);
    white-space: pre-wrap;
    overflow-wrap: anywhere;
  }
  .meta {
    margin: 0;
    font-size: 0.9em;
    font-variant-numeric: tabular-nums;
  }
  .notice:focus {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .modal-footer .btn--primary {
    min-width: 160px;
  }
  @media (max-width: 599.98px) {
    .when {
      grid-template-columns: 1fr;
    }
  }
`;
