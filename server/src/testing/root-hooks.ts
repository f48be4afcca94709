import { recordedShapeCount, uncoveredShapes } from './query-shapes.js';

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
  },
};
