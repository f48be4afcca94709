/**
 * The OpenAPI 3.1 document of the API, generated from the zod schemas that validate requests and describe replies
 * (./api-routes.ts) with zod 4's own JSON Schema output (draft 2020-12, the dialect of OpenAPI 3.1). Built once per
 * process and served at GET /v1/openapi.json. Socket events are described in the `x-socket-events` extension.
 */
import { createHash } from 'node:crypto';
import Router from '@koa/router';
import { z } from 'zod';
import { callSchema, followUpSchema, leadSchema, scoreBreakdownSchema, smsLogSchema } from '../../../core/contracts.js';
import { presenceClearPayload, presenceSetPayload, PRESENCE_HEARTBEAT_MS, PRESENCE_TTL_MS } from '../../../core/team.js';
import { ROUTES, type Auth, type RouteSpec } from './api-routes.js';
import { campaignSchema } from './reply-schemas.js';

type Json = Record<string, unknown>;

const toJson = (schema: z.ZodType, io: 'input' | 'output'): Json => {
  const { $schema: _drop, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Json;
  return json;
};

/** `/v1/leads/:id` -> `/v1/leads/{id}`. */
export const openApiPath = (koaPath: string) => koaPath.replace(/:(\w+)/g, '{$1}');

const errorBody = (codes: string[]): Json => ({
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...new Set(codes)].sort() },
        message: { type: 'string', description: 'What a person can act on (English; the widget translates by code).' },
        details: { description: 'Structured detail, e.g. VALIDATION_FAILED lists `fields: [{ path, message }]`.' },
        requestId: { type: 'string', description: 'Quote it to support.' },
      },
    },
  },
});

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No content', 304: 'Not modified', 400: 'Bad request', 401: 'Not authenticated', 403: 'Forbidden', 404: 'Not found',
  409: 'Conflict', 413: 'Payload too large', 415: 'Unsupported media type', 422: 'Cannot be done as asked', 429: 'Too many requests', 500: 'Server error',
  502: 'Provider failed', 503: 'Unavailable, retry later',
};

/** Error replies every route of a kind can give, beside its own (./api-routes.ts). */
function commonErrors(route: RouteSpec): Record<number, string[]> {
  const e: Record<number, string[]> = { 500: ['INTERNAL_ERROR'], 503: ['DATABASE_UNAVAILABLE'] };
  const add = (status: number, ...codes: string[]) => (e[status] = [...(e[status] ?? []), ...codes]);
  if (route.params || route.query || route.body || route.headers) add(400, 'VALIDATION_FAILED');
  if (route.body) {
    add(400, 'MALFORMED_JSON');
    add(413, 'PAYLOAD_TOO_LARGE');
    add(415, 'UNSUPPORTED_MEDIA_TYPE');
  }
  if (route.auth !== 'public' && route.auth !== 'metrics') add(401, route.auth === 'vapi' || route.auth === 'twilio' ? 'WEBHOOK_UNAUTHENTICATED' : 'UNAUTHENTICATED');
  if (route.auth === 'token' || route.auth === 'admin' || route.auth === 'secretKey') {
    add(401, 'TOKEN_EXPIRED');
    add(403, 'ORIGIN_NOT_ALLOWED', 'SECRET_KEY_IN_BROWSER');
    add(429, 'RATE_LIMITED');
  }
  if (route.auth === 'admin') add(403, 'FORBIDDEN');
  if (route.auth === 'secretKey' && route.path !== '/v1/embed-tokens') add(403, 'SECRET_KEY_REQUIRED');
  if (route.path === '/v1/embed-tokens') add(429, 'RATE_LIMITED');
  return e;
}

const SECURITY: Record<Auth, Json[]> = {
  public: [],
  token: [{ embedToken: [] }, { secretKey: [] }],
  admin: [{ embedToken: [] }, { secretKey: [] }],
  secretKey: [{ secretKey: [] }],
  vapi: [{ vapiSecret: [] }],
  twilio: [{ twilioSignature: [] }],
  metrics: [{ metricsToken: [] }],
};

function parameters(route: RouteSpec): Json[] {
  const out: Json[] = [];
  const from = (schema: z.ZodObject | undefined, where: 'path' | 'query') => {
    if (!schema) return;
    const json = toJson(schema, 'input') as { properties?: Record<string, Json>; required?: string[] };
    for (const [name, prop] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: prop });
    }
  };
  from(route.params, 'path');
  from(route.query, 'query');
  for (const [name, h] of Object.entries(route.headers ?? {})) out.push({ name, in: 'header', required: h.required, description: h.description, schema: toJson(h.schema, 'input') });
  return out;
}

function operation(route: RouteSpec): Json {
  const responses: Json = {};
  for (const [status, reply] of Object.entries(route.replies)) {
    if (reply === null) responses[status] = { description: STATUS_TEXT[+status] ?? 'Reply' };
    else if ('media' in reply && typeof reply.media === 'string') {
      responses[status] = { description: reply.description, content: { [reply.media]: { schema: { type: 'string' } } } };
    } else responses[status] = { description: STATUS_TEXT[+status] ?? 'Reply', content: { 'application/json': { schema: toJson(reply as z.ZodType, 'output') } } };
  }
  const errors = commonErrors(route);
  for (const [status, codes] of Object.entries(route.errors ?? {})) errors[+status] = [...(errors[+status] ?? []), ...codes];
  for (const [status, codes] of Object.entries(errors).sort(([a], [b]) => +a - +b)) {
    responses[status] = {
      description: `${STATUS_TEXT[+status] ?? 'Error'}: ${[...new Set(codes)].join(', ')}`,
      content: { 'application/json': { schema: errorBody(codes) } },
    };
  }
  const op: Json = {
    operationId: `${route.method}${route.path.replace(/\.csv$/, 'Csv').replace(/:(\w+)/g, 'By_$1').split(/[^A-Za-z0-9_]+/).map((s) => s && s[0]!.toUpperCase() + s.slice(1)).join('')}`,
    tags: [route.tag],
    summary: route.summary,
    security: SECURITY[route.auth],
    responses,
  };
  if (route.auth === 'admin') op.description = 'Admins only (an admin embed token, or the secret key).';
  const params = parameters(route);
  if (params.length) op.parameters = params;
  if (route.body) {
    op.requestBody = {
      required: route.method !== 'post' || !['/v1/queue/next', '/v1/leads/:id/calls', '/v1/campaigns/:id/start'].includes(route.path),
      content: { [route.form ? 'application/x-www-form-urlencoded' : 'application/json']: { schema: toJson(route.body, 'input') } },
    };
  }
  return op;
}

const presenceUser = z.object({ id: z.string(), name: z.string(), activity: z.enum(['viewing', 'calling']), since: z.string() });
const presenceUpdate = z.object({ leadId: z.string(), users: z.array(presenceUser) });
const ack = z.union([z.object({ ok: z.literal(true) }), z.object({ ok: z.literal(false), error: z.object({ code: z.string(), message: z.string() }) })]);

/** Socket.io events (core/contracts.ts ServerToClientEvents / ClientToServerEvents), with their payloads. */
function socketEvents(): Json {
  const ev = (description: string, payload: z.ZodType) => ({ description, payload: toJson(payload, 'output') });
  return {
    description:
      'Socket.io on the API origin, authenticated with the embed token in the handshake (`auth: { token }`); each socket joins its clinic\'s room only. ' +
      'After a reconnect the board refetches its page.',
    serverToClient: {
      'lead:updated': ev('A lead changed.', z.object({ lead: leadSchema })),
      'lead:scored': ev('A lead was (re)scored.', z.object({ leadId: z.string(), score: z.number(), previousScore: z.number(), breakdown: scoreBreakdownSchema })),
      'lead:hot': ev('A lead crossed into Hot.', z.object({ lead: leadSchema })),
      'lead:deleted': ev('An admin deleted the lead.', z.object({ leadId: z.string() })),
      'call:updated': ev('A call changed status or ended.', z.object({ call: callSchema })),
      'sms:updated': ev('A text changed status, or one was received.', z.object({ sms: smsLogSchema })),
      'follow-up:due': ev('A follow-up reached its due time (once, to the owner or the clinic).', z.object({ followUp: followUpSchema, lead: leadSchema })),
      'session:expired': ev('The token expired; the socket closes next.', z.object({ code: z.literal('TOKEN_EXPIRED'), message: z.string() })),
      'campaign:updated': ev("A campaign's status or counts changed.", z.object({ campaign: campaignSchema })),
      'presence:updated': ev('Who is viewing or calling a lead now (`users: []` when nobody).', presenceUpdate),
      'presence:snapshot': ev('Sent once on connect: every lead someone is on.', z.object({ entries: z.array(presenceUpdate) })),
    },
    clientToServer: {
      'presence:set': {
        ...ev(`I am viewing or calling this lead; re-sent every ${PRESENCE_HEARTBEAT_MS / 1000} s, an entry lives ${PRESENCE_TTL_MS / 1000} s without one.`, presenceSetPayload),
        ack: toJson(ack, 'output'),
      },
      'presence:clear': { ...ev('I left this lead.', presenceClearPayload), ack: toJson(ack, 'output') },
    },
  };
}

export function buildOpenApiDocument(routes: RouteSpec[] = ROUTES): Json {
  const paths: Record<string, Json> = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Live Leads API',
      version: '1.0.0',
      description:
        'The embeddable real-time lead board\'s API. JSON over HTTPS; every error is `{ "error": { "code", "message", "details?", "requestId" } }` with a stable code. ' +
        'The browser widget uses a short-lived embed token minted by the host CRM\'s backend with the clinic\'s secret key (POST /v1/embed-tokens); ' +
        'server-to-server calls may use the secret key itself. Webhooks from Vapi and Twilio are authenticated the providers\' way. ' +
        'Realtime events: see `x-socket-events`.',
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        embedToken: { type: 'http', scheme: 'bearer', bearerFormat: 'embed token', description: 'From POST /v1/embed-tokens; for the widget in the browser.' },
        secretKey: { type: 'http', scheme: 'bearer', bearerFormat: 'sk_live_...', description: "The clinic's secret key: the host's backend only, never a browser." },
        vapiSecret: { type: 'apiKey', in: 'header', name: 'x-vapi-secret', description: "The clinic's webhook secret, set on the Vapi assistant." },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN of the instance (operators only).' },
        twilioSignature: { type: 'apiKey', in: 'header', name: 'X-Twilio-Signature', description: "Twilio's HMAC-SHA1 of the URL and form parameters with the account's auth token." },
      },
    },
    'x-socket-events': socketEvents(),
  };
}

let cached: { body: string; etag: string } | null = null;

/** GET /v1/openapi.json: public and cacheable (it changes only with a deploy; If-None-Match gets a 304). */
export function openApiRoutes(): Router {
  const router = new Router();
  router.get('/v1/openapi.json', (ctx) => {
    if (!cached) {
      const body = JSON.stringify(buildOpenApiDocument());
      cached = { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` };
    }
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('ETag', cached.etag);
    if (ctx.get('If-None-Match') === cached.etag) {
      ctx.status = 304;
      return;
    }
    ctx.type = 'application/json';
    ctx.body = cached.body;
  });
  return router;
}
