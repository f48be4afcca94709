import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../define.js';
import { makeLead, waitFor } from '../../test/fixtures.js';
import { boardToasts, buttonIn, cardNamed, partOf, teamBoard, text } from '../../test/team-helpers.js';
import type { OwnerPicker } from './owner-picker.js';

async function pickerIn(root: ParentNode): Promise<OwnerPicker> {
  await waitFor(() => root.querySelector('owner-picker')?.shadowRoot?.querySelector('dialog[open]'), 'the owner picker');
  const picker = root.querySelector('owner-picker')!;
  await picker.updateComplete;
  return picker;
}

const options = (picker: OwnerPicker) => [...picker.shadowRoot!.querySelectorAll('[part="option"]')].map(text);

function choose(picker: OwnerPicker, label: string): void {
  const opt = [...picker.shadowRoot!.querySelectorAll<HTMLLabelElement>('[part="option"]')].find((o) => text(o).startsWith(label))!;
  opt.querySelector('input')!.click();
}

describe('owners', () => {
  describe('the card Assign control', () => {
    it('lists Me, Unassigned and the team, and assigning says to whom (PATCH ownerId, the card shows the owner)', async () => {
      const lead = makeLead({ name: 'Rosa Diaz' });
      const { board, backend } = await teamBoard([lead]);
      const card = cardNamed(board, 'Rosa Diaz');
      const control = partOf(card, 'owner-button')!;
      expect(text(control)).to.equal('Assign');
      expect(control.getAttribute('aria-label')).to.equal('Assign an owner');
      control.click();
      const picker = await pickerIn(card.shadowRoot!);
      expect(options(picker)).to.deep.equal(['Me (Ann)', 'Unassigned (now)', 'Maria Admin', 'Sam']);
      await expect(picker).shadowDom.to.be.accessible();
      choose(picker, 'Sam');
      await picker.updateComplete;
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => backend.requestsTo('PATCH', `/v1/leads/${lead.id}`).length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ ownerId: 'u2' });
      await waitFor(() => boardToasts(board).includes('Rosa Diaz assigned to Sam'), 'the toast');
      await card.updateComplete;
      expect(text(partOf(card, 'owner-button'))).to.equal('Reassign');
      expect(text(partOf(card, 'owner'))).to.equal('Owner: Sam');
      expect(partOf(card, 'owner-button')!.getAttribute('aria-label')).to.equal('Reassign (owner: Sam)');
    });

    it('Esc cancels and sends nothing; Enter on a person assigns (keyboard only)', async () => {
      const lead = makeLead({ name: 'Kim Ng', ownerId: 'u2', ownerName: 'Sam' });
      const { board, backend } = await teamBoard([lead]);
      const card = cardNamed(board, 'Kim Ng');
      partOf(card, 'owner-button')!.click();
      let picker = await pickerIn(card.shadowRoot!);
      // Focus starts on the current owner.
      const focused = picker.shadowRoot!.activeElement as HTMLInputElement;
      expect(focused.value).to.equal('u2');
      await sendKeys({ press: 'Escape' });
      await waitFor(() => !card.shadowRoot!.querySelector('owner-picker'), 'closed');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)).to.have.length(0);

      partOf(card, 'owner-button')!.click();
      picker = await pickerIn(card.shadowRoot!);
      // Arrow keys move through the radio group: from Sam (u2)… up to Maria, then Unassigned.
      await sendKeys({ press: 'ArrowUp' });
      await sendKeys({ press: 'ArrowUp' });
      await sendKeys({ press: 'Enter' });
      await waitFor(() => backend.requestsTo('PATCH', `/v1/leads/${lead.id}`).length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ ownerId: null });
      await waitFor(() => boardToasts(board).includes('Kim Ng is unassigned now'), 'the toast');
    });

    it('an unknown owner is refused in words and the card keeps its owner', async () => {
      const lead = makeLead({ name: 'Lee Park' });
      const { board, backend } = await teamBoard([lead]);
      // The roster changed on the server since the picker loaded it.
      backend.overrides.push((req) => (req.method === 'PATCH' ? { status: 400, body: { error: { code: 'UNKNOWN_OWNER', message: 'Sam is no longer on the team.' } } } : undefined));
      const card = cardNamed(board, 'Lee Park');
      partOf(card, 'owner-button')!.click();
      const picker = await pickerIn(card.shadowRoot!);
      choose(picker, 'Sam');
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => boardToasts(board).includes('Sam is no longer on the team.'), 'the refusal');
      expect(text(partOf(card, 'owner-button'))).to.equal('Assign');
    });
  });

  describe('the detail owner line', () => {
    it('shows the owner and assigns from the detail (the card follows)', async () => {
      const lead = makeLead({ name: 'Ada Stone', ownerId: 'u3', ownerName: 'Maria' });
      const { board, backend, root } = await teamBoard([lead]);
      cardNamed(board, 'Ada Stone').open();
      await waitFor(() => root.querySelector('lead-detail')?.shadowRoot?.querySelector('[part="owner-button"]'), 'the detail');
      const detail = root.querySelector('lead-detail')!;
      expect(text(partOf(detail, 'owner'))).to.equal('Owner: Maria');
      expect(text(partOf(detail, 'owner-button'))).to.equal('Change owner');
      partOf(detail, 'owner-button')!.click();
      const picker = await pickerIn(detail.shadowRoot!.querySelector('dialog')!);
      choose(picker, 'Me');
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => backend.requestsTo('PATCH', `/v1/leads/${lead.id}`).length === 1, 'PATCH');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ ownerId: 'u1' });
      await waitFor(() => text(partOf(detail, 'owner')) === 'Owner: Ann', 'the detail shows the new owner');
      await waitFor(() => text(partOf(cardNamed(board, 'Ada Stone'), 'owner')) === 'Owner: Ann', 'the card follows');
    });
  });

  describe('bulk assign from the selection bar and the owner filters', () => {
    it('assigns the picked leads in one request, says "3 leads assigned to Sam", and Sam\'s filter lists them', async () => {
      const leads = ['A', 'B', 'C', 'D'].map((n, i) => makeLead({ name: `Lead ${n}`, leadScore: 90 - i }));
      const { board, backend, root } = await teamBoard(leads);
      for (const l of leads.slice(0, 3)) partOf(cardNamed(board, l.name), 'select')!.click();
      await waitFor(() => root.querySelector('leads-selection-bar')?.shadowRoot?.querySelector('[part="assign-button"]'), 'the selection bar');
      root.querySelector('leads-selection-bar')!.shadowRoot!.querySelector<HTMLButtonElement>('[part="assign-button"]')!.click();
      const picker = await pickerIn(root);
      expect(text(picker.shadowRoot!.querySelector('h2'))).to.equal('Assign 3 leads');
      choose(picker, 'Sam');
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => backend.requestsTo('POST', '/v1/leads/assign').length === 1, 'POST /v1/leads/assign');
      expect(backend.requestsTo('POST', '/v1/leads/assign')[0].body).to.deep.equal({ leadIds: leads.slice(0, 3).map((l) => l.id), ownerId: 'u2' });
      await waitFor(() => boardToasts(board).includes('3 leads assigned to Sam'), 'the toast');

      const filter = root.querySelector<HTMLSelectElement>('select[aria-label="Filter by owner"]')!;
      expect([...filter.options].map((o) => o.textContent)).to.deep.equal(["Anyone's leads", 'Mine', 'Unassigned', "Sam's", "Maria's"]);
      filter.value = 'u2';
      filter.dispatchEvent(new Event('change'));
      await waitFor(() => backend.requests.some((r) => r.path === '/v1/leads' && r.query.get('owner') === 'u2'), 'GET ?owner=u2');
      await waitFor(() => root.querySelectorAll('lead-card').length === 3, 'Sam\'s three leads');
      // The view counts honour the owner filter too.
      await waitFor(() => backend.requests.some((r) => r.path === '/v1/views' && r.query.get('owner') === 'u2'), 'GET /v1/views?owner=u2');

      filter.value = 'none';
      filter.dispatchEvent(new Event('change'));
      await waitFor(() => root.querySelectorAll('lead-card').length === 1 && cardNamed(board, 'Lead D'), 'the unassigned one');
      filter.value = 'me';
      filter.dispatchEvent(new Event('change'));
      await waitFor(() => !!root.querySelector('[part="empty"]'), 'none of mine');
      expect(text(root.querySelector('[part="empty"]'))).to.contain('No leads match these filters');
      buttonIn(root, 'Clear filters')!.click();
      await waitFor(() => root.querySelectorAll('lead-card').length === 4, 'everyone again');
      expect(root.querySelector<HTMLSelectElement>('select[aria-label="Filter by owner"]')!.value).to.equal('');
    });

    it('"all matching" sends the board filter (not ids); a foreign id is refused in words and nothing changes', async () => {
      const leads = [makeLead({ name: 'Hot One', leadScore: 90 }), makeLead({ name: 'Cold One', leadScore: 20 })];
      const { board, backend, root } = await teamBoard(leads);
      buttonIn(root.querySelector('[part="tier-filter"]')!, /^🔥 Hot/)!.click();
      await waitFor(() => root.querySelectorAll('lead-card').length === 1, 'the Hot lead');
      board.selection.selectAllMatching(1);
      await waitFor(() => root.querySelector('leads-selection-bar')?.shadowRoot?.querySelector('[part="assign-button"]'), 'the selection bar');
      root.querySelector('leads-selection-bar')!.shadowRoot!.querySelector<HTMLButtonElement>('[part="assign-button"]')!.click();
      let picker = await pickerIn(root);
      expect(text(picker.shadowRoot!.querySelector('h2'))).to.equal('Assign 1 lead');
      choose(picker, 'Maria');
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => backend.requestsTo('POST', '/v1/leads/assign').length === 1, 'assign');
      expect(backend.requestsTo('POST', '/v1/leads/assign')[0].body).to.deep.equal({ filter: { tier: 'hot' }, ownerId: 'u3' });
      expect(backend.leads.map((l) => l.ownerId)).to.deep.equal(['u3', null]);

      board.dispatchEvent(new CustomEvent('selection-action', { bubbles: true, composed: true, cancelable: true, detail: { action: 'assign', leadIds: [leads[1].id, 'lead-of-another-clinic'], filter: {} } }));
      picker = await pickerIn(root);
      choose(picker, 'Sam');
      buttonIn(picker.shadowRoot!, 'Assign')!.click();
      await waitFor(() => boardToasts(board).some((t) => t.includes('No lead lead-of-another-clinic')), 'the refusal');
      expect(backend.leads[1].ownerId).to.equal(null);
    });
  });
});
