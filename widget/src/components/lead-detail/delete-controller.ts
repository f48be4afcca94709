import { html, nothing, type ReactiveController, type ReactiveControllerHost } from 'lit';
import type { Lead } from '../../../../core/contracts.js';
import type { LeadsApiClient } from '../../api/client.js';
import { emit, toast } from '../../events.js';

/**
 * An admin's "Delete lead" in the detail: the button, its Keep / Delete confirmation, the request and its refusal.
 * Once the server has deleted the lead (with its calls, texts, notes and follow-ups) the host element hears of it
 * (`lead-deleted`, which also makes the board drop the card) and `closed()` closes the detail.
 */
export class DeleteController implements ReactiveController {
  private step: 'idle' | 'confirm' | 'deleting' = 'idle';
  private error: string | null = null;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly deps: { api: () => LeadsApiClient | undefined; isAdmin: () => boolean; closed: () => Promise<void> },
  ) {
    host.addController(this);
  }

  /** A detail taken away mid-confirmation starts from the button again. */
  hostDisconnected(): void {
    this.step = 'idle';
    this.error = null;
  }

  private set(step: DeleteController['step'], error: string | null = null): void {
    this.step = step;
    this.error = error;
    this.host.requestUpdate();
  }

  private async delete(lead: Lead): Promise<void> {
    const api = this.deps.api();
    if (!api) return;
    this.set('deleting');
    try {
      await api.deleteLead(lead.id);
    } catch (err) {
      this.set('confirm', err instanceof Error ? err.message : 'The lead could not be deleted.');
      return;
    }
    this.set('idle');
    emit(this.host, 'lead-deleted', { leadId: lead.id, name: lead.name });
    toast(this.host, { message: `${lead.name} was deleted`, variant: 'success', outlivesDialog: true });
    await this.deps.closed();
  }

  render(lead: Lead) {
    if (!this.deps.isAdmin()) return nothing;
    if (this.step === 'idle') {
      return html`<div class="transitions"><button class="btn btn--danger" part="delete-button" @click=${() => this.set('confirm')}>Delete lead</button></div>`;
    }
    const busy = this.step === 'deleting';
    return html`<div class="notice notice--error" part="delete-confirm" role="group" aria-labelledby="del-q">
      <p id="del-q">Delete ${lead.name} with their calls, texts, notes and follow-ups? This cannot be undone.</p>
      ${this.error ? html`<p role="alert">${this.error}</p>` : nothing}
      <div class="transitions">
        <button class="btn" ?disabled=${busy} @click=${() => this.set('idle')}>Keep</button>
        <button class="btn btn--danger" ?disabled=${busy} aria-busy=${busy ? 'true' : 'false'} @click=${() => this.delete(lead)}>Delete</button>
      </div>
    </div>`;
  }
}
