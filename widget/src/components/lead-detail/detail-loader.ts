import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Call, Lead, LeadDetail as LeadDetailData } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import type { LiveUpdates } from '../../api/live.js';

/** Calls shown in the detail (GET /v1/leads/:id returns the last 5). */
export const CALLS_SHOWN = 5;

export interface DetailLoaderOptions {
  api: () => LeadsApiClient | undefined;
  live: () => LiveUpdates | undefined;
  /** The lead id the host is about. */
  id: () => string;
  /** Whether the host is open (refetches only run while open). */
  open: () => boolean;
  /** A new lead id is about to load: reset what belongs to the previous lead. */
  onReset?: () => void;
  /** A (re)load finished with this detail. */
  onLoaded?: (detail: LeadDetailData) => void;
  /** A live `call:updated` for this lead (after it was merged into the detail). */
  onLiveCall?: (call: Call) => void;
}

/**
 * Owns `GET /v1/leads/:id` for a detail view: loading and error state, the latest-wins sequence, silent refetches
 * (debounced), and the live merge of socket updates (`lead:updated`, `lead:scored`, `call:updated`, `sms:updated`,
 * `reconnected`). Older versions of a lead never overwrite a newer one.
 */
export class DetailLoader implements ReactiveController {
  private _detail: LeadDetailData | null = null;
  loading = false;
  error: string | null = null;

  private loadedFor: string | null = null;
  private seq = 0;
  private abort: AbortController | null = null;
  private refetchTimer: ReturnType<typeof setTimeout> | undefined;
  private liveUnsubs: Array<() => void> = [];
  private subscribedLive: LiveUpdates | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly options: DetailLoaderOptions,
  ) {
    host.addController(this);
  }

  get detail(): LeadDetailData | null {
    return this._detail;
  }

  set detail(value: LeadDetailData | null) {
    this._detail = value;
    this.host.requestUpdate();
  }

  /** The loaded detail, when it is for the current id. */
  get current(): LeadDetailData | null {
    const d = this._detail;
    return d && d.id === this.options.id() ? d : null;
  }

  hostUpdated(): void {
    if (this.options.live() !== this.subscribedLive) this.subscribeLive();
  }

  hostDisconnected(): void {
    this.unsubscribeLive();
    this.abort?.abort();
    clearTimeout(this.refetchTimer);
    this.loadedFor = null;
  }

  /** Call from the host's willUpdate: loads once per opening and lead id. */
  sync(opened: boolean, closedNow: boolean): void {
    const id = this.options.id();
    if (opened && id && this.options.api() && this.loadedFor !== id) {
      this.loadedFor = id;
      if (this._detail?.id !== id) {
        this._detail = null;
        this.options.onReset?.();
      }
      void this.load();
    }
    if (closedNow) this.loadedFor = null;
  }

  async load(options: { silent?: boolean } = {}): Promise<void> {
    const api = this.options.api();
    const id = this.options.id();
    if (!api || !id) return;
    const seq = ++this.seq;
    this.abort?.abort();
    const abort = (this.abort = new AbortController());
    if (!options.silent) {
      this.loading = true;
      this.error = null;
      this.host.requestUpdate();
    }
    try {
      const detail = await api.getLead(id, abort.signal);
      if (seq !== this.seq) return;
      this._detail = detail;
      this.error = null;
      this.options.onLoaded?.(detail);
    } catch (err) {
      if (seq !== this.seq || (err as Error)?.name === 'AbortError') return;
      if (!options.silent || !this._detail) this.error = err instanceof Error ? err.message : 'The lead could not be loaded.';
    } finally {
      if (seq === this.seq) this.loading = false;
      this.host.requestUpdate();
    }
  }

  /** Refetch soon (several live events in a row make one request). */
  scheduleRefetch(ms = 300): void {
    clearTimeout(this.refetchTimer);
    this.refetchTimer = setTimeout(() => this.options.open() && this.load({ silent: true }), ms);
  }

  /** Lead fields from a live event or the opener: applied at once unless older than what is shown. */
  merge(lead: Lead): void {
    const detail = this._detail;
    if (!detail || lead.id !== detail.id) return;
    if (typeof lead.version === 'number' && lead.version < detail.version) return;
    const statusChanged = lead.leadStatus !== detail.leadStatus;
    this.detail = { ...detail, ...lead };
    if (statusChanged || lead.version !== detail.version) this.scheduleRefetch();
  }

  /** Lead fields the server just returned for our own action (no version check, no refetch). */
  apply(lead: Lead): void {
    if (this._detail && lead.id === this._detail.id) this.detail = { ...this._detail, ...lead };
  }

  private onLiveCall(call: Call): void {
    const detail = this._detail;
    if (detail) {
      const calls = detail.calls.some((c) => c.id === call.id)
        ? detail.calls.map((c) => (c.id === call.id ? { ...c, ...call } : c))
        : [call, ...detail.calls].slice(0, CALLS_SHOWN);
      this.detail = { ...detail, calls };
    }
    this.options.onLiveCall?.(call);
    if (call.status === 'ended' || call.status === 'failed') this.scheduleRefetch();
  }

  private subscribeLive(): void {
    this.unsubscribeLive();
    const live = (this.subscribedLive = this.options.live());
    if (!live) return;
    const id = () => this.options.id();
    this.liveUnsubs = [
      live.on('lead:updated', ({ lead }) => lead.id === id() && this.merge(lead)),
      live.on('lead:scored', ({ leadId }) => leadId === id() && this.scheduleRefetch()),
      live.on('call:updated', ({ call }) => call.contactId === id() && this.onLiveCall(call)),
      live.on('sms:updated', ({ sms }) => sms.contactId === id() && this.scheduleRefetch()),
      live.on('reconnected', () => this.scheduleRefetch(0)),
    ];
  }

  private unsubscribeLive(): void {
    for (const off of this.liveUnsubs) off();
    this.liveUnsubs = [];
    this.subscribedLive = undefined;
  }
}
