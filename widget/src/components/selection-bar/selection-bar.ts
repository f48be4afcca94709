import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property } from 'lit/decorators.js';
import type { LeadQuery } from '../../api/client.js';
import { emit } from '../../events.js';
import type { LeadSelection } from '../../leads/selection.js';
import { buttons, tokens } from '../../styles/tokens.js';
import { styles } from './selection-bar.styles.js';

/**
 * @tagname leads-selection-bar
 * @summary The bar the board shows while cards are selected: "N selected", "Select this page", "Select all N matching",
 * "Clear", and the bulk actions "Text these N leads" and "Assign…". It says that changing the filter clears the selection.
 *
 * @fires selection-action - An action button was pressed (cancelable): `{ action: 'text' | 'assign', leadIds, filter }`,
 * `leadIds` null when the action applies to every lead matching `filter`.
 *
 * @csspart base - The bar.
 * @csspart count - "3 selected".
 * @csspart text-button - Text these N leads.
 * @csspart assign-button - Assign….
 *
 * @cssprop --leads-selection-bg - The bar's background (defaults to --leads-color-surface).
 */
export class LeadsSelectionBar extends LitElement {
  static override styles = [tokens, buttons, styles];

  /** The board's selection. */
  @property({ attribute: false }) selection: LeadSelection | null = null;
  /** How many leads match the board's filter. */
  @property({ type: Number }) total = 0;
  /** The ids of the cards on the current page ("Select this page"). */
  @property({ attribute: false }) pageIds: string[] = [];
  /** The board's current filter, sent with an "all matching" action. */
  @property({ attribute: false }) filter: LeadQuery = {};

  private unsubscribe: (() => void) | null = null;

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('selection') || !this.unsubscribe) {
      this.unsubscribe?.();
      this.unsubscribe = this.selection?.onChange(() => this.requestUpdate()) ?? null;
    }
  }

  private act(action: 'text' | 'assign'): void {
    const s = this.selection;
    if (!s) return;
    emit(this, 'selection-action', { action, leadIds: s.allMatching ? null : [...s.ids], filter: this.filter }, { cancelable: true });
  }

  override render() {
    const s = this.selection;
    if (!s) return nothing;
    const n = s.size(this.total);
    const pageAll = this.pageIds.length > 0 && this.pageIds.every((id) => s.has(id));
    const leads = `${n} lead${n === 1 ? '' : 's'}`;
    return html`<div class="bar" part="base" role="region" aria-label="Selected leads">
      <span class="count" part="count" role="status">${n} selected${s.allMatching ? html` <span class="muted">(all matching)</span>` : nothing}</span>
      ${pageAll ? nothing : html`<button class="link" @click=${() => s.set([...new Set([...s.ids, ...this.pageIds])])}>Select this page</button>`}
      ${!s.allMatching && this.total > n ? html`<button class="link" @click=${() => s.selectAllMatching(this.total)}>Select all ${this.total} matching</button>` : nothing}
      <button class="link" @click=${() => s.clear()}>Clear</button>
      <span class="spacer"></span>
      <span class="actions">
        <button class="btn btn--primary" part="text-button" @click=${() => this.act('text')}>Text these ${leads}</button>
        <button class="btn" part="assign-button" @click=${() => this.act('assign')}>Assign…</button>
      </span>
      <p class="hint">Changing the filter or search clears the selection.</p>
    </div>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'leads-selection-bar': LeadsSelectionBar;
  }
}
