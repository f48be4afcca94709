import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { emit } from '../events.js';

/**
 * What the board's choice dialogs share (why a lead was lost, when to follow up, who owns a lead): `open`, a `value`
 * that is the choice once confirmed and null when cancelled, `dialog-close` with the reason, and Enter confirming from
 * anywhere but a button. The card's and the board's shortcuts (C, L, arrows) stay out of the dialog.
 */
export abstract class ChoiceDialog<V> extends LitElement {
  @property({ type: Boolean, reflect: true }) open = false;
  /** The choice once confirmed; null while open or when cancelled. */
  value: V | null = null;

  /** Takes the current choice (Enter, the primary button), or says what is missing. */
  abstract confirm(): void;

  protected onKeydown(event: KeyboardEvent): void {
    const t = event.composedPath()[0] as HTMLElement;
    if (event.key === 'Enter' && t.localName !== 'button' && !event.isComposing) {
      event.preventDefault();
      this.confirm();
    }
    event.stopPropagation();
  }

  async requestClose(reason: 'escape' | 'close' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    if (reason !== 'done') this.value = null;
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }
}
