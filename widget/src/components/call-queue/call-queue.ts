import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import type { Call, Lead, LeadDetail } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';
import { queueNext, releaseClaim, renewClaim, type QueueNextInput, type TeamFilter } from '../../api/team.js';
import { CallController } from '../../calls/call-controller.js';
import { callModeTemplate, legText, preferredMode } from '../../calls/call-mode.js';
import { callGuideTemplate, callOutcomeText, callStateStyles, callStateTemplate } from '../../calls/call-view.js';
import { apiContext, configContext, defaultConfig, liveContext, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, toast, type LeadsEvent, type ToastOptions } from '../../events.js';
import { callDate, duration, formatPhone, relativeTime, statusLabel, TIER_INFO, tierOf } from '../../format.js';
import { scheduleFollowUp } from '../../leads/follow-up.js';
import { askLostReason } from '../../leads/lost-reason.js';
import { presenceContext, type Presence } from '../../leads/presence.js';
import { changeLeadStatus } from '../../leads/status-actions.js';
import { badges, buttons, tokens } from '../../styles/tokens.js';
import { phoneIcon } from '../lead-card/icons.js';
import type { LeadsToaster } from '../leads-toaster/leads-toaster.js';
import { styles } from './call-queue.styles.js';

/** How often the open lead's claim is renewed (the server lets it go 120 s after the last renewal). */
export const RENEW_MS = 30_000;

type Recorded = 'booked' | 'follow_up' | 'lost' | 'no_answer' | 'ai';

const RECORDED_TEXT: Record<Recorded, string> = {
  booked: 'Marked booked',
  follow_up: 'Follow-up scheduled',
  lost: 'Marked lost',
  no_answer: 'Noted: no answer',
  ai: "The AI's outcome is kept",
};

/**
 * @tagname call-queue
 * @summary "Start calling": works the board's current view and filter one lead at a time (POST /v1/queue/next). Shows the
 * lead with its recent calls and notes and Call Now (with the call mode choice when the session offers one); claims the
 * lead while it is open (renewed every 30 s) so a colleague on the same view gets another one; after a call the
 * coordinator records the outcome or keeps the AI's, then "Next lead" (which releases this one). Skip and Snooze (a
 * follow-up) move on too; "N left" counts the leads still waiting. Esc or Close releases the lead and closes.
 *
 * @fires dialog-close - The queue closed (its lead released).
 * @fires call-start-request - Before Call Now places the call (cancelable).
 * @fires call-started - The API queued the call.
 * @fires call-failed - The API refused the call or it failed.
 * @fires lead-status-change - An outcome changed the lead's status.
 * @csspart base - The <dialog>.
 * @csspart remaining - "N left".
 * @csspart lead - The lead's summary.
 * @csspart history - Recent calls and notes.
 * @csspart outcome - The outcome buttons after a call.
 * @csspart call-button - Call Now.
 * @csspart next-button - Next lead.
 * @csspart skip-button - Skip.
 * @csspart snooze-button - Snooze (a follow-up).
 */
export class CallQueue extends LitElement {
  static override styles = [tokens, buttons, badges, modalTokens, modalStyles, callStateStyles, styles];

  private readonly calls = new CallController(this, {
    api: () => this.api,
    live: () => this.live,
    lead: () => this.lead,
    presence: () => this.presence,
    me: () => this.config.session?.user.id,
    mode: () => (this.config.session ? preferredMode(this.config.session) : undefined),
    dialogParent: () => this.dialog ?? this.renderRoot,
  });

  private readonly modal = new ModalController(
    this,
    () => this.dialog,
    () => this.renderRoot.querySelector<HTMLElement>('h3.name'),
  );

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('leads-toaster') private toaster?: LeadsToaster;

  /** The board's filter (view, tier, status, search, owner, appointment, lost reason). */
  @property({ attribute: false }) filter: TeamFilter = {};
  /** The board's sort. */
  @property() sort = 'score';
  /** What is being worked, for the title ("Call today"). */
  @property() label = 'All leads';
  @property({ type: Boolean, reflect: true }) open = false;
  /** How often the claim is renewed (ms). */
  @property({ attribute: false }) renewMs = RENEW_MS;

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

  @state() private phase: 'loading' | 'lead' | 'empty' | 'error' = 'loading';
  @state() private lead: Lead | null = null;
  @state() private detail: LeadDetail | null = null;
  @state() private remaining = 0;
  @state() private error: string | null = null;
  @state() private notice: string | null = null;
  @state() private recorded: Recorded | null = null;
  @state() private busy = false;
  private skipped: string[] = [];
  /** The lead this queue holds a claim on (released once). */
  private claimed: string | null = null;
  private renewTimer: ReturnType<typeof setInterval> | undefined;
  private releaseViewing: (() => void) | null = null;
  private offLive: (() => void) | null = null;
  private started = false;
  private asking = false;

  // --- lifecycle ------------------------------------------------------------------------------

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    root.addEventListener('toast-show', (event) => {
      event.stopPropagation();
      this.toaster?.show((event as LeadsEvent<'toast-show'>).detail);
    });
    return root;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.open && !this.started && this.api) {
      this.started = true;
      void this.advance({});
    }
    if (changed.has('live' as keyof CallQueue)) {
      this.offLive?.();
      this.offLive = this.live?.on('lead:updated', ({ lead }) => {
        if (lead.id === this.lead?.id) this.lead = lead;
      }) ?? null;
    }
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.offLive?.();
    this.offLive = null;
    this.stopHolding(true);
  }

  // --- the queue ------------------------------------------------------------------------------

  /** Give the open lead back (claim and presence); `release` also deletes the claim on the server. */
  private stopHolding(release: boolean): void {
    clearInterval(this.renewTimer);
    this.renewTimer = undefined;
    this.releaseViewing?.();
    this.releaseViewing = null;
    const claimed = this.claimed;
    this.claimed = null;
    if (release && claimed && this.api) void releaseClaim(this.api, claimed).catch(() => undefined);
  }

  /** Ask the server for the next lead (releasing the current one there, in the same request). */
  private async advance(input: Pick<QueueNextInput, 'release'>): Promise<void> {
    const api = this.api;
    if (!api) return;
    this.stopHolding(false);
    this.busy = true;
    this.error = null;
    this.notice = null;
    try {
      const reply = await queueNext(api, { filter: this.filter, sort: this.sort, skip: this.skipped, ...input });
      if (!this.open) {
        if (reply.lead) void releaseClaim(api, reply.lead.id).catch(() => undefined);
        return;
      }
      this.calls.reset();
      this.recorded = null;
      this.detail = null;
      this.remaining = reply.remaining;
      this.lead = reply.lead;
      this.phase = reply.lead ? 'lead' : 'empty';
      if (reply.lead) this.hold(reply.lead);
    } catch (err) {
      this.lead = null;
      this.phase = 'error';
      this.error = err instanceof Error ? err.message : 'The next lead could not be loaded.';
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    this.focusStart();
  }

  private hold(lead: Lead): void {
    const api = this.api!;
    this.claimed = lead.id;
    this.releaseViewing = this.presence?.hold(lead.id, 'viewing') ?? null;
    this.renewTimer = setInterval(() => {
      renewClaim(api, lead.id).catch((err: { code?: string; message?: string }) => {
        if (this.lead?.id !== lead.id) return;
        if (err?.code === 'CLAIM_LOST') {
          clearInterval(this.renewTimer);
          this.claimed = null;
          this.notice = 'A colleague has this lead now. Go on to the next one.';
        }
      });
    }, this.renewMs);
    api.getLead(lead.id).then(
      (d) => this.lead?.id === lead.id && (this.detail = d),
      () => undefined,
    );
  }

  /** Toasts from inside our dialog reach our own toaster (the board's is inert under the modal). */
  private get toastHost(): HTMLElement {
    return this.dialog ?? this;
  }

  private focusStart(): void {
    const target =
      this.phase === 'lead'
        ? this.renderRoot.querySelector<HTMLElement>('h3.name')
        : this.renderRoot.querySelector<HTMLElement>('.end button, .state button');
    target?.focus();
  }

  private onNext = (): void => {
    if (this.busy) return;
    const lead = this.lead;
    // A lead worked in this session is not offered again (the filter may still match it after the call).
    if (lead && !this.skipped.includes(lead.id)) this.skipped.push(lead.id);
    void this.advance(lead ? { release: lead.id } : {});
  };

  private onSkip = (): void => {
    if (this.busy || !this.lead) return;
    this.skipped.push(this.lead.id);
    void this.advance({ release: this.lead.id });
  };

  /** Snooze: a follow-up (the follow-up dialog), then on to the next lead. */
  private onSnooze = async (): Promise<void> => {
    const lead = this.lead;
    const api = this.api;
    if (this.busy || !lead || !api || this.asking) return;
    this.asking = true;
    try {
      const f = await scheduleFollowUp(this.toastHost, this.dialog ?? this.renderRoot, api, lead, this.config.session?.org.timezone);
      if (!f) return;
      this.skipped.push(lead.id);
      await this.advance({ release: lead.id });
    } finally {
      this.asking = false;
    }
  };

  /** The coordinator's outcome of the call just made. */
  private async record(what: Recorded): Promise<void> {
    const lead = this.lead;
    const api = this.api;
    if (!lead || !api || this.asking) return;
    this.asking = true;
    try {
      const zone = this.config.session?.org.timezone;
      if (what === 'booked') {
        const r = await changeLeadStatus(this.toastHost, api, lead, 'booked');
        if (r.kind !== 'changed') return;
        this.lead = r.lead;
      } else if (what === 'lost') {
        const choice = await askLostReason(this.dialog ?? this.renderRoot, lead, zone);
        if (!choice) return;
        const r = await changeLeadStatus(this.toastHost, api, lead, 'lost', { lost: choice });
        if (r.kind !== 'changed') return;
        this.lead = r.lead;
      } else if (what === 'follow_up') {
        if (!(await scheduleFollowUp(this.toastHost, this.dialog ?? this.renderRoot, api, lead, zone))) return;
      } else if (what === 'no_answer') {
        await api.addNote(lead.id, 'Call outcome: no answer');
        toast(this.toastHost, { variant: 'success', message: `Noted: ${lead.name} did not answer` });
      }
      this.recorded = what;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('[part="next-button"]')?.focus();
    } catch (err) {
      toast(this.toastHost, { variant: 'error', message: err instanceof Error ? err.message : 'The outcome could not be saved.' });
    } finally {
      this.asking = false;
    }
  }

  // --- public methods -------------------------------------------------------------------------

  /** Release the open lead and close (Esc, ×, Close). */
  async requestClose(reason: 'escape' | 'close' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.stopHolding(true);
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  /** Toasts raised inside the queue show in its own toaster (the board's is under the modal). */
  showToast(options: ToastOptions): void {
    this.toaster?.show(options);
  }

  // --- render ---------------------------------------------------------------------------------

  private renderHistory(detail: LeadDetail | null) {
    if (!detail) return html`<p class="muted" role="status">Loading the history…</p>`;
    const zone = this.config.session?.org.timezone;
    const calls = [...detail.calls].sort((a, b) => Date.parse(b.startedAt ?? b.createdAt) - Date.parse(a.startedAt ?? a.createdAt)).slice(0, 3);
    const notes = detail.notes.slice(0, 2);
    return html`<section part="history" aria-labelledby="qh">
      <h4 id="qh">History</h4>
      ${calls.length
        ? html`<ul class="plain">
            ${calls.map((c: Call) => {
              const when = c.startedAt ?? c.createdAt;
              const outcome = callOutcomeText(c, zone);
              return html`<li>
                <time datetime=${when}>${callDate(when, zone ?? undefined)}</time> · ${c.status === 'ended' ? duration(c.durationSec) : c.status}${outcome ? html` · <strong>${outcome}</strong>` : nothing}
                ${c.summary ? html`<p class="muted">${c.summary}</p>` : nothing}
              </li>`;
            })}
          </ul>`
        : html`<p class="muted">No calls yet.</p>`}
      ${notes.map((n) => html`<p class="note">“${n.body}” <span class="muted">— ${n.authorName}, ${relativeTime(n.createdAt)}</span></p>`)}
    </section>`;
  }

  private renderOutcome() {
    if (this.calls.phase !== 'ended' && this.calls.phase !== 'failed') return nothing;
    const ai = this.calls.call ? callOutcomeText(this.calls.call, this.config.session?.org.timezone) : null;
    if (this.recorded) return html`<p class="recorded" part="outcome" role="status">${RECORDED_TEXT[this.recorded]}. Go on with Next lead.</p>`;
    return html`<section part="outcome" aria-labelledby="qo">
      <h4 id="qo">How did it go?</h4>
      ${ai ? html`<p>The AI recorded: <strong>${ai}</strong> (already on the lead).</p>` : nothing}
      <div class="row" role="group" aria-labelledby="qo">
        ${ai ? html`<button class="btn btn--primary" @click=${() => this.record('ai')}>Keep the AI's outcome</button>` : nothing}
        <button class="btn" @click=${() => this.record('booked')}>Booked</button>
        <button class="btn" @click=${() => this.record('follow_up')}>Call back later…</button>
        <button class="btn" @click=${() => this.record('no_answer')}>No answer</button>
        <button class="btn btn--danger" @click=${() => this.record('lost')}>Not interested…</button>
      </div>
    </section>`;
  }

  private renderLead(lead: Lead) {
    const tierKey = tierOf(lead.leadScore);
    const tier = TIER_INFO[tierKey];
    const others = this.presence?.others(lead.id) ?? [];
    const leg = legText(this.calls.call);
    return html`<div part="lead" class="lead">
        <h3 class="name" tabindex="-1">${lead.name}</h3>
        <p class="badges">
          <span class="badge badge--${tierKey}"><span aria-hidden="true">${tier.emoji}</span> ${tier.label} ${lead.leadScore}</span>
          <span class="badge badge--status badge--${lead.leadStatus}">${statusLabel(lead.leadStatus)}</span>
          ${lead.ownerName ? html`<span class="muted">Owner: ${lead.ownerName}</span>` : nothing}
        </p>
        <p class="line">${phoneIcon}<span>${formatPhone(lead.phone) || 'No phone'}</span> · Last contact: ${lead.lastContactAt ? relativeTime(lead.lastContactAt) : 'Never'}</p>
        ${lead.services.length ? html`<p class="muted">${lead.services.join(', ')}</p>` : nothing}
        ${others.length ? html`<p class="presence">${others.map((u) => `${u.name} is ${u.activity}`).join(' · ')}</p>` : nothing}
        ${this.notice ? html`<p class="notice notice--warning" role="alert">${this.notice}</p>` : nothing}
        ${leg ? html`<p class="call-state" role="status">${leg}</p>` : callStateTemplate(this.calls, { lead, timeZone: this.config.session?.org.timezone, latest: null })}
        ${callGuideTemplate(this.calls, lead, 4)}
      </div>
      ${this.renderOutcome()} ${this.renderHistory(this.detail)}`;
  }

  private renderBody() {
    if (this.phase === 'loading') return html`<p class="state" role="status">Finding the first lead…</p>`;
    if (this.phase === 'error')
      return html`<div class="state" role="alert">
        <p>${this.error}</p>
        <button class="btn btn--primary" @click=${this.onNext}>Try again</button>
      </div>`;
    if (this.phase === 'empty')
      return html`<div class="end" role="status">
        <p class="title">That's the end of the list.</p>
        <p class="muted">No lead left in ${this.label} that nobody else is working on.</p>
        <button class="btn btn--primary" @click=${() => this.requestClose('done')}>Close</button>
      </div>`;
    return this.lead ? this.renderLead(this.lead) : nothing;
  }

  private renderCallButton() {
    const { phase, busy } = this.calls;
    const label = !busy ? 'Call Now' : phase === 'starting' || phase === 'queued' ? 'Calling...' : phase === 'ringing' ? 'Ringing...' : phase === 'in-progress' ? 'On call' : 'Call Now';
    return html`<button class="btn btn--primary" part="call-button" ?disabled=${busy || !this.lead} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.calls.start()}>
      ${busy ? html`<span class="spinner" aria-hidden="true"></span>` : phoneIcon}${label}
    </button>`;
  }

  override render() {
    const onLead = this.phase === 'lead' && !!this.lead;
    const afterCall = this.calls.phase === 'ended' || this.calls.phase === 'failed';
    return html`<dialog part="base" aria-labelledby="qt" aria-busy=${this.busy ? 'true' : 'false'}>
      <header class="modal-header">
        <div class="title-row">
          <h2 id="qt">Calling: ${this.label}</h2>
          <button class="btn btn--ghost close-x" aria-label="Stop calling" @click=${() => this.requestClose('close')}>×</button>
        </div>
        ${this.phase === 'lead' ? html`<p class="left" part="remaining" aria-live="polite">${this.remaining} left</p>` : nothing}
      </header>
      <div class="modal-body">${this.renderBody()}</div>
      ${onLead
        ? html`<footer class="modal-footer">
            ${callModeTemplate(this.config.session, () => this.requestUpdate(), this.calls.busy)} ${this.renderCallButton()}
            <button class="btn" part="skip-button" ?disabled=${this.busy || this.calls.busy} @click=${this.onSkip}>Skip</button>
            <button class="btn" part="snooze-button" ?disabled=${this.busy || this.calls.busy} @click=${this.onSnooze}>Snooze…</button>
            <span class="spacer"></span>
            <button class="btn ${afterCall ? 'btn--primary' : ''}" part="next-button" ?disabled=${this.busy || this.calls.busy} @click=${this.onNext}>Next lead</button>
          </footer>`
        : nothing}
      <leads-toaster></leads-toaster>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'call-queue': CallQueue;
  }
}
