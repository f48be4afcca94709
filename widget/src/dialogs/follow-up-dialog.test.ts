import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../define.js';
import { openLazyDialog } from '../lazy-load.js';
import { FakeBackend, FakeLive, makeLead, waitFor } from '../test/fixtures.js';
import type { TestProvider } from '../test/fixtures.js';
import type { FollowUpDialog } from './follow-up-dialog.js';
import { wallTimeIn } from './follow-up-dialog.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
// Tuesday 10 March 2026, 11:00 in New York (EDT, UTC-4).
const TUE = Date.parse('2026-03-10T15:00:00Z');
const ZONE = 'America/New_York';

async function open(now: number | null = TUE) {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  const root = host.attachShadow({ mode: 'open' });
  const answer = openLazyDialog(root, 'follow-up-dialog', { lead: makeLead({ name: 'Maria Lopez' }), timeZone: ZONE, now });
  await waitFor(() => root.querySelector('follow-up-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'dialog');
  const dialog = root.querySelector('follow-up-dialog') as FollowUpDialog;
  await dialog.updateComplete;
  return { answer, dialog, r: dialog.shadowRoot!, root };
}

describe('follow-up-dialog', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  it('offers the quick choices with their times in the clinic zone, the first one chosen and focused', async () => {
    const { r, dialog } = await open();
    expect(text(r.getElementById('ft'))).to.equal('Schedule a follow-up');
    expect(text(r.getElementById('fd'))).to.contain("Call Maria Lopez back. Times are the clinic's (America/New York).");
    expect([...r.querySelectorAll('label.opt')].map(text)).to.deep.equal([
      'Later today Tue 2:00 PM',
      'Tomorrow morning Wed 9:00 AM',
      'In 3 days Fri 9:00 AM',
      'Next week Mon 9:00 AM',
      'Pick a date and time',
    ]);
    expect(r.activeElement).to.equal(r.querySelector('input[value="later_today"]'));
    await expect(dialog).to.be.accessible();
  });

  it('the arrow keys choose, Enter schedules at that instant (tomorrow 09:00 New York = 13:00 UTC)', async () => {
    const { answer } = await open();
    await sendKeys({ press: 'ArrowDown' });
    await sendKeys({ press: 'Enter' });
    expect(await answer).to.deep.equal({ dueAt: '2026-03-11T13:00:00.000Z' });
  });

  it('in the evening there is no "Later today"; a typed date and time is the clinic\'s wall clock; a past one is refused', async () => {
    const evening = Date.parse('2026-03-11T00:30:00Z'); // 20:30 in New York
    const { answer, r, dialog } = await open(evening);
    expect([...r.querySelectorAll('label.opt')].map(text)[0]).to.equal('Tomorrow morning Wed 9:00 AM');
    r.querySelector<HTMLInputElement>('input[value="custom"]')!.click();
    await dialog.updateComplete;
    const when = r.querySelector<HTMLInputElement>('input.when')!;
    expect(r.querySelector(`label[for="${when.id}"]`)!.textContent).to.equal('Date and time');
    when.value = '2026-03-10T09:00';
    when.dispatchEvent(new InputEvent('input'));
    dialog.confirm();
    await dialog.updateComplete;
    expect(text(r.querySelector('[role="alert"]'))).to.equal('Pick a time in the future.');
    expect(when.getAttribute('aria-invalid')).to.equal('true');
    when.value = '2026-03-20T15:45';
    when.dispatchEvent(new InputEvent('input'));
    const note = r.querySelector<HTMLInputElement>('input.note')!;
    note.value = 'Ask about the laser package';
    note.dispatchEvent(new InputEvent('input'));
    r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    expect(await answer).to.deep.equal({ dueAt: '2026-03-20T19:45:00.000Z', note: 'Ask about the laser package' });
  });

  it('Escape cancels (null), and the wall clock survives a DST change', async () => {
    const { answer } = await open();
    await sendKeys({ press: 'Escape' });
    expect(await answer).to.equal(null);
    // 1 March is still EST (UTC-5).
    expect(new Date(wallTimeIn('2026-03-01T09:00', ZONE)!).toISOString()).to.equal('2026-03-01T14:00:00.000Z');
  });
});

describe('scheduling a follow-up from a card (button and F key)', () => {
  async function renderCard() {
    const lead = makeLead({ name: 'Ben Ortiz', leadStatus: 'contacted' });
    const backend = new FakeBackend([lead]);
    const session = { user: { id: 'u1', name: 'Ann', role: 'agent' as const }, org: { id: 'o1', name: 'Clinic', timezone: ZONE, quietHours: { start: '21:00', end: '08:00' } }, telephony: { outboundAgentConfigured: true, twilioNumber: null, sandbox: true } };
    const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${new FakeLive()} .config=${{ apiUrl: '', settings: { agentSettingsUrl: null, phoneSettingsUrl: null }, session }}>
      <lead-card .lead=${lead}></lead-card>
    </test-provider>`);
    const card = provider.querySelector('lead-card')!;
    await card.updateComplete;
    return { card, backend, lead };
  }

  it('F opens the dialog; Enter schedules the first choice: POST, toast, and the card shows the follow-up', async () => {
    const { card, backend, lead } = await renderCard();
    card.tabIndex = 0;
    card.focus();
    await sendKeys({ press: 'f' });
    await waitFor(() => card.shadowRoot!.querySelector('follow-up-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'dialog');
    const toast = oneEvent(card, 'toast-show');
    await sendKeys({ press: 'ArrowDown' }); // Tomorrow morning: offered whatever the time of day
    await sendKeys({ press: 'Enter' });
    const { detail } = await toast;
    const post = backend.requestsTo('POST', `/v1/leads/${lead.id}/follow-ups`);
    expect(post).to.have.length(1);
    const due = (post[0].body as { dueAt: string }).dueAt;
    expect(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', minute: '2-digit' }).format(new Date(due))).to.equal('9:00 AM');
    expect(detail.message).to.match(/^Follow-up scheduled for \w{3} 9:00 AM$/);
    await waitFor(() => card.shadowRoot!.querySelector('[part~="follow-up"]'), 'the follow-up line');
    expect(text(card.shadowRoot!.querySelector('[part~="follow-up"]'))).to.match(/^Follow-up \w{3} 9:00 AM$/);
    expect(card.shadowRoot!.querySelector('follow-up-dialog')).to.equal(null);
  });

  it('the Follow up button, then Cancel: nothing is sent', async () => {
    const { card, backend } = await renderCard();
    card.shadowRoot!.querySelector<HTMLButtonElement>('[part~="follow-up-button"]')!.click();
    await waitFor(() => card.shadowRoot!.querySelector('follow-up-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'dialog');
    const d = card.shadowRoot!.querySelector('follow-up-dialog')!;
    [...d.shadowRoot!.querySelectorAll<HTMLButtonElement>('.modal-footer button')].find((b) => text(b) === 'Cancel')!.click();
    await waitFor(() => !card.shadowRoot!.querySelector('follow-up-dialog'), 'closed');
    expect(backend.requestsTo('POST', /follow-ups/)).to.have.length(0);
  });
});
