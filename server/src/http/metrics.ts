/**
 * Operator metrics in Prometheus text format (prom-client, a registry of its own, never the global one). Labels are
 * bounded and carry no PII or secret: the router's matched path (`/v1/leads/:id`, never the raw URL), the status class,
 * the webhook provider and outcome, the job name, the database command name.
 * GET /metrics answers only when METRICS_TOKEN is set and sent as a bearer token; otherwise it is a 404 like any unknown path.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommandFailedEvent, CommandSucceededEvent, MongoClient } from 'mongodb';
import { AppError } from './errors.js';

export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'll_http_request_duration_seconds',
    help: 'HTTP request latency by method, matched route and status class.',
    labelNames: ['method', 'route', 'status_class'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'll_webhook_deliveries_total',
    help: 'Webhook deliveries by provider and outcome (processed, duplicate, ignored, invalid, unauthenticated, error).',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  private socketCount: () => number = () => 0;
  readonly sockets: Gauge = new Gauge({
    name: 'll_socket_connections',
    help: 'Socket.io clients connected to this instance.',
    registers: [this.registry],
    collect: (): void => this.sockets.set(this.socketCount()),
  });
  readonly jobRuns = new Counter({ name: 'll_job_runs_total', help: 'Background job runs by job and result (ok, failed).', labelNames: ['job', 'result'] as const, registers: [this.registry] });
  readonly dbCommands = new Histogram({
    name: 'll_db_command_duration_seconds',
    help: 'MongoDB command latency by command name and result (driver command monitoring).',
    labelNames: ['command', 'result'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'll_' });
  }

  /** The socket gauge reads its value at scrape time. */
  countSockets(count: () => number): void {
    this.socketCount = count;
  }

  /** Records the driver's command monitoring events (the client must be created with monitorCommands: true). */
  watchDatabase(client: MongoClient): void {
    const record = (result: 'ok' | 'failed') => (e: CommandSucceededEvent | CommandFailedEvent) => {
      // Command names are the protocol's (find, insert, aggregate...): a bounded set, never collection names or values.
      this.dbCommands.observe({ command: /^[a-zA-Z]{1,40}$/.test(e.commandName) ? e.commandName : 'other', result }, e.duration / 1000);
    };
    client.on('commandSucceeded', record('ok'));
    client.on('commandFailed', record('failed'));
  }

  /** Runs a job and counts it (jobs log their own failures; this rethrows so the caller's handling stays as it is). */
  async timeJob<T>(job: string, run: () => Promise<T>): Promise<T> {
    try {
      const out = await run();
      this.jobRuns.inc({ job, result: 'ok' });
      return out;
    } catch (err) {
      this.jobRuns.inc({ job, result: 'failed' });
      throw err;
    }
  }

  /** Middleware outside the error middleware, so it sees the final status of every request. */
  middleware() {
    return async (ctx: Context, next: Next) => {
      const end = this.httpDuration.startTimer();
      try {
        await next();
      } finally {
        const matched = (ctx as Context & { _matchedRoute?: string | RegExp })._matchedRoute;
        const route = typeof matched === 'string' ? matched : 'unmatched';
        end({ method: ctx.method, route, status_class: `${Math.floor(ctx.status / 100)}xx` });
        if (route.startsWith('/webhooks/')) this.webhooks.inc({ provider: route.split('/')[2] ?? 'unknown', outcome: webhookOutcome(ctx) });
      }
    };
  }
}

function webhookOutcome(ctx: Context): string {
  if (ctx.status === 401) return 'unauthenticated';
  if (ctx.status >= 400 && ctx.status < 500) return 'invalid';
  if (ctx.status >= 500) return 'error';
  const body = ctx.body as { duplicate?: boolean; ignored?: string } | undefined;
  if (body && typeof body === 'object' && body.duplicate) return 'duplicate';
  if (body && typeof body === 'object' && body.ignored) return 'ignored';
  return 'processed';
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** GET /metrics behind its own token; without one configured, or a wrong one, the path does not exist (404). */
export function metricsRoutes(metrics: Metrics, token: string | undefined): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    const sent = /^Bearer (.+)$/.exec(ctx.get('Authorization'))?.[1];
    if (!token || !sent || !timingSafeEqual(digest(sent), digest(token))) throw new AppError(404, 'ROUTE_NOT_FOUND', `There is no ${ctx.method} ${ctx.path}.`);
    ctx.type = metrics.registry.contentType;
    ctx.body = await metrics.registry.metrics();
  });
  return router;
}

/** The job targets (server/src/jobs JobTargets) with each run counted by job name; the jobs module itself is unchanged. */
export function instrumentJobs<T extends { followUps: { remindDue(): Promise<unknown> }; changes: { flushTimelines(): Promise<unknown> }; sms: { sendDue(): Promise<unknown> }; calls: { reconcile(): Promise<unknown> }; campaignSender: { step(): Promise<unknown> } }>(
  targets: T,
  metrics: Metrics,
): T {
  const sender = targets.campaignSender;
  return {
    ...targets,
    followUps: { remindDue: () => metrics.timeJob('follow_up_reminders', () => targets.followUps.remindDue()) },
    changes: { flushTimelines: () => metrics.timeJob('timeline_flush', () => targets.changes.flushTimelines()) },
    sms: { sendDue: () => metrics.timeJob('scheduled_texts', () => targets.sms.sendDue()) },
    calls: { reconcile: () => metrics.timeJob('call_reconciliation', () => targets.calls.reconcile()) },
    // The sender keeps its other methods (idle, ...): only step is wrapped.
    campaignSender: new Proxy(sender, {
      get: (target, prop) => (prop === 'step' ? () => metrics.timeJob('campaign_sending', () => target.step()) : bound(target, prop)),
    }),
  };
}

function bound(target: object, prop: string | symbol): unknown {
  const value = Reflect.get(target, prop, target);
  return typeof value === 'function' ? value.bind(target) : value;
}
