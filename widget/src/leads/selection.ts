/**
 * LeadSelection: the board's selection of cards, for the bulk actions (text these leads, assign).
 *
 * Two modes: leads picked by hand (`ids`, kept across pages and live updates), or "all N matching" the board's current
 * filter (`allMatching`): that one is sent to the server as the filter itself (leadIds null), never as thousands of ids.
 * Unticking a card while "all matching" is chosen leaves that mode and keeps the leads picked by hand (minus that one):
 * the server cannot be told "the filter except these", so the widget does not pretend it can.
 *
 * Every change replaces `ids` with a new set (Lit sees it changed) and calls the `onChange` listeners.
 */
export class LeadSelection {
  ids: ReadonlySet<string> = new Set();
  /** "Select all N matching" was chosen: the action applies to the whole filter. */
  allMatching = false;
  private listeners = new Set<() => void>();

  has(id: string): boolean {
    return this.allMatching || this.ids.has(id);
  }

  /** How many leads an action would reach; `total` is the filter's count (the board's `total`). */
  size(total: number): number {
    return this.allMatching ? total : this.ids.size;
  }

  toggle(id: string): void {
    const next = new Set(this.ids);
    if (this.allMatching) {
      this.allMatching = false;
      next.delete(id);
    } else if (!next.delete(id)) next.add(id);
    this.commit(next);
  }

  /** Replace the hand-picked selection (e.g. "Select this page"). */
  set(ids: string[]): void {
    this.allMatching = false;
    this.commit(new Set(ids));
  }

  /** Every lead matching the current filter; `total` is only checked (nothing to select when it is 0). */
  selectAllMatching(total: number): void {
    if (total <= 0) return;
    this.allMatching = true;
    this.commit(new Set(this.ids));
  }

  clear(): void {
    if (!this.allMatching && !this.ids.size) return;
    this.allMatching = false;
    this.commit(new Set());
  }

  /** Forget one lead (deleted, or gone from the clinic); no-op when it was not picked. */
  remove(id: string): void {
    if (!this.ids.has(id)) return;
    const next = new Set(this.ids);
    next.delete(id);
    this.commit(next);
  }

  /** Call `cb` after every change; returns the unsubscribe function. */
  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  private commit(next: Set<string>): void {
    this.ids = next;
    for (const cb of [...this.listeners]) cb();
  }
}
