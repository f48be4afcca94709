/**
 * DraftSync: keeps one campaign draft on the server in step with the composer. The first edit with a message creates
 * it (POST /v1/campaigns), later edits PATCH it, debounced; one request at a time, and an edit made while a request is
 * in flight is sent right after it (the last state always wins). The server's draft carries the counts and exclusions
 * the composer shows. `discard()` deletes a draft that was never started.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Campaign, CampaignInput, CampaignsApi } from '../../api/campaigns.js';
import { toErrorInfo } from '../../calls/call-controller.js';
import type { ApiErrorInfo } from '../../events.js';

export class DraftSync implements ReactiveController {
  campaign: Campaign | null = null;
  error: ApiErrorInfo | null = null;
  /** A request is in flight or waiting for the debounce. */
  pending = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | null = null;
  private dirty = false;
  private started = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: () => CampaignsApi | null,
    private readonly input: () => CampaignInput | null,
    private readonly onSynced: (campaign: Campaign) => void,
    private readonly delay = 400,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  /** Something the draft depends on changed: sync after the debounce. */
  schedule(): void {
    clearTimeout(this.timer);
    this.pending = true;
    this.timer = setTimeout(() => void this.flush(), this.delay);
  }

  /** Sync now (Send calls this first) and resolve once the server has the last state. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    if (this.running) {
      this.dirty = true;
      await this.running;
      if (this.dirty) return this.flush();
      return;
    }
    this.running = this.run();
    try {
      await this.running;
    } finally {
      this.running = null;
    }
  }

  private async run(): Promise<void> {
    const api = this.api();
    this.pending = true;
    this.host.requestUpdate();
    try {
      do {
        this.dirty = false;
        const input = this.input();
        if (!api || !input) break;
        try {
          this.campaign = this.campaign ? await api.update(this.campaign.id, input) : await api.create(input);
          this.error = null;
          this.onSynced(this.campaign);
        } catch (err) {
          this.error = toErrorInfo(err);
        }
      } while (this.dirty);
    } finally {
      this.pending = false;
      this.host.requestUpdate();
    }
  }

  /** The draft was started: keep it. */
  markStarted(): void {
    this.started = true;
  }

  /** Closing without sending: delete the draft (best effort) and forget it. */
  async discard(): Promise<void> {
    clearTimeout(this.timer);
    if (this.running) await this.running.catch(() => undefined);
    const api = this.api();
    const draft = this.campaign;
    this.campaign = null;
    if (draft && !this.started && api) await api.remove(draft.id).catch(() => undefined);
  }
}
