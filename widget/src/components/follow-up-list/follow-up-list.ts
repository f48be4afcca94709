import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { FollowUp } from '../../../../core/contracts.js';
import { followUpDueState, followUpQuickChoices } from '../../../../core/follow-ups.js';
import type { LeadsApiClient } from '../../api/client.js';
import { emit, toast } from '../../events.js';
import { clinicWhen } from '../../format.js';
import { buttons, tokens } from '../../styles/tokens.js';

export type FollowUpAction = 'done' | 'snoozed' | 'deleted';

const SOURCE_LABELS: Record<FollowUp['source'], string> = { manual: '', lost_revisit: 'Revisit after Lost', callback: 'Callback the lead asked for' };

/**
 * @tagname follow-up-list
 * @summary A lead's open follow-ups in lead-detail (earliest first): when each is due (overdue, today, or its time, in
 * the clinic's zone), its note, and Done, Snooze (the quick choices of core/follow-ups.ts) and Delete (asks first), through
 * PATCH / DELETE /v1/follow-ups/:id. Loaded with the other rarely used elements (lazy.ts).
 *
 * @fires follow-ups-change - A follow-up was done, snoozed or deleted (`followUp`, `action`); the detail refetches the lead.
 * @fires toast-show - "Follow-up done", "Snoozed to ...", "Follow-up deleted", or the error.
 * @csspart item - One follow-up.
 */
export class FollowUpList extends LitElement {
  static override styles = [
    tokens,
    buttons,
    css`
      :host {
        display: block;
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 8px;
      }
      li {
        border: 1px solid var(--_border);
        border-radius: calc(var(--_radius) * 0.8);
        padding: 8px 10px;
        display: grid;
        gap: 6px;
      }
      .when {
        font-weight: 600;
      }
      .overdue {
        color: var(--_danger);
      }
      .today {
        color: var(--_accent);
      }
      .muted,
      .src {
        color: var(--_muted);
        font-size: 0.9em;
      }
      p {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: center;
      }
    `,
  ];

  /** The open follow-ups (GET /v1/leads/:id `followUps`). */
  @property({ attribute: false }) followUps: FollowUp[] = [];
  @property({ attribute: false }) api: LeadsApiClient | null = null;
  /** The clinic's IANA time zone. */
  @property() timeZone = 'UTC';
  /** Reference time (ms); now when not set. */
  @property({ attribute: false }) now: number | null = null;

  @state() private busy: string | null = null;
  /** The follow-up whose snooze choices are shown, or whose delete is being confirmed. */
  @state() private snoozing: string | null = null;
  @state() private confirming: string | null = null;

  private async act(f: FollowUp, action: FollowUpAction, dueAt?: Date): Promise<void> {
    const api = this.api;
    if (!api || this.busy) return;
    this.busy = f.id;
    const before = this.followUps;
    try {
      let changed = f;
      if (action === 'deleted') await api.deleteFollowUp(f.id);
      else changed = await api.updateFollowUp(f.id, action === 'done' ? { done: true } : { dueAt: dueAt!.toISOString() });
      this.snoozing = this.confirming = null;
      this.followUps =
        action === 'snoozed'
          ? this.followUps.map((x) => (x.id === f.id ? changed : x)).sort((a, b) => Date.parse(a.dueAt) - Date.parse(b.dueAt))
          : this.followUps.filter((x) => x.id !== f.id);
      toast(this, {
        variant: 'success',
        message: action === 'done' ? 'Follow-up done' : action === 'deleted' ? 'Follow-up deleted' : `Snoozed to ${clinicWhen(changed.dueAt, this.timeZone)}`,
      });
      emit(this, 'follow-ups-change', { followUp: changed, action });
      // Keep the keyboard where it was: the snoozed item's Snooze, else the next item (or the previous one).
      const index = before.findIndex((x) => x.id === f.id);
      this.busy = null;
      await this.updateComplete;
      const items = [...this.renderRoot.querySelectorAll('li')];
      const li = action === 'snoozed' ? items.find((x) => x.dataset.id === f.id) : items[Math.min(index, items.length - 1)];
      li?.querySelectorAll('button')[action === 'snoozed' ? 1 : 0]?.focus();
    } catch (err) {
      toast(this, { variant: 'error', message: err instanceof Error ? err.message : 'The follow-up could not be changed.' });
    } finally {
      this.busy = null;
    }
  }

  private toggle(which: 'snoozing' | 'confirming', id: string): void {
    this.snoozing = which === 'snoozing' && this.snoozing !== id ? id : null;
    this.confirming = which === 'confirming' && this.confirming !== id ? id : null;
    // The button pressed goes away while a delete is confirmed (or comes back): focus "Keep", then "Delete" again.
    if (which === 'confirming') void this.focusIn(id, this.confirming ? '.keep' : '.del');
  }

  private async focusIn(id: string, selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`li[data-id="${CSS.escape(id)}"] ${selector}`)?.focus();
  }

  private renderActions(f: FollowUp, now: number) {
    const busy = !!this.busy;
    if (this.confirming === f.id) {
      return html`<div class="row" role="group" aria-label="Delete this follow-up?">
        <span>Delete this follow-up?</span>
        <button class="btn btn--danger" ?disabled=${busy} @click=${() => this.act(f, 'deleted')}>Delete</button>
        <button class="btn keep" @click=${() => this.toggle('confirming', f.id)}>Keep</button>
      </div>`;
    }
    const open = this.snoozing === f.id;
    return html`<div class="row">
        <button class="btn" ?disabled=${busy} @click=${() => this.act(f, 'done')}>Done</button>
        <button class="btn" aria-expanded=${open ? 'true' : 'false'} aria-controls="s-${f.id}" ?disabled=${busy} @click=${() => this.toggle('snoozing', f.id)}>Snooze</button>
        <button class="btn btn--ghost del" ?disabled=${busy} @click=${() => this.toggle('confirming', f.id)}>Delete</button>
      </div>
      ${open
        ? html`<div class="row" id="s-${f.id}" role="group" aria-label="Snooze until">
            ${followUpQuickChoices(new Date(now), this.timeZone)
              .filter((c) => c.dueAt)
              .map(
                (c) => html`<button class="btn" data-choice=${c.choice} ?disabled=${busy} @click=${() => this.act(f, 'snoozed', c.dueAt!)}>
                  ${c.label} <span class="muted">${clinicWhen(c.dueAt!, this.timeZone, now)}</span>
                </button>`,
              )}
          </div>`
        : nothing}`;
  }

  override render() {
    const now = this.now ?? Date.now();
    if (!this.followUps.length) return html`<p class="muted">No open follow-ups.</p>`;
    return html`<ul>
      ${this.followUps.map((f) => {
        const state = followUpDueState(f.dueAt, new Date(now), this.timeZone);
        return html`<li part="item" data-id=${f.id}>
          <p>
            <span class="when ${state}"
              >${state === 'upcoming' ? '' : state === 'overdue' ? 'Overdue · ' : 'Today · '}<time datetime=${f.dueAt}>${clinicWhen(f.dueAt, this.timeZone, now)}</time></span
            >
            ${SOURCE_LABELS[f.source] ? html`<span class="src"> · ${SOURCE_LABELS[f.source]}</span>` : nothing}
          </p>
          ${f.note ? html`<p>${f.note}</p>` : nothing} ${this.renderActions(f, now)}
        </li>`;
      })}
    </ul>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'follow-up-list': FollowUpList;
  }
}
