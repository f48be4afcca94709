/**
 * Widget bench: the script-tag bundle's size, and the board's first render of 20 cards next to a plain DOM render
 * of the same cards (headless Chromium via playwright-core, medians of repeated runs). Runnable alone:
 * `npx tsx bench/widget.bench.ts`.
 */
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { BUNDLE, CHROME_ARGS, startWidgetPage } from './widget-page/server.js';

type Report = (section: string, rows: Array<Record<string, string | number>>) => void;
const RUNS = 25;

export default async function bench(report: Report): Promise<void> {
  const { url, server } = await startWidgetPage();
  const raw = readFileSync(BUNDLE);
  report('widget bundle (dist/embed/live-leads.js, everything inside)', [
    { file: 'live-leads.js', rawKB: +(raw.length / 1024).toFixed(1), gzipKB: +(gzipSync(raw, { level: 9 }).length / 1024).toFixed(1), budgetGzipKB: 40 },
  ]);
  const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROME_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __ready?: boolean }).__ready === true);
    // The timed code lives in the page (harness.js): tsx would inject helpers into a function passed to evaluate.
    const result = (await page.evaluate(`window.__bench(${RUNS})`)) as { board: number; plain: number };
    report(`first render of 20 cards (median of ${RUNS}, headless Chromium)`, [
      { render: 'leads-board (Lit, shadow DOM, styles)', ms: +result.board.toFixed(2) },
      { render: 'plain DOM (createElement, no styles)', ms: +result.plain.toFixed(2) },
      { render: 'ratio', ms: +(result.board / result.plain).toFixed(1) },
    ]);
  } finally {
    await browser.close();
    server.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await bench((section, rows) => {
    console.log(`\n## ${section}`);
    console.table(rows);
  });
}
