import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Lead } from '../../../../core/contracts.js';
import { countSegments, MAX_SMS_CHARACTERS, type SegmentCount } from '../../../../core/segments.js';
import { nextAllowedSendTime, DEFAULT_SEND_WINDOW, isTimeZone, sendZone } from '../../../../core/quiet-hours.js';
import { newIdempotencyKey, type LeadsApiClient } from '../../api/client.js';
import { toErrorInfo } from '../../calls/call-controller.js';
import { apiContext, configContext, defaultConfig, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, toast, type ApiErrorInfo, type ToastOptions } from '../../events.js';
import { formatPhone, optOutSourceLabel } from '../../format.js';
import { buttons, tokens } from '../../styles/tokens.js';
import type { LeadsToaster } from '../leads-toaster/leads-toaster.js';
import { styles } from './sms-composer.styles.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

interface ZonedDay {
  y: number;
  m: number;
  d: number;
  weekday: string;
}

function zonedDay(date: Date, timeZone: string): ZonedDay {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', weekday: 'short' }).formatToParts(date);
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { y: Number(get('year')), m: Number(get('month')), d: Number(get('day')), weekday: get('weekday') };
}

/** "8:00 AM" in `timeZone`. */
export function clockTime(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit', hour12: true }).format(date);
}

/** "8:00 AM today", "8:00 AM tomorrow" or "8:00 AM Mon 24 Nov", on the wall clock of `timeZone`. */
export function whenInZone(at: Date, timeZone: string, now: Date = new Date()): string {
  const a = zonedDay(at, timeZone);
  const n = zonedDay(now, timeZone);
  const days = Math.round((Date.UTC(a.y, a.m - 1, a.d) - Date.UTC(n.y, n.m - 1, n.d)) / 86_400_000);
  const day = days === 0 ? 'today' : days === 1 ? 'tomorrow' : `${a.weekday} ${a.d} ${MONTHS[a.m - 1]}`;
  return `${clockTime(at, timeZone)} ${day}`;
}

/** The counter line: "142 / 160 · 1 segment", "161 / 306 · 2 segments", "65 / 70 · 1 segment · Unicode (UCS-2)". */
export function counterText(c: SegmentCount): string {
  const segments = Math.max(1, c.segments);
  const capacity = segments * c.perSegment;
  const parts = [`${c.units} / ${capacity}`, `${segments} segment${segments === 1 ? '' : 's'}`];
  if (c.encoding === 'UCS-2') parts.push('Unicode (UCS-2)');
  return parts.join(' · ');
}


/**
 * @tagname sms-composer
 * @summary A modal to text one lead: a labelled message box with a live character and segment count (GSM-7 and
 * UCS-2 rules), warnings past one segment and at the 1,600-character maximum, the opt-out state, a quiet-hours
 * notice (8:00 AM-9:00 PM in the lead's time zone, else the clinic's), and Send. One Idempotency-Key per composed
 * message, reused when the user retries the same text. On success it shows a toast ("SMS sent successfully" or
 * "SMS scheduled for ..."), fires `sms-sent` and closes.
 *
 * @fires sms-sent - The API accepted the text (`scheduled` when quiet hours deferred it).
 * @fires dialog-close - The composer closed (`reason`: close, escape, or done after a send).
 * @fires toast-show - The success toast, shown by the board's toaster.
 *
 * @csspart base - The <dialog>.
 * @csspart header - Title and recipient.
 * @csspart close-x - The × button.
 * @csspart body - The form.
 * @csspart textarea - The message box.
 * @csspart counter - "142 / 160 · 1 segment".
 * @csspart segment-warning - The warning past one segment or at the maximum.
 * @csspart opt-out - The opted-out explanation.
 * @csspart quiet-hours - The quiet-hours notice.
 * @csspart error - The API's error message.
 * @csspart settings-link - Link to the host's phone settings (TWILIO_NOT_CONFIGURED).
 * @csspart footer - The buttons.
 * @csspart send-button - Send.
 * @csspart cancel-button - Cancel.
 * @csspart toaster - Toasts shown while the dialog is open.
 *
 * @cssprop --leads-composer-width - Width of the dialog on wide screens (520px); full-screen under 600px.
 * @cssprop --leads-modal-bg - Dialog background (defaults to --leads-color-surface).
 * @cssprop --leads-modal-backdrop - The backdrop behind the dialog.
 */
export class SmsComposer extends LitElement {
  static override styles = [tokens, buttons, modalTokens, modalStyles, styles];

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => (this.textarea && !this.textarea.disabled ? this.textarea : this.closeX),
  );

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('leads-toaster') private toaster?: LeadsToaster;
  @query('textarea') private textarea?: HTMLTextAreaElement;
  @query('.close-x') private closeX?: HTMLButtonElement;

  /** The lead to text. */
  @property({ attribute: false }) lead: Lead | null = null;
  /** The lead's id; defaults to `lead.id`. */
  @property({ attribute: 'lead-id' }) leadId = '';
  /** Shows the dialog. */
  @property({ type: Boolean, reflect: true }) open = false;
  /** Text to start with (e.g. a template from the host). */
  @property() value = '';

  @consume({ context: apiContext, subscribe: true })
  @state()
  private api?: LeadsApiClient;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config: WidgetConfig = defaultConfig;

  @state() private body = '';
  @state() private sending = false;
  @state() private error: ApiErrorInfo | null = null;
  @state() private optedOutNow = false;
  @state() private now = Date.now();

  /** The key of the message being composed, and the text it was made for. */
  private idempotencyKey: string | null = null;
  private keyBody: string | null = null;
  private clock: ReturnType<typeof setInterval> | undefined;

  // --- lifecycle ------------------------------------------------------------------------------

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clock);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('open') && this.open) {
      this.body = this.value;
      this.error = null;
      this.optedOutNow = false;
      this.idempotencyKey = null;
      this.keyBody = null;
      this.now = Date.now();
      clearInterval(this.clock);
      this.clock = setInterval(() => (this.now = Date.now()), 30_000);
    } else if (changed.has('open') && !this.open) {
      clearInterval(this.clock);
    }
    if (changed.has('lead') && changed.get('lead') && this.lead?.id !== (changed.get('lead') as Lead | null)?.id) {
      this.optedOutNow = false;
    }
  }

  private get optedOut(): boolean {
    return !!this.lead?.smsOptOut || this.optedOutNow;
  }

  /** The zone quiet hours are judged in, like the server: the lead's, else the clinic's. */
  private get zone(): { zone: string; whose: "lead's" | 'clinic' } | null {
    const org = this.config?.session?.org.timezone;
    if (!isTimeZone(this.lead?.timezone) && !isTimeZone(org)) return null;
    return sendZone(this.lead?.timezone, org);
  }

  // --- event handlers -------------------------------------------------------------------------

  private onInput(event: InputEvent): void {
    this.body = (event.target as HTMLTextAreaElement).value;
    if (this.error && this.error.code !== 'SMS_OPTED_OUT') this.error = null;
  }

  private onKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.send();
    }
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    void this.send();
  }

  private onClose = (): void => void this.requestClose('close');

  // --- public methods -------------------------------------------------------------------------

  /** Close (focus returns to the opener) and fire `dialog-close`. */
  async requestClose(reason: 'close' | 'escape' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  /** True when the current text can be sent. */
  get canSend(): boolean {
    const count = countSegments(this.body);
    return !!this.api && !!this.leadKey && !!this.body.trim() && !this.sending && !this.optedOut && !count.tooLong;
  }

  private get leadKey(): string {
    return this.leadId || this.lead?.id || '';
  }

  /** Send the text. The same text keeps its Idempotency-Key across retries, so it is sent at most once. */
  /**
   * Shows a toast inside this dialog. A modal dialog makes the rest of the page inert, so the board routes toasts here
   * while the dialog is open: they stay visible and their buttons (Undo) stay usable.
   */
  showToast(options: ToastOptions): void {
    this.toaster?.show(options);
  }

  async send(): Promise<void> {
    if (!this.canSend) return;
    const body = this.body;
    if (!this.idempotencyKey || this.keyBody !== body) {
      this.idempotencyKey = newIdempotencyKey();
      this.keyBody = body;
    }
    this.sending = true;
    this.error = null;
    try {
      const reply = await this.api!.sendSms(this.leadKey, body, this.idempotencyKey);
      const zone = this.zone;
      const at = reply.sms.scheduledFor ? new Date(reply.sms.scheduledFor) : null;
      const message =
        reply.scheduled && at
          ? `SMS scheduled for ${zone ? `${whenInZone(at, zone.zone)} (${zone.whose} time)` : at.toLocaleString()}`
          : reply.scheduled
            ? 'SMS scheduled for the end of quiet hours'
            : 'SMS sent successfully';
      emit(this, 'sms-sent', { lead: this.lead, sms: reply.sms, scheduled: reply.scheduled });
      toast(this, { variant: 'success', message, outlivesDialog: true });
      this.idempotencyKey = null;
      this.keyBody = null;
      this.sending = false;
      await this.requestClose('done');
    } catch (err) {
      this.error = toErrorInfo(err);
      if (this.error.code === 'SMS_OPTED_OUT') this.optedOutNow = true;
    } finally {
      this.sending = false;
    }
    if (this.error) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="error"]')?.focus();
    }
  }

  // --- render ---------------------------------------------------------------------------------

  private renderOptOut(lead: Lead | null) {
    const at = lead?.smsOptOut?.at ? new Date(lead.smsOptOut.at) : null;
    const when = at && !Number.isNaN(at.getTime()) ? ` on ${at.getDate()} ${MONTHS[at.getMonth()]} ${at.getFullYear()}` : '';
    const how = lead?.smsOptOut?.source ? ` (${optOutSourceLabel(lead.smsOptOut.source)})` : '';
    return html`<div class="notice notice--error" part="opt-out" id="opt-out">
      <p>
        <strong>${lead?.name ?? 'This lead'} opted out of texts${when}${how}.</strong> Sending is turned off: texts can't be sent
        again unless they reply START. You can still call them.
      </p>
    </div>`;
  }

  private renderQuietHours() {
    const zone = this.zone;
    if (!zone) return nothing;
    const now = new Date(this.now);
    let next: Date | null;
    try {
      next = nextAllowedSendTime(now, zone.zone, this.config?.session?.org.quietHours ?? DEFAULT_SEND_WINDOW);
    } catch {
      return nothing;
    }
    if (!next) return nothing;
    const local = clockTime(now, zone.zone);
    const who = zone.whose === "lead's" ? `for ${this.lead?.name ?? 'the lead'}` : 'at the clinic';
    return html`<div class="notice notice--warning" part="quiet-hours" id="quiet-hours">
      <p>
        <strong>Quiet hours:</strong> it's ${local} ${who} (${zone.zone.replace(/_/g, ' ')}), outside texting hours (8:00 AM–9:00 PM).
        If you send now, the text will be held and sent at ${whenInZone(next, zone.zone, now)} (${zone.whose} time).
      </p>
    </div>`;
  }

  private renderError() {
    const e = this.error;
    if (!e || e.code === 'SMS_OPTED_OUT') return nothing;
    const settings = this.config?.settings?.phoneSettingsUrl;
    let title = "The text wasn't sent";
    let extra: unknown = nothing;
    if (e.code === 'TWILIO_NOT_CONFIGURED') {
      title = "Texting isn't set up yet";
      extra = settings
        ? html`<p><a part="settings-link" href=${settings}>Open phone settings</a> to connect your Twilio number, then send again.</p>`
        : html`<p>Ask your administrator to connect a Twilio number in the phone settings.</p>`;
    } else if (e.code === 'INVALID_PHONE_FORMAT') {
      title = "This number can't receive texts";
      extra = html`<p>Numbers need the international format, e.g. <code>+12125551234</code>. Correct it in your CRM, then send again.</p>`;
    } else if (e.status === 0 || e.status >= 500) {
      extra = html`<p>Press Send to try again: the same message won't be sent twice.</p>`;
    }
    return html`<div class="notice notice--error" part="error" role="alert" tabindex="-1">
      <div>
        <p><strong>${title}.</strong> ${e.message}</p>
        ${extra}
      </div>
    </div>`;
  }

  private renderSegmentWarning(count: SegmentCount) {
    if (count.tooLong) {
      return html`<p class="notice notice--error" part="segment-warning" id="segment-warning">
        Too long: ${count.characters.toLocaleString('en-US')} characters. Texts can have at most
        ${MAX_SMS_CHARACTERS.toLocaleString('en-US')}; shorten it to send.
      </p>`;
    }
    if (count.characters === MAX_SMS_CHARACTERS) {
      return html`<p class="notice notice--warning" part="segment-warning" id="segment-warning">
        You've reached the ${MAX_SMS_CHARACTERS.toLocaleString('en-US')}-character maximum (${count.segments} segments).
      </p>`;
    }
    if (count.segments > 1) {
      return html`<p class="notice notice--warning" part="segment-warning" id="segment-warning">
        Long message: it will arrive as ${count.segments} texts joined together and is billed as ${count.segments} segments.
        ${count.encoding === 'UCS-2'
          ? html`Emoji and some special characters switch it to Unicode, which fits 70 characters per text instead of 160.`
          : nothing}
      </p>`;
    }
    return nothing;
  }

  override render() {
    const lead = this.lead;
    const count = countSegments(this.body);
    const optedOut = this.optedOut;
    const from = this.config?.session?.telephony.twilioNumber;
    const describedBy = ['counter', optedOut ? 'opt-out' : '', count.segments > 1 || count.tooLong || count.characters === MAX_SMS_CHARACTERS ? 'segment-warning' : '']
      .filter(Boolean)
      .join(' ');
    const over = count.segments > 1 || count.tooLong;
    return html`<dialog part="base" aria-labelledby="title" aria-describedby="recipient">
      <header class="modal-header" part="header">
        <div class="title-row">
          <h2 id="title">Text ${lead?.name ?? 'lead'}</h2>
          <button class="btn btn--ghost close-x" part="close-x" aria-label="Close the composer" @click=${this.onClose}>×</button>
        </div>
        <p class="recipient" id="recipient">
          To <span class="number">${lead ? formatPhone(lead.phone) || 'no phone' : '—'}</span>${from
            ? html`<span class="muted"> · from <span class="number">${formatPhone(from)}</span></span>`
            : nothing}
        </p>
      </header>
      <form class="modal-body" part="body" id="form" @submit=${this.onSubmit}>
        ${optedOut ? this.renderOptOut(lead) : this.renderQuietHours()}
        ${lead && lead.phoneValid === false && !optedOut
          ? html`<p class="notice notice--warning">
              “${lead.phone}” is not in international format (e.g. +12125551234); the text may be refused.
            </p>`
          : nothing}
        <div class="field">
          <label for="message">Message</label>
          <textarea
            id="message"
            part="textarea"
            rows="6"
            .value=${this.body}
            ?disabled=${optedOut}
            ?readonly=${this.sending}
            aria-describedby=${describedBy}
            aria-invalid=${count.tooLong ? 'true' : 'false'}
            placeholder=${optedOut ? 'Texts are off for this lead' : 'Hi! Thanks for your interest…'}
            @input=${this.onInput}
            @keydown=${this.onKeydown}
          ></textarea>
          <div class="meta">
            <span class="counter ${over ? 'over' : ''} ${count.tooLong ? 'too-long' : ''}" part="counter" id="counter">${counterText(count)}</span>
            <span class="hint muted">Ctrl+Enter to send</span>
          </div>
        </div>
        <div aria-live="polite">${this.renderSegmentWarning(count)}</div>
        ${this.renderError()}
      </form>
      <footer class="modal-footer" part="footer">
        <span class="spacer"></span>
        <button class="btn" part="cancel-button" @click=${this.onClose}>Cancel</button>
        <button
          class="btn btn--primary"
          part="send-button"
          type="submit"
          form="form"
          ?disabled=${!this.canSend}
          aria-busy=${this.sending ? 'true' : 'false'}
        >
          ${this.sending ? html`<span class="spinner" aria-hidden="true"></span>Sending…` : 'Send'}
        </button>
      </footer>
      <leads-toaster part="toaster"></leads-toaster>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sms-composer': SmsComposer;
  }
}
