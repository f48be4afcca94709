/** Shared by the team tests (owners, presence, the queue, call modes): a board on the fake backend and small queries. */
import { fixture, html } from '@open-wc/testing';
import type { Lead } from '../../../core/contracts.js';
import type { LeadsBoard } from '../components/leads-board/leads-board.js';
import type { LeadCard } from '../components/lead-card/lead-card.js';
import { FakeBackend, FakeLive, waitFor } from './fixtures.js';

export const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

export async function teamBoard(leads: Lead[], opts: { backend?: FakeBackend } = {}) {
  const backend = opts.backend ?? new FakeBackend(leads);
  const live = new FakeLive();
  const board = await fixture<LeadsBoard>(html`<leads-board theme="light" .api=${backend.client} .live=${live}></leads-board>`);
  await waitFor(() => board.shadowRoot!.querySelector('lead-card, [part="empty"], [part="error"]'), 'first page');
  // The session and the team arrive after the first page.
  await waitFor(() => backend.requestsTo('GET', '/v1/team').length > 0, 'GET /v1/team');
  await new Promise((r) => setTimeout(r, 20));
  await board.updateComplete;
  return { board, backend, live, root: board.shadowRoot! };
}

export const cardsOf = (board: LeadsBoard) => [...board.shadowRoot!.querySelectorAll<LeadCard>('lead-card')];
export const cardNamed = (board: LeadsBoard, name: string) => cardsOf(board).find((c) => c.lead?.name === name)!;
export const partOf = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

/** A button under `root` by its visible text or aria-label. */
export function buttonIn(root: ParentNode, label: string | RegExp): HTMLButtonElement | undefined {
  return [...root.querySelectorAll<HTMLButtonElement>('button')].find((b) =>
    typeof label === 'string' ? text(b) === label || b.getAttribute('aria-label') === label : label.test(text(b)) || label.test(b.getAttribute('aria-label') ?? ''),
  );
}

/** The toasts shown by a toaster (the board's by default). */
export function boardToasts(board: LeadsBoard | Element): string[] {
  const toaster = board.shadowRoot!.querySelector('leads-toaster')!;
  return [...toaster.shadowRoot!.querySelectorAll('.toast .message')].map(text);
}
