import { strict as assert } from 'node:assert';
import type { ViewCounts } from '../core/contracts.js';
import { Board, e2e, eventually, openUser } from './support.js';

describe('Priority views and sorts', () => {
  it('when a coordinator opens the Call today view and sorts by last contact, then the tabs show the server\'s counts and the board lists exactly what the API does, in its order', async function () {
    const { api } = e2e();
    const user = await openUser(this);
    const board = await Board.open(user);
    const tabs = board.root.getByRole('group', { name: 'Priority view' });
    const tab = (label: string) => tabs.getByRole('button', { name: new RegExp(`^${label}\\b`) });
    // The counts on the tabs are GET /v1/views's.
    await eventually('the view tabs to show the counts of GET /v1/views', async () => {
      const { views } = await api.request<ViewCounts>('GET', '/v1/views');
      const shown = await Promise.all(views.map((v) => tab(v.label).textContent()));
      return views.every((v, i) => (shown[i] ?? '').replace(/\s+/g, ' ').trim() === `${v.label} ${v.count}`);
    });
    await user.shot('view-tabs');

    await user.press(tab('Call today'));
    await eventually('the Call today tab to be pressed', async () => (await tab('Call today').getAttribute('aria-pressed')) === 'true');
    await board.root.getByText(/^Hot leads not contacted for over 24 hours/).waitFor();
    const page = await api.page('view=call_today&page=1&pageSize=20');
    await board.waitTotal(page.total);
    await board.waitIdle();
    assert.deepEqual(await board.cardNames(), page.items.map((l) => l.name));
    await user.shot('call-today');

    // Oldest contact first (never contacted first), still within Call today.
    await board.root.getByRole('combobox', { name: 'Sort by' }).selectOption({ label: 'Last contact (oldest first)' });
    const sorted = await api.page('view=call_today&sort=last_contact&page=1&pageSize=20');
    await eventually('the board to list Call today by last contact', async () => JSON.stringify(await board.cardNames()) === JSON.stringify(sorted.items.map((l) => l.name)));
    const times = sorted.items.map((l) => (l.lastContactAt ? Date.parse(l.lastContactAt) : -Infinity));
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'oldest contact first');
    await user.shot('call-today-by-last-contact');

    await user.press(tab('All'));
    await board.waitTotal((await api.page('pageSize=1')).total);
    assert.deepEqual(user.problems, []);
  });
});
