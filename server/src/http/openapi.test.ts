import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { startTestServer, type TestServer } from '../testing/harness.js';
import { buildOpenApiDocument, openApiPath } from './openapi.js';
import { contractChecker } from '../testing/contract.js';

const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

/** Every (method, path) the app's routers answer, read from their stacks (HEAD is implied by GET). */
function routerRoutes(server: TestServer): Set<string> {
  const out = new Set<string>();
  for (const router of server.context.routers) {
    for (const layer of router.stack) {
      for (const method of layer.methods) {
        if (method === 'HEAD') continue;
        out.add(`${method.toLowerCase()} ${openApiPath(String(layer.path))}`);
      }
    }
  }
  return out;
}

/**
 * The essential structure of an OpenAPI 3.1 document (spec sections 4.8.1-4.8.30), written out here: required fields,
 * the version, path keys, operations, parameters, responses keyed by status, media types, security schemes. The schemas
 * inside are checked separately: each must compile as JSON Schema 2020-12, the dialect OpenAPI 3.1 uses.
 */
const openApi31Structure = {
  type: 'object',
  required: ['openapi', 'info'],
  anyOf: [{ required: ['paths'] }, { required: ['components'] }, { required: ['webhooks'] }],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.1\\.\\d+(-.+)?$' },
    info: {
      type: 'object',
      required: ['title', 'version'],
      properties: { title: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' } },
    },
    servers: { type: 'array', items: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } } },
    tags: { type: 'array', items: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'summary', 'description', 'servers', 'parameters', '$ref'] },
        additionalProperties: { $ref: '#/$defs/operation' },
      },
    },
    components: {
      type: 'object',
      properties: {
        securitySchemes: {
          type: 'object',
          additionalProperties: {
            type: 'object',
            required: ['type'],
            properties: { type: { enum: ['apiKey', 'http', 'mutualTLS', 'oauth2', 'openIdConnect'] } },
            allOf: [
              { if: { properties: { type: { const: 'http' } } }, then: { required: ['scheme'] } },
              { if: { properties: { type: { const: 'apiKey' } } }, then: { required: ['name', 'in'], properties: { in: { enum: ['query', 'header', 'cookie'] } } } },
            ],
          },
        },
      },
    },
  },
  patternProperties: { '^x-': true },
  additionalProperties: false,
  $defs: {
    operation: {
      type: 'object',
      required: ['responses'],
      properties: {
        operationId: { type: 'string' },
        tags: { type: 'array', items: { type: 'string' } },
        parameters: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'in'],
            properties: { name: { type: 'string' }, in: { enum: ['query', 'header', 'path', 'cookie'] }, required: { type: 'boolean' }, schema: { type: ['object', 'boolean'] } },
            if: { properties: { in: { const: 'path' } } },
            then: { required: ['required'], properties: { required: { const: true } } },
          },
        },
        requestBody: { type: 'object', required: ['content'], properties: { content: { $ref: '#/$defs/content' }, required: { type: 'boolean' } } },
        responses: {
          type: 'object',
          minProperties: 1,
          propertyNames: { pattern: '^([1-5](\\d{2}|XX)|default)$' },
          additionalProperties: { type: 'object', required: ['description'], properties: { description: { type: 'string' }, content: { $ref: '#/$defs/content' } } },
        },
        security: { type: 'array', items: { type: 'object', additionalProperties: { type: 'array', items: { type: 'string' } } } },
      },
    },
    content: {
      type: 'object',
      propertyNames: { pattern: '^[a-z]+/[a-z0-9.+-]+$' },
      additionalProperties: { type: 'object', properties: { schema: { type: ['object', 'boolean'] } } },
    },
  },
};

describe('OpenAPI document (GET /v1/openapi.json)', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(async () => server.close());

  it('when fetched without a token then it is served, cacheable, as OpenAPI 3.1', async () => {
    const res = await server.request('GET', '/v1/openapi.json');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.match(res.headers.get('cache-control') ?? '', /public, max-age=\d+/);
    assert.equal(res.body.openapi, '3.1.0');
    assert.deepEqual(res.body, JSON.parse(JSON.stringify(buildOpenApiDocument())));
    const again = await server.request('GET', '/v1/openapi.json', { headers: { 'if-none-match': res.headers.get('etag')! } });
    assert.equal(again.status, 304);
    assert.equal(again.text, '');
  });

  it('then every route of the routers is in the document, and the document has no route the app lacks', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, unknown>> };
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    const registered = routerRoutes(server);
    assert.ok(registered.size > 40, `the routers expose their stacks (${registered.size})`);
    const undocumented = [...registered].filter((r) => !documented.has(r)).sort();
    const phantom = [...documented].filter((r) => !registered.has(r)).sort();
    assert.deepEqual(undocumented, [], 'routes missing from server/src/http/api-routes.ts');
    assert.deepEqual(phantom, [], 'documented routes the app does not have');
  });

  it('then it has the structure of an OpenAPI 3.1 document and every schema in it is valid JSON Schema 2020-12', () => {
    const doc = buildOpenApiDocument();
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const structure = ajv.compile(openApi31Structure);
    assert.equal(structure(doc), true, JSON.stringify(structure.errors?.slice(0, 5)));
    // The check itself can fail: a document without info or with a bad status key is refused.
    assert.equal(structure({ openapi: '3.1.0', paths: {} }), false);
    assert.equal(structure({ openapi: '3.1.0', info: { title: 't', version: '1' }, paths: { '/x': { get: { responses: { 2000: { description: 'x' } } } } } }), false);

    let schemas = 0;
    const visit = (node: unknown, key?: string) => {
      if (!node || typeof node !== 'object') return;
      if (key === 'schema' || key === 'payload' || key === 'ack') {
        ajv.compile(node as object);
        schemas++;
        return;
      }
      for (const [k, v] of Object.entries(node)) visit(v, k);
    };
    visit(doc);
    assert.ok(schemas > 200, `${schemas} schemas`);
  });

  it('then every operation names its errors with their codes, in the error shape', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: { properties?: { error?: { properties: { code: { enum: string[] } } } } } }> }> }>> };
    const call = doc.paths['/v1/leads/{id}/calls']!.post!.responses;
    const codes = call['422']!.content!['application/json']!.schema.properties!.error!.properties.code.enum;
    for (const code of ['OUTBOUND_AGENT_NOT_CONFIGURED', 'NO_PHONE_NUMBER', 'INVALID_PHONE_FORMAT', 'CALLER_PHONE_MISSING']) assert.ok(codes.includes(code), code);
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        const errors = Object.keys(op.responses).filter((s) => +s >= 400);
        assert.ok(errors.includes('500'), `${method} ${path}`);
      }
    }
  });

  it('then the socket events of both directions are described', () => {
    const events = buildOpenApiDocument()['x-socket-events'] as { serverToClient: Record<string, unknown>; clientToServer: Record<string, unknown> };
    for (const e of ['lead:updated', 'lead:scored', 'call:updated', 'sms:updated', 'campaign:updated', 'presence:updated', 'presence:snapshot']) assert.ok(e in events.serverToClient, e);
    assert.deepEqual(Object.keys(events.clientToServer).sort(), ['presence:clear', 'presence:set']);
  });

  it('and a reply that breaks the contract is reported (the after-all check can fail)', () => {
    const check = contractChecker();
    assert.equal(check({ method: 'GET', path: '/healthz', status: 200, contentType: 'application/json', body: { status: 'ok' } }), null);
    assert.match(check({ method: 'GET', path: '/healthz', status: 200, contentType: 'application/json', body: { status: 42 } }) ?? '', /healthz -> 200/);
    assert.match(check({ method: 'GET', path: '/v1/leads/0123456789abcdef01234567', status: 404, contentType: 'application/json', body: { error: { code: 'NOPE', message: 'x' } } }) ?? '', /code/);
    assert.match(check({ method: 'GET', path: '/v1/leads', status: 418, contentType: 'application/json', body: {} }) ?? '', /status not described/);
    assert.equal(check({ method: 'POST', path: '/v1/leads/assign', status: 200, contentType: 'application/json', body: { assigned: 1, leadIds: [], unchanged: 0 } }), null);
  });
});
