import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Db } from 'mongodb';
import type { SessionInfo } from './contracts.js';
import { AppError, errorMiddleware } from './http/errors.js';
import { cors, requestLogging, securityHeaders } from './http/middleware.js';
import type { Logger } from './log.js';
import { requireUser } from './auth/middleware.js';
import { embedTokenRoutes, sessionRoutes } from './auth/routes.js';
import type { TokenService } from './auth/tokens.js';
import { OrganizationRepository } from './orgs/repository.js';
import { OrganizationCache } from './orgs/service.js';
import { ContactRepository } from './leads/repository.js';
import { AppointmentRepository, LeadEventRepository, NoteRepository } from './leads/timeline-repository.js';
import { LeadService } from './leads/service.js';
import { leadRoutes } from './leads/routes.js';
import { CallRepository } from './calls/repository.js';
import type { Broadcaster } from './realtime/broadcaster.js';

export interface AppDeps {
  db: Db;
  logger: Logger;
  tokens: TokenService;
  broadcaster: Broadcaster;
  now?: () => Date;
  /** Origins allowed for every organisation (e.g. the demo host page). */
  extraOrigins?: string[];
  /** Extra routers mounted before authentication (provider webhooks) and after it (/v1 features). */
  publicRouters?: Router[];
  privateRouters?: Router[];
  telephonyStatus?: (orgId: string) => Promise<SessionInfo['telephony']>;
  /** Readiness beyond the database (e.g. Redis). */
  readiness?: () => Promise<void>;
}

export interface AppContext {
  app: Koa;
  repos: {
    orgs: OrganizationRepository;
    contacts: ContactRepository;
    events: LeadEventRepository;
    notes: NoteRepository;
    appointments: AppointmentRepository;
    calls: CallRepository;
  };
  leads: LeadService;
  orgCache: OrganizationCache;
}

/** Repositories and the lead service, built once from the database: shared by the app and the telephony services. */
export function createCore(deps: Pick<AppDeps, 'db' | 'broadcaster' | 'now'>) {
  const now = deps.now ?? (() => new Date());
  const repos = {
    orgs: new OrganizationRepository(deps.db),
    contacts: new ContactRepository(deps.db),
    events: new LeadEventRepository(deps.db),
    notes: new NoteRepository(deps.db),
    appointments: new AppointmentRepository(deps.db),
    calls: new CallRepository(deps.db),
  };
  const leads = new LeadService({ ...repos, broadcaster: deps.broadcaster, now });
  return { repos, leads, now };
}

/**
 * Builds the Koa app from its dependencies. Middleware order is fixed and visible: security headers, request id and
 * logging, the one error middleware, CORS, body parsing, public routes (health, token minting, webhooks), auth, /v1 routes.
 */
export function createApp(deps: AppDeps, core = createCore(deps)): AppContext {
  const { repos, leads } = core;
  const orgCache = new OrganizationCache(repos.orgs);
  const extraOrigins = deps.extraOrigins ?? [];
  const app = new Koa({ proxy: false });
  app.silent = true;

  app.use(securityHeaders);
  app.use(requestLogging(deps.logger));
  app.use(errorMiddleware(deps.logger));
  app.use(cors({ isKnownOrigin: async (origin) => extraOrigins.includes(origin) || (await repos.orgs.isAllowedOrigin(origin)) }));
  app.use(
    bodyParser({
      enableTypes: ['json', 'form'],
      jsonLimit: '2mb',
      formLimit: '256kb',
      encoding: 'utf-8',
      onError: (err: Error & { status?: number; type?: string }) => {
        if (err.status === 413 || err.type === 'entity.too.large') throw new AppError(413, 'PAYLOAD_TOO_LARGE', 'The request body is too large.');
        if (err.status === 415) throw new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
        throw new AppError(400, 'MALFORMED_JSON', 'The request body is not valid JSON (an object or an array is expected).');
      },
    }),
  );

  const health = new Router();
  health.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  health.get('/readyz', async (ctx) => {
    try {
      await deps.db.command({ ping: 1 });
      await deps.readiness?.();
      ctx.body = { status: 'ready' };
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'not ready');
      ctx.status = 503;
      ctx.body = { error: { code: 'NOT_READY', message: 'The database or message bus is not reachable yet.' } };
    }
  });
  for (const router of [health, embedTokenRoutes({ orgRepo: repos.orgs, tokens: deps.tokens }), ...(deps.publicRouters ?? [])]) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  const authenticate = requireUser({ tokens: deps.tokens, orgs: orgCache, orgRepo: repos.orgs, extraOrigins });
  app.use((ctx, next) => (ctx.path.startsWith('/v1/') ? authenticate(ctx, next) : next()));

  const telephonyStatus = deps.telephonyStatus ?? (async () => ({ outboundAgentConfigured: false, twilioNumber: null, sandbox: false }));
  for (const router of [sessionRoutes({ telephonyStatus }), leadRoutes(leads), ...(deps.privateRouters ?? [])]) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  return { app, repos, leads, orgCache };
}
