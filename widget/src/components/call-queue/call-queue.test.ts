import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../define.js';
import { loadLazy } from '../../lazy-load.js';
import { FakeBackend, FakeLive, makeCall, makeLead, waitFor, type TestProvider } from '../../test/fixtures.js';
import { boardToasts, buttonIn, partOf, teamBoard, text } from '../../test/team-helpers.js';
import type { LeadsBoard } from '../leads-board/leads-board.js';
import type { CallQueue } from './call-queue.js';

async function startQueue(board: LeadsBoard): Promise<CallQueue> {
  const start = board.shadowRoot!.querySelector<HTMLButtonElement>('[part="start-calling"]')!;
  start.focus();
  start.click();
  await waitFor(() => board.shadowRoot!.querySelector('call-queue')?.shadowRoot?.querySelector('dialog[open]'), 'the queue');
  return board.shadowRoot!.querySelector('call-queue')!;
}

const shownName = (q: CallQueue) => text(q.shadowRoot!.querySelector('h3.name'));
const nextBodies = (backend: FakeBackend) => backend.requestsTo('POST', '/v1/queue/next').map((r) => r.body);

describe('call-queue', () => {
  it('works the board\'s filter lead by lead: never a colleague\'s lead, history and Call Now, the AI\'s outcome, Next releases, Skip, the end', async () => {
    const [a, b, c] = [makeLead({ name: 'Alma Reyes', leadScore: 95 }), makeLead({ name: 'Ben Okafor', leadScore: 90 }), makeLead({ name: 'Cleo Hart', leadScore: 85 })];
    const cold = makeLead({ name: 'Cold Case', leadScore: 20 });
    const backend = new FakeBackend([a, b, c, cold]);
    // A colleague holds Ben.
    backend.claims.set(b.id, 'u2');
    const { board, root, live } = await teamBoard([], { backend });
    buttonIn(root.querySelector('[part="tier-filter"]')!, /^🔥 Hot/)!.click();
    await waitFor(() => root.querySelectorAll('lead-card').length === 3, 'the Hot leads');

    const queue = await startQueue(board);
    await waitFor(() => shownName(queue) === 'Alma Reyes', 'the first lead');
    expect(nextBodies(backend)[0]).to.deep.equal({ filter: { tier: 'hot' } });
    expect(text(partOf(queue, 'remaining'))).to.equal('1 left');
    expect(text(queue.shadowRoot!.querySelector('#qt'))).to.equal('Calling: All leads');
    // Focus is on the lead, so a screen reader hears who it is.
    expect(queue.shadowRoot!.activeElement?.matches('h3.name')).to.equal(true);
    await waitFor(() => partOf(queue, 'history') && !text(partOf(queue, 'history')).includes('Loading'), 'the history');
    expect(text(partOf(queue, 'history'))).to.contain('No calls yet.');
    await expect(queue).shadowDom.to.be.accessible();

    partOf(queue, 'call-button')!.click();
    await waitFor(() => backend.requestsTo('POST', `/v1/leads/${a.id}/calls`).length === 1, 'Call Now');
    // Next, Skip and Snooze wait for the call.
    expect((partOf(queue, 'next-button') as HTMLButtonElement).disabled).to.equal(true);
    live.push('call:updated', { call: makeCall({ id: `call-${a.id}`, contactId: a.id, status: 'ended', durationSec: 60, outcome: 'answered', intent: 'booked' }) });
    await waitFor(() => partOf(queue, 'outcome'), 'the outcome');
    expect(text(partOf(queue, 'outcome'))).to.contain('The AI recorded: Booked on the call');
    buttonIn(queue.shadowRoot!, "Keep the AI's outcome")!.click();
    await waitFor(() => text(partOf(queue, 'outcome')).startsWith("The AI's outcome is kept"), 'kept');
    expect(queue.shadowRoot!.activeElement?.getAttribute('part')).to.equal('next-button');

    partOf(queue, 'next-button')!.click();
    await waitFor(() => shownName(queue) === 'Cleo Hart', 'the next lead (Ben is a colleague\'s)');
    // Alma was worked in this session: released, and not offered again.
    expect(nextBodies(backend)[1]).to.deep.equal({ filter: { tier: 'hot' }, release: a.id, skip: [a.id] });
    expect(backend.claims.has(a.id), 'Alma released').to.equal(false);
    expect(text(partOf(queue, 'remaining'))).to.equal('0 left');

    partOf(queue, 'skip-button')!.click();
    await waitFor(() => text(queue.shadowRoot!.querySelector('.end')).includes("That's the end of the list."), 'the end');
    expect(nextBodies(backend)[2]).to.deep.equal({ filter: { tier: 'hot' }, release: c.id, skip: [a.id, c.id] });
    expect([...backend.claims.keys()], 'only the colleague\'s claim is left').to.deep.equal([b.id]);
    expect(queue.shadowRoot!.activeElement?.textContent?.trim()).to.equal('Close');
    buttonIn(queue.shadowRoot!.querySelector('.end')!, 'Close')!.click();
    await waitFor(() => !root.querySelector('call-queue'), 'closed');
  });

  it('Esc releases the lead and closes; Snooze schedules a follow-up and moves on; outcomes go through the lead\'s own routes', async () => {
    const [a, b] = [makeLead({ name: 'Dee Long', leadScore: 90 }), makeLead({ name: 'Eli Moss', leadScore: 80 })];
    const { board, backend, root, live } = await teamBoard([a, b]);
    let queue = await startQueue(board);
    await waitFor(() => shownName(queue) === 'Dee Long', 'first');
    expect(backend.claims.get(a.id)).to.equal('u1');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !root.querySelector('call-queue'), 'closed by Esc');
    await waitFor(() => backend.requestsTo('DELETE', `/v1/queue/claims/${a.id}`).length === 1, `released: ${JSON.stringify(backend.requests.map((r) => r.method + ' ' + r.path))}`);
    expect(backend.claims.has(a.id)).to.equal(false);
    expect(board.shadowRoot!.activeElement?.getAttribute('part'), 'focus back on Start calling').to.equal('start-calling');

    queue = await startQueue(board);
    await waitFor(() => shownName(queue) === 'Dee Long', 'first again');
    partOf(queue, 'snooze-button')!.click();
    const dialogRoot = queue.shadowRoot!.querySelector('dialog')!;
    await waitFor(() => dialogRoot.querySelector('follow-up-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'the follow-up dialog');
    const fu = dialogRoot.querySelector('follow-up-dialog')!;
    fu.shadowRoot!.querySelector<HTMLInputElement>('input[type="radio"]')!.click();
    await fu.updateComplete;
    buttonIn(fu.shadowRoot!, 'Schedule')!.click();
    await waitFor(() => shownName(queue) === 'Eli Moss', 'snoozed, on to the next');
    expect(backend.requestsTo('POST', `/v1/leads/${a.id}/follow-ups`)).to.have.length(1);
    expect(nextBodies(backend).at(-1)).to.deep.equal({ filter: {}, release: a.id, skip: [a.id] });

    // The coordinator's own outcome after a call: No answer is noted on the lead.
    partOf(queue, 'call-button')!.click();
    await waitFor(() => backend.requestsTo('POST', `/v1/leads/${b.id}/calls`).length === 1, 'called');
    live.push('call:updated', { call: makeCall({ id: `call-${b.id}`, contactId: b.id, status: 'ended', durationSec: 20, outcome: 'no_answer' }) });
    await waitFor(() => partOf(queue, 'outcome'), 'the outcome buttons');
    expect(text(partOf(queue, 'outcome'))).to.contain('The AI recorded: No answer');
    backend.overrides.push((req) => (req.method === 'POST' && req.path.endsWith('/notes') ? { status: 201, body: { note: { id: 'n1', body: (req.body as { body: string }).body } } } : undefined));
    buttonIn(partOf(queue, 'outcome')!, 'No answer')!.click();
    await waitFor(() => backend.requestsTo('POST', `/v1/leads/${b.id}/notes`).length === 1, 'the note');
    expect(backend.requestsTo('POST', `/v1/leads/${b.id}/notes`)[0].body).to.deep.equal({ body: 'Call outcome: no answer' });
    await waitFor(() => boardToasts(queue).includes('Noted: Eli Moss did not answer'), 'the toast in the queue');
    partOf(queue, 'next-button')!.click();
    await waitFor(() => text(queue.shadowRoot!.querySelector('.end')).includes("That's the end of the list."), 'the end (both worked)');
  });

  it('renews the claim while the lead is open, and says so when a colleague took it', async () => {
    await loadLazy();
    const lead = makeLead({ name: 'Fay Quinn' });
    const backend = new FakeBackend([lead]);
    const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${new FakeLive()}>
      <call-queue .renewMs=${60} label="Call today" open></call-queue>
    </test-provider>`);
    const queue = provider.querySelector('call-queue')!;
    await waitFor(() => shownName(queue) === 'Fay Quinn', 'the lead');
    await waitFor(() => backend.requestsTo('POST', `/v1/queue/claims/${lead.id}/renew`).length >= 2, 'renewals');
    backend.claims.set(lead.id, 'u2');
    await waitFor(() => text(queue.shadowRoot!.querySelector('[role="alert"]')).includes('A colleague has this lead now'), 'the claim lost');
    const n = backend.requestsTo('POST', `/v1/queue/claims/${lead.id}/renew`).length;
    await new Promise((r) => setTimeout(r, 200));
    expect(backend.requestsTo('POST', `/v1/queue/claims/${lead.id}/renew`).length, 'no more renewals').to.equal(n);
    await queue.requestClose();
  });
});
