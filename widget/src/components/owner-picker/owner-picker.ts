import { css, html, nothing } from 'lit';
import { ChoiceDialog } from '../../dialogs/choice-dialog.js';
import { property, query, state } from 'lit/decorators.js';
import type { TeamUser } from '../../api/team.js';
import { choiceStyles } from '../../dialogs/lost-reason-dialog.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { buttons, tokens } from '../../styles/tokens.js';

/** What the person chose: the new owner (null = unassigned) and the name to tell them. */
export interface OwnerChoice {
  ownerId: string | null;
  name: string;
}

/**
 * @tagname owner-picker
 * @summary "Assign to": Me, Unassigned, then everyone on the clinic's team (GET /v1/team), as large radio rows with a
 * filter box for long teams. Arrow keys move through the people, Enter assigns, Esc cancels. A bottom sheet on phones.
 * Opened by `pickOwner()` (owner-picker/assign.ts) from a card's Assign control, the detail's owner line and the
 * selection bar's Assign; loaded on first use.
 *
 * @fires dialog-close - Closed: `done` (then `value` holds the choice) or close / escape (`value` null).
 * @csspart base - The <dialog>.
 * @csspart option - One person (or Me, Unassigned).
 */
export class OwnerPicker extends ChoiceDialog<OwnerChoice> {
  static override styles = [
    tokens,
    buttons,
    modalTokens,
    modalStyles,
    choiceStyles,
    css`
      .opt .role {
        margin-inline-start: auto;
        color: var(--_muted);
        font-size: 0.9em;
      }
      .current {
        color: var(--_muted);
        font-size: 0.9em;
      }
      .filter {
        margin-bottom: 4px;
      }
    `,
  ];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    // The current owner, else the first choice (a selector list would match the first radio in document order).
    () => this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]:checked') ?? this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]'),
  );

  @query('dialog') private dialog?: HTMLDialogElement;

  /** The clinic's team. */
  @property({ attribute: false }) users: TeamUser[] = [];
  /** The signed-in user's id (listed first, as "Me"). */
  @property() meId: string | null = null;
  /** The current owner (single lead): marked, and chosen at first. Undefined for several leads. */
  @property({ attribute: false }) current: string | null | undefined = undefined;
  /** The title, e.g. "Assign Rosa Diaz" or "Assign 3 leads". */
  @property() heading = 'Assign to';
  /** A note under the title (e.g. a team that could not be loaded). */
  @property() note = '';

  @state() private chosen: string | null | undefined = undefined;
  @state() private filter = '';

  protected override willUpdate(): void {
    if (this.chosen === undefined && this.current !== undefined) this.chosen = this.current;
  }

  private get options(): Array<{ id: string | null; label: string; role?: string }> {
    const me = this.users.find((u) => u.id === this.meId);
    const rest = this.users.filter((u) => u.id !== this.meId).sort((a, b) => a.name.localeCompare(b.name));
    const q = this.filter.trim().toLowerCase();
    const people = rest.filter((u) => !q || u.name.toLowerCase().includes(q)).map((u) => ({ id: u.id, label: u.name, role: u.role === 'admin' ? 'Admin' : undefined }));
    return [...(this.meId ? [{ id: this.meId, label: me ? `Me (${me.name})` : 'Me' }] : []), { id: null, label: 'Unassigned' }, ...people];
  }

  /** Assign to the chosen person (Enter, "Assign"). */
  confirm(): void {
    if (this.chosen === undefined) {
      this.renderRoot.querySelector<HTMLInputElement>('input[type="radio"]')?.focus();
      return;
    }
    const option = this.options.find((o) => o.id === this.chosen);
    const name = this.chosen === null ? 'Unassigned' : this.users.find((u) => u.id === this.chosen)?.name ?? option?.label ?? 'Me';
    this.value = { ownerId: this.chosen, name };
    void this.requestClose('done');
  }

  override render() {
    const options = this.options;
    return html`<dialog part="base" aria-labelledby="ot" @keydown=${this.onKeydown}>
      <form
        novalidate
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          this.confirm();
        }}
      >
        <div class="modal-header">
          <div class="title-row">
            <h2 id="ot">${this.heading}</h2>
            <button type="button" class="btn btn--ghost close-x" aria-label="Cancel" @click=${() => this.requestClose('close')}>×</button>
          </div>
          ${this.note ? html`<p class="sub" role="note">${this.note}</p>` : nothing}
        </div>
        <div class="modal-body">
          ${this.users.length > 8
            ? html`<input class="note filter" type="search" aria-label="Find a person" placeholder="Find a person" .value=${this.filter} @input=${(e: InputEvent) => (this.filter = (e.target as HTMLInputElement).value)} />`
            : nothing}
          <fieldset>
            <legend>Owner</legend>
            ${options.map(
              (o) => html`<label class="opt" part="option"
                ><input type="radio" name="owner" .value=${o.id ?? ''} .checked=${this.chosen === o.id} @change=${() => (this.chosen = o.id)} />${o.label}
                ${this.current !== undefined && this.current === o.id ? html`<span class="current">(now)</span>` : nothing}
                ${o.role ? html`<span class="role">${o.role}</span>` : nothing}</label
              >`,
            )}
          </fieldset>
        </div>
        <div class="modal-footer">
          <span class="spacer"></span>
          <button type="button" class="btn" @click=${() => this.requestClose('close')}>Cancel</button>
          <button type="submit" class="btn btn--primary">Assign</button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'owner-picker': OwnerPicker;
  }
}
