/**
 * User flows shared by several specs: the morning routine runs on a desktop and on a phone-sized viewport.
 */
import { strict as assert } from 'node:assert';
import type { Lead } from '../core/contracts.js';
import { AGENT, assertInOrder, Board, claimLead, e2e, OPEN_STATUSES, openUser, recordCallStates } from './support.js';

const STATUS = { new: 'New', contacted: 'Contacted', qualified: 'Qualified', booked: 'Booked', converted: 'Converted', lost: 'Lost' } as const;

/** A Hot lead the agent can call and book, whose score can still rise (80-99), with a valid phone. */
export function callableHotLead(l: Lead): boolean {
  return l.tier === 'hot' && l.leadScore < 100 && l.phoneValid && OPEN_STATUSES.has(l.leadStatus) && !l.activeCallId && l.consent?.calls !== false;
}

/**
 * Morning routine: Hot filter, find the lead, Call Back and follow the live call on the card (Calling... -> Ringing...
 * -> On the call -> Call ended), open the detail (the new call's transcript, the new score), close it, Book.
 */
export async function morningRoutine(test: Mocha.Context, opts: { mobile?: boolean } = {}): Promise<void> {
  const { api, sandbox } = e2e();
  await api.ensureTelephony();
  const lead = await claimLead('a Hot lead below 100 with a valid phone, not booked yet', callableHotLead);
  const hotTotal = (await api.page('tier=hot&pageSize=1')).total;
  // The sandbox picks a conversation from the number's digits; the routine wants one where the lead talks (and books).
  await sandbox.nextCall('hot');

  const user = await openUser(test, { mobile: opts.mobile });
  const board = await Board.open(user);
  await user.shot('board');

  // Hot filter: only Hot leads remain, and the count is the clinic's Hot leads.
  await board.chooseTier('Hot', hotTotal);
  const labels = await board.cardLabels();
  assert.ok(labels.length > 0 && labels.length <= 20, `a page of Hot leads, got ${labels.length}`);
  for (const label of labels) assert.match(label, /, Hot (8\d|9\d|100), /, `only Hot cards under the Hot filter: ${label}`);
  await user.shot('hot-filter');

  // Find the lead of the morning (Hot filter still on).
  await board.searchFor(lead.name, 1);
  await board.card(lead.name, `Hot ${lead.leadScore}, ${STATUS[lead.leadStatus]}`).waitFor();
  // Followed by name only: its score and status change during the call.
  const card = board.card(lead.name);
  await user.shot('lead-found');

  // Call Back: the card follows the call live.
  const states = await recordCallStates(user.page, lead.name);
  await user.press(card.getByRole('button', { name: 'Call Back' }));
  const state = card.getByRole('status');
  await card.getByRole('button', { name: /Calling\.\.\.|Ringing\.\.\.|On call/ }).waitFor({ timeout: 5000 });
  await user.shot('calling');
  await state.getByText(/Ringing\.\.\.|On the call|Call ended/).waitFor({ timeout: 10_000 });
  await user.shot('ringing');
  await state.getByText(/On the call|Call ended/).waitFor({ timeout: 15_000 });
  await user.shot('on-the-call');
  await state.getByText(/Call ended · \d+s/).waitFor({ timeout: 20_000 });
  await card.getByRole('button', { name: 'Call Back' }).waitFor();
  // The order the card went through, button label | status line (the button is disabled while the call is live).
  assertInOrder(
    await states(),
    [/^Calling\.\.\. \| (Call queued)?$/, /^Ringing\.\.\. \| Ringing\.\.\.$/, /^On call \| On the call$/, /^Call Back \| Call ended · \d+s$/],
    'the live call on the card',
  );

  // The lead talked: re-scored from the call, and the first answered call made a new lead contacted.
  const after = await api.lead(lead.id);
  assert.notEqual(after.leadScore, lead.leadScore, 'the call changed the score');
  assert.ok(after.leadScore >= 80, `a hot conversation keeps the lead Hot (${after.leadScore})`);
  const statusAfter = lead.leadStatus === 'new' ? 'Contacted' : STATUS[lead.leadStatus];
  const updated = board.card(lead.name, `Hot ${after.leadScore}, ${statusAfter}`);
  await updated.waitFor({ timeout: 5000 });
  await user.shot('call-ended-new-score');

  // The detail: the new call on top, its score change, the full transcript of what was said.
  const dialog = await board.openDetail(lead.name);
  await dialog.getByText(new RegExp(`^\\W*Hot ${after.leadScore}$`)).first().waitFor();
  const calls = dialog.getByRole('region', { name: 'Recent calls' });
  const newest = calls.getByRole('listitem').first();
  await newest.getByText(`Score ${lead.leadScore} → ${after.leadScore}`).waitFor();
  await user.press(newest.getByRole('button', { name: 'Show full transcript' }));
  const transcript = newest.getByRole('list', { name: 'Transcript of the call' });
  await transcript.waitFor();
  const firstName = lead.name.split(' ')[0];
  await transcript.getByText(AGENT.firstMessage.replace('{{name}}', firstName)).waitFor();
  const leadLines = transcript.getByRole('listitem').filter({ hasText: lead.name });
  assert.ok((await leadLines.count()) >= 2, 'the lead speaks in the transcript');
  assert.match((await leadLines.allTextContents()).join(' '), /Botox|lip filler/i, 'the lead asked for a treatment');
  await dialog.getByRole('heading', { name: `Why ${after.leadScore}?` }).waitFor();
  await user.shot('detail-transcript');
  await user.press(dialog.getByText('Close', { exact: true }));
  await dialog.waitFor({ state: 'hidden' });

  // Book from the card: the toast, and the card's status.
  await user.press(updated.getByRole('button', { name: 'Book', exact: true }));
  await board.toast('Lead marked as booked').waitFor({ timeout: 5000 });
  const booked = board.card(lead.name, `Hot ${after.leadScore}, Booked`);
  await booked.waitFor();
  assert.equal(await booked.getByRole('button', { name: 'Book', exact: true }).count(), 0, 'no Book button on a booked lead');
  await user.shot('booked');
  assert.equal((await api.lead(lead.id)).leadStatus, 'booked', 'the booking is saved');
  assert.deepEqual(user.problems, [], 'no page errors or CSP violations');
}
