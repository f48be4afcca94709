#!/usr/bin/env node
// After `tsc -p tsconfig.widget.json` (declarations under dist/lib/types, mirroring the repo so the widget's
// imports of core/ resolve), point the exports map's dist/lib/{index,define}.d.ts at them.
import { writeFileSync } from 'node:fs';
for (const name of ['index', 'define']) {
  writeFileSync(`dist/lib/${name}.d.ts`, `export * from './types/widget/src/${name}.js';\n`);
}
console.log('dist/lib/index.d.ts, dist/lib/define.d.ts -> dist/lib/types');
