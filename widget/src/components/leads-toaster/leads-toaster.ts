import { LitElement, html } from 'lit';
import { state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { ToastOptions } from '../../events.js';
import { buttons, tokens } from '../../styles/tokens.js';
import { styles } from './leads-toaster.styles.js';

interface ActiveToast extends ToastOptions {
  id: number;
}

let nextId = 1;

/**
 * @tagname leads-toaster
 * @summary A polite live region of toasts ("Lead marked as lost" with Undo). `leads-board` owns one and shows
 * every `toast-show` event that bubbles up to it; other elements call `toast(this, {...})` from events.ts.
 *
 * @csspart region - The live region that stacks the toasts.
 * @csspart toast - One toast.
 * @csspart action - A toast's action button (e.g. Undo).
 *
 * @cssprop --leads-toaster-z-index - Stacking order of the fixed region (default 1000).
 */
export class LeadsToaster extends LitElement {
  static override styles = [tokens, buttons, styles];

  @state() private toasts: ActiveToast[] = [];
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private async onAction(t: ActiveToast): Promise<void> {
    this.dismiss(t.id);
    await t.action?.run(this);
  }

  private pause(id: number): void {
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
  }

  private resume(t: ActiveToast): void {
    this.schedule(t);
  }

  /** Show a toast; returns its id for `dismiss`. At most 4 stay on screen. */
  show(options: ToastOptions): number {
    const t: ActiveToast = { variant: 'info', ...options, id: nextId++ };
    this.toasts = [...this.toasts, t].slice(-4);
    this.schedule(t);
    return t.id;
  }

  dismiss(id: number): void {
    this.pause(id);
    this.toasts = this.toasts.filter((t) => t.id !== id);
  }

  private schedule(t: ActiveToast): void {
    const ms = t.duration ?? (t.action ? 8000 : 5000);
    if (ms <= 0) return;
    this.pause(t.id);
    this.timers.set(
      t.id,
      setTimeout(() => this.dismiss(t.id), ms),
    );
  }

  override render() {
    return html`<div class="region" part="region" role="status" aria-live="polite">
      ${repeat(
        this.toasts,
        (t) => t.id,
        (t) => html`<div
          class="toast toast--${t.variant}"
          part="toast"
          @mouseenter=${() => this.pause(t.id)}
          @mouseleave=${() => this.resume(t)}
          @focusin=${() => this.pause(t.id)}
          @focusout=${() => this.resume(t)}
        >
          <span class="message">${t.message}</span>
          ${t.action
            ? html`<button class="btn btn--ghost" part="action" @click=${() => this.onAction(t)}>${t.action.label}</button>`
            : null}
          <button class="btn btn--ghost close" aria-label="Dismiss notification" @click=${() => this.dismiss(t.id)}>×</button>
        </div>`,
      )}
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leads-toaster': LeadsToaster;
  }
}
