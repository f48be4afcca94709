import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead } from '../../../../core/contracts.js';
import type { LeadCard } from './lead-card.js';
import { error, FakeBackend, FakeLive, lostDialogIn, makeCall, makeLead, pickLostReason, waitFor } from '../../test/fixtures.js';
import type { TestProvider } from '../../test/fixtures.js';

const NOW = Date.now();

async function renderCard(lead: Lead, opts: { backend?: FakeBackend; theme?: string; timezone?: string; now?: number } = {}) {
  const backend = opts.backend ?? new FakeBackend([lead]);
  const live = new FakeLive();
  const session = opts.timezone
    ? { user: { id: 'u1', name: 'Ann', role: 'agent' as const }, org: { id: 'o1', name: 'Clinic', timezone: opts.timezone, quietHours: { start: '21:00', end: '08:00' } }, telephony: { outboundAgentConfigured: true, twilioNumber: null, sandbox: true } }
    : null;
  const config = { apiUrl: 'http://api.test', settings: { agentSettingsUrl: '/settings/agent', phoneSettingsUrl: '/settings/phone' }, session };
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${live} .config=${config}>
    <lead-card .lead=${lead} .now=${opts.now ?? NOW} theme=${opts.theme ?? 'light'}></lead-card>
  </test-provider>`);
  const card = provider.querySelector('lead-card')!;
  await card.updateComplete;
  return { card, backend, live, root: card.shadowRoot! };
}

const part = (card: LeadCard, name: string) => card.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('lead-card', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('rendering', () => {
    it('shows the tier badge with emoji and score, the status, the name, the phone and the last contact', async () => {
      const { card } = await renderCard(makeLead({ name: 'Maria Lopez', leadScore: 85, leadStatus: 'contacted', lastContactAt: new Date(NOW - 5 * 60_000).toISOString() }));
      expect(text(part(card, 'score-badge'))).to.contain('🔥 Hot 85');
      expect(text(part(card, 'status-badge'))).to.equal('Contacted');
      const name = part(card, 'name')!;
      expect(name.textContent).to.equal('Maria Lopez');
      expect(getComputedStyle(name).fontWeight).to.equal('750');
      expect(text(part(card, 'phone'))).to.equal('+1 (212) 555-1234');
      expect(part(card, 'phone')!.querySelector('svg')).to.exist;
      expect(text(card.shadowRoot!.querySelector('time'))).to.equal('5m ago');
    });

    it('uses the Warm and Cold badges at 50-79 and under 50', async () => {
      const warm = await renderCard(makeLead({ leadScore: 50 }));
      expect(text(part(warm.card, 'score-badge'))).to.contain('☀️ Warm 50');
      expect(part(warm.card, 'score-badge')!.classList.contains('badge--warm')).to.equal(true);
      const cold = await renderCard(makeLead({ leadScore: 49 }));
      expect(text(part(cold.card, 'score-badge'))).to.contain('❄️ Cold 49');
    });

    it('says "Never" for a lead never contacted', async () => {
      const { card } = await renderCard(makeLead({ lastContactAt: null }));
      expect(text(card.shadowRoot!.querySelector('.line:not(.phone)'))).to.equal('Last contact: Never');
    });

    it('shows up to 3 service tags and "+N more"', async () => {
      const { card } = await renderCard(makeLead({ services: ['Botox', 'Filler', 'Laser', 'Peel', 'Facial'] }));
      const tags = [...part(card, 'tags')!.querySelectorAll('li')].map(text);
      expect(tags).to.deep.equal(['Botox', 'Filler', 'Laser', '+2 more']);
      const three = await renderCard(makeLead({ services: ['Botox', 'Filler', 'Laser'] }));
      expect(text(part(three.card, 'tags'))).not.to.contain('more');
    });

    it('explains the score with the rules and the quoted words', async () => {
      const lead = makeLead({
        leadScore: 90,
        scoreBreakdown: {
          score: 90,
          raw: 90,
          services: ['Botox'],
          scoredAt: new Date().toISOString(),
          callId: 'c1',
          rules: [
            { rule: 'base', points: 50, matches: [], quotes: [] },
            { rule: 'high_value_keywords', points: 10, matches: ['botox'], quotes: ['I want botox'] },
            { rule: 'urgency', points: 30, matches: ['this week'], quotes: ['can I come this week?'] },
          ],
        },
      });
      const { card } = await renderCard(lead);
      const badge = part(card, 'score-badge')!;
      expect(badge.getAttribute('aria-expanded')).to.equal('false');
      badge.click();
      await card.updateComplete;
      expect(badge.getAttribute('aria-expanded')).to.equal('true');
      const why = text(part(card, 'explanation'));
      expect(why).to.contain('High-value keywords: “botox” +10');
      expect(why).to.contain('“can I come this week?”');
      expect(why).to.contain('Urgency');
    });
  });

  describe('what is next', () => {
    // Tuesday 10 March 2026, 11:00 in New York (EDT, UTC-4).
    const TUE = Date.parse('2026-03-10T15:00:00Z');
    const zone = 'America/New_York';

    it('shows the next appointment in the clinic time zone ("Thu 2:30 PM") and an overdue follow-up in the danger colour', async () => {
      const lead = makeLead({ nextAppointmentAt: '2026-03-12T18:30:00Z', nextFollowUpAt: '2026-03-09T13:00:00Z', nextFollowUpId: 'f1' });
      const { card } = await renderCard(lead, { timezone: zone, now: TUE });
      expect(text(part(card, 'appointment'))).to.equal('Appointment Thu 2:30 PM');
      expect(part(card, 'appointment')!.querySelector('time')!.getAttribute('datetime')).to.equal('2026-03-12T18:30:00Z');
      const fu = part(card, 'follow-up')!;
      expect(text(fu)).to.equal('Follow-up overdue Mon 9:00 AM');
      expect(getComputedStyle(fu).color).to.equal('rgb(180, 35, 24)');
      await expect(card).to.be.accessible();
    });

    it('reads a follow-up due later today as "today", a far one by its date, and hides a past appointment', async () => {
      const today = await renderCard(makeLead({ nextFollowUpAt: '2026-03-10T20:15:00Z', nextAppointmentAt: '2026-03-09T18:00:00Z' }), { timezone: zone, now: TUE });
      expect(text(part(today.card, 'follow-up'))).to.equal('Follow-up today Tue 4:15 PM');
      expect(part(today.card, 'appointment')).to.equal(null);
      const far = await renderCard(makeLead({ nextFollowUpAt: '2026-04-02T13:00:00Z' }), { timezone: zone, now: TUE });
      expect(text(part(far.card, 'follow-up'))).to.equal('Follow-up Apr 2 9:00 AM');
      // Another clinic zone, the same instant: Tokyo is already Friday 3 April, 22:00.
      const tokyo = await renderCard(makeLead({ nextFollowUpAt: '2026-04-02T13:00:00Z' }), { timezone: 'Asia/Tokyo', now: TUE });
      expect(text(part(tokyo.card, 'follow-up'))).to.equal('Follow-up Apr 2 10:00 PM');
    });

    it('shows the lead\'s owner when it has one, and nothing when it has none', async () => {
      const owned = await renderCard(makeLead({ ownerId: 'u7', ownerName: 'Priya Patel' }));
      expect(text(part(owned.card, 'owner'))).to.equal('Owner: Priya Patel');
      const unowned = await renderCard(makeLead({ ownerId: null, ownerName: null }));
      expect(part(unowned.card, 'owner')).to.equal(null);
    });

    it('says why a lost lead was lost, with the note', async () => {
      const { card } = await renderCard(makeLead({ leadStatus: 'lost', lostReason: 'other', lostNote: 'Moved away' }));
      expect(text(part(card, 'lost-reason'))).to.equal('Lost: Other · “Moved away”');
      const open = await renderCard(makeLead({ leadStatus: 'new' }));
      expect(part(open.card, 'lost-reason')).to.equal(null);
      expect(part(open.card, 'follow-up')).to.equal(null);
    });
  });

  describe('visibility of the actions', () => {
    const cases: Array<[Lead['leadStatus'], boolean, boolean]> = [
      ['new', true, true],
      ['contacted', true, true],
      ['qualified', true, true],
      ['booked', false, true],
      ['converted', false, false],
      ['lost', false, false],
    ];
    for (const [status, book, lost] of cases) {
      it(`${status}: Book ${book ? 'shown' : 'hidden'}, Lost ${lost ? 'shown' : 'hidden'}, Call Back and SMS always`, async () => {
        const { card } = await renderCard(makeLead({ leadStatus: status }));
        expect(!!part(card, 'book-button')).to.equal(book);
        expect(!!part(card, 'lost-button')).to.equal(lost);
        expect(text(part(card, 'call-button'))).to.equal('Call Back');
        expect(text(part(card, 'sms-button'))).to.equal('SMS');
      });
    }
  });

  describe('opening', () => {
    it('fires lead-open when the card body is clicked', async () => {
      const lead = makeLead();
      const { card } = await renderCard(lead);
      setTimeout(() => part(card, 'name')!.click());
      const event = await oneEvent(card, 'lead-open');
      expect(event.detail.lead.id).to.equal(lead.id);
      expect(event.bubbles && event.composed && event.cancelable).to.equal(true);
    });

    it('does not open when a button is clicked', async () => {
      const { card } = await renderCard(makeLead());
      let opened = 0;
      card.addEventListener('lead-open', () => opened++);
      card.addEventListener('sms-compose-request', (e) => e.preventDefault());
      part(card, 'sms-button')!.click();
      part(card, 'score-badge')!.click();
      await card.updateComplete;
      expect(opened).to.equal(0);
    });

    it('opens with Space on the focused card', async () => {
      const { card } = await renderCard(makeLead());
      card.tabIndex = 0;
      card.focus();
      setTimeout(() => sendKeys({ press: 'Space' }));
      const event = await oneEvent(card, 'lead-open');
      expect(event.detail.lead.name).to.equal(card.lead!.name);
    });
  });

  describe('Call Back', () => {
    it('shows "Calling..." with a spinner, then follows the live call state', async () => {
      const lead = makeLead({ id: 'lead-call' });
      const backend = new FakeBackend([lead]);
      backend.delay = 150;
      const { card, live } = await renderCard(lead, { backend });
      const started = oneEvent(card, 'call-started');
      part(card, 'call-button')!.click();
      await card.updateComplete;
      const button = part(card, 'call-button')! as HTMLButtonElement;
      expect(text(button)).to.equal('Calling...');
      expect(button.querySelector('.spinner')).to.exist;
      expect(button.disabled).to.equal(true);
      const { detail } = await started;
      expect(detail.call.status).to.equal('queued');
      expect(backend.requestsTo('POST', '/v1/leads/lead-call/calls')).to.have.length(1);

      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'ringing' }) });
      await card.updateComplete;
      expect(text(part(card, 'call-button'))).to.equal('Ringing...');
      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'in-progress' }) });
      await card.updateComplete;
      expect(text(card.shadowRoot!.querySelector('.call-state'))).to.equal('On the call');
      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'ended', durationSec: 165 }) });
      await card.updateComplete;
      expect(text(card.shadowRoot!.querySelector('.call-state'))).to.equal('Call ended · 2m 45s');
      expect(text(part(card, 'call-button'))).to.equal('Call Back');
      expect((part(card, 'call-button') as HTMLButtonElement).disabled).to.equal(false);
    });

    it('ignores call updates of other leads', async () => {
      const lead = makeLead();
      const { card, live } = await renderCard(lead);
      live.push('call:updated', { call: makeCall({ contactId: 'someone-else', status: 'ringing' }) });
      await card.updateComplete;
      expect(text(part(card, 'call-button'))).to.equal('Call Back');
    });

    it('does not call when the host vetoes call-start-request', async () => {
      const lead = makeLead();
      const { card, backend } = await renderCard(lead);
      card.addEventListener('call-start-request', (e) => e.preventDefault());
      await card.startCall();
      expect(backend.requestsTo('POST', /\/calls$/)).to.have.length(0);
    });

    for (const [code, linkText, href] of [
      ['OUTBOUND_AGENT_NOT_CONFIGURED', 'Open agent settings', '/settings/agent'],
      ['NO_PHONE_NUMBER', 'Open phone settings', '/settings/phone'],
      ['INVALID_PHONE_FORMAT', 'Open phone settings', '/settings/phone'],
    ]) {
      it(`shows the step-by-step guide for ${code} and fires call-failed`, async () => {
        // a valid lead number with INVALID_PHONE_FORMAT: the clinic's number is the one to fix (phone settings); the
        // lead's own bad number is the guide's other case (call-error-guide.test.ts)
        const lead = code === 'INVALID_PHONE_FORMAT' ? makeLead({ phone: '+12125551234', phoneValid: true }) : makeLead({ phone: '2125551234', phoneValid: false });
        const backend = new FakeBackend([lead]);
        backend.overrides.push((r) => (r.path.endsWith('/calls') ? error(422, code, 'Refused') : undefined));
        const { card } = await renderCard(lead, { backend });
        setTimeout(() => part(card, 'call-button')!.click());
        const failed = await oneEvent(card, 'call-failed');
        expect(failed.detail.error.code).to.equal(code);
        await card.updateComplete;
        const guide = card.shadowRoot!.querySelector('call-error-guide')!;
        // Loaded on first use (lazy.ts), then upgraded with the properties it was given.
        await customElements.whenDefined('call-error-guide');
        await guide.updateComplete;
        const link = guide.shadowRoot!.querySelector<HTMLAnchorElement>('[part="settings-link"]')!;
        expect(text(link)).to.equal(linkText);
        expect(link.getAttribute('href')).to.equal(href);
        expect(guide.shadowRoot!.querySelectorAll('ol li').length).to.equal(3);
        await expect(card).to.be.accessible();
        guide.shadowRoot!.querySelector<HTMLButtonElement>('[part="dismiss"]')!.click();
        await card.updateComplete;
        expect(card.shadowRoot!.querySelector('call-error-guide')).to.equal(null);
      });
    }
  });

  describe('call outcomes', () => {
    async function endCall(lead: Lead, ended: Partial<import('../../../../core/contracts.js').Call>, timezone = 'America/New_York') {
      const r = await renderCard(lead, { timezone });
      const started = oneEvent(r.card, 'call-started');
      part(r.card, 'call-button')!.click();
      const { detail } = await started;
      r.live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'ended', ...ended }) });
      await r.card.updateComplete;
      return r;
    }
    const state = (card: LeadCard) => text(card.shadowRoot!.querySelector('.call-state'));

    it("shows the last call's outcome (lastCallOutcome) when no call is followed, and nothing without one", async () => {
      const cases: Array<[Lead['lastCallOutcome'], string]> = [
        ['voicemail', 'Last call: Voicemail'],
        ['no_answer', 'Last call: No answer'],
        ['busy', 'Last call: Busy'],
        ['answered', 'Last call: Answered'],
        ['failed', 'Last call: Call failed'],
      ];
      for (const [outcome, expected] of cases) {
        const { card } = await renderCard(makeLead({ lastCallOutcome: outcome }));
        expect(text(part(card, 'call-outcome')), String(outcome)).to.equal(expected);
        expect(part(card, 'suggest-lost')).to.equal(null);
      }
      const { card } = await renderCard(makeLead({ lastCallOutcome: null }));
      expect(part(card, 'call-outcome')).to.equal(null);
      expect(card.shadowRoot!.querySelector('.call-state')).to.equal(null);
    });

    it('a voicemail, no answer or busy reads as such, not as a conversation', async () => {
      const lead = makeLead({ id: 'lead-vm' });
      const { card } = await endCall(lead, { outcome: 'voicemail', intent: null, durationSec: 10 });
      expect(state(card)).to.equal('Voicemail · 10s');
      expect(card.shadowRoot!.querySelector('.call-state')!.getAttribute('role')).to.equal('status');
      const busy = await endCall(makeLead({ id: 'lead-busy' }), { outcome: 'busy', durationSec: 0 });
      expect(state(busy.card)).to.equal('Busy · 0s');
      const none = await endCall(makeLead({ id: 'lead-na' }), { outcome: 'no_answer', durationSec: null });
      expect(state(none.card)).to.equal('No answer');
      // An answered call with nothing actionable keeps "Call ended".
      const plain = await endCall(makeLead({ id: 'lead-ok' }), { outcome: 'answered', intent: 'none', durationSec: 165 });
      expect(state(plain.card)).to.equal('Call ended · 2m 45s');
    });

    it('says what the lead wanted: booked, or a callback at the time asked (clinic time)', async () => {
      const booked = await endCall(makeLead({ id: 'lead-bk' }), { outcome: 'answered', intent: 'booked', durationSec: 95 });
      expect(state(booked.card)).to.equal('Booked on the call · 1m 35s');
      const at = new Date(Date.now() + 86400_000);
      at.setUTCHours(20, 0, 0, 0); // 3 PM or 4 PM in New York, depending on DST
      const cb = await endCall(makeLead({ id: 'lead-cb' }), { outcome: 'answered', intent: 'callback_requested', requestedAt: at.toISOString(), durationSec: 40 });
      const when = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(at).replace(',', '');
      expect(state(cb.card)).to.equal(`Asked for a callback ${when} · 40s`);
      expect(part(cb.card, 'suggest-lost')).to.equal(null);
    });

    it('"Not interested — Mark lost?" opens the Lost dialog and changes nothing by itself', async () => {
      const lead = makeLead({ id: 'lead-ni', leadStatus: 'contacted' });
      const { card, backend } = await endCall(lead, { outcome: 'answered', intent: 'not_interested', durationSec: 30 });
      expect(state(card)).to.match(/^Not interested · 30s — Mark lost\?$/);
      const suggest = part(card, 'suggest-lost') as HTMLButtonElement;
      expect(suggest.localName).to.equal('button');
      await new Promise((r) => setTimeout(r, 50));
      expect(backend.requestsTo('PATCH', /\/v1\/leads\//)).to.have.length(0);
      // Not a click on the card (which would open the lead).
      let opened = false;
      card.addEventListener('lead-open', () => (opened = true));
      suggest.click();
      const dialog = await lostDialogIn(card.shadowRoot!);
      expect(opened).to.equal(false);
      expect(backend.requestsTo('PATCH', /\/v1\/leads\//)).to.have.length(0);
      // Cancel: still nothing sent.
      await dialog.requestClose('close');
      await new Promise((r) => setTimeout(r, 50));
      expect(backend.requestsTo('PATCH', /\/v1\/leads\//)).to.have.length(0);
      (part(card, 'suggest-lost') as HTMLButtonElement).click();
      await pickLostReason(card.shadowRoot!, 'not_ready', { revisit: false });
      await waitFor(() => backend.requestsTo('PATCH', `/v1/leads/${lead.id}`).length === 1, 'PATCH lost');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.include({ status: 'lost', lostReason: 'not_ready' });
      await waitFor(() => !part(card, 'suggest-lost'), 'no suggestion once lost');
    });
  });

  describe('Book and Lost', () => {
    it('books the lead: request event, PATCH with the expected status, change event, toast', async () => {
      const lead = makeLead({ leadStatus: 'contacted' });
      const { card, backend } = await renderCard(lead);
      const request = oneEvent(card, 'lead-status-change-request');
      const change = oneEvent(card, 'lead-status-change');
      const toast = oneEvent(card, 'toast-show');
      part(card, 'book-button')!.click();
      expect((await request).detail).to.deep.include({ from: 'contacted', to: 'booked' });
      expect((await change).detail.lead.leadStatus).to.equal('booked');
      expect((await toast).detail.message).to.equal('Lead marked as booked');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ status: 'booked', expectedStatus: 'contacted' });
      await card.updateComplete;
      expect(part(card, 'book-button')).to.equal(null);
      expect(text(part(card, 'status-badge'))).to.equal('Booked');
    });

    it('marks lost with an Undo that reverts through the API', async () => {
      const lead = makeLead({ leadStatus: 'qualified' });
      const { card, backend } = await renderCard(lead);
      const toast = oneEvent(card, 'toast-show');
      part(card, 'lost-button')!.click();
      await pickLostReason(card.shadowRoot!, 'price');
      const { detail } = await toast;
      expect(detail.message).to.equal('Lead marked as lost');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ status: 'lost', expectedStatus: 'qualified', lostReason: 'price' });
      expect(detail.action?.label).to.equal('Undo');
      const undone = oneEvent(card, 'lead-status-change');
      await detail.action!.run(card);
      expect((await undone).detail).to.deep.include({ from: 'lost', to: 'qualified' });
      expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/revert`)).to.have.length(1);
    });

    it('Lost asks why first: Cancel sends nothing and keeps the card as it was; a click in the dialog does not open the lead', async () => {
      const lead = makeLead({ leadStatus: 'contacted' });
      const { card, backend } = await renderCard(lead);
      let opened = 0;
      card.addEventListener('lead-open', () => opened++);
      part(card, 'lost-button')!.click();
      const dialog = await lostDialogIn(card.shadowRoot!);
      (dialog.shadowRoot!.querySelector('legend') as HTMLElement).click();
      [...dialog.shadowRoot!.querySelectorAll<HTMLButtonElement>('.modal-footer button')].find((b) => b.textContent!.trim() === 'Cancel')!.click();
      await waitFor(() => !card.shadowRoot!.querySelector('lost-reason-dialog'), 'dialog gone');
      expect(opened).to.equal(0);
      expect(backend.requestsTo('PATCH', /./)).to.have.length(0);
      expect(text(part(card, 'status-badge'))).to.equal('Contacted');
      expect(part(card, 'lost-button')).to.exist;
    });

    it('the request event carries the reason', async () => {
      const lead = makeLead({ leadStatus: 'new' });
      const { card } = await renderCard(lead);
      const request = oneEvent(card, 'lead-status-change-request');
      part(card, 'lost-button')!.click();
      await pickLostReason(card.shadowRoot!, 'other', { note: 'Chose a clinic near work' });
      expect((await request).detail).to.deep.include({ from: 'new', to: 'lost', lostReason: 'other' });
    });

    it('sends nothing when the host vetoes the status change', async () => {
      const lead = makeLead();
      const { card, backend } = await renderCard(lead);
      card.addEventListener('lead-status-change-request', (e) => e.preventDefault());
      await card.book();
      expect(backend.requestsTo('PATCH', /./)).to.have.length(0);
    });

    it('tells the user when someone else changed the lead (409 STALE_LEAD)', async () => {
      const lead = makeLead({ leadStatus: 'new' });
      const backend = new FakeBackend([{ ...lead, leadStatus: 'booked' }]);
      const { card } = await renderCard(lead, { backend });
      let changes = 0;
      card.addEventListener('lead-status-change', () => changes++);
      const toast = oneEvent(card, 'toast-show');
      part(card, 'lost-button')!.click();
      await pickLostReason(card.shadowRoot!, 'no_response');
      const { detail } = await toast;
      expect(detail.variant).to.equal('error');
      expect(detail.message).to.contain('changed by someone else (now Booked)');
      // Stale: nothing happened, so the host hears no lead-status-change; the card shows the lead as it is now.
      await waitFor(() => card.lead?.leadStatus === 'booked', 'card shows the current lead');
      expect(changes).to.equal(0);
    });
  });

  describe('keyboard', () => {
    it('C calls, S asks for the composer, B books, L marks lost while focus is in the card', async () => {
      const lead = makeLead({ leadStatus: 'new' });
      const { card, backend } = await renderCard(lead);
      card.tabIndex = 0;
      card.focus();
      setTimeout(() => sendKeys({ press: 's' }));
      await oneEvent(card, 'sms-compose-request');
      setTimeout(() => sendKeys({ press: 'c' }));
      await oneEvent(card, 'call-started');
      await sendKeys({ press: 'b' });
      await waitFor(() => backend.requestsTo('PATCH', /./).length === 1, 'book');
      expect(backend.requestsTo('PATCH', /./)[0].body).to.deep.include({ status: 'booked' });
      await waitFor(() => card.lead!.leadStatus === 'booked');
      card.focus();
      await sendKeys({ press: 'l' });
      // L asks why first; the keys of the dialog (arrows, Enter) do not reach the card's shortcuts.
      const dialog = await lostDialogIn(card.shadowRoot!);
      expect(backend.requestsTo('PATCH', /./)).to.have.length(1);
      expect(dialog.shadowRoot!.activeElement?.getAttribute('value')).to.equal('price');
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'Enter' });
      await waitFor(() => backend.requestsTo('PATCH', /./).length === 2, 'lost');
      expect(backend.requestsTo('PATCH', /./)[1].body).to.deep.equal({ status: 'lost', expectedStatus: 'booked', lostReason: 'no_response' });
    });
  });

  describe('accessibility', () => {
    const lead = () => makeLead({ services: ['Botox', 'Filler', 'Laser', 'Peel'], lastContactAt: new Date(NOW - 3 * 86400_000).toISOString() });
    it('has no axe violations in light', async () => {
      const { card } = await renderCard(lead(), { theme: 'light' });
      await expect(card).to.be.accessible();
    });
    it('has no axe violations in dark', async () => {
      const { card } = await renderCard(lead(), { theme: 'dark' });
      expect(getComputedStyle(card.shadowRoot!.querySelector('.card')!).backgroundColor).to.equal('rgb(22, 27, 34)');
      await expect(card).to.be.accessible();
    });
    it('has no axe violations at a phone width, with 44px touch targets', async () => {
      await setViewport({ width: 375, height: 740 });
      const { card } = await renderCard(lead());
      for (const b of card.shadowRoot!.querySelectorAll('footer button')) {
        expect(b.getBoundingClientRect().height).to.be.at.least(44);
      }
      await expect(card).to.be.accessible();
    });
  });
});
