import { LitElement, css, html } from 'lit';
import { property, query } from 'lit/decorators.js';
import { emit } from '../events.js';
import { buttons, tokens } from '../styles/tokens.js';
import { choiceStyles } from './lost-reason-dialog.js';
import { ModalController } from './modal.js';
import { modalStyles, modalTokens } from './modal.styles.js';

/**
 * @tagname confirm-dialog
 * @summary A yes/no question in a small modal (e.g. "Maria started a call 20 s ago. Call anyway?" before calling a lead a
 * colleague is calling). Focus starts on the safe answer (cancel); Esc cancels. Opened with `openLazyDialog(parent,
 * 'confirm-dialog', { heading, message, confirmLabel, cancelLabel })`, which resolves with `value`: true when confirmed.
 *
 * @fires dialog-close - Closed: `done` (confirmed, `value` true) or close / escape (`value` false).
 * @csspart base - The <dialog>.
 */
export class ConfirmDialog extends LitElement {
  static override styles = [
    tokens,
    buttons,
    modalTokens,
    modalStyles,
    choiceStyles,
    css`
      .modal-body p {
        margin: 0;
      }
    `,
  ];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.renderRoot.querySelector<HTMLButtonElement>('button.cancel'),
  );

  @query('dialog') private dialog?: HTMLDialogElement;

  /** The dialog's title. */
  @property() heading = 'Are you sure?';
  /** The question, in full. */
  @property() message = '';
  @property() confirmLabel = 'OK';
  @property() cancelLabel = 'Cancel';
  @property({ type: Boolean, reflect: true }) open = false;
  /** True once confirmed. */
  value = false;

  private onKeydown(event: KeyboardEvent): void {
    // The card's and the board's shortcuts stay out of the dialog.
    event.stopPropagation();
  }

  async requestClose(reason: 'escape' | 'close' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.value = reason === 'done';
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  override render() {
    return html`<dialog part="base" role="alertdialog" aria-labelledby="ct" aria-describedby="cm" @keydown=${this.onKeydown}>
      <div class="modal-header">
        <div class="title-row"><h2 id="ct">${this.heading}</h2></div>
      </div>
      <div class="modal-body"><p id="cm">${this.message}</p></div>
      <div class="modal-footer">
        <span class="spacer"></span>
        <button class="btn cancel" @click=${() => this.requestClose('close')}>${this.cancelLabel}</button>
        <button class="btn btn--primary confirm" @click=${() => this.requestClose('done')}>${this.confirmLabel}</button>
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'confirm-dialog': ConfirmDialog;
  }
}
