import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { FollowUp, Lead, LeadDetail as LeadDetailData, LeadEvent } from '../../../../core/contracts.js';
import type { LeadDetail } from './lead-detail.js';
import { describeEvent, snippet } from './lead-detail.js';
import { deepActiveElement } from '../../dialogs/modal.js';
import { error, FakeBackend, FakeLive, lostDialogIn, makeCall, makeLead, pickLostReason, waitFor } from '../../test/fixtures.js';
import type { TestProvider } from '../../test/fixtures.js';

const text = (el: Node | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const LONG_TRANSCRIPT =
  'Hi, I saw your ad about botox and I would love to book a consultation this week if you have any availability at all, thanks so much.';

function makeDetail(lead: Lead, overrides: Partial<LeadDetailData> = {}): LeadDetailData {
  return {
    ...lead,
    calls: [],
    appointments: [],
    notes: [],
    timeline: [],
    allowedTransitions: ['contacted', 'qualified', 'booked', 'converted', 'lost'],
    canUndoLost: false,
    canRevertLost: false,
    ...overrides,
  };
}

function richDetail(lead: Lead): LeadDetailData {
  return makeDetail(lead, {
    calls: [
      makeCall({
        id: 'c-new',
        contactId: lead.id,
        status: 'ended',
        startedAt: '2025-01-22T14:30:00',
        createdAt: '2025-01-22T14:30:00',
        durationSec: 165,
        transcript: LONG_TRANSCRIPT,
        messages: [],
        scoreBefore: 50,
        scoreAfter: 90,
      }),
      makeCall({
        id: 'c-old',
        contactId: lead.id,
        status: 'ended',
        startedAt: '2025-01-20T09:05:00',
        createdAt: '2025-01-20T09:05:00',
        durationSec: 12,
        transcript: null,
        endedReason: 'voicemail',
      }),
    ],
    appointments: [
      { id: 'a1', contactId: lead.id, externalId: null, serviceType: 'Botox', scheduledAt: '2025-02-03T10:00:00', status: 'scheduled' },
      { id: 'a2', contactId: lead.id, externalId: null, serviceType: 'Consultation', scheduledAt: '2025-01-10T10:00:00', status: 'completed' },
      { id: 'a3', contactId: lead.id, externalId: null, serviceType: 'Filler', scheduledAt: '2025-01-05T10:00:00', status: 'cancelled' },
    ],
    notes: [{ id: 'n1', contactId: lead.id, body: 'Prefers mornings', authorId: 'u2', authorName: 'Bea', createdAt: ago(3 * 3600_000) }],
    timeline: [
      { id: 'e1', contactId: lead.id, type: 'created', from: null, to: 'new', actor: { id: 'u1', name: 'Ann' }, detail: null, at: ago(5 * 86400_000) },
      { id: 'e2', contactId: lead.id, type: 'status_changed', from: 'new', to: 'contacted', actor: { id: 'u1', name: 'Ann' }, detail: null, at: ago(2 * 86400_000) },
      { id: 'e3', contactId: lead.id, type: 'sms', from: null, to: 'queued', actor: { id: 'u1', name: 'Ann' }, detail: 'See you Thursday at 4pm!', at: ago(86400_000) },
      { id: 'e4', contactId: lead.id, type: 'opted_out', from: null, to: null, actor: null, detail: 'Replied STOP', at: ago(3600_000) },
    ],
  });
}

interface RenderOptions {
  detail?: LeadDetailData | ((lead: Lead) => LeadDetailData);
  backend?: FakeBackend;
  theme?: string;
  role?: 'agent' | 'admin';
  open?: boolean;
}

async function renderDetail(lead: Lead, opts: RenderOptions = {}) {
  const backend = opts.backend ?? new FakeBackend([lead]);
  let detail = typeof opts.detail === 'function' ? opts.detail(lead) : (opts.detail ?? makeDetail(lead));
  const setDetail = (d: LeadDetailData) => (detail = d);
  backend.overrides.push((r) => (r.method === 'GET' && r.path === `/v1/leads/${lead.id}` ? { status: 200, body: detail } : undefined));
  const live = new FakeLive();
  const config = {
    apiUrl: 'http://api.test',
    settings: { agentSettingsUrl: '/settings/agent', phoneSettingsUrl: '/settings/phone' },
    session: {
      user: { id: 'u1', name: 'Ann', role: opts.role ?? 'agent' },
      org: { id: 'o1', name: 'Clinic', timezone: 'UTC' },
      telephony: { outboundAgentConfigured: true, twilioNumber: '+15550001111', sandbox: true },
    },
  };
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${live} .config=${config}>
    <button id="opener">Open lead</button>
    <lead-detail .lead=${lead} theme=${opts.theme ?? 'light'}></lead-detail>
  </test-provider>`);
  const el = provider.querySelector('lead-detail')!;
  const opener = provider.querySelector<HTMLButtonElement>('#opener')!;
  if (opts.open !== false) {
    opener.focus();
    el.open = true;
    await el.updateComplete;
    if (!backend.delay) await waitFor(() => el.shadowRoot!.querySelector('[part="status-control"]'), 'detail loaded');
  }
  return { el, backend, live, opener, provider, setDetail };
}

const part = (el: LeadDetail, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const parts = (el: LeadDetail, name: string) => [...el.shadowRoot!.querySelectorAll<HTMLElement>(`[part~="${name}"]`)];
const dialogOf = (el: LeadDetail) => el.shadowRoot!.querySelector('dialog')!;
const transitionLabels = (el: LeadDetail) => parts(el, 'transition').map((b) => b.dataset.status);
const shiftTab = async () => {
  await sendKeys({ down: 'Shift' });
  await sendKeys({ press: 'Tab' });
  await sendKeys({ up: 'Shift' });
};
const isInside = (el: LeadDetail, node: Element | null) => !!node && (el.shadowRoot!.contains(node) || el.contains(node));

describe('lead-detail', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('delete (admins)', () => {
    it('is offered to admins only; Keep changes nothing; Delete removes the lead, tells the host and closes', async () => {
      const lead = makeLead({ name: 'Dana Delete' });
      const agentView = await renderDetail(lead);
      expect(part(agentView.el, 'delete-button'), 'no Delete for an agent').to.equal(null);
      agentView.provider.remove();

      const backend = new FakeBackend([lead]);
      backend.role = 'admin';
      const { el } = await renderDetail(lead, { backend, role: 'admin' });
      const del = part(el, 'delete-button')!;
      expect(text(del)).to.equal('Delete lead');
      del.click();
      await waitFor(() => part(el, 'delete-confirm'), 'the confirmation');
      expect(text(part(el, 'delete-confirm'))).to.contain('Delete Dana Delete with their calls, texts, notes and follow-ups? This cannot be undone.');
      await expect(el).to.be.accessible();
      [...part(el, 'delete-confirm')!.querySelectorAll('button')].find((b) => text(b) === 'Keep')!.click();
      await waitFor(() => part(el, 'delete-button'), 'back to the button');
      expect(backend.requestsTo('DELETE', `/v1/leads/${lead.id}`).length).to.equal(0, 'Keep sends nothing');

      const deleted: Array<{ leadId: string; name: string }> = [];
      el.addEventListener('lead-deleted', (e) => deleted.push((e as CustomEvent<{ leadId: string; name: string }>).detail));
      part(el, 'delete-button')!.click();
      await waitFor(() => part(el, 'delete-confirm'), 'the confirmation again');
      [...part(el, 'delete-confirm')!.querySelectorAll('button')].find((b) => text(b) === 'Delete')!.click();
      await waitFor(() => deleted.length === 1, 'lead-deleted');
      expect(deleted[0]).to.deep.equal({ leadId: lead.id, name: 'Dana Delete' });
      expect(backend.requestsTo('DELETE', `/v1/leads/${lead.id}`).length).to.equal(1);
      await waitFor(() => !el.open, 'the detail closes');
    });

    it('shows the server\'s refusal and keeps the lead when the delete fails', async () => {
      const lead = makeLead({ name: 'Dora Refused' });
      const backend = new FakeBackend([lead]);
      backend.role = 'admin';
      backend.overrides.push((r) => (r.method === 'DELETE' ? { status: 409, body: { error: { code: 'CALL_IN_PROGRESS', message: 'Dora Refused is on a call: delete the lead once the call has ended.' } } } : undefined));
      const { el } = await renderDetail(lead, { backend, role: 'admin' });
      part(el, 'delete-button')!.click();
      await waitFor(() => part(el, 'delete-confirm'), 'the confirmation');
      [...part(el, 'delete-confirm')!.querySelectorAll('button')].find((b) => text(b) === 'Delete')!.click();
      await waitFor(() => part(el, 'delete-confirm')?.querySelector('[role="alert"]'), 'the refusal');
      expect(text(part(el, 'delete-confirm')!.querySelector('[role="alert"]'))).to.equal('Dora Refused is on a call: delete the lead once the call has ended.');
      expect(el.open).to.equal(true);
    });
  });

  describe('helpers', () => {
    it('cuts transcripts at 100 characters with an ellipsis, not inside an emoji', () => {
      expect(snippet('short')).to.equal('short');
      expect(snippet('x'.repeat(100))).to.equal('x'.repeat(100));
      expect(snippet('x'.repeat(101))).to.equal(`${'x'.repeat(100)}…`);
      expect(snippet(`${'x'.repeat(99)}😀yz`)).to.equal(`${'x'.repeat(99)}😀…`);
    });

    it('describes timeline events in words', () => {
      const base = { id: 'e', contactId: 'l', actor: { id: 'u', name: 'Ann' }, detail: null, at: ago(0) };
      expect(describeEvent({ ...base, type: 'status_changed', from: 'new', to: 'booked' } as LeadEvent)).to.equal('Status New → Booked by Ann');
      expect(describeEvent({ ...base, type: 'opted_out', from: null, to: null, actor: null, detail: 'Replied STOP' } as LeadEvent)).to.equal(
        'Opted out of texts (Replied STOP)',
      );
      expect(describeEvent({ ...base, type: 'call', from: null, to: 'queued' } as LeadEvent)).to.equal('Call started by Ann');
      expect(describeEvent({ ...base, type: 'scored', from: '50', to: '85', actor: null } as LeadEvent)).to.equal('Score 50 → 85');
    });
  });

  describe('closed', () => {
    it('renders no open dialog and fetches nothing until opened', async () => {
      const lead = makeLead();
      const { el, backend } = await renderDetail(lead, { open: false });
      expect(dialogOf(el).open).to.equal(false);
      expect(backend.requestsTo('GET', `/v1/leads/${lead.id}`)).to.have.length(0);
      el.open = true;
      await waitFor(() => backend.requestsTo('GET', `/v1/leads/${lead.id}`).length === 1, 'GET on open');
      expect(dialogOf(el).open).to.equal(true);
    });
  });

  describe('loading', () => {
    it('shows the name from the opener at once, skeletons while the detail loads, and is accessible', async () => {
      const lead = makeLead({ name: 'Maria Lopez' });
      const backend = new FakeBackend([lead]);
      backend.delay = 300;
      const { el } = await renderDetail(lead, { backend });
      const dialog = dialogOf(el);
      expect(dialog.open).to.equal(true);
      expect(text(part(el, 'name'))).to.equal('Maria Lopez');
      expect(dialog.getAttribute('aria-busy')).to.equal('true');
      expect(el.shadowRoot!.querySelectorAll('.skeleton').length).to.be.greaterThan(0);
      await expect(el).to.be.accessible();
      await waitFor(() => part(el, 'status-control'), 'loaded', 2000);
      expect(dialog.getAttribute('aria-busy')).to.equal('false');
    });
  });

  describe('load error', () => {
    it('says so and retries', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      let fail = true;
      backend.overrides.push((r) => (fail && r.method === 'GET' ? error(500, 'INTERNAL', 'Something went wrong (request r1)') : undefined));
      const { el } = await renderDetail(lead, { backend, open: false });
      el.open = true;
      await waitFor(() => el.shadowRoot!.querySelector('[role="alert"]'), 'error');
      expect(text(el.shadowRoot!.querySelector('[role="alert"]'))).to.contain('Something went wrong (request r1)');
      await expect(el).to.be.accessible();
      fail = false;
      [...el.shadowRoot!.querySelectorAll('button')].find((b) => text(b) === 'Retry')!.click();
      await waitFor(() => part(el, 'status-control'), 'loaded after retry');
    });
  });

  describe('loaded', () => {
    it('is a modal dialog labelled by the lead name', async () => {
      const lead = makeLead({ name: 'Maria Lopez' });
      const { el } = await renderDetail(lead);
      const dialog = dialogOf(el);
      expect(dialog.matches(':modal')).to.equal(true);
      const labelledBy = dialog.getAttribute('aria-labelledby')!;
      expect(text(el.shadowRoot!.getElementById(labelledBy))).to.equal('Maria Lopez');
    });

    it('shows badges, a tel: link, a mailto: link and every service', async () => {
      const lead = makeLead({
        name: 'Maria Lopez',
        leadScore: 90,
        leadStatus: 'contacted',
        email: 'maria@example.com',
        services: ['Botox', 'Filler', 'Laser', 'Peel', 'Facial'],
      });
      const { el } = await renderDetail(lead, { detail: richDetail });
      expect(text(part(el, 'score-badge'))).to.equal('🔥 Hot 90');
      expect(text(part(el, 'status-badge'))).to.equal('Contacted');
      const tel = part(el, 'phone') as HTMLAnchorElement;
      expect(tel.getAttribute('href')).to.equal('tel:+12125551234');
      expect(text(tel)).to.equal('+1 (212) 555-1234');
      expect((part(el, 'email') as HTMLAnchorElement).getAttribute('href')).to.equal('mailto:maria@example.com');
      expect([...part(el, 'services')!.querySelectorAll('li')].map(text)).to.deep.equal(['Botox', 'Filler', 'Laser', 'Peel', 'Facial']);
      expect(part(el, 'phone-warning')).to.equal(null);
    });

    it('explains the score with the rules, their points and the quoted words', async () => {
      const lead = makeLead({
        leadScore: 90,
        scoreBreakdown: {
          score: 90,
          raw: 90,
          services: ['Botox'],
          scoredAt: ago(0),
          callId: 'c-new',
          rules: [
            { rule: 'base', points: 50, matches: [], quotes: [] },
            { rule: 'high_value_keywords', points: 10, matches: ['botox'], quotes: ['I saw your ad about botox'] },
            { rule: 'negative_sentiment', points: -20, matches: ['expensive'], quotes: ['it sounds expensive'] },
            { rule: 'urgency', points: 30, matches: ['this week'], quotes: ['this week if you have any'] },
          ],
        },
      });
      const { el } = await renderDetail(lead);
      const why = part(el, 'score-explanation')!;
      expect(text(why.querySelector('h3'))).to.equal('Why 90?');
      const rows = [...why.querySelectorAll('li')].map(text);
      expect(rows[0]).to.equal('Base score 50');
      expect(rows[1]).to.equal('High-value keywords: “botox” +10 “I saw your ad about botox”');
      expect(rows[2]).to.contain('-20');
      expect(why.querySelectorAll('.points.neg')).to.have.length(1);
      expect(rows[3]).to.contain('“this week if you have any”');
    });

    it('lists the calls newest first with "22 Jan, 14:30", "2m 45s" and the first 100 characters', async () => {
      const lead = makeLead();
      const { el } = await renderDetail(lead, { detail: richDetail });
      const calls = parts(el, 'call');
      expect(calls.map((c) => c.dataset.call)).to.deep.equal(['c-new', 'c-old']);
      const meta = text(calls[0].querySelector('.call-meta'));
      expect(meta).to.contain('22 Jan, 14:30');
      expect(meta).to.contain('2m 45s');
      expect(meta).to.contain('Score 50 → 90');
      expect(text(calls[0].querySelector('.snippet'))).to.equal(`${LONG_TRANSCRIPT.slice(0, 100).trimEnd()}…`);
      expect(text(calls[1].querySelector('.call-meta'))).to.contain('12s');
      expect(text(calls[1].querySelector('.call-meta'))).to.contain('voicemail');
      expect(calls[1].querySelector('[part~="transcript-toggle"]')).to.equal(null);
    });

    it('shows at most the last 5 calls', async () => {
      const lead = makeLead();
      const many = Array.from({ length: 7 }, (_, i) =>
        makeCall({ id: `c${i}`, contactId: lead.id, status: 'ended', startedAt: ago(i * 3600_000), createdAt: ago(i * 3600_000), durationSec: 30 }),
      );
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { calls: many }) });
      expect(parts(el, 'call').map((c) => c.dataset.call)).to.deep.equal(['c0', 'c1', 'c2', 'c3', 'c4']);
    });

    it('colours appointments by status', async () => {
      const lead = makeLead();
      const { el } = await renderDetail(lead, { detail: richDetail });
      const statuses = parts(el, 'appointment-status');
      expect(statuses.map(text)).to.deep.equal(['Scheduled', 'Completed', 'Cancelled']);
      const colours = statuses.map((s) => getComputedStyle(s).color);
      expect(new Set(colours).size).to.equal(3);
      // Light theme defaults: accent blue, success green, danger red.
      expect(colours).to.deep.equal(['rgb(29, 78, 216)', 'rgb(6, 118, 71)', 'rgb(180, 35, 24)']);
    });

    it('shows the timeline newest first, in words', async () => {
      const lead = makeLead();
      const { el } = await renderDetail(lead, { detail: richDetail });
      const items = [...part(el, 'timeline')!.querySelectorAll('li .what')].map(text);
      expect(items).to.deep.equal(['Opted out of texts (Replied STOP)', 'Text sent by Ann: “See you Thursday at 4pm!”', 'Status New → Contacted by Ann', 'Lead created as New by Ann']);
    });

    it('has no axe violations in light', async () => {
      const { el } = await renderDetail(makeLead({ email: 'a@b.co' }), { detail: richDetail, theme: 'light' });
      await expect(el).to.be.accessible();
    });

    it('has no axe violations in dark', async () => {
      const { el } = await renderDetail(makeLead({ email: 'a@b.co' }), { detail: richDetail, theme: 'dark' });
      expect(getComputedStyle(dialogOf(el)).backgroundColor).to.equal('rgb(22, 27, 34)');
      await expect(el).to.be.accessible();
    });

    it('is full-screen at a phone width, with 44px touch targets and no axe violations', async () => {
      await setViewport({ width: 390, height: 844 });
      const { el } = await renderDetail(makeLead({ email: 'a@b.co' }), { detail: richDetail });
      const box = dialogOf(el).getBoundingClientRect();
      expect(box.width).to.equal(390);
      expect(box.height).to.equal(844);
      const targets = el.shadowRoot!.querySelectorAll<HTMLElement>('button, a[href]');
      expect(targets.length).to.be.greaterThan(8);
      for (const t of targets) {
        if (t.getClientRects().length === 0) continue;
        expect(t.getBoundingClientRect().height, `${t.getAttribute('part') ?? text(t)}`).to.be.at.least(44);
      }
      await expect(el).to.be.accessible();
    });
  });

  describe('invalid phone', () => {
    it('keeps the tel: link and says clearly that the number is invalid', async () => {
      const lead = makeLead({ phone: '555-1234', phoneValid: false });
      const { el } = await renderDetail(lead);
      expect(part(el, 'phone')!.getAttribute('href')).to.equal('tel:555-1234');
      const warning = part(el, 'phone-warning')!;
      expect(text(warning)).to.contain('Invalid phone number.');
      expect(text(warning)).to.contain('“555-1234”');
      await expect(el).to.be.accessible();
    });
  });

  describe('workflow', () => {
    it('offers only the transitions the server allows', async () => {
      const lead = makeLead({ leadStatus: 'qualified' });
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: ['booked', 'converted', 'lost'] }) });
      expect(transitionLabels(el)).to.deep.equal(['booked', 'converted', 'lost']);
      expect(parts(el, 'transition').map(text)).to.deep.equal(['Mark booked', 'Mark converted', 'Mark lost']);
      expect(part(el, 'undo-button')).to.equal(null);
      expect(part(el, 'revert-button')).to.equal(null);
    });

    it('sends the PATCH with the status the user saw, fires the events and refetches', async () => {
      const lead = makeLead({ leadStatus: 'contacted' });
      const { el, backend, setDetail } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: ['qualified', 'booked', 'converted', 'lost'] }) });
      const request = oneEvent(el, 'lead-status-change-request');
      const change = oneEvent(el, 'lead-status-change');
      setDetail(makeDetail({ ...lead, leadStatus: 'booked' }, { allowedTransitions: ['converted', 'lost'] }));
      parts(el, 'transition').find((b) => b.dataset.status === 'booked')!.click();
      expect((await request).detail).to.deep.include({ from: 'contacted', to: 'booked' });
      expect((await change).detail.lead.leadStatus).to.equal('booked');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ status: 'booked', expectedStatus: 'contacted' });
      await waitFor(() => transitionLabels(el).join() === 'converted,lost', 'refetched transitions');
      expect(text(part(el, 'status-badge'))).to.equal('Booked');
    });

    it('on 409 STALE_LEAD shows the current state and a clear message', async () => {
      const lead = makeLead({ leadStatus: 'new' });
      const backend = new FakeBackend([{ ...lead, leadStatus: 'booked', version: 3 }]);
      const { el, setDetail } = await renderDetail(lead, { backend });
      setDetail(makeDetail({ ...lead, leadStatus: 'booked', version: 3 }, { allowedTransitions: ['converted', 'lost'] }));
      // The host hears only changes that happened: a stale change fires no lead-status-change.
      const changes: Event[] = [];
      const onChange = (e: Event) => changes.push(e);
      el.addEventListener('lead-status-change', onChange);
      document.addEventListener('lead-status-change', onChange);
      const requested = oneEvent(el, 'lead-status-change-request');
      parts(el, 'transition').find((b) => b.dataset.status === 'qualified')!.click();
      await requested;
      await waitFor(() => el.shadowRoot!.querySelector('.status-message'), 'stale message');
      await el.updateComplete;
      el.removeEventListener('lead-status-change', onChange);
      document.removeEventListener('lead-status-change', onChange);
      expect(changes, 'lead-status-change events for a stale change').to.have.length(0);
      const message = text(el.shadowRoot!.querySelector('.status-message'));
      expect(message).to.contain('Someone else changed this lead');
      expect(message).to.contain('it is now Booked');
      expect(message).to.contain('Your change to Qualified was not saved');
      expect(text(part(el, 'status-badge'))).to.equal('Booked');
      await waitFor(() => transitionLabels(el).join() === 'converted,lost', 'current transitions');
      await expect(el).to.be.accessible();
    });

    it('shows the API message inline when a change is refused', async () => {
      const lead = makeLead({ leadStatus: 'new' });
      const backend = new FakeBackend([lead]);
      backend.overrides.push((r) => (r.method === 'PATCH' ? error(422, 'INVALID_TRANSITION', 'A new lead cannot be converted directly.') : undefined));
      const { el } = await renderDetail(lead, { backend });
      parts(el, 'transition').find((b) => b.dataset.status === 'converted')!.click();
      await waitFor(() => el.shadowRoot!.querySelector('.status-message'), 'error message');
      expect(text(el.shadowRoot!.querySelector('.status-message'))).to.equal('A new lead cannot be converted directly.');
    });
  });

  describe('lost, within the undo window', () => {
    it('marking lost shows Undo, which reverts through the API', async () => {
      const lead = makeLead({ leadStatus: 'qualified' });
      const { el, backend, setDetail } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: ['booked', 'converted', 'lost'] }) });
      setDetail(
        makeDetail({ ...lead, leadStatus: 'lost', lostFrom: 'qualified', lostBy: 'u1', lostAt: new Date().toISOString() }, { allowedTransitions: [], canUndoLost: true }),
      );
      parts(el, 'transition').find((b) => b.dataset.status === 'lost')!.click();
      // Not ready now: the 90-day revisit is offered, on by default.
      await pickLostReason(el.shadowRoot!, 'not_ready');
      await waitFor(() => part(el, 'undo-button'), 'undo button');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({
        status: 'lost',
        expectedStatus: 'qualified',
        lostReason: 'not_ready',
        revisitInDays: 90,
      });
      expect(el.shadowRoot!.querySelector('lost-reason-dialog')).to.equal(null);
      expect(text(part(el, 'undo-button'))).to.equal('Undo Lost (back to Qualified)');
      expect(transitionLabels(el)).to.deep.equal([]);
      await expect(el).to.be.accessible();
      setDetail(makeDetail({ ...lead, leadStatus: 'qualified' }, { allowedTransitions: ['booked', 'converted', 'lost'] }));
      const change = oneEvent(el, 'lead-status-change');
      part(el, 'undo-button')!.click();
      expect((await change).detail).to.deep.include({ from: 'lost', to: 'qualified' });
      expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/revert`)).to.have.length(1);
      await waitFor(() => !part(el, 'undo-button'), 'undo gone');
      expect(text(part(el, 'status-badge'))).to.equal('Qualified');
    });

    it('asks why inside the detail: Escape cancels (nothing sent, focus back on Mark lost), Other needs a note', async () => {
      const lead = makeLead({ leadStatus: 'contacted' });
      const { el, backend } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: ['qualified', 'lost'] }) });
      const button = parts(el, 'transition').find((b) => b.dataset.status === 'lost')!;
      button.focus();
      button.click();
      const dialog = await lostDialogIn(el.shadowRoot!);
      // Stacked inside the detail's own modal dialog, labelled by its question.
      expect(dialogOf(el).contains(dialog)).to.equal(true);
      const inner = dialog.shadowRoot!.querySelector('dialog')!;
      expect(inner.getAttribute('aria-labelledby')).to.equal('lt');
      expect(text(dialog.shadowRoot!.getElementById('lt'))).to.equal('Why was this lead lost?');
      await sendKeys({ press: 'Escape' });
      await waitFor(() => !el.shadowRoot!.querySelector('lost-reason-dialog'), 'dialog gone');
      expect(el.open).to.equal(true);
      expect(deepActiveElement()).to.equal(button);
      expect(backend.requestsTo('PATCH', /./)).to.have.length(0);

      button.click();
      const again = await lostDialogIn(el.shadowRoot!);
      const r = again.shadowRoot!;
      r.querySelector<HTMLInputElement>('input[value="other"]')!.click();
      r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await again.updateComplete;
      expect(text(r.querySelector('[role="alert"]'))).to.equal('Say why the lead was lost.');
      expect(r.activeElement).to.equal(r.querySelector('input.note'));
      expect(r.querySelector('input.note')!.getAttribute('aria-invalid')).to.equal('true');
      expect(backend.requestsTo('PATCH', /./)).to.have.length(0);
      await sendKeys({ type: 'Moved away' });
      await sendKeys({ press: 'Enter' });
      await waitFor(() => backend.requestsTo('PATCH', /./).length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', /./)[0].body).to.deep.equal({ status: 'lost', expectedStatus: 'contacted', lostReason: 'other', lostNote: 'Moved away' });
    });

    it('hides Undo when the 10 s window is over', async () => {
      const lead = makeLead({ leadStatus: 'lost', lostFrom: 'new', lostBy: 'u1', lostAt: ago(9_500) });
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: [], canUndoLost: true }) });
      expect(part(el, 'undo-button')).to.exist;
      await waitFor(() => !part(el, 'undo-button'), 'undo expired', 2500);
      expect(text(part(el, 'status-control'))).to.contain('Lost is final (was New)');
    });
  });

  describe('what is next', () => {
    it('the header shows the next appointment and follow-up (clinic time) and, once lost, the reason', async () => {
      const soon = new Date(Date.now() + 2 * 86400_000);
      soon.setUTCMinutes(30, 0, 0);
      const lead = makeLead({ leadStatus: 'lost', lostReason: 'price', lostNote: null, nextAppointmentAt: soon.toISOString(), nextFollowUpAt: ago(3600_000) });
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: [] }) });
      const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(soon);
      expect(text(part(el, 'appointment'))).to.equal(`Appointment ${day}`);
      expect(text(part(el, 'follow-up'))).to.match(/^Follow-up overdue \w{3} \d{1,2}:\d{2} [AP]M$/);
      expect(text(part(el, 'lost-reason'))).to.equal('Lost: Price');
      await expect(el).to.be.accessible();
    });
  });

  describe('follow-ups and contact edits', () => {
    it('Follow up schedules from the detail (the dialog stacks on it) and refetches the lead', async () => {
      const lead = makeLead({ leadStatus: 'contacted' });
      const { el, backend } = await renderDetail(lead);
      const before = backend.requestsTo('GET', `/v1/leads/${lead.id}`).length;
      part(el, 'follow-up-button')!.click();
      await waitFor(() => el.shadowRoot!.querySelector('follow-up-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'dialog');
      const d = el.shadowRoot!.querySelector('follow-up-dialog')!;
      expect(dialogOf(el).contains(d)).to.equal(true);
      expect(d.timeZone).to.equal('UTC');
      d.shadowRoot!.querySelector<HTMLInputElement>('input[value="tomorrow_morning"]')!.click();
      d.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      await waitFor(() => backend.requestsTo('POST', `/v1/leads/${lead.id}/follow-ups`).length === 1, 'POST');
      const due = new Date((backend.requestsTo('POST', /follow-ups/)[0].body as { dueAt: string }).dueAt);
      expect([due.getUTCHours(), due.getUTCMinutes()]).to.deep.equal([9, 0]);
      await waitFor(() => backend.requestsTo('GET', `/v1/leads/${lead.id}`).length > before, 'refetch');
      expect(el.open).to.equal(true);
    });

    it('"Edit contact" in the invalid-phone note opens the form on the phone; saving fires lead-contact-change to the host', async () => {
      const lead = makeLead({ phone: '0044 7911 123456', phoneValid: false });
      const backend = new FakeBackend([{ ...lead }]);
      const { el } = await renderDetail(lead, { backend });
      const request = oneEvent(document, 'lead-contact-change-request');
      part(el, 'phone-warning')!.querySelector<HTMLButtonElement>('[part="edit-contact"]')!.click();
      expect((await request).detail).to.deep.include({ field: 'phone' });
      await waitFor(() => el.shadowRoot!.querySelector('contact-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'form');
      const d = el.shadowRoot!.querySelector('contact-dialog')!;
      await d.updateComplete;
      const phone = d.shadowRoot!.querySelector<HTMLInputElement>('#c-phone')!;
      expect(d.shadowRoot!.activeElement).to.equal(phone);
      expect(phone.value).to.equal('0044 7911 123456');
      phone.value = '+44 7911 123456';
      phone.dispatchEvent(new InputEvent('input'));
      const change = oneEvent(document, 'lead-contact-change');
      d.shadowRoot!.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
      const { detail } = await change;
      expect(detail.changes).to.deep.equal({ phone: '+44 7911 123456' });
      expect(detail.lead.phone).to.equal('+447911123456');
      await waitFor(() => !part(el, 'phone-warning'), 'the warning goes');
      expect(text(part(el, 'phone'))).to.contain('+447911123456'.slice(3, 7));
    });
  });

  describe('the open follow-ups (Done, Snooze, Delete)', () => {
    const HOUR = 3_600_000;
    function followUp(id: string, leadId: string, dueAt: number, extra: Partial<FollowUp> = {}): FollowUp {
      const at = new Date().toISOString();
      return { id, contactId: leadId, dueAt: new Date(dueAt).toISOString(), note: null, status: 'open', source: 'manual', createdBy: { id: 'u1', name: 'Ann' }, createdAt: at, updatedAt: at, doneAt: null, doneBy: null, remindedAt: null, ...extra };
    }
    async function setup() {
      const lead = makeLead({ leadStatus: 'contacted' });
      const backend = new FakeBackend([lead]);
      const overdue = followUp('f-over', lead.id, Date.now() - 2 * HOUR, { note: 'Ask about the package' });
      const later = followUp('f-later', lead.id, Date.now() + 10 * 86400_000, { source: 'callback' });
      backend.followUps = [later, overdue];
      Object.assign(lead, { nextFollowUpAt: overdue.dueAt, nextFollowUpId: overdue.id });
      const r = await renderDetail(lead, { backend });
      // Serve the backend's own detail (with its follow-ups) from now on.
      backend.overrides.length = 0;
      await r.el.refresh();
      const list = () => r.el.shadowRoot!.querySelector('follow-up-list')!;
      await waitFor(() => list()?.shadowRoot?.querySelectorAll('li').length === 2, 'the list');
      const items = () => [...list().shadowRoot!.querySelectorAll<HTMLElement>('li')];
      const buttonIn = (li: Element, label: string) => [...li.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b).startsWith(label))!;
      return { ...r, lead, list, items, buttonIn };
    }

    it('lists them earliest first with their due state, note and source', async () => {
      const { el, items } = await setup();
      expect(text(part(el, 'follow-ups')!.querySelector('h3'))).to.equal('Follow-ups');
      const [first, second] = items();
      expect(first.dataset.id).to.equal('f-over');
      expect(text(first)).to.match(/^Overdue · \w{3} \d{1,2}:\d{2} [AP]M Ask about the package Done Snooze Delete$/);
      expect(first.querySelector('.when')!.classList.contains('overdue')).to.equal(true);
      expect(text(second)).to.contain('Callback the lead asked for');
      await expect(el).to.be.accessible();
    });

    it('Done sends PATCH { done: true }, drops it from the list and refetches the lead (next follow-up moves on)', async () => {
      const { el, backend, items, buttonIn } = await setup();
      expect(text(part(el, 'follow-up'))).to.match(/^Follow-up overdue/);
      buttonIn(items()[0], 'Done').click();
      await waitFor(() => backend.requestsTo('PATCH', '/v1/follow-ups/f-over').length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', '/v1/follow-ups/f-over')[0].body).to.deep.equal({ done: true });
      await waitFor(() => items().length === 1 && items()[0].dataset.id === 'f-later', 'the list');
      await waitFor(() => /^Follow-up \w{3} \d{1,2}/.test(text(part(el, 'follow-up'))), 'header shows the next one');
      await waitFor(() => text(el.shadowRoot!.querySelector('leads-toaster')!.shadowRoot).includes('Follow-up done'), 'toast');
      // The keyboard stays in the list: on the next follow-up's Done.
      await waitFor(() => deepActiveElement()?.localName === 'button', 'focus on a button');
      const focused = deepActiveElement();
      expect(focused?.localName).to.equal('button');
      expect(text(focused)).to.equal('Done');
      expect(items()[0].contains(focused)).to.equal(true);
    });

    it('Snooze offers the quick choices (clinic time) and sends the chosen dueAt', async () => {
      const { backend, items, list, buttonIn } = await setup();
      const snooze = buttonIn(items()[0], 'Snooze');
      expect(snooze.getAttribute('aria-expanded')).to.equal('false');
      snooze.click();
      await list().updateComplete;
      expect(snooze.getAttribute('aria-expanded')).to.equal('true');
      const group = list().shadowRoot!.querySelector(`#${snooze.getAttribute('aria-controls')}`)!;
      expect(group.getAttribute('aria-label')).to.equal('Snooze until');
      const labels = [...group.querySelectorAll('button')].map((b) => b.dataset.choice);
      expect(labels).to.include.members(['tomorrow_morning', 'in_3_days', 'next_week']);
      expect(labels).to.not.include('custom');
      group.querySelector<HTMLButtonElement>('[data-choice="tomorrow_morning"]')!.click();
      await waitFor(() => backend.requestsTo('PATCH', '/v1/follow-ups/f-over').length === 1, 'PATCH');
      const due = new Date((backend.requestsTo('PATCH', '/v1/follow-ups/f-over')[0].body as { dueAt: string }).dueAt);
      expect([due.getUTCHours(), due.getUTCMinutes()]).to.deep.equal([9, 0]);
      expect(due.getTime()).to.be.greaterThan(Date.now());
      // Tomorrow 09:00 is before the one in 10 days: still first, no longer overdue.
      await waitFor(() => items()[0].dataset.id === 'f-over' && !text(items()[0]).startsWith('Overdue'), 'snoozed');
      await waitFor(() => deepActiveElement() === buttonIn(items()[0], 'Snooze'), 'focus back on Snooze');
      expect(buttonIn(items()[0], 'Snooze').getAttribute('aria-expanded')).to.equal('false');
    });

    it('Delete asks first; Keep cancels, Delete sends DELETE', async () => {
      const { backend, items, buttonIn } = await setup();
      buttonIn(items()[1], 'Delete').click();
      await waitFor(() => text(items()[1]).includes('Delete this follow-up?'), 'confirm');
      await waitFor(() => deepActiveElement() === buttonIn(items()[1], 'Keep'), 'focus on Keep (the safe choice)');
      buttonIn(items()[1], 'Keep').click();
      await waitFor(() => !text(items()[1]).includes('Delete this follow-up?'), 'kept');
      await waitFor(() => deepActiveElement() === buttonIn(items()[1], 'Delete'), 'focus back on Delete');
      expect(backend.requestsTo('DELETE', /follow-ups/).length).to.equal(0);
      buttonIn(items()[1], 'Delete').click();
      await waitFor(() => text(items()[1]).includes('Delete this follow-up?'), 'confirm again');
      buttonIn(items()[1], 'Delete').click();
      await waitFor(() => backend.requestsTo('DELETE', '/v1/follow-ups/f-later').length === 1, 'DELETE');
      await waitFor(() => items().length === 1, 'gone');
      expect(backend.followUps.map((f) => f.id)).to.deep.equal(['f-over']);
    });

    it('a refused change says why and keeps the follow-up', async () => {
      const { el, backend, items, buttonIn } = await setup();
      backend.overrides.push((r) => (r.method === 'PATCH' ? error(409, 'CONFLICT', 'Someone else changed this follow-up.') : undefined));
      buttonIn(items()[0], 'Done').click();
      await waitFor(() => text(el.shadowRoot!.querySelector('leads-toaster')!.shadowRoot).includes('Someone else changed this follow-up.'), 'error toast');
      expect(items().length).to.equal(2);
    });

    it('says so when there is none', async () => {
      const { el } = await renderDetail(makeLead());
      await waitFor(() => text(el.shadowRoot!.querySelector('follow-up-list')?.shadowRoot) === 'No open follow-ups.', 'empty');
    });
  });

  describe("the last call's outcome", () => {
    it('shows the latest call\'s outcome with what the lead wanted, and each call\'s in Recent calls', async () => {
      const lead = makeLead({ leadStatus: 'contacted', lastCallOutcome: 'answered' });
      const at = new Date(Date.now() + 2 * 86400_000);
      at.setUTCHours(15, 0, 0, 0);
      const { el } = await renderDetail(lead, {
        detail: (l) =>
          makeDetail(l, {
            calls: [
              makeCall({ id: 'c2', contactId: l.id, status: 'ended', startedAt: '2025-01-22T14:30:00Z', createdAt: '2025-01-22T14:30:00Z', durationSec: 60, outcome: 'answered', intent: 'callback_requested', requestedAt: at.toISOString() }),
              makeCall({ id: 'c1', contactId: l.id, status: 'ended', startedAt: '2025-01-20T09:05:00Z', createdAt: '2025-01-20T09:05:00Z', durationSec: 12, outcome: 'voicemail', intent: null }),
            ],
          }),
      });
      const when = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'short', hour: 'numeric', minute: '2-digit' }).format(at).replace(',', '');
      expect(text(part(el, 'call-outcome'))).to.equal(`Last call: Asked for a callback ${when}`);
      const calls = parts(el, 'call');
      expect(text(calls[0].querySelector('.outcome'))).to.equal(`Asked for a callback ${when}`);
      expect(text(calls[1].querySelector('.outcome'))).to.equal('Voicemail');
      expect(part(el, 'suggest-lost')).to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('falls back to lastCallOutcome without calls, and shows nothing without either', async () => {
      const { el } = await renderDetail(makeLead({ lastCallOutcome: 'no_answer' }));
      expect(text(part(el, 'call-outcome'))).to.equal('Last call: No answer');
      const none = await renderDetail(makeLead({ lastCallOutcome: null }));
      expect(part(none.el, 'call-outcome')).to.equal(null);
    });

    it('"Not interested — Mark lost?" opens the Lost dialog on the detail; only a confirmed reason marks it lost', async () => {
      const lead = makeLead({ leadStatus: 'contacted', lastCallOutcome: 'answered' });
      const backend = new FakeBackend([{ ...lead }]);
      const { el } = await renderDetail(lead, {
        backend,
        detail: (l) => makeDetail(l, { calls: [makeCall({ id: 'c9', contactId: l.id, status: 'ended', durationSec: 20, outcome: 'answered', intent: 'not_interested' })] }),
      });
      expect(text(part(el, 'call-outcome'))).to.equal('Last call: Not interested — Mark lost?');
      part(el, 'suggest-lost')!.click();
      const dialog = await lostDialogIn(el.shadowRoot!);
      expect(dialogOf(el).contains(dialog)).to.equal(true);
      expect(backend.requestsTo('PATCH', /\/v1\/leads\//)).to.have.length(0);
      await pickLostReason(el.shadowRoot!, 'price', { revisit: false });
      await waitFor(() => backend.requestsTo('PATCH', `/v1/leads/${lead.id}`).length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.include({ status: 'lost', lostReason: 'price' });
    });

    it('offers no "Mark lost?" when Lost is not an allowed move', async () => {
      const lead = makeLead({ leadStatus: 'converted' });
      const { el } = await renderDetail(lead, {
        detail: (l) => makeDetail(l, { allowedTransitions: [], calls: [makeCall({ id: 'c8', contactId: l.id, status: 'ended', outcome: 'answered', intent: 'not_interested' })] }),
      });
      expect(text(part(el, 'call-outcome'))).to.equal('Last call: Not interested');
    });
  });

  describe('lost, admin', () => {
    it('shows Revert, which restores the previous status', async () => {
      const lead = makeLead({ leadStatus: 'lost', lostFrom: 'booked', lostBy: 'u9', lostAt: ago(86400_000) });
      const backend = new FakeBackend([lead]);
      const { el, setDetail } = await renderDetail(lead, { backend, role: 'admin', detail: (l) => makeDetail(l, { allowedTransitions: [], canRevertLost: true }) });
      expect(part(el, 'undo-button')).to.equal(null);
      const revert = part(el, 'revert-button')!;
      expect(text(revert)).to.equal('Revert to Booked');
      await expect(el).to.be.accessible();
      setDetail(makeDetail({ ...lead, leadStatus: 'booked', lostFrom: null }, { allowedTransitions: ['converted', 'lost'] }));
      const change = oneEvent(el, 'lead-status-change');
      revert.click();
      expect((await change).detail).to.deep.include({ from: 'lost', to: 'booked' });
      await waitFor(() => transitionLabels(el).join() === 'converted,lost');
      expect(part(el, 'revert-button')).to.equal(null);
    });

    it('an agent sees neither Undo nor Revert on an old lost lead', async () => {
      const lead = makeLead({ leadStatus: 'lost', lostFrom: 'booked', lostBy: 'u9', lostAt: ago(86400_000) });
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: [] }) });
      expect(part(el, 'undo-button')).to.equal(null);
      expect(part(el, 'revert-button')).to.equal(null);
      expect(text(part(el, 'status-control'))).to.contain('an admin can revert it');
    });
  });

  describe('converted', () => {
    it('offers no transitions', async () => {
      const lead = makeLead({ leadStatus: 'converted' });
      const { el } = await renderDetail(lead, { detail: (l) => makeDetail(l, { allowedTransitions: [] }) });
      expect(parts(el, 'transition')).to.have.length(0);
      expect(text(part(el, 'status-control'))).to.contain('Converted is final.');
      await expect(el).to.be.accessible();
    });
  });

  describe('transcripts', () => {
    it('loads the full transcript on click and shows the messages by speaker', async () => {
      const lead = makeLead({ name: 'Maria Lopez' });
      const backend = new FakeBackend([lead]);
      backend.overrides.push((r) =>
        r.method === 'GET' && r.path === '/v1/calls/c-new'
          ? {
              status: 200,
              body: {
                call: makeCall({
                  id: 'c-new',
                  contactId: lead.id,
                  status: 'ended',
                  transcript: LONG_TRANSCRIPT,
                  messages: [
                    { role: 'agent', text: 'Hello, this is the clinic.', at: null },
                    { role: 'lead', text: 'Hi, I want botox this week.', at: null },
                  ],
                }),
              },
            }
          : undefined,
      );
      const { el } = await renderDetail(lead, { backend, detail: richDetail });
      const toggle = part(el, 'transcript-toggle')!;
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      expect(part(el, 'transcript')).to.equal(null);
      toggle.click();
      await waitFor(() => part(el, 'transcript'), 'transcript');
      expect(toggle.getAttribute('aria-expanded')).to.equal('true');
      expect(el.shadowRoot!.getElementById(toggle.getAttribute('aria-controls')!)!.contains(part(el, 'transcript'))).to.equal(true);
      const msgs = [...part(el, 'transcript')!.querySelectorAll('li')];
      expect(msgs.map((m) => text(m.querySelector('.speaker')))).to.deep.equal(['Agent', 'Maria Lopez']);
      expect(msgs.map((m) => text(m.querySelector('.text')))).to.deep.equal(['Hello, this is the clinic.', 'Hi, I want botox this week.']);
      expect(msgs[1].classList.contains('msg--lead')).to.equal(true);
      expect(backend.requestsTo('GET', '/v1/calls/c-new')).to.have.length(1);
      await expect(el).to.be.accessible();
      // Collapse and open again: no second request.
      toggle.click();
      await el.updateComplete;
      expect(toggle.getAttribute('aria-expanded')).to.equal('false');
      toggle.click();
      await el.updateComplete;
      expect(part(el, 'transcript')).to.exist;
      expect(backend.requestsTo('GET', '/v1/calls/c-new')).to.have.length(1);
    });

    it('says so when the transcript cannot be loaded', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      backend.overrides.push((r) => (r.path.startsWith('/v1/calls/') ? error(404, 'NOT_FOUND', 'This call no longer exists.') : undefined));
      const { el } = await renderDetail(lead, { backend, detail: richDetail });
      part(el, 'transcript-toggle')!.click();
      await waitFor(() => el.shadowRoot!.querySelector('.call .error-text'));
      expect(text(el.shadowRoot!.querySelector('.call .error-text'))).to.equal('This call no longer exists.');
    });
  });

  describe('notes', () => {
    it('adds a note typed with the keyboard: shown at once, then saved', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      backend.overrides.push(async (r) => {
        if (r.method !== 'POST' || !r.path.endsWith('/notes')) return undefined;
        await gate;
        const body = (r.body as { body: string }).body;
        return { status: 201, body: { note: { id: 'n-new', contactId: lead.id, body, authorId: 'u1', authorName: 'Ann', createdAt: new Date().toISOString() } } };
      });
      const { el } = await renderDetail(lead, { backend, detail: richDetail });
      const input = part(el, 'note-input') as HTMLTextAreaElement;
      const submit = part(el, 'note-submit') as HTMLButtonElement;
      expect(submit.disabled).to.equal(true);
      input.focus();
      await sendKeys({ type: 'Wants a quote' });
      await el.updateComplete;
      expect(submit.disabled).to.equal(false);
      submit.click();
      await el.updateComplete;
      const first = () => el.shadowRoot!.querySelector('[part~="notes"] li.note');
      expect(text(first()?.querySelector('p'))).to.equal('Wants a quote');
      expect(first()!.classList.contains('pending')).to.equal(true);
      expect(input.value).to.equal('');
      release();
      await waitFor(() => !first()!.classList.contains('pending'), 'saved');
      expect(text(first()?.querySelector('p'))).to.equal('Wants a quote');
      expect(text(first()?.querySelector('.by'))).to.contain('Ann');
      expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/notes`)[0].body).to.deep.equal({ body: 'Wants a quote' });
      expect(el.shadowRoot!.querySelectorAll('[part~="notes"] li.note')).to.have.length(2);
    });

    it('keeps the text and shows the error when saving fails', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      backend.overrides.push((r) => (r.path.endsWith('/notes') ? error(422, 'VALIDATION_FAILED', 'A note needs some text.') : undefined));
      const { el } = await renderDetail(lead, { backend });
      const input = part(el, 'note-input') as HTMLTextAreaElement;
      input.focus();
      await sendKeys({ type: 'Call back Monday' });
      await sendKeys({ down: 'Control' });
      await sendKeys({ press: 'Enter' });
      await sendKeys({ up: 'Control' });
      await waitFor(() => el.shadowRoot!.querySelector('#note-error'), 'note error');
      expect(text(el.shadowRoot!.querySelector('#note-error'))).to.equal('A note needs some text.');
      expect(input.value).to.equal('Call back Monday');
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(el.shadowRoot!.querySelectorAll('[part~="notes"] li.note')).to.have.length(0);
      await expect(el).to.be.accessible();
    });
  });

  describe('Call Now', () => {
    it('shows "Calling..." with a spinner, then follows the live call state', async () => {
      const lead = makeLead({ id: 'lead-dcall' });
      const backend = new FakeBackend([lead]);
      const { el, live } = await renderDetail(lead, { backend });
      backend.delay = 150;
      const started = oneEvent(el, 'call-started');
      part(el, 'call-button')!.click();
      await el.updateComplete;
      const button = part(el, 'call-button') as HTMLButtonElement;
      expect(text(button)).to.equal('Calling...');
      expect(button.querySelector('.spinner')).to.exist;
      expect(button.disabled).to.equal(true);
      const { detail } = await started;
      backend.delay = 0;
      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'ringing' }) });
      await el.updateComplete;
      expect(text(part(el, 'call-button'))).to.equal('Ringing...');
      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'in-progress' }) });
      await el.updateComplete;
      expect(text(part(el, 'call-button'))).to.equal('On call');
      expect(text(el.shadowRoot!.querySelector('.call-state'))).to.equal('On the call');
      live.push('call:updated', { call: makeCall({ id: detail.call.id, contactId: lead.id, status: 'ended', durationSec: 165, transcript: 'Yes please' }) });
      await el.updateComplete;
      expect(text(el.shadowRoot!.querySelector('.call-state'))).to.equal('Call ended · 2m 45s');
      expect(text(part(el, 'call-button'))).to.equal('Call Now');
      // The live call joined the list.
      expect(parts(el, 'call').map((c) => c.dataset.call)).to.include(detail.call.id);
    });

    for (const [code, href] of [
      ['OUTBOUND_AGENT_NOT_CONFIGURED', '/settings/agent'],
      ['NO_PHONE_NUMBER', '/settings/phone'],
      ['INVALID_PHONE_FORMAT', '/settings/phone'],
    ]) {
      it(`shows the call-error-guide for ${code}`, async () => {
        // a valid lead number with INVALID_PHONE_FORMAT: the clinic's number is the one to fix (phone settings); the
        // lead's own bad number is the guide's other case (call-error-guide.test.ts)
        const lead = code === 'INVALID_PHONE_FORMAT' ? makeLead({ phone: '+12125551234', phoneValid: true }) : makeLead({ phone: '2125551234', phoneValid: false });
        const backend = new FakeBackend([lead]);
        backend.overrides.push((r) => (r.path.endsWith('/calls') ? error(422, code, 'Refused') : undefined));
        const { el } = await renderDetail(lead, { backend });
        setTimeout(() => part(el, 'call-button')!.click());
        const failed = await oneEvent(el, 'call-failed');
        expect(failed.detail.error.code).to.equal(code);
        await el.updateComplete;
        const guide = el.shadowRoot!.querySelector('call-error-guide')!;
        // Loaded on first use (lazy.ts), then upgraded with the properties it was given.
        await customElements.whenDefined('call-error-guide');
        expect(guide.code).to.equal(code);
        await guide.updateComplete;
        expect(guide.shadowRoot!.querySelector('[part="settings-link"]')!.getAttribute('href')).to.equal(href);
        await expect(el).to.be.accessible();
      });
    }
  });

  describe('SMS', () => {
    it('asks the host for the composer (cancelable) and does not open its own when prevented', async () => {
      const lead = makeLead();
      const { el } = await renderDetail(lead);
      el.addEventListener('sms-compose-request', (e) => e.preventDefault());
      setTimeout(() => part(el, 'sms-button')!.click());
      const request = await oneEvent(el, 'sms-compose-request');
      expect(request.detail.lead.id).to.equal(lead.id);
      expect(request.cancelable && request.composed && request.bubbles).to.equal(true);
      await el.updateComplete;
      expect(el.shadowRoot!.querySelector('sms-composer')).to.equal(null);
    });

    it('standing alone, opens its own composer; closing it gives focus back to the SMS button', async () => {
      const lead = makeLead();
      const { el } = await renderDetail(lead);
      let closes = 0;
      el.addEventListener('dialog-close', () => closes++);
      part(el, 'sms-button')!.focus();
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      const composer = el.shadowRoot!.querySelector('sms-composer')!;
      expect(composer).to.exist;
      await composer.updateComplete;
      expect(composer.shadowRoot!.querySelector('dialog')!.open).to.equal(true);
      expect(deepActiveElement()).to.equal(composer.shadowRoot!.querySelector('textarea'));
      await sendKeys({ press: 'Escape' });
      await waitFor(() => !el.shadowRoot!.querySelector('sms-composer'), 'composer closed');
      expect(dialogOf(el).open).to.equal(true);
      expect(closes).to.equal(0);
      expect(deepActiveElement()).to.equal(part(el, 'sms-button'));
    });
  });

  describe('inside leads-board', () => {
    it("opens from a card, stacks the board's composer on top for SMS, and gives focus back on each close", async () => {
      const lead = makeLead({ name: 'Maria Lopez' });
      const backend = new FakeBackend([lead]);
      const board = await fixture<HTMLElement & { updateComplete: Promise<boolean> }>(
        html`<leads-board theme="light" .api=${backend.client} .live=${new FakeLive()}></leads-board>`,
      );
      await waitFor(() => board.shadowRoot!.querySelector('lead-card'), 'card');
      const card = board.shadowRoot!.querySelector('lead-card')!;
      card.focus();
      await sendKeys({ press: 'Space' });
      await waitFor(() => board.shadowRoot!.querySelector('lead-detail'), 'detail');
      const detail = board.shadowRoot!.querySelector('lead-detail')!;
      await waitFor(() => part(detail, 'status-control'), 'detail loaded');
      expect(dialogOf(detail).open).to.equal(true);
      part(detail, 'sms-button')!.focus();
      await sendKeys({ press: 'Enter' });
      await waitFor(() => board.shadowRoot!.querySelector('sms-composer'), 'composer');
      const composer = board.shadowRoot!.querySelector('sms-composer')!;
      await composer.updateComplete;
      expect(composer.shadowRoot!.querySelector('dialog')!.matches(':modal')).to.equal(true);
      expect(detail.shadowRoot!.querySelector('sms-composer')).to.equal(null);
      expect(deepActiveElement()).to.equal(composer.shadowRoot!.querySelector('textarea'));
      await sendKeys({ press: 'Escape' });
      await waitFor(() => !board.shadowRoot!.querySelector('sms-composer'), 'composer closed');
      expect(dialogOf(detail).open).to.equal(true);
      expect(deepActiveElement()).to.equal(part(detail, 'sms-button'));
      await sendKeys({ press: 'Escape' });
      await waitFor(() => !board.shadowRoot!.querySelector('lead-detail'), 'detail closed');
      await board.updateComplete;
      expect(board.shadowRoot!.activeElement).to.equal(card);
    });
  });

  describe('live updates', () => {
    it('applies lead:updated for this lead and refetches what depends on it', async () => {
      const lead = makeLead({ leadStatus: 'new', version: 1 });
      const { el, live, backend, setDetail } = await renderDetail(lead);
      const before = backend.requestsTo('GET', `/v1/leads/${lead.id}`).length;
      setDetail(makeDetail({ ...lead, leadStatus: 'contacted', version: 2 }, { allowedTransitions: ['qualified', 'booked', 'converted', 'lost'] }));
      live.push('lead:updated', { lead: { ...lead, leadStatus: 'contacted', leadScore: 72, tier: 'warm', version: 2 } });
      await el.updateComplete;
      expect(text(part(el, 'status-badge'))).to.equal('Contacted');
      expect(text(part(el, 'score-badge'))).to.equal('☀️ Warm 72');
      await waitFor(() => backend.requestsTo('GET', `/v1/leads/${lead.id}`).length === before + 1, 'refetch');
      await waitFor(() => transitionLabels(el)[0] === 'qualified');
    });

    it('ignores other leads and older versions', async () => {
      const lead = makeLead({ leadStatus: 'contacted', version: 5 });
      const { el, live } = await renderDetail(lead);
      live.push('lead:updated', { lead: { ...lead, id: 'someone-else', leadStatus: 'lost' } });
      live.push('lead:updated', { lead: { ...lead, leadStatus: 'new', version: 4 } });
      await el.updateComplete;
      expect(text(part(el, 'status-badge'))).to.equal('Contacted');
    });

    it('refetches the timeline on sms:updated for this lead', async () => {
      const lead = makeLead();
      const { el, live, backend, setDetail } = await renderDetail(lead);
      setDetail(
        makeDetail(lead, {
          timeline: [{ id: 'e9', contactId: lead.id, type: 'sms', from: null, to: 'queued', actor: { id: 'u1', name: 'Ann' }, detail: null, at: ago(0) }],
        }),
      );
      const before = backend.requestsTo('GET', `/v1/leads/${lead.id}`).length;
      live.push('sms:updated', { sms: { id: 's', contactId: 'other' } as never });
      live.push('sms:updated', { sms: { id: 's', contactId: lead.id } as never });
      await waitFor(() => part(el, 'timeline'), 'timeline');
      expect(text(part(el, 'timeline'))).to.contain('Text sent by Ann');
      expect(backend.requestsTo('GET', `/v1/leads/${lead.id}`).length).to.equal(before + 1);
    });
  });

  describe('focus and keyboard', () => {
    it('moves focus into the dialog, traps Tab in both directions, and Esc closes and returns focus', async () => {
      const lead = makeLead({ email: 'a@b.co' });
      const { el, opener } = await renderDetail(lead, { detail: richDetail });
      expect(isInside(el, deepActiveElement())).to.equal(true);
      expect(deepActiveElement()).to.equal(part(el, 'close-x'));
      // Shift+Tab from the first control wraps to the last (Close).
      await shiftTab();
      expect(deepActiveElement()).to.equal(part(el, 'close-button'));
      // Tab from the last wraps to the first.
      await sendKeys({ press: 'Tab' });
      expect(deepActiveElement()).to.equal(part(el, 'close-x'));
      // Walk the whole dialog: focus never leaves it.
      for (let i = 0; i < 40; i++) {
        await sendKeys({ press: 'Tab' });
        expect(isInside(el, deepActiveElement()), `tab ${i}: ${deepActiveElement()?.outerHTML.slice(0, 60)}`).to.equal(true);
      }
      setTimeout(() => sendKeys({ press: 'Escape' }));
      const closed = await oneEvent(el, 'dialog-close');
      expect(closed.detail.reason).to.equal('escape');
      expect(dialogOf(el).open).to.equal(false);
      expect(el.open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('Close and × close with reason "close" and return focus', async () => {
      const { el, opener } = await renderDetail(makeLead());
      setTimeout(() => part(el, 'close-button')!.click());
      expect((await oneEvent(el, 'dialog-close')).detail.reason).to.equal('close');
      expect(document.activeElement).to.equal(opener);
      opener.focus();
      el.open = true;
      await el.updateComplete;
      expect(dialogOf(el).open).to.equal(true);
      setTimeout(() => part(el, 'close-x')!.click());
      await oneEvent(el, 'dialog-close');
      expect(document.activeElement).to.equal(opener);
    });
  });
});
