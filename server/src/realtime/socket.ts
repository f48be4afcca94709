import type { Server as HttpServer } from 'node:http';
import { Server as IoServer, type Socket } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { ClientToServerEvents, EmbedUser, ServerToClientEvents } from '../../../core/contracts.js';
import type { TokenService } from '../auth/tokens.js';
import { limitFailures, originAllowed } from '../auth/middleware.js';
import { unauthenticated } from '../http/errors.js';
import { RateLimitedError, type RateLimits } from '../http/rate-limits.js';
import type { OrganizationCache } from '../orgs/service.js';
import type { Logger } from '../log.js';
import type { Broadcaster, EventName, EventPayload } from './broadcaster.js';

interface SocketData {
  orgId: string;
  user: EmbedUser;
  /** When the handshake's token expires: the socket is closed then, as REST would refuse the token. */
  expiresAt: Date;
}

export type LeadsIo = IoServer<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type LeadsSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export const orgRoom = (orgId: string) => `org:${orgId}`;

export interface RealtimeOptions {
  tokens: TokenService;
  orgs: OrganizationCache;
  logger: Logger;
  /** Shares events between API instances through Redis when set. */
  redisUrl?: string;
  /** For CORS on the handshake, before the token is read: some clinic allows this origin. */
  isKnownOrigin: (origin: string) => Promise<boolean>;
  /** Origins allowed for every organisation (CORS_EXTRA_ORIGINS). */
  extraOrigins: readonly string[];
  /** Failed handshakes count against the same per-address budget as failed REST sign-ins. */
  limits: RateLimits;
  now?: () => Date;
}

export interface Realtime {
  io: LeadsIo;
  broadcaster: Broadcaster;
  /** Resolves when Redis (if any) answers. */
  ready(): Promise<void>;
  /** Closes every client's transport without ending its session: clients reconnect on their own (graceful stop). */
  dropTransports(): void;
  close(): Promise<void>;
}

/**
 * Socket.io on the API's HTTP server. The handshake carries the same embed token as REST calls; a socket joins its
 * organisation's room and nothing else; the only events a client sends that are acted on are presence's (bound by
 * server/src/presence/socket.ts, validated there). With a Redis URL, the Redis adapter
 * carries every room broadcast to the other instances.
 */
export async function attachRealtime(httpServer: HttpServer, options: RealtimeOptions): Promise<Realtime> {
  const io: LeadsIo = new IoServer(httpServer, {
    path: '/socket.io',
    serveClient: false,
    cors: {
      origin: (origin, callback) => {
        if (!origin) return callback(null, true);
        options.isKnownOrigin(origin).then((ok) => callback(null, ok), (err: Error) => callback(err));
      },
      methods: ['GET', 'POST'],
    },
    maxHttpBufferSize: 16 * 1024,
    pingInterval: 20_000,
    pingTimeout: 20_000,
  });

  let redis: { pub: ReturnType<typeof createClient>; sub: ReturnType<typeof createClient> } | undefined;
  if (options.redisUrl) {
    const pub = createClient({ url: options.redisUrl });
    const sub = pub.duplicate();
    for (const client of [pub, sub]) client.on('error', (err: Error) => options.logger.error({ err: err.message }, 'redis error'));
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(createAdapter(pub, sub));
    redis = { pub, sub };
  }

  io.use(async (socket, next) => {
    const token = typeof socket.handshake.auth?.token === 'string' ? socket.handshake.auth.token : undefined;
    try {
      if (!token) throw Object.assign(new Error('Add the embed token to the socket handshake (auth.token).'), { code: 'UNAUTHENTICATED' });
      const { claims, org } = await limitFailures(options.limits, { ip: socket.handshake.address }, async () => {
        const claims = await options.tokens.verify(token);
        const org = await options.orgs.get(claims.orgId);
        if (!org) throw unauthenticated('The organisation of this token no longer exists.');
        return { claims, org };
      });
      // The same rule as REST: the page must be one of this token's clinic's embed origins, not merely some clinic's.
      const origin = socket.handshake.headers.origin;
      if (origin && !originAllowed(org, origin, options.extraOrigins)) {
        throw Object.assign(new Error(`The page at ${origin} is not an allowed embed origin of ${org.name}.`), { code: 'ORIGIN_NOT_ALLOWED' });
      }
      socket.data.orgId = org.id;
      socket.data.user = claims.user;
      socket.data.expiresAt = claims.expiresAt;
      next();
    } catch (err) {
      const e = err as Error & { code?: string };
      const refused = new Error(e.message) as Error & { data?: unknown };
      refused.data = { code: e.code ?? 'UNAUTHENTICATED', ...(e instanceof RateLimitedError ? { retryAfterSeconds: e.retryAfterSeconds } : {}) };
      next(refused);
    }
  });

  const now = options.now ?? (() => new Date());
  io.on('connection', (socket: LeadsSocket) => {
    void socket.join(orgRoom(socket.data.orgId));
    // A socket lives no longer than its token: at expiry it is told why (so the widget fetches a new token, reconnects
    // and refetches what it shows) and disconnected, which also takes it out of the clinic's room.
    const expiry = setTimeout(
      () => {
        socket.emit('session:expired', { code: 'TOKEN_EXPIRED', message: 'The token has expired: fetch a new one and reconnect.' });
        socket.disconnect(true);
      },
      Math.max(0, socket.data.expiresAt.getTime() - now().getTime()),
    );
    socket.once('disconnect', () => clearTimeout(expiry));
    // Apart from presence:set/clear (server/src/presence), any event from clients is ignored (no room changes, no relays).
    socket.onAny(() => undefined);
  });

  const broadcaster: Broadcaster = {
    publish<E extends EventName>(orgId: string, event: E, payload: EventPayload<E>) {
      // publish() is typed per event for every caller; TypeScript cannot relate a generic E to Socket.io's spread
      // parameters, so the room's emit is seen through the same event map, one (event, payload) pair at a time.
      const room = io.to(orgRoom(orgId));
      const emit: (ev: E, payload: EventPayload<E>) => boolean = room.emit.bind(room) as never;
      emit(event, payload);
    },
  };

  return {
    io,
    broadcaster,
    async ready() {
      if (redis) await redis.pub.ping();
    },
    dropTransports() {
      for (const socket of io.of('/').sockets.values()) socket.conn.close();
    },
    async close() {
      io.disconnectSockets(true);
      await new Promise<void>((resolve) => {
        io.close(() => resolve());
      }).catch(() => undefined);
      if (redis) await Promise.allSettled([redis.pub.quit(), redis.sub.quit()]);
    },
  };
}
