import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    --_card-bg: var(--leads-card-bg, var(--_surface));
    --_card-border: var(--leads-card-border, var(--_border));
    --_card-padding: var(--leads-card-padding, 14px);
    border-radius: var(--_radius);
    cursor: pointer;
    outline: none;
    /* The card has its own focus and pressed styles: no grey flash over the whole card on touch screens. */
    -webkit-tap-highlight-color: transparent;
  }
  :host(:focus-visible) .card {
    outline: 3px solid var(--_focus);
    outline-offset: 2px;
  }
  .card {
    display: flex;
    flex-direction: column;
    gap: 10px;
    height: 100%;
    padding: var(--_card-padding);
    background: var(--_card-bg);
    border: 1px solid var(--_card-border);
    border-inline-start: 4px solid var(--_cold-fg);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
    transition: box-shadow 0.15s, transform 0.15s;
  }
  .card.hot {
    border-inline-start-color: var(--leads-hot-accent, light-dark(#d92d20, #ff7b72));
  }
  .card.warm {
    border-inline-start-color: var(--leads-warm-accent, light-dark(#dc6803, #f0b72f));
  }
  :host(:hover) .card {
    box-shadow: 0 2px 4px rgb(0 0 0 / 0.08), 0 8px 20px rgb(0 0 0 / 0.1);
  }
  header {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
  }
  /* The selection checkbox: 24px, and the free space goes after the score badge so the status stays on the right. */
  input.select {
    width: 24px;
    height: 24px;
    margin: 0;
    accent-color: var(--_primary);
    cursor: pointer;
  }
  input.select + .badge {
    margin-inline-end: auto;
  }
  button.badge {
    font: inherit;
    font-size: 0.85em;
    font-weight: 700;
    cursor: pointer;
    min-height: 32px;
    position: relative;
  }
  /* The score badge keeps its look but gets a 44px hit area. */
  button.badge::after {
    content: '';
    position: absolute;
    inset: -6px -2px;
  }
  .why {
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    background: var(--_surface-alt);
    padding: 10px 12px;
    font-size: 0.9em;
    cursor: auto;
  }
  .why h4 {
    margin: 0 0 6px;
    font-size: 1em;
  }
  .body {
    display: flex;
    flex-direction: column;
    gap: 6px;
    flex: 1;
  }
  .name {
    margin: 0;
    font-size: 1.2em;
    font-weight: 750;
    line-height: 1.25;
    overflow-wrap: anywhere;
  }
  .line {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 0;
    color: var(--_muted);
  }
  .line svg {
    width: 1em;
    height: 1em;
    flex: none;
  }
  .phone {
    color: var(--_text);
    font-variant-numeric: tabular-nums;
  }
  .phone.invalid {
    color: var(--_danger);
  }
  .tags {
    display: flex;
    flex-wrap: wrap;
    gap: 4px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  .tag {
    padding: 1px 8px;
    border-radius: 999px;
    background: var(--_surface-alt);
    border: 1px solid var(--_border);
    font-size: 0.82em;
  }
  .tag.more {
    color: var(--_muted);
  }
  .call-state {
    display: flex;
    align-items: center;
    gap: 6px;
    margin: 0;
    font-weight: 600;
    color: var(--_accent);
  }
  .call-state.failed {
    color: var(--_danger);
  }
  .live-dot {
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--_success);
  }
  /* The owner (or "Assign"): compact, after the badges. */
  .owner-btn {
    min-height: 28px;
    min-width: 0;
    padding: 2px 8px;
    font-size: 0.85em;
    font-weight: 600;
    color: var(--_muted);
    max-width: 12em;
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }
  .presence {
    font-weight: 600;
    color: var(--_accent);
  }
  .presence.calling {
    color: var(--_danger);
  }
  .presence .dot {
    width: 8px;
    height: 8px;
    flex: none;
    border-radius: 50%;
    background: currentColor;
  }
  select.call-mode {
    flex: 1 1 100%;
    min-height: 36px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
    padding: 0 8px;
  }
  footer {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  footer .btn {
    flex: 1 1 auto;
  }
  footer .btn--primary {
    flex-grow: 2;
  }
  @media (max-width: 480px) {
    footer .btn {
      flex-basis: calc(50% - 3px);
    }
  }
`;
