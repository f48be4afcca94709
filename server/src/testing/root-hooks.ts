import { recordedShapeCount, uncoveredShapes } from './query-shapes.js';
import { contractMismatches, recordedResponseCount } from './contract.js';

/**
 * Mocha root hooks: after the whole server suite, every query shape the product sent must be served by an index
 * declared in server/src/db/indexes.ts. Fails the run (a failed hook) otherwise.
 */
export const mochaHooks = {
  afterAll(this: Mocha.Context) {
    const missing = uncoveredShapes();
    if (missing.length) {
      throw new Error(
        `Queries without a serving index (declare one in server/src/db/indexes.ts):\n${missing
          .map((s) => `  ${s.collection}: eq=[${s.equality}] sort=[${s.sort}] range=[${s.range}]  e.g. ${s.example}`)
          .join('\n')}`,
      );
    }
    if (process.env.LL_SHOW_SHAPES) console.log(`query shapes checked: ${recordedShapeCount()}`);
    // Every reply received through server.request() must fit the OpenAPI document (server/src/testing/contract.ts).
    const mismatches = contractMismatches();
    if (mismatches.length) {
      throw new Error(`Replies that do not match GET /v1/openapi.json (fix server/src/http/api-routes.ts or the reply):\n${mismatches.map((m) => `  ${m}`).join('\n')}`);
    }
    if (process.env.LL_SHOW_SHAPES) console.log(`replies checked against the OpenAPI document: ${recordedResponseCount()}`);
  },
};
