import { css } from 'lit';

export const styles = css`
  :host {
    --_modal-width: var(--leads-queue-width, 640px);
  }
  .left {
    margin: 0;
    color: var(--_muted);
    font-weight: 600;
  }
  .lead {
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .lead p {
    margin: 0;
  }
  .name {
    margin: 0;
    font-size: 1.3em;
  }
  .name:focus-visible {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .badges {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
    align-items: center;
  }
  .line {
    display: flex;
    align-items: center;
    gap: 6px;
    flex-wrap: wrap;
  }
  .line svg {
    width: 1em;
    height: 1em;
  }
  .presence {
    color: var(--_danger);
    font-weight: 600;
  }
  .muted {
    color: var(--_muted);
  }
  section {
    margin-top: 14px;
  }
  h4 {
    margin: 0 0 6px;
  }
  ul.plain {
    list-style: none;
    margin: 0;
    padding: 0;
    display: flex;
    flex-direction: column;
    gap: 6px;
  }
  .note {
    margin: 6px 0 0;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  .recorded {
    margin: 14px 0 0;
    font-weight: 600;
  }
  .state,
  .end {
    text-align: center;
    padding: 24px 0;
  }
  .end .title {
    font-size: 1.15em;
    font-weight: 700;
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
