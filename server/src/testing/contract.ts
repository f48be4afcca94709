/**
 * The API contract check: every response the server suite receives through `server.request()` (./harness.ts) is recorded
 * and, after all tests (./root-hooks.ts), validated with ajv against the OpenAPI document's reply for its route and status.
 * A route is found by matching the request path against the document's path templates (fewest parameters first, so
 * `/v1/leads/assign` wins over `/v1/leads/{id}`).
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { buildOpenApiDocument } from '../http/openapi.js';

export interface RecordedResponse {
  method: string;
  path: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

const recorded: RecordedResponse[] = [];

export function recordResponse(r: RecordedResponse): void {
  recorded.push(r);
}

export function recordedResponseCount(): number {
  return recorded.length;
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema: object }> }>;
}

// ajv-formats is CommonJS with a default export.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

export function contractChecker(doc: Record<string, unknown> = buildOpenApiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const templates = Object.keys(paths)
    .map((template) => ({
      template,
      params: (template.match(/\{/g) ?? []).length,
      regex: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
    }))
    .sort((a, b) => a.params - b.params);
  const compiled = new Map<string, ValidateFunction>();

  /** Null when the response fits the document; else what is wrong. Undefined when it is not the document's business. */
  return function check(r: RecordedResponse): string | null | undefined {
    const path = r.path.split('?')[0]!;
    const method = r.method.toLowerCase();
    // Unknown routes and methods are answered by the routers' fallbacks (ROUTE_NOT_FOUND, 405, 501), CORS preflights by CORS.
    if (method === 'options' || method === 'head' || [405, 501].includes(r.status)) return undefined;
    const match = templates.find((t) => t.regex.test(path) && paths[t.template]![method]);
    if (!match) {
      if (r.status === 404 && (r.body as { error?: { code?: string } })?.error?.code === 'ROUTE_NOT_FOUND') return undefined;
      return `${r.method} ${path} -> ${r.status}: no such route in the document`;
    }
    const op = paths[match.template]![method]!;
    const response = op.responses[String(r.status)];
    if (!response) return `${r.method} ${match.template} -> ${r.status}: status not described (body ${JSON.stringify(r.body)?.slice(0, 200)})`;
    const json = response.content?.['application/json'];
    if (!json) return r.contentType?.includes('json') && r.body !== undefined ? `${r.method} ${match.template} -> ${r.status}: JSON body where none is described` : null;
    const key = `${method} ${match.template} ${r.status}`;
    let validate = compiled.get(key);
    if (!validate) compiled.set(key, (validate = ajv.compile(json.schema)));
    if (validate(r.body)) return null;
    const errors = (validate.errors ?? []).slice(0, 4).map((e) => `${e.instancePath || '(root)'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
    const code = (r.body as { error?: { code?: unknown } } | undefined)?.error?.code;
    return `${r.method} ${match.template} -> ${r.status}${typeof code === 'string' ? ` ${code}` : ''}: ${errors.join('; ')}`;
  };
}

/** The mismatches of everything recorded so far, one line each (deduplicated by route, status and message). */
export function contractMismatches(): string[] {
  const check = contractChecker();
  const out = new Set<string>();
  for (const r of recorded) {
    const problem = check(r);
    if (problem) out.add(problem);
  }
  return [...out];
}
