/**
 * Shared design tokens and base styles (Lit `css`, adopted as constructable stylesheets: CSP-safe).
 *
 * Public tokens are `--leads-*` custom properties set by the host page; each has a light and a dark default
 * through `light-dark()`, which follows the element's `color-scheme`: the `theme` attribute (light | dark | auto)
 * sets it, `auto` follows `prefers-color-scheme`, and nested elements inherit it. Private `--_*` variables hold the
 * resolved values inside the components.
 *
 * Tokens: --leads-font-family, --leads-font-size, --leads-radius, --leads-shadow,
 * --leads-color-surface, --leads-color-surface-alt, --leads-color-text, --leads-color-muted, --leads-color-border,
 * --leads-color-accent, --leads-color-primary, --leads-color-on-primary, --leads-color-danger, --leads-color-success,
 * --leads-color-focus, --leads-hot-bg, --leads-hot-fg, --leads-warm-bg, --leads-warm-fg, --leads-cold-bg, --leads-cold-fg.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    /* Nothing inherits in from the host page except the colour scheme. */
    all: initial;
    color-scheme: inherit;
    --_font: var(--leads-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_font-size: var(--leads-font-size, 15px);
    --_radius: var(--leads-radius, 10px);
    --_shadow: var(--leads-shadow, 0 1px 2px rgb(0 0 0 / 0.06), 0 2px 8px rgb(0 0 0 / 0.06));
    --_surface: var(--leads-color-surface, light-dark(#ffffff, #161b22));
    --_surface-alt: var(--leads-color-surface-alt, light-dark(#f4f6f8, #0d1117));
    --_text: var(--leads-color-text, light-dark(#1a1d21, #e6edf3));
    --_muted: var(--leads-color-muted, light-dark(#566070, #9ba6b4));
    --_border: var(--leads-color-border, light-dark(#d3d8df, #30363d));
    --_accent: var(--leads-color-accent, light-dark(#1d4ed8, #79b8ff));
    --_primary: var(--leads-color-primary, light-dark(#1d4ed8, #1f6feb));
    --_on-primary: var(--leads-color-on-primary, #ffffff);
    --_danger: var(--leads-color-danger, light-dark(#b42318, #ff8e85));
    --_success: var(--leads-color-success, light-dark(#067647, #56d364));
    --_focus: var(--leads-color-focus, light-dark(#1d4ed8, #79b8ff));
    --_hot-bg: var(--leads-hot-bg, light-dark(#fee4e2, #4a1d1b));
    --_hot-fg: var(--leads-hot-fg, light-dark(#912018, #ffc9c4));
    --_warm-bg: var(--leads-warm-bg, light-dark(#fef0c7, #3f2e0a));
    --_warm-fg: var(--leads-warm-fg, light-dark(#7a2e0e, #fde68a));
    --_cold-bg: var(--leads-cold-bg, light-dark(#e0f2fe, #0b2c47));
    --_cold-fg: var(--leads-cold-fg, light-dark(#075985, #bae6fd));
    --_touch: 44px;
    font-family: var(--_font);
    font-size: var(--_font-size);
    line-height: 1.45;
    color: var(--_text);
    -webkit-text-size-adjust: 100%;
    box-sizing: border-box;
  }
  :host([theme='light']) {
    color-scheme: light;
  }
  :host([theme='dark']) {
    color-scheme: dark;
  }
  :host([theme='auto']) {
    color-scheme: light dark;
  }
  :host([hidden]) {
    display: none !important;
  }
  *,
  *::before,
  *::after {
    box-sizing: inherit;
  }
  :focus-visible {
    outline: 2px solid var(--_focus);
    outline-offset: 2px;
  }
  .visually-hidden {
    position: absolute !important;
    width: 1px;
    height: 1px;
    padding: 0;
    margin: -1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
    border: 0;
  }
`;

export const buttons = css`
  .btn {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: 0.4em;
    min-height: var(--_touch);
    min-width: var(--_touch);
    padding: 0 0.9em;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
    font-weight: 600;
    line-height: 1.1;
    text-decoration: none;
    cursor: pointer;
    white-space: nowrap;
  }
  .btn:hover:not(:disabled) {
    background: var(--_surface-alt);
  }
  .btn:disabled,
  .btn[aria-disabled='true'] {
    cursor: default;
    opacity: 0.65;
  }
  .btn--primary {
    background: var(--_primary);
    border-color: var(--_primary);
    color: var(--_on-primary);
  }
  .btn--primary:hover:not(:disabled) {
    background: var(--_primary);
    filter: brightness(1.1);
  }
  .btn--danger {
    color: var(--_danger);
  }
  .btn--ghost {
    border-color: transparent;
    background: transparent;
  }
  .btn svg {
    width: 1.1em;
    height: 1.1em;
    flex: none;
  }
  .spinner {
    width: 1em;
    height: 1em;
    border: 2px solid currentColor;
    border-right-color: transparent;
    border-radius: 50%;
    animation: spin 0.8s linear infinite;
    flex: none;
  }
  @keyframes spin {
    to {
      transform: rotate(360deg);
    }
  }
  @media (prefers-reduced-motion: reduce) {
    .spinner {
      animation-duration: 2.4s;
    }
  }
`;

export const badges = css`
  .badge {
    display: inline-flex;
    align-items: center;
    gap: 0.3em;
    padding: 0.15em 0.6em;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 700;
    line-height: 1.5;
    white-space: nowrap;
    background: var(--_surface-alt);
    color: var(--_text);
    border: 1px solid transparent;
  }
  .badge--hot {
    background: var(--_hot-bg);
    color: var(--_hot-fg);
  }
  .badge--warm {
    background: var(--_warm-bg);
    color: var(--_warm-fg);
  }
  .badge--cold {
    background: var(--_cold-bg);
    color: var(--_cold-fg);
  }
  .badge--status {
    background: transparent;
    border-color: var(--_border);
    color: var(--_muted);
    font-weight: 600;
  }
  .badge--booked,
  .badge--converted {
    color: var(--_success);
    border-color: currentColor;
  }
  .badge--lost {
    color: var(--_danger);
    border-color: currentColor;
  }
`;
