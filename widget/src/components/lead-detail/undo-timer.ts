import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { UNDO_LOST_WINDOW_MS } from '../../../../core/workflow.js';
import type { LeadDetail as LeadDetailData } from '../../../../core/contracts.js';

/** How long the one who marked a lead lost may undo it (core/workflow.ts). */
export const UNDO_WINDOW_MS = UNDO_LOST_WINDOW_MS;

/**
 * Owns the countdown of "Undo Lost": when the window closes, and the timer that hides the button then.
 * The window is never longer than UNDO_WINDOW_MS from now (a skewed clock must not stretch it), never shorter than the
 * server's view (`lostAt` + the window).
 */
export class UndoTimer implements ReactiveController {
  /** Epoch ms until which Undo is offered; 0 when it is not. */
  until = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The window closed (the host drops `canUndoLost`). */
    private readonly onExpire: () => void,
  ) {
    host.addController(this);
  }

  hostDisconnected(): void {
    clearTimeout(this.timer);
  }

  /** Whether Undo is still offered now. */
  get open(): boolean {
    return this.until > Date.now();
  }

  /** Follow the server's `canUndoLost` / `lostAt`. */
  sync(detail: LeadDetailData): void {
    if (!detail.canUndoLost) return this.clear();
    const now = Date.now();
    const lostAt = detail.lostAt ? Date.parse(detail.lostAt) : NaN;
    const fromServer = Number.isFinite(lostAt) ? lostAt + UNDO_WINDOW_MS : now + UNDO_WINDOW_MS;
    this.start(Math.max(this.until, Math.min(now + UNDO_WINDOW_MS, Math.max(fromServer, now + 1000))));
  }

  /** The user just marked the lead lost: the full window from now (or what is left of a shorter one). */
  startNow(keepShorter = false): void {
    const full = Date.now() + UNDO_WINDOW_MS;
    this.start(keepShorter ? Math.min(this.until || Infinity, full) : full);
  }

  start(until: number): void {
    clearTimeout(this.timer);
    this.until = until;
    this.host.requestUpdate();
    this.timer = setTimeout(() => {
      this.until = 0;
      this.onExpire();
      this.host.requestUpdate();
    }, Math.max(0, until - Date.now()));
  }

  clear(): void {
    clearTimeout(this.timer);
    if (this.until !== 0) this.host.requestUpdate();
    this.until = 0;
  }
}
