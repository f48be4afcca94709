/**
 * CallController: the Call Back / Call Now button's state machine, shared by lead-card and lead-detail.
 * idle -> starting ("Calling...") -> queued -> ringing -> in-progress -> ended | failed, driven by the
 * POST /v1/leads/:id/calls reply and then the realtime `call:updated` events.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Call, CallStatus, Lead } from '../../../core/contracts.js';
import { ApiError, type LeadsApiClient } from '../api/client.js';
import type { LiveUpdates } from '../api/live.js';
import { emit, type ApiErrorInfo } from '../events.js';

export type CallPhase = 'idle' | 'starting' | CallStatus;

export interface CallControllerDeps {
  api: () => LeadsApiClient | undefined;
  live: () => LiveUpdates | undefined;
  lead: () => Lead | undefined | null;
}

export function toErrorInfo(err: unknown): ApiErrorInfo {
  if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message, details: err.details };
  return { status: 0, code: 'UNKNOWN', message: err instanceof Error ? err.message : 'Something went wrong.' };
}

export class CallController implements ReactiveController {
  phase: CallPhase = 'idle';
  call: Call | null = null;
  error: ApiErrorInfo | null = null;
  private unsubscribe: (() => void) | null = null;
  private subscribedTo: LiveUpdates | undefined;
  private fetchedActive: string | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly deps: CallControllerDeps,
  ) {
    host.addController(this);
  }

  /** True while a call is being placed or is live: the call button is disabled. */
  get busy(): boolean {
    return this.phase === 'starting' || this.phase === 'queued' || this.phase === 'ringing' || this.phase === 'in-progress';
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.subscribedTo = undefined;
  }

  /** Place the call (after a cancelable `call-start-request`). Resolves when the API has answered. */
  async start(): Promise<void> {
    const lead = this.deps.lead();
    const api = this.deps.api();
    if (!lead || !api || this.busy) return;
    if (!emit(this.host, 'call-start-request', { lead }, { cancelable: true })) return;
    this.phase = 'starting';
    this.error = null;
    this.host.requestUpdate();
    try {
      const call = await api.startCall(lead.id);
      this.call = call;
      this.phase = call.status;
      emit(this.host, 'call-started', { lead, call });
    } catch (err) {
      this.phase = 'failed';
      this.error = toErrorInfo(err);
      emit(this.host, 'call-failed', { lead, error: this.error });
    }
    this.host.requestUpdate();
  }

  dismissError(): void {
    this.error = null;
    if (this.phase === 'failed') this.phase = 'idle';
    this.host.requestUpdate();
  }

  /** Feed a call update (the controller subscribes to `call:updated` itself; exposed for hosts and tests). */
  update(call: Call): void {
    const lead = this.deps.lead();
    if (!lead || call.contactId !== lead.id) return;
    if (this.call && this.call.id !== call.id && this.busy) return;
    this.call = call;
    const wasFailed = this.phase === 'failed';
    this.phase = call.status;
    if (call.status === 'failed' && !wasFailed) {
      this.error = { status: 0, code: 'CALL_FAILED', message: call.error ?? call.endedReason ?? 'The call could not be completed.' };
      emit(this.host, 'call-failed', { lead, error: this.error, call });
    }
    this.host.requestUpdate();
  }

  private sync(): void {
    const live = this.deps.live();
    if (live !== this.subscribedTo) {
      this.unsubscribe?.();
      this.subscribedTo = live;
      this.unsubscribe = live ? live.on('call:updated', ({ call }) => this.update(call)) : null;
    }
    // A lead that already has a live call (from the list or another tab): show its state.
    const lead = this.deps.lead();
    const api = this.deps.api();
    if (lead?.activeCallId && api && this.fetchedActive !== lead.activeCallId && !this.call) {
      this.fetchedActive = lead.activeCallId;
      api.getCall(lead.activeCallId).then(
        (call) => !this.call && this.update(call),
        () => undefined,
      );
    }
  }
}
