import { css } from 'lit';

export const styles = css`
  :host {
    position: fixed;
    z-index: var(--leads-toaster-z-index, 1000);
    inset-block-end: 16px;
    inset-inline-end: 16px;
    display: block;
    width: min(380px, calc(100vw - 32px));
    pointer-events: none;
  }
  .region {
    display: flex;
    flex-direction: column;
    gap: 8px;
  }
  .toast {
    pointer-events: auto;
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 4px 4px 4px 14px;
    border-radius: var(--_radius);
    border: 1px solid var(--_border);
    border-inline-start: 4px solid var(--_accent);
    background: var(--_surface);
    color: var(--_text);
    box-shadow: 0 6px 24px rgb(0 0 0 / 0.18);
    animation: in 0.15s ease-out;
  }
  .toast--success {
    border-inline-start-color: var(--_success);
  }
  .toast--error {
    border-inline-start-color: var(--_danger);
  }
  .message {
    flex: 1;
    padding-block: 8px;
  }
  .btn--ghost {
    color: var(--_accent);
  }
  .close {
    font-size: 1.3em;
    font-weight: 400;
    color: var(--_muted);
  }
  @keyframes in {
    from {
      transform: translateY(8px);
      opacity: 0;
    }
  }
  @media (max-width: 480px) {
    :host {
      inset-inline: 8px;
      inset-block-end: 8px;
      width: auto;
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .toast {
      animation: none;
    }
  }
`;
