import type { PresenceAck } from '../../../core/team.js';
import type { Logger } from '../log.js';
import type { LeadsIo, LeadsSocket } from '../realtime/socket.js';
import type { PresenceService, PresenceSocket } from './service.js';

const ORG_ROOM = /^org:(.+)$/;

/**
 * Wires presence onto the realtime server: on connect the socket gets the clinic's snapshot; presence:set and
 * presence:clear go to the service (answered through the optional ack); a closed socket's entries are cleared. The
 * sweeper covers the clinics with sockets on this instance (its org rooms).
 */
export function bindPresence(
  io: LeadsIo,
  presence: PresenceService,
  deps: { displayName: (orgId: string, user: { id: string; name: string }) => Promise<string>; logger: Logger },
): void {
  io.on('connection', (socket: LeadsSocket) => {
    const { orgId, user } = socket.data;
    const ready: Promise<PresenceSocket> = deps
      .displayName(orgId, user)
      .catch(() => user.name)
      .then((name) => {
        const sock = { id: socket.id, orgId, userId: user.id, name };
        presence.connected(sock);
        return sock;
      });
    const handle = (run: (sock: PresenceSocket, payload: unknown) => Promise<PresenceAck>) => (payload: unknown, ack?: unknown) => {
      ready
        .then((sock) => run(sock, payload))
        .catch((err: Error): PresenceAck => {
          deps.logger.warn({ orgId, err: err.message }, 'presence event failed');
          return { ok: false, error: { code: 'PRESENCE_UNAVAILABLE', message: 'Presence is not available right now; it is retried with the next heartbeat.' } };
        })
        .then((reply) => {
          if (typeof ack === 'function') ack(reply);
        });
    };
    socket.on('presence:set', handle((sock, payload) => presence.set(sock, payload)));
    socket.on('presence:clear', handle((sock, payload) => presence.clear(sock, payload)));
    socket.once('disconnect', () => {
      void ready.then((sock) => presence.disconnected(sock)).catch((err: Error) => deps.logger.warn({ orgId, err: err.message }, 'presence clear on disconnect failed'));
    });
    void ready
      .then(() => presence.snapshot(orgId))
      .then((snapshot) => socket.connected && socket.emit('presence:snapshot', snapshot))
      .catch((err: Error) => deps.logger.warn({ orgId, err: err.message }, 'presence snapshot failed'));
  });
  presence.start(function* () {
    for (const room of io.of('/').adapter.rooms.keys()) {
      const m = ORG_ROOM.exec(room);
      if (m) yield m[1]!;
    }
  });
}
