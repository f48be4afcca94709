import { strict as assert } from 'node:assert';
import type { Locator, Page } from 'playwright-core';
import { Board, claimLead, e2e, OPEN_STATUSES, openUser } from './support.js';

/** Records, in the page, when the user's status change left it (the board's cancelable request event). */
async function markChanges(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __changeAt?: number };
    document.addEventListener('lead-status-change-request', () => (w.__changeAt = Date.now()), { capture: true });
  });
}
const changeAt = (page: Page) => page.evaluate(() => (window as unknown as { __changeAt?: number }).__changeAt ?? null);

/** Clicks `button` in one browser and returns how long the other took to show `seen` (ms, from the click's event). */
async function latency(from: Board, button: Locator, to: Locator): Promise<number> {
  const seen = to.waitFor({ timeout: 5000 }).then(() => Date.now());
  await from.user.press(button);
  const shown = await seen;
  const at = await changeAt(from.page);
  assert.ok(at, 'the change was made by the click');
  return shown - at;
}

describe('Two browsers on the same clinic', () => {
  it('when one user changes a lead\'s status, then the other user\'s board shows it within one second, both ways', async function () {
    const lead = await claimLead('a new or contacted lead', (l) => (l.leadStatus === 'new' || l.leadStatus === 'contacted') && !l.activeCallId);
    const tier = `${lead.tier[0].toUpperCase()}${lead.tier.slice(1)} ${lead.leadScore}`;
    const agent = await openUser(this, { name: 'browser-a-agent' });
    const admin = await openUser(this, { role: 'admin', name: 'browser-b-admin' });
    const [a, b] = await Promise.all([Board.open(agent), Board.open(admin)]);
    await Promise.all([a.searchFor(lead.name, 1), b.searchFor(lead.name, 1)]);
    await Promise.all([markChanges(a.page), markChanges(b.page)]);
    await Promise.all([agent.shot('before'), admin.shot('before')]);

    // B books; A sees it.
    const booked = await latency(b, b.card(lead.name).getByRole('button', { name: 'Book', exact: true }), a.card(lead.name, `${tier}, Booked`));
    await Promise.all([agent.shot('booked-by-b'), admin.shot('booked-by-b')]);
    assert.ok(booked < 1000, `A saw B's Book after ${booked} ms`);

    // A marks it lost (with a reason); B sees it. The latency runs from A's confirm in the Lost dialog.
    await agent.press(a.card(lead.name).getByRole('button', { name: 'Lost', exact: true }));
    const confirm = await a.answerLost('Went to a competitor', { confirm: false });
    const lost = await latency(a, confirm, b.card(lead.name, `${tier}, Lost`));
    await Promise.all([agent.shot('lost-by-a'), admin.shot('lost-by-a')]);
    assert.ok(lost < 1000, `B saw A's Lost after ${lost} ms`);
    if (process.env.E2E_VERBOSE) console.log(`      realtime: Book ${booked} ms, Lost ${lost} ms`);
    const after = await e2e().api.lead(lead.id);
    assert.equal(after.leadStatus, 'lost');
    assert.equal(after.lostReason, 'competitor');
    assert.deepEqual([...agent.problems, ...admin.problems], []);
  });

  it('when a call turns a Warm lead Hot in one browser, then the other browser\'s board raises the hot-lead alert, and Open shows the lead', async function () {
    const { api, sandbox } = e2e();
    await api.ensureTelephony();
    const lead = await claimLead(
      'a Warm lead with a valid phone',
      (l) => l.tier === 'warm' && l.phoneValid && OPEN_STATUSES.has(l.leadStatus) && !l.activeCallId && l.consent?.calls !== false,
    );
    await sandbox.nextCall('hot');
    const caller = await openUser(this, { name: 'browser-a-caller' });
    const watcher = await openUser(this, { role: 'admin', name: 'browser-b-watcher' });
    const [a, b] = await Promise.all([Board.open(caller), Board.open(watcher)]);
    await a.searchFor(lead.name, 1);
    await caller.press(a.card(lead.name).getByRole('button', { name: 'Call Back' }));

    // B works the whole list; the alert names the lead and its new score.
    const alert = b.root.getByRole('alert').filter({ hasText: `${lead.name} just became a hot lead` });
    await alert.waitFor({ timeout: 30_000 });
    const score = (await api.lead(lead.id)).leadScore;
    assert.ok(score >= 80, `Hot now (${score})`);
    await alert.getByText(`(${score})`, { exact: false }).waitFor();
    await watcher.shot('hot-lead-alert');
    await caller.shot('caller-card');
    await watcher.press(alert.getByRole('button', { name: 'Open' }));
    const dialog = b.detail(lead.name);
    await dialog.getByRole('heading', { name: `Why ${score}?` }).waitFor();
    await alert.waitFor({ state: 'detached' });
    await watcher.shot('hot-lead-opened');
    await api.waitCallDone(lead.id);
    assert.deepEqual([...caller.problems, ...watcher.problems], []);
  });
});
