import { consume } from '@lit/context';
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Appointment, Call, Lead, LeadDetail as LeadDetailData, LeadEvent, LeadStatus, Note } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';
import { callGuideTemplate, callOutcomeText, callStateStyles, callStateTemplate } from '../../calls/call-view.js';
import { CallController } from '../../calls/call-controller.js';
import { callModesOf, callModeTemplate, legText, preferredMode } from '../../calls/call-mode.js';
import { presenceContext, presenceText, PresenceWatch, type Presence } from '../../leads/presence.js';
import { apiContext, configContext, defaultConfig, liveContext, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, type LeadsEvent, type ToastOptions } from '../../events.js';
import { loadLazy } from '../../lazy-load.js';
import {
  CALL_STATUS_LABELS,
  callDate,
  duration,
  formatPhone,
  relativeTime,
  statusLabel,
  TIER_INFO,
  tierOf,
} from '../../format.js';
import { editContact } from '../../leads/contact-edit.js';
import { scheduleFollowUp } from '../../leads/follow-up.js';
import { askLostReason } from '../../leads/lost-reason.js';
import { nextLineStyles, nextLinesTemplate } from '../../leads/next-lines.js';
import { scoreRuleStyles, scoreRulesTemplate } from '../../leads/score-view.js';
import { badges, buttons, tokens } from '../../styles/tokens.js';
import { messageIcon, phoneIcon } from '../lead-card/icons.js';
import type { LeadsToaster } from '../leads-toaster/leads-toaster.js';
import { CALLS_SHOWN, DetailLoader } from './detail-loader.js';
import { styles } from './lead-detail.styles.js';
import { NotesController, type PendingNote } from './notes-controller.js';
import { DeleteController } from './delete-controller.js';
import { StatusController } from './status-controller.js';
import { TranscriptCache } from './transcript-cache.js';
import { UndoTimer } from './undo-timer.js';

const mailIcon = svg`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"><rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/></svg>`;

/** How long the one who marked a lead lost may undo it (core/workflow.ts). */
export { UNDO_WINDOW_MS } from './undo-timer.js';
const SNIPPET_LENGTH = 100;

/** "First 100 characters" of a transcript, by code points (an emoji is not cut in half), with an ellipsis when cut. */
export function snippet(text: string | null | undefined, length = SNIPPET_LENGTH): string {
  const clean = (text ?? '').replace(/\s+/g, ' ').trim();
  const chars = Array.from(clean);
  return chars.length > length ? `${chars.slice(0, length).join('').trimEnd()}…` : clean;
}

/** One line per timeline event. */
export function describeEvent(e: LeadEvent): string {
  const by = e.actor?.name ? ` by ${e.actor.name}` : '';
  const label = (s: string | null) => (s ? statusLabel(s as LeadStatus) : '?');
  switch (e.type) {
    case 'created':
      return `Lead created${e.to ? ` as ${label(e.to)}` : ''}${by}`;
    case 'status_changed':
      return `Status ${label(e.from)} → ${label(e.to)}${by}${e.detail ? ` (${e.detail})` : ''}`;
    case 'scored':
      return e.from !== null ? `Score ${e.from} → ${e.to}` : `Scored ${e.to}`;
    case 'note_added':
      return `Note added${by}`;
    case 'call':
      if (e.to === 'queued') return `Call started${by}`;
      if (e.to === 'failed') return `Call failed${e.detail ? `: ${e.detail}` : ''}`;
      return `Call ${e.to ?? ''}${e.detail ? `: ${e.detail}` : ''}`.trim();
    case 'sms': {
      const text = e.detail ? `: “${e.detail}”` : '';
      if (e.to === 'scheduled') return `Text scheduled for quiet hours${by}${text}`;
      if (e.to === 'failed' || e.to === 'undelivered') return `Text ${e.to}${e.detail ? `: ${e.detail}` : ''}`;
      return `Text sent${by}${text}`;
    }
    case 'sms_inbound':
      return `Text received${e.detail ? `: “${e.detail}”` : ''}`;
    case 'opted_out':
      return `Opted out of texts${e.detail ? ` (${e.detail})` : ''}`;
    case 'opted_in':
      return `Opted back in to texts${e.detail ? ` (${e.detail})` : ''}`;
    case 'opt_out_request':
      return `Asked not to be contacted${e.detail ? `: “${e.detail}”` : ''}`;
    case 'appointment':
      return `Appointment${e.detail ? `: ${e.detail}` : ''}`;
    default:
      return `${String(e.type).replace(/_/g, ' ')}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

/**
 * @tagname lead-detail
 * @summary Everything about one lead in a modal dialog: contact details, score explanation, status workflow
 * (with Undo after Lost and an admin's Revert), the open follow-ups (Done, Snooze, Delete), the last call's outcome
 * (with "Mark lost?" after "Not interested"), the last 5 calls with their transcripts and outcomes, appointments, notes
 * and the timeline, plus Call Now and SMS. Loads `GET /v1/leads/:id` when opened and follows the live updates of the lead.
 * Set `open` to show it; it closes itself (Close, ×, Esc) and fires `dialog-close`. Focus is trapped while open and
 * returns to the element that had it before.
 *
 * @fires dialog-close - The dialog closed (`reason`: close or escape).
 * @fires lead-status-change-request - Before a status change is sent (cancelable).
 * @fires lead-status-change - A status changed, was undone or reverted.
 * @fires call-start-request - Before Call Now places the call (cancelable).
 * @fires call-started - The API queued the call.
 * @fires call-failed - The API refused the call or the call failed.
 * @fires sms-compose-request - SMS was pressed (cancelable). Inside `leads-board` the board opens the composer;
 *   standing alone, the detail opens its own `sms-composer` unless the event is prevented.
 * @fires lead-contact-change-request - Before the contact form opens (cancelable: the host opens its own form).
 * @fires lead-contact-change - A contact edit was saved.
 * @fires toast-show - Toasts for status changes ("Lead marked as lost", "Lead restored to ...").
 *
 * @csspart base - The <dialog>.
 * @csspart header - Name, badges and contact details.
 * @csspart name - The lead's name (the dialog's label).
 * @csspart close-x - The × button.
 * @csspart score-badge - Tier and score.
 * @csspart status-badge - The current status.
 * @csspart phone - The tel: link.
 * @csspart phone-warning - The "invalid phone" note (with "Edit contact").
 * @csspart edit-contact - "Edit contact" in the invalid-phone note.
 * @csspart edit-button - "Edit contact" under the contact details.
 * @csspart email - The mailto: link.
 * @csspart appointment - The next appointment (clinic time).
 * @csspart follow-up - The next follow-up (overdue, today, or its time).
 * @csspart lost-reason - Why a lost lead was lost.
 * @csspart body - The scrolling content.
 * @csspart status-control - The workflow control (allowed transitions, Undo, Revert).
 * @csspart follow-ups - The open follow-ups, with Done, Snooze and Delete (follow-up-list).
 * @csspart follow-up-item - One open follow-up.
 * @csspart transition - Each "move to" button.
 * @csspart undo-button - Undo after Lost.
 * @csspart revert-button - An admin's Revert of a lost lead.
 * @csspart services - The services list.
 * @csspart score-explanation - The scoring rules that fired.
 * @csspart calls - The recent calls list.
 * @csspart call - One call.
 * @csspart transcript-toggle - The button that shows the full transcript.
 * @csspart transcript - The full transcript.
 * @csspart appointments - The appointments list.
 * @csspart appointment-status - An appointment's coloured status.
 * @csspart notes - The notes section.
 * @csspart note-input - The new note textarea.
 * @csspart note-submit - The Add note button.
 * @csspart timeline - The timeline list.
 * @csspart guide - The call-error-guide after a refused call.
 * @csspart call-outcome - The latest call's outcome ("Last call: Asked for a callback Tue 3 PM") when no call is followed.
 * @csspart suggest-lost - "Mark lost?" after a call where the lead was not interested (opens the Lost dialog).
 * @csspart footer - The action bar.
 * @csspart call-button - Call Now.
 * @csspart sms-button - SMS.
 * @csspart follow-up-button - Follow up: schedules a follow-up (quick choices, clinic time).
 * @csspart close-button - Close.
 * @csspart composer - The sms-composer opened by a standalone detail.
 * @csspart toaster - Toasts shown while the dialog is open.
 *
 * @cssprop --leads-detail-width - Width of the dialog on wide screens (920px); full-screen under 600px.
 * @cssprop --leads-modal-bg - Dialog background (defaults to --leads-color-surface).
 * @cssprop --leads-modal-backdrop - The backdrop behind the dialog.
 * @cssprop --leads-appointment-scheduled - Colour of a scheduled appointment (accent).
 * @cssprop --leads-appointment-completed - Colour of a completed appointment (success).
 * @cssprop --leads-appointment-cancelled - Colour of a cancelled appointment (danger).
 */
export class LeadDetail extends LitElement {
  static override styles = [tokens, buttons, badges, modalTokens, modalStyles, scoreRuleStyles, styles, callStateStyles, nextLineStyles];

  private readonly calls = new CallController(this, {
    api: () => this.api,
    live: () => this.live,
    lead: () => this.shown,
    presence: () => this.presence,
    me: () => this.config.session?.user.id,
    mode: () => (callModesOf(this.config.session).length > 1 ? preferredMode(this.config.session) : undefined),
    dialogParent: () => this.dialog ?? this.renderRoot,
  });

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.closeX,
  );

  /** Loading and the live merge of socket updates. */
  private readonly loader = new DetailLoader(this, {
    api: () => this.api,
    live: () => this.live,
    id: () => this.id_,
    open: () => this.open,
    onReset: () => {
      this.transcripts.reset();
      this.notes.reset();
      this.status.reset();
      this.undo.clear();
    },
    onLoaded: (detail) => this.undo.sync(detail),
    onLiveCall: (call) => this.transcripts.update(call),
  });

  /** The lost-undo countdown. */
  private readonly undo = new UndoTimer(this, () => {
    const detail = this.loader.detail;
    if (detail) this.loader.detail = { ...detail, canUndoLost: false };
  });

  /** Full transcripts, loaded on demand. */
  private readonly transcripts = new TranscriptCache(this, () => this.api);

  /** Adding notes. */
  private readonly notes = new NotesController(this, {
    api: () => this.api,
    lead: () => this.shown,
    session: () => this.config.session,
    onSaved: (note, leadId) => {
      const detail = this.loader.detail;
      if (detail && detail.id === leadId && !detail.notes.some((n) => n.id === note.id)) {
        this.loader.detail = { ...detail, notes: [note, ...detail.notes] };
      }
      this.loader.scheduleRefetch();
    },
  });

  /** Transitions, Undo and Revert. */
  private readonly status = new StatusController(this, {
    api: () => this.api,
    lead: () => this.shown,
    loader: this.loader,
    undo: this.undo,
  });

  /** An admin's Delete lead, with its confirmation. */
  private readonly deleter = new DeleteController(this, {
    api: () => this.api,
    isAdmin: () => this.config.session?.user.role === 'admin',
    closed: () => this.requestClose('done'),
  });

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('leads-toaster') private toaster?: LeadsToaster;
  @query('.close-x') private closeX?: HTMLButtonElement;
  @query('textarea.note-input') private noteInput?: HTMLTextAreaElement;

  /** The lead as the opener knows it (shown at once while the full detail loads). */
  @property({ attribute: false }) lead: Lead | null = null;
  /** The lead's id; defaults to `lead.id`. */
  @property({ attribute: 'lead-id' }) leadId = '';
  /** Shows the dialog. */
  @property({ type: Boolean, reflect: true }) open = false;
  /**
   * Set by a container that opens `sms-composer` itself on `sms-compose-request` (leads-board does): the detail then
   * does not open its own composer.
   */
  @property({ attribute: false }) externalComposer = false;

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

  @state() private ownComposer = false;
  private askingLost = false;
  /** 'viewing' on this lead while open (the heartbeat is Presence's), and the colleagues on it. */
  private readonly watch = new PresenceWatch(this, { presence: () => this.presence, leadId: () => this.id_ || undefined, viewing: () => this.open });

  // --- lifecycle ------------------------------------------------------------------------------

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    // Toasts from our own subtree (the composer we opened) show in our toaster.
    root.addEventListener('toast-show', (event) => {
      event.stopPropagation();
      this.showToast((event as LeadsEvent<'toast-show'>).detail);
    });
    return root;
  }

  /** The owner line's Assign / Change: the owner picker (lazy), then PATCH ownerId. */
  private async onAssign(): Promise<void> {
    const lead = this.shown;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      const lazy = await loadLazy();
      const saved = await lazy.assignOne(this.dialog ?? this, this.dialog ?? this.renderRoot, this.api, lead, this.config.session);
      if (saved) {
        this.loader.apply(saved);
        emit(this, 'lead-changed', { lead: saved });
      }
    } finally {
      this.askingLost = false;
    }
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lead') && this.lead) this.loader.merge(this.lead);
    this.loader.sync(this.open, !this.open && changed.has('open') && !!changed.get('open'));
  }

  /** The lead id this detail is about. */
  private get id_(): string {
    return this.leadId || this.lead?.id || '';
  }

  /** The freshest lead fields: the loaded detail, else what the opener passed. */
  private get shown(): Lead | null {
    return this.loader.current ?? this.lead;
  }

  // --- event handlers -------------------------------------------------------------------------

  private onClose = (): void => void this.requestClose('close');

  private async onTransition(to: LeadStatus): Promise<void> {
    const lead = this.shown;
    if (to !== 'lost' || !lead) return this.status.change(to);
    if (this.askingLost || this.status.pending) return;
    // Inside our <dialog>: a modal dialog stacked on this one, with our theme.
    this.askingLost = true;
    try {
      const choice = await askLostReason(this.dialog ?? this.renderRoot, lead, this.config.session?.org.timezone);
      if (choice) await this.status.change('lost', choice);
    } finally {
      this.askingLost = false;
    }
  }

  private onRevert(): Promise<void> {
    return this.status.revert();
  }

  private async onFollowUp(): Promise<void> {
    const lead = this.shown;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      if (await scheduleFollowUp(this, this.dialog ?? this.renderRoot, this.api, lead, this.config.session?.org.timezone)) await this.loader.load({ silent: true });
    } finally {
      this.askingLost = false;
    }
  }

  /** A follow-up of the list was done, snoozed or deleted: refetch (next follow-up, timeline) and tell the board. */
  private async onFollowUpsChange(): Promise<void> {
    await this.loader.load({ silent: true });
    const d = this.loader.current;
    // The detail carries every Lead field (its lists ride along, unused by the card).
    if (d) emit(this, 'lead-changed', { lead: d });
  }

  private renderFollowUps(detail: LeadDetailData) {
    void loadLazy();
    return html`<section part="follow-ups" aria-labelledby="fu-h">
      <h3 id="fu-h">Follow-ups</h3>
      <follow-up-list
        exportparts="item: follow-up-item"
        .followUps=${detail.followUps ?? []}
        .api=${this.api ?? null}
        .timeZone=${this.config.session?.org.timezone || Intl.DateTimeFormat().resolvedOptions().timeZone}
        @follow-ups-change=${this.onFollowUpsChange}
      ></follow-up-list>
    </section>`;
  }

  private async onEditContact(field?: 'phone'): Promise<void> {
    const lead = this.shown;
    if (!lead || !this.api || this.askingLost) return;
    this.askingLost = true;
    try {
      const saved = await editContact(this, this.dialog ?? this.renderRoot, this.api, lead, field);
      if (saved) {
        this.loader.apply(saved);
        if (saved.phoneValid) this.calls.dismissError();
      }
    } finally {
      this.askingLost = false;
    }
  }

  private onNoteInput(event: InputEvent): void {
    this.notes.setDraft((event.target as HTMLTextAreaElement).value);
  }

  private onNoteKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      void this.addNote();
    }
  }

  private async onNoteSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    await this.addNote();
  }

  private onSms(): void {
    const lead = this.shown;
    if (!lead) return;
    if (!emit(this, 'sms-compose-request', { lead }, { cancelable: true })) return;
    // Inside a container that opens the composer (the board), it does; standing alone, open our own.
    if (!this.externalComposer) {
      void loadLazy();
      this.ownComposer = true;
    }
  }

  private onComposerClose(event: LeadsEvent<'dialog-close'>): void {
    // Ours: nobody above should read it as the detail closing.
    event.stopPropagation();
    this.ownComposer = false;
  }

  // --- public methods -------------------------------------------------------------------------

  /** Close the dialog (focus returns to the opener) and fire `dialog-close`. */
  async requestClose(reason: 'close' | 'escape' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    this.ownComposer = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  /** Place a call to the lead (same states as the card's Call Back). */
  startCall(): Promise<void> {
    return this.calls.start();
  }

  /** Add a note (optimistic: it shows at once and is replaced by the server's copy). */
  async addNote(body: string = this.notes.draft): Promise<void> {
    await this.notes.add(body);
    await this.updateComplete;
    if (this.notes.error) this.noteInput?.focus();
  }

  /**
   * Shows a toast inside this dialog. A modal dialog makes the rest of the page inert, so the board routes toasts here
   * while the dialog is open: they stay visible and their buttons (Undo) stay usable.
   */
  showToast(options: ToastOptions): void {
    this.toaster?.show(options);
  }

  /** Refetch the lead. */
  refresh(): Promise<void> {
    return this.loader.load({ silent: true });
  }
  // --- render ---------------------------------------------------------------------------------

  private renderHeader(lead: Lead | null) {
    const tierKey = lead ? tierOf(lead.leadScore) : null;
    const tier = tierKey ? TIER_INFO[tierKey] : null;
    return html`<header class="modal-header" part="header">
      <div class="title-row">
        <h2 id="title" part="name">${lead?.name ?? 'Loading lead…'}</h2>
        <button class="btn btn--ghost close-x" part="close-x" aria-label="Close lead details" @click=${this.onClose}>×</button>
      </div>
      ${lead && tier && tierKey
        ? html`<div class="badges">
              <span class="badge badge--${tierKey}" part="score-badge"
                ><span aria-hidden="true">${tier.emoji}</span> ${tier.label} ${lead.leadScore}</span
              >
              <span class="badge badge--status badge--${lead.leadStatus}" part="status-badge">${statusLabel(lead.leadStatus)}</span>
              ${lead.smsOptOut ? html`<span class="badge badge--status badge--lost">Texts off (opted out)</span>` : nothing}
            </div>
            <ul class="contact">
              <li class=${lead.phoneValid === false ? 'invalid' : ''}>
                ${phoneIcon}
                ${lead.phone
                  ? html`<a part="phone" href="tel:${lead.phone}" aria-label="Call ${formatPhone(lead.phone)} from this device"
                      >${formatPhone(lead.phone)}</a
                    >`
                  : html`<span class="muted">No phone</span>`}
              </li>
              <li>
                ${mailIcon}
                ${lead.email
                  ? html`<a part="email" href="mailto:${lead.email}">${lead.email}</a>`
                  : html`<span class="muted">No email</span>`}
              </li>
              ${nextLinesTemplate(lead, this.config.session?.org.timezone, Date.now(), (cls, part, content) => html`<li class=${cls} part=${part}>${content}</li>`)}
              <li>
                <button class="btn btn--ghost" part="owner-button" aria-haspopup="dialog" @click=${() => this.onAssign()}>${lead.ownerId ? 'Change owner' : 'Assign an owner'}</button>
              </li>
              ${this.watch.others.length ? html`<li class="presence" part="presence">${presenceText(this.watch.others)}</li>` : nothing}
              <li><button class="btn btn--ghost" part="edit-button" @click=${() => this.onEditContact()}>Edit contact</button></li>
            </ul>
            ${lead.phoneValid === false
              ? html`<p class="notice notice--error" part="phone-warning" role="note">
                  <span
                    ><strong>Invalid phone number.</strong> “${lead.phone}” is not in international format (e.g. +12125551234), so
                    calls and texts to it will fail.</span
                  >
                  <button class="btn" part="edit-contact" @click=${() => this.onEditContact('phone')}>Edit contact</button>
                </p>`
              : nothing}`
        : nothing}
    </header>`;
  }

  private renderStatusControl(detail: LeadDetailData) {
    const pending = this.status.pending;
    const undoVisible = detail.leadStatus === 'lost' && detail.canUndoLost && this.undo.open;
    const revertVisible = detail.leadStatus === 'lost' && detail.canRevertLost && !undoVisible;
    const lostFrom = detail.lostFrom ? statusLabel(detail.lostFrom) : null;
    return html`<section part="status-control" aria-labelledby="status-h">
      <h3 id="status-h">Status</h3>
      <div class="status-row">
        <span class="label">Now:</span>
        <span class="badge badge--status badge--${detail.leadStatus}">${statusLabel(detail.leadStatus)}</span>
        ${detail.leadStatus === 'converted' ? html`<span class="muted">Converted is final.</span>` : nothing}
        ${detail.leadStatus === 'lost' && !undoVisible && !revertVisible
          ? html`<span class="muted">Lost is final${lostFrom ? ` (was ${lostFrom})` : ''}; an admin can revert it.</span>`
          : nothing}
      </div>
      ${detail.allowedTransitions.length
        ? html`<div class="transitions" role="group" aria-label="Move to">
            ${detail.allowedTransitions.map(
              (to) => html`<button
                class="btn ${to === 'lost' ? 'btn--danger' : ''}"
                part="transition"
                data-status=${to}
                ?disabled=${!!pending}
                aria-busy=${pending === to ? 'true' : 'false'}
                @click=${() => this.onTransition(to)}
              >
                ${pending === to ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}${to === 'lost' ? 'Mark lost' : `Mark ${statusLabel(to).toLowerCase()}`}
              </button>`,
            )}
          </div>`
        : nothing}
      ${undoVisible || revertVisible
        ? html`<div class="transitions">
            ${undoVisible
              ? html`<button class="btn btn--primary" part="undo-button" ?disabled=${!!pending} @click=${this.onRevert}>
                  Undo Lost${lostFrom ? ` (back to ${lostFrom})` : ''}
                </button>`
              : html`<button class="btn" part="revert-button" ?disabled=${!!pending} @click=${this.onRevert}>
                  Revert to ${lostFrom ?? 'previous status'}
                </button>`}
          </div>`
        : nothing}
      ${this.status.message
        ? html`<p class="notice notice--${this.status.message.variant} status-message" role="alert">${this.status.message.text}</p>`
        : nothing}
      ${this.deleter.render(detail)}
    </section>`;
  }

  private renderExplanation(detail: LeadDetailData) {
    const b = detail.scoreBreakdown;
    return html`<section part="score-explanation" aria-labelledby="why-h">
      <h3 id="why-h">Why ${detail.leadScore}?</h3>
      ${scoreRulesTemplate(b, { maxQuotes: 3, listClass: 'rules' })}
    </section>`;
  }

  private renderTranscript(call: Call, name: string) {
    const t = this.transcripts.get(call.id);
    if (!t || t.state === 'loading') return html`<p class="muted" role="status">Loading the transcript…</p>`;
    if (t.state === 'error') return html`<p class="error-text" role="alert">${t.message}</p>`;
    const full = t.call;
    if (full.messages?.length) {
      // Scrollable: focusable so keyboard users can scroll it.
      return html`<ol class="transcript" part="transcript" aria-label="Transcript of the call" tabindex="0">
        ${full.messages.map(
          (m) => html`<li class="msg msg--${m.role}">
            <span class="speaker">${m.role === 'lead' ? name : m.role === 'agent' ? 'Agent' : 'System'}</span>
            <span class="text">${m.text}</span>
          </li>`,
        )}
      </ol>`;
    }
    return html`<p class="transcript plain-text" part="transcript" tabindex="0">${full.transcript || 'No transcript.'}</p>`;
  }

  private latestCall(detail: LeadDetailData): Call | null {
    return [...detail.calls].sort((a, b) => Date.parse(b.startedAt ?? b.createdAt) - Date.parse(a.startedAt ?? a.createdAt))[0] ?? null;
  }

  private renderCalls(detail: LeadDetailData) {
    const calls = [...detail.calls]
      .sort((a, b) => Date.parse(b.startedAt ?? b.createdAt) - Date.parse(a.startedAt ?? a.createdAt))
      .slice(0, CALLS_SHOWN);
    return html`<section part="calls" aria-labelledby="calls-h">
      <h3 id="calls-h">Recent calls</h3>
      ${calls.length
        ? html`<ul class="plain">
            ${repeat(
              calls,
              (c) => c.id,
              (c) => {
                const open = this.transcripts.isExpanded(c.id);
                const hasTranscript = !!(c.transcript || c.messages?.length);
                const when = c.startedAt ?? c.createdAt;
                return html`<li class="call" part="call" data-call=${c.id}>
                  <div class="call-meta">
                    <time datetime=${when}>${callDate(when)}</time>
                    <span>${c.status === 'ended' ? duration(c.durationSec) : CALL_STATUS_LABELS[c.status] ?? c.status}</span>
                    ${callOutcomeText(c, this.config.session?.org.timezone) ? html`<span class="outcome">${callOutcomeText(c, this.config.session?.org.timezone)}</span>` : nothing}
                    ${c.scoreBefore !== null && c.scoreAfter !== null && c.scoreBefore !== c.scoreAfter
                      ? html`<span class="muted">Score ${c.scoreBefore} → ${c.scoreAfter}</span>`
                      : nothing}
                    ${c.status === 'ended' && !hasTranscript && c.endedReason ? html`<span class="muted">${c.endedReason}</span>` : nothing}
                  </div>
                  ${hasTranscript
                    ? html`<p class="snippet">${snippet(c.transcript ?? c.messages.map((m) => m.text).join(' '))}</p>
                        <button
                          class="btn btn--ghost transcript-toggle"
                          part="transcript-toggle"
                          aria-expanded=${open ? 'true' : 'false'}
                          aria-controls="t-${c.id}"
                          @click=${() => this.transcripts.toggle(c)}
                        >
                          ${open ? 'Hide transcript' : 'Show full transcript'}
                        </button>
                        <div id="t-${c.id}" ?hidden=${!open}>${open ? this.renderTranscript(c, detail.name) : nothing}</div>`
                    : c.status === 'failed' && c.error
                      ? html`<p class="snippet">${c.error}</p>`
                      : nothing}
                </li>`;
              },
            )}
          </ul>`
        : html`<p class="muted">No calls yet.</p>`}
    </section>`;
  }

  private renderAppointments(list: Appointment[]) {
    const sorted = [...list].sort((a, b) => Date.parse(b.scheduledAt) - Date.parse(a.scheduledAt));
    return html`<section part="appointments" aria-labelledby="appts-h">
      <h3 id="appts-h">Appointments</h3>
      ${sorted.length
        ? html`<ul class="plain">
            ${sorted.map(
              (a) => html`<li class="appt appt--${a.status}">
                <span class="appt-what"
                  ><strong>${a.serviceType}</strong> · <time datetime=${a.scheduledAt}>${callDate(a.scheduledAt)}</time></span
                >
                <span class="appt-status appt-status--${a.status}" part="appointment-status">${a.status[0].toUpperCase()}${a.status.slice(1)}</span>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">No appointments.</p>`}
    </section>`;
  }

  private renderNotes(detail: LeadDetailData) {
    const notes: Array<Note | PendingNote> = [...this.notes.pending, ...detail.notes];
    const now = Date.now();
    return html`<section part="notes" aria-labelledby="notes-h">
      <h3 id="notes-h">Notes</h3>
      <form class="note-form" @submit=${this.onNoteSubmit}>
        <label for="note-input">Add a note</label>
        <textarea
          id="note-input"
          class="note-input"
          part="note-input"
          rows="2"
          maxlength="5000"
          placeholder="What did you learn? (Ctrl+Enter to save)"
          .value=${this.notes.draft}
          aria-invalid=${this.notes.error ? 'true' : 'false'}
          aria-describedby=${this.notes.error ? 'note-error' : nothing}
          @input=${this.onNoteInput}
          @keydown=${this.onNoteKeydown}
        ></textarea>
        <div class="row">
          ${this.notes.error ? html`<p class="error-text" id="note-error" role="alert">${this.notes.error}</p>` : html`<span></span>`}
          <button class="btn" part="note-submit" type="submit" ?disabled=${!this.notes.draft.trim() || this.notes.saving}>
            ${this.notes.saving ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}Add note
          </button>
        </div>
      </form>
      ${notes.length
        ? html`<ul class="plain" aria-label="Notes">
            ${repeat(
              notes,
              (n) => n.id,
              (n) => html`<li class="note ${'pending' in n ? 'pending' : ''}">
                <p>${n.body}</p>
                <div class="by">
                  ${n.authorName} · ${'pending' in n ? 'Saving…' : html`<time datetime=${n.createdAt}>${relativeTime(n.createdAt, now)}</time>`}
                </div>
              </li>`,
            )}
          </ul>`
        : html`<p class="muted">No notes yet.</p>`}
    </section>`;
  }

  private renderTimeline(events: LeadEvent[]) {
    const sorted = [...events].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    const now = Date.now();
    return html`<section aria-labelledby="timeline-h">
      <h3 id="timeline-h">Timeline</h3>
      ${sorted.length
        ? html`<ol class="plain timeline" part="timeline">
            ${sorted.map(
              (e) => html`<li class="event event--${e.type}">
                <span class="what">${describeEvent(e)}</span>
                <time class="when" datetime=${e.at} title=${new Date(e.at).toLocaleString()}>${relativeTime(e.at, now)} · ${callDate(e.at)}</time>
              </li>`,
            )}
          </ol>`
        : html`<p class="muted">Nothing yet.</p>`}
    </section>`;
  }


  private renderBody(lead: Lead | null) {
    const detail = this.loader.current;
    if (!detail && this.loader.error) {
      return html`<div class="state" role="alert">
        <p><strong>Couldn't load this lead.</strong></p>
        <p class="muted">${this.loader.error}</p>
        <button class="btn btn--primary" @click=${() => this.loader.load()}>Retry</button>
      </div>`;
    }
    if (!detail) {
      return html`<div class="state loading" role="status" aria-busy="true">
        <span class="visually-hidden">Loading the lead…</span>
        <div class="skeleton" aria-hidden="true"></div>
        <div class="skeleton" aria-hidden="true"></div>
        <div class="skeleton" aria-hidden="true"></div>
      </div>`;
    }
    const leg = legText(this.calls.call);
    return html`${lead ? callGuideTemplate(this.calls, lead, 3, () => this.onEditContact('phone')) : nothing} ${leg ? html`<p class="call-state" role="status">${leg}</p>` : callStateTemplate(this.calls, {
        lead: detail,
        timeZone: this.config.session?.org.timezone,
        latest: this.latestCall(detail),
        onMarkLost: detail.allowedTransitions.includes('lost') ? () => void this.onTransition('lost') : undefined,
      })}
      <div class="columns">
        <div class="column">
          ${this.renderStatusControl(detail)} ${this.renderFollowUps(detail)}
          <section aria-labelledby="services-h">
            <h3 id="services-h">Services</h3>
            ${detail.services.length
              ? html`<ul class="plain tags" part="services">
                  ${detail.services.map((s) => html`<li class="tag">${s}</li>`)}
                </ul>`
              : html`<p class="muted">No services mentioned yet.</p>`}
          </section>
          ${this.renderExplanation(detail)} ${this.renderAppointments(detail.appointments)}
        </div>
        <div class="column">${this.renderCalls(detail)} ${this.renderNotes(detail)} ${this.renderTimeline(detail.timeline)}</div>
      </div>`;
  }

  private renderCallButton() {
    const { phase, busy } = this.calls;
    const label = !busy
      ? 'Call Now'
      : phase === 'starting' || phase === 'queued' ? 'Calling...' : phase === 'ringing' ? 'Ringing...' : phase === 'in-progress' ? 'On call' : 'Call Now';
    return html`<button
      class="btn btn--primary"
      part="call-button"
      ?disabled=${busy || !this.shown}
      aria-busy=${busy ? 'true' : 'false'}
      @click=${this.startCall}
    >
      ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : phoneIcon}${label}
    </button>`;
  }

  override render() {
    const lead = this.shown;
    return html`<dialog part="base" aria-labelledby="title" aria-busy=${this.loader.loading && !this.loader.detail ? 'true' : 'false'}>
      ${this.renderHeader(lead)}
      <div class="modal-body" part="body">${this.renderBody(lead)}</div>
      <footer class="modal-footer" part="footer">
        ${callModeTemplate(this.config.session, () => this.requestUpdate(), this.calls.busy)} ${this.renderCallButton()}
        <button class="btn" part="sms-button" ?disabled=${!lead} @click=${this.onSms}>${messageIcon}SMS</button>
        <button class="btn" part="follow-up-button" ?disabled=${!lead} @click=${this.onFollowUp}>Follow up</button>
        <span class="spacer"></span>
        <button class="btn" part="close-button" @click=${this.onClose}>Close</button>
      </footer>
      ${this.ownComposer && lead
        ? html`<sms-composer part="composer" .lead=${lead} .leadId=${lead.id} open @dialog-close=${this.onComposerClose}></sms-composer>`
        : nothing}
      <leads-toaster part="toaster"></leads-toaster>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'lead-detail': LeadDetail;
  }
}
