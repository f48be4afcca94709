import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Call } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import { toErrorInfo } from '../../calls/call-controller.js';

export type TranscriptState = { state: 'loading' } | { state: 'loaded'; call: Call } | { state: 'error'; message: string };

/** Owns the expanded calls and the cache of full transcripts (`GET /v1/calls/:id`), kept fresh by live call updates. */
export class TranscriptCache implements ReactiveController {
  private transcripts = new Map<string, TranscriptState>();
  private expanded = new Set<string>();

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly api: () => LeadsApiClient | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  get(callId: string): TranscriptState | undefined {
    return this.transcripts.get(callId);
  }

  isExpanded(callId: string): boolean {
    return this.expanded.has(callId);
  }

  reset(): void {
    this.transcripts = new Map();
    this.expanded = new Set();
    this.host.requestUpdate();
  }

  /** A live call update: refresh a loaded transcript. */
  update(call: Call): void {
    const cached = this.transcripts.get(call.id);
    if (cached?.state === 'loaded' && (call.messages?.length || call.transcript)) {
      this.set(call.id, { state: 'loaded', call: { ...cached.call, ...call } });
    }
  }

  async toggle(call: Call): Promise<void> {
    if (this.expanded.delete(call.id)) {
      this.host.requestUpdate();
      return;
    }
    this.expanded.add(call.id);
    this.host.requestUpdate();
    const cached = this.transcripts.get(call.id);
    const api = this.api();
    if (cached?.state === 'loaded' || cached?.state === 'loading' || !api) return;
    this.set(call.id, { state: 'loading' });
    try {
      this.set(call.id, { state: 'loaded', call: await api.getCall(call.id) });
    } catch (err) {
      this.set(call.id, { state: 'error', message: toErrorInfo(err).message });
    }
  }

  private set(id: string, state: TranscriptState): void {
    this.transcripts = new Map(this.transcripts).set(id, state);
    this.host.requestUpdate();
  }
}
