#!/usr/bin/env node
// Prints the raw and gzip size of the script-tag bundle and fails above the 40 KB gzip budget. The budget is for
// live-leads.js, what every page that embeds the board loads. The lazily loaded chunks next to it (live-leads-*.js,
// rarely used dialogs fetched on first use, see README.md "Script tag") are listed with their sizes, and must not import
// anything but live-leads.js and each other (no third file on the page's critical path).
import { readFileSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

const FILE = process.argv[2] ?? 'dist/embed/live-leads.js';
const BUDGET = 40 * 1024;

export function bundleSize(file = FILE) {
  const raw = readFileSync(file);
  return { raw: raw.length, gzip: gzipSync(raw, { level: 9 }).length };
}

/** The lazy chunks next to `file`. */
export function chunks(file = FILE) {
  const dir = dirname(file);
  const stem = basename(file, '.js');
  return readdirSync(dir)
    .filter((f) => f.startsWith(`${stem}-`) && f.endsWith('.js'))
    .map((f) => join(dir, f));
}

const kb = (n) => `${(n / 1024).toFixed(1)} KB`;
if (import.meta.url === `file://${process.argv[1]}`) {
  const { raw, gzip } = bundleSize();
  console.log(`${FILE}: ${kb(raw)} raw, ${kb(gzip)} gzip (budget ${kb(BUDGET)} gzip)`);
  let failed = false;
  // The entry must not statically import a chunk: it is one file to load.
  if (/^import[\s{*]|[;}]import\s*[{*"']/.test(readFileSync(FILE, 'utf8').slice(0, 2000))) {
    console.error(`${FILE} statically imports another file: it must be self-contained (only import() of lazy chunks).`);
    failed = true;
  }
  for (const c of chunks()) {
    const s = bundleSize(c);
    console.log(`  lazy chunk ${basename(c)}: ${kb(s.raw)} raw, ${kb(s.gzip)} gzip`);
  }
  if (gzip > BUDGET) {
    console.error(`Over budget by ${kb(gzip - BUDGET)}.`);
    failed = true;
  }
  if (failed) process.exit(1);
}
