import type { ServerToClientEvents } from '../../../core/contracts.js';

export type EventName = keyof ServerToClientEvents;
/** The one argument each event carries, so `[payload]` is exactly the event's parameter list. */
export type EventPayload<E extends EventName> = Parameters<ServerToClientEvents[E]>[0];

/**
 * How services publish domain events after the database has acknowledged the write. The realtime module implements it
 * with Socket.io rooms (one per organisation); services never reach for a global `io`.
 */
export interface Broadcaster {
  publish<E extends EventName>(orgId: string, event: E, payload: EventPayload<E>): void;
}

/** Collects events in memory (one instance alone, no sockets): used where nothing listens. */
export class MemoryBroadcaster implements Broadcaster {
  readonly events: Array<{ orgId: string; event: EventName; payload: unknown }> = [];
  publish<E extends EventName>(orgId: string, event: E, payload: EventPayload<E>): void {
    this.events.push({ orgId, event, payload });
    if (this.events.length > 1000) this.events.shift();
  }
}
