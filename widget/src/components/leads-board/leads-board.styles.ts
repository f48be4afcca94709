import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    container-type: inline-size;
    --_board-bg: var(--leads-board-bg, var(--_surface-alt));
    --_card-min: var(--leads-card-min-width, 300px);
    background: var(--_board-bg);
    border-radius: var(--_radius);
  }
  .base {
    display: flex;
    flex-direction: column;
    gap: 12px;
    padding: var(--leads-board-padding, 16px);
  }
  .header {
    display: flex;
    align-items: center;
    gap: 8px;
    flex-wrap: wrap;
  }
  .actions {
    display: flex;
    gap: 8px;
    flex-wrap: nowrap;
  }
  h2 {
    margin: 0;
    margin-inline-end: auto;
    font-size: 1.4em;
    font-weight: 750;
  }
  .count {
    color: var(--_muted);
    font-weight: 500;
    font-size: 0.7em;
    margin-inline-start: 6px;
  }
  .list-actions {
    display: flex;
    justify-content: flex-end;
    margin-block: -4px;
  }
  .toolbar {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
    align-items: center;
  }
  /* Status, appointment and sort wrap together, as one row of filters. */
  .selects {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  .search {
    position: relative;
    flex: 1 1 240px;
    display: flex;
    align-items: center;
  }
  .search svg {
    position: absolute;
    inset-inline-start: 12px;
    width: 1.1em;
    height: 1.1em;
    color: var(--_muted);
    pointer-events: none;
  }
  input[type='search'],
  select {
    font: inherit;
    color: var(--_text);
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    min-height: var(--_touch);
    padding: 0 12px;
  }
  input[type='search'] {
    width: 100%;
    padding-inline-start: 38px;
  }
  select {
    padding-inline-end: 8px;
  }
  .views {
    display: flex;
    gap: 2px;
    overflow-x: auto;
    scrollbar-width: thin;
    border-bottom: 1px solid var(--_border);
  }
  .tab {
    flex: none;
    border: 0;
    border-bottom: 3px solid transparent;
    border-radius: 0;
    background: none;
    color: var(--_muted);
  }
  .tab:hover:not(:disabled) {
    background: none;
    color: var(--_text);
  }
  .tab[aria-pressed='true'] {
    border-bottom-color: var(--_primary);
    color: var(--_text);
  }
  .n {
    min-width: 1.6em;
    padding: 0 6px;
    border-radius: 999px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    font-size: 0.85em;
    line-height: 1.5;
    color: var(--_text);
  }
  .view-desc {
    margin: 0;
    color: var(--_muted);
    font-size: 0.9em;
  }
  .chips {
    display: flex;
    flex-wrap: wrap;
    gap: 6px;
  }
  .chip {
    border-radius: 999px;
    font-weight: 600;
  }
  /* the pressed look must outrank .btn:hover, or the pressed chip under the pointer turns white on near-white */
  .chip[aria-pressed='true'],
  .chip[aria-pressed='true']:hover:not(:disabled) {
    background: var(--_primary);
    border-color: var(--_primary);
    color: var(--_on-primary);
  }
  .chip[aria-pressed='true']:hover:not(:disabled) {
    filter: brightness(1.1);
  }
  .hot-alert {
    display: flex;
    align-items: center;
    flex-wrap: wrap;
    gap: 8px;
    padding: 6px 6px 6px 14px;
    border-radius: var(--_radius);
    background: var(--_hot-bg);
    color: var(--_hot-fg);
    font-weight: 600;
  }
  .hot-alert span {
    flex: 1;
  }
  .hot-alert .btn--ghost {
    color: inherit;
  }
  ul.list {
    display: grid;
    grid-template-columns: repeat(auto-fill, minmax(min(100%, var(--_card-min)), 1fr));
    gap: 12px;
    margin: 0;
    padding: 0;
    list-style: none;
  }
  ul.list > li {
    display: grid;
  }
  .skeleton {
    height: 230px;
    border-radius: var(--_radius);
    background: linear-gradient(90deg, var(--_surface) 25%, var(--_border) 50%, var(--_surface) 75%);
    background-size: 200% 100%;
    animation: shimmer 1.2s ease-in-out infinite;
    opacity: 0.7;
  }
  @keyframes shimmer {
    from {
      background-position: 200% 0;
    }
    to {
      background-position: -200% 0;
    }
  }
  .state {
    display: flex;
    flex-direction: column;
    align-items: center;
    gap: 10px;
    padding: 40px 16px;
    text-align: center;
    border: 1px dashed var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
  }
  .state p {
    margin: 0;
  }
  .state .title {
    font-weight: 700;
    font-size: 1.1em;
  }
  .state .muted {
    color: var(--_muted);
  }
  .state.error .title {
    color: var(--_danger);
  }
  nav.pager {
    display: flex;
    align-items: center;
    justify-content: space-between;
    gap: 8px;
    flex-wrap: wrap;
  }
  .page-info {
    color: var(--_muted);
    text-align: center;
  }
  .refreshing {
    opacity: 0.75;
    transition: opacity 0.2s;
  }
  dialog {
    border: 1px solid var(--_border);
    border-radius: var(--_radius);
    background: var(--_surface);
    color: var(--_text);
    padding: 20px;
    max-width: min(480px, calc(100vw - 24px));
    width: 100%;
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.45);
  }
  dialog h2 {
    margin-bottom: 12px;
  }
  table {
    width: 100%;
    border-collapse: collapse;
    margin-bottom: 16px;
  }
  th,
  td {
    text-align: start;
    padding: 6px 4px;
    border-bottom: 1px solid var(--_border);
  }
  th {
    white-space: nowrap;
  }
  kbd {
    display: inline-block;
    min-width: 1.8em;
    padding: 1px 6px;
    border: 1px solid var(--_border);
    border-bottom-width: 2px;
    border-radius: 5px;
    background: var(--_surface-alt);
    font-family: ui-monospace, Menlo, Consolas, monospace;
    font-size: 0.9em;
    text-align: center;
  }
  .dialog-actions {
    display: flex;
    justify-content: flex-end;
  }
  @container (max-width: 520px) {
    .base {
      padding: 10px;
    }
    .toolbar > * {
      flex: 1 1 100%;
    }
    /* Status and appointment share a row, sort below. */
    .selects > select {
      flex: 1 1 40%;
      min-width: 0;
    }
    .chips {
      display: grid;
      grid-template-columns: 1fr 1fr;
    }
    .header .label {
      display: none;
    }
    /* Five header buttons do not fit beside the title on a phone: they wrap rather than widen the page. */
    .header .actions {
      flex-wrap: wrap;
      justify-content: flex-end;
    }
    h2 .count {
      display: block;
      margin-inline-start: 0;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .skeleton {
      animation: none;
    }
  }
`;
