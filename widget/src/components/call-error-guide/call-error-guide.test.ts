import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../define.js';
import '../../lazy.js';
import type { CallErrorGuide } from './call-error-guide.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

describe('call-error-guide', () => {
  describe('OUTBOUND_AGENT_NOT_CONFIGURED', () => {
    it('explains the agent set-up in steps and links to the agent settings', async () => {
      const el = await fixture<CallErrorGuide>(html`<call-error-guide code="OUTBOUND_AGENT_NOT_CONFIGURED" agent-settings-url="/crm/agent"></call-error-guide>`);
      expect(text(el.shadowRoot!.querySelector('[part="title"]'))).to.equal('Set up the outbound calling agent');
      expect(el.shadowRoot!.querySelectorAll('[part="steps"] li')).to.have.length(3);
      const link = el.shadowRoot!.querySelector('a')!;
      expect(link.getAttribute('href')).to.equal('/crm/agent');
      expect(text(link)).to.equal('Open agent settings');
      await expect(el).to.be.accessible();
    });
  });

  describe('NO_PHONE_NUMBER', () => {
    it('explains the number import and links to the phone settings', async () => {
      const el = await fixture<CallErrorGuide>(html`<call-error-guide code="NO_PHONE_NUMBER" phone-settings-url="/crm/phone"></call-error-guide>`);
      expect(text(el.shadowRoot!.querySelector('[part="steps"]'))).to.contain('Import your Twilio number');
      expect(el.shadowRoot!.querySelector('a')!.getAttribute('href')).to.equal('/crm/phone');
      await expect(el).to.be.accessible();
    });
  });

  describe('INVALID_PHONE_FORMAT', () => {
    it('shows the number, valid and invalid E.164 examples, and the phone settings link', async () => {
      const el = await fixture<CallErrorGuide>(
        html`<call-error-guide code="INVALID_PHONE_FORMAT" phone="212 555 1234" phone-settings-url="/crm/phone" theme="dark"></call-error-guide>`,
      );
      const steps = text(el.shadowRoot!.querySelector('[part="steps"]'));
      expect(steps).to.contain('This lead has 212 555 1234');
      const examples = text(el.shadowRoot!.querySelector('[part="examples"]'));
      expect(examples).to.contain('Valid +12125551234');
      expect(examples).to.contain('Invalid 2125551234 no + and country code');
      expect(examples).to.contain('+1 (212) 555-1234 spaces and brackets');
      expect(el.shadowRoot!.querySelector('a')!.getAttribute('href')).to.equal('/crm/phone');
      await expect(el).to.be.accessible();
    });
  });

  describe('without a settings link or a known code', () => {
    it('asks for an administrator when the host gave no link', async () => {
      const el = await fixture<CallErrorGuide>(html`<call-error-guide code="NO_PHONE_NUMBER"></call-error-guide>`);
      expect(el.shadowRoot!.querySelector('a')).to.equal(null);
      expect(text(el.shadowRoot!.querySelector('[part="base"]'))).to.contain('Ask your administrator');
    });

    it('shows the API message for other codes, and fires call-error-dismiss', async () => {
      const el = await fixture<CallErrorGuide>(html`<call-error-guide code="CALL_PROVIDER_FAILED" message="Vapi is down"></call-error-guide>`);
      expect(text(el.shadowRoot!.querySelector('[part="title"]'))).to.equal("The call couldn't start");
      expect(text(el.shadowRoot!.querySelector('.message'))).to.equal('Vapi is down');
      setTimeout(() => el.shadowRoot!.querySelector<HTMLButtonElement>('[part="dismiss"]')!.click());
      const event = await oneEvent(el, 'call-error-dismiss');
      expect(event.detail.code).to.equal('CALL_PROVIDER_FAILED');
      await expect(el).to.be.accessible();
    });
  });
});
