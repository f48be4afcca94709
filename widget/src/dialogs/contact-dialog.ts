import { LitElement, css, html, nothing } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Lead } from '../../../core/contracts.js';
import { isE164, phoneDigits, phoneProblemMessage, type PhoneProblem } from '../../../core/phone.js';
import { ApiError, type LeadsApiClient } from '../api/client.js';
import { emit } from '../events.js';
import { buttons, tokens } from '../styles/tokens.js';
import { choiceStyles } from './lost-reason-dialog.js';
import { ModalController } from './modal.js';
import { modalStyles, modalTokens } from './modal.styles.js';

/**
 * What is wrong with a stored phone, as far as the browser can tell without libphonenumber (the server's check at
 * save time is the judge): null when it is E.164.
 */
export function phoneProblemOf(phone: string): PhoneProblem | null {
  if (isE164(phone)) return null;
  const digits = phoneDigits(phone);
  if (!digits) return 'NOT_A_NUMBER';
  if (digits.length < 7) return 'TOO_SHORT';
  if (digits.length > 15) return 'TOO_LONG';
  if (!phone.trim().startsWith('+') || digits.startsWith('0')) return 'INVALID_COUNTRY';
  return 'INVALID';
}

/** The contact fields PATCH /v1/leads/:id { contact } takes from the board. */
export interface ContactChanges {
  name?: string;
  phone?: string;
  email?: string | null;
  services?: string[];
  timezone?: string | null;
  consent?: { sms: boolean; calls: boolean; source: string | null; at: string | null } | null;
}

const styles = css`
  .field {
    margin-bottom: 12px;
  }
  .check {
    margin-bottom: 4px;
  }
  .stored {
    margin: 0 0 12px;
  }
`;

type Field = 'name' | 'phone' | 'email' | 'services' | 'timezone';

/**
 * @tagname contact-dialog
 * @summary "Edit contact": name, phone (normalised and re-validated by the server, with the same messages as import),
 * email, services, time zone and consent, saved with PATCH /v1/leads/:id { contact, expectedVersion }. An invalid
 * stored phone is shown with what is wrong with it. Opened by `editContact()` (leads/contact-edit.ts): the E key on a
 * card, "Edit contact" in the detail and in the invalid-phone guide.
 *
 * @fires dialog-close - Closed: `done` (then `value` holds the saved lead and the changed fields) or close / escape.
 * @csspart base - The <dialog>.
 */
export class ContactDialog extends LitElement {
  static override styles = [tokens, buttons, modalTokens, modalStyles, choiceStyles, styles];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.renderRoot.querySelector<HTMLInputElement>(`#c-${this.focusField}`),
  );

  @query('dialog') private dialog?: HTMLDialogElement;

  /** The lead as the user sees it (its `version` is sent as expectedVersion). */
  @property({ attribute: false }) lead: Lead | null = null;
  @property({ attribute: false }) api: LeadsApiClient | null = null;
  /** The field focused first (the invalid-phone guide opens on the phone). */
  @property() focusField: Field = 'name';
  @property({ type: Boolean, reflect: true }) open = false;
  /** Once saved: the lead as the server stored it and the fields that changed. */
  value: { lead: Lead; changes: ContactChanges } | null = null;

  @state() private draft: Record<Field, string> & { sms: boolean; calls: boolean } = {
    name: '', phone: '', email: '', services: '', timezone: '', sms: false, calls: false,
  };
  @state() private errors: Partial<Record<Field | 'form', string>> = {};
  @state() private saving = false;

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('lead') && this.lead && !changed.get('lead')) {
      const l = this.lead;
      this.draft = {
        name: l.name,
        phone: l.phone,
        email: l.email ?? '',
        services: l.services.join(', '),
        timezone: l.timezone ?? '',
        sms: l.consent?.sms ?? false,
        calls: l.consent?.calls ?? false,
      };
    }
  }

  private onKeydown(event: KeyboardEvent): void {
    const t = event.composedPath()[0] as HTMLElement;
    if (event.key === 'Enter' && t.localName === 'input' && !event.isComposing) {
      event.preventDefault();
      void this.save();
    }
    event.stopPropagation();
  }

  async requestClose(reason: 'escape' | 'close' | 'done' = 'close'): Promise<void> {
    if (!this.open || (this.saving && reason !== 'done')) return;
    if (reason !== 'done') this.value = null;
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  /** The fields that differ from the lead. */
  get changes(): ContactChanges {
    const l = this.lead!;
    const d = this.draft;
    const out: ContactChanges = {};
    if (d.name.trim() !== l.name) out.name = d.name.trim();
    if (d.phone.trim() !== l.phone) out.phone = d.phone.trim();
    if ((d.email.trim() || null) !== l.email) out.email = d.email.trim() || null;
    const services = d.services.split(',').map((s) => s.trim()).filter(Boolean);
    if (services.join('\n') !== l.services.join('\n')) out.services = services;
    if ((d.timezone.trim() || null) !== l.timezone) out.timezone = d.timezone.trim() || null;
    if (d.sms !== (l.consent?.sms ?? false) || d.calls !== (l.consent?.calls ?? false)) {
      out.consent = { sms: d.sms, calls: d.calls, source: 'board', at: new Date().toISOString() };
    }
    return out;
  }

  /** Save the changed fields; errors show next to their field. */
  async save(): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.saving) return;
    const errors: ContactDialog['errors'] = {};
    if (!this.draft.name.trim()) errors.name = 'A name is required.';
    if (!this.draft.phone.trim()) errors.phone = 'A phone number is required.';
    this.errors = errors;
    const first = Object.keys(errors)[0];
    if (first) return this.focus_(first);
    const changes = this.changes;
    if (!Object.keys(changes).length) return void this.requestClose('close');
    this.saving = true;
    try {
      const saved = await this.api.editContact(lead.id, changes, lead.version);
      this.value = { lead: saved, changes };
      this.saving = false;
      await this.requestClose('done');
    } catch (err) {
      this.saving = false;
      const e = err instanceof ApiError ? err : null;
      const details = (e?.details ?? {}) as { field?: string; lead?: Lead };
      const field = details.field?.replace('contact.', '') as Field | undefined;
      if (e?.code === 'STALE_LEAD' && details.lead) {
        // Someone else saved first: keep what was typed, save on top of their version next time.
        this.lead = details.lead;
        this.errors = { form: 'Someone else changed this contact a moment ago. Check the fields and save again.' };
      } else if (field && field in this.draft) this.errors = { [field]: e!.message };
      else this.errors = { form: err instanceof Error ? err.message : 'The contact could not be saved.' };
      await this.updateComplete;
      this.focus_(field && field in this.draft ? field : 'name');
    }
  }

  private focus_(field: string): void {
    this.updateComplete.then(() => this.renderRoot.querySelector<HTMLInputElement>(`#c-${field}`)?.focus());
  }

  private input(field: Field, label: string, opts: { type?: string; hint?: string; autocomplete?: string } = {}) {
    const error = this.errors[field];
    const described = [error ? `e-${field}` : '', opts.hint ? `h-${field}` : ''].filter(Boolean).join(' ');
    return html`<div class="field">
      <label class="note" for="c-${field}">${label}</label>
      <input
        id="c-${field}"
        class="note"
        type=${opts.type ?? 'text'}
        autocomplete=${opts.autocomplete ?? 'off'}
        .value=${this.draft[field]}
        aria-invalid=${error ? 'true' : 'false'}
        aria-describedby=${described || nothing}
        @input=${(e: InputEvent) => {
          this.draft = { ...this.draft, [field]: (e.target as HTMLInputElement).value };
          if (error) this.errors = { ...this.errors, [field]: undefined };
        }}
      />
      ${opts.hint ? html`<p class="muted stored" id="h-${field}">${opts.hint}</p>` : nothing}
      ${error ? html`<p class="err" id="e-${field}" role="alert">${error}</p>` : nothing}
    </div>`;
  }

  override render() {
    const lead = this.lead;
    const problem = lead?.phoneValid === false || (lead?.phone && !isE164(lead.phone)) ? phoneProblemOf(lead!.phone) : null;
    return html`<dialog part="base" aria-labelledby="ct" aria-busy=${this.saving ? 'true' : 'false'} @keydown=${this.onKeydown}>
      <form novalidate @submit=${(e: SubmitEvent) => (e.preventDefault(), void this.save())}>
        <div class="modal-header">
          <div class="title-row">
            <h2 id="ct">Edit contact</h2>
            <button type="button" class="btn btn--ghost close-x" aria-label="Cancel" @click=${() => this.requestClose('close')}>×</button>
          </div>
          <p class="sub">${lead?.name ?? ''}${lead?.externalId ? ' · changes go back to your CRM' : ''}</p>
        </div>
        <div class="modal-body">
          ${this.errors.form ? html`<p class="notice notice--error" role="alert">${this.errors.form}</p>` : nothing}
          ${this.input('name', 'Name', { autocomplete: 'name' })}
          ${this.input('phone', 'Phone', {
            type: 'tel',
            autocomplete: 'tel',
            hint: problem && lead ? `Stored now: ${phoneProblemMessage(lead.phone, problem)}` : 'With the country code, for example +12125550123.',
          })}
          ${this.input('email', 'Email', { type: 'email', autocomplete: 'email' })}
          ${this.input('services', 'Services (comma-separated)')}
          ${this.input('timezone', "Lead's time zone (e.g. America/New_York)")}
          <fieldset>
            <legend>Consent</legend>
            <label class="check"
              ><input type="checkbox" .checked=${this.draft.sms} @change=${(e: Event) => (this.draft = { ...this.draft, sms: (e.target as HTMLInputElement).checked })} />Texts
              (SMS)</label
            >
            <label class="check"
              ><input type="checkbox" .checked=${this.draft.calls} @change=${(e: Event) => (this.draft = { ...this.draft, calls: (e.target as HTMLInputElement).checked })} />Calls</label
            >
          </fieldset>
        </div>
        <div class="modal-footer">
          <span class="spacer"></span>
          <button type="button" class="btn" @click=${() => this.requestClose('close')}>Cancel</button>
          <button type="submit" class="btn btn--primary" ?disabled=${this.saving}>
            ${this.saving ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}Save
          </button>
        </div>
      </form>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'contact-dialog': ContactDialog;
  }
}
