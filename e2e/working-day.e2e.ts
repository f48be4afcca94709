/**
 * The guide's day on the priority views: in the morning the coordinator works Call today and the AI books a lead on the
 * call; at the end of the day a follow-up for tomorrow morning puts a lead into tomorrow's Call today (the API's clock
 * is moved a day on: demo/test-clock.ts).
 */
import { strict as assert } from 'node:assert';
import type { Lead, LeadDetail } from '../core/contracts.js';
import { callableHotLead } from './flows.js';
import { Board, claimLead, e2e, eventually, OPEN_STATUSES, openUser, setApiClockOffset } from './support.js';

const DAY_MS = 24 * 3600_000;
const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function viewTab(board: Board, label: string) {
  const tab = board.root.getByRole('group', { name: 'Priority view' }).getByRole('button', { name: new RegExp(`^${label}\\b`) });
  await board.user.press(tab);
  await eventually(`the ${label} tab to be pressed`, async () => (await tab.getAttribute('aria-pressed')) === 'true');
}

describe('A working day on the priority views', () => {
  it('when the coordinator calls a lead from Call today and the AI books it on the call, then the lead leaves Call today and its card shows Booked and the appointment', async function () {
    const { api, sandbox } = e2e();
    await api.ensureTelephony();
    const callToday = (await api.page('view=call_today&page=1&pageSize=100')).items;
    const lead = await claimLead('a callable Hot lead in Call today', callableHotLead, async () => callToday);
    await sandbox.nextCall('booked');

    const user = await openUser(this);
    const board = await Board.open(user);
    await viewTab(board, 'Call today');
    await board.searchFor(lead.name, 1);
    await user.shot('call-today-lead');
    await user.press(board.card(lead.name).getByRole('button', { name: 'Call Back' }));

    // Booked on the call: no longer a lead to call today.
    await board.waitTotal(0, 40_000);
    const after = await api.lead(lead.id);
    assert.equal(after.leadStatus, 'booked');
    const call = after.calls[0]!;
    assert.equal(call.intent, 'booked');
    assert.ok(call.requestedAt);
    assert.equal(after.nextAppointmentAt, call.requestedAt, 'the booking is the next appointment');
    assert.ok(after.timeline.some((e) => e.type === 'status_changed' && e.to === 'booked' && /^Booked on the call for /.test(e.detail ?? '')));

    await viewTab(board, 'All');
    await board.waitTotal(1);
    const card = board.root.getByRole('article', { name: new RegExp(`^${escape(lead.name)}, \\w+ \\d+, Booked$`) });
    await card.waitFor();
    await card.getByText(/^Appointment /).waitFor();
    await user.shot('booked-with-appointment');
    assert.deepEqual(user.problems, []);
  });

  it('when a follow-up is set for tomorrow morning at the end of the day, then the lead is not in today\'s Call today but is in tomorrow\'s', async function () {
    const { api } = e2e();
    const today = new Set((await api.page('view=call_today&page=1&pageSize=100')).items.map((l: Lead) => l.id));
    const nurture = (await api.page('view=nurture&page=1&pageSize=100')).items;
    const lead = await claimLead('an open Cold lead not in Call today', (l) => l.tier === 'cold' && OPEN_STATUSES.has(l.leadStatus) && !today.has(l.id) && !l.nextFollowUpAt, async () => nurture);

    const user = await openUser(this);
    const board = await Board.open(user);
    await board.searchFor(lead.name, 1);
    await user.press(board.card(lead.name).getByRole('button', { name: 'Follow up' }));
    const dialog = user.page.getByRole('dialog', { name: 'Schedule a follow-up' });
    await dialog.waitFor();
    await user.press(dialog.getByRole('radio', { name: /^Tomorrow morning/ }));
    await user.shot('follow-up-tomorrow');
    await user.press(dialog.getByRole('button', { name: 'Schedule' }));
    await dialog.waitFor({ state: 'detached' });
    await eventually('the follow-up to be saved', async () => Boolean((await api.lead(lead.id)).nextFollowUpAt));
    const scheduled = await api.lead(lead.id);
    const dueAt = Date.parse(scheduled.nextFollowUpAt!);
    assert.ok(dueAt > Date.now() && dueAt < Date.now() + 2 * DAY_MS, `tomorrow morning: ${scheduled.nextFollowUpAt}`);
    assert.equal((await api.page(`view=call_today&q=${encodeURIComponent(lead.name)}&pageSize=5`)).total, 0, 'not in today\'s Call today');

    // The next morning (the API's clock a day on): the follow-up is due today, so the lead is in Call today.
    await setApiClockOffset(DAY_MS);
    try {
      const tomorrow = await Board.open(user);
      await viewTab(tomorrow, 'Call today');
      await tomorrow.searchFor(lead.name, 1);
      await tomorrow.card(lead.name).waitFor();
      await user.shot('tomorrow-call-today');
      const detail: LeadDetail = await api.lead(lead.id);
      assert.equal(detail.nextFollowUpAt, scheduled.nextFollowUpAt);
    } finally {
      await setApiClockOffset(0);
    }
    assert.deepEqual(user.problems, []);
  });
});
