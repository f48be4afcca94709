import { UNDO_LOST_WINDOW_MS } from '../../../../core/workflow.js';
import { consume } from '@lit/context';
import { LitElement, html, nothing, svg, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Appointment, Call, Lead, LeadDetail as LeadDetailData, LeadEvent, LeadStatus, Note } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';
import { callGuideTemplate, callStateTemplate } from '../../calls/call-view.js';
import { CallController, toErrorInfo } from '../../calls/call-controller.js';
import { apiContext, configContext, defaultConfig, liveContext, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, toast, type LeadsEvent, type ToastOptions } from '../../events.js';
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
import { changeLeadStatus } from '../../leads/status-actions.js';
import { scoreRuleStyles, scoreRulesTemplate } from '../../leads/score-view.js';
import { badges, buttons, tokens } from '../../styles/tokens.js';
import { messageIcon, phoneIcon } from '../lead-card/icons.js';
import type { LeadsToaster } from '../leads-toaster/leads-toaster.js';
import { styles } from './lead-detail.styles.js';

const mailIcon = svg`<svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linejoin="round"><rect x="3" y="5" width="18" height="14" rx="2"/><path d="m3 7 9 6 9-6"/></svg>`;

/** How long the one who marked a lead lost may undo it (core/workflow.ts). */
export const UNDO_WINDOW_MS = UNDO_LOST_WINDOW_MS;
/** Calls shown in the detail (GET /v1/leads/:id returns the last 5). */
const CALLS_SHOWN = 5;
const SNIPPET_LENGTH = 100;

type TranscriptState = { state: 'loading' } | { state: 'loaded'; call: Call } | { state: 'error'; message: string };
interface PendingNote extends Note {
  pending: true;
}
interface InlineMessage {
  variant: 'error' | 'info' | 'warning';
  text: string;
}

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
 * (with Undo after Lost and an admin's Revert), the last 5 calls with their transcripts, appointments, notes and the
 * timeline, plus Call Now and SMS. Loads `GET /v1/leads/:id` when opened and follows the live updates of the lead.
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
 * @fires toast-show - Toasts for status changes ("Lead marked as lost", "Lead restored to ...").
 *
 * @csspart base - The <dialog>.
 * @csspart header - Name, badges and contact details.
 * @csspart name - The lead's name (the dialog's label).
 * @csspart close-x - The × button.
 * @csspart score-badge - Tier and score.
 * @csspart status-badge - The current status.
 * @csspart phone - The tel: link.
 * @csspart phone-warning - The "invalid phone" note.
 * @csspart email - The mailto: link.
 * @csspart body - The scrolling content.
 * @csspart status-control - The workflow control (allowed transitions, Undo, Revert).
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
 * @csspart footer - The action bar.
 * @csspart call-button - Call Now.
 * @csspart sms-button - SMS.
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
  static override styles = [tokens, buttons, badges, modalTokens, modalStyles, scoreRuleStyles, styles];

  private readonly calls = new CallController(this, {
    api: () => this.api,
    live: () => this.live,
    lead: () => this.shown,
  });

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.closeX,
  );

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

  @consume({ context: apiContext, subscribe: true })
  @state()
  private api?: LeadsApiClient;

  @consume({ context: liveContext, subscribe: true })
  @state()
  private live?: LiveUpdates;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config: WidgetConfig = defaultConfig;

  @state() private detail: LeadDetailData | null = null;
  @state() private loading = false;
  @state() private loadError: string | null = null;
  @state() private transcripts = new Map<string, TranscriptState>();
  @state() private expanded = new Set<string>();
  @state() private noteDraft = '';
  @state() private noteSaving = false;
  @state() private noteError: string | null = null;
  @state() private pendingNotes: PendingNote[] = [];
  @state() private statusPending: LeadStatus | 'revert' | null = null;
  @state() private statusMessage: InlineMessage | null = null;
  @state() private undoUntil = 0;
  @state() private ownComposer = false;

  private loadedFor: string | null = null;
  private loadSeq = 0;
  private abort: AbortController | null = null;
  private refetchTimer: ReturnType<typeof setTimeout> | undefined;
  private undoTimer: ReturnType<typeof setTimeout> | undefined;
  private liveUnsubs: Array<() => void> = [];
  private subscribedLive: LiveUpdates | undefined;

  // --- lifecycle ------------------------------------------------------------------------------

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribeLive();
    this.abort?.abort();
    clearTimeout(this.refetchTimer);
    clearTimeout(this.undoTimer);
    this.loadedFor = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('lead') && this.lead && this.detail && this.lead.id === this.detail.id) this.mergeLead(this.lead);
    const id = this.id_;
    if (this.open && id && this.api && this.loadedFor !== id) {
      this.loadedFor = id;
      if (this.detail?.id !== id) this.resetFor();
      void this.load();
    }
    if (!this.open && changed.has('open') && changed.get('open')) this.loadedFor = null;
  }

  protected override updated(): void {
    if (this.live !== this.subscribedLive) this.subscribeLive();
  }

  /** The lead id this detail is about. */
  private get id_(): string {
    return this.leadId || this.lead?.id || '';
  }

  /** The freshest lead fields: the loaded detail, else what the opener passed. */
  private get shown(): Lead | null {
    const id = this.id_;
    if (this.detail && this.detail.id === id) return this.detail;
    return this.lead;
  }

  private resetFor(): void {
    this.detail = null;
    this.transcripts = new Map();
    this.expanded = new Set();
    this.noteDraft = '';
    this.noteError = null;
    this.pendingNotes = [];
    this.statusMessage = null;
    this.undoUntil = 0;
  }

  private async load(options: { silent?: boolean } = {}): Promise<void> {
    const api = this.api;
    const id = this.id_;
    if (!api || !id) return;
    const seq = ++this.loadSeq;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    if (!options.silent) {
      this.loading = true;
      this.loadError = null;
    }
    try {
      const detail = await api.getLead(id, abort.signal);
      if (seq !== this.loadSeq) return;
      this.detail = detail;
      this.loadError = null;
      this.syncUndo(detail);
    } catch (err) {
      if (seq !== this.loadSeq || (err as Error)?.name === 'AbortError') return;
      if (!options.silent || !this.detail) this.loadError = err instanceof Error ? err.message : 'The lead could not be loaded.';
    } finally {
      if (seq === this.loadSeq) this.loading = false;
    }
  }

  /** Refetch soon (several live events in a row make one request). */
  private scheduleRefetch(ms = 300): void {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.open && this.load({ silent: true }), ms);
  }

  /** Lead fields from a live event or the opener: applied at once unless older than what is shown. */
  private mergeLead(lead: Lead): void {
    const detail = this.detail;
    if (!detail || lead.id !== detail.id) return;
    if (typeof lead.version === 'number' && lead.version < detail.version) return;
    const statusChanged = lead.leadStatus !== detail.leadStatus;
    this.detail = { ...detail, ...lead };
    if (statusChanged || lead.version !== detail.version) this.scheduleRefetch();
  }

  private syncUndo(detail: LeadDetailData): void {
    clearTimeout(this.undoTimer);
    if (!detail.canUndoLost) {
      this.undoUntil = 0;
      return;
    }
    const now = Date.now();
    const lostAt = detail.lostAt ? Date.parse(detail.lostAt) : NaN;
    // Never longer than the window from now (a skewed clock must not stretch it), never shorter than the server's view.
    const fromServer = Number.isFinite(lostAt) ? lostAt + UNDO_WINDOW_MS : now + UNDO_WINDOW_MS;
    const until = Math.max(this.undoUntil, Math.min(now + UNDO_WINDOW_MS, Math.max(fromServer, now + 1000)));
    this.startUndoWindow(until);
  }

  private startUndoWindow(until: number): void {
    clearTimeout(this.undoTimer);
    this.undoUntil = until;
    this.undoTimer = setTimeout(() => {
      this.undoUntil = 0;
      if (this.detail) this.detail = { ...this.detail, canUndoLost: false };
    }, Math.max(0, until - Date.now()));
  }

  private subscribeLive(): void {
    this.unsubscribeLive();
    const live = (this.subscribedLive = this.live);
    if (!live) return;
    this.liveUnsubs = [
      live.on('lead:updated', ({ lead }) => {
        if (lead.id !== this.id_) return;
        this.mergeLead(lead);
      }),
      live.on('lead:scored', ({ leadId }) => leadId === this.id_ && this.scheduleRefetch()),
      live.on('call:updated', ({ call }) => call.contactId === this.id_ && this.onLiveCall(call)),
      live.on('sms:updated', ({ sms }) => sms.contactId === this.id_ && this.scheduleRefetch()),
      live.on('reconnected', () => this.scheduleRefetch(0)),
    ];
  }

  private unsubscribeLive(): void {
    for (const off of this.liveUnsubs) off();
    this.liveUnsubs = [];
    this.subscribedLive = undefined;
  }

  private onLiveCall(call: Call): void {
    const detail = this.detail;
    if (detail) {
      const calls = detail.calls.some((c) => c.id === call.id)
        ? detail.calls.map((c) => (c.id === call.id ? { ...c, ...call } : c))
        : [call, ...detail.calls].slice(0, CALLS_SHOWN);
      this.detail = { ...detail, calls };
    }
    const cached = this.transcripts.get(call.id);
    if (cached?.state === 'loaded' && (call.messages?.length || call.transcript)) {
      this.transcripts = new Map(this.transcripts).set(call.id, { state: 'loaded', call: { ...cached.call, ...call } });
    }
    if (call.status === 'ended' || call.status === 'failed') this.scheduleRefetch();
  }

  // --- event handlers -------------------------------------------------------------------------

  private onClose = (): void => void this.requestClose('close');

  private async onTransition(to: LeadStatus): Promise<void> {
    const lead = this.shown;
    const api = this.api;
    if (!lead || !api || this.statusPending) return;
    this.statusPending = to;
    this.statusMessage = null;
    // The board's toaster sits under the modal backdrop: mirror this action's error toasts inside the dialog.
    let mirrored: string | null = null;
    const mirror = (e: LeadsEvent<'toast-show'>) => {
      if (e.detail.variant === 'error') mirrored = e.detail.message;
    };
    this.addEventListener('toast-show', mirror);
    try {
      const result = await changeLeadStatus(this, api, lead, to);
      if (result && result.leadStatus !== to) {
        // 409 STALE_LEAD: the helper returned the lead as it is now.
        this.applyLead(result);
        this.statusMessage = {
          variant: 'warning',
          text: `Someone else changed this lead while you had it open: it is now ${statusLabel(result.leadStatus)}. Your change to ${statusLabel(to)} was not saved; check the current status and try again.`,
        };
        await this.load({ silent: true });
      } else if (result) {
        this.applyLead(result);
        if (to === 'lost') this.startUndoWindow(Date.now() + UNDO_WINDOW_MS);
        await this.load({ silent: true });
        if (to === 'lost' && this.detail?.canUndoLost) this.startUndoWindow(Math.min(this.undoUntil || Infinity, Date.now() + UNDO_WINDOW_MS));
      } else if (mirrored) {
        this.statusMessage = { variant: 'error', text: mirrored };
      }
    } finally {
      this.removeEventListener('toast-show', mirror);
      this.statusPending = null;
    }
  }

  private applyLead(lead: Lead): void {
    if (this.detail && lead.id === this.detail.id) this.detail = { ...this.detail, ...lead };
  }

  /** Undo after Lost, or an admin's Revert: POST /v1/leads/:id/revert. */
  private async onRevert(): Promise<void> {
    const lead = this.shown;
    const api = this.api;
    if (!lead || !api || this.statusPending) return;
    this.statusPending = 'revert';
    this.statusMessage = null;
    try {
      const restored = await api.revert(lead.id);
      clearTimeout(this.undoTimer);
      this.undoUntil = 0;
      this.applyLead(restored);
      emit(this, 'lead-status-change', { lead: restored, from: 'lost', to: restored.leadStatus });
      toast(this, { variant: 'info', message: `Lead restored to ${statusLabel(restored.leadStatus).toLowerCase()}` });
      await this.load({ silent: true });
    } catch (err) {
      this.statusMessage = { variant: 'error', text: toErrorInfo(err).message };
      await this.load({ silent: true });
    } finally {
      this.statusPending = null;
    }
  }

  private async toggleTranscript(call: Call): Promise<void> {
    const expanded = new Set(this.expanded);
    if (expanded.has(call.id)) {
      expanded.delete(call.id);
      this.expanded = expanded;
      return;
    }
    expanded.add(call.id);
    this.expanded = expanded;
    const cached = this.transcripts.get(call.id);
    if (cached?.state === 'loaded' || cached?.state === 'loading' || !this.api) return;
    this.transcripts = new Map(this.transcripts).set(call.id, { state: 'loading' });
    try {
      const full = await this.api.getCall(call.id);
      this.transcripts = new Map(this.transcripts).set(call.id, { state: 'loaded', call: full });
    } catch (err) {
      this.transcripts = new Map(this.transcripts).set(call.id, { state: 'error', message: toErrorInfo(err).message });
    }
  }

  private onNoteInput(event: InputEvent): void {
    this.noteDraft = (event.target as HTMLTextAreaElement).value;
    this.noteError = null;
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
    // Inside a board the board opens the composer; standing alone, open our own.
    const root = this.getRootNode();
    const inBoard = root instanceof ShadowRoot && root.host.localName === 'leads-board';
    if (!inBoard) this.ownComposer = true;
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
  async addNote(body: string = this.noteDraft): Promise<void> {
    const text = body.trim();
    const lead = this.shown;
    const api = this.api;
    if (!text || !lead || !api || this.noteSaving) return;
    const temp: PendingNote = {
      id: `pending-${Date.now()}`,
      contactId: lead.id,
      body: text,
      authorId: this.config.session?.user.id ?? '',
      authorName: this.config.session?.user.name ?? 'You',
      createdAt: new Date().toISOString(),
      pending: true,
    };
    this.pendingNotes = [temp, ...this.pendingNotes];
    this.noteSaving = true;
    this.noteError = null;
    this.noteDraft = '';
    try {
      const note = await api.addNote(lead.id, text);
      if (this.detail && this.detail.id === lead.id && !this.detail.notes.some((n) => n.id === note.id)) {
        this.detail = { ...this.detail, notes: [note, ...this.detail.notes] };
      }
      this.scheduleRefetch();
    } catch (err) {
      // Keep what the user wrote.
      this.noteDraft = this.noteDraft || text;
      this.noteError = toErrorInfo(err).message;
    } finally {
      this.pendingNotes = this.pendingNotes.filter((n) => n !== temp);
      this.noteSaving = false;
    }
    await this.updateComplete;
    if (this.noteError) this.noteInput?.focus();
  }

  /** Refetch the lead. */
  /**
   * Shows a toast inside this dialog. A modal dialog makes the rest of the page inert, so the board routes toasts here
   * while the dialog is open: they stay visible and their buttons (Undo) stay usable.
   */
  showToast(options: ToastOptions): void {
    this.toaster?.show(options);
  }

  refresh(): Promise<void> {
    return this.load({ silent: true });
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
            </ul>
            ${lead.phoneValid === false
              ? html`<p class="notice notice--error" part="phone-warning" role="note">
                  <span
                    ><strong>Invalid phone number.</strong> “${lead.phone}” is not in international format (e.g. +12125551234), so
                    calls and texts to it will fail. Correct it in your CRM.</span
                  >
                </p>`
              : nothing}`
        : nothing}
    </header>`;
  }

  private renderStatusControl(detail: LeadDetailData) {
    const pending = this.statusPending;
    const undoVisible = detail.leadStatus === 'lost' && detail.canUndoLost && this.undoUntil > Date.now();
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
      ${this.statusMessage
        ? html`<p class="notice notice--${this.statusMessage.variant} status-message" role="alert">${this.statusMessage.text}</p>`
        : nothing}
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
                const open = this.expanded.has(c.id);
                const hasTranscript = !!(c.transcript || c.messages?.length);
                const when = c.startedAt ?? c.createdAt;
                return html`<li class="call" part="call" data-call=${c.id}>
                  <div class="call-meta">
                    <time datetime=${when}>${callDate(when)}</time>
                    <span>${c.status === 'ended' ? duration(c.durationSec) : CALL_STATUS_LABELS[c.status] ?? c.status}</span>
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
                          @click=${() => this.toggleTranscript(c)}
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
    const notes: Array<Note | PendingNote> = [...this.pendingNotes, ...detail.notes];
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
          .value=${this.noteDraft}
          aria-invalid=${this.noteError ? 'true' : 'false'}
          aria-describedby=${this.noteError ? 'note-error' : nothing}
          @input=${this.onNoteInput}
          @keydown=${this.onNoteKeydown}
        ></textarea>
        <div class="row">
          ${this.noteError ? html`<p class="error-text" id="note-error" role="alert">${this.noteError}</p>` : html`<span></span>`}
          <button class="btn" part="note-submit" type="submit" ?disabled=${!this.noteDraft.trim() || this.noteSaving}>
            ${this.noteSaving ? html`<span class="spinner" aria-hidden="true"></span>` : nothing}Add note
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
    const detail = this.detail && this.detail.id === this.id_ ? this.detail : null;
    if (!detail && this.loadError) {
      return html`<div class="state" role="alert">
        <p><strong>Couldn't load this lead.</strong></p>
        <p class="muted">${this.loadError}</p>
        <button class="btn btn--primary" @click=${() => this.load()}>Retry</button>
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
    return html`${lead ? callGuideTemplate(this.calls, lead, 3) : nothing} ${callStateTemplate(this.calls)}
      <div class="columns">
        <div class="column">
          ${this.renderStatusControl(detail)}
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
    const label =
      phase === 'starting' || phase === 'queued' ? 'Calling...' : phase === 'ringing' ? 'Ringing...' : phase === 'in-progress' ? 'On call' : 'Call Now';
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
    return html`<dialog part="base" aria-labelledby="title" aria-busy=${this.loading && !this.detail ? 'true' : 'false'}>
      ${this.renderHeader(lead)}
      <div class="modal-body" part="body">${this.renderBody(lead)}</div>
      <footer class="modal-footer" part="footer">
        ${this.renderCallButton()}
        <button class="btn" part="sms-button" ?disabled=${!lead} @click=${this.onSms}>${messageIcon}SMS</button>
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
