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
import { openLazyDialog } from '../lazy-load.js';
import { agoText, type Presence } from '../leads/presence.js';
import type { CallMode } from './call-mode.js';

export type CallPhase = 'idle' | 'starting' | CallStatus;

export interface CallControllerDeps {
  api: () => LeadsApiClient | undefined;
  live: () => LiveUpdates | undefined;
  lead: () => Lead | undefined | null;
  /** The board's presence: a colleague's call is confirmed first, and this call is reported as 'calling'. */
  presence?: () => Presence | undefined;
  /** The chosen call mode, when the session offers a choice (undefined: the server's default). */
  mode?: () => CallMode | undefined;
  /** Where the "Call anyway?" dialog opens (a shadow root or an open dialog of the host). */
  dialogParent?: () => Node;
  /** The signed-in user's id: a live call someone else placed is shown but does not disable Call Back. */
  me?: () => string | undefined;
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
  private releaseCalling: (() => void) | null = null;
  private confirming = false;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly deps: CallControllerDeps,
  ) {
    host.addController(this);
  }

  /** True while a call is being placed or is live: the call button is disabled (not for a colleague's call). */
  get busy(): boolean {
    if (this.phase === 'starting') return true;
    return (this.phase === 'queued' || this.phase === 'ringing' || this.phase === 'in-progress') && !this.colleagues;
  }

  /**
   * The call followed is a colleague's (placed by another user, e.g. seen through the lead's activeCallId): its state
   * shows, but Call Back stays offered (it asks first, and the server refuses a second live call) and it is not reported
   * as this user's presence.
   */
  get colleagues(): boolean {
    const me = this.deps.me?.();
    return !!(me && this.call?.createdBy && this.call.createdBy !== me);
  }

  hostConnected(): void {
    this.sync();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostUpdated(): void {
    this.syncPresence();
  }

  hostDisconnected(): void {
    this.releaseCalling?.();
    this.releaseCalling = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.subscribedTo = undefined;
  }

  /** Place the call (after a cancelable `call-start-request`). Resolves when the API has answered. */
  async start(): Promise<void> {
    const lead = this.deps.lead();
    const api = this.deps.api();
    if (!lead || !api || this.busy || this.confirming) return;
    const colleague = this.deps.presence?.()?.callingOn(lead.id);
    if (colleague) {
      // Presence is a courtesy: the person decides, and the server still refuses a second live call.
      this.confirming = true;
      try {
        const ok = await openLazyDialog(this.deps.dialogParent?.() ?? this.host.shadowRoot ?? this.host, 'confirm-dialog', {
          heading: 'Call anyway?',
          message: `${colleague.name} started a call ${agoText(colleague.since)}. Call anyway?`,
          confirmLabel: 'Call anyway',
          cancelLabel: "Don't call",
        });
        if (!ok) return;
      } finally {
        this.confirming = false;
      }
    }
    if (!emit(this.host, 'call-start-request', { lead }, { cancelable: true })) return;
    this.phase = 'starting';
    this.error = null;
    this.host.requestUpdate();
    try {
      const call = await api.startCall(lead.id, this.deps.mode?.());
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

  /** Forget the call followed (the queue moving on to another lead). */
  reset(): void {
    this.releaseCalling?.();
    this.releaseCalling = null;
    this.phase = 'idle';
    this.call = null;
    this.error = null;
    this.fetchedActive = null;
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

  /** While this call is placed or live, the board's presence says so ("Ann is calling · 0:12"). */
  private syncPresence(): void {
    const lead = this.deps.lead();
    if (this.busy && !this.releaseCalling && lead) {
      const presence = this.deps.presence?.();
      if (presence) this.releaseCalling = presence.hold(lead.id, 'calling');
    } else if (!this.busy && this.releaseCalling) {
      this.releaseCalling();
      this.releaseCalling = null;
    }
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
