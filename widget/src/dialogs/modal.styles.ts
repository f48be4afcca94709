import { css } from 'lit';

/**
 * The modal frame shared by lead-detail and sms-composer: a native <dialog> with header / body / footer,
 * full-screen under 600px. Component variables: --_modal-width, --_modal-bg, --_modal-backdrop.
 */
export const modalStyles = css`
  :host {
    display: contents;
  }
  dialog {
    box-sizing: border-box;
    width: var(--_modal-width);
    max-width: calc(100vw - 32px);
    max-height: calc(100dvh - 48px);
    padding: 0;
    margin: auto;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 1.4);
    background: var(--_modal-bg);
    color: var(--_text);
    box-shadow: 0 24px 64px rgb(0 0 0 / 0.3);
    font: inherit;
    overflow: hidden;
  }
  dialog[open] {
    display: flex;
    flex-direction: column;
  }
  dialog::backdrop {
    background: var(--_modal-backdrop);
  }
  .modal-header {
    display: flex;
    flex-direction: column;
    gap: 8px;
    padding: 18px 20px 14px;
    border-bottom: 1px solid var(--_border);
  }
  .title-row {
    display: flex;
    align-items: flex-start;
    gap: 12px;
  }
  .title-row h2 {
    flex: 1;
    margin: 0;
    font-size: 1.4em;
    font-weight: 750;
    line-height: 1.25;
    overflow-wrap: anywhere;
  }
  .close-x {
    margin: -8px -10px -8px 0;
    font-size: 1.5em;
    font-weight: 400;
    padding: 0;
  }
  /* Drawn inside the button: at the screen edge (phone, full-screen) an outer ring would be clipped. */
  .close-x:focus-visible {
    outline-offset: -4px;
  }
  .modal-body {
    flex: 1 1 auto;
    min-height: 0;
    overflow: auto;
    overscroll-behavior: contain;
    padding: 16px 20px;
  }
  .modal-footer {
    display: flex;
    flex-wrap: wrap;
    align-items: center;
    gap: 8px;
    padding: 12px 20px;
    border-top: 1px solid var(--_border);
    background: var(--_surface-alt);
  }
  .modal-footer .spacer {
    flex: 1;
  }
  .notice {
    display: flex;
    gap: 8px;
    align-items: flex-start;
    margin: 0;
    padding: 10px 12px;
    border-radius: calc(var(--_radius) * 0.8);
    border: 1px solid var(--_border);
    background: var(--_surface-alt);
  }
  .notice p {
    margin: 0;
  }
  .notice--warning {
    border-color: var(--_warn-border);
    background: var(--_warn-bg);
  }
  .notice--error {
    border-color: var(--_danger);
    background: var(--_error-bg);
  }
  .notice--info {
    border-color: var(--_accent);
  }
  .notice a {
    color: var(--_accent);
    font-weight: 600;
  }
  @media (max-width: 599.98px) {
    dialog {
      width: 100vw;
      max-width: 100vw;
      height: 100dvh;
      max-height: 100dvh;
      margin: 0;
      border: 0;
      border-radius: 0;
    }
    .modal-header {
      padding: 12px 14px 10px;
    }
    .modal-body {
      padding: 12px 14px;
    }
    .modal-footer {
      padding: 10px 14px calc(10px + env(safe-area-inset-bottom));
    }
    .modal-footer .btn {
      flex: 1 1 auto;
    }
    .modal-footer .spacer {
      display: none;
    }
  }
`;

/** Component variables of the modal frame (placed after `tokens`). */
export const modalTokens = css`
  :host {
    --_modal-bg: var(--leads-modal-bg, var(--_surface));
    --_modal-backdrop: var(--leads-modal-backdrop, rgb(0 0 0 / 0.5));
    --_warn-bg: light-dark(#fffaeb, #2b2111);
    --_warn-border: light-dark(#f79009, #b5800f);
    --_error-bg: light-dark(#fef3f2, #2d1614);
  }
`;
