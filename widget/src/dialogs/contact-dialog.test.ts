import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../define.js';
import type { Lead } from '../../../core/contracts.js';
import { error, FakeBackend, FakeLive, makeLead, waitFor } from '../test/fixtures.js';
import type { TestProvider } from '../test/fixtures.js';
import type { ContactDialog } from './contact-dialog.js';
import { phoneProblemOf } from './contact-dialog.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

async function renderCard(lead: Lead, backend = new FakeBackend([{ ...lead }])) {
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${new FakeLive()}>
    <lead-card .lead=${lead}></lead-card>
  </test-provider>`);
  const card = provider.querySelector('lead-card')!;
  await card.updateComplete;
  return { card, backend };
}

async function dialogIn(root: ParentNode): Promise<ContactDialog> {
  await waitFor(() => root.querySelector('contact-dialog')?.shadowRoot?.querySelector('dialog[open]'), 'the contact form');
  const d = root.querySelector('contact-dialog')!;
  await d.updateComplete;
  return d;
}

function type(d: ContactDialog, field: string, value: string): void {
  const input = d.shadowRoot!.querySelector<HTMLInputElement>(`#c-${field}`)!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input'));
}

describe('contact-dialog', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  it('tells what is wrong with a stored phone, as the import does', () => {
    expect(phoneProblemOf('+12125550123')).to.equal(null);
    expect(phoneProblemOf('212 555 0199')).to.equal('INVALID_COUNTRY');
    expect(phoneProblemOf('555')).to.equal('TOO_SHORT');
    expect(phoneProblemOf('call me')).to.equal('NOT_A_NUMBER');
    expect(phoneProblemOf('+1234567890123456')).to.equal('TOO_LONG');
  });

  it('E on a card: the cancelable request, the form with the stored values, Save sends only the changes with the version, then lead-contact-change', async () => {
    const lead = makeLead({ name: 'Maria Lopez', email: null, services: ['Botox'], version: 4 });
    const { card, backend } = await renderCard(lead);
    const request = oneEvent(card, 'lead-contact-change-request');
    card.tabIndex = 0;
    card.focus();
    await sendKeys({ press: 'e' });
    expect((await request).detail.lead.id).to.equal(lead.id);
    const d = await dialogIn(card.shadowRoot!);
    const r = d.shadowRoot!;
    expect(text(r.getElementById('ct'))).to.equal('Edit contact');
    expect(r.querySelector<HTMLInputElement>('#c-name')!.value).to.equal('Maria Lopez');
    expect(r.querySelector<HTMLInputElement>('#c-phone')!.value).to.equal('+12125551234');
    expect(r.querySelector<HTMLInputElement>('#c-services')!.value).to.equal('Botox');
    expect(r.activeElement).to.equal(r.querySelector('#c-name'));
    await expect(d).to.be.accessible();
    // Typing "e" or "l" in a field does not reach the card's shortcuts.
    await sendKeys({ press: 'End' });
    await sendKeys({ type: ' Ruiz' });
    type(d, 'email', 'maria@example.com');
    type(d, 'services', 'Botox, Lip filler');
    const change = oneEvent(card, 'lead-contact-change');
    await sendKeys({ press: 'Enter' });
    const { detail } = await change;
    const patch = backend.requestsTo('PATCH', `/v1/leads/${lead.id}`);
    expect(patch).to.have.length(1);
    expect(patch[0].body).to.deep.equal({ contact: { name: 'Maria Lopez Ruiz', email: 'maria@example.com', services: ['Botox', 'Lip filler'] }, expectedVersion: 4 });
    expect(detail.changes).to.deep.equal({ name: 'Maria Lopez Ruiz', email: 'maria@example.com', services: ['Botox', 'Lip filler'] });
    expect(detail.previous.name).to.equal('Maria Lopez');
    await waitFor(() => card.lead?.name === 'Maria Lopez Ruiz', 'the card shows the saved contact');
    expect(card.shadowRoot!.querySelector('contact-dialog')).to.equal(null);
  });

  it('a host that edits contacts itself vetoes the request: no form opens', async () => {
    const { card } = await renderCard(makeLead());
    card.addEventListener('lead-contact-change-request', (e) => e.preventDefault());
    await card.editContact();
    expect(card.shadowRoot!.querySelector('contact-dialog')).to.equal(null);
  });

  it('from the invalid-phone guide: the stored value and what is wrong, the server\'s phone error inline, then fixed', async () => {
    const lead = makeLead({ name: 'Emma Wilson', phone: '212 555 0199', phoneValid: false });
    const backend = new FakeBackend([lead]);
    backend.overrides.push((r) => (r.path.endsWith('/calls') ? error(422, 'INVALID_PHONE_FORMAT', 'The lead\'s phone is not in E.164.') : undefined));
    const { card } = await renderCard(lead, backend);
    await card.startCall();
    await card.updateComplete;
    const guide = card.shadowRoot!.querySelector('call-error-guide')!;
    await customElements.whenDefined('call-error-guide');
    await guide.updateComplete;
    expect(text(guide.shadowRoot!.querySelector('[part="problem"]'))).to.equal(
      '"212 555 0199" has no country code we recognise: start with + and the country code, for example +12125550123.',
    );
    guide.shadowRoot!.querySelector<HTMLButtonElement>('[part="edit-contact"]')!.click();
    const d = await dialogIn(card.shadowRoot!);
    const r = d.shadowRoot!;
    expect(r.activeElement).to.equal(r.querySelector('#c-phone'));
    expect(text(r.querySelector('#h-phone'))).to.equal('Stored now: "212 555 0199" has no country code we recognise: start with + and the country code, for example +12125550123.');
    type(d, 'phone', '555 0199');
    r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => r.querySelector('#e-phone'), 'the phone error');
    expect(text(r.querySelector('#e-phone'))).to.contain('"555 0199" has no country code we recognise');
    expect(r.querySelector('#c-phone')!.getAttribute('aria-invalid')).to.equal('true');
    expect(r.querySelector('#c-phone')!.getAttribute('aria-describedby')).to.equal('e-phone h-phone');
    await waitFor(() => r.activeElement === r.querySelector('#c-phone'), 'focus on the phone');
    type(d, 'phone', '+1 212 555 0199');
    r.querySelector<HTMLButtonElement>('button[type="submit"]')!.click();
    await waitFor(() => card.lead?.phone === '+12125550199', 'saved');
    expect(card.lead!.phoneValid).to.equal(true);
    // The guide goes once the number is valid.
    await card.updateComplete;
    expect(card.shadowRoot!.querySelector('call-error-guide')).to.equal(null);
  });

  it('on 409 (someone else saved first) keeps what was typed and says so; Escape cancels without saving', async () => {
    const lead = makeLead({ name: 'Old Name', version: 1 });
    const backend = new FakeBackend([{ ...lead, version: 2, email: 'x@example.com' }]);
    const { card } = await renderCard(lead, backend);
    void card.editContact();
    const d = await dialogIn(card.shadowRoot!);
    type(d, 'name', 'New Name');
    await d.save();
    await d.updateComplete;
    expect(text(d.shadowRoot!.querySelector('.notice'))).to.contain('Someone else changed this contact a moment ago');
    expect(d.shadowRoot!.querySelector<HTMLInputElement>('#c-name')!.value).to.equal('New Name');
    await sendKeys({ press: 'Escape' });
    await waitFor(() => !card.shadowRoot!.querySelector('contact-dialog'), 'closed');
    expect(card.lead!.name).to.equal('Old Name');
  });

  it('is usable on a phone: a bottom sheet, no axe violations', async () => {
    await setViewport({ width: 375, height: 740 });
    const { card } = await renderCard(makeLead());
    void card.editContact();
    const d = await dialogIn(card.shadowRoot!);
    const box = d.shadowRoot!.querySelector('dialog')!.getBoundingClientRect();
    expect(box.width).to.equal(375);
    expect(box.bottom).to.be.closeTo(740, 1);
    await expect(d).to.be.accessible();
  });
});
