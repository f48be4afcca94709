import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, sendMouse, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead } from '../../../../core/contracts.js';
import type { LeadsBoard } from './leads-board.js';
import type { LeadCard } from '../lead-card/lead-card.js';
import { error, FakeBackend, FakeLive, makeLead, waitFor } from '../../test/fixtures.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function manyLeads(count: number): Lead[] {
  return Array.from({ length: count }, (_, i) => makeLead({ name: `Person ${String(i + 1).padStart(2, '0')}`, leadScore: 99 - i * 3 }));
}

async function renderBoard(leads: Lead[], opts: { theme?: string; backend?: FakeBackend } = {}) {
  const backend = opts.backend ?? new FakeBackend(leads);
  const live = new FakeLive();
  const board = await fixture<LeadsBoard>(
    html`<leads-board theme=${opts.theme ?? 'light'} agent-settings-url="/s/agent" phone-settings-url="/s/phone" .api=${backend.client} .live=${live}></leads-board>`,
  );
  await waitFor(() => board.shadowRoot!.querySelector('lead-card, [part="empty"], [part="error"]'), 'first page');
  await board.updateComplete;
  return { board, backend, live, root: board.shadowRoot! };
}

const cards = (board: LeadsBoard) => [...board.shadowRoot!.querySelectorAll<LeadCard>('lead-card')];
const names = (board: LeadsBoard) => cards(board).map((c) => c.lead!.name);
const button = (board: LeadsBoard, label: string) =>
  [...board.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b).includes(label) || b.getAttribute('aria-label') === label)!;
const settle = (ms = 300) => new Promise((r) => setTimeout(r, ms));

describe('leads-board', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('loading', () => {
    it('shows skeletons while the first page loads, then the cards in the board order', async () => {
      const backend = new FakeBackend(manyLeads(3));
      backend.delay = 200;
      const live = new FakeLive();
      const board = await fixture<LeadsBoard>(html`<leads-board .api=${backend.client} .live=${live}></leads-board>`);
      const list = board.shadowRoot!.querySelector('[part="list"]')!;
      expect(list.getAttribute('aria-busy')).to.equal('true');
      expect(board.shadowRoot!.querySelectorAll('.skeleton').length).to.be.greaterThan(0);
      await expect(board).to.be.accessible();
      await waitFor(() => cards(board).length === 3);
      expect(names(board)).to.deep.equal(['Person 01', 'Person 02', 'Person 03']);
    });

    it('shows an error with a retry that loads again', async () => {
      const backend = new FakeBackend(manyLeads(2));
      let fail = true;
      backend.overrides.push((r) => (r.path === '/v1/leads' && fail ? error(500, 'INTERNAL', 'Something went wrong (request abc)') : undefined));
      const { board } = await renderBoard([], { backend });
      const err = board.shadowRoot!.querySelector('[part="error"]')!;
      expect(err.getAttribute('role')).to.equal('alert');
      expect(text(err)).to.contain('Something went wrong (request abc)');
      await expect(board).to.be.accessible();
      fail = false;
      button(board, 'Retry').click();
      await waitFor(() => cards(board).length === 2, 'retry');
    });

    it('shows an empty state, and a clear-filters button when filters hide everything', async () => {
      const { board } = await renderBoard([]);
      expect(text(board.shadowRoot!.querySelector('[part="empty"]'))).to.contain('No leads yet');
      const filtered = await renderBoard([makeLead({ leadScore: 20 })]);
      button(filtered.board, 'Hot').click();
      await waitFor(() => filtered.board.shadowRoot!.querySelector('[part="empty"]'));
      expect(text(filtered.board.shadowRoot!.querySelector('[part="empty"]'))).to.contain('No leads match these filters');
      await expect(filtered.board).to.be.accessible();
      button(filtered.board, 'Clear filters').click();
      await waitFor(() => cards(filtered.board).length === 1);
    });
  });

  describe('pages', () => {
    it('shows 20 per page with the page number and total, and moves with Previous / Next', async () => {
      const { board, backend } = await renderBoard(manyLeads(25));
      expect(cards(board)).to.have.length(20);
      expect(text(board.shadowRoot!.querySelector('.page-info'))).to.equal('Page 1 of 2 · 1–20 of 25 leads');
      expect(button(board, 'Previous').disabled).to.equal(true);
      button(board, 'Next').click();
      await waitFor(() => cards(board).length === 5);
      expect(text(board.shadowRoot!.querySelector('.page-info'))).to.equal('Page 2 of 2 · 21–25 of 25 leads');
      expect(backend.requests.at(-1)!.query.get('page')).to.equal('2');
      expect(button(board, 'Next').disabled).to.equal(true);
      button(board, 'Previous').click();
      await waitFor(() => cards(board).length === 20);
    });
  });

  describe('filters and search', () => {
    it('keeps the pressed chip readable under the pointer (its colours win over the button hover)', async () => {
      const { board } = await renderBoard([makeLead({ name: 'Warm One', leadScore: 60 })]);
      const warm = button(board, 'Warm');
      warm.click();
      await waitFor(() => warm.getAttribute('aria-pressed') === 'true');
      await sendMouse({ type: 'move', position: [0, 0] });
      const pressed = getComputedStyle(warm);
      const [bg, fg] = [pressed.backgroundColor, pressed.color];
      const rect = warm.getBoundingClientRect();
      await sendMouse({ type: 'move', position: [Math.round(rect.x + rect.width / 2), Math.round(rect.y + rect.height / 2)] });
      await waitFor(() => warm.matches(':hover'));
      const hovered = getComputedStyle(warm);
      expect(hovered.backgroundColor).to.equal(bg);
      expect(hovered.color).to.equal(fg);
      await sendMouse({ type: 'move', position: [0, 0] });
    });

    it('filters by tier chip and by status, back to page 1', async () => {
      const leads = [makeLead({ name: 'Hot One', leadScore: 90 }), makeLead({ name: 'Warm One', leadScore: 60, leadStatus: 'contacted' }), makeLead({ name: 'Cold One', leadScore: 10 })];
      const { board, backend } = await renderBoard(leads);
      const warm = button(board, 'Warm');
      warm.click();
      await waitFor(() => names(board).join() === 'Warm One');
      expect(warm.getAttribute('aria-pressed')).to.equal('true');
      expect(backend.requests.at(-1)!.query.get('tier')).to.equal('warm');
      board.shadowRoot!.querySelector<HTMLButtonElement>('[part="tier-filter"] button')!.click();
      await waitFor(() => cards(board).length === 3);
      const select = board.shadowRoot!.querySelector<HTMLSelectElement>('[part="status-filter"]')!;
      select.value = 'contacted';
      select.dispatchEvent(new Event('change'));
      await waitFor(() => names(board).join() === 'Warm One');
      expect(backend.requests.at(-1)!.query.get('status')).to.equal('contacted');
      expect(backend.requests.at(-1)!.query.get('page')).to.equal('1');
    });

    it('searches name and phone as the user types, debounced into one request', async () => {
      const leads = [makeLead({ name: 'John Smith', phone: '+12125551234' }), makeLead({ name: 'Ann Lee', phone: '+13105550000' })];
      const { board, backend } = await renderBoard(leads);
      const before = backend.requestsTo('GET', '/v1/leads').length;
      cards(board)[0].focus();
      await sendKeys({ press: '/' });
      const input = board.shadowRoot!.querySelector<HTMLInputElement>('input[type="search"]')!;
      expect(board.shadowRoot!.activeElement === input, 'focus in the search box').to.equal(true);
      await sendKeys({ type: 'smith' });
      await waitFor(() => names(board).join() === 'John Smith', 'search result');
      const searches = backend.requestsTo('GET', '/v1/leads').slice(before);
      expect(searches.map((r) => r.query.get('q'))).to.deep.equal(['smith']);
      input.select();
      await sendKeys({ type: '310' });
      await waitFor(() => names(board).join() === 'Ann Lee', 'phone search');
    });
  });

  describe('views and sorts', () => {
    const tab = (board: LeadsBoard, view: string) => board.shadowRoot!.querySelector<HTMLButtonElement>(`[part="views"] button[data-view="${view}"]`)!;
    function setup() {
      const a = makeLead({ name: 'Ada Hot', leadScore: 90, lastContactAt: new Date(Date.now() - 3 * 86400_000).toISOString(), createdAt: '2025-01-01T00:00:00Z' });
      const b = makeLead({ name: 'Ben Warm', leadScore: 60, lastContactAt: null, createdAt: '2025-03-01T00:00:00Z', nextFollowUpAt: '2025-05-01T09:00:00Z' });
      const c = makeLead({ name: 'Cy Cold', leadScore: 20, lastContactAt: new Date(Date.now() - 86400_000).toISOString(), createdAt: '2025-02-01T00:00:00Z', nextFollowUpAt: '2025-04-01T09:00:00Z' });
      const backend = new FakeBackend([a, b, c]);
      backend.views = { call_today: [a.id], this_week: [b.id], nurture: [c.id], revisit_lost: [] };
      return { backend, a, b, c };
    }

    it('shows the five view tabs with the counts from GET /v1/views, under the same filters', async () => {
      const { backend } = setup();
      const { board } = await renderBoard([], { backend });
      await waitFor(() => board.shadowRoot!.querySelector('[part="view-count"]'), 'counts');
      const tabs = [...board.shadowRoot!.querySelectorAll<HTMLButtonElement>('[part="views"] button')];
      expect(tabs.map(text)).to.deep.equal(['All', 'Call today 1', 'This week 1', 'Nurture 1', 'Revisit lost 0']);
      expect(board.shadowRoot!.querySelector('[part="views"]')!.getAttribute('aria-label')).to.equal('Priority view');
      expect(tab(board, 'all').getAttribute('aria-pressed')).to.equal('true');
      // The counts follow the tier filter; GET /v1/views gets only the filters (it refuses page, sort and view).
      button(board, 'Cold').click();
      await waitFor(() => text(tab(board, 'call_today')) === 'Call today 0', 'counts under the Cold filter');
      const last = backend.requestsTo('GET', '/v1/views').at(-1)!;
      expect([...last.query.keys()]).to.deep.equal(['tier']);
      expect(last.query.get('tier')).to.equal('cold');
      await expect(board).to.be.accessible();
    });

    it('a view tab lists that view (view= on page 1), says what it holds, and All goes back', async () => {
      const { backend } = setup();
      const { board } = await renderBoard([], { backend });
      tab(board, 'this_week').click();
      await waitFor(() => names(board).join() === 'Ben Warm', 'This week');
      expect(tab(board, 'this_week').getAttribute('aria-pressed')).to.equal('true');
      expect(tab(board, 'all').getAttribute('aria-pressed')).to.equal('false');
      const req = backend.requestsTo('GET', '/v1/leads').at(-1)!;
      expect(req.query.get('view')).to.equal('this_week');
      expect(req.query.get('page')).to.equal('1');
      expect(text(board.shadowRoot!.querySelector('.view-desc'))).to.contain('Warm leads not contacted for over 7 days');
      tab(board, 'revisit_lost').click();
      await waitFor(() => text(board.shadowRoot!.querySelector('[part="empty"]')).includes('Nothing in Revisit lost right now'), 'empty view');
      tab(board, 'all').click();
      await waitFor(() => cards(board).length === 3, 'All');
      expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.has('view')).to.equal(false);
    });

    it('the sort select orders the board (sort= sent, score is the default and not sent)', async () => {
      const { backend } = setup();
      const { board } = await renderBoard([], { backend });
      expect(names(board)).to.deep.equal(['Ada Hot', 'Ben Warm', 'Cy Cold']);
      expect(backend.requestsTo('GET', '/v1/leads')[0].query.has('sort')).to.equal(false);
      const select = board.shadowRoot!.querySelector<HTMLSelectElement>('[part="sort"]')!;
      expect(select.getAttribute('aria-label')).to.equal('Sort by');
      expect([...select.options].map((o) => o.textContent!.trim())).to.deep.equal([
        'Score (highest first)',
        'Last contact (oldest first)',
        'Newest first',
        'Next follow-up due',
      ]);
      const choose = async (value: string, expected: string[]) => {
        select.value = value;
        select.dispatchEvent(new Event('change'));
        await waitFor(() => names(board).join() === expected.join(), value);
        expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.get('sort')).to.equal(value);
      };
      await choose('last_contact', ['Ben Warm', 'Ada Hot', 'Cy Cold']);
      await choose('newest', ['Ben Warm', 'Cy Cold', 'Ada Hot']);
      await choose('follow_up', ['Cy Cold', 'Ben Warm', 'Ada Hot']);
    });

    it('the host can start on a view and sort (view and sort attributes), and a live change refreshes the view', async () => {
      const { backend, c } = setup();
      const live = new FakeLive();
      const board = await fixture<LeadsBoard>(html`<leads-board view="nurture" sort="newest" .api=${backend.client} .live=${live}></leads-board>`);
      await waitFor(() => names(board).join() === 'Cy Cold', 'Nurture');
      expect(backend.requestsTo('GET', '/v1/leads')[0].query.get('view')).to.equal('nurture');
      expect(backend.requestsTo('GET', '/v1/leads')[0].query.get('sort')).to.equal('newest');
      // The server moved Cy out of Nurture (say, a follow-up for today): the board refetches the view.
      backend.views.nurture = [];
      backend.views.call_today.push(c.id);
      live.push('lead:updated', { lead: { ...c, version: c.version + 1 } });
      await waitFor(() => cards(board).length === 0, 'Cy left Nurture');
      await waitFor(() => text(tab(board, 'call_today')) === 'Call today 2', 'counts refreshed');
    });
  });

  describe('lost-reason filter', () => {
    it('appears only while the board lists lost leads, filters by the reason (lostReason= on pages and counts), and goes with Clear filters', async () => {
      const a = makeLead({ name: 'Al Price', leadScore: 70, leadStatus: 'lost', lostReason: 'price' });
      const b = makeLead({ name: 'Bea Ready', leadScore: 60, leadStatus: 'lost', lostReason: 'not_ready' });
      const c = makeLead({ name: 'Cal Open', leadScore: 50 });
      const backend = new FakeBackend([a, b, c]);
      backend.views = { call_today: [], this_week: [], nurture: [b.id], revisit_lost: [a.id, b.id] };
      const { board, root } = await renderBoard([], { backend });
      const reasonSelect = () => root.querySelector<HTMLSelectElement>('[part="lost-reason-filter"]');
      expect(reasonSelect(), 'not offered while the board lists every status').to.equal(null);
      const status = root.querySelector<HTMLSelectElement>('[part="status-filter"]')!;
      status.value = 'lost';
      status.dispatchEvent(new Event('change'));
      await waitFor(() => names(board).join() === 'Al Price,Bea Ready', 'status=lost');
      await waitFor(() => reasonSelect(), 'the reason filter shows for lost leads');
      const select = reasonSelect()!;
      expect(select.getAttribute('aria-label')).to.equal('Filter by lost reason');
      expect([...select.options].map((o) => text(o))).to.deep.equal(['Any lost reason', 'Price', 'Went to a competitor', 'No response after several attempts', 'Not ready now', 'Other']);
      select.value = 'not_ready';
      select.dispatchEvent(new Event('change'));
      await waitFor(() => names(board).join() === 'Bea Ready', 'lostReason=not_ready');
      expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.get('lostReason')).to.equal('not_ready');
      await waitFor(() => backend.requestsTo('GET', '/v1/views').some((r) => r.query.get('lostReason') === 'not_ready'), 'counts under the reason');
      await expect(board).to.be.accessible();
      // Back to every status: the reason no longer applies and is not sent.
      status.value = '';
      status.dispatchEvent(new Event('change'));
      await waitFor(() => cards(board).length === 3, 'all statuses');
      expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.has('lostReason')).to.equal(false);
      expect(reasonSelect()).to.equal(null);
    });
  });

  describe('appointment filter', () => {
    it('filters by "No upcoming appointment" / "Appointment today" (appointment= on pages, view counts and the CSV)', async () => {
      const hour = 3_600_000;
      const now = Date.now();
      // Today in UTC (the fake clinic's zone), later than now unless it is the last minutes of the day.
      const laterToday = new Date(Math.min(now + hour, Date.parse(new Date(now).toISOString().slice(0, 10) + 'T23:59:00Z'))).toISOString();
      const a = makeLead({ name: 'Ada Today', leadScore: 90, nextAppointmentAt: laterToday });
      const b = makeLead({ name: 'Ben Next Week', leadScore: 70, nextAppointmentAt: new Date(now + 7 * 24 * hour).toISOString() });
      const c = makeLead({ name: 'Cy None', leadScore: 50, nextAppointmentAt: null });
      const d = makeLead({ name: 'Di Past', leadScore: 40, nextAppointmentAt: new Date(now - 48 * hour).toISOString() });
      const backend = new FakeBackend([a, b, c, d]);
      backend.views = { call_today: [a.id, c.id], this_week: [b.id], nurture: [d.id], revisit_lost: [] };
      const { board, root } = await renderBoard([], { backend });
      expect(names(board)).to.deep.equal(['Ada Today', 'Ben Next Week', 'Cy None', 'Di Past']);
      const select = root.querySelector<HTMLSelectElement>('[part="appointment-filter"]')!;
      // Labelled for screen readers, next to the status and sort selects.
      expect(select.getAttribute('aria-label')).to.equal('Filter by appointment');
      expect(select.previousElementSibling!.getAttribute('part')).to.equal('status-filter');
      expect(select.nextElementSibling!.getAttribute('part')).to.equal('sort');
      expect([...select.options].map((o) => [o.value, text(o)])).to.deep.equal([
        ['', 'Any appointment'],
        ['none', 'No upcoming appointment'],
        ['today', 'Appointment today'],
      ]);
      expect(backend.requestsTo('GET', '/v1/leads')[0].query.has('appointment')).to.equal(false);

      const choose = async (value: string, expected: string[]) => {
        select.value = value;
        select.dispatchEvent(new Event('change'));
        await waitFor(() => names(board).join() === expected.join(), `appointment=${value}`);
      };
      await choose('none', ['Cy None', 'Di Past']);
      const page = backend.requestsTo('GET', '/v1/leads').at(-1)!;
      expect(page.query.get('appointment')).to.equal('none');
      expect(page.query.get('page')).to.equal('1');
      // The view counts take the same filter (and GET /v1/views would refuse anything it does not know).
      await waitFor(() => text(root.querySelector('[data-view="call_today"]')) === 'Call today 1', 'counts under appointment=none');
      expect(backend.requestsTo('GET', '/v1/views').at(-1)!.query.get('appointment')).to.equal('none');
      expect(text(root.querySelector('[data-view="nurture"]'))).to.equal('Nurture 1');

      await choose('today', ['Ada Today']);
      expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.get('appointment')).to.equal('today');
      await waitFor(() => text(root.querySelector('[data-view="this_week"]')) === 'This week 0', 'counts under appointment=today');

      // The CSV export carries it too (without paging).
      button(board, 'CSV').click();
      await waitFor(() => backend.requestsTo('GET', '/v1/leads.csv').length === 1, 'CSV export');
      const csv = backend.requestsTo('GET', '/v1/leads.csv')[0].query;
      expect(csv.get('appointment')).to.equal('today');
      expect(csv.has('page')).to.equal(false);

      // Combined with a view, and "Clear filters" on an empty result resets it.
      (root.querySelector('[data-view="this_week"]') as HTMLButtonElement).click();
      await waitFor(() => root.querySelector('[part="empty"]'), 'empty under view + filter');
      const req = backend.requestsTo('GET', '/v1/leads').at(-1)!;
      expect([req.query.get('view'), req.query.get('appointment')]).to.deep.equal(['this_week', 'today']);
      button(board, 'Clear filters').click();
      await waitFor(() => cards(board).length === 4, 'cleared');
      expect(select.value).to.equal('');
      expect(backend.requestsTo('GET', '/v1/leads').at(-1)!.query.has('appointment')).to.equal(false);
      await expect(board).to.be.accessible();
    });

    it('is usable from the keyboard: Tab reaches it and arrow keys change it', async () => {
      const a = makeLead({ name: 'Ann None', nextAppointmentAt: null });
      const b = makeLead({ name: 'Bo Booked', leadScore: 60, nextAppointmentAt: new Date(Date.now() + 5 * 86400_000).toISOString() });
      const backend = new FakeBackend([a, b]);
      const { board, root } = await renderBoard([], { backend });
      const select = root.querySelector<HTMLSelectElement>('[part="appointment-filter"]')!;
      select.focus();
      expect(root.activeElement).to.equal(select);
      await sendKeys({ press: 'ArrowDown' });
      await waitFor(() => names(board).join() === 'Ann None', 'ArrowDown picks "No upcoming appointment"');
      expect(select.value).to.equal('none');
    });
  });

  describe("the detail's follow-ups and the card", () => {
    it("Done in the detail's list moves the card's next follow-up line on (and lead:updated keeps it current)", async () => {
      const lead = makeLead({ name: 'Fay Follow', leadStatus: 'contacted' });
      const backend = new FakeBackend([lead]);
      const at = new Date().toISOString();
      const mk = (id: string, dueAt: number) => ({ id, contactId: lead.id, dueAt: new Date(dueAt).toISOString(), note: null, status: 'open' as const, source: 'manual' as const, createdBy: { id: 'u1', name: 'Ann' }, createdAt: at, updatedAt: at, doneAt: null, doneBy: null, remindedAt: null });
      backend.followUps = [mk('f1', Date.now() - 3_600_000), mk('f2', Date.now() + 20 * 86400_000)];
      Object.assign(lead, { nextFollowUpAt: backend.followUps[0].dueAt, nextFollowUpId: 'f1' });
      const { board, root, live } = await renderBoard([], { backend });
      const cardLine = () => text(cards(board)[0].shadowRoot!.querySelector('[part="follow-up"]'));
      expect(cardLine()).to.match(/^Follow-up overdue/);
      cards(board)[0].open();
      await waitFor(() => root.querySelector('lead-detail')?.shadowRoot?.querySelector('follow-up-list')?.shadowRoot?.querySelector('li'), 'the list');
      const list = root.querySelector('lead-detail')!.shadowRoot!.querySelector('follow-up-list')!;
      [...list.shadowRoot!.querySelector('li')!.querySelectorAll('button')].find((b) => text(b) === 'Done')!.click();
      // The next one is 20 days out: a month-day date, no longer overdue.
      await waitFor(() => /^Follow-up [A-Z][a-z]{2} \d{1,2} \d{1,2}:\d{2} [AP]M$/.test(cardLine()), 'card line updated');
      // The server's lead:updated after a snooze elsewhere (say, another tab) updates it the same way.
      const snoozed = { ...backend.leads[0], nextFollowUpAt: new Date(Date.now() + 30 * 60_000).toISOString(), version: backend.leads[0].version + 1 };
      live.push('lead:updated', { lead: snoozed });
      await waitFor(() => cardLine().startsWith('Follow-up today'), 'live update');
    });
  });

  describe('follow-up reminders and deletions', () => {
    it('follow-up:due shows a reminder toast whose Open opens the lead; lead:deleted takes the card away', async () => {
      const leads = manyLeads(3);
      const { board, live, backend } = await renderBoard(leads);
      const lead = { ...leads[1], nextFollowUpAt: new Date().toISOString() };
      live.push('follow-up:due', { followUp: { id: 'f1', contactId: lead.id, dueAt: lead.nextFollowUpAt, note: 'Ask about the package', status: 'open', source: 'manual', createdBy: { id: 'u1', name: 'Ann' }, createdAt: '', updatedAt: '', doneAt: null, doneBy: null, remindedAt: null }, lead });
      const toaster = board.shadowRoot!.querySelector('leads-toaster')!;
      await waitFor(() => (toaster.shadowRoot!.textContent ?? '').replace(/\s+/g, ' ').includes('Follow-up due: Person 02 · Ask about the package'), 'reminder');
      const opened = oneEvent(board, 'lead-open');
      [...toaster.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b) === 'Open')!.click();
      expect((await opened).detail.lead.id).to.equal(lead.id);
      await waitFor(() => board.shadowRoot!.querySelector('lead-detail'), 'detail');
      backend.leads = backend.leads.filter((l) => l.id !== leads[2].id);
      live.push('lead:deleted', { leadId: leads[2].id });
      await waitFor(() => !names(board).includes('Person 03'), 'deleted card gone');
    });
  });

  describe('live updates', () => {
    it('changes a card in place without refetching when its place cannot change', async () => {
      const leads = manyLeads(3);
      const { board, backend, live } = await renderBoard(leads);
      const count = backend.requestsTo('GET', '/v1/leads').length;
      const first = cards(board)[0];
      live.push('lead:updated', { lead: { ...leads[0], name: 'Renamed', version: 2 } });
      await board.updateComplete;
      await settle();
      expect(cards(board)[0] === first, 'same card element').to.equal(true);
      expect(first.lead!.name).to.equal('Renamed');
      expect(backend.requestsTo('GET', '/v1/leads').length).to.equal(count);
    });

    it('refreshes the page, keeping the page number and the cards, when a lead moves', async () => {
      const leads = manyLeads(25);
      const { board, backend, live } = await renderBoard(leads);
      button(board, 'Next').click();
      await waitFor(() => cards(board).length === 5);
      const count = backend.requestsTo('GET', '/v1/leads').length;
      // A lead of page 2 becomes the best lead: it leaves this page.
      const mover = backend.leads.find((l) => l.name === 'Person 22')!;
      mover.leadScore = 100;
      live.push('lead:updated', { lead: { ...mover } });
      await waitFor(() => backend.requestsTo('GET', '/v1/leads').length === count + 1, 'refetch');
      expect(backend.requests.at(-1)!.query.get('page')).to.equal('2');
      await waitFor(() => !names(board).includes('Person 22'));
      expect(board.shadowRoot!.querySelectorAll('.skeleton')).to.have.length(0);
      expect(text(board.shadowRoot!.querySelector('.page-info'))).to.contain('Page 2 of 2');
    });

    it('refreshes when a new lead that matches the filter arrives, and after a reconnect', async () => {
      const { board, backend, live } = await renderBoard(manyLeads(2));
      const newcomer = makeLead({ name: 'Newcomer', leadScore: 100 });
      backend.leads.push(newcomer);
      live.push('lead:updated', { lead: newcomer });
      await waitFor(() => names(board)[0] === 'Newcomer');
      const count = backend.requestsTo('GET', '/v1/leads').length;
      live.push('reconnected');
      await waitFor(() => backend.requestsTo('GET', '/v1/leads').length === count + 1, 'refetch after reconnect');
    });

    it('shows a hot-lead alert and fires hot-lead for the host', async () => {
      const { board, live } = await renderBoard(manyLeads(1));
      const hot = makeLead({ name: 'Sara Hot', leadScore: 92 });
      setTimeout(() => live.push('lead:hot', { lead: hot }));
      const event = await oneEvent(board, 'hot-lead');
      expect(event.detail.lead.name).to.equal('Sara Hot');
      await board.updateComplete;
      const alert = board.shadowRoot!.querySelector('[part="hot-alert"]')!;
      expect(text(alert)).to.contain('Sara Hot just became a hot lead (92)');
      await expect(board).to.be.accessible();
      button(board, 'Dismiss alert').click();
      await board.updateComplete;
      expect(board.shadowRoot!.querySelector('[part="hot-alert"]')).to.equal(null);
    });
  });

  describe('hand-off to lead-detail, sms-composer and the toaster', () => {
    it('opens lead-detail for a card, and returns focus to the card when it closes', async () => {
      const { board } = await renderBoard(manyLeads(3));
      const card = cards(board)[1];
      card.focus();
      await sendKeys({ press: 'Space' });
      await waitFor(() => board.shadowRoot!.querySelector('lead-detail'));
      const detail = board.shadowRoot!.querySelector('lead-detail') as HTMLElement & { leadId: string; lead: Lead };
      expect(detail.leadId).to.equal(card.lead!.id);
      expect(detail.lead.name).to.equal(card.lead!.name);
      detail.dispatchEvent(new CustomEvent('dialog-close', { detail: { reason: 'close' }, bubbles: true, composed: true }));
      await waitFor(() => !board.shadowRoot!.querySelector('lead-detail'));
      await waitFor(() => board.shadowRoot!.activeElement === card, 'focus back on the card');
    });

    it('lets the host veto lead-open and show its own detail', async () => {
      const { board } = await renderBoard(manyLeads(1));
      board.addEventListener('lead-open', (e) => e.preventDefault());
      cards(board)[0].open();
      // The board acts in a microtask after the host saw the event; then one render.
      await Promise.resolve();
      await board.updateComplete;
      expect(board.shadowRoot!.querySelector('lead-detail')).to.equal(null);
    });

    it('opens sms-composer for the SMS button', async () => {
      const { board } = await renderBoard(manyLeads(1));
      cards(board)[0].shadowRoot!.querySelector<HTMLButtonElement>('[part="sms-button"]')!.click();
      await waitFor(() => board.shadowRoot!.querySelector('sms-composer'));
      expect((board.shadowRoot!.querySelector('sms-composer') as HTMLElement & { leadId: string }).leadId).to.equal(cards(board)[0].lead!.id);
    });

    it('routes toasts into the open dialog, where they stay usable, and a closing composer\'s toast to the dialog underneath', async () => {
      const { board } = await renderBoard(manyLeads(2));
      const region = (el: Element) => text(el.shadowRoot!.querySelector('leads-toaster')!.shadowRoot!.querySelector('[part="region"]'));
      cards(board)[0].open();
      await waitFor(() => board.shadowRoot!.querySelector('lead-detail'));
      const detail = board.shadowRoot!.querySelector('lead-detail')!;
      await waitFor(() => detail.open);
      detail.dispatchEvent(new CustomEvent('toast-show', { detail: { message: 'From the detail' }, bubbles: true, composed: true }));
      await waitFor(() => region(detail).includes('From the detail'), 'toast inside the detail');
      expect(region(board)).to.not.contain('From the detail');
      // A toaster inside the modal dialog is part of its subtree: not inert, so its buttons can be pressed.
      const inner = detail.shadowRoot!.querySelector('leads-toaster')!;
      expect(inner.closest('dialog')?.open).to.equal(true);

      cards(board)[1].shadowRoot!.querySelector<HTMLButtonElement>('[part="sms-button"]')!.click();
      await waitFor(() => board.shadowRoot!.querySelector('sms-composer'));
      const composer = board.shadowRoot!.querySelector('sms-composer')!;
      await waitFor(() => composer.open);
      composer.dispatchEvent(new CustomEvent('toast-show', { detail: { message: 'Sent, closing', outlivesDialog: true }, bubbles: true, composed: true }));
      await waitFor(() => region(detail).includes('Sent, closing'), 'the closing composer\'s toast lands in the detail');
      expect(region(composer)).to.not.contain('Sent, closing');
    });

    it('shows "Lead marked as booked" in its toaster and updates the card', async () => {
      const { board } = await renderBoard([makeLead({ name: 'Booker', leadStatus: 'new' })]);
      const changed = oneEvent(board, 'lead-status-change');
      cards(board)[0].shadowRoot!.querySelector<HTMLButtonElement>('[part="book-button"]')!.click();
      await changed;
      const toaster = board.shadowRoot!.querySelector('leads-toaster')!;
      await waitFor(() => text(toaster.shadowRoot!.querySelector('[part="region"]')).includes('Lead marked as booked'));
      expect(cards(board)[0].lead!.leadStatus).to.equal('booked');
    });
  });

  describe('keyboard', () => {
    it('moves between leads with the arrows and onto the next page at the end', async () => {
      const { board } = await renderBoard(manyLeads(22));
      const list = cards(board);
      expect(list.filter((c) => c.tabIndex === 0)).to.have.length(1);
      list[0].focus();
      await sendKeys({ press: 'ArrowDown' });
      expect(board.shadowRoot!.activeElement === list[1], 'second card focused').to.equal(true);
      await sendKeys({ press: 'ArrowUp' });
      expect(board.shadowRoot!.activeElement === list[0], 'first card focused').to.equal(true);
      list[19].focus();
      await sendKeys({ press: 'ArrowDown' });
      await waitFor(() => cards(board).length === 2, 'page 2');
      await waitFor(() => (board.shadowRoot!.activeElement as LeadCard | null)?.lead?.name === 'Person 21', 'first card of page 2');
      await sendKeys({ press: 'ArrowUp' });
      await waitFor(() => (board.shadowRoot!.activeElement as LeadCard | null)?.lead?.name === 'Person 20', 'last card of page 1');
    });

    it('opens the shortcuts help on "?" and closes it with Escape, returning focus', async () => {
      const { board } = await renderBoard(manyLeads(2));
      const card = cards(board)[0];
      card.focus();
      await sendKeys({ press: '?' });
      const dialog = board.shadowRoot!.querySelector('dialog')!;
      expect(dialog.open).to.equal(true);
      expect(text(dialog)).to.contain('Call the focused lead');
      await expect(board).to.be.accessible();
      await sendKeys({ press: 'Escape' });
      expect(dialog.open).to.equal(false);
      await waitFor(() => board.shadowRoot!.activeElement === card, 'focus returned');
    });
  });

  describe('accessibility and layout', () => {
    for (const theme of ['light', 'dark']) {
      it(`has no axe violations with cards, in ${theme}`, async () => {
        const { board } = await renderBoard(manyLeads(4), { theme });
        await expect(board).to.be.accessible();
      });
    }

    it('stacks the cards in one column at a phone width, with no axe violations', async () => {
      await setViewport({ width: 375, height: 800 });
      const { board } = await renderBoard(manyLeads(3), { theme: 'dark' });
      const [a, b] = cards(board).map((c) => c.getBoundingClientRect());
      expect(Math.round(a.left)).to.equal(Math.round(b.left));
      expect(b.top).to.be.greaterThan(a.bottom - 1);
      expect(board.getBoundingClientRect().width).to.be.at.most(375);
      await expect(board).to.be.accessible();
    });
  });
});
