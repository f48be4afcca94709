#!/usr/bin/env node
// `npm test`: every suite of the project, one after the other, then one closing line for the whole run:
// "N passed, N failed". Exits non-zero when any suite fails or runs no test.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const suites = [
  { name: 'server', cmd: 'npx', args: ['mocha'], kind: 'mocha' },
  { name: 'widget', cmd: 'npx', args: ['web-test-runner'], kind: 'wtr' },
  { name: 'e2e', cmd: 'npx', args: ['mocha', '--config', '.mocharc.e2e.cjs'], kind: 'mocha' },
];
const only = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'll-test-'));
let passed = 0;
let failed = 0;
let skipped = 0;
let broken = [];

for (const suite of suites) {
  if (only.length && !only.includes(suite.name)) continue;
  const statsFile = join(dir, `${suite.name}.json`);
  console.log(`\n=== ${suite.name} tests ===`);
  const { code, output } = await run(suite.cmd, suite.args, { ...process.env, LL_STATS_FILE: statsFile });
  let stats;
  if (suite.kind === 'mocha' && existsSync(statsFile)) {
    stats = JSON.parse(readFileSync(statsFile, 'utf8'));
  } else if (suite.kind === 'wtr') {
    // web-test-runner closes with e.g. "Chromium: ... 42 passed, 0 failed" per browser; take the last one.
    const clean = output.replace(/\x1b\[[0-9;]*m/g, '');
    const matches = [...clean.matchAll(/(\d+) passed, (\d+) failed(?:, (\d+) skipped)?/g)];
    const last = matches.at(-1);
    if (last) stats = { passed: Number(last[1]), failed: Number(last[2]), skipped: Number(last[3] ?? 0) };
  }
  if (!stats) {
    broken.push(`${suite.name} (exit ${code}, no test results)`);
    continue;
  }
  passed += stats.passed;
  failed += stats.failed;
  skipped += stats.skipped;
  if (code !== 0 && stats.failed === 0) broken.push(`${suite.name} (exit ${code})`);
  if (stats.passed + stats.failed === 0) broken.push(`${suite.name} (ran no test)`);
}

if (broken.length) console.log(`\nSuites that did not finish cleanly: ${broken.join('; ')}`);
console.log('');
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed > 0 || broken.length > 0 ? 1 : 0);

function run(cmd, args, env) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; process.stdout.write(d); });
    child.stderr.on('data', (d) => { output += d; process.stderr.write(d); });
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}
