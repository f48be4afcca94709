import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead } from '../../../../core/contracts.js';
import type { CampaignsPanel } from './campaigns-panel.js';
import type { LeadsBoard } from '../leads-board/leads-board.js';
import { deepActiveElement } from '../../dialogs/modal.js';
import { FakeBackend, FakeLive, makeLead, waitFor } from '../../test/fixtures.js';
import type { TestProvider } from '../../test/fixtures.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function leads(n: number): Lead[] {
  return Array.from({ length: n }, (_, i) => makeLead({ name: `Cold ${i + 1}`, leadScore: 30 - i, phone: `+1212555${String(2000 + i)}` }));
}

/** A backend with one started campaign to `n` leads (through the fake's own routes, as the composer would). */
async function withCampaign(n = 10) {
  const backend = new FakeBackend(leads(n));
  const api = backend.client;
  const { campaign } = await api.send<{ campaign: { id: string } }>('POST', '/v1/campaigns', { name: 'Re-engagement · Dec', templateId: 'tpl-reengage', audience: { tier: 'cold' } });
  await api.send('POST', `/v1/campaigns/${campaign.id}/start`, {});
  backend.requests = [];
  return { backend, id: campaign.id };
}

async function renderPanel(backend: FakeBackend) {
  const live = new FakeLive();
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${live}>
    <button id="opener">Campaigns</button>
    <campaigns-panel theme="light"></campaigns-panel>
  </test-provider>`);
  const el = provider.querySelector('campaigns-panel')!;
  const opener = provider.querySelector<HTMLButtonElement>('#opener')!;
  opener.focus();
  el.open = true;
  await waitFor(() => el.shadowRoot!.querySelector('.list, .empty'), 'the list');
  await el.updateComplete;
  return { el, live, opener, root: el.shadowRoot! };
}

const bar = (el: CampaignsPanel) => el.shadowRoot!.querySelector<HTMLElement>('[role="progressbar"]')!;
const report = (el: CampaignsPanel, key: string) => text(el.shadowRoot!.querySelector(`.report [data-key="${key}"] dd`));
const button = (el: CampaignsPanel, label: string) => [...el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b) === label);

describe('campaigns-panel', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('empty', () => {
    it('says there are none yet and how to start one', async () => {
      const { el } = await renderPanel(new FakeBackend([]));
      expect(text(el.shadowRoot!.querySelector('.empty'))).to.contain('No campaigns yet');
      await expect(el).to.be.accessible();
    });
  });

  describe('progress', () => {
    it('a labelled dialog with a progressbar per campaign that follows campaign:updated, announced politely', async () => {
      const { backend, id } = await withCampaign(10);
      const { el, live, root } = await renderPanel(backend);
      const dialog = root.querySelector('dialog')!;
      expect(dialog.matches(':modal')).to.equal(true);
      expect(text(root.getElementById(dialog.getAttribute('aria-labelledby')!))).to.equal('Campaigns');
      const pb = bar(el);
      expect(pb.getAttribute('aria-valuenow')).to.equal('0');
      expect(text(root.getElementById(pb.getAttribute('aria-labelledby')!))).to.equal('Re-engagement · Dec');
      expect(text(root.querySelector('.status'))).to.equal('Sending');
      await expect(el).to.be.accessible();

      live.push('campaign:updated', { campaign: backend.campaigns.progress(id, 4) as never });
      await el.updateComplete;
      expect(bar(el).getAttribute('aria-valuenow')).to.equal('40');
      expect(bar(el).getAttribute('aria-valuetext')).to.equal('40%: 4 of 10 sent');
      expect(report(el, 'sent')).to.equal('4');
      const region = root.querySelector('[aria-live="polite"]')!;
      expect(text(region)).to.equal('Re-engagement · Dec: sending, 40% done, 4 of 10 sent.');

      live.push('campaign:updated', { campaign: backend.campaigns.progress(id, 6, { replied: 2, optedOut: 1 }) as never });
      await el.updateComplete;
      expect(bar(el).getAttribute('aria-valuenow')).to.equal('100');
      expect(text(root.querySelector('.status'))).to.equal('Completed');
      expect(report(el, 'delivered')).to.equal('10');
      expect(report(el, 'replied')).to.equal('2');
      expect(report(el, 'opted-out')).to.equal('1');
      expect(report(el, 'segments')).to.equal('10');
      expect(text(region)).to.contain('completed, 100% done');
      expect(button(el, 'Pause')).to.equal(undefined);
    });
  });

  describe('pause, resume, cancel', () => {
    it('pauses and resumes; cancel asks first, then stops the remaining texts', async () => {
      const { backend, id } = await withCampaign(5);
      const { el } = await renderPanel(backend);
      button(el, 'Pause')!.click();
      await waitFor(() => button(el, 'Resume'), 'Resume');
      expect(backend.requestsTo('POST', `/v1/campaigns/${id}/pause`)).to.have.length(1);
      expect(text(el.shadowRoot!.querySelector('.status'))).to.equal('Paused');
      button(el, 'Resume')!.click();
      await waitFor(() => button(el, 'Pause'), 'Pause again');
      button(el, 'Cancel…')!.click();
      await el.updateComplete;
      expect(text(el.shadowRoot!.querySelector('.confirm'))).to.contain('Stop all remaining texts?');
      expect(backend.requestsTo('POST', `/v1/campaigns/${id}/cancel`)).to.have.length(0);
      await expect(el).to.be.accessible();
      button(el, 'Yes, cancel it')!.click();
      await waitFor(() => text(el.shadowRoot!.querySelector('.status')) === 'Cancelled', 'cancelled');
      expect(report(el, 'skipped')).to.equal('5');
      expect(button(el, 'Cancel…')).to.equal(undefined);
    });

    it('shows the server refusal in words', async () => {
      const { backend, id } = await withCampaign(3);
      backend.overrides.push((r) =>
        r.path.endsWith('/pause') ? { status: 409, body: { error: { code: 'INVALID_CAMPAIGN_STATE', message: 'Only a sending or scheduled campaign can be paused; this one is completed.' } } } : undefined,
      );
      const { el } = await renderPanel(backend);
      button(el, 'Pause')!.click();
      await waitFor(() => el.shadowRoot!.querySelector('[part="error"]'), 'the error');
      expect(text(el.shadowRoot!.querySelector('[part="error"]'))).to.contain('this one is completed');
      expect(backend.campaigns.campaigns.find((c) => c.id === id)!.status).to.equal('sending');
    });
  });

  describe('recipients CSV', () => {
    it('downloads through fetch with the token in the Authorization header, never in the URL', async () => {
      const { backend, id } = await withCampaign(3);
      const { el } = await renderPanel(backend);
      const clicked = new Promise<HTMLAnchorElement>((resolve) => {
        const orig = HTMLAnchorElement.prototype.click;
        HTMLAnchorElement.prototype.click = function (this: HTMLAnchorElement) {
          HTMLAnchorElement.prototype.click = orig;
          resolve(this);
        };
      });
      button(el, 'Recipients (CSV)')!.click();
      const a = await clicked;
      const [req] = backend.requestsTo('GET', `/v1/campaigns/${id}/recipients.csv`);
      expect(req.headers.get('Authorization')).to.equal('Bearer tok');
      expect([...req.query.keys()]).to.deep.equal([]);
      expect(a.href.startsWith('blob:')).to.equal(true);
      expect(a.download).to.equal('Re-engagement-Dec-recipients.csv');
      const csv = await (await fetch(a.href)).text();
      expect(csv.split('\n')[0]).to.match(/^leadId,name,phone,status,/);
      expect(csv.split('\n')).to.have.length(4);
    });
  });

  describe('closing', () => {
    it('Esc closes it and focus goes back to the opener', async () => {
      const { backend } = await withCampaign(2);
      const { el, opener, root } = await renderPanel(backend);
      setTimeout(() => root.querySelector('dialog')!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
      const closed = await oneEvent(el, 'dialog-close');
      expect(closed.detail.reason).to.equal('escape');
      expect(deepActiveElement()).to.equal(opener);
    });
  });

  describe('from the board', () => {
    it('the header "Campaigns" opens it; a campaign started in the composer opens it on that campaign', async () => {
      const backend = new FakeBackend(leads(4));
      const live = new FakeLive();
      const board = await fixture<LeadsBoard>(html`<leads-board theme="light" .api=${backend.client} .live=${live}></leads-board>`);
      await waitFor(() => board.shadowRoot!.querySelector('lead-card'), 'cards');
      const headerButton = [...board.shadowRoot!.querySelectorAll<HTMLButtonElement>('.header button')].find((b) => text(b) === 'Campaigns')!;
      headerButton.click();
      await waitFor(() => board.shadowRoot!.querySelector('campaigns-panel')?.shadowRoot?.querySelector('dialog[open]'), 'the panel');
      const panel = board.shadowRoot!.querySelector('campaigns-panel')!;
      await panel.requestClose('close');
      await waitFor(() => !board.shadowRoot!.querySelector('campaigns-panel'), 'closed');

      [...board.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')].find((b) => text(b) === 'Text these 4 leads')!.click();
      await waitFor(() => board.shadowRoot!.querySelector('campaign-composer')?.shadowRoot?.querySelector('select.template option[value="tpl-reengage"]'), 'the composer');
      const composer = board.shadowRoot!.querySelector('campaign-composer')!;
      const select = composer.shadowRoot!.querySelector<HTMLSelectElement>('select.template')!;
      select.value = 'tpl-reengage';
      select.dispatchEvent(new Event('change'));
      const sendButton = () => composer.shadowRoot!.querySelector<HTMLButtonElement>('[part="send-button"]')!;
      await waitFor(() => !sendButton().disabled, 'Send enabled');
      // The composer offers the board's cards for its preview.
      expect(composer.shadowRoot!.querySelectorAll('select[aria-label="Preview for"] option')).to.have.length(5);
      sendButton().click();
      await waitFor(() => board.shadowRoot!.querySelector('campaigns-panel')?.shadowRoot?.querySelector('.campaign.highlight'), 'the panel on the new campaign');
      expect(board.shadowRoot!.querySelector('campaign-composer')).to.equal(null);
      const opened = board.shadowRoot!.querySelector('campaigns-panel')!;
      expect(text(opened.shadowRoot!.querySelector('.campaign.highlight h3'))).to.contain('Re-engagement');
      expect(backend.requestsTo('POST', '/v1/campaigns')[0].body).to.deep.include({ audience: {} });
    });
  });

  describe('phone', () => {
    it('fits 390x844 without sideways scrolling', async () => {
      await setViewport({ width: 390, height: 844 });
      const { backend } = await withCampaign(3);
      const { el, root } = await renderPanel(backend);
      expect(root.querySelector('dialog')!.getBoundingClientRect().width).to.equal(390);
      const body = root.querySelector<HTMLElement>('.modal-body')!;
      expect(body.scrollWidth).to.be.at.most(body.clientWidth);
      await expect(el).to.be.accessible();
    });
  });
});
