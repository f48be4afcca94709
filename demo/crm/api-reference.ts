/**
 * The API reference page of the demo (/api-reference): the OpenAPI document (server/src/http/openapi.ts), rendered at
 * request time as static HTML grouped by tag. No script (the CRM's CSP allows none inline); schemas open in <details>.
 */
import { buildOpenApiDocument } from '../../server/src/http/openapi.js';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; required: boolean; description?: string; schema: Json }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}

const esc = (s: unknown) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const schemaBlock = (label: string, schema: Json) => `<details><summary>${esc(label)}</summary><pre>${esc(JSON.stringify(schema, null, 2))}</pre></details>`;

function typeOf(schema: Json): string {
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(String).join(' | ');
  if (schema.anyOf) return (schema.anyOf as Json[]).map(typeOf).join(' | ');
  return String(schema.type ?? 'any');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const auth = op.security.length ? op.security.map((s) => Object.keys(s).join(' + ')).join(' or ') : 'public';
  const params = (op.parameters ?? [])
    .map((p) => `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? 'required' : ''}</td><td>${esc(typeOf(p.schema))}</td></tr>`)
    .join('');
  const body = op.requestBody ? Object.entries(op.requestBody.content).map(([media, c]) => schemaBlock(`Request body (${media})`, c.schema)).join('') : '';
  const replies = Object.entries(op.responses)
    .map(([status, r]) => {
      const json = r.content?.['application/json']?.schema;
      const detail = json && Number(status) < 400 ? schemaBlock('Schema', json) : '';
      return `<li><span class="status s${esc(status[0])}">${esc(status)}</span> ${esc(r.description)}${detail}</li>`;
    })
    .join('');
  return `<article class="op" id="${esc(op.operationId)}">
  <h3><span class="method ${esc(method)}">${esc(method.toUpperCase())}</span> <code>${esc(path)}</code></h3>
  <p>${esc(op.summary)}${op.description ? ` ${esc(op.description)}` : ''} <span class="auth">Auth: ${esc(auth)}</span></p>
  ${params ? `<table><thead><tr><th>Parameter</th><th>In</th><th></th><th>Type</th></tr></thead><tbody>${params}</tbody></table>` : ''}
  ${body}
  <ul class="replies">${replies}</ul>
</article>`;
}

export function apiReferencePage(apiUrl: string, doc: Json = buildOpenApiDocument()): string {
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const byTag = new Map<string, string[]>();
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const tag = op.tags[0] ?? 'Other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operationHtml(method, path, op)]);
    }
  }
  const info = doc.info as { title: string; version: string; description: string };
  const events = doc['x-socket-events'] as { description: string; serverToClient: Record<string, { description: string; payload: Json }>; clientToServer: Record<string, { description: string; payload: Json }> };
  const eventList = (list: Record<string, { description: string; payload: Json }>) =>
    Object.entries(list)
      .map(([name, e]) => `<li><code>${esc(name)}</code> ${esc(e.description)}${schemaBlock('Payload', e.payload)}</li>`)
      .join('');
  const tags = [...byTag.keys()];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(info.title)} reference</title>
<link rel="stylesheet" href="/assets/api-reference.css">
</head>
<body>
<header><h1>${esc(info.title)} <small>${esc(info.version)}</small></h1>
<p>${esc(info.description)}</p>
<p>Machine-readable contract: <a href="${esc(apiUrl)}/v1/openapi.json"><code>GET /v1/openapi.json</code></a> (OpenAPI 3.1).</p>
<nav aria-label="Sections"><ul>${tags.map((t) => `<li><a href="#tag-${esc(t)}">${esc(t)}</a></li>`).join('')}<li><a href="#socket-events">Socket events</a></li></ul></nav>
</header>
<main>
${tags.map((t) => `<section id="tag-${esc(t)}" aria-labelledby="h-${esc(t)}"><h2 id="h-${esc(t)}">${esc(t)}</h2>${byTag.get(t)!.join('\n')}</section>`).join('\n')}
<section id="socket-events" aria-labelledby="h-socket"><h2 id="h-socket">Socket events</h2><p>${esc(events.description)}</p>
<h3>Server to client</h3><ul class="events">${eventList(events.serverToClient)}</ul>
<h3>Client to server</h3><ul class="events">${eventList(events.clientToServer)}</ul></section>
</main>
</body>
</html>`;
}
