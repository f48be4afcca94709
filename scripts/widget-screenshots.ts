/**
 * Screenshots of leads-board (view tabs, sort, the appointment filter), lead-card (appointment, follow-ups, lost reason,
 * the last call's outcome, the call guide), lead-detail (open follow-ups, the call outcome) and the small dialogs (Lost
 * reason, follow-up, contact edit), desktop and phone, light and dark, into artifacts/screenshots/ (git-ignored), from the built bundle under a strict CSP with an in-page fake API.
 * `npx tsx scripts/widget-screenshots.ts` (after `vite build --mode embed`).
 *
 * Served here rather than by bench/widget-page/server.ts: the page needs the lazily loaded chunks next to
 * live-leads.js (live-leads-*.js) too.
 */
import { chromium, type Page } from 'playwright-core';
import { createServer } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHROME_ARGS, CSP, ensureBundle } from '../bench/widget-page/server.js';

const OUT = 'artifacts/screenshots';
mkdirSync(OUT, { recursive: true });
ensureBundle();
const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Live Leads widget</title>
<script type="module" src="/harness.js"></script></head><body></body></html>`;
const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  res.setHeader('Content-Security-Policy', CSP);
  const file = path === '/harness.js' ? 'bench/widget-page/harness.js' : /^\/live-leads[\w.-]*\.js$/.test(path) ? join('dist/embed', path.slice(1)) : null;
  if (file && existsSync(file)) res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(readFileSync(file));
  else if (path === '/') res.writeHead(200, { 'Content-Type': 'text/html' }).end(page);
  else res.writeHead(404).end();
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
const browser = await chromium.launch({ executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium', args: CHROME_ARGS });
const errors: string[] = [];

async function boardPage(width: number, height: number, theme: 'light' | 'dark'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height }, colorScheme: theme });
  page.on('console', (m) => m.type() === 'error' && !/status of 404/.test(m.text()) && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(String(e)));
  // Name what was missing (the browser's own favicon request is expected: the page has none).
  page.on('response', (r) => r.status() === 404 && !r.url().endsWith('/favicon.ico') && errors.push(`404 ${r.url()}`));
  await page.goto(url);
  await page.waitForFunction('window.__ready === true');
  await page.evaluate(`(() => {
    document.body.style.margin = '0';
    const w = window.__widget;
    const day = 86400e3, now = Date.now();
    // What issue 12 added to the leads: appointments, follow-ups (overdue, today, later), lost reasons; and the views.
    Object.assign(w.leads[0], { nextAppointmentAt: new Date(now + 2 * day).toISOString(), nextFollowUpAt: new Date(now - 3 * 3600e3).toISOString() });
    Object.assign(w.leads[1], { nextFollowUpAt: new Date(now + 2 * 3600e3).toISOString() });
    Object.assign(w.leads[3], { nextAppointmentAt: new Date(now + 20 * day).toISOString() });
    Object.assign(w.leads[4], { nextFollowUpAt: new Date(now + 4 * day).toISOString() });
    Object.assign(w.leads[5], { lostReason: 'not_ready', lostNote: 'Wants to wait until after the summer' });
    // Call outcomes (issue 12): the last call's outcome on the cards, and in the detail the latest call's intent.
    Object.assign(w.leads[1], { lastCallOutcome: 'voicemail' });
    Object.assign(w.leads[2], { lastCallOutcome: 'no_answer', leadStatus: 'contacted' });
    Object.assign(w.leads[4], { lastCallOutcome: 'answered' });
    const fu = (id, lead, dueAt, extra) => ({ id, contactId: lead.id, dueAt: new Date(dueAt).toISOString(), note: null, status: 'open', source: 'manual', createdBy: { id: 'u1', name: 'Ann' }, createdAt: '', updatedAt: '', doneAt: null, doneBy: null, remindedAt: null, ...extra });
    const call = (id, lead, ago, extra) => ({ id, contactId: lead.id, vapiCallId: null, status: 'ended', endedReason: null, startedAt: new Date(now - ago).toISOString(), endedAt: null, durationSec: 48, transcript: null, messages: [], summary: null, recordingUrl: null, scoreBefore: null, scoreAfter: null, createdBy: 'u1', error: null, createdAt: new Date(now - ago).toISOString(), ...extra });
    const getLead = w.fakeApi.getLead;
    w.fakeApi.getLead = async (id) => {
      const d = await getLead(id);
      const lead = w.leads.find((l) => l.id === id);
      if (lead !== w.leads[0]) return d;
      return { ...d, allowedTransitions: ['contacted', 'qualified', 'booked', 'lost'],
        followUps: [fu('f1', lead, now - 3 * 3600e3, { note: 'Ask about the spring package' }), fu('f2', lead, now + 3 * day, { source: 'callback' })],
        calls: [call('c2', lead, 3600e3, { outcome: 'answered', intent: 'not_interested' }), call('c1', lead, 2 * day, { outcome: 'voicemail', durationSec: 9 })] };
    };
    w.fakeApi.updateFollowUp = async (id, change) => ({ ...fu(id, w.leads[0], change.dueAt ?? now), ...(change.done ? { status: 'done' } : {}) });
    w.fakeApi.deleteFollowUp = async () => undefined;
    w.fakeApi.session = async () => ({ user: { id: 'u1', name: 'Ann', role: 'admin' }, org: { id: 'o1', name: 'Radiance', timezone: 'America/New_York', quietHours: { start: '21:00', end: '08:00' } }, telephony: { outboundAgentConfigured: false, twilioNumber: null, sandbox: true } });
    w.fakeApi.viewCounts = async () => ({ views: [['call_today', 'Call today', 12], ['this_week', 'This week', 9], ['nurture', 'Nurture', 23], ['revisit_lost', 'Revisit lost', 4]].map(([view, label, count]) => ({ view, label, count })), at: new Date().toISOString() });
    const b = document.createElement('leads-board');
    b.setAttribute('theme', '${theme}');
    b.setAttribute('agent-settings-url', '/settings/agent');
    b.setAttribute('phone-settings-url', '/settings/phone');
    b.api = w.fakeApi; b.live = w.fakeLive;
    document.body.append(b);
  })()`);
  await page.locator('lead-card').nth(19).waitFor();
  await page.locator('[part="view-count"]').first().waitFor();
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
  // The Lost dialog, from the second card's Lost button (it loads on first use).
  await page.locator('lead-card').nth(1).locator('[part~="lost-button"]').click();
  const dialog = page.getByRole('dialog', { name: 'Why was this lead lost?' });
  await dialog.waitFor();
  await dialog.getByRole('radio', { name: 'Not ready now' }).click();
  await page.screenshot({ path: `${OUT}/${name.replace('board', 'lost-dialog')}.png` });
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  // Schedule a follow-up (F), then Edit contact (E) on the lead whose stored phone is invalid.
  await page.locator('lead-card').nth(1).locator('[part~="follow-up-button"]').click();
  const followUp = page.getByRole('dialog', { name: 'Schedule a follow-up' });
  await followUp.waitFor();
  await page.screenshot({ path: `${OUT}/${name.replace('board', 'follow-up-dialog')}.png` });
  await page.keyboard.press('Escape');
  await followUp.waitFor({ state: 'detached' });
  await page.locator('lead-card').nth(7).focus();
  await page.keyboard.press('e');
  const contact = page.getByRole('dialog', { name: 'Edit contact' });
  await contact.waitFor();
  await page.screenshot({ path: `${OUT}/${name.replace('board', 'contact-dialog')}.png` });
  await page.keyboard.press('Escape');
  await contact.waitFor({ state: 'detached' });
  // One card: the first (hot, appointment and an overdue follow-up, the score explanation open) and a call refused
  // with the agent guide.
  const card = page.locator('lead-card').first();
  await card.locator('[part~="score-badge"]').click();
  await card.locator('[part~="call-button"]').click();
  await card.locator('call-error-guide').waitFor();
  await card.screenshot({ path: `${OUT}/${name.replace('board', 'card')}.png` });
  await page.locator('lead-card').nth(5).screenshot({ path: `${OUT}/${name.replace('board', 'card-lost')}.png` });
  await page.locator('lead-card').nth(1).screenshot({ path: `${OUT}/${name.replace('board', 'card-outcome')}.png` });
  // The detail of the first lead: its open follow-ups (Done, Snooze, Delete) and the last call's outcome ("Not
  // interested — Mark lost?"), with the snooze choices open.
  await card.locator('[part~="name"]').click();
  const detail = page.getByRole('dialog', { name: await card.locator('[part~="name"]').innerText() });
  await detail.waitFor();
  await page.locator('follow-up-list li').first().waitFor();
  await page.screenshot({ path: `${OUT}/${name.replace('board', 'detail')}.png` });
  await page.locator('follow-up-list li').first().getByRole('button', { name: 'Snooze' }).click();
  await page.locator('lead-detail [part~="follow-ups"]').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${OUT}/${name.replace('board', 'detail-follow-ups')}.png` });
  await page.keyboard.press('Escape');
  await detail.waitFor({ state: 'detached' });
  // The appointment filter, set to "Appointment today".
  await page.locator('[part~="appointment-filter"]').selectOption('today');
  await page.locator('leads-board [part~="toolbar"]').screenshot({ path: `${OUT}/${name.replace('board', 'toolbar')}.png` });
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
