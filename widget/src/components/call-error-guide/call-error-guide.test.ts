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
    it("when the lead's number is the problem: examples that match how the board shows numbers, Edit contact, no settings link", async () => {
      const el = await fixture<CallErrorGuide>(
        html`<call-error-guide code="INVALID_PHONE_FORMAT" phone="212 555 1234" phone-settings-url="/crm/phone" editable theme="dark"></call-error-guide>`,
      );
      const steps = text(el.shadowRoot!.querySelector('[part="steps"]'));
      expect(steps).to.contain('This lead has 212 555 1234');
      expect(steps).to.contain('Spaces, brackets and dashes are fine');
      const examples = text(el.shadowRoot!.querySelector('[part="examples"]'));
      // the format the board displays every valid number in is listed as dialled, never as a mistake
      expect(examples).to.contain('Dialled +1 (212) 555-1234 US, as the board shows it');
      expect(examples).to.contain('Not dialled 555-1234 no area code');
      expect(el.shadowRoot!.querySelector('[part="settings-link"]'), "the clinic's settings cannot fix a lead's number").to.equal(null);
      expect(text(el.shadowRoot!.querySelector('[part="edit-contact"]'))).to.equal('Edit contact');
      await expect(el).to.be.accessible();
      const readOnly = await fixture<CallErrorGuide>(html`<call-error-guide code="INVALID_PHONE_FORMAT" phone="555-1234"></call-error-guide>`);
      expect(text(readOnly.shadowRoot!.querySelector('[part="base"]'))).to.contain('Correct the number in your CRM');
    });

    it("when the lead's number is fine: the clinic's calling number is the one to fix, in the phone settings", async () => {
      const el = await fixture<CallErrorGuide>(
        html`<call-error-guide code="INVALID_PHONE_FORMAT" phone="+12125551234" phone-settings-url="/crm/phone" editable></call-error-guide>`,
      );
      expect(text(el.shadowRoot!.querySelector('[part="title"]'))).to.equal("The clinic's calling number can't be used");
      expect(text(el.shadowRoot!.querySelector('[part="steps"]'))).to.contain("The lead's number +1 (212) 555-1234 is fine");
      expect(el.shadowRoot!.querySelector('[part="settings-link"]')!.getAttribute('href')).to.equal('/crm/phone');
      expect(el.shadowRoot!.querySelector('[part="edit-contact"]')).to.equal(null);
      expect(el.shadowRoot!.querySelector('[part="examples"]')).to.equal(null);
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
