/**
 * Screenshots of the sample CRM's pages against a running demo (`npm start`), into artifacts/screenshots/.
 *   CRM_URL=http://127.0.0.1:3000 npx tsx demo/screenshots.ts
 * Prints every console error, page error and CSP violation it sees: the pages must run clean under their CSP.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ROOT_DIR } from '../server/src/config.js';

const CRM = (process.env.CRM_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
const OUT = join(ROOT_DIR, 'artifacts/screenshots');
const CHROME = process.env.CHROME_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

const problems: string[] = [];

async function open(browser: Browser, name: string, viewport: { width: number; height: number }, role: 'agent' | 'admin' = 'agent'): Promise<Page> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1, colorScheme: 'light', timezoneId: 'America/New_York', locale: 'en-US' });
  await context.addCookies([{ name: 'crm_user', value: role, url: CRM }]);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`[${name}] console.${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`[${name}] pageerror: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`[${name}] request failed: ${r.url()} ${r.failure()?.errorText ?? ''}`));
  return page;
}

async function shot(page: Page, file: string, fullPage = false) {
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: join(OUT, file), fullPage });
  console.log(`  ${file}`);
}

/** Waits until the board rendered cards (its shadow DOM), or gives up after `ms`. */
async function boardReady(page: Page, ms = 15_000) {
  await page
    .waitForFunction(() => (document.querySelector('leads-board')?.shadowRoot?.querySelectorAll('lead-card').length ?? 0) > 0, null, { timeout: ms })
    .catch(() => problems.push(`[${page.url()}] the board showed no lead cards within ${ms} ms`));
  await page.waitForTimeout(400);
}

async function main() {
  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROME, args: ARGS, headless: true });
  try {
    // Leads, desktop
    let page = await open(browser, 'leads', { width: 1440, height: 1000 });
    await page.goto(`${CRM}/`, { waitUntil: 'load' });
    await boardReady(page);
    await shot(page, '01-leads-desktop.png');
    await shot(page, '01b-leads-desktop-full.png', true);

    // Hot filter, then a card opened (lead-open lands in the activity feed)
    const hot = page.locator('leads-board').getByRole('button', { name: /hot/i }).first();
    if (await hot.count()) {
      await hot.click();
      await page.waitForTimeout(800);
      await shot(page, '02-leads-hot-filter.png');
    } else problems.push('[leads] no Hot filter button found by role');
    const firstCard = page.locator('leads-board lead-card').first();
    if (await firstCard.count()) {
      // The name, not the score badge (which opens the "why" breakdown).
      await firstCard.getByRole('heading').first().click().catch(() => firstCard.click({ position: { x: 200, y: 70 } }));
      await page.waitForTimeout(800);
      await shot(page, '03-leads-card-opened.png');
      await page.keyboard.press('Escape');
    }
    // Call Back with no agent configured: the guided error
    const call = page.locator('leads-board').getByRole('button', { name: /call/i }).first();
    if (await call.count()) {
      await call.click();
      await page.waitForTimeout(1200);
      await shot(page, '04-leads-call-error-guide.png');
    } else problems.push('[leads] no Call button found by role');
    // Search by the last 4 digits
    const search = page.locator('leads-board').getByRole('searchbox').first();
    if (await search.count()) {
      await search.fill('0134');
      await page.waitForTimeout(1200);
      await shot(page, '05-leads-search-digits.png');
    }
    await page.context().close();

    // Settings as agent (read-only hint) and as admin (with a validation error from the API)
    page = await open(browser, 'settings-agent', { width: 1280, height: 1000 });
    await page.goto(`${CRM}/settings`, { waitUntil: 'load' });
    await page.waitForTimeout(1200);
    await shot(page, '06-settings-agent.png', true);
    await page.context().close();

    page = await open(browser, 'settings-admin', { width: 1280, height: 1000 }, 'admin');
    await page.goto(`${CRM}/settings#twilio`, { waitUntil: 'load' });
    await page.waitForTimeout(1200);
    await page.fill('#twilio-sid', 'AC123');
    await page.fill('#twilio-token', 'short');
    await page.fill('#twilio-number', '+12125550100');
    await page.click('#twilio-form button[type="submit"]');
    await page.waitForTimeout(1000);
    await shot(page, '07-settings-twilio-error.png');
    await page.goto(`${CRM}/settings#agent`, { waitUntil: 'load' });
    await page.waitForTimeout(1200);
    await shot(page, '08-settings-admin.png', true);
    await page.context().close();

    // Dashboard, patients
    page = await open(browser, 'dashboard', { width: 1440, height: 900 });
    await page.goto(`${CRM}/dashboard`, { waitUntil: 'load' });
    await shot(page, '09-dashboard.png');
    await page.goto(`${CRM}/patients`, { waitUntil: 'load' });
    await shot(page, '10-patients.png');
    await page.goto(`${CRM}/react`, { waitUntil: 'load' });
    await page.waitForTimeout(1500);
    await shot(page, '11-react.png');
    await page.context().close();

    // The whole loop: an admin sets up the agent and the number, then calls a warm lead from the board.
    if (process.env.SCREENSHOT_CALL !== '0') {
      page = await open(browser, 'setup', { width: 1280, height: 1000 }, 'admin');
      await page.goto(`${CRM}/settings#agent`, { waitUntil: 'load' });
      await page.waitForTimeout(800);
      await page.click('#agent-form button[type="submit"]');
      await page.waitForTimeout(1500);
      await page.click('#fill-sandbox');
      await page.click('#twilio-form button[type="submit"]');
      await page.waitForTimeout(2500);
      await shot(page, '14-settings-done.png', true);
      await page.goto(`${CRM}/`, { waitUntil: 'load' });
      await boardReady(page);
      const warm = page.locator('leads-board').getByRole('button', { name: /warm/i }).first();
      await warm.click();
      await page.waitForTimeout(1000);
      const callBack = page.locator('leads-board lead-card').first().getByRole('button', { name: /call/i }).first();
      await callBack.click();
      for (const [i, wait] of [1500, 3000, 4000, 6000].entries()) {
        await page.waitForTimeout(wait);
        await shot(page, `15-call-${i + 1}.png`);
      }
      await page.context().close();
    }

    // Phone-sized
    page = await open(browser, 'mobile', { width: 390, height: 844 });
    await page.goto(`${CRM}/`, { waitUntil: 'load' });
    await boardReady(page);
    await shot(page, '12-leads-mobile.png');
    await shot(page, '12b-leads-mobile-full.png', true);
    await page.click('.nav-toggle');
    await page.waitForTimeout(400);
    await shot(page, '13-mobile-nav.png');
    await page.context().close();
  } finally {
    await browser.close();
  }
  if (problems.length) {
    console.log(`\n${problems.length} problem(s):`);
    for (const p of problems) console.log(`  ${p}`);
  } else {
    console.log('\nNo console errors, page errors or failed requests.');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
