/**
 * Live updates over Socket.io (DESIGN.md: Realtime), through MiniSocket (socket.ts) unless a socketFactory is given
 * (e.g. `(url, opts) => io(url, { ...opts, autoConnect: false })` with socket.io-client). Elements receive a `LiveUpdates` through `liveContext`
 * and subscribe with `on(event, handler)`, which returns the unsubscribe function.
 */
import type { ServerToClientEvents } from '../../../core/contracts.js';
import { MiniSocket } from './socket.js';
import type { PresenceActivity, PresenceUser } from './team.js';

type Payload<K extends keyof ServerToClientEvents> = Parameters<ServerToClientEvents[K]>[0];

export type LiveStatus = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'unauthorized';

/** The events a LiveUpdates emits: the server's, plus `reconnected` (refetch now) and `status`. */
export type LiveEventMap = { [K in keyof ServerToClientEvents]: Payload<K> } & {
  /** Who has a lead open or is calling it (DESIGN.md "Working the list": Presence); `users` empty = nobody. */
  'presence:updated': { leadId: string; users: PresenceUser[] };
  /** Every lead's presence, sent by the server on connect. */
  'presence:snapshot': { entries: Array<{ leadId: string; users: PresenceUser[] }> };
  /** The connection came back after a drop: anything shown may be stale, refetch it. */
  reconnected: void;
  status: LiveStatus;
};

export type LiveHandler<K extends keyof LiveEventMap> = (payload: LiveEventMap[K]) => void;

/** What the client sends: presence (re-sent every 10 s as the heartbeat) and its end. */
export interface LiveClientEvents {
  'presence:set': { leadId: string; activity: PresenceActivity };
  'presence:clear': { leadId: string };
}

/** What elements depend on (tests provide a fake with the same shape). */
export interface LiveUpdates {
  readonly status: LiveStatus;
  on<K extends keyof LiveEventMap>(event: K, handler: LiveHandler<K>): () => void;
  /** Send to the server; dropped while disconnected (presence is re-sent by its heartbeat). */
  send?<K extends keyof LiveClientEvents>(event: K, payload: LiveClientEvents[K]): void;
}

/** A tiny typed emitter shared by the real service and test fakes. */
export class LiveEmitter implements LiveUpdates {
  status: LiveStatus = 'idle';
  private handlers = new Map<keyof LiveEventMap, Set<(p: never) => void>>();

  on<K extends keyof LiveEventMap>(event: K, handler: LiveHandler<K>): () => void {
    let set = this.handlers.get(event);
    if (!set) this.handlers.set(event, (set = new Set()));
    set.add(handler as (p: never) => void);
    return () => set!.delete(handler as (p: never) => void);
  }

  emit<K extends keyof LiveEventMap>(event: K, ...payload: LiveEventMap[K] extends void ? [] : [LiveEventMap[K]]): void {
    for (const h of [...(this.handlers.get(event) ?? [])]) {
      try {
        (h as (p: unknown) => void)(payload[0]);
      } catch (err) {
        console.error(`[live-leads] ${String(event)} handler failed`, err);
      }
    }
  }

  protected setStatus(status: LiveStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.emit('status', status);
  }
}

/** The part of a Socket.IO client socket the service uses (MiniSocket, a socket.io-client Socket, or a test fake). */
export interface LiveSocket {
  readonly active: boolean;
  on(event: string, handler: (...args: any[]) => void): unknown;
  connect(): unknown;
  disconnect(): unknown;
  emit?(event: string, ...args: unknown[]): unknown;
}

export interface LiveServiceOptions {
  /** API origin; the socket connects to it with path `/socket.io`. */
  url: string;
  /** Current token (cached) and forced refresh, usually the LeadsApiClient's `getToken` / `refreshToken`. */
  getToken: () => Promise<string | null>;
  refreshToken: () => Promise<string | null>;
  socketFactory?: (url: string, opts: { path: string; auth: (cb: (data: object) => void) => void }) => LiveSocket;
}

const SERVER_EVENTS = ['lead:updated', 'lead:scored', 'lead:hot', 'call:updated', 'sms:updated', 'follow-up:due', 'lead:deleted', 'presence:updated', 'presence:snapshot', 'campaign:updated'] as const;

export class LiveService extends LiveEmitter {
  private socket: LiveSocket | null = null;
  private hasConnected = false;
  private refreshedThisStreak = false;

  constructor(private readonly options: LiveServiceOptions) {
    super();
  }

  connect(): void {
    if (this.socket) return;
    const factory = this.options.socketFactory ?? ((url, opts) => new MiniSocket(url, opts));
    const socket = factory(this.options.url, {
      path: '/socket.io',
      // A function, so every (re)connect sends the current token.
      auth: (cb) => {
        this.options.getToken().then(
          (token) => cb({ token }),
          () => cb({ token: null }),
        );
      },
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.refreshedThisStreak = false;
      this.setStatus('connected');
      if (this.hasConnected) this.emit('reconnected');
      this.hasConnected = true;
    });
    socket.on('disconnect', () => this.setStatus('disconnected'));
    // The server closes a socket when its token expires: fetch a new token and reconnect; the 'connect' that follows
    // emits 'reconnected', so the elements refetch whatever they show and nothing sent meanwhile is missed.
    socket.on('session:expired', () => {
      this.options.refreshToken().then(
        (token) => {
          if (this.socket !== socket) return;
          // The server's own disconnect may not have arrived yet: end this connection here, then open a new one.
          socket.disconnect();
          if (token) socket.connect();
          else this.setStatus('unauthorized');
        },
        () => this.setStatus('unauthorized'),
      );
    });
    socket.on('connect_error', (err: Error & { data?: { code?: string } }) => {
      const code = err.data?.code;
      if (code === 'TOKEN_EXPIRED' && !this.refreshedThisStreak) {
        // A refused handshake is not retried by socket.io: refresh once, then connect again.
        this.refreshedThisStreak = true;
        this.options.refreshToken().then(
          () => this.socket === socket && socket.connect(),
          () => this.setStatus('unauthorized'),
        );
        return;
      }
      if (code === 'UNAUTHENTICATED' || code === 'TOKEN_EXPIRED') {
        this.setStatus('unauthorized');
        return;
      }
      this.setStatus('disconnected');
      if (!socket.active) setTimeout(() => this.socket === socket && socket.connect(), 2000);
    });
    for (const name of SERVER_EVENTS) {
      socket.on(name, ((payload: never) => this.emit(name, payload)) as never);
    }
    this.setStatus('connecting');
    socket.connect();
  }

  disconnect(): void {
    this.socket?.disconnect();
    this.socket = null;
    this.hasConnected = false;
    this.setStatus('idle');
  }

  send<K extends keyof LiveClientEvents>(event: K, payload: LiveClientEvents[K]): void {
    if (this.status === 'connected') this.socket?.emit?.(event, payload);
  }
}
