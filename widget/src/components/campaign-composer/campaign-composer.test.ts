import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead } from '../../../../core/contracts.js';
import type { LeadQuery } from '../../api/client.js';
import type { CampaignComposer } from './campaign-composer.js';
import { deepActiveElement } from '../../dialogs/modal.js';
import { FakeBackend, FakeLive, makeLead, waitFor } from '../../test/fixtures.js';
import type { TestProvider } from '../../test/fixtures.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

function coldLeads(): Lead[] {
  return [
    makeLead({ name: 'Emily Stone', leadScore: 45, lastContactAt: ago(45), phone: '+12125550101' }),
    makeLead({ name: 'Tom Ray', leadScore: 35, lastContactAt: ago(40), phone: '+12125550102' }),
    makeLead({ name: 'Ann Recent', leadScore: 40, lastContactAt: ago(3), phone: '+12125550103' }),
    makeLead({ name: 'Olga Out', leadScore: 20, lastContactAt: ago(60), phone: '+12125550104', smsOptOut: { at: ago(10), source: 'STOP' } as Lead['smsOptOut'] }),
    makeLead({ name: 'Ivan Invalid', leadScore: 25, lastContactAt: ago(50), phoneValid: false, phone: '5551234' }),
    makeLead({ name: 'Hot Henry', leadScore: 90, phone: '+12125550106' }),
  ];
}

interface Options {
  leads?: Lead[];
  leadIds?: string[] | null;
  filter?: LeadQuery;
  backend?: FakeBackend;
}

async function renderComposer(opts: Options = {}) {
  const leads = opts.leads ?? coldLeads();
  const backend = opts.backend ?? new FakeBackend(leads);
  const config = {
    apiUrl: 'http://api.test',
    settings: { agentSettingsUrl: null, phoneSettingsUrl: null },
    session: { user: { id: 'u1', name: 'Ann', role: 'agent' as const }, org: { id: 'o1', name: 'Clinic', timezone: 'UTC' }, telephony: { outboundAgentConfigured: true, twilioNumber: '+15550001111', sandbox: true } },
  };
  const filter = opts.filter ?? { tier: 'cold' };
  const shown = leads.filter((l) => l.leadScore < 50);
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${new FakeLive()} .config=${config}>
    <button id="opener">Open</button>
    <campaign-composer .leadIds=${opts.leadIds ?? null} .filter=${filter} .total=${opts.leadIds?.length ?? shown.length} .leads=${shown} theme="light"></campaign-composer>
  </test-provider>`);
  const el = provider.querySelector('campaign-composer')!;
  const opener = provider.querySelector<HTMLButtonElement>('#opener')!;
  opener.focus();
  el.open = true;
  await el.updateComplete;
  await waitFor(() => el.shadowRoot!.querySelectorAll('select.template option').length > 1, 'the templates');
  return { el, backend, opener, root: el.shadowRoot! };
}

const part = (el: CampaignComposer, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const send = (el: CampaignComposer) => part(el, 'send-button') as HTMLButtonElement;
const templateSelect = (el: CampaignComposer) => part(el, 'template') as HTMLSelectElement;
async function pickTemplate(el: CampaignComposer, name: string) {
  const select = templateSelect(el);
  select.value = [...select.options].find((o) => o.text.startsWith(name))!.value;
  select.dispatchEvent(new Event('change'));
  await el.updateComplete;
}
async function fill(el: CampaignComposer, value: string) {
  const box = part(el, 'textarea') as HTMLTextAreaElement;
  box.value = value;
  box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}
const checkbox = (el: CampaignComposer, label: string) =>
  [...el.shadowRoot!.querySelectorAll<HTMLLabelElement>('label.check')].find((l) => text(l).startsWith(label))!.querySelector<HTMLInputElement>('input')!;
const synced = (el: CampaignComposer, check: () => unknown, what: string) => waitFor(() => check() && !el.shadowRoot!.querySelector('[part="counts"]')?.textContent?.includes('Counting'), what);

describe('campaign-composer', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('opening', () => {
    it('is a labelled modal that lists the built-in templates, focuses the picker, and sends nothing yet', async () => {
      const { el, backend, root } = await renderComposer();
      const dialog = root.querySelector('dialog')!;
      expect(dialog.matches(':modal')).to.equal(true);
      expect(text(root.getElementById(dialog.getAttribute('aria-labelledby')!))).to.equal('Text 5 leads');
      expect([...templateSelect(el).options].map((o) => o.text)).to.deep.equal(['Write your own', 'Re-engagement', 'Appointment reminder', 'Follow-up after a call']);
      expect(deepActiveElement()).to.equal(templateSelect(el));
      expect(text(part(el, 'counts'))).to.contain('Write or pick a message');
      expect(send(el).disabled).to.equal(true);
      expect(backend.requestsTo('POST', '/v1/campaigns')).to.have.length(0);
      expect(text(part(el, 'audience'))).to.contain("The board's filter: Cold leads");
      await expect(el).to.be.accessible();
    });
  });

  describe('the guide re-engagement campaign', () => {
    it('picks the template, creates the draft from the filter, shows counts with reasons and a preview with segments', async () => {
      const { el, backend } = await renderComposer();
      await pickTemplate(el, 'Re-engagement');
      expect((part(el, 'textarea') as HTMLTextAreaElement).value).to.contain("We've missed you");
      await synced(el, () => el.shadowRoot!.querySelector('.bubble'), 'the draft and its preview');
      const [post] = backend.requestsTo('POST', '/v1/campaigns');
      expect(post.body).to.deep.include({ templateId: 'tpl-reengage', audience: { tier: 'cold' } });
      expect(post.body).to.not.have.property('body');
      const counts = text(part(el, 'counts'));
      expect(counts).to.contain('3 recipients');
      expect(counts).to.contain('2 leads left out');
      expect(counts).to.contain('1 opted out of texts');
      expect(counts).to.contain('1 invalid phone number');
      const bubble = text(el.shadowRoot!.querySelector('.bubble'));
      expect(bubble).to.equal("Hi Emily! We've missed you at Clinic. Here's a special offer just for you: reply YES to book.");
      expect(text(part(el, 'preview'))).to.contain(`${bubble.length} characters · 1 segment`);
      expect(text(send(el))).to.equal('Send to 3 leads');
      await expect(el).to.be.accessible();
    });

    it('"Last contact more than 30 days ago" narrows the audience (PATCH of the draft, debounced)', async () => {
      const { el, backend } = await renderComposer();
      await pickTemplate(el, 'Re-engagement');
      await synced(el, () => backend.requestsTo('POST', '/v1/campaigns').length, 'the draft');
      checkbox(el, 'Last contact over').click();
      await el.updateComplete;
      await synced(el, () => backend.requestsTo('PATCH', /^\/v1\/campaigns\//).length, 'the PATCH');
      const patch = backend.requestsTo('PATCH', /^\/v1\/campaigns\//)[0].body as { audience: { lastContactBefore: string; tier: string } };
      expect(patch.audience.tier).to.equal('cold');
      expect(Math.abs(Date.parse(patch.audience.lastContactBefore) - (Date.now() - 30 * DAY))).to.be.lessThan(60_000);
      expect(text(part(el, 'counts'))).to.contain('2 recipients');
      // The two appointment extras exclude each other (the API refuses both at once).
      checkbox(el, 'Appointment within').click();
      checkbox(el, 'No upcoming appointment').click();
      await el.updateComplete;
      expect(checkbox(el, 'Appointment within').checked).to.equal(false);
    });
  });

  describe('writing', () => {
    it('a merge field button inserts the field at the cursor; quick edits make one PATCH', async () => {
      const { el, backend } = await renderComposer();
      const box = part(el, 'textarea') as HTMLTextAreaElement;
      box.focus();
      await sendKeys({ type: 'Hi ! See you' });
      box.setSelectionRange(3, 3);
      const button = [...part(el, 'merge-fields')!.querySelectorAll('button')].find((b) => text(b) === 'First name')!;
      button.click();
      await el.updateComplete;
      expect(box.value).to.equal('Hi {first_name}! See you');
      expect(box.selectionStart).to.equal('Hi {first_name}'.length);
      expect(deepActiveElement()).to.equal(box);
      await synced(el, () => el.shadowRoot!.querySelector('.bubble'), 'the preview');
      expect(text(el.shadowRoot!.querySelector('.bubble'))).to.equal('Hi Emily! See you');
      expect(backend.requestsTo('POST', '/v1/campaigns')).to.have.length(1);
      expect(backend.requestsTo('PATCH', /^\/v1\/campaigns\//).length).to.be.lessThan(3);
    });

    it('previews a chosen recipient and warns when some recipients run longer than others', async () => {
      const leads = coldLeads();
      leads[1].name = `Tom ${'Longname'.repeat(20)}`;
      const { el, backend } = await renderComposer({ leads });
      await fill(el, 'Hello {name}, we have a new offer for you at {clinic_name}. Reply YES to hear more!');
      await synced(el, () => el.shadowRoot!.querySelector('.bubble'), 'the preview');
      expect(text(part(el, 'length-warning'))).to.contain('from 1 segment to 2 segments each');
      const select = el.shadowRoot!.querySelector<HTMLSelectElement>('select[aria-label="Preview for"]')!;
      select.value = leads[1].id;
      select.dispatchEvent(new Event('change'));
      await waitFor(() => text(el.shadowRoot!.querySelector('.bubble')).includes('Longname'), 'the long preview');
      expect(backend.requestsTo('GET', /\/preview$/).at(-1)!.query.get('leadId')).to.equal(leads[1].id);
      expect(text(part(el, 'preview'))).to.contain('2 segments');
    });

    it('asks for the link when the text uses {link}', async () => {
      const { el, backend } = await renderComposer();
      await pickTemplate(el, 'Follow-up after a call');
      await waitFor(() => el.shadowRoot!.querySelector('[part="error"]'), 'the refusal');
      expect(text(part(el, 'error'))).to.contain('{link}');
      const input = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="url"]')!;
      input.value = 'https://clinic.example/prices';
      input.dispatchEvent(new Event('change'));
      await synced(el, () => el.shadowRoot!.querySelector('.bubble'), 'the draft');
      expect(backend.requestsTo('POST', '/v1/campaigns').at(-1)!.body).to.deep.include({ link: 'https://clinic.example/prices' });
      expect(part(el, 'error')).to.equal(null);
    });
  });

  describe('errors', () => {
    it('an unknown merge field is named and Send stays off', async () => {
      const { el } = await renderComposer();
      await fill(el, 'Hi {frist_name}!');
      await waitFor(() => el.shadowRoot!.querySelector('[part="error"]'), 'the error');
      const err = part(el, 'error')!;
      expect(err.getAttribute('role')).to.equal('alert');
      expect(text(err)).to.contain('Check the merge fields');
      expect(text(err)).to.contain('{frist_name}');
      expect(send(el).disabled).to.equal(true);
      await expect(el).to.be.accessible();
    });

    it('more than 50 leads as an agent: says an admin is needed and how to narrow it', async () => {
      const leads = Array.from({ length: 51 }, (_, i) => makeLead({ name: `Lead ${i}`, leadScore: 30, phone: `+1212555${String(1000 + i)}` }));
      const { el } = await renderComposer({ leads });
      await pickTemplate(el, 'Re-engagement');
      await waitFor(() => el.shadowRoot!.querySelector('[part="error"]'), 'the refusal');
      expect(text(part(el, 'error'))).to.contain('Only an admin can text more than 50 leads at once');
      expect(text(part(el, 'error'))).to.contain('Narrow the audience to 50 leads or fewer');
      expect(send(el).disabled).to.equal(true);
    });

    it('an audience everyone is excluded from shows 0 recipients with the reasons', async () => {
      const { el, backend } = await renderComposer();
      const [, , , olga] = backend.leads;
      el.leadIds = [olga.id];
      await pickTemplate(el, 'Re-engagement');
      await waitFor(() => text(part(el, 'counts')).includes('0 recipients'), 'the empty count');
      expect(text(part(el, 'counts'))).to.contain('1 opted out of texts');
      expect(text(part(el, 'error'))).to.contain('Empty audience');
    });
  });

  describe('sending', () => {
    it('Send now starts the draft, fires campaign-started and closes, focus back on the opener', async () => {
      const { el, backend, opener } = await renderComposer();
      await pickTemplate(el, 'Re-engagement');
      await synced(el, () => !send(el).disabled, 'Send enabled');
      setTimeout(() => send(el).click());
      const started = await oneEvent(el, 'campaign-started');
      expect(started.detail.campaign.status).to.equal('sending');
      expect(backend.requestsTo('POST', /\/start$/)[0].body).to.deep.equal({});
      await waitFor(() => !el.open, 'closed');
      expect(deepActiveElement()).to.equal(opener);
      expect(backend.requestsTo('DELETE', /^\/v1\/campaigns\//)).to.have.length(0);
    });

    it('Schedule sends the chosen time as ISO', async () => {
      const { el, backend } = await renderComposer({ leadIds: null });
      await pickTemplate(el, 'Re-engagement');
      [...el.shadowRoot!.querySelectorAll<HTMLInputElement>('input[name="when"]')][1].click();
      await el.updateComplete;
      expect(send(el).disabled).to.equal(true);
      const at = el.shadowRoot!.querySelector<HTMLInputElement>('input[type="datetime-local"]')!;
      at.value = '2030-05-01T09:30';
      at.dispatchEvent(new Event('input'));
      await synced(el, () => !send(el).disabled, 'Schedule enabled');
      expect(text(send(el))).to.equal('Schedule for 3 leads');
      setTimeout(() => send(el).click());
      const started = await oneEvent(el, 'campaign-started');
      expect(started.detail.campaign.status).to.equal('scheduled');
      expect((backend.requestsTo('POST', /\/start$/)[0].body as { sendAt: string }).sendAt).to.equal(new Date('2030-05-01T09:30').toISOString());
    });

    it('closing without sending deletes the draft', async () => {
      const { el, backend } = await renderComposer();
      await pickTemplate(el, 'Re-engagement');
      await synced(el, () => backend.requestsTo('POST', '/v1/campaigns').length, 'the draft');
      setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('.close-x')!.click());
      await oneEvent(el, 'dialog-close');
      await waitFor(() => backend.requestsTo('DELETE', /^\/v1\/campaigns\//).length === 1, 'the DELETE');
      expect(backend.campaigns.campaigns).to.have.length(0);
    });
  });

  describe('phone', () => {
    it('fills a 390x844 screen without sideways scrolling', async () => {
      await setViewport({ width: 390, height: 844 });
      const { el, root } = await renderComposer();
      await pickTemplate(el, 'Re-engagement');
      await synced(el, () => el.shadowRoot!.querySelector('.bubble'), 'the preview');
      const dialog = root.querySelector('dialog')!.getBoundingClientRect();
      expect(dialog.width).to.equal(390);
      const body = root.querySelector<HTMLElement>('.modal-body')!;
      expect(body.scrollWidth).to.be.at.most(body.clientWidth);
      await expect(el).to.be.accessible();
    });
  });
});
