/**
 * Presence on the board (DESIGN.md "Working the list": Presence). One `Presence` per board, shared through
 * `presenceContext`:
 * - it keeps who has which lead open or is calling it, from `presence:snapshot` (on connect) and `presence:updated`;
 * - it reports this tab's own activity: `hold(leadId, 'viewing' | 'calling')` sends `presence:set` at once and every
 *   10 s (the heartbeat; the server drops an entry 30 s after the last one), and `presence:clear` once nothing holds it.
 * Nothing here is trusted for safety: the server still refuses a second live call.
 */
import { createContext } from '@lit/context';
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { LiveUpdates } from '../api/live.js';
import type { PresenceActivity, PresenceUser } from '../api/team.js';

export const HEARTBEAT_MS = 10_000;

export const presenceContext = createContext<Presence | undefined>(Symbol('live-leads.presence'));

/** "Maria is calling · 0:42" / "Sam is viewing" for each colleague on a lead. */
export function presenceText(users: PresenceUser[], now = Date.now()): string {
  return users.map((u) => (u.activity === 'calling' ? `${u.name} is calling · ${clock(now - Date.parse(u.since))}` : `${u.name} is viewing`)).join(' · ');
}

/** m:ss (h:mm:ss past an hour) of a duration in ms. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const mm = Math.floor(s / 60) % 60;
  const ss = String(s % 60).padStart(2, '0');
  return s >= 3600 ? `${Math.floor(s / 3600)}:${String(mm).padStart(2, '0')}:${ss}` : `${mm}:${ss}`;
}

/** "20 s ago", "3 min ago" for the Call anyway? question. */
export function agoText(since: string, now = Date.now()): string {
  const s = Math.max(0, Math.round((now - Date.parse(since)) / 1000));
  return s < 60 ? `${s} s ago` : `${Math.round(s / 60)} min ago`;
}

export class Presence {
  private entries = new Map<string, PresenceUser[]>();
  private listeners = new Set<() => void>();
  private offs: Array<() => void> = [];
  private live: LiveUpdates | null = null;
  /** This tab's holds per lead: a count per activity. */
  private holds = new Map<string, { viewing: number; calling: number }>();
  private timer: ReturnType<typeof setInterval> | undefined;

  /** `me`: the signed-in user's id (their own presence is never shown). */
  constructor(
    private readonly me: () => string | null,
    private readonly heartbeatMs = HEARTBEAT_MS,
  ) {}

  /** Follow `live` (the board's live updates); null detaches. */
  attach(live: LiveUpdates | null): void {
    if (live === this.live) return;
    for (const off of this.offs) off();
    this.offs = [];
    this.live = live;
    this.entries.clear();
    if (live) {
      this.offs = [
        live.on('presence:snapshot', ({ entries }) => {
          this.entries = new Map(entries.map((e) => [e.leadId, e.users]));
          this.changed();
        }),
        live.on('presence:updated', ({ leadId, users }) => {
          if (users.length) this.entries.set(leadId, users);
          else this.entries.delete(leadId);
          this.changed();
        }),
        live.on('status', (status) => {
          if (status === 'connected') this.beat();
          else {
            // Without a connection nothing shown can be trusted: the snapshot on reconnect brings it back.
            this.entries.clear();
            this.changed();
          }
        }),
      ];
      this.beat();
    }
    this.changed();
  }

  dispose(): void {
    for (const [leadId] of this.holds) this.live?.send?.('presence:clear', { leadId });
    this.holds.clear();
    clearInterval(this.timer);
    this.timer = undefined;
    this.attach(null);
  }

  /** Colleagues on `leadId` (the signed-in user's own entries left out), calling first. */
  others(leadId: string): PresenceUser[] {
    const me = this.me();
    const users = (this.entries.get(leadId) ?? []).filter((u) => u.id !== me);
    return users.sort((a, b) => (a.activity === b.activity ? 0 : a.activity === 'calling' ? -1 : 1));
  }

  /** The colleague calling `leadId`, if any. */
  callingOn(leadId: string): PresenceUser | null {
    return this.others(leadId).find((u) => u.activity === 'calling') ?? null;
  }

  /** Every lead a colleague holds (the queue reads it for its hints). */
  leadsWithOthers(): string[] {
    return [...this.entries.keys()].filter((id) => this.others(id).length > 0);
  }

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  /** Report this tab's `activity` on `leadId` until the returned function is called. */
  hold(leadId: string, activity: PresenceActivity): () => void {
    let h = this.holds.get(leadId);
    if (!h) this.holds.set(leadId, (h = { viewing: 0, calling: 0 }));
    const before = this.activityOf(leadId);
    h[activity]++;
    if (this.activityOf(leadId) !== before) this.sendSet(leadId);
    this.timer ??= setInterval(() => this.beat(), this.heartbeatMs);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const held = this.holds.get(leadId);
      if (!held) return;
      const was = this.activityOf(leadId);
      held[activity]--;
      if (!held.viewing && !held.calling) {
        this.holds.delete(leadId);
        this.live?.send?.('presence:clear', { leadId });
        if (!this.holds.size) {
          clearInterval(this.timer);
          this.timer = undefined;
        }
      } else if (this.activityOf(leadId) !== was) this.sendSet(leadId);
    };
  }

  private activityOf(leadId: string): PresenceActivity | null {
    const h = this.holds.get(leadId);
    return !h ? null : h.calling > 0 ? 'calling' : h.viewing > 0 ? 'viewing' : null;
  }

  private sendSet(leadId: string): void {
    const activity = this.activityOf(leadId);
    if (activity) this.live?.send?.('presence:set', { leadId, activity });
  }

  private beat(): void {
    for (const leadId of this.holds.keys()) this.sendSet(leadId);
  }

  private changed(): void {
    for (const cb of [...this.listeners]) cb();
  }
}

/**
 * An element's view of presence on one lead (the card, the detail): re-renders on changes, ticks every second while a
 * colleague is calling it (the "0:42" timer), and, when `viewing()` says so, holds this tab's 'viewing' on it.
 */
export class PresenceWatch implements ReactiveController {
  private off: (() => void) | null = null;
  private watched: Presence | undefined;
  private tick: ReturnType<typeof setInterval> | undefined;
  private view: { leadId: string; release: () => void } | null = null;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly deps: { presence: () => Presence | undefined; leadId: () => string | undefined; viewing?: () => boolean },
  ) {
    host.addController(this);
  }

  /** Colleagues on the lead, calling first. */
  get others(): PresenceUser[] {
    const id = this.deps.leadId();
    return id ? this.deps.presence()?.others(id) ?? [] : [];
  }

  hostUpdated(): void {
    const presence = this.deps.presence();
    const id = this.deps.leadId() ?? '';
    if (presence !== this.watched) {
      this.off?.();
      this.watched = presence;
      this.off = presence?.onChange(() => this.host.requestUpdate()) ?? null;
    }
    const viewId = presence && this.deps.viewing?.() ? id : '';
    if (this.view && this.view.leadId !== viewId) this.hostDisconnected(true);
    if (viewId && !this.view) this.view = { leadId: viewId, release: presence!.hold(viewId, 'viewing') };
    const calling = !!(id && presence?.callingOn(id));
    if (calling !== !!this.tick) {
      clearInterval(this.tick);
      this.tick = calling ? setInterval(() => this.host.requestUpdate(), 1000) : undefined;
    }
  }

  hostDisconnected(viewOnly = false): void {
    this.view?.release();
    this.view = null;
    if (viewOnly) return;
    this.off?.();
    this.off = null;
    this.watched = undefined;
    clearInterval(this.tick);
    this.tick = undefined;
  }
}
