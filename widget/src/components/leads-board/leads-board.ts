import { ContextProvider } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, query, state } from 'lit/decorators.js';
import { createRef, ref } from 'lit/directives/ref.js';
import { repeat } from 'lit/directives/repeat.js';
import type { Lead, LeadStatus, LostReason, SessionInfo, Tier } from '../../../../core/contracts.js';
import { LOST_REASONS, LOST_REASON_LABELS } from '../../../../core/workflow.js';
import { BOARD_SORTS, SORT_LABELS, type BoardSort } from '../../../../core/board.js';
import { VIEW_DESCRIPTIONS, VIEW_LABELS, VIEWS, type AppointmentFilter, type ViewName } from '../../../../core/views.js';
import { LeadsApiClient, type LeadQuery, type TokenProvider } from '../../api/client.js';
import { LiveService, type LiveUpdates } from '../../api/live.js';
import { apiContext, configContext, liveContext, type WidgetConfig } from '../../contexts.js';
import { emit, toast, type LeadsEvent } from '../../events.js';
import { loadLazy } from '../../lazy-load.js';
import { STATUS_LABELS, TIER_INFO, tierOf } from '../../format.js';
import { badges, buttons, tokens } from '../../styles/tokens.js';
import { LeadCard } from '../lead-card/lead-card.js';
import { LeadSelection } from '../../leads/selection.js';
import { BoardTeam } from './board-team.js';
import type { LeadDetail } from '../lead-detail/lead-detail.js';
import type { SmsComposer } from '../sms-composer/sms-composer.js';
import { refreshIcon, searchIcon } from '../lead-card/icons.js';
import type { LeadsToaster } from '../leads-toaster/leads-toaster.js';
import { styles } from './leads-board.styles.js';

type TierFilter = Tier | 'all';

const APPOINTMENT_OPTIONS: Array<[AppointmentFilter | '', string]> = [
  ['', 'Any appointment'],
  ['none', 'No upcoming appointment'],
  ['today', 'Appointment today'],
];

const SHORTCUTS: Array<[string, string]> = [
  ['Space', 'Open the focused lead'],
  ['C', 'Call the focused lead'],
  ['S', 'Write an SMS'],
  ['B', 'Mark as booked'],
  ['L', 'Mark as lost (asks why)'],
  ['F', 'Schedule a follow-up'],
  ['E', 'Edit the contact'],
  ['X', 'Select / unselect the focused lead (bulk actions)'],
  ['↑ ↓ ← →', 'Previous / next lead (continues onto the next page)'],
  ['PgUp PgDn', 'Previous / next page'],
  ['/', 'Search'],
  ['Esc', 'Close'],
  ['?', 'This help'],
];

/**
 * @tagname leads-board
 * @summary The live lead board: priority view tabs with their counts, tier, status and appointment filters, sorts, search, pages of
 * 20, live updates (with the due follow-up reminders), the hot-lead alert, toasts and keyboard shortcuts. Provides the API client, live updates and configuration to nested elements
 * (@lit/context) and hosts `lead-detail` and `sms-composer`.
 *
 * @fires lead-open - A lead was activated (cancelable: prevent it to show your own detail instead).
 * @fires lead-status-change-request - Before a status change (cancelable).
 * @fires lead-status-change - A status changed.
 * @fires call-start-request - Before a call is placed (cancelable).
 * @fires call-started - A call was queued.
 * @fires call-failed - A call was refused or failed.
 * @fires sms-compose-request - Before the SMS composer opens (cancelable).
 * @fires sms-sent - An SMS was accepted.
 * @fires hot-lead - A lead crossed into Hot.
 * @fires selection-action - A bulk action on the selected cards or on all matching (cancelable): 'text' opens the campaign composer.
 * @fires campaign-started - A campaign was started from the campaign composer (the campaigns panel opens on it).
 *
 * @csspart base - The board's box.
 * @csspart header - Title, count and the header buttons.
 * @csspart toolbar - Search and filters.
 * @csspart search - The search input.
 * @csspart tier-filter - The group of tier chips.
 * @csspart status-filter - The status select.
 * @csspart appointment-filter - The appointment select (any, no upcoming appointment, appointment today).
 * @csspart lost-reason-filter - The lost-reason select, shown while the board lists lost leads (status Lost, Revisit lost).
 * @csspart sort - The sort select.
 * @csspart views - The priority view tabs (All, Call today, This week, Nurture, Revisit lost) with their counts.
 * @csspart view-count - The count on a view tab.
 * @csspart hot-alert - The hot-lead alert.
 * @csspart list - The list of cards.
 * @csspart card - Each lead-card (its own parts are exported as card-*, e.g. card-base, card-call-button).
 * @csspart empty - The empty state.
 * @csspart error - The error state.
 * @csspart pager - The pagination bar.
 * @csspart text-list-button - "Text these N leads": a campaign to the whole filter (shown while no card is selected).
 * @csspart toaster - The toast region element.
 *
 * @cssprop --leads-board-bg - Board background (defaults to --leads-color-surface-alt).
 * @cssprop --leads-board-padding - Board padding (16px).
 * @cssprop --leads-card-min-width - Narrowest card before the grid wraps (300px).
 * @cssprop --leads-color-primary - Primary buttons and active chips (see styles/tokens.ts for every token).
 */
export class LeadsBoard extends LitElement {
  static override styles = [tokens, buttons, badges, styles];

  private readonly apiProvider = new ContextProvider(this, { context: apiContext });
  private readonly liveProvider = new ContextProvider(this, { context: liveContext });
  private readonly configProvider = new ContextProvider(this, { context: configContext });
  /** Owners (filter, bulk assign), presence and the call queue. */
  private readonly team = new BoardTeam(this, {
    api: () => this.apiProvider.value,
    session: () => this.session,
    onFilter: () => {
      this.page = 1;
      this.load();
    },
    onAssigned: () => {
      this.selection.clear();
      this.load({ silent: true });
    },
  });

  @query('input[type="search"]') private searchInput!: HTMLInputElement;
  @query('leads-toaster') private toaster?: LeadsToaster;
  @query('dialog.help') private helpDialog?: HTMLDialogElement;

  /** API origin (the socket connects there too). */
  @property({ attribute: 'api-url' }) apiUrl = '';
  /** A static embed token. Prefer `tokenProvider` for short-lived tokens. */
  @property() token: string | null = null;
  /** Async function returning a fresh token; called at start and when the API answers TOKEN_EXPIRED. */
  @property({ attribute: false }) tokenProvider: TokenProvider | null = null;
  /** Colour scheme: light, dark or auto (follows the system). */
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'auto';
  /** Link to the host's outbound agent settings (shown in call-error guides). */
  @property({ attribute: 'agent-settings-url' }) agentSettingsUrl: string | null = null;
  /** Link to the host's phone number settings (shown in call-error guides). */
  @property({ attribute: 'phone-settings-url' }) phoneSettingsUrl: string | null = null;
  /** Leads per page (the API allows up to 100). */
  @property({ type: Number, attribute: 'page-size' }) pageSize = 20;
  /** Board title. */
  @property() heading = 'Leads';
  /** The priority view shown ('' = All): call_today, this_week, nurture or revisit_lost (GET /v1/leads?view=). */
  @property() view: ViewName | '' = '';
  /** The order: score (default), last_contact (oldest first), newest, follow_up (next due first). */
  @property() sort: BoardSort = 'score';
  /** Inject an API client (tests, advanced hosts); otherwise one is built from api-url and the token. */
  @property({ attribute: false }) api: LeadsApiClient | null = null;
  /** Inject live updates (tests, a shared socket); otherwise the board opens its own socket. */
  @property({ attribute: false }) live: LiveUpdates | null = null;

  @state() private items: Lead[] = [];
  @state() private total = 0;
  @state() private totalPages = 0;
  @state() private page = 1;
  @state() private tier: TierFilter = 'all';
  @state() private status: LeadStatus | '' = '';
  @state() private q = '';
  /** The appointment filter ('' = any): none (no upcoming appointment) or today. */
  @state() private appointment: AppointmentFilter | '' = '';
  /** The lost-reason filter ('' = any reason), offered while the board shows lost leads (status Lost, Revisit lost). */
  @state() private lostReason: LostReason | '' = '';
  @state() private loading = true;
  @state() private refreshing = false;
  @state() private error: string | null = null;
  @state() private activeId: string | null = null;
  @state() private hotLead: Lead | null = null;
  @state() private detailLead: Lead | null = null;
  @state() private smsLead: Lead | null = null;
  @state() private now = Date.now();
  @state() private session: SessionInfo | null = null;
  /** Each view's count under the other filters (GET /v1/views); null until loaded or when it failed. */
  @state() private counts: Partial<Record<ViewName, number>> | null = null;

  private client: LeadsApiClient | null = null;
  private ownLive: LiveService | null = null;
  private liveUnsubs: Array<() => void> = [];
  private subscribedLive: LiveUpdates | null = null;
  private seq = 0;
  private abort: AbortController | null = null;
  private searchTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private clockTimer: ReturnType<typeof setInterval> | undefined;
  private countsTimer: ReturnType<typeof setTimeout> | undefined;
  private returnFocus: HTMLElement | null = null;
  private readonly detailRef = createRef<LeadDetail>();
  private readonly composerRef = createRef<SmsComposer>();
  private focusAfterLoad: 'first' | 'last' | null = null;
  /** The selected cards (bulk actions); kept across pages and live updates, cleared when the filter changes. */
  readonly selection = new LeadSelection();
  /** The filter the selection was made under (JSON of `filters` without the sort). */
  private selectionFilter = '';

  constructor() {
    super();
    this.addEventListener('keydown', this.onKeydown);
    this.addEventListener('lead-open', this.onLeadOpen);
    this.addEventListener('sms-compose-request', this.onSmsRequest);
    this.addEventListener('lead-status-change', this.onStatusChange);
    this.addEventListener('selection-action', this.onSelectionAction);
    // The picked leads got their campaign: a new list starts empty.
    this.addEventListener('campaign-started', () => this.selection.clear());
    this.selection.onChange(() => {
      this.requestUpdate();
      // The selection bar is in the lazy chunk: it upgrades as soon as it has loaded.
      if (this.selection.size(this.total)) void loadLazy().catch(() => undefined);
    });
  }

  protected override createRenderRoot(): HTMLElement | DocumentFragment {
    const root = super.createRenderRoot();
    // toast-show is internal (not composed): it reaches our render root, not this element.
    root.addEventListener('toast-show', this.onToast as EventListener);
    return root;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.clockTimer = setInterval(() => (this.now = Date.now()), 30_000);
    // The lead detail and the dialogs live in the lazy chunk: fetch it once the page is idle, so the first lead opened
    // does not wait for it (a failed fetch is retried on first use).
    const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number }).requestIdleCallback;
    const prefetch = () => void loadLazy().catch(() => undefined);
    if (idle) idle(prefetch, { timeout: 3000 });
    else setTimeout(prefetch, 1500);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    clearInterval(this.clockTimer);
    clearTimeout(this.searchTimer);
    clearTimeout(this.refreshTimer);
    clearTimeout(this.countsTimer);
    this.abort?.abort();
    this.unsubscribeLive();
    this.ownLive?.disconnect();
    this.ownLive = null;
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('apiUrl') || changed.has('api') || changed.has('token') || changed.has('tokenProvider') || changed.has('live')) {
      this.setupServices(changed);
    }
    if ((changed.has('view') || changed.has('sort')) && this.hasUpdated) {
      this.page = 1;
      this.load();
    }
    if (changed.has('agentSettingsUrl') || changed.has('phoneSettingsUrl') || changed.has('apiUrl') || changed.has('session')) {
      this.configProvider.setValue(this.config);
    }
  }

  private get config(): WidgetConfig {
    return {
      apiUrl: this.apiUrl,
      settings: { agentSettingsUrl: this.agentSettingsUrl, phoneSettingsUrl: this.phoneSettingsUrl },
      session: this.session,
    };
  }

  private setupServices(changed: PropertyValues): void {
    const provider: TokenProvider | null = this.tokenProvider;
    let client = this.api;
    if (!client && this.apiUrl) {
      if (!this.client || this.client.baseUrl !== this.apiUrl.replace(/\/+$/, '')) {
        this.client = new LeadsApiClient({ baseUrl: this.apiUrl, token: this.token, tokenProvider: provider });
        this.ownLive?.disconnect();
        this.ownLive = null;
      } else {
        this.client.setToken(this.token);
        this.client.setTokenProvider(provider);
      }
      client = this.client;
    }
    const apiChanged = this.apiProvider.value !== (client ?? undefined);
    this.apiProvider.setValue(client ?? undefined);

    let live = this.live;
    if (!live && client && this.apiUrl) {
      if (!this.ownLive) {
        const c = client;
        this.ownLive = new LiveService({ url: this.apiUrl, getToken: () => c.getToken(), refreshToken: () => c.refreshToken() });
        this.ownLive.connect();
      }
      live = this.ownLive;
    }
    this.liveProvider.setValue(live ?? undefined);
    this.subscribeLive(live ?? null);
    this.team.setLive(live ?? null);

    if (apiChanged || (changed.has('token') && this.error)) {
      this.loadSession();
      this.load();
    }
  }

  private subscribeLive(live: LiveUpdates | null): void {
    if (live === this.subscribedLive) return;
    this.unsubscribeLive();
    this.subscribedLive = live;
    if (!live) return;
    this.liveUnsubs = [
      live.on('lead:updated', ({ lead }) => this.onLiveLead(lead)),
      live.on('lead:scored', ({ leadId, score }) => {
        const current = this.items.find((l) => l.id === leadId);
        if (current && current.leadScore !== score) this.scheduleRefresh();
      }),
      live.on('lead:hot', ({ lead }) => {
        this.hotLead = lead;
        emit(this, 'hot-lead', { lead });
      }),
      live.on('follow-up:due', ({ followUp, lead }) => {
        this.onLiveLead(lead);
        // Through the toast routing: shown in an open dialog rather than under it.
        toast(this.renderRoot, {
          variant: 'info',
          message: `Follow-up due: ${lead.name}${followUp.note ? ` · ${followUp.note}` : ''}`,
          action: { label: 'Open', run: () => void emit(this, 'lead-open', { lead }, { cancelable: true }) },
        });
      }),
      live.on('lead:deleted', ({ leadId }) => {
        this.selection.remove(leadId);
        this.items = this.items.filter((l) => l.id !== leadId);
        this.scheduleRefresh();
      }),
      live.on('reconnected', () => this.load({ silent: true })),
    ];
  }

  private unsubscribeLive(): void {
    for (const off of this.liveUnsubs) off();
    this.liveUnsubs = [];
    this.subscribedLive = null;
  }

  private async loadSession(): Promise<void> {
    const api = this.apiProvider.value;
    if (!api) return;
    try {
      this.session = await api.session();
      this.team.loadTeam();
    } catch {
      this.session = null;
    }
  }

  /** True when `lead` passes the current filters (the server stays the judge; this only decides what to refetch). */
  private passesFilters(lead: Lead): boolean {
    if (this.tier !== 'all' && tierOf(lead.leadScore) !== this.tier) return false;
    if (this.status && lead.leadStatus !== this.status) return false;
    const q = this.q.trim().toLowerCase();
    if (q) {
      const digits = q.replace(/\D/g, '');
      const byName = lead.name.toLowerCase().includes(q);
      const byPhone = digits.length > 0 && lead.phone.replace(/\D/g, '').includes(digits);
      if (!byName && !byPhone) return false;
    }
    return true;
  }

  private onLiveLead(lead: Lead): void {
    // Views and the other sorts depend on fields the board does not judge: any change may move a lead.
    const exact = !this.view && !this.appointment && !this.filters.lostReason && !this.team.owner && this.sort === 'score';
    clearTimeout(this.countsTimer);
    this.countsTimer = setTimeout(() => this.loadCounts(), 1000);
    const index = this.items.findIndex((l) => l.id === lead.id);
    if (index >= 0) {
      const old = this.items[index];
      if (lead.version !== undefined && old.version !== undefined && lead.version < old.version) return;
      const sameOrder = old.leadScore === lead.leadScore && old.lastContactAt === lead.lastContactAt;
      // The card changes in place...
      this.items = this.items.map((l) => (l.id === lead.id ? lead : l));
      // ...and a change that can move it (out of the filter, or to another position) refreshes the page.
      if (!exact || !sameOrder || !this.passesFilters(lead)) this.scheduleRefresh();
      if (this.detailLead?.id === lead.id) this.detailLead = lead;
    } else if (!exact || this.passesFilters(lead)) {
      this.scheduleRefresh();
    }
  }

  private scheduleRefresh(): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.load({ silent: true }), 250);
  }

  /** Fetch the current page. `silent` keeps the cards on screen (live refreshes, refresh button). */
  private async load(options: { silent?: boolean } = {}): Promise<void> {
    const api = this.apiProvider.value;
    if (!api) {
      this.loading = false;
      this.error = this.apiUrl ? null : 'The board needs an api-url.';
      return;
    }
    const seq = ++this.seq;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    if (options.silent && this.items.length) this.refreshing = true;
    else this.loading = true;
    const query: LeadQuery = { ...this.filters, page: this.page, pageSize: this.pageSize };
    // Another filter is another list: a selection made under the old one would act on leads no longer shown.
    const filterKey = JSON.stringify({ ...this.filters, sort: null });
    if (filterKey !== this.selectionFilter) {
      this.selectionFilter = filterKey;
      this.selection.clear();
    }
    this.loadCounts(abort.signal);
    try {
      const result = await api.listLeads(query, abort.signal);
      if (seq !== this.seq) return;
      if (result.totalPages > 0 && this.page > result.totalPages) {
        // The page emptied (leads moved away): show the last page instead.
        this.page = result.totalPages;
        this.load(options);
        return;
      }
      this.items = result.items;
      this.total = result.total;
      this.totalPages = result.totalPages;
      this.error = null;
      if (this.focusAfterLoad) {
        const lead = this.focusAfterLoad === 'first' ? result.items[0] : result.items.at(-1);
        this.focusAfterLoad = null;
        if (lead) this.focusLead(lead.id);
      } else if (this.activeId && !result.items.some((l) => l.id === this.activeId)) {
        this.activeId = null;
      }
    } catch (err) {
      if (seq !== this.seq || (err as Error)?.name === 'AbortError') return;
      const message = err instanceof Error ? err.message : 'The leads could not be loaded.';
      if (options.silent && this.items.length) this.toaster?.show({ variant: 'error', message });
      else this.error = message;
    } finally {
      if (seq === this.seq) {
        this.loading = false;
        this.refreshing = false;
      }
    }
  }

  /** The board's filters, view and sort (GET /v1/leads, the CSV export; GET /v1/views takes the filters). */
  private get filters(): LeadQuery {
    return {
      tier: this.tier === 'all' ? null : this.tier,
      status: this.status || null,
      q: this.q,
      sort: this.sort,
      view: this.view || null,
      appointment: this.appointment || null,
      lostReason: this.showsLost && this.lostReason ? this.lostReason : null,
      owner: this.team.owner || null,
    };
  }

  /** Lost leads are what the board lists: the reason filter applies. */
  private get showsLost(): boolean {
    return this.status === 'lost' || this.view === 'revisit_lost';
  }

  private async loadCounts(signal?: AbortSignal): Promise<void> {
    const api = this.apiProvider.value;
    if (!api) return;
    try {
      const { views } = await api.viewCounts(this.filters, signal);
      this.counts = Object.fromEntries(views.map((v) => [v.view, v.count]));
    } catch {
      // The counts are a hint: the list still works without them.
    }
  }

  // --- event handlers -------------------------------------------------------------------------

  private onSearchInput(event: InputEvent): void {
    const value = (event.target as HTMLInputElement).value;
    clearTimeout(this.searchTimer);
    this.searchTimer = setTimeout(() => this.applySearch(value), 250);
  }

  private onSearchKeydown(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      clearTimeout(this.searchTimer);
      this.applySearch(this.searchInput.value);
    } else if (event.key === 'Escape' && this.searchInput.value) {
      event.stopPropagation();
      this.searchInput.value = '';
      this.applySearch('');
    }
  }

  private applySearch(value: string): void {
    if (value.trim() === this.q.trim()) return;
    this.q = value;
    this.page = 1;
    this.load();
  }

  private setTier(tier: TierFilter): void {
    if (this.tier === tier) return;
    this.tier = tier;
    this.page = 1;
    this.load();
  }

  private onStatusFilter(event: Event): void {
    this.status = (event.target as HTMLSelectElement).value as LeadStatus | '';
    this.page = 1;
    this.load();
  }

  private onLostReasonFilter(event: Event): void {
    this.lostReason = (event.target as HTMLSelectElement).value as LostReason | '';
    this.page = 1;
    this.load();
  }

  private onAppointmentFilter(event: Event): void {
    this.appointment = (event.target as HTMLSelectElement).value as AppointmentFilter | '';
    this.page = 1;
    this.load();
  }

  private setView(view: ViewName | ''): void {
    this.view = view;
  }

  private onSort(event: Event): void {
    this.sort = (event.target as HTMLSelectElement).value as BoardSort;
  }

  private clearFilters(): void {
    this.view = '';
    this.tier = 'all';
    this.status = '';
    this.appointment = '';
    this.lostReason = '';
    this.team.owner = '';
    this.q = '';
    if (this.searchInput) this.searchInput.value = '';
    this.page = 1;
    this.load();
  }

  /**
   * Toasts go to the topmost open dialog (a modal dialog makes the board's own toaster inert and dims it), unless the
   * toast outlives the dialog that raised it (the composer closing after a send): then to the one underneath, or the board.
   */
  private onToast = (event: LeadsEvent<'toast-show'>): void => {
    event.stopPropagation();
    const dialogs = [this.composerRef.value, this.detailRef.value, this.renderRoot.querySelector('call-queue') as (HTMLElement & { open: boolean; showToast(o: unknown): void }) | null];
    const target = dialogs.find((d) => d?.open && typeof d.showToast === 'function' && !(event.detail.outlivesDialog && event.composedPath().includes(d)));
    if (target) target.showToast(event.detail);
    else this.toaster?.show(event.detail);
  };

  private onLeadOpen = (event: LeadsEvent<'lead-open'>): void => {
    // Let the host see (and veto) the event first: it bubbles on to the document, then we act.
    queueMicrotask(() => {
      if (event.defaultPrevented) return;
      this.returnFocus = this.cardOf(event.composedPath());
      // lead-detail is in the lazy chunk of the script-tag build: it upgrades (with the properties set here) once loaded.
      void loadLazy();
      this.detailLead = event.detail.lead;
    });
  };

  private onSmsRequest = (event: LeadsEvent<'sms-compose-request'>): void => {
    queueMicrotask(() => {
      if (event.defaultPrevented) return;
      this.returnFocus ??= this.cardOf(event.composedPath());
      // The composer is in the lazy chunk: it upgrades (with the properties set here) once loaded.
      void loadLazy();
      this.smsLead = event.detail.lead;
    });
  };

  /** The campaign composer or the campaigns panel (lazy elements, opened in our shadow root: campaigns-panel/open-campaigns.ts). */
  private openCampaigns(what: import('../campaigns-panel/open-campaigns.js').OpenCampaigns): void {
    loadLazy().then(
      (lazy) => lazy.openCampaigns(this.renderRoot, what),
      () => this.toaster?.show({ variant: 'error', message: "Campaigns couldn't be loaded. Check your connection and try again." }),
    );
  }

  /** The selection bar's actions: 'text' opens the campaign composer (after the host had its chance to prevent it). */
  private onSelectionAction = (event: LeadsEvent<'selection-action'>): void => {
    queueMicrotask(() => {
      if (event.defaultPrevented) return;
      if (event.detail.action === 'text') this.openCampaigns({ compose: { leadIds: event.detail.leadIds, filter: event.detail.filter, total: this.selection.size(this.total), leads: this.items } });
      else if (event.detail.action === 'assign') void this.team.assign(event.detail.leadIds, event.detail.filter, this.selection.size(this.total), this.renderRoot);
    });
  };

  private onStatusChange = (event: LeadsEvent<'lead-status-change'>): void => {
    this.onLiveLead(event.detail.lead);
  };

  private onDetailClose = (): void => {
    this.detailLead = null;
    if (!this.smsLead) this.restoreFocus();
  };

  private onComposerClose = (): void => {
    this.smsLead = null;
    if (!this.detailLead) this.restoreFocus();
  };

  /** On the list (focus moves inside one shadow root never reach the host). */
  private onFocusIn = (event: FocusEvent): void => {
    const card = this.cardOf(event.composedPath());
    if (card?.lead) this.activeId = card.lead.id;
  };

  private onKeydown = (event: KeyboardEvent): void => {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    if (this.detailLead || this.smsLead || this.helpDialog?.open || this.renderRoot.querySelector('campaign-composer[open], campaigns-panel[open]') || this.team.open) return;
    const origin = event.composedPath()[0] as HTMLElement;
    const typing = origin?.localName === 'input' || origin?.localName === 'textarea' || origin?.localName === 'select' || origin?.isContentEditable;
    if (typing) return;
    const key = event.key;
    if (key === '/') {
      event.preventDefault();
      this.searchInput?.focus();
    } else if (key === '?') {
      event.preventDefault();
      this.openHelp();
    } else if (key === 'Escape' && this.hotLead) {
      this.hotLead = null;
    } else if (key === 'ArrowDown' || key === 'ArrowRight' || key === 'ArrowUp' || key === 'ArrowLeft') {
      if (origin?.localName === 'button' && (key === 'ArrowLeft' || key === 'ArrowRight') && !this.cardOf(event.composedPath())) return;
      event.preventDefault();
      this.moveFocus(key === 'ArrowDown' || key === 'ArrowRight' ? 1 : -1);
    } else if (key === 'PageDown' || key === 'PageUp') {
      event.preventDefault();
      this.goToPage(this.page + (key === 'PageDown' ? 1 : -1), key === 'PageDown' ? 'first' : 'last');
    }
  };

  private cardOf(path: EventTarget[]): LeadCard | null {
    return (path.find((n) => n instanceof LeadCard) as LeadCard | undefined) ?? null;
  }

  private moveFocus(delta: 1 | -1): void {
    if (!this.items.length) return;
    const current = this.items.findIndex((l) => l.id === this.activeId);
    const next = current < 0 ? (delta > 0 ? 0 : this.items.length - 1) : current + delta;
    if (next >= this.items.length) {
      if (this.page < this.totalPages) this.goToPage(this.page + 1, 'first');
      return;
    }
    if (next < 0) {
      if (this.page > 1) this.goToPage(this.page - 1, 'last');
      return;
    }
    this.focusLead(this.items[next].id);
  }

  private async focusLead(id: string): Promise<void> {
    this.activeId = id;
    await this.updateComplete;
    this.renderRoot.querySelector<LeadCard>(`lead-card[data-id="${CSS.escape(id)}"]`)?.focus();
  }

  private goToPage(page: number, focus: 'first' | 'last' | null = null): void {
    if (page < 1 || (this.totalPages && page > this.totalPages) || page === this.page) return;
    this.page = page;
    this.focusAfterLoad = focus;
    this.load();
  }

  private restoreFocus(): void {
    const target = this.returnFocus;
    this.returnFocus = null;
    if (target?.isConnected) this.updateComplete.then(() => target.focus());
  }

  private openHelp(): void {
    const dialog = this.helpDialog;
    if (!dialog || dialog.open) return;
    this.returnFocus = (this.shadowRoot?.activeElement as HTMLElement | null) ?? null;
    dialog.showModal();
  }

  private closeHelp(): void {
    this.helpDialog?.close();
  }

  private async exportCsv(): Promise<void> {
    const api = this.apiProvider.value;
    if (!api) return;
    try {
      const blob = await api.exportCsv(this.filters);
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = 'leads.csv';
      a.click();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    } catch (err) {
      this.toaster?.show({ variant: 'error', message: err instanceof Error ? err.message : 'Export failed.' });
    }
  }

  // --- public methods -------------------------------------------------------------------------

  /** Refetch the current page, keeping the cards on screen. */
  refresh(): Promise<void> {
    return this.load({ silent: true });
  }

  // --- render ---------------------------------------------------------------------------------

  private renderToolbar() {
    const tiers: TierFilter[] = ['all', 'hot', 'warm', 'cold'];
    return html`<div class="toolbar" part="toolbar">
      <div class="search">
        ${searchIcon}
        <input
          type="search"
          part="search"
          aria-label="Search leads by name or phone"
          placeholder="Search name or phone  ( / )"
          autocomplete="off"
          .value=${this.q}
          @input=${this.onSearchInput}
          @keydown=${this.onSearchKeydown}
        />
      </div>
      <div class="chips" role="group" aria-label="Score tier" part="tier-filter">
        ${tiers.map(
          (t) => html`<button class="btn chip" aria-pressed=${this.tier === t ? 'true' : 'false'} @click=${() => this.setTier(t)}>
            ${t === 'all' ? 'All' : html`<span aria-hidden="true">${TIER_INFO[t].emoji}</span> ${TIER_INFO[t].label} (${TIER_INFO[t].range})`}
          </button>`,
        )}
      </div>
      <div class="selects">
        <select part="status-filter" aria-label="Filter by status" .value=${this.status} @change=${this.onStatusFilter}>
          <option value="">All statuses</option>
          ${Object.entries(STATUS_LABELS).map(([value, label]) => html`<option value=${value} ?selected=${this.status === value}>${label}</option>`)}
        </select>
        ${this.showsLost
          ? html`<select part="lost-reason-filter" aria-label="Filter by lost reason" .value=${this.lostReason} @change=${this.onLostReasonFilter}>
              <option value="">Any lost reason</option>
              ${LOST_REASONS.map((r) => html`<option value=${r} ?selected=${this.lostReason === r}>${LOST_REASON_LABELS[r]}</option>`)}
            </select>`
          : nothing}
        <select part="appointment-filter" aria-label="Filter by appointment" .value=${this.appointment} @change=${this.onAppointmentFilter}>
          ${APPOINTMENT_OPTIONS.map(([v, label]) => html`<option value=${v} ?selected=${this.appointment === v}>${label}</option>`)}
        </select>
        <select part="sort" aria-label="Sort by" .value=${this.sort} @change=${this.onSort}>
          ${BOARD_SORTS.map((s) => html`<option value=${s} ?selected=${this.sort === s}>${SORT_LABELS[s]}</option>`)}
        </select>
        ${this.team.renderOwnerFilter()}
      </div>
    </div>`;
  }

  private renderViews() {
    const views: Array<ViewName | ''> = ['', ...VIEWS];
    return html`<div class="views" role="group" aria-label="Priority view" part="views">
        ${views.map((v) => {
          const n = v ? this.counts?.[v] : undefined;
          return html`<button class="btn tab" data-view=${v || 'all'} aria-pressed=${this.view === v ? 'true' : 'false'} @click=${() => this.setView(v)}>
            ${v ? VIEW_LABELS[v] : 'All'}${n === undefined ? nothing : html` <span class="n" part="view-count">${n}</span>`}
          </button>`;
        })}
      </div>
      ${this.view ? html`<p class="view-desc">${VIEW_DESCRIPTIONS[this.view]}</p>` : nothing}`;
  }

  private renderList() {
    if (this.loading && !this.items.length) {
      return html`<ul class="list" part="list" aria-busy="true" aria-label="Loading leads">
        ${Array.from({ length: 6 }, () => html`<li><div class="skeleton"></div></li>`)}
      </ul>`;
    }
    if (this.error) {
      return html`<div class="state error" part="error" role="alert">
        <p class="title">Couldn't load the leads</p>
        <p class="muted">${this.error}</p>
        <button class="btn btn--primary" @click=${() => this.load()}>Retry</button>
      </div>`;
    }
    if (!this.items.length) {
      const filtered = this.tier !== 'all' || !!this.status || !!this.appointment || !!this.lostReason || !!this.team.owner || !!this.q.trim() || !!this.view;
      return html`<div class="state" part="empty">
        <p class="title">${this.view && !this.q.trim() ? `Nothing in ${VIEW_LABELS[this.view]} right now` : filtered ? 'No leads match these filters' : 'No leads yet'}</p>
        <p class="muted">${filtered ? 'Try another search or tier.' : 'New leads appear here as soon as they arrive.'}</p>
        ${filtered ? html`<button class="btn" @click=${this.clearFilters}>Clear filters</button>` : nothing}
      </div>`;
    }
    const activeId = this.items.some((l) => l.id === this.activeId) ? this.activeId : this.items[0].id;
    return html`<ul class="list ${this.refreshing || this.loading ? 'refreshing' : ''}" part="list" aria-label="Leads" aria-busy=${this.loading ? 'true' : 'false'} @focusin=${this.onFocusIn}>
      ${repeat(
        this.items,
        (l) => l.id,
        (lead) => html`<li>
          <lead-card
            part="card"
            exportparts="base: card-base, name: card-name, score-badge: card-score-badge, status-badge: card-status-badge, footer: card-footer, call-button: card-call-button"
            data-id=${lead.id}
            tabindex=${lead.id === activeId ? '0' : '-1'}
            .lead=${lead}
            .now=${this.now}
            .selection=${this.selection}
          ></lead-card>
        </li>`,
      )}
    </ul>`;
  }

  private renderPager() {
    if (this.error || (!this.items.length && !this.loading) || this.totalPages === 0) return nothing;
    const from = (this.page - 1) * this.pageSize + 1;
    const to = from + this.items.length - 1;
    return html`<nav class="pager" part="pager" aria-label="Pages">
      <button class="btn" ?disabled=${this.page <= 1 || this.loading} @click=${() => this.goToPage(this.page - 1)}>‹ Previous</button>
      <span class="page-info" aria-live="polite">Page ${this.page} of ${this.totalPages} · ${from}–${to} of ${this.total} leads</span>
      <button class="btn" ?disabled=${this.page >= this.totalPages || this.loading} @click=${() => this.goToPage(this.page + 1)}>Next ›</button>
    </nav>`;
  }

  /** "Text these N leads": a campaign to the whole filter, while nothing is selected. */
  private renderTextList() {
    if (this.error || !this.items.length || this.selection.size(this.total)) return nothing;
    return html`<div class="list-actions">
      <button class="btn" part="text-list-button" aria-haspopup="dialog" @click=${() => this.openCampaigns({ compose: { leadIds: null, filter: this.filters, total: this.total, leads: this.items } })}>
        Text these ${this.total} lead${this.total === 1 ? '' : 's'}
      </button>
    </div>`;
  }

  /** The selection bar while cards are selected (sticky under the list). */
  private renderSelectionBar() {
    if (this.error || !this.selection.size(this.total)) return nothing;
    return html`<leads-selection-bar
      .selection=${this.selection}
      .total=${this.total}
      .pageIds=${this.items.map((l) => l.id)}
      .filter=${this.filters}
    ></leads-selection-bar>`;
  }

  private renderHelp() {
    return html`<dialog class="help" aria-labelledby="help-title" @close=${this.restoreFocus}>
      <h2 id="help-title">Keyboard shortcuts</h2>
      <table>
        <tbody>
          ${SHORTCUTS.map(([k, what]) => html`<tr><th scope="row"><kbd>${k}</kbd></th><td>${what}</td></tr>`)}
        </tbody>
      </table>
      <div class="dialog-actions"><button class="btn btn--primary" @click=${this.closeHelp}>Close</button></div>
    </dialog>`;
  }

  private renderDialogs() {
    return html`${this.detailLead
      ? html`<lead-detail
          ${ref(this.detailRef)}
          .lead=${this.detailLead}
          .leadId=${this.detailLead.id}
          .externalComposer=${true}
          open
          @dialog-close=${this.onDetailClose}
          @lead-changed=${(e: LeadsEvent<'lead-changed'>) => this.onLiveLead(e.detail.lead)}
          @lead-deleted=${(e: LeadsEvent<'lead-deleted'>) => {
            this.items = this.items.filter((l) => l.id !== e.detail.leadId);
            this.scheduleRefresh();
          }}
        ></lead-detail>`
      : nothing}
    ${this.smsLead ? html`<sms-composer
          ${ref(this.composerRef)}
          .lead=${this.smsLead}
          .leadId=${this.smsLead.id}
          open
          @dialog-close=${this.onComposerClose}
        ></sms-composer>` : nothing}`;
  }

  override render() {
    return html`<section class="base" part="base" aria-labelledby="board-title">
        <div class="header" part="header">
          <h2 id="board-title">${this.heading}<span class="count">${this.loading && !this.items.length ? '' : `${this.total} total`}</span></h2>
          <div class="actions">
            ${this.team.renderStartButton(() => this.team.startQueue(this.filters, this.view ? VIEW_LABELS[this.view] : 'All leads'))}
            <button class="btn" @click=${() => this.refresh()} ?disabled=${this.refreshing} aria-label="Refresh">
              ${this.refreshing ? html`<span class="spinner" aria-hidden="true"></span>` : refreshIcon}<span class="label" aria-hidden="true">Refresh</span>
            </button>
            <button class="btn" @click=${this.exportCsv}>CSV</button>
            <button class="btn" aria-haspopup="dialog" @click=${() => this.openCampaigns({ panel: { highlight: null } })}>Campaigns</button>
            <button class="btn" aria-label="Keyboard shortcuts" aria-keyshortcuts="?" @click=${this.openHelp}>?</button>
          </div>
        </div>
        ${this.renderViews()} ${this.renderToolbar()}
        ${this.hotLead
          ? html`<div class="hot-alert" part="hot-alert" role="alert">
              <span>🔥 ${this.hotLead.name} just became a hot lead (${this.hotLead.leadScore})</span>
              <button class="btn btn--ghost" @click=${() => {
                emit(this, 'lead-open', { lead: this.hotLead! }, { cancelable: true });
                this.hotLead = null;
              }}>Open</button>
              <button class="btn btn--ghost" aria-label="Dismiss alert" @click=${() => (this.hotLead = null)}>×</button>
            </div>`
          : nothing}
        ${this.renderTextList()} ${this.renderList()} ${this.renderSelectionBar()} ${this.renderPager()}
      </section>
      ${this.renderHelp()} ${this.renderDialogs()} ${this.team.renderQueue()}
      <leads-toaster part="toaster"></leads-toaster>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leads-board': LeadsBoard;
  }
}
