import { expect } from '@open-wc/testing';
import '../define.js';
import { FakeBackend, makeCall, makeLead, waitFor } from '../test/fixtures.js';
import { cardNamed, partOf, teamBoard, text } from '../test/team-helpers.js';

const KEY = 'live-leads.call-mode.u1';

describe('call modes', () => {
  beforeEach(() => localStorage.removeItem(KEY));
  after(() => localStorage.removeItem(KEY));

  it('without connect in the session there is no choice and the call is the AI agent\'s (no mode sent)', async () => {
    const lead = makeLead({ name: 'Rosa Diaz' });
    const { board, backend } = await teamBoard([lead]);
    const card = cardNamed(board, 'Rosa Diaz');
    expect(partOf(card, 'call-mode')).to.equal(null);
    partOf(card, 'call-button')!.click();
    await waitFor(() => backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`).length === 1, 'the call');
    expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`)[0].body).to.deep.equal({});
  });

  it('"Connect me" is remembered for the user, sent as mode, and the legs show while connecting', async () => {
    const lead = makeLead({ name: 'Kim Ng' });
    const backend = new FakeBackend([lead]);
    backend.callModes = ['agent', 'connect'];
    const { board, live } = await teamBoard([lead], { backend });
    const card = cardNamed(board, 'Kim Ng');
    await waitFor(() => partOf(card, 'call-mode'), 'the choice');
    const select = partOf(card, 'call-mode') as HTMLSelectElement;
    expect(select.getAttribute('aria-label')).to.equal('How to call');
    expect([...select.options].map((o) => o.textContent)).to.deep.equal(['AI agent calls', 'Connect me']);
    expect(select.value).to.equal('agent');
    select.value = 'connect';
    select.dispatchEvent(new Event('change'));
    expect(localStorage.getItem(KEY)).to.equal('connect');
    await expect(card).shadowDom.to.be.accessible();

    partOf(card, 'call-button')!.click();
    await waitFor(() => backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`).length === 1, 'the call');
    expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`)[0].body).to.deep.equal({ mode: 'connect' });
    await waitFor(() => text(card.shadowRoot!.querySelector('.call-state[role="status"]')) === 'Calling your phone…', 'first leg');
    const leg = (role: string, status: string) => ({ role, status, startedAt: null, endedAt: null });
    live.push('call:updated', { call: makeCall({ id: `call-${lead.id}`, contactId: lead.id, status: 'in-progress', mode: 'connect', legs: [leg('caller', 'in-progress'), leg('lead', 'ringing')] } as never) });
    await waitFor(() => text(card.shadowRoot!.querySelector('.call-state[role="status"]')) === 'Connecting the lead…', 'second leg');
    live.push('call:updated', { call: makeCall({ id: `call-${lead.id}`, contactId: lead.id, status: 'ended', durationSec: 95, mode: 'connect', legs: [leg('caller', 'ended'), leg('lead', 'ended')] } as never) });
    await waitFor(() => /1m 35s/.test(text(card.shadowRoot!.querySelector('.call-state[role="status"]'))), 'ended like any call');

    // Another board (a reload) starts from the remembered choice.
    const again = await teamBoard([makeLead({ name: 'Lee Park' })], { backend: Object.assign(new FakeBackend([makeLead({ name: 'Lee Park' })]), { callModes: ['agent', 'connect'] }) });
    const other = cardNamed(again.board, 'Lee Park');
    await waitFor(() => partOf(other, 'call-mode'), 'the choice');
    expect((partOf(other, 'call-mode') as HTMLSelectElement).value).to.equal('connect');
  });

  it('the detail offers the same choice next to Call Now, and a missing phone is refused in words', async () => {
    const lead = makeLead({ name: 'Ada Stone' });
    const backend = new FakeBackend([lead]);
    backend.callModes = ['agent', 'connect'];
    localStorage.setItem(KEY, 'connect');
    backend.overrides.push((req) =>
      req.method === 'POST' && req.path.endsWith('/calls')
        ? { status: 422, body: { error: { code: 'CALLER_PHONE_MISSING', message: 'Connect me needs your phone number: ask your admin to add it to your profile in the CRM.' } } }
        : undefined,
    );
    const { board, root } = await teamBoard([lead], { backend });
    cardNamed(board, 'Ada Stone').open();
    await waitFor(() => root.querySelector('lead-detail')?.shadowRoot?.querySelector('[part="call-mode"]'), 'the detail choice');
    const detail = root.querySelector('lead-detail')!;
    expect((partOf(detail, 'call-mode') as HTMLSelectElement).value).to.equal('connect');
    partOf(detail, 'call-button')!.click();
    await waitFor(() => detail.shadowRoot!.querySelector('call-error-guide')?.shadowRoot?.textContent?.includes('Connect me needs your phone number'), 'the refusal');
    expect(backend.requestsTo('POST', `/v1/leads/${lead.id}/calls`)[0].body).to.deep.equal({ mode: 'connect' });
  });
});
