import { html, nothing } from 'lit';
import { ChoiceDialog } from './choice-dialog.js';
import { property, query, state } from 'lit/decorators.js';
import type { Lead } from '../../../core/contracts.js';
import { FOLLOW_UP_NOTE_MAX, followUpQuickChoices, type FollowUpChoice } from '../../../core/follow-ups.js';
import { instantOf } from '../../../core/quiet-hours.js';
import { clinicWhen } from '../format.js';
import { buttons, tokens } from '../styles/tokens.js';
import { choiceStyles } from './lost-reason-dialog.js';
import { ModalController } from './modal.js';
import { modalStyles, modalTokens } from './modal.styles.js';

/** What the person chose: POST /v1/leads/:id/follow-ups. */
export interface FollowUpInput {
  dueAt: string;
  note?: string;
}

/** "2026-03-12T14:30" (a datetime-local value) read as the clinic's wall clock, as an instant (ms). */
export function wallTimeIn(value: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!m) return null;
  return instantOf(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]) * 60 + Number(m[5]), timeZone);
}

/**
 * @tagname follow-up-dialog
 * @summary "Schedule a follow-up": the quick choices of core/follow-ups.ts (later today, tomorrow morning, in 3 days,
 * next week) with their times in the clinic's zone, or a date and time typed in that zone; an optional note. Arrow
 * keys move through the choices, Enter schedules, Esc cancels. Opened by `scheduleFollowUp()` (leads/follow-up.ts)
 * from the card (button, F key) and the detail.
 *
 * @fires dialog-close - Closed: `done` (then `value` holds the follow-up to create) or close / escape (`value` null).
 * @csspart base - The <dialog>.
 */
export class FollowUpDialog extends ChoiceDialog<FollowUpInput> {
  static override styles = [tokens, buttons, modalTokens, modalStyles, choiceStyles];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]:checked'),
  );

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('input.when') private whenInput?: HTMLInputElement;

  /** The lead the follow-up is for. */
  @property({ attribute: false }) lead: Lead | null = null;
  /** The clinic's IANA time zone: the quick choices and a typed time are its wall clock. */
  @property() timeZone = 'UTC';
  /** Reference time (ms) for the quick choices; now when not set. */
  @property({ attribute: false }) now: number | null = null;

  @state() private choice: FollowUpChoice | null = null;
  @state() private custom = '';
  @state() private note = '';
  @state() private error: string | null = null;

  private get choices() {
    return followUpQuickChoices(new Date(this.now ?? Date.now()), this.timeZone);
  }

  /** Schedule the chosen time (Enter, "Schedule"); says what is missing instead. */
  confirm(): void {
    const choices = this.choices;
    const choice = this.choice ?? choices[0]?.choice;
    let due: number | null = null;
    if (choice === 'custom') {
      due = wallTimeIn(this.custom, this.timeZone);
      if (due === null || due <= (this.now ?? Date.now())) {
        this.error = due === null ? 'Pick a date and a time.' : 'Pick a time in the future.';
        this.whenInput?.focus();
        return;
      }
    } else due = choices.find((c) => c.choice === choice)?.dueAt?.getTime() ?? null;
    if (due === null) return;
    const note = this.note.trim();
    this.value = { dueAt: new Date(due).toISOString(), ...(note ? { note } : {}) };
    void this.requestClose('done');
  }

  override render() {
    const choices = this.choices;
    const current = this.choice ?? choices[0]?.choice;
    const now = this.now ?? Date.now();
    return html`<dialog part="base" aria-labelledby="ft" aria-describedby="fd" @keydown=${this.onKeydown}>
      <form novalidate @submit=${(e: SubmitEvent) => (e.preventDefault(), this.confirm())}>
        <div class="modal-header">
          <div class="title-row">
            <h2 id="ft">Schedule a follow-up</h2>
            <button type="button" class="btn btn--ghost close-x" aria-label="Cancel" @click=${() => this.requestClose('close')}>×</button>
          </div>
          <p class="sub" id="fd">Call ${this.lead?.name ?? 'this lead'} back. Times are the clinic's (${this.timeZone.replace(/_/g, ' ')}).</p>
        </div>
        <div class="modal-body">
          <fieldset>
            <legend>When</legend>
            ${choices.map(
              (c) => html`<label class="opt"
                ><input
                  type="radio"
                  name="when"
                  value=${c.choice}
                  .checked=${current === c.choice}
                  @change=${() => {
                    this.choice = c.choice;
                    this.error = null;
                  }}
                />${c.label}${c.dueAt ? html` <span class="muted">${clinicWhen(c.dueAt, this.timeZone, now)}</span>` : nothing}</label
              >`,
            )}
          </fieldset>
          ${current === 'custom'
            ? html`<label class="note" for="fw">Date and time</label>
                <input
                  id="fw"
                  class="when"
                  type="datetime-local"
                  .value=${this.custom}
                  aria-invalid=${this.error ? 'true' : 'false'}
                  aria-describedby=${this.error ? 'fe' : nothing}
                  @input=${(e: InputEvent) => {
                    this.custom = (e.target as HTMLInputElement).value;
                    this.error = null;
                  }}
                />
                ${this.error ? html`<p class="err" id="fe" role="alert">${this.error}</p>` : nothing}`
            : nothing}
          <label class="note" for="fn">Note <span class="muted">(optional)</span></label>
          <input
            id="fn"
            class="note"
            maxlength=${FOLLOW_UP_NOTE_MAX}
            autocomplete="off"
            placeholder="What to talk about"
            .value=${this.note}
            @input=${(e: InputEvent) => (this.note = (e.target as HTMLInputElement).value)}
          />
        </div>
        <div class="modal-footer">
          <span class="spacer"></span>
          <button type="button" class="btn" @click=${() => this.requestClose('close')}>Cancel</button>
          <button type="submit" class="btn btn--primary">Schedule</button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'follow-up-dialog': FollowUpDialog;
  }
}
