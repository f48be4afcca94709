import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { live } from 'lit/directives/live.js';
import type { Lead } from '../../../../core/contracts.js';
import { VIEW_LABELS, type ViewName } from '../../../../core/views.js';
import type { LeadQuery, LeadsApiClient } from '../../api/client.js';
import { MERGE_FIELD_LABELS, MERGE_FIELDS, parseTemplate } from '../../../../core/templates.js';
import { audienceFromFilter, CampaignsApi, type CampaignAudience, type CampaignInput, type CampaignPreview, type Exclusions, type SmsTemplate } from '../../api/campaigns.js';
import { toErrorInfo } from '../../calls/call-controller.js';
import { apiContext, configContext, defaultConfig, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, type ApiErrorInfo } from '../../events.js';
import { STATUS_LABELS, TIER_INFO } from '../../format.js';
import { buttons, tokens } from '../../styles/tokens.js';
import { DraftSync } from './draft-sync.js';
import { styles } from './campaign-composer.styles.js';

const EXCLUSIONS: Array<[keyof Exclusions, string]> = [
  ['optedOut', 'opted out of texts'],
  ['noConsent', 'no SMS consent'],
  ['invalidPhone', 'invalid phone number'],
  ['recentlyTexted', 'texted in the last 24 hours'],
  ['duplicatePhone', 'same phone as another recipient'],
];

const DAY = 86_400_000;
const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;

/**
 * @tagname campaign-composer
 * @summary A modal to text many leads at once: the board's filter or the selected cards, narrowed by the guide's
 * extras (last contact over N days, appointment within N hours, no upcoming appointment); a template picker, merge
 * field buttons that insert `{first_name}` and friends at the cursor, a live preview of a chosen recipient with its
 * characters and segments (and a warning when some recipients' texts run longer), the server's count of recipients and
 * its exclusions with reasons, and Send now or Schedule. The draft lives on the server (POST then PATCH, debounced);
 * closing without sending deletes it.
 *
 * @fires campaign-started - The campaign was started or scheduled (`campaign`); the composer closes.
 * @fires dialog-close - The composer closed.
 *
 * @csspart base - The <dialog>.
 * @csspart template - The template select.
 * @csspart merge-fields - The merge field buttons.
 * @csspart textarea - The message.
 * @csspart audience - The audience extras.
 * @csspart counts - Recipients and exclusions.
 * @csspart preview - The rendered text of one recipient.
 * @csspart error - An error from the server, in words a person can act on.
 * @csspart send-button - Send / Schedule.
 *
 * @cssprop --leads-campaign-composer-width - Width on wide screens (640px); full-screen under 600px.
 */
export class CampaignComposer extends LitElement {
  static override styles = [tokens, buttons, modalTokens, modalStyles, styles];

  private readonly modal = new ModalController(this, () => this.dialog, () => this.templateSelect);
  private readonly draft = new DraftSync(
    this,
    () => this.campaignsApi,
    () => this.input(),
    () => void this.loadPreview(),
  );

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('textarea') private textarea?: HTMLTextAreaElement;
  @query('select.template') private templateSelect?: HTMLSelectElement;

  /** The picked leads, or null for every lead matching `filter`. */
  @property({ attribute: false }) leadIds: string[] | null = null;
  /** The board's filter (the audience when `leadIds` is null). */
  @property({ attribute: false }) filter: LeadQuery = {};
  /** How many leads the board counted (the title until the server's count arrives). */
  @property({ type: Number }) total = 0;
  /** Leads to offer in the preview's recipient picker (the board passes the cards it shows). */
  @property({ attribute: false }) leads: Lead[] = [];
  @property({ type: Boolean, reflect: true }) open = false;

  @consume({ context: apiContext, subscribe: true })
  @state()
  private api?: LeadsApiClient;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config: WidgetConfig = defaultConfig;

  @state() private templates: SmsTemplate[] | null = null;
  @state() private templateId = '';
  @state() private body = '';
  @state() private name = '';
  /** The value of {link}, asked for when the text uses it. */
  @state() private link = '';
  @state() private lastContactDays: number | null = null;
  @state() private appointmentHours: number | null = null;
  @state() private noUpcoming = false;
  @state() private when: 'now' | 'later' = 'now';
  @state() private sendAt = '';
  @state() private previewLeadId = '';
  @state() private preview: CampaignPreview | null = null;
  @state() private sending = false;
  @state() private error: ApiErrorInfo | null = null;

  private previewSeq = 0;

  // --- lifecycle ------------------------------------------------------------------------------

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open) {
      this.error = null;
      void this.loadTemplates();
    }
  }

  private get campaignsApi(): CampaignsApi | null {
    return this.api ? new CampaignsApi(this.api) : null;
  }

  /** What the draft is: null until there is a message. */
  private input(): CampaignInput | null {
    if (!this.body.trim()) return null;
    const template = this.templates?.find((t) => t.id === this.templateId);
    const audience: CampaignAudience = this.leadIds ? { leadIds: this.leadIds } : audienceFromFilter(this.filter);
    if (this.lastContactDays) audience.lastContactBefore = new Date(Date.now() - this.lastContactDays * DAY).toISOString();
    if (this.appointmentHours) audience.appointmentWithinHours = this.appointmentHours;
    if (this.noUpcoming) audience.noUpcomingAppointment = true;
    const input: CampaignInput = { name: this.name.trim() || this.defaultName(template), audience };
    if (template && template.body === this.body) input.templateId = template.id;
    else input.body = this.body;
    if (this.usesLink && this.link.trim()) input.link = this.link.trim();
    return input;
  }

  private get usesLink(): boolean {
    return parseTemplate(this.body).fields.includes('link');
  }

  private defaultName(template?: SmsTemplate): string {
    const day = new Date().toLocaleDateString('en-US', { day: 'numeric', month: 'short' });
    return `${template?.name ?? 'Text campaign'} · ${day}`;
  }

  private async loadTemplates(): Promise<void> {
    const api = this.campaignsApi;
    if (!api || this.templates) return;
    try {
      this.templates = await api.templates();
    } catch (err) {
      this.templates = [];
      this.error = toErrorInfo(err);
    }
  }

  private async loadPreview(): Promise<void> {
    const api = this.campaignsApi;
    const draft = this.draft.campaign;
    if (!api || !draft) return;
    const seq = ++this.previewSeq;
    try {
      const preview = await api.preview(draft.id, this.previewLeadId || undefined);
      if (seq === this.previewSeq) this.preview = preview;
    } catch (err) {
      if (seq === this.previewSeq) {
        this.preview = null;
        const info = toErrorInfo(err);
        // A recipient no longer in the audience: fall back to the server's choice.
        if (this.previewLeadId && info.status === 404) {
          this.previewLeadId = '';
          void this.loadPreview();
        }
      }
    }
  }

  // --- event handlers -------------------------------------------------------------------------

  private changed(): void {
    this.error = null;
    this.draft.schedule();
  }

  private onTemplate(event: Event): void {
    this.templateId = (event.target as HTMLSelectElement).value;
    const t = this.templates?.find((x) => x.id === this.templateId);
    if (t) {
      this.body = t.body;
      if (!this.name.trim() || this.name.startsWith('Text campaign')) this.name = '';
    }
    this.changed();
  }

  private onBody(event: InputEvent): void {
    this.body = (event.target as HTMLTextAreaElement).value;
    this.changed();
  }

  /** Inserts `{field}` at the cursor (replacing a selection) and puts the cursor after it. */
  private insertField(field: string): void {
    const box = this.textarea;
    if (!box) return;
    const token = `{${field}}`;
    const start = box.selectionStart ?? box.value.length;
    const end = box.selectionEnd ?? start;
    box.focus();
    box.setRangeText(token, start, end, 'end');
    this.body = box.value;
    this.changed();
  }

  private onNumber(event: Event, key: 'lastContactDays' | 'appointmentHours'): void {
    const v = Number((event.target as HTMLInputElement).value);
    this[key] = Number.isFinite(v) && v > 0 ? Math.round(v) : null;
    if (key === 'appointmentHours' && this[key]) this.noUpcoming = false;
    this.changed();
  }

  private onToggle(event: Event, key: 'lastContactDays' | 'appointmentHours' | 'noUpcoming'): void {
    const on = (event.target as HTMLInputElement).checked;
    if (key === 'noUpcoming') {
      this.noUpcoming = on;
      if (on) this.appointmentHours = null;
    } else {
      this[key] = on ? (key === 'lastContactDays' ? 30 : 24) : null;
      if (key === 'appointmentHours' && on) this.noUpcoming = false;
    }
    this.changed();
  }

  private onPreviewLead(event: Event): void {
    this.previewLeadId = (event.target as HTMLSelectElement).value;
    void this.loadPreview();
  }

  private onClose = (): void => void this.requestClose('close');

  // --- public methods -------------------------------------------------------------------------

  async requestClose(reason: 'close' | 'escape' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    if (reason !== 'done') void this.draft.discard();
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  get canSend(): boolean {
    const recipients = this.draft.campaign?.counts.recipients ?? 0;
    return !this.sending && !this.draft.pending && !this.draft.error && recipients > 0 && !!this.body.trim() && (this.when === 'now' || !!this.sendAt);
  }

  /** Starts the campaign now, or schedules it for `sendAt`. */
  async send(): Promise<void> {
    await this.draft.flush();
    const api = this.campaignsApi;
    const draft = this.draft.campaign;
    if (!api || !draft || !this.canSend) return;
    this.sending = true;
    this.error = null;
    try {
      const sendAt = this.when === 'later' ? new Date(this.sendAt).toISOString() : undefined;
      const campaign = await api.action(draft.id, 'start', sendAt ? { sendAt } : {});
      this.draft.markStarted();
      emit(this, 'campaign-started', { campaign });
      this.sending = false;
      await this.requestClose('done');
    } catch (err) {
      this.error = toErrorInfo(err);
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="error"]')?.focus();
    } finally {
      this.sending = false;
    }
  }

  // --- render ---------------------------------------------------------------------------------

  /** "Cold · search “smith” · Call today", or "12 picked leads". */
  private audienceSummary(): string {
    if (this.leadIds) return `${plural(this.leadIds.length, 'lead')} picked on the board`;
    const f = this.filter;
    const parts: string[] = [];
    const tiers = Array.isArray(f.tier) ? f.tier : f.tier ? [f.tier] : [];
    for (const t of tiers) parts.push(`${TIER_INFO[t].label} leads`);
    if (f.status) parts.push(`status ${STATUS_LABELS[f.status]}`);
    if (f.view) parts.push(VIEW_LABELS[f.view as ViewName] ?? f.view);
    if (f.q?.trim()) parts.push(`matching “${f.q.trim()}”`);
    if (f.owner) parts.push(f.owner === 'me' ? 'mine' : f.owner === 'none' ? 'unassigned' : 'one owner');
    if (f.appointment === 'none') parts.push('no upcoming appointment');
    return parts.length ? `The board's filter: ${parts.join(' · ')}` : 'Every lead on the board';
  }

  private renderError(e: ApiErrorInfo | null) {
    if (!e) return nothing;
    let title = "The campaign can't be sent yet";
    let extra: unknown = nothing;
    if (e.code === 'CAMPAIGN_NEEDS_ADMIN') {
      title = 'Only an admin can text more than 50 leads at once';
      extra = html`<p>Narrow the audience to 50 leads or fewer (a filter or the extras below), or ask an admin of your clinic to send it.</p>`;
    } else if (/MERGE_FIELD/.test(e.code)) {
      title = 'Check the merge fields';
      extra = html`<p>Use the buttons under the message to insert fields the system knows.</p>`;
    } else if (e.code === 'EMPTY_AUDIENCE') {
      title = 'Empty audience';
    } else if (e.status === 0 || e.status >= 500) {
      extra = html`<p>Nothing was sent. Try again in a moment.</p>`;
    }
    return html`<div class="notice notice--error" part="error" role="alert" tabindex="-1">
      <div><p><strong>${title}.</strong> ${e.message}</p>${extra}</div>
    </div>`;
  }

  private renderAudience() {
    return html`<fieldset class="audience" part="audience">
      <legend>Audience</legend>
      <p class="muted summary">${this.audienceSummary()}</p>
      <label class="check">
        <input type="checkbox" .checked=${live(this.lastContactDays !== null)} @change=${(e: Event) => this.onToggle(e, 'lastContactDays')} />
        Last contact over
        <input type="number" min="1" max="3650" class="n" aria-label="Days since last contact" .value=${String(this.lastContactDays ?? 30)}
          ?disabled=${this.lastContactDays === null} @change=${(e: Event) => this.onNumber(e, 'lastContactDays')} />
        days ago
      </label>
      <label class="check">
        <input type="checkbox" .checked=${live(this.appointmentHours !== null)} @change=${(e: Event) => this.onToggle(e, 'appointmentHours')} />
        Appointment within
        <input type="number" min="1" max="720" class="n" aria-label="Hours until the appointment" .value=${String(this.appointmentHours ?? 24)}
          ?disabled=${this.appointmentHours === null} @change=${(e: Event) => this.onNumber(e, 'appointmentHours')} />
        hours
      </label>
      <label class="check">
        <input type="checkbox" .checked=${live(this.noUpcoming)} @change=${(e: Event) => this.onToggle(e, 'noUpcoming')} />
        No upcoming appointment
      </label>
    </fieldset>`;
  }

  private renderCounts() {
    const e = this.draft.error;
    // The server refuses a draft nobody would receive, with the exclusions that emptied it.
    const empty = e?.code === 'EMPTY_AUDIENCE' ? ((e.details as { excluded?: Exclusions } | undefined)?.excluded ?? null) : undefined;
    const c = empty !== undefined ? { counts: { recipients: 0 }, excluded: empty } : this.draft.campaign;
    if (!c) {
      return html`<p class="counts muted" part="counts">${this.body.trim() ? 'Counting recipients…' : 'Write or pick a message to count the recipients.'}</p>`;
    }
    const excluded = EXCLUSIONS.map(([k, label]) => [c.excluded?.[k] ?? 0, label] as const).filter(([n]) => n > 0);
    if (this.draft.pending && !empty) return html`<p class="counts muted" part="counts">Counting recipients…</p>`;
    const out = excluded.reduce((s, [n]) => s + n, 0);
    return html`<div class="counts" part="counts">
      <p><strong class="recipients">${plural(c.counts.recipients, 'recipient')}</strong>${out ? html` · ${plural(out, 'lead')} left out:` : ' · nobody left out'}</p>
      ${out ? html`<ul class="excluded">${excluded.map(([n, label]) => html`<li>${n} ${label}</li>`)}</ul>` : nothing}
    </div>`;
  }

  private renderPreview() {
    const p = this.preview;
    const picks = this.leads.filter((l) => !this.leadIds || this.leadIds.includes(l.id));
    return html`<section class="preview" part="preview" aria-labelledby="preview-title">
      <div class="preview-head">
        <h3 id="preview-title">Preview</h3>
        ${picks.length
          ? html`<select aria-label="Preview for" .value=${this.previewLeadId} @change=${this.onPreviewLead}>
              <option value="">First recipient</option>
              ${picks.map((l) => html`<option value=${l.id} ?selected=${this.previewLeadId === l.id}>${l.name}</option>`)}
            </select>`
          : nothing}
      </div>
      ${p
        ? html`<p class="bubble">${p.text}</p>
            <p class="muted meta">
              ${p.name ? html`To ${p.name} · ` : nothing}${plural(p.characters, 'character')} · ${plural(p.segments, 'segment')}${p.encoding === 'UCS-2' ? ' · Unicode (UCS-2)' : ''}
            </p>
            ${p.optOutLine ? html`<p class="muted meta">This lead's first text from the clinic: it ends with the opt-out line.</p>` : nothing}
            ${p.range && p.range.max > p.range.min
              ? html`<p class="notice notice--warning" part="length-warning">
                  ${p.range.warning ??
                  `Some recipients' texts run longer than others (long names or services): from ${plural(p.range.min, 'segment')} to ${plural(p.range.max, 'segment')} each.`}
                </p>`
              : nothing}`
        : html`<p class="muted">${this.draft.campaign ? 'No recipient to preview.' : 'The preview shows here once there is a message.'}</p>`}
    </section>`;
  }

  private renderWhen() {
    return html`<fieldset class="when">
      <legend>When</legend>
      <label class="check"><input type="radio" name="when" value="now" .checked=${this.when === 'now'} @change=${() => (this.when = 'now')} /> Send now</label>
      <label class="check"><input type="radio" name="when" value="later" .checked=${this.when === 'later'} @change=${() => (this.when = 'later')} /> Schedule for</label>
      <input type="datetime-local" aria-label="Send at (your time)" .value=${this.sendAt} ?disabled=${this.when !== 'later'}
        @input=${(e: Event) => (this.sendAt = (e.target as HTMLInputElement).value)} />
      <p class="muted hint">Leads in their quiet hours (9 PM–8 AM their time) get it when texting hours start.</p>
    </fieldset>`;
  }

  override render() {
    const n = this.draft.campaign?.counts.recipients ?? (this.leadIds ? this.leadIds.length : this.total);
    const err = this.error ?? this.draft.error;
    const from = this.config?.session?.telephony.twilioNumber;
    return html`<dialog part="base" aria-labelledby="title">
      <header class="modal-header">
        <div class="title-row">
          <h2 id="title">Text ${plural(this.leadIds?.length ?? this.total, 'lead')}</h2>
          <button class="btn btn--ghost close-x" aria-label="Close the campaign composer" @click=${this.onClose}>×</button>
        </div>
        ${from ? html`<p class="muted sub">From ${from}, one text per lead, at your number's sending pace.</p>` : nothing}
      </header>
      <form class="modal-body" id="campaign-form" @submit=${(e: Event) => (e.preventDefault(), void this.send())}>
        <div class="row">
          <div class="field">
            <label for="template">Template</label>
            <select id="template" class="template" part="template" .value=${this.templateId} @change=${this.onTemplate}>
              <option value="">Write your own</option>
              ${(this.templates ?? []).map((t) => html`<option value=${t.id} ?selected=${t.id === this.templateId}>${t.name}${t.builtIn ? '' : ' (clinic)'}</option>`)}
            </select>
          </div>
          <div class="field">
            <label for="name">Campaign name</label>
            <input id="name" type="text" .value=${this.name} placeholder=${this.defaultName(this.templates?.find((t) => t.id === this.templateId))}
              @input=${(e: Event) => ((this.name = (e.target as HTMLInputElement).value), this.changed())} />
          </div>
        </div>
        <div class="field">
          <label for="body">Message</label>
          <textarea id="body" part="textarea" rows="5" .value=${this.body} @input=${this.onBody} aria-describedby="fields-hint"
            placeholder="Hi {first_name|there}! …"></textarea>
          <div class="merge" part="merge-fields" role="group" aria-label="Insert a merge field">
            ${MERGE_FIELDS.map((f) => html`<button type="button" class="btn chip" title="Insert {${f}}" @click=${() => this.insertField(f)}>${MERGE_FIELD_LABELS[f]}</button>`)}
          </div>
          <p class="muted hint" id="fields-hint">Fields are filled in for each lead; <code>{first_name|there}</code> uses “there” when a lead has no name.</p>
        </div>
        ${this.usesLink
          ? html`<div class="field">
              <label for="link">Link for {link}</label>
              <input id="link" type="url" inputmode="url" placeholder="https://" .value=${this.link}
                @change=${(e: Event) => ((this.link = (e.target as HTMLInputElement).value), this.changed())} />
            </div>`
          : nothing}
        ${this.renderPreview()} ${this.renderAudience()}
        <div aria-live="polite">${this.renderCounts()}</div>
        ${this.renderWhen()} ${this.renderError(err)}
      </form>
      <footer class="modal-footer">
        <span class="spacer"></span>
        <button class="btn" @click=${this.onClose}>Cancel</button>
        <button class="btn btn--primary" part="send-button" type="submit" form="campaign-form" ?disabled=${!this.canSend} aria-busy=${this.sending ? 'true' : 'false'}>
          ${this.sending ? html`<span class="spinner" aria-hidden="true"></span>Starting…` : this.when === 'later' ? `Schedule for ${plural(n, 'lead')}` : `Send to ${plural(n, 'lead')}`}
        </button>
      </footer>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'campaign-composer': CampaignComposer;
  }
}
