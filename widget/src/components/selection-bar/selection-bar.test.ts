import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead } from '../../../../core/contracts.js';
import { LeadSelection } from '../../leads/selection.js';
import type { LeadsBoard } from '../leads-board/leads-board.js';
import type { LeadCard } from '../lead-card/lead-card.js';
import type { LeadsSelectionBar } from './selection-bar.js';
import { FakeBackend, FakeLive, makeLead, waitFor } from '../../test/fixtures.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function manyLeads(count: number, score = (i: number) => 99 - i): Lead[] {
  return Array.from({ length: count }, (_, i) => makeLead({ name: `Person ${String(i + 1).padStart(2, '0')}`, leadScore: score(i) }));
}

async function renderBoard(leads: Lead[]) {
  const backend = new FakeBackend(leads);
  const live = new FakeLive();
  const board = await fixture<LeadsBoard>(html`<leads-board theme="light" .api=${backend.client} .live=${live}></leads-board>`);
  await waitFor(() => board.shadowRoot!.querySelector('lead-card'), 'first page');
  await board.updateComplete;
  return { board, backend, live, root: board.shadowRoot! };
}

const cards = (board: LeadsBoard) => [...board.shadowRoot!.querySelectorAll<LeadCard>('lead-card')];
const box = (card: LeadCard) => card.shadowRoot!.querySelector<HTMLInputElement>('input[part="select"]')!;
const bar = (board: LeadsBoard) => board.shadowRoot!.querySelector<LeadsSelectionBar>('leads-selection-bar');
const barButton = (board: LeadsBoard, label: string) =>
  [...bar(board)!.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b).includes(label))!;
const boardButton = (board: LeadsBoard, label: string) =>
  [...board.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b).includes(label))!;
async function settled(board: LeadsBoard) {
  await board.updateComplete;
  const b = bar(board);
  if (b) await b.updateComplete;
  for (const c of cards(board)) await c.updateComplete;
}

describe('LeadSelection', () => {
  it('toggles ids, counts them, and tells its listeners about every change', () => {
    const s = new LeadSelection();
    let calls = 0;
    const off = s.onChange(() => calls++);
    s.toggle('a');
    s.toggle('b');
    s.toggle('a');
    expect([...s.ids]).to.deep.equal(['b']);
    expect(s.has('b')).to.equal(true);
    expect(s.has('a')).to.equal(false);
    expect(s.size(100)).to.equal(1);
    expect(calls).to.equal(3);
    off();
    s.toggle('c');
    expect(calls).to.equal(3);
  });

  it('"all matching" counts the filter total, and unticking one leaves that mode keeping the hand-picked ones', () => {
    const s = new LeadSelection();
    s.set(['a', 'b', 'c']);
    s.selectAllMatching(105);
    expect(s.allMatching).to.equal(true);
    expect(s.size(105)).to.equal(105);
    expect(s.has('zzz')).to.equal(true);
    s.toggle('b');
    expect(s.allMatching).to.equal(false);
    expect([...s.ids].sort()).to.deep.equal(['a', 'c']);
    s.selectAllMatching(0);
    expect(s.allMatching).to.equal(false);
    s.clear();
    expect(s.size(105)).to.equal(0);
  });
});

describe('board selection', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('picking cards', () => {
    it('each card has a labelled checkbox; ticking shows the bar with the count, and the board stays accessible', async () => {
      const { board } = await renderBoard(manyLeads(3));
      const [first, second] = cards(board);
      expect(box(first).getAttribute('aria-label')).to.equal('Select Person 01');
      expect(bar(board)).to.equal(null);
      expect(text(boardButton(board, 'Text these'))).to.equal('Text these 3 leads');
      box(first).click();
      box(second).click();
      await settled(board);
      expect(text(bar(board)!.shadowRoot!.querySelector('[part="count"]'))).to.equal('2 selected');
      expect(text(barButton(board, 'Text these'))).to.equal('Text these 2 leads');
      expect(box(first).checked).to.equal(true);
      // The checkbox does not open the lead.
      expect(board.shadowRoot!.querySelector('lead-detail')).to.equal(null);
      await expect(board).to.be.accessible();
      await expect(bar(board)!).to.be.accessible();
    });

    it('X on a focused card toggles it (Space still opens the lead), and the shortcut help lists X', async () => {
      const { board } = await renderBoard(manyLeads(3));
      const [first] = cards(board);
      first.focus();
      await sendKeys({ press: 'x' });
      await settled(board);
      expect(board.selection.has(first.lead!.id)).to.equal(true);
      expect(box(first).checked).to.equal(true);
      await sendKeys({ press: 'x' });
      await settled(board);
      expect(board.selection.size(3)).to.equal(0);
      expect(bar(board)).to.equal(null);
      expect(text(board.shadowRoot!.querySelector('dialog.help'))).to.contain('Select / unselect the focused lead');
      first.focus();
      await sendKeys({ press: ' ' });
      await waitFor(() => board.shadowRoot!.querySelector('lead-detail'), 'Space opens the lead');
      expect(board.selection.size(3)).to.equal(0);
    });
  });

  describe('across pages and live updates', () => {
    it('keeps the selection on the next page and through a live update; "Select this page" adds the page', async () => {
      const { board, live } = await renderBoard(manyLeads(25));
      box(cards(board)[0]).click();
      await settled(board);
      boardButton(board, 'Next').click();
      await waitFor(() => cards(board).length === 5, 'page 2');
      await settled(board);
      expect(text(bar(board)!.shadowRoot!.querySelector('[part="count"]'))).to.equal('1 selected');
      barButton(board, 'Select this page').click();
      await settled(board);
      expect(board.selection.size(25)).to.equal(6);
      expect(cards(board).every((c) => box(c).checked)).to.equal(true);
      const moved = { ...cards(board)[0].lead!, name: 'Renamed', version: 2 };
      live.push('lead:updated', { lead: moved });
      await new Promise((r) => setTimeout(r, 400));
      await settled(board);
      expect(board.selection.size(25)).to.equal(6);
      expect(box(cards(board).find((c) => c.lead!.name === 'Renamed')!).checked).to.equal(true);
    });

    it('clears when the filter changes, as the bar says it will', async () => {
      const { board } = await renderBoard(manyLeads(6, (i) => (i < 3 ? 90 : 30)));
      box(cards(board)[0]).click();
      await settled(board);
      expect(text(bar(board)!.shadowRoot!.querySelector('.hint'))).to.contain('Changing the filter or search clears the selection');
      boardButton(board, 'Cold').click();
      await waitFor(() => cards(board).length === 3, 'the Cold leads');
      await settled(board);
      expect(board.selection.size(3)).to.equal(0);
      expect(bar(board)).to.equal(null);
    });
  });

  describe('actions', () => {
    it('"Select all N matching" sends leadIds null with the filter; picked cards send their ids', async () => {
      const { board } = await renderBoard(manyLeads(25));
      box(cards(board)[1]).click();
      await settled(board);
      setTimeout(() => barButton(board, 'Assign').click());
      const picked = await oneEvent(board, 'selection-action');
      expect(picked.detail.action).to.equal('assign');
      expect(picked.detail.leadIds).to.deep.equal([cards(board)[1].lead!.id]);
      barButton(board, 'Select all 25 matching').click();
      await settled(board);
      expect(text(bar(board)!.shadowRoot!.querySelector('[part="count"]'))).to.contain('25 selected');
      // The host may run its own action instead.
      board.addEventListener('selection-action', (e) => e.preventDefault(), { once: true });
      setTimeout(() => barButton(board, 'Text these 25 leads').click());
      const all = await oneEvent(board, 'selection-action');
      expect(all.detail.action).to.equal('text');
      expect(all.detail.leadIds).to.equal(null);
      expect(all.detail.filter).to.include({ tier: null, status: null });
      await new Promise((r) => setTimeout(r, 50));
      expect(board.shadowRoot!.querySelector('campaign-composer')).to.equal(null);
      barButton(board, 'Clear').click();
      await settled(board);
      expect(bar(board)).to.equal(null);
    });

    it('"Text these N leads" opens the campaign composer for the selection', async () => {
      const { board } = await renderBoard(manyLeads(4));
      box(cards(board)[0]).click();
      box(cards(board)[2]).click();
      await settled(board);
      barButton(board, 'Text these 2 leads').click();
      await waitFor(() => board.shadowRoot!.querySelector('campaign-composer')?.shadowRoot?.querySelector('dialog[open]'), 'the composer');
      const composer = board.shadowRoot!.querySelector('campaign-composer')!;
      expect(composer.leadIds).to.deep.equal([cards(board)[0].lead!.id, cards(board)[2].lead!.id]);
      expect(text(composer.shadowRoot!.querySelector('h2'))).to.equal('Text 2 leads');
      // Once the campaign starts, the selection is done with.
      const select = composer.shadowRoot!.querySelector<HTMLSelectElement>('select.template')!;
      await waitFor(() => select.options.length > 1, 'the templates');
      select.value = 'tpl-reengage';
      select.dispatchEvent(new Event('change'));
      const send = () => composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="send-button"]')!;
      await waitFor(() => !send().disabled, 'Send enabled');
      send().click();
      await waitFor(() => board.selection.size(4) === 0, 'the selection cleared');
      await settled(board);
      expect(bar(board)).to.equal(null);
    });
  });
});
