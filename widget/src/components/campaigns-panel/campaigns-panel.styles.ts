import { css } from 'lit';

export const styles = css`
  :host {
    --_modal-width: var(--leads-campaigns-panel-width, 720px);
  }
  .muted {
    color: var(--_muted);
  }
  .list {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 12px;
  }
  .campaign {
    display: grid;
    gap: 8px;
    padding: 12px 14px;
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .campaign.highlight {
    border-color: var(--_primary);
    box-shadow: 0 0 0 1px var(--_primary);
  }
  .head {
    display: flex;
    align-items: center;
    gap: 8px;
  }
  .head h3 {
    flex: 1;
    margin: 0;
    font-size: 1.05em;
    overflow-wrap: anywhere;
  }
  .status {
    font-size: 0.8em;
    font-weight: 700;
    padding: 2px 8px;
    border-radius: 999px;
    border: 1px solid var(--_border);
    color: var(--_muted);
    white-space: nowrap;
  }
  .status--sending,
  .status--scheduled {
    color: var(--_accent);
    border-color: currentColor;
  }
  .status--completed {
    color: var(--_success);
    border-color: currentColor;
  }
  .status--cancelled {
    color: var(--_danger);
    border-color: currentColor;
  }
  .meta {
    margin: 0;
    font-size: 0.9em;
  }
  .bar-row {
    display: flex;
    align-items: center;
    gap: 10px;
  }
  .bar {
    flex: 1;
    height: 10px;
    border-radius: 999px;
    background: var(--_surface-alt);
    border: 1px solid var(--_border);
    overflow: hidden;
  }
  .fill {
    display: block;
    height: 100%;
    background: var(--_primary);
    transition: width 0.3s;
  }
  .pct {
    min-width: 3.2em;
    text-align: end;
    font-weight: 700;
    font-variant-numeric: tabular-nums;
  }
  .report {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(96px, 1fr));
    gap: 6px;
    margin: 0;
  }
  .report div {
    padding: 6px 8px;
    border-radius: calc(var(--_radius) * 0.7);
    background: var(--_surface-alt);
  }
  .report dt {
    font-size: 0.8em;
    color: var(--_muted);
  }
  .report dd {
    margin: 0;
    font-weight: 700;
    font-size: 1.1em;
    font-variant-numeric: tabular-nums;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .actions .spacer {
    flex: 1;
  }
  .confirm {
    display: inline-flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
  }
  .empty p {
    margin: 0 0 4px;
  }
  .notice {
    margin-bottom: 12px;
  }
`;
