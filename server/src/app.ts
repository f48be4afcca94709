import Koa from 'koa';
import Router from '@koa/router';
import { bodyParser } from '@koa/bodyparser';
import type { Db } from 'mongodb';
import { AppError, errorMiddleware } from './http/errors.js';
import { cors, requestLogging, securityHeaders } from './http/middleware.js';
import type { Logger } from './log.js';
import { LeadChanges } from './leads/changes.js';
import { requireUser } from './auth/middleware.js';
import { embedTokenRoutes, sessionRoutes } from './auth/routes.js';
import { RosterCallerPhones } from './calls/connect.js';
import type { TokenService } from './auth/tokens.js';
import { OrganizationRepository } from './orgs/repository.js';
import { OrganizationCache } from './orgs/service.js';
import { ContactRepository } from './leads/repository.js';
import { AppointmentRepository, LeadEventRepository, NoteRepository } from './leads/timeline-repository.js';
import { LeadService } from './leads/service.js';
import { followUpRoutes, leadRoutes } from './leads/routes.js';
import { FollowUpRepository } from './leads/follow-up-repository.js';
import { FollowUpService } from './leads/follow-ups.js';
import { LeadDeletionRepository } from './leads/deletion-repository.js';
import { CallRepository } from './calls/repository.js';
import { WebhookReceipts } from './calls/receipts.js';
import { CallService } from './calls/service.js';
import { callRoutes, vapiWebhookRoutes } from './calls/routes.js';
import { SmsRepository } from './sms/repository.js';
import { SmsService } from './sms/service.js';
import { smsRoutes, twilioWebhookRoutes } from './sms/routes.js';
import { AgentRepository, IntegrationRepository } from './settings/repository.js';
import { ProviderFactory, type TelephonyConfig } from './settings/providers.js';
import { SettingsService } from './settings/service.js';
import { settingsRoutes } from './settings/routes.js';
import { originRoutes } from './orgs/routes.js';
import type { Broadcaster } from './realtime/broadcaster.js';
import type { LimitName, RateLimits } from './http/rate-limits.js';
import { auth } from './auth/middleware.js';
import type { Context, Next } from 'koa';
import { TeamRepository } from './team/repository.js';
import { TeamService } from './team/service.js';
import { OwnerService } from './team/owners.js';
import { teamRoutes } from './team/routes.js';
import { PresenceService } from './presence/service.js';
import { MemoryPresenceStore, type PresenceStore } from './presence/store.js';
import { ClaimRepository } from './queue/repository.js';
import { QueueService } from './queue/service.js';
import { queueRoutes } from './queue/routes.js';
import { CampaignRepository } from './campaigns/repository.js';
import { CampaignNotifier } from './campaigns/notifier.js';
import { TemplateService } from './campaigns/templates.js';
import { CampaignService } from './campaigns/service.js';
import { CampaignSettingsService } from './campaigns/settings.js';
import { CampaignSender } from './campaigns/sender.js';
import { Pacer } from './campaigns/pacer.js';
import { campaignRoutes } from './campaigns/routes.js';
import { openApiRoutes } from './http/openapi.js';
import { Metrics, metricsRoutes } from './http/metrics.js';

export interface AppDeps {
  db: Db;
  logger: Logger;
  tokens: TokenService;
  broadcaster: Broadcaster;
  now?: () => Date;
  /** Origins allowed for every organisation (e.g. the demo host page). */
  extraOrigins?: string[];
  telephony: TelephonyConfig;
  /** Readiness beyond the database (e.g. Redis). */
  readiness?: () => Promise<void>;
  limits: RateLimits;
  /** Take client addresses from X-Forwarded-For (TRUST_PROXY). */
  trustProxy?: boolean;
  /** Team features (issue 13): where presence lives (memory when absent), its TTL, and the queue's claim TTL. */
  presenceStore?: PresenceStore;
  presenceTtlMs?: number;
  claimTtlMs?: number;
  /** Campaign sending (server/src/campaigns/sender.ts): default rate, tick and claim lease. */
  campaigns?: { ratePerSecond: number; tickMs: number; leaseMs: number };
  /** Operator metrics (server/src/http/metrics.ts): GET /metrics answers only with this token. */
  metrics?: Metrics;
  metricsToken?: string;
}

export type Core = ReturnType<typeof createCore>;

export interface AppContext extends Core {
  app: Koa;
  /** Set when a graceful stop begins: /readyz answers 503 so a load balancer sends no new traffic. */
  draining: boolean;
  /** The app's routers (public ones and the /v1 one), for the OpenAPI coverage test. */
  routers: Router[];
  metrics: Metrics;
}

/** Repositories and services, built once from the database: the rules live here, the app only routes to them. */
export function createCore(deps: Pick<AppDeps, 'db' | 'broadcaster' | 'now' | 'logger' | 'telephony' | 'presenceStore' | 'presenceTtlMs' | 'claimTtlMs' | 'campaigns'>) {
  const now = deps.now ?? (() => new Date());
  const { db, broadcaster, logger } = deps;
  const repos = {
    orgs: new OrganizationRepository(db),
    contacts: new ContactRepository(db),
    events: new LeadEventRepository(db),
    notes: new NoteRepository(db),
    appointments: new AppointmentRepository(db),
    calls: new CallRepository(db),
    sms: new SmsRepository(db),
    agents: new AgentRepository(db),
    integrations: new IntegrationRepository(db),
    followUps: new FollowUpRepository(db),
    deletion: new LeadDeletionRepository(db),
    team: new TeamRepository(db),
    claims: new ClaimRepository(db),
  };
  const orgCache = new OrganizationCache(repos.orgs);
  const providers = new ProviderFactory(deps.telephony, repos.integrations);
  const receipts = new WebhookReceipts(db);
  const changes = new LeadChanges({ contacts: repos.contacts, events: repos.events, broadcaster, logger, now });
  const followUps = new FollowUpService({ ...repos, changes, broadcaster, logger, now });
  const owners = new OwnerService({ ...repos, changes, logger, now });
  const leads = new LeadService({ ...repos, changes, followUpService: followUps, owners, broadcaster, now });
  const team = new TeamService({ ...repos, orgCache, now });
  const presence = new PresenceService({
    store: deps.presenceStore ?? new MemoryPresenceStore(),
    broadcaster,
    leadExists: async (orgId, leadId) => (await repos.contacts.findById(orgId, leadId)) !== null,
    logger,
    ttlMs: deps.presenceTtlMs ?? 30_000,
    now: () => now().getTime(),
  });
  const queue = new QueueService({ ...repos, presence, now, claimTtlMs: deps.claimTtlMs });
  const calls = new CallService({ ...repos, changes, followUpService: followUps, providers, receipts, callers: new RosterCallerPhones(db), broadcaster, logger, now });
  const sms = new SmsService({ ...repos, changes, providers, broadcaster, logger, now });
  const settings = new SettingsService({ ...repos, orgCache, providers, logger });
  const campaignConfig = deps.campaigns ?? { ratePerSecond: 1, tickMs: 100, leaseMs: 30_000 };
  const campaignRepo = new CampaignRepository(db);
  const campaignNotifier = new CampaignNotifier({ repo: campaignRepo, broadcaster, logger });
  const templates = new TemplateService({ repo: campaignRepo, now });
  const campaigns = new CampaignService({ ...repos, repo: campaignRepo, templates, notifier: campaignNotifier, logger, now, defaultRatePerSecond: campaignConfig.ratePerSecond });
  const campaignSettings = new CampaignSettingsService({ orgs: repos.orgs, orgCache });
  const campaignSender = new CampaignSender(
    { repo: campaignRepo, pacer: new Pacer(db), contacts: repos.contacts, orgCache, integrations: repos.integrations, sms, notifier: campaignNotifier, logger, now },
    { tickMs: campaignConfig.tickMs || 100, leaseMs: campaignConfig.leaseMs, maxInFlight: 16 },
  );
  sms.setCampaignHooks({ statusChanged: (doc) => campaigns.smsStatusChanged(doc), inbound: (orgId, leadId, kind) => campaigns.inbound(orgId, leadId, kind) });
  return { repos, orgCache, providers, changes, leads, followUps, calls, sms, settings, team, owners, presence, queue, campaigns, templates, campaignSettings, campaignSender, campaignNotifier, now };
}

/**
 * Builds the Koa app from its dependencies. Middleware order is fixed and visible: security headers, request id and
 * logging, the one error middleware, CORS, body parsing, public routes (health, token minting, webhooks), auth, /v1 routes.
 */
export function createApp(deps: AppDeps, core: Core = createCore(deps)): AppContext {
  const { repos, leads, orgCache, now } = core;
  const extraOrigins = deps.extraOrigins ?? [];
  const app = new Koa({ proxy: deps.trustProxy ?? false });
  const metrics = deps.metrics ?? new Metrics();
  const context: AppContext = { ...core, app, draining: false, routers: [], metrics };
  app.silent = true;

  app.use(securityHeaders);
  app.use(requestLogging(deps.logger));
  app.use(metrics.middleware());
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
    if (context.draining) {
      ctx.status = 503;
      ctx.body = { error: { code: 'SHUTTING_DOWN', message: 'This instance is shutting down; send requests to another one.' } };
      return;
    }
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
  const publicRouters = [
    health,
    openApiRoutes(),
    metricsRoutes(metrics, deps.metricsToken),
    embedTokenRoutes({ orgRepo: repos.orgs, tokens: deps.tokens, limits: deps.limits }),
    vapiWebhookRoutes({ calls: core.calls, logger: deps.logger, now }),
    twilioWebhookRoutes({ sms: core.sms, providers: core.providers, logger: deps.logger }),
  ];
  for (const router of publicRouters) {
    app.use(router.routes()).use(router.allowedMethods());
  }

  // Every other /v1 route sits on one prefixed router whose first middleware is authentication.
  const v1 = new Router({ prefix: '/v1' });
  v1.use(requireUser({ tokens: deps.tokens, orgs: orgCache, orgRepo: repos.orgs, extraOrigins, limits: deps.limits }));
  // Starting a call or a text costs a point of the clinic's and of the user's budget (the route itself comes next).
  const startLimit = (perClinic: LimitName, perUser: LimitName) => async (ctx: Context, next: Next) => {
    const { orgId, user } = auth(ctx);
    await deps.limits.consume(perClinic, orgId);
    await deps.limits.consume(perUser, `${orgId}:${user.id}`);
    await next();
  };
  v1.post('/leads/:id/calls', startLimit('callStartsPerClinic', 'callStartsPerUser'));
  v1.post('/leads/:id/sms', startLimit('textStartsPerClinic', 'textStartsPerUser'));
  v1.post('/campaigns/:id/start', async (ctx, next) => {
    await deps.limits.consume('campaignsPerClinic', auth(ctx).orgId);
    await next();
  });
  const privateRouters = [
    sessionRoutes({ telephonyStatus: (orgId) => core.settings.telephonyStatus(orgId), callModes: (orgId, user) => core.calls.callModes(orgId, user) }),
    leadRoutes(leads),
    followUpRoutes(core.followUps),
    callRoutes(core.calls),
    smsRoutes(core.sms),
    campaignRoutes({ campaigns: core.campaigns, templates: core.templates, settings: core.campaignSettings }),
    settingsRoutes(core.settings),
    originRoutes({ orgRepo: repos.orgs, orgCache }),
    teamRoutes(core.team, core.owners),
    queueRoutes(core.queue),
  ];
  for (const router of privateRouters) v1.use(router.routes(), router.allowedMethods());
  app.use(v1.routes()).use(v1.allowedMethods());
  context.routers = [...publicRouters, v1];

  return context;
}
