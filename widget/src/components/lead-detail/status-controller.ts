import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Lead, LeadStatus } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import { toErrorInfo } from '../../calls/call-controller.js';
import { emit, toast } from '../../events.js';
import { statusLabel } from '../../format.js';
import type { LostChoice } from '../../leads/lost-reason.js';
import { changeLeadStatus } from '../../leads/status-actions.js';
import type { DetailLoader } from './detail-loader.js';
import type { UndoTimer } from './undo-timer.js';

export interface InlineMessage {
  variant: 'error' | 'info' | 'warning';
  text: string;
}

/**
 * Owns the detail's status workflow: a transition (through changeLeadStatus, read by its result kind), Undo/Revert
 * (POST /v1/leads/:id/revert), the pending button and the inline message. Events go out from `element`.
 */
export class StatusController implements ReactiveController {
  pending: LeadStatus | 'revert' | null = null;
  message: InlineMessage | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly deps: { api: () => LeadsApiClient | undefined; lead: () => Lead | null; loader: DetailLoader; undo: UndoTimer },
  ) {
    host.addController(this);
  }

  hostConnected(): void {}

  reset(): void {
    this.message = null;
    this.host.requestUpdate();
  }

  private set(pending: StatusController['pending'], message: InlineMessage | null = this.message): void {
    this.pending = pending;
    this.message = message;
    this.host.requestUpdate();
  }

  /** Move the lead to `to`; a Lost carries the reason from the Lost dialog (`lost`). */
  async change(to: LeadStatus, lost?: LostChoice): Promise<void> {
    const lead = this.deps.lead();
    const api = this.deps.api();
    const { loader, undo } = this.deps;
    if (!lead || !api || this.pending) return;
    this.set(to, null);
    try {
      const result = await changeLeadStatus(this.host, api, lead, to, { lost });
      switch (result.kind) {
        case 'changed':
          loader.apply(result.lead);
          if (to === 'lost') undo.startNow();
          await loader.load({ silent: true });
          if (to === 'lost' && loader.detail?.canUndoLost) undo.startNow(true);
          break;
        case 'stale': {
          if (result.lead) loader.apply(result.lead);
          const now = result.lead ? `it is now ${statusLabel(result.lead.leadStatus)}` : 'its status changed';
          this.message = {
            variant: 'warning',
            text: `Someone else changed this lead while you had it open: ${now}. Your change to ${statusLabel(to)} was not saved; check the current status and try again.`,
          };
          await loader.load({ silent: true });
          break;
        }
        case 'refused':
          this.message = { variant: 'error', text: result.error.message };
          break;
        case 'vetoed':
          break;
      }
    } finally {
      this.set(null);
    }
  }

  /** Undo after Lost, or an admin's Revert. */
  async revert(): Promise<void> {
    const lead = this.deps.lead();
    const api = this.deps.api();
    const { loader, undo } = this.deps;
    if (!lead || !api || this.pending) return;
    this.set('revert', null);
    try {
      const restored = await api.revert(lead.id);
      undo.clear();
      loader.apply(restored);
      emit(this.host, 'lead-status-change', { lead: restored, from: 'lost', to: restored.leadStatus });
      toast(this.host, { variant: 'info', message: `Lead restored to ${statusLabel(restored.leadStatus).toLowerCase()}` });
      await loader.load({ silent: true });
    } catch (err) {
      this.message = { variant: 'error', text: toErrorInfo(err).message };
      await loader.load({ silent: true });
    } finally {
      this.set(null);
    }
  }
}
