import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import type { LeadsApiClient } from '../../api/client.js';
import { CampaignsApi, type Campaign } from '../../api/campaigns.js';
import type { LiveUpdates } from '../../api/live.js';
import { toErrorInfo } from '../../calls/call-controller.js';
import { apiContext, configContext, defaultConfig, liveContext, type WidgetConfig } from '../../contexts.js';
import { ModalController } from '../../dialogs/modal.js';
import { modalStyles, modalTokens } from '../../dialogs/modal.styles.js';
import { emit, type ApiErrorInfo } from '../../events.js';
import { clinicWhen } from '../../format.js';
import { buttons, tokens } from '../../styles/tokens.js';
import { canCancel, canPause, canResume, progressOf, reportOf, STATUS_WORDS } from './campaign-progress.js';
import { styles } from './campaigns-panel.styles.js';

/** The socket event this panel follows (core/contracts.ts ServerToClientEvents 'campaign:updated'). */
type CampaignLive = { on(event: 'campaign:updated', handler: (payload: { campaign: Campaign }) => void): () => void };

/**
 * @tagname campaigns-panel
 * @summary The clinic's SMS campaigns, newest first, each with a live progress bar (socket `campaign:updated`), Pause,
 * Resume and Cancel, its report (sent, delivered, failed, replied, opted out, skipped, segments used) and its recipients
 * as CSV. Progress is announced in a polite live region at each tenth and at every status change.
 *
 * @fires dialog-close - The panel closed.
 *
 * @csspart base - The <dialog>.
 * @csspart campaign - One campaign.
 * @csspart progress - A progress bar (role progressbar).
 * @csspart report - A campaign's report.
 * @csspart error - An error in words a person can act on.
 *
 * @cssprop --leads-campaigns-panel-width - Width on wide screens (720px); full-screen under 600px.
 */
export class CampaignsPanel extends LitElement {
  static override styles = [tokens, buttons, modalTokens, modalStyles, styles];

  private readonly modal = new ModalController(this, () => this.dialog, () => this.closeX);

  @query('dialog') private dialog?: HTMLDialogElement;
  @query('.close-x') private closeX?: HTMLButtonElement;

  @property({ type: Boolean, reflect: true }) open = false;
  /** A campaign to show first, marked (the one just started). */
  @property({ attribute: false }) highlight: string | null = null;

  @consume({ context: apiContext, subscribe: true })
  @state()
  private api?: LeadsApiClient;

  @consume({ context: liveContext, subscribe: true })
  @state()
  private live?: LiveUpdates;

  @consume({ context: configContext, subscribe: true })
  @state()
  private config: WidgetConfig = defaultConfig;

  @state() private campaigns: Campaign[] | null = null;
  @state() private error: ApiErrorInfo | null = null;
  @state() private busy: string | null = null;
  @state() private confirmCancel: string | null = null;
  @state() private announcement = '';

  private off: (() => void) | null = null;
  private subscribed: LiveUpdates | undefined;
  private announced = new Map<string, string>();

  // --- lifecycle ------------------------------------------------------------------------------

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.off?.();
    this.off = null;
    this.subscribed = undefined;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (this.live !== this.subscribed || (this.live && !this.off)) {
      this.off?.();
      this.subscribed = this.live;
      const live = this.live as unknown as CampaignLive | undefined;
      const offUpdated = live?.on('campaign:updated', ({ campaign }) => this.onUpdated(campaign));
      const offReconnected = this.live?.on('reconnected', () => void this.load());
      this.off = live ? () => (offUpdated?.(), offReconnected?.()) : null;
    }
    if ((changed.has('open') || changed.has('api')) && this.open && this.api) void this.load();
  }

  protected override updated(): void {
    // Through the CSSOM: a style attribute (what styleMap writes on first render) is blocked by a strict CSP.
    for (const fill of this.renderRoot.querySelectorAll<HTMLElement>('.fill')) fill.style.width = `${fill.dataset.pct ?? 0}%`;
  }

  private get campaignsApi(): CampaignsApi | null {
    return this.api ? new CampaignsApi(this.api) : null;
  }

  private async load(): Promise<void> {
    const api = this.campaignsApi;
    if (!api) return;
    try {
      const list = await api.list();
      this.campaigns = list.filter((c) => c.status !== 'draft');
      for (const c of this.campaigns) this.announced.set(c.id, this.milestone(c));
      this.error = null;
    } catch (err) {
      this.error = toErrorInfo(err);
    }
  }

  /** "sending 40" for 40-49%: what was last said about a campaign. */
  private milestone(c: Campaign): string {
    return `${c.status} ${Math.floor(progressOf(c) / 10) * 10}`;
  }

  private onUpdated(campaign: Campaign): void {
    if (!this.campaigns || campaign.status === 'draft') return;
    const i = this.campaigns.findIndex((c) => c.id === campaign.id);
    this.campaigns = i >= 0 ? this.campaigns.map((c) => (c.id === campaign.id ? campaign : c)) : [campaign, ...this.campaigns];
    const m = this.milestone(campaign);
    if (this.announced.get(campaign.id) !== m) {
      this.announced.set(campaign.id, m);
      this.announcement = `${campaign.name}: ${STATUS_WORDS[campaign.status].toLowerCase()}, ${progressOf(campaign)}% done, ${campaign.counts.sent} of ${campaign.counts.recipients} sent.`;
    }
  }

  // --- event handlers -------------------------------------------------------------------------

  private async act(c: Campaign, action: 'pause' | 'resume' | 'cancel'): Promise<void> {
    const api = this.campaignsApi;
    if (!api || this.busy) return;
    this.busy = c.id;
    this.confirmCancel = null;
    this.error = null;
    try {
      this.onUpdated(await api.action(c.id, action));
    } catch (err) {
      this.error = toErrorInfo(err);
    } finally {
      this.busy = null;
    }
  }

  /** The recipients as a CSV file: fetched with the token in a header (never in a URL), then saved from a blob. */
  private async download(c: Campaign): Promise<void> {
    const api = this.campaignsApi;
    if (!api) return;
    try {
      const blob = await api.recipientsCsv(c.id);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `${c.name.replace(/[^\w-]+/g, '-').replace(/^-|-$/g, '') || 'campaign'}-recipients.csv`;
      this.renderRoot.appendChild(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      this.error = toErrorInfo(err);
    }
  }

  private onClose = (): void => void this.requestClose('close');

  // --- public methods -------------------------------------------------------------------------

  async requestClose(reason: 'close' | 'escape' | 'done' = 'close'): Promise<void> {
    if (!this.open) return;
    this.open = false;
    await this.updateComplete;
    emit(this, 'dialog-close', { reason });
  }

  /** Refetch the list. */
  refresh(): Promise<void> {
    return this.load();
  }

  // --- render ---------------------------------------------------------------------------------

  private renderCampaign(c: Campaign) {
    const pct = progressOf(c);
    const tz = this.config?.session?.org.timezone;
    const by = typeof c.createdBy === 'object' && c.createdBy ? c.createdBy.name : typeof c.createdBy === 'string' ? c.createdBy : null;
    const when = c.status === 'scheduled' && c.sendAt ? `Sends ${clinicWhen(c.sendAt, tz)}` : c.startedAt ? `Started ${clinicWhen(c.startedAt, tz)}` : c.createdAt ? `Created ${clinicWhen(c.createdAt, tz)}` : '';
    const busy = this.busy === c.id;
    const titleId = `c-${c.id}`;
    return html`<li class="campaign ${c.id === this.highlight ? 'highlight' : ''}" part="campaign" aria-labelledby=${titleId} data-id=${c.id}>
      <div class="head">
        <h3 id=${titleId}>${c.name}</h3>
        <span class="status status--${c.status}">${STATUS_WORDS[c.status]}</span>
      </div>
      <p class="muted meta">${[when, by ? `by ${by}` : '', `${c.counts.recipients} recipient${c.counts.recipients === 1 ? '' : 's'}`].filter(Boolean).join(' · ')}</p>
      <div class="bar-row">
        <div class="bar" part="progress" role="progressbar" aria-labelledby=${titleId} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${pct}
          aria-valuetext=${`${pct}%: ${c.counts.sent} of ${c.counts.recipients} sent`}>
          <span class="fill" data-pct=${pct}></span>
        </div>
        <span class="pct">${pct}%</span>
      </div>
      <dl class="report" part="report">
        ${reportOf(c).map(([label, n, key]) => html`<div data-key=${key}><dt>${label}</dt><dd>${n.toLocaleString('en-US')}</dd></div>`)}
      </dl>
      <div class="actions">
        ${canPause(c) ? html`<button class="btn" ?disabled=${busy} @click=${() => this.act(c, 'pause')}>Pause</button>` : nothing}
        ${canResume(c) ? html`<button class="btn btn--primary" ?disabled=${busy} @click=${() => this.act(c, 'resume')}>Resume</button>` : nothing}
        ${canCancel(c)
          ? this.confirmCancel === c.id
            ? html`<span class="confirm" role="group" aria-label="Cancel this campaign?">
                <span>Stop all remaining texts?</span>
                <button class="btn btn--danger" ?disabled=${busy} @click=${() => this.act(c, 'cancel')}>Yes, cancel it</button>
                <button class="btn" @click=${() => (this.confirmCancel = null)}>Keep sending</button>
              </span>`
            : html`<button class="btn btn--danger" ?disabled=${busy} @click=${() => (this.confirmCancel = c.id)}>Cancel…</button>`
          : nothing}
        <span class="spacer"></span>
        <button class="btn btn--ghost" @click=${() => this.download(c)}>Recipients (CSV)</button>
      </div>
    </li>`;
  }

  override render() {
    const list = this.campaigns;
    const shown = list && this.highlight ? [...list].sort((a, b) => Number(b.id === this.highlight) - Number(a.id === this.highlight)) : list;
    return html`<dialog part="base" aria-labelledby="title">
      <header class="modal-header">
        <div class="title-row">
          <h2 id="title">Campaigns</h2>
          <button class="btn btn--ghost close-x" aria-label="Close campaigns" @click=${this.onClose}>×</button>
        </div>
      </header>
      <div class="modal-body">
        <p class="visually-hidden" aria-live="polite" role="status">${this.announcement}</p>
        ${this.error
          ? html`<div class="notice notice--error" part="error" role="alert">
              <p><strong>That didn't work.</strong> ${this.error.message}</p>
            </div>`
          : nothing}
        ${!list
          ? html`<p class="muted" aria-busy="true">Loading campaigns…</p>`
          : !list.length
            ? html`<div class="empty"><p><strong>No campaigns yet.</strong></p>
                <p class="muted">Filter the board (or select cards) and press “Text these leads” to send your first one.</p></div>`
            : html`<ul class="list" aria-label="Campaigns">${repeat(shown!, (c) => c.id, (c) => this.renderCampaign(c))}</ul>`}
      </div>
    </dialog>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'campaigns-panel': CampaignsPanel;
  }
}
