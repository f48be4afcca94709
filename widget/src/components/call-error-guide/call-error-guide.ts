import { consume } from '@lit/context';
import { LitElement, html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators.js';
import { configContext, defaultConfig, type WidgetConfig } from '../../contexts.js';
import { emit } from '../../events.js';
import { formatPhone } from '../../format.js';
import { phoneProblemMessage } from '../../../../core/phone.js';
import { phoneProblemOf } from '../../dialogs/contact-dialog.js';
import { buttons, tokens } from '../../styles/tokens.js';
import { styles } from './call-error-guide.styles.js';

interface Guide {
  title: string;
  steps: (phone: string) => Array<string | TemplateResult>;
  /** Which host settings page can fix it; null when only the lead's contact can. */
  link: 'agentSettingsUrl' | 'phoneSettingsUrl' | null;
  linkLabel: string;
  examples?: boolean;
}

/** The guides, by API error code (docs/api.md: POST /v1/leads/:id/calls). */
export const CALL_GUIDES: Record<string, Guide> = {
  OUTBOUND_AGENT_NOT_CONFIGURED: {
    title: 'Set up the outbound calling agent',
    steps: () => [
      'Open the agent settings of your clinic (button below).',
      'Give the outbound agent a name, a voice and the first message it says when the lead answers.',
      'Save, come back here and press Call Back again.',
    ],
    link: 'agentSettingsUrl',
    linkLabel: 'Open agent settings',
  },
  NO_PHONE_NUMBER: {
    title: 'Connect a phone number for calls',
    steps: () => [
      'Open the phone settings of your clinic (button below).',
      'Import your Twilio number: Account SID, Auth Token and the number in E.164 format (e.g. +12125551234).',
      'Save, come back here and press Call Back again.',
    ],
    link: 'phoneSettingsUrl',
    linkLabel: 'Open phone settings',
  },
  INVALID_PHONE_FORMAT: {
    title: "This phone number can't be dialled",
    steps: (phone) => [
      html`A number needs its country code and all its digits: <strong>+1 212 555 1234</strong>, or 212 555 1234 in a
        US clinic. Spaces, brackets and dashes are fine.${phone ? html` This lead has <code>${phone}</code>.` : nothing}`,
      "Correct the lead's number: Edit contact below, or in your CRM (the board updates when it syncs).",
      'Press Call Back again.',
    ],
    // the lead's number is the problem: the clinic's settings cannot fix it (no settings link)
    link: null,
    linkLabel: '',
    examples: true,
  },
  /** INVALID_PHONE_FORMAT when the lead's own number is fine: the clinic's calling number is what was refused. */
  INVALID_CLINIC_PHONE: {
    title: "The clinic's calling number can't be used",
    steps: (phone) => [
      html`The lead's number${phone ? html` <code>${phone}</code>` : nothing} is fine: the number your clinic calls from was refused.`,
      'Open the phone settings and correct or re-import the clinic number (it needs its country code, like +1 212 555 1234).',
      'Press Call Back again.',
    ],
    link: 'phoneSettingsUrl',
    linkLabel: 'Open phone settings',
  },
};

/**
 * @tagname call-error-guide
 * @summary A step-by-step fix for a refused call: OUTBOUND_AGENT_NOT_CONFIGURED, NO_PHONE_NUMBER or
 * INVALID_PHONE_FORMAT (with valid and invalid E.164 examples), with a button to the host's settings page.
 * Other codes show the API's message. The settings links come from `configContext` (the board's
 * `agent-settings-url` / `phone-settings-url`) unless set on the element.
 *
 * @fires call-error-dismiss - The user closed the guide.
 * @fires call-error-edit - "Edit contact" in the INVALID_PHONE_FORMAT guide (with `editable`): the card or detail opens the contact form.
 *
 * @csspart base - The guide box.
 * @csspart title - The heading.
 * @csspart steps - The ordered list of steps.
 * @csspart examples - The E.164 examples.
 * @csspart settings-link - The link to the host's settings page.
 * @csspart dismiss - The close button.
 * @csspart edit-contact - "Edit contact" (INVALID_PHONE_FORMAT).
 * @csspart problem - What is wrong with the stored number.
 *
 * @cssprop --leads-guide-bg - Background of the guide.
 * @cssprop --leads-guide-border - Border colour of the guide.
 */
export class CallErrorGuide extends LitElement {
  static override styles = [tokens, buttons, styles];

  @consume({ context: configContext, subscribe: true })
  @property({ attribute: false })
  config: WidgetConfig = defaultConfig;

  /** The API error code. */
  @property() code = '';
  /** The API's message, shown for codes without a guide. */
  @property() message = '';
  /** The lead's phone as stored (shown in the INVALID_PHONE_FORMAT guide). */
  @property() phone = '';
  /** Overrides the configured link to the host's agent settings page. */
  @property({ attribute: 'agent-settings-url' }) agentSettingsUrl: string | null = null;
  /** Overrides the configured link to the host's phone settings page. */
  @property({ attribute: 'phone-settings-url' }) phoneSettingsUrl: string | null = null;
  /** Offer "Edit contact" in the INVALID_PHONE_FORMAT guide (fires `call-error-edit`). */
  @property({ type: Boolean }) editable = false;
  /** Heading level of the title (2-6) to fit the surrounding outline. */
  @property({ type: Number, attribute: 'heading-level' }) headingLevel = 3;

  private onDismiss(): void {
    emit(this, 'call-error-dismiss', { code: this.code });
  }

  private linkFor(guide: Guide): string | null {
    if (!guide.link) return null;
    const own = guide.link === 'agentSettingsUrl' ? this.agentSettingsUrl : this.phoneSettingsUrl;
    return own ?? this.config?.settings?.[guide.link] ?? null;
  }

  private renderExamples() {
    return html`<div class="examples" part="examples">
      <div>
        <h4 class="ok">Dialled</h4>
        <ul>
          <li><code>+1 (212) 555-1234</code> <span class="why">US, as the board shows it</span></li>
          <li><code>(212) 555-1234</code> <span class="why">in a US clinic</span></li>
          <li><code>+44 7911 123456</code> <span class="why">UK mobile</span></li>
        </ul>
      </div>
      <div>
        <h4 class="bad">Not dialled</h4>
        <ul>
          <li><code>555-1234</code> <span class="why">no area code</span></li>
          <li><code>+1 212 555 12</code> <span class="why">digits missing</span></li>
          <li><code>0044 7911 123456</code> <span class="why">write +44, not 0044</span></li>
        </ul>
      </div>
    </div>`;
  }

  private renderTitle(text: string) {
    const level = Math.min(6, Math.max(2, this.headingLevel));
    return html`<div class="title" part="title" role="heading" aria-level=${level}>${text}</div>`;
  }

  override render() {
    const problem = this.code === 'INVALID_PHONE_FORMAT' && this.phone ? phoneProblemOf(this.phone) : null;
    // A refused format with a lead number that is fine: the clinic's own number is the one to fix.
    const key = this.code === 'INVALID_PHONE_FORMAT' && this.phone && !problem ? 'INVALID_CLINIC_PHONE' : this.code;
    const guide = CALL_GUIDES[key];
    const dismiss = html`<button class="btn" part="dismiss" @click=${this.onDismiss}>Dismiss</button>`;
    if (!guide) {
      return html`<div class="guide" part="base" role="alert">
        ${this.renderTitle("The call couldn't start")}
        <p class="message">${this.message || 'Please try again in a moment.'}</p>
        <div class="actions">${dismiss}</div>
      </div>`;
    }
    const href = this.linkFor(guide);
    const phoneGuide = key === 'INVALID_PHONE_FORMAT';
    return html`<div class="guide" part="base" role="alert">
      ${this.renderTitle(guide.title)} ${this.message ? html`<p class="message">${this.message}</p>` : nothing}
      ${problem ? html`<p class="message" part="problem">${phoneProblemMessage(this.phone, problem)}</p>` : nothing}
      <ol part="steps">
        ${guide.steps(this.phone ? formatPhone(this.phone) : '').map((s) => html`<li>${s}</li>`)}
      </ol>
      ${guide.examples ? this.renderExamples() : nothing}
      <div class="actions">
        ${phoneGuide && this.editable
          ? html`<button class="btn btn--primary" part="edit-contact" @click=${() => emit(this, 'call-error-edit', { code: this.code })}>Edit contact</button>`
          : nothing}
        ${href
          ? html`<a class="btn btn--primary" part="settings-link" href=${href}>${guide.linkLabel}</a>`
          : guide.link
            ? html`<p class="message">Ask your administrator to open the settings.</p>`
            : phoneGuide && !this.editable
              ? html`<p class="message">Correct the number in your CRM.</p>`
              : nothing}
        ${dismiss}
      </div>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'call-error-guide': CallErrorGuide;
  }
}
