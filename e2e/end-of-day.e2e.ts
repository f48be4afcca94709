import { strict as assert } from 'node:assert';
import { Board, claimLead, e2e, openUser } from './support.js';

describe('End-of-day routine', () => {
  it('when a coordinator works the Contacted list, then one lead moves to Qualified from the detail, another to Lost from its card, and Undo in the toast brings it back', async function () {
    const { api } = e2e();
    // The leads the board shows on the first page of the Contacted filter (same query, same order).
    const firstPage = () => api.page('status=contacted&page=1&pageSize=20').then((p) => p.items);
    const qualify = await claimLead('a contacted lead on the first page', (l) => !l.activeCallId, firstPage);
    const lose = await claimLead('another contacted lead on the first page', (l) => !l.activeCallId, firstPage);
    const contacted = (await api.page('status=contacted&pageSize=1')).total;

    const user = await openUser(this);
    const board = await Board.open(user);
    await board.statusFilter().selectOption({ label: 'Contacted' });
    await board.waitTotal(contacted);
    await board.waitIdle();
    for (const label of await board.cardLabels()) assert.match(label, /, Contacted$/, `only Contacted cards: ${label}`);
    await board.card(qualify.name).waitFor();
    await board.card(lose.name).waitFor();
    await user.shot('contacted-filter');

    // Qualified, from the detail's status control.
    const dialog = await board.openDetail(qualify.name);
    await user.press(dialog.getByRole('group', { name: 'Move to' }).getByRole('button', { name: 'Mark qualified' }));
    await dialog.getByRole('region', { name: 'Status' }).getByText('Qualified', { exact: true }).waitFor();
    await board.toast('Lead marked as qualified').waitFor();
    await user.shot('qualified-in-detail');
    await user.press(dialog.getByText('Close', { exact: true }));
    await dialog.waitFor({ state: 'hidden' });
    // It leaves the Contacted list.
    await board.card(qualify.name).waitFor({ state: 'detached' });
    await board.waitTotal(contacted - 1);

    // Lost, from the card: it asks why first. Cancel changes nothing.
    await user.press(board.card(lose.name).getByRole('button', { name: 'Lost', exact: true }));
    await board.lostDialog().getByText(`${lose.name} will be marked as lost`).waitFor();
    await user.press(board.lostDialog().getByRole('button', { name: 'Cancel', exact: true }));
    await board.lostDialog().waitFor({ state: 'detached' });
    assert.equal((await api.lead(lose.id)).leadStatus, 'contacted');
    // Not ready now: the 90-day revisit is on by default. The toast offers Undo.
    await user.press(board.card(lose.name).getByRole('button', { name: 'Lost', exact: true }));
    await board.answerLost('Not ready now', { confirm: false });
    assert.equal(await board.lostDialog().getByRole('checkbox', { name: /^Revisit in 90 days/ }).isChecked(), true);
    await user.shot('lost-reason-dialog');
    await user.press(board.lostDialog().getByRole('button', { name: 'Mark lost' }));
    const lostToast = board.root.locator('leads-toaster').getByRole('status').locator('[part="toast"]', { hasText: 'Lead marked as lost' });
    await board.toast('Lead marked as lost').waitFor();
    await board.card(lose.name).waitFor({ state: 'detached' });
    await board.waitTotal(contacted - 2);
    const lost = await api.lead(lose.id);
    assert.equal(lost.leadStatus, 'lost');
    assert.equal(lost.lostReason, 'not_ready');
    const revisit = (lost.followUps ?? []).find((f) => f.source === 'lost_revisit');
    assert.ok(revisit, 'the revisit follow-up was scheduled');
    const days = (Date.parse(revisit.dueAt) - Date.now()) / 86_400_000;
    assert.ok(days > 88 && days < 91, `the revisit is about 90 days ahead (${days.toFixed(1)})`);
    await user.shot('lost-toast-with-undo');
    await user.press(lostToast.getByRole('button', { name: 'Undo' }));
    await board.toast('Lead restored to contacted').waitFor();
    await board.card(lose.name, `${lose.tier[0].toUpperCase()}${lose.tier.slice(1)} ${lose.leadScore}, Contacted`).waitFor();
    await board.waitTotal(contacted - 1);
    await user.shot('undo-restored');

    const [q, l] = await Promise.all([api.lead(qualify.id), api.lead(lose.id)]);
    assert.equal(q.leadStatus, 'qualified');
    assert.equal(l.leadStatus, 'contacted');
    assert.equal(l.lostReason, null);
    assert.deepEqual((l.followUps ?? []).filter((f) => f.source === 'lost_revisit'), [], 'Undo takes the revisit back');
    const changes = l.timeline.filter((e) => e.type === 'status_changed').map((e) => `${e.from}->${e.to}`);
    assert.ok(changes.includes('contacted->lost'), `the Lost is in the timeline: ${changes.join(', ')}`);
    assert.deepEqual(user.problems, []);
  });
});
