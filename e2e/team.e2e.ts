/**
 * A team on one list (issue 13), in two browsers signed in as two people of the demo CRM (A: Jordan Ellis, the agent;
 * B: Dr. Maya Chen, the admin; both on the roster demo/start.ts pushes with PUT /v1/team): live presence on the cards
 * (viewing, calling) and the question before a second call; the Call today queue handing them different leads; a bulk
 * assignment from A's selection showing up in B's Mine filter. Screenshots of each step in artifacts/e2e/, and the
 * desktop (1280x800) and phone (390x844) views of the new parts in /tmp/shots/h5-*.png.
 */
import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { callableHotLead } from './flows.js';
import { Board, claimLead, e2e, escapeRe, eventually, openUser, type UserPage } from './support.js';

const SHOTS = '/tmp/shots';
const A_NAME = 'Jordan Ellis';
const B_NAME = 'Dr. Maya Chen';

async function shot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/h5-${name}.png`, animations: 'disabled', caret: 'hide' });
}

async function desktop(user: UserPage): Promise<void> {
  await user.page.setViewportSize({ width: 1280, height: 800 });
}

/** The queue dialog ("Calling: Call today") and the lead it shows. */
function queueOf(board: Board) {
  const dialog = board.page.getByRole('dialog', { name: /^Calling: / });
  return {
    dialog,
    name: async () => ((await dialog.locator('h3').first().textContent()) ?? '').trim(),
  };
}

async function startCallToday(board: Board) {
  const tab = board.root.getByRole('group', { name: 'Priority view' }).getByRole('button', { name: /^Call today\b/ });
  await board.user.press(tab);
  await eventually('Call today pressed', async () => (await tab.getAttribute('aria-pressed')) === 'true');
  await board.waitIdle();
  await board.user.press(board.root.getByRole('button', { name: 'Start calling' }));
  const q = queueOf(board);
  await q.dialog.waitFor();
  await q.dialog.getByText(/^\d+ left$/).waitFor();
  return q;
}

describe('A team on one list (two browsers)', () => {
  it('when A opens a lead, B sees "viewing"; when A calls it, B sees "calling" and is asked before calling, and the server refuses the second call in words', async function () {
    const { api, sandbox } = e2e();
    await api.ensureTelephony();
    const lead = await claimLead('a callable Hot lead', callableHotLead);
    await sandbox.nextCall('hot');

    const a = await openUser(this, { role: 'agent', name: 'a-desktop' });
    await desktop(a);
    const b = await openUser(this, { role: 'admin', mobile: true, name: 'b-phone' });
    const boardA = await Board.open(a);
    const boardB = await Board.open(b);
    await boardA.searchFor(lead.name, 1);
    await boardB.searchFor(lead.name, 1);
    const cardB = boardB.card(lead.name);
    const presenceB = cardB.getByText(new RegExp(`^${escapeRe(A_NAME)} is (viewing|calling)`));

    const started = Date.now();
    const detail = await boardA.openDetail(lead.name);
    await cardB.getByText(`${A_NAME} is viewing`).waitFor({ timeout: 5000 });
    await cardB.scrollIntoViewIfNeeded();
    const seenAfter = Date.now() - started;
    assert.ok(seenAfter < 5000, `B saw "viewing" ${seenAfter} ms after A opened the lead`);
    await b.shot('b-sees-viewing');
    // Nobody is shown their own presence.
    assert.equal(await boardA.card(lead.name).getByText(/ is (viewing|calling)/).count(), 0);

    await a.press(detail.getByRole('button', { name: 'Call Now' }));
    await cardB.getByText(new RegExp(`^${escapeRe(A_NAME)} is calling · 0:\\d\\d$`)).waitFor({ timeout: 5000 });
    await shot(b.page, 'card-presence-phone');
    await b.shot('b-sees-calling');

    await b.press(cardB.getByRole('button', { name: 'Call Back' }));
    const ask = b.page.getByRole('alertdialog', { name: 'Call anyway?' });
    await ask.waitFor();
    const question = (await ask.textContent()) ?? '';
    assert.match(question, new RegExp(`${escapeRe(A_NAME)} started a call \\d+ s ago\\. Call anyway\\?`));
    await b.shot('b-is-asked');
    await b.press(ask.getByRole('button', { name: 'Call anyway' }));
    await cardB.getByText(new RegExp(`A call to ${escapeRe(lead.name)} is already in progress`)).waitFor();
    await b.shot('b-refused-in-words');
    await shot(a.page, 'detail-calling-desktop');

    // The call ends and A closes the lead: B's card no longer shows anyone.
    await api.waitCallDone(lead.id, 40_000);
    await a.press(detail.getByRole('button', { name: 'Close', exact: true }));
    await presenceB.waitFor({ state: 'detached', timeout: 10_000 });
    assert.deepEqual(a.problems, []);
    assert.deepEqual(b.problems, []);
  });

  it('when A and B both start calling the Call today queue, they never hold the same lead, and each Next moves on', async function () {
    const { api } = e2e();
    const callToday = (await api.page('view=call_today&pageSize=100')).total;
    assert.ok(callToday >= 4, `the seed has enough leads in Call today (${callToday})`);
    const a = await openUser(this, { role: 'agent', name: 'a-desktop' });
    await desktop(a);
    const b = await openUser(this, { role: 'admin', mobile: true, name: 'b-phone' });
    const boardA = await Board.open(a);
    const boardB = await Board.open(b);

    const qa = await startCallToday(boardA);
    const qb = await startCallToday(boardB);
    const pairs: Array<[string, string]> = [[await qa.name(), await qb.name()]];
    await shot(a.page, 'queue-desktop');
    await shot(b.page, 'queue-phone');
    for (let i = 0; i < 2; i++) {
      for (const [q, user] of [[qa, a], [qb, b]] as const) {
        const before = await q.name();
        await user.press(q.dialog.getByRole('button', { name: 'Next lead' }));
        await eventually('the next lead', async () => (await q.name()) !== before && (await q.name()) !== '');
        pairs.push([await qa.name(), await qb.name()]);
      }
    }
    for (const [x, y] of pairs) assert.notEqual(x, y, `A and B held the same lead at once: ${JSON.stringify(pairs)}`);
    // Each one's own leads are all different too (a worked lead is not offered again).
    const aSeen = new Set(pairs.map((p) => p[0]));
    assert.equal(aSeen.size, 3, `A got 3 different leads: ${[...aSeen].join(', ')}`);
    await a.shot('queue-a');
    await b.shot('queue-b');

    // Esc closes A's queue and gives the lead back.
    const held = await qa.name();
    await a.page.keyboard.press('Escape');
    await qa.dialog.waitFor({ state: 'detached' });
    await b.press(qb.dialog.getByRole('button', { name: 'Stop calling' }));
    await qb.dialog.waitFor({ state: 'detached' });
    assert.ok(held);
    assert.deepEqual(a.problems, []);
    assert.deepEqual(b.problems, []);
  });

  it('when A assigns three leads to B from a selection, B\'s Mine filter shows them', async function () {
    const { api } = e2e();
    const a = await openUser(this, { role: 'agent', name: 'a-desktop' });
    await desktop(a);
    const b = await openUser(this, { role: 'admin', name: 'b-desktop' });
    await desktop(b);
    const boardA = await Board.open(a);
    const names = (await boardA.cardNames()).slice(0, 3);
    for (const name of names) await a.press(boardA.card(name).getByRole('checkbox', { name: `Select ${name}` }));
    await a.press(boardA.root.locator('leads-selection-bar').getByRole('button', { name: /^Assign/ }));
    const picker = a.page.getByRole('dialog', { name: 'Assign 3 leads' });
    await picker.waitFor();
    await shot(a.page, 'owner-picker-desktop');
    await a.shot('owner-picker');
    await a.press(picker.getByRole('radio', { name: B_NAME }));
    await a.press(picker.getByRole('button', { name: 'Assign', exact: true }));
    await boardA.toast(`3 leads assigned to ${B_NAME}`).waitFor();
    await a.shot('assigned');

    const mine = (await api.page('owner=u_maya&pageSize=100')).items.map((l) => l.name);
    for (const n of names) assert.ok(mine.includes(n), `${n} is owned by B on the server`);
    const boardB = await Board.open(b);
    await boardB.root.getByRole('combobox', { name: 'Filter by owner' }).selectOption({ label: 'Mine' });
    await boardB.waitTotal(mine.length);
    await boardB.waitIdle();
    const shown = await boardB.cardNames();
    for (const n of names) assert.ok(shown.includes(n), `B's Mine shows ${n} (${shown.join(', ')})`);
    await boardB.card(names[0]).getByRole('button', { name: `Reassign (owner: ${B_NAME})` }).waitFor();
    await b.shot('b-mine');
    await shot(b.page, 'mine-desktop');

    // B opens one of them: A's desktop card says so.
    await boardB.openDetail(names[0]);
    const cardA = boardA.card(names[0]);
    await cardA.getByText(`${B_NAME} is viewing`).waitFor({ timeout: 5000 });
    await cardA.scrollIntoViewIfNeeded();
    await shot(a.page, 'card-presence-desktop');

    // The owner picker on a phone (one card's Assign control).
    const phone = await openUser(this, { role: 'agent', mobile: true, name: 'phone-picker' });
    const boardP = await Board.open(phone);
    const first = (await boardP.cardNames())[0];
    await phone.press(boardP.card(first).getByRole('button', { name: /^(Assign an owner|Reassign \(owner: )/ }));
    await phone.page.getByRole('dialog', { name: `Assign ${first}` }).waitFor();
    await shot(phone.page, 'owner-picker-phone');
    await phone.page.keyboard.press('Escape');
    assert.deepEqual(a.problems, []);
    assert.deepEqual(b.problems, []);
  });
});
