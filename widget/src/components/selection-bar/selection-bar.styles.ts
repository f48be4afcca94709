import { css } from 'lit';

export const styles = css`
  :host {
    display: block;
    position: sticky;
    bottom: 8px;
    z-index: 2;
  }
  .bar {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 8px 12px;
    background: var(--leads-selection-bg, var(--_surface));
    border: 1px solid var(--_primary);
    border-radius: var(--_radius);
    box-shadow: 0 4px 16px rgb(0 0 0 / 0.15);
  }
  .count {
    font-weight: 700;
  }
  .muted {
    color: var(--_muted);
    font-weight: 500;
  }
  .spacer {
    flex: 1;
  }
  .hint {
    flex-basis: 100%;
    margin: 0;
    font-size: 0.85em;
    color: var(--_muted);
  }
  .link {
    background: none;
    border: 0;
    padding: 0 4px;
    min-height: 36px;
    font: inherit;
    color: var(--_accent);
    text-decoration: underline;
    cursor: pointer;
  }
  @media (max-width: 600px) {
    .spacer {
      flex-basis: 100%;
      height: 0;
    }
    .actions {
      display: flex;
      flex: 1;
      gap: 8px;
    }
    .actions .btn {
      flex: 1;
    }
  }
`;
