import { css, html, nothing } from 'lit';
import { ChoiceDialog } from './choice-dialog.js';
import { property, query, state } from 'lit/decorators.js';
import type { Lead, LostReason } from '../../../core/contracts.js';
import { DEFAULT_REVISIT_DAYS, LOST_REASONS, LOST_REASON_LABELS } from '../../../core/workflow.js';
import { atLocalTime } from '../../../core/clinic-time.js';
import { FOLLOW_UP_MORNING } from '../../../core/follow-ups.js';
import { clinicWhen } from '../format.js';
import { buttons, tokens } from '../styles/tokens.js';
import { ModalController } from './modal.js';
import { modalStyles, modalTokens } from './modal.styles.js';

/** What the person chose in the Lost dialog: the PATCH fields of a Lost (docs/api.md). */
export interface LostChoice {
  lostReason: LostReason;
  lostNote?: string;
  revisitInDays?: number;
}

/** The frame of the small choice dialogs (Lost reason, follow-up): a form of large radio rows, a bottom sheet on phones. */
export const choiceStyles = css`
  :host {
    --_modal-width: var(--leads-lost-dialog-width, 460px);
  }
  form {
    display: flex;
    flex-direction: column;
    flex: 1 1 auto;
    min-height: 0;
  }
  .sub {
    margin: 0;
    color: var(--_muted);
  }
  fieldset {
    margin: 0 0 14px;
    padding: 0;
    border: 0;
  }
  legend {
    padding: 0;
    margin-bottom: 6px;
    font-weight: 700;
  }
  .opt,
  .check {
    display: flex;
    align-items: center;
    gap: 10px;
    min-height: var(--_touch);
    padding: 0 12px;
    margin-top: 6px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    cursor: pointer;
  }
  .opt:has(:checked) {
    border-color: var(--_accent);
    background: var(--_surface-alt);
  }
  input[type='radio'],
  input[type='checkbox'] {
    width: 18px;
    height: 18px;
    margin: 0;
    accent-color: var(--_primary);
    flex: none;
  }
  .check {
    border: 0;
    padding: 0;
  }
  label.note {
    display: block;
    font-weight: 700;
    margin-bottom: 4px;
  }
  input.note,
  input.when {
    width: 100%;
    min-height: var(--_touch);
    padding: 0 10px;
    border: 1px solid var(--_border);
    border-radius: calc(var(--_radius) * 0.8);
    background: var(--_surface);
    color: var(--_text);
    font: inherit;
  }
  [aria-invalid='true'] {
    border-color: var(--_danger);
  }
  .err {
    margin: 6px 0 0;
    color: var(--_danger);
    font-weight: 600;
  }
  .muted {
    color: var(--_muted);
  }
  .opt .muted {
    margin-inline-start: auto;
  }
  @media (max-width: 599.98px) {
    /* A bottom sheet rather than a full screen: the board stays in view above it. */
    dialog {
      height: auto;
      top: auto;
      bottom: 0;
      border-top: 1px solid var(--_border);
      border-radius: calc(var(--_radius) * 1.4) calc(var(--_radius) * 1.4) 0 0;
    }
  }
`;

/**
 * @tagname lost-reason-dialog
 * @summary "Why was this lead lost?": the guide's four reasons or Other (with a required note), an optional note, and
 * the 90-day revisit follow-up (on by default for "Not ready now"). Arrow keys move through the reasons, Enter confirms,
 * Esc cancels. Opened by `askLostReason()` (leads/lost-reason.ts) from the card, the L key and the detail; loaded on
 * first use.
 *
 * @fires dialog-close - Closed: `reason` done (then `value` holds the choice) or close / escape (cancelled, `value` null).
 * @csspart base - The <dialog>.
 * @cssprop --leads-lost-dialog-width - Width on wide screens (460px); a bottom sheet under 600px.
 */
export class LostReasonDialog extends ChoiceDialog<LostChoice> {
  static override styles = [tokens, buttons, modalTokens, modalStyles, choiceStyles];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]:checked, input[type="radio"]'),
  );

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('input.note') private noteInput?: HTMLInputElement;

  /** The lead being marked lost (its name is shown). */
  @property({ attribute: false }) lead: Lead | null = null;
  /** The clinic's IANA time zone: the revisit is at 09:00 there, as the server schedules it. */
  @property() timeZone = 'UTC';
  /** Shows the dialog. */

  @state() private reason: LostReason | null = null;
  @state() private note = '';
  @state() private revisit: boolean | null = null;
  @state() private error: 'reason' | 'note' | null = null;

  private get revisitOn(): boolean {
    return this.revisit ?? this.reason === 'not_ready';
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.confirm();
  }

  /** Close and fire `dialog-close` (`done` when confirmed). */
  /** Confirm the current choice (what Enter and "Mark lost" do); shows what is missing instead. */
  confirm(): void {
    const note = this.note.trim();
    if (!this.reason) {
      this.error = 'reason';
      this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]')?.focus();
      return;
    }
    if (this.reason === 'other' && !note) {
      this.error = 'note';
      this.noteInput?.focus();
      return;
    }
    this.value = {
      lostReason: this.reason,
      ...(note ? { lostNote: note } : {}),
      ...(this.revisitOn ? { revisitInDays: DEFAULT_REVISIT_DAYS } : {}),
    };
    void this.requestClose('done');
  }

  override render() {
    const other = this.reason === 'other';
    const noteErr = this.error === 'note';
    return html`<dialog part="base" aria-labelledby="lt" aria-describedby="ld" @keydown=${this.onKeydown}>
      <form novalidate @submit=${this.onSubmit}>
        <div class="modal-header">
          <div class="title-row">
            <h2 id="lt">Why was this lead lost?</h2>
            <button type="button" class="btn btn--ghost close-x" aria-label="Cancel, keep the lead" @click=${() => this.requestClose('close')}>×</button>
          </div>
          <p class="sub" id="ld">${this.lead?.name ?? 'This lead'} will be marked as lost. You can undo it for 10 seconds.</p>
        </div>
        <div class="modal-body">
          <fieldset aria-describedby=${this.error === 'reason' ? 'le' : nothing}>
            <legend>Reason</legend>
            ${LOST_REASONS.map(
              (r) => html`<label class="opt"
                ><input
                  type="radio"
                  name="reason"
                  value=${r}
                  .checked=${this.reason === r}
                  @change=${() => {
                    this.reason = r;
                    this.error = null;
                  }}
                />${LOST_REASON_LABELS[r]}</label
              >`,
            )}
            ${this.error === 'reason' ? html`<p class="err" id="le" role="alert">Choose a reason.</p>` : nothing}
          </fieldset>
          <label class="note" for="ln">Note <span class="muted">${other ? '(required for Other)' : '(optional)'}</span></label>
          <input
            id="ln"
            class="note"
            maxlength="1000"
            autocomplete="off"
            placeholder=${other ? 'What happened?' : 'Anything the next person should know'}
            .value=${this.note}
            ?required=${other}
            aria-invalid=${noteErr ? 'true' : 'false'}
            aria-describedby=${noteErr ? 'ne' : nothing}
            @input=${(e: InputEvent) => {
              this.note = (e.target as HTMLInputElement).value;
              if (noteErr) this.error = null;
            }}
          />
          ${noteErr ? html`<p class="err" id="ne" role="alert">Say why the lead was lost.</p>` : nothing}
          <label class="check"
            ><input type="checkbox" .checked=${this.revisitOn} @change=${(e: Event) => (this.revisit = (e.target as HTMLInputElement).checked)} />Revisit in
            ${DEFAULT_REVISIT_DAYS} days
            <span class="muted">(a follow-up on ${clinicWhen(atLocalTime(Date.now(), this.timeZone, DEFAULT_REVISIT_DAYS, FOLLOW_UP_MORNING), this.timeZone)})</span></label
          >
        </div>
        <div class="modal-footer">
          <span class="spacer"></span>
          <button type="button" class="btn" @click=${() => this.requestClose('close')}>Cancel</button>
          <button type="submit" class="btn btn--primary">Mark lost</button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lost-reason-dialog': LostReasonDialog;
  }
}
