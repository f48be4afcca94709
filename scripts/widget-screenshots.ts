/**
 * Screenshots of leads-board and lead-card (desktop and phone, light and dark) into artifacts/screenshots/
 * (git-ignored), from the built bundle under a strict CSP with an in-page fake API. `npx tsx scripts/widget-screenshots.ts`
 */
import { chromium, type Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { CHROME_ARGS, startWidgetPage } from '../bench/widget-page/server.js';

const OUT = 'artifacts/screenshots';
mkdirSync(OUT, { recursive: true });
const { url, server } = await startWidgetPage();
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROME_ARGS });
const errors: string[] = [];

async function boardPage(width: number, height: number, theme: 'light' | 'dark'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: theme });
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction('window.__ready === true');
  await page.evaluate(`(() => {
    document.body.style.margin = '0';
    const b = document.createElement('leads-board');
    b.setAttribute('theme', '${theme}');
    b.setAttribute('agent-settings-url', '/settings/agent');
    b.setAttribute('phone-settings-url', '/settings/phone');
    b.api = window.__widget.fakeApi; b.live = window.__widget.fakeLive;
    document.body.append(b);
  })()`);
  await page.locator('lead-card').nth(19).waitFor();
  return page;
}

for (const [name, w, h, theme] of [
  ['board-desktop-light', 1280, 900, 'light'],
  ['board-desktop-dark', 1280, 900, 'dark'],
  ['board-phone-light', 390, 844, 'light'],
  ['board-phone-dark', 390, 844, 'dark'],
] as const) {
  const page = await boardPage(w, h, theme);
  await page.screenshot({ path: `${OUT}/${name}.png` });
  // One card: the first (hot, with the score explanation open) and a call refused with the agent guide.
  const card = page.locator('lead-card').first();
  await card.locator('[part~="score-badge"]').click();
  await card.locator('[part~="call-button"]').click();
  await card.locator('call-error-guide').waitFor();
  await card.screenshot({ path: `${OUT}/${name.replace('board', 'card')}.png` });
  if (name === 'board-desktop-light') {
    await page.locator('lead-card').nth(1).focus();
    await page.keyboard.press('?');
    await page.screenshot({ path: `${OUT}/help-desktop-light.png` });
  }
  await page.close();
}
await browser.close();
server.close();
console.log(`screenshots in ${OUT}/`);
if (errors.length) console.log('page errors:\n' + errors.join('\n'));
