/**
 * `npm run bench`: runs every bench/*.bench.ts (or those named on the command line, e.g. `npm run bench -- api engine`)
 * one after the other and prints their tables. Benchmarks print figures; they never fail on a threshold.
 * Options after the names go to the benches: `npm run bench -- engine --1m` adds the 1M-lead engine run.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cpus, totalmem } from 'node:os';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;

const here = dirname(fileURLToPath(import.meta.url));
// names select benches; options (`--1m`) are left for the benches to read from process.argv
const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.includes(f.replace('.bench.ts', '')))
  .sort();

console.log(`# Live Leads benchmarks (${new Date().toISOString()})`);
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'cpu'}), ${Math.round(totalmem() / 2 ** 30)} GiB`);
const report: Report = (section, rows) => {
  console.log(`\n## ${section}`);
  console.table(rows);
};
for (const file of files) {
  const started = performance.now();
  console.log(`\n# ${file}`);
  const mod = (await import(pathToFileURL(join(here, file)).href)) as { default: (r: Report) => Promise<void> };
  await mod.default(report);
  console.log(`(${file}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exit(0);
