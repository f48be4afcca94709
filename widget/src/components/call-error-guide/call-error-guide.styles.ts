import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    --_guide-bg: var(--leads-guide-bg, light-dark(#fff8f1, #2a1f14));
    --_guide-border: var(--leads-guide-border, light-dark(#f3c58a, #6b4a20));
  }
  .guide {
    border: 1px solid var(--_guide-border);
    background: var(--_guide-bg);
    border-radius: var(--_radius);
    padding: 12px 14px;
  }
  .title {
    margin: 0 0 4px;
    font-size: 1em;
    font-weight: 700;
  }
  .message {
    margin: 0 0 8px;
    color: var(--_muted);
  }
  ol {
    margin: 0 0 10px;
    padding-inline-start: 1.4em;
  }
  li + li {
    margin-top: 4px;
  }
  .examples {
    display: grid;
    grid-template-columns: 1fr 1fr;
    gap: 8px;
    margin: 0 0 10px;
  }
  .examples h4 {
    margin: 0 0 4px;
    font-size: 0.9em;
  }
  .examples ul {
    margin: 0;
    padding: 0;
    list-style: none;
  }
  code {
    font-family: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    font-size: 0.92em;
  }
  .ok {
    color: var(--_success);
  }
  .bad {
    color: var(--_danger);
  }
  .why {
    display: block;
    color: var(--_muted);
    font-size: 0.88em;
  }
  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 8px;
  }
  @media (max-width: 480px) {
    .examples {
      grid-template-columns: 1fr;
    }
  }
`;
