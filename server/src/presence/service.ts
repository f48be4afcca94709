import {
  presenceClearPayload,
  presenceSetPayload,
  type PresenceAck,
  type PresenceSnapshot,
  type PresenceUpdate,
  type PresenceUser,
} from '../../../core/team.js';
import type { Logger } from '../log.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { PresenceEntry, PresenceStore } from './store.js';

/** The socket a presence event came from (its handshake put the clinic and the user in `socket.data`). */
export interface PresenceSocket {
  id: string;
  orgId: string;
  userId: string;
  /** The roster's name for the user, else the token's. */
  name: string;
}

export interface PresenceServiceDeps {
  store: PresenceStore;
  broadcaster: Broadcaster;
  /** Whether a lead id is a lead of the clinic (presence:set for anything else is ignored). */
  leadExists: (orgId: string, leadId: string) => Promise<boolean>;
  logger: Logger;
  ttlMs: number;
  now?: () => number;
}

/** One tab watches a handful of leads at most (the open detail, the lead being called). */
const MAX_LEADS_PER_SOCKET = 10;
/** Events a socket may send per window: heartbeats every 10 s for a few leads fit easily. */
const EVENTS_PER_WINDOW = 30;
const WINDOW_MS = 10_000;
/** A second broadcast after a change carries the state every instance's writes have settled into (see `changed`). */
const SETTLE_MS = 250;
const LEAD_CHECK_TTL_MS = 60_000;

const fail = (code: string, message: string): PresenceAck => ({ ok: false, error: { code, message } });

/**
 * Who is viewing or calling which lead, per clinic (DESIGN.md "Working the list": Presence; contract in core/team.ts).
 * A socket's presence:set writes its entry (a repeat of the same activity is the heartbeat: it only extends the entry);
 * each change is published to the clinic's room as presence:updated, through the broadcaster (the Socket.io Redis
 * adapter fans it out to every instance). An entry lives ttlMs after its last heartbeat; a closed socket's entries go at
 * once. Payloads are validated where they enter; a bad one is answered with an ack error and otherwise ignored.
 */
export class PresenceService {
  /** This instance's sockets and the leads each is on, for clearing at disconnect. */
  private readonly local = new Map<string, { orgId: string; leads: Set<string>; window: number; events: number }>();
  private readonly leadChecks = new Map<string, { ok: boolean; at: number }>();
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private sweeper: NodeJS.Timeout | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: PresenceServiceDeps) {
    this.now = deps.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.deps.ttlMs;
  }

  async set(sock: PresenceSocket, payload: unknown): Promise<PresenceAck> {
    const parsed = presenceSetPayload.safeParse(payload);
    if (!parsed.success) return fail('INVALID_PRESENCE', 'presence:set takes { leadId: <lead id>, activity: "viewing" | "calling" }.');
    const limited = this.spend(sock);
    if (limited) return limited;
    const { leadId, activity } = parsed.data;
    const mine = this.local.get(sock.id)!;
    if (!mine.leads.has(leadId) && mine.leads.size >= MAX_LEADS_PER_SOCKET) {
      return fail('PRESENCE_LIMIT', `One tab can show presence on at most ${MAX_LEADS_PER_SOCKET} leads; clear one first (presence:clear).`);
    }
    // Another clinic's lead (or no lead): ignored, so presence never says anything about it to anyone.
    if (!(await this.isClinicLead(sock.orgId, leadId))) return fail('LEAD_NOT_FOUND', 'There is no such lead in this clinic.');
    if (!this.local.has(sock.id)) return fail('DISCONNECTED', 'The socket closed.'); // closed while we checked
    const now = this.now();
    const entry: PresenceEntry = { leadId, socketId: sock.id, userId: sock.userId, name: sock.name, activity, since: now, expiresAt: now + this.deps.ttlMs };
    const previous = await this.deps.store.put(sock.orgId, entry, this.deps.ttlMs);
    const heartbeat = previous !== null && previous.activity === activity && previous.expiresAt > now;
    if (heartbeat) {
      // Keep when the activity began: write it back with the original start (a heartbeat changes nothing anyone sees).
      if (previous.since !== now) await this.deps.store.put(sock.orgId, { ...entry, since: previous.since }, this.deps.ttlMs);
    }
    mine.leads.add(leadId);
    if (!heartbeat) await this.changed(sock.orgId, leadId);
    return { ok: true };
  }

  async clear(sock: PresenceSocket, payload: unknown): Promise<PresenceAck> {
    const parsed = presenceClearPayload.safeParse(payload);
    if (!parsed.success) return fail('INVALID_PRESENCE', 'presence:clear takes { leadId: <lead id> }.');
    const limited = this.spend(sock);
    if (limited) return limited;
    const { leadId } = parsed.data;
    this.local.get(sock.id)?.leads.delete(leadId);
    if (await this.deps.store.remove(sock.orgId, leadId, sock.id)) await this.changed(sock.orgId, leadId);
    return { ok: true };
  }

  /** A socket connected to this instance: registered so its entries can be cleared when it closes. */
  connected(sock: PresenceSocket): void {
    this.local.set(sock.id, { orgId: sock.orgId, leads: new Set(), window: this.now(), events: 0 });
  }

  /** A closed tab: its entries are removed at once and the clinic told. */
  async disconnected(sock: PresenceSocket): Promise<void> {
    const mine = this.local.get(sock.id);
    this.local.delete(sock.id);
    for (const leadId of mine?.leads ?? []) {
      if (await this.deps.store.remove(sock.orgId, leadId, sock.id)) await this.changed(sock.orgId, leadId);
    }
  }

  async snapshot(orgId: string): Promise<PresenceSnapshot> {
    const byLead = new Map<string, PresenceEntry[]>();
    const now = this.now();
    for (const e of await this.deps.store.all(orgId)) {
      if (e.expiresAt <= now) continue;
      byLead.set(e.leadId, [...(byLead.get(e.leadId) ?? []), e]);
    }
    return { entries: [...byLead].map(([leadId, entries]) => ({ leadId, users: usersOf(entries) })) };
  }

  async usersOn(orgId: string, leadId: string): Promise<PresenceUser[]> {
    const now = this.now();
    return usersOf((await this.deps.store.all(orgId)).filter((e) => e.leadId === leadId && e.expiresAt > now));
  }

  /** The leads someone other than `userId` is calling right now (the call queue skips them). */
  async callingLeadIds(orgId: string, exceptUserId: string): Promise<Set<string>> {
    const now = this.now();
    const out = new Set<string>();
    for (const e of await this.deps.store.all(orgId)) if (e.activity === 'calling' && e.userId !== exceptUserId && e.expiresAt > now) out.add(e.leadId);
    return out;
  }

  /**
   * Removes expired entries of the given clinics and announces each lead that changed. Every instance sweeps the
   * clinics it has sockets of, so entries of an instance that died expire too; the store's atomic remove makes exactly
   * one sweeper announce each.
   */
  async sweep(orgIds: Iterable<string>): Promise<number> {
    let removed = 0;
    const now = this.now();
    for (const orgId of orgIds) {
      const leads = new Set<string>();
      for (const e of await this.deps.store.all(orgId)) {
        if (e.expiresAt > now) continue;
        if (await this.deps.store.remove(orgId, e.leadId, e.socketId)) {
          removed++;
          leads.add(e.leadId);
          this.local.get(e.socketId)?.leads.delete(e.leadId);
        }
      }
      for (const leadId of leads) await this.changed(orgId, leadId);
    }
    return removed;
  }

  /** Sweeps every tenth of the TTL (between 100 ms and 3 s). */
  start(orgIds: () => Iterable<string>): void {
    const every = Math.min(3_000, Math.max(100, Math.floor(this.deps.ttlMs / 10)));
    this.sweeper = setInterval(() => {
      this.sweep(orgIds()).catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'presence sweep failed'));
    }, every);
    this.sweeper.unref();
  }

  async stop(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    for (const t of this.settling.values()) clearTimeout(t);
    this.settling.clear();
    await this.deps.store.close();
  }

  /**
   * Publishes the lead's users now, and once more shortly after: two instances writing the same lead at once may each
   * read before the other's write, and the second publication carries the state both settled into.
   */
  private async changed(orgId: string, leadId: string): Promise<void> {
    await this.publish(orgId, leadId);
    const key = `${orgId}:${leadId}`;
    clearTimeout(this.settling.get(key));
    const timer = setTimeout(() => {
      this.settling.delete(key);
      this.publish(orgId, leadId).catch((err: Error) => this.deps.logger.warn({ err: err.message }, 'presence publish failed'));
    }, SETTLE_MS);
    timer.unref();
    this.settling.set(key, timer);
  }

  private async publish(orgId: string, leadId: string): Promise<void> {
    const update: PresenceUpdate = { leadId, users: await this.usersOn(orgId, leadId) };
    this.deps.broadcaster.publish(orgId, 'presence:updated', update);
  }

  private spend(sock: PresenceSocket): PresenceAck | null {
    const mine = this.local.get(sock.id);
    if (!mine) return fail('DISCONNECTED', 'The socket closed.');
    const now = this.now();
    if (now - mine.window >= WINDOW_MS) {
      mine.window = now;
      mine.events = 0;
    }
    if (++mine.events > EVENTS_PER_WINDOW) return fail('RATE_LIMITED', 'Too many presence events: send a heartbeat every 10 seconds.');
    return null;
  }

  /** Cached for a minute: heartbeats of the same lead do not read the database each time. */
  private async isClinicLead(orgId: string, leadId: string): Promise<boolean> {
    const key = `${orgId}:${leadId}`;
    const hit = this.leadChecks.get(key);
    if (hit && this.now() - hit.at < LEAD_CHECK_TTL_MS) return hit.ok;
    const ok = await this.deps.leadExists(orgId, leadId);
    if (this.leadChecks.size > 20_000) this.leadChecks.clear();
    this.leadChecks.set(key, { ok, at: this.now() });
    return ok;
  }
}

/** One line per user on a lead: calling wins over viewing (any of their tabs), since = when that activity began. */
export function usersOf(entries: PresenceEntry[]): PresenceUser[] {
  const byUser = new Map<string, PresenceEntry>();
  for (const e of entries) {
    const seen = byUser.get(e.userId);
    const better = !seen || (e.activity === 'calling' && seen.activity !== 'calling') || (e.activity === seen.activity && e.since < seen.since);
    if (better) byUser.set(e.userId, e);
  }
  return [...byUser.values()]
    .sort((a, b) => a.since - b.since || a.userId.localeCompare(b.userId))
    .map((e) => ({ id: e.userId, name: e.name, activity: e.activity, since: new Date(e.since).toISOString() }));
}
