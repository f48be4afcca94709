import { consume } from '@lit/context';
import { LitElement, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Lead } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';
import { callGuideTemplate, callStateStyles, callStateTemplate } from '../../calls/call-view.js';
import { CallController } from '../../calls/call-controller.js';
import { callModesOf, callModeTemplate, legText, preferredMode } from '../../calls/call-mode.js';
import { loadLazy } from '../../lazy-load.js';
import { presenceContext, presenceText, PresenceWatch, type Presence } from '../../leads/presence.js';
import { apiContext, configContext, defaultConfig, liveContext, type WidgetConfig } from '../../contexts.js';
import { emit } from '../../events.js';
import {
  formatPhone,
  relativeTime,
  statusLabel,
  TIER_INFO,
  tierOf,
} from '../../format.js';
import { editContact } from '../../leads/contact-edit.js';
import { scheduleFollowUp } from '../../leads/follow-up.js';
import { askLostReason, type LostChoice } from '../../leads/lost-reason.js';
import { changeLeadStatus } from '../../leads/status-actions.js';
import type { LeadSelection } from '../../leads/selection.js';
import { nextLineStyles, nextLinesTemplate } from '../../leads/next-lines.js';
import { scoreRuleStyles, scoreRulesTemplate } from '../../leads/score-view.js';
import { badges, buttons, tokens } from '../../styles/tokens.js';
import { clockIcon, messageIcon, phoneIcon } from './icons.js';
import { styles } from './lead-card.styles.js';

const INTERACTIVE = new Set(['BUTTON', 'A', 'INPUT', 'SELECT', 'TEXTAREA', 'SUMMARY', 'CALL-ERROR-GUIDE']);

/**
 * @tagname lead-card
 * @summary One lead on the board: tier and status badges, name, phone, services, last contact, and the
 * Call Back / SMS / Book / Lost actions. Clicking anywhere but a button (or Space / Enter on the focused card)
 * opens the lead. Keys while focus is in the card: C call, S SMS, B book, L lost (asks why first), F follow up, E edit the contact,
 * X select (with a `selection`, the card shows a "Select <name>" checkbox).
 *
 * @fires lead-open - The card was activated (cancelable).
 * @fires call-start-request - Before the call is placed (cancelable).
 * @fires call-started - The API queued the call.
 * @fires call-failed - The API refused the call or the call failed.
 * @fires sms-compose-request - The SMS button was pressed (the board opens the composer unless prevented).
 * @fires lead-status-change-request - Before Book / Lost is sent (cancelable).
 * @fires lead-status-change - The status changed (or was undone).
 * @fires lead-contact-change-request - Before the contact form opens (cancelable: the host opens its own form).
 * @fires lead-contact-change - A contact edit was saved.
 * @fires toast-show - Asks the board's toaster for "Lead marked as ..." toasts.
 *
 * @csspart base - The card box.
 * @csspart header - The row of badges.
 * @csspart select - The selection checkbox (shown when the board passes a `selection`).
 * @csspart score-badge - The tier and score badge (a button that explains the score).
 * @csspart status-badge - The status badge.
 * @csspart explanation - The score explanation panel.
 * @csspart body - Name, phone, services, last contact.
 * @csspart name - The lead's name.
 * @csspart phone - The phone line.
 * @csspart tags - The services list.
 * @csspart appointment - The next appointment ("Appointment Tue 2:30 PM", clinic time).
 * @csspart follow-up - The next follow-up (overdue, today, or its time).
 * @csspart lost-reason - Why a lost lead was lost.
 * @csspart call-outcome - The last call's outcome ("Last call: Voicemail") when no call is being followed.
 * @csspart suggest-lost - "Mark lost?" after a call where the lead said they are not interested (opens the Lost dialog).
 * @csspart footer - The action buttons row.
 * @csspart call-button - Call Back.
 * @csspart sms-button - SMS.
 * @csspart book-button - Book.
 * @csspart lost-button - Lost.
 * @csspart follow-up-button - Follow up (schedules a follow-up).
 * @csspart guide - The call-error-guide shown after a refused call.
 *
 * @cssprop --leads-card-bg - Card background (defaults to --leads-color-surface).
 * @cssprop --leads-card-border - Card border colour.
 * @cssprop --leads-card-padding - Inner spacing (14px).
 * @cssprop --leads-hot-accent - The left edge of a Hot card.
 * @cssprop --leads-warm-accent - The left edge of a Warm card.
 */
export class LeadCard extends LitElement {
  static override styles = [tokens, buttons, badges, scoreRuleStyles, styles, callStateStyles, nextLineStyles];

  private readonly calls = new CallController(this, {
    api: () => this.api,
    live: () => this.live,
    lead: () => this.lead,
    presence: () => this.presence,
    me: () => this.config.session?.user.id,
    mode: () => (callModesOf(this.config.session).length > 1 ? preferredMode(this.config.session) : undefined),
  });

  /** The lead to show (from GET /v1/leads or a realtime event). */
  @property({ attribute: false }) lead: Lead | null = null;
  /** Reference time for "5m ago" (ms); the board ticks it every minute. Defaults to now at render. */
  @property({ attribute: false }) now: number | null = null;
  /** The board's selection: the card shows a checkbox and X toggles it. */
  @property({ attribute: false }) selection: LeadSelection | null = null;

  @consume({ context: apiContext, subscribe: true })
  @state()
  private api?: LeadsApiClient;

  @consume({ context: liveContext, subscribe: true })
  @state()
  private live?: LiveUpdates;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config: WidgetConfig = defaultConfig;

  @consume({ context: presenceContext, subscribe: true })
  @state()
  private presence?: Presence;

  /** Colleagues on this lead ("Maria is calling · 0:42", ticking). */
  private readonly watch = new PresenceWatch(this, { presence: () => this.presence, leadId: () => this.lead?.id });

  @state() private explainOpen = false;
  @state() private pendingStatus: 'booked' | 'lost' | null = null;
  private askingLost = false;
  private offSelection: (() => void) | null = null;

  constructor() {
    super();
    this.addEventListener('click', this.onHostClick);
    this.addEventListener('keydown', this.onHostKeydown);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offSelection?.();
    this.offSelection = null;
  }

  protected override willUpdate(changed: Map<PropertyKey, unknown>): void {
    if (changed.has('selection') || (this.selection && !this.offSelection)) {
      this.offSelection?.();
      this.offSelection = this.selection?.onChange(() => this.requestUpdate()) ?? null;
    }
  }

  /** The Assign control: the owner picker (lazy), then PATCH ownerId; the toast says to whom. */
  async assign(): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      const lazy = await loadLazy();
      const saved = await lazy.assignOne(this, this.renderRoot, this.api, lead, this.config.session);
      if (saved && this.lead?.id === saved.id) this.lead = saved;
    } finally {
      this.askingLost = false;
    }
  }

  override updated(): void {
    const lead = this.lead;
    if (!lead) return;
    if (!this.hasAttribute('role')) this.setAttribute('role', 'article');
    const tier = TIER_INFO[tierOf(lead.leadScore)];
    this.setAttribute('aria-label', `${lead.name}, ${tier.label} ${lead.leadScore}, ${statusLabel(lead.leadStatus)}`);
  }

  private onHostClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || !this.lead) return;
    for (const node of event.composedPath()) {
      if (node === this) break;
      if (node instanceof HTMLElement && (INTERACTIVE.has(node.tagName) || node.localName === 'dialog' || node.classList.contains('why'))) return;
    }
    if (globalThis.getSelection?.()?.toString()) return;
    this.open();
  };

  private onHostKeydown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey || !this.lead) return;
    const origin = event.composedPath()[0];
    if ((event.key === ' ' || event.key === 'Enter') && origin === this) {
      event.preventDefault();
      this.open();
      return;
    }
    if (event.key === 'Escape' && this.explainOpen) {
      event.preventDefault();
      this.explainOpen = false;
      return;
    }
    const action = { c: () => this.startCall(), s: () => this.composeSms(), b: () => this.book(), l: () => this.markLost(), f: () => this.followUp(), e: () => this.editContact(), x: () => this.toggleSelected() }[
      event.key.toLowerCase()
    ];
    if (action && !event.shiftKey) {
      event.preventDefault();
      action();
    }
  };

  private toggleSelected(): void {
    if (this.lead) this.selection?.toggle(this.lead.id);
  }

  private toggleExplain(): void {
    this.explainOpen = !this.explainOpen;
  }

  /** Open the lead (fires the cancelable `lead-open`; the board shows `lead-detail`). */
  open(): void {
    if (this.lead) emit(this, 'lead-open', { lead: this.lead }, { cancelable: true });
  }

  /** Call Back: places the outbound call and follows its state. */
  startCall(): Promise<void> {
    return this.calls.start();
  }

  /** SMS: asks the board to open the composer. */
  composeSms(): void {
    if (this.lead) emit(this, 'sms-compose-request', { lead: this.lead }, { cancelable: true });
  }

  /** Book (not offered when booked or converted). */
  book(): Promise<void> {
    return this.setStatus('booked');
  }

  /**
   * Lost (not offered when lost or converted): asks why first ("Why was this lead lost?"); cancelling it changes
   * nothing. The toast offers Undo.
   */
  async markLost(): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.pendingStatus || this.askingLost || !this.canLose(lead)) return;
    this.askingLost = true;
    let choice: LostChoice | null;
    try {
      choice = await askLostReason(this.renderRoot, lead, this.config.session?.org.timezone);
    } finally {
      this.askingLost = false;
    }
    if (choice) await this.setStatus('lost', choice);
  }

  /** Follow up (F): "Schedule a follow-up" with the quick choices, in the clinic's time zone. */
  async followUp(): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      const f = await scheduleFollowUp(this, this.renderRoot, this.api, lead, this.config.session?.org.timezone);
      const shown = this.lead;
      // Shown at once; the realtime lead:updated confirms it.
      if (f && shown?.id === lead.id && (!shown.nextFollowUpAt || Date.parse(f.dueAt) <= Date.parse(shown.nextFollowUpAt))) {
        this.lead = { ...shown, nextFollowUpAt: f.dueAt, nextFollowUpId: f.id };
      }
    } finally {
      this.askingLost = false;
    }
  }

  /** Edit contact (E, and the invalid-phone guide): the host may veto it and open its own form. */
  async editContact(field?: 'phone'): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      const saved = await editContact(this, this.renderRoot, this.api, lead, field);
      if (saved && this.lead?.id === saved.id) {
        this.lead = saved;
        if (saved.phoneValid) this.calls.dismissError();
      }
    } finally {
      this.askingLost = false;
    }
  }

  private async setStatus(to: 'booked' | 'lost', lost?: LostChoice): Promise<void> {
    const lead = this.lead;
    if (!lead || !this.api || this.pendingStatus) return;
    if (to === 'booked' && !this.canBook(lead)) return;
    if (to === 'lost' && !this.canLose(lead)) return;
    this.pendingStatus = to;
    try {
      const result = await changeLeadStatus(this, this.api, lead, to, { lost });
      const shown = result.kind === 'changed' || result.kind === 'stale' ? result.lead : null;
      if (shown && this.lead?.id === shown.id) this.lead = shown;
    } finally {
      this.pendingStatus = null;
    }
  }

  private canBook(lead: Lead): boolean {
    return lead.leadStatus !== 'booked' && lead.leadStatus !== 'converted' && lead.leadStatus !== 'lost';
  }

  private canLose(lead: Lead): boolean {
    return lead.leadStatus !== 'lost' && lead.leadStatus !== 'converted';
  }

  private renderExplanation(lead: Lead) {
    const b = lead.scoreBreakdown;
    return html`<div class="why" id="why" part="explanation">
      <h4>Why ${lead.leadScore}?</h4>
      ${scoreRulesTemplate(b, { maxQuotes: 2 })}
    </div>`;
  }


  /** "Maria is calling · 0:42" / "Sam is viewing": colleagues on this lead (never the user's own presence). */
  private renderPresence() {
    const others = this.watch.others;
    if (!others.length) return nothing;
    const calling = others.some((u) => u.activity === 'calling');
    return html`<p class="line presence ${calling ? 'calling' : ''}" part="presence"><span class="dot" aria-hidden="true"></span>${presenceText(others)}</p>`;
  }

  private renderCallButton() {
    const { phase, busy } = this.calls;
    const label = !busy
      ? 'Call Back'
      : phase === 'starting' || phase === 'queued'
        ? 'Calling...'
        : phase === 'ringing'
          ? 'Ringing...'
          : phase === 'in-progress'
            ? 'On call'
            : 'Call Back';
    return html`<button class="btn btn--primary" part="call-button" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${this.startCall}>
      ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : phoneIcon}${label}
    </button>`;
  }

  override render() {
    const lead = this.lead;
    if (!lead) return nothing;
    const tierKey = tierOf(lead.leadScore);
    const tier = TIER_INFO[tierKey];
    const services = lead.services ?? [];
    const shown = services.slice(0, 3);
    const more = services.length - shown.length;
    const now = this.now ?? Date.now();
    return html`<div class="card ${tierKey}" part="base">
      <header part="header">
        ${this.selection
          ? html`<input type="checkbox" class="select" part="select" aria-label="Select ${lead.name}" aria-keyshortcuts="X"
              .checked=${this.selection.has(lead.id)} @change=${this.toggleSelected} />`
          : nothing}
        <button
          class="badge badge--${tierKey}"
          part="score-badge"
          aria-expanded=${this.explainOpen ? 'true' : 'false'}
          aria-controls="why"
          title="Why this score?"
          @click=${this.toggleExplain}
        >
          <span aria-hidden="true">${tier.emoji}</span> ${tier.label} ${lead.leadScore}<span class="visually-hidden">, explain the score</span>
        </button>
        <span class="badge badge--status badge--${lead.leadStatus}" part="status-badge">${statusLabel(lead.leadStatus)}</span>
        <button
          class="btn btn--ghost owner-btn"
          part="owner-button"
          aria-haspopup="dialog"
          aria-label=${lead.ownerId ? `Reassign (owner: ${lead.ownerName ?? 'someone'})` : 'Assign an owner'}
          @click=${this.assign}
        >
          ${lead.ownerId ? 'Reassign' : 'Assign'}
        </button>
      </header>
      ${this.explainOpen ? this.renderExplanation(lead) : nothing}
      <div class="body" part="body">
        <h3 class="name" part="name">${lead.name}</h3>
        <p class="line phone ${lead.phoneValid === false ? 'invalid' : ''}" part="phone">
          ${phoneIcon}<span>${formatPhone(lead.phone) || 'No phone'}</span>
        </p>
        ${shown.length
          ? html`<ul class="tags" part="tags" aria-label="Services">
              ${shown.map((s) => html`<li class="tag">${s}</li>`)}
              ${more > 0 ? html`<li class="tag more" title=${services.slice(3).join(', ')}>+${more} more</li>` : nothing}
            </ul>`
          : nothing}
        <p class="line">
          ${clockIcon}<span
            >Last contact:
            ${lead.lastContactAt
              ? html`<time datetime=${lead.lastContactAt}>${relativeTime(lead.lastContactAt, now)}</time>`
              : 'Never'}</span
          >
        </p>
        ${nextLinesTemplate(lead, this.config.session?.org.timezone, now, (cls, part, content) => html`<p class="line ${cls}" part=${part}>${content}</p>`)}
        ${this.renderPresence()}
        ${legText(this.calls.call)
          ? html`<p class="call-state" role="status">${legText(this.calls.call)}</p>`
          : callStateTemplate(this.calls, { lead, timeZone: this.config.session?.org.timezone, onMarkLost: () => void this.markLost() })}
      </div>
      ${callGuideTemplate(this.calls, lead, 4, () => this.editContact('phone'))}
      <footer part="footer">
        ${callModeTemplate(this.config.session, () => this.requestUpdate(), this.calls.busy)} ${this.renderCallButton()}
        <button class="btn" part="sms-button" @click=${this.composeSms}>${messageIcon}SMS</button>
        <button class="btn" part="follow-up-button" aria-keyshortcuts="F" @click=${this.followUp}>${clockIcon}Follow up</button>
        ${this.canBook(lead)
          ? html`<button class="btn" part="book-button" ?disabled=${!!this.pendingStatus} @click=${this.book}>Book</button>`
          : nothing}
        ${this.canLose(lead)
          ? html`<button class="btn btn--danger" part="lost-button" ?disabled=${!!this.pendingStatus} @click=${this.markLost}>
              Lost
            </button>`
          : nothing}
      </footer>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lead-card': LeadCard;
  }
}
