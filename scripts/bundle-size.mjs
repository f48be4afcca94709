#!/usr/bin/env node
// Prints the raw and gzip size of the script-tag bundle (everything in it) and fails above the 40 KB gzip budget.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const FILE = process.argv[2] ?? 'dist/embed/live-leads.js';
const BUDGET = 40 * 1024;

export function bundleSize(file = FILE) {
  const raw = readFileSync(file);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (import.meta.url === `file://${process.argv[1]}`) {
  const { raw, gzip } = bundleSize();
  console.log(`${FILE}: ${kb(raw)} raw, ${kb(gzip)} gzip (budget ${kb(BUDGET)} gzip)`);
  if (gzip > BUDGET) {
    console.error(`Over budget by ${kb(gzip - BUDGET)}.`);
    process.exit(1);
  }
}
