import { strict as assert } from 'node:assert';
import type { Lead } from '../core/contracts.js';
import { Board, e2e, openUser, type UserPage } from './support.js';

const digitsOf = (s: string) => s.replace(/\D/g, '');
/** What the search should find, computed here from every lead (the design's rule, not the server's code). */
const byPhone = (all: Lead[], typed: string) => all.filter((l) => digitsOf(l.phone).includes(digitsOf(typed)));
const byName = (all: Lead[], typed: string) => all.filter((l) => l.name.toLowerCase().includes(typed.toLowerCase()));

/** Types `typed`, then checks the count, the pages line, and that every card shown is one of `expected`. */
async function expectSearch(board: Board, typed: string, expected: Lead[]): Promise<void> {
  assert.ok(expected.length > 0, `the seed has leads for "${typed}"`);
  await board.searchFor(typed, expected.length);
  const pages = Math.ceil(expected.length / 20);
  await board.pageInfo().filter({ hasText: `Page 1 of ${pages} · 1–${Math.min(20, expected.length)} of ${expected.length} leads` }).waitFor();
  const shown = await board.cardNames();
  const allowed = new Set(expected.map((l) => l.name));
  assert.equal(shown.length, Math.min(20, expected.length));
  for (const name of shown) assert.ok(allowed.has(name), `"${typed}" should not list ${name}`);
}

describe('Search', () => {
  let all: Lead[];
  let user: UserPage;
  let board: Board;
  before(async () => {
    all = await e2e().api.allLeads();
  });
  beforeEach(async function () {
    user = await openUser(this);
    board = await Board.open(user);
  });

  it('when a coordinator types the last 4 digits of a phone, then the lead with that number is found, with only leads whose phone has those digits', async () => {
    const lead = all.find((l) => l.phoneValid && byPhone(all, l.phone.slice(-4)).length <= 5);
    assert.ok(lead, 'a lead with a distinctive phone ending');
    const last4 = lead.phone.slice(-4);
    await expectSearch(board, last4, byPhone(all, last4));
    await board.card(lead.name).waitFor();
    await user.shot(`last-4-digits-${last4}`);
  });

  it('when a coordinator types "+1212", then the leads with a 212 number are found', async () => {
    const expected = byPhone(all, '+1212');
    assert.ok(expected.every((l) => l.phone.startsWith('+1212') || !l.phoneValid || digitsOf(l.phone).includes('1212')));
    await expectSearch(board, '+1212', expected);
    await user.shot('plus-1212');
  });

  it('when a coordinator types "(212) 555", then the same formatting-free match applies', async () => {
    const expected = byPhone(all, '(212) 555');
    await expectSearch(board, '(212) 555', expected);
    assert.ok(expected.some((l) => l.phone.startsWith('+1212555')), 'finds +1212555xxxx numbers');
    await user.shot('paren-212-555');
  });

  it('when a coordinator types part of a name in odd case, then the leads whose name contains it are found', async () => {
    // A piece of a surname, in mixed case: "walker" -> "aLkE".
    const lead = all.find((l) => {
      const surname = l.name.split(' ').at(-1) ?? '';
      return surname.length >= 5 && byName(all, surname.slice(1, 5)).length <= 20;
    });
    assert.ok(lead);
    const piece = (lead.name.split(' ').at(-1) ?? '').slice(1, 5);
    const typed = [...piece].map((c, i) => (i % 2 ? c.toUpperCase() : c.toLowerCase())).join('');
    assert.notEqual(typed, piece);
    await expectSearch(board, typed, byName(all, typed));
    await board.card(lead.name).waitFor();
    await user.shot(`name-${typed}`);
    // Escape clears the search: the whole clinic again.
    await board.searchBox().press('Escape');
    await board.waitTotal(all.length);
  });

  it('when a coordinator pages through the whole list, then page numbers, ranges and totals follow, in the board order', async () => {
    const { api } = e2e();
    const total = all.length;
    const pages = Math.ceil(total / 20);
    const names = async (page: number) => (await api.page(`page=${page}&pageSize=20`)).items.map((l) => l.name);
    await board.waitTotal(total);
    await board.pageInfo().filter({ hasText: `Page 1 of ${pages} · 1–20 of ${total} leads` }).waitFor();
    const previous = board.pager().getByRole('button', { name: /Previous/ });
    const next = board.pager().getByRole('button', { name: /Next/ });
    assert.ok(await previous.isDisabled(), 'no previous page on page 1');
    assert.deepEqual(await board.cardNames(), await names(1));
    await user.shot('page-1');

    await user.press(next);
    await board.pageInfo().filter({ hasText: `Page 2 of ${pages} · 21–40 of ${total} leads` }).waitFor();
    await board.waitIdle();
    assert.deepEqual(await board.cardNames(), await names(2));
    assert.ok(await previous.isEnabled());
    await user.shot('page-2');

    await user.press(previous);
    await board.pageInfo().filter({ hasText: `Page 1 of ${pages} · 1–20 of ${total} leads` }).waitFor();
    await board.waitIdle();
    assert.deepEqual(await board.cardNames(), await names(1));

    // The last page of a search: its range ends at the total and Next is off. The seed spreads its phones over a dozen
    // area codes at random (seeded by the org id), so take the busiest one: it always fills more than one page.
    const areaCodes = [...new Set(all.filter((l) => l.phoneValid && l.phone.startsWith('+1')).map((l) => l.phone.slice(0, 5)))];
    const typed = areaCodes.map((code) => ({ code, n: byPhone(all, code).length })).sort((a, b) => b.n - a.n)[0]!.code;
    const expected = byPhone(all, typed);
    const lastPage = Math.ceil(expected.length / 20);
    assert.ok(lastPage >= 2, `a search with several pages (${typed}: ${expected.length} leads)`);
    await board.searchFor(typed, expected.length);
    for (let p = 2; p <= lastPage; p++) {
      await user.press(next);
      await board.pageInfo().filter({ hasText: `Page ${p} of ${lastPage} ·` }).waitFor();
    }
    await board.waitIdle();
    await board.pageInfo().filter({ hasText: `${(lastPage - 1) * 20 + 1}–${expected.length} of ${expected.length} leads` }).waitFor();
    assert.ok(await next.isDisabled(), 'no next page on the last page');
    assert.equal((await board.cardNames()).length, expected.length - (lastPage - 1) * 20);
    await user.shot('search-last-page');
  });
});
