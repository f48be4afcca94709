import assert from 'node:assert/strict';
import { buildOpenApiDocument } from '../../server/src/http/openapi.js';
import { apiReferencePage } from './api-reference.js';

describe('demo API reference page (/api-reference)', () => {
  it('when rendered then every operation of the document is on it, grouped by tag, with its error codes, and no script', () => {
    const doc = buildOpenApiDocument() as { paths: Record<string, Record<string, { operationId: string; tags: string[] }>> };
    const html = apiReferencePage('http://api.test');
    let operations = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        operations++;
        assert.ok(html.includes(`id="${op.operationId}"`), `${method} ${path} has its entry`);
        const section = html.indexOf(`id="tag-${op.tags[0]}"`);
        assert.ok(section >= 0 && section < html.indexOf(`id="${op.operationId}"`), `${method} ${path} under its tag`);
      }
    }
    assert.ok(operations > 60);
    assert.match(html, /CALLER_PHONE_MISSING/);
    assert.match(html, /presence:set/);
    assert.match(html, /href="http:\/\/api\.test\/v1\/openapi\.json"/);
    assert.doesNotMatch(html, /<script/i);
  });
});
