import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../../define.js';
import type { Lead, SmsLog } from '../../../../core/contracts.js';
import { nextAllowedSendTime } from '../../../../core/quiet-hours.js';
import type { SmsComposer } from './sms-composer.js';
import { whenInZone } from './sms-composer.js';
import { deepActiveElement } from '../../dialogs/modal.js';
import { error, FakeBackend, FakeLive, makeLead, waitFor } from '../../test/fixtures.js';
import type { TestProvider } from '../../test/fixtures.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** An IANA zone whose wall clock currently shows `hour` (Etc/GMT zones cover every whole-hour offset). */
function zoneWithHour(hour: number): string {
  const utc = new Date().getUTCHours();
  for (let off = -12; off <= 14; off++) {
    if ((utc + off + 48) % 24 === hour) return off === 0 ? 'Etc/GMT' : off > 0 ? `Etc/GMT-${off}` : `Etc/GMT+${-off}`;
  }
  throw new Error(`no zone at hour ${hour}`);
}
const DAYTIME = () => zoneWithHour(12);
const LATE = () => zoneWithHour(22);

interface RenderOptions {
  backend?: FakeBackend;
  theme?: string;
  orgTimezone?: string;
  phoneSettingsUrl?: string | null;
}

async function renderComposer(lead: Lead, opts: RenderOptions = {}) {
  const backend = opts.backend ?? new FakeBackend([lead]);
  const config = {
    apiUrl: 'http://api.test',
    settings: { agentSettingsUrl: '/settings/agent', phoneSettingsUrl: opts.phoneSettingsUrl === undefined ? '/settings/phone' : opts.phoneSettingsUrl },
    session: {
      user: { id: 'u1', name: 'Ann', role: 'agent' as const },
      org: { id: 'o1', name: 'Clinic', timezone: opts.orgTimezone ?? DAYTIME() },
      telephony: { outboundAgentConfigured: true, twilioNumber: '+15550001111', sandbox: true },
    },
  };
  const provider = await fixture<TestProvider>(html`<test-provider .api=${backend.client} .live=${new FakeLive()} .config=${config}>
    <button id="opener">Text</button>
    <sms-composer .lead=${lead} theme=${opts.theme ?? 'light'}></sms-composer>
  </test-provider>`);
  const el = provider.querySelector('sms-composer')!;
  const opener = provider.querySelector<HTMLButtonElement>('#opener')!;
  opener.focus();
  el.open = true;
  await el.updateComplete;
  return { el, backend, opener };
}

const part = (el: SmsComposer, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const textarea = (el: SmsComposer) => part(el, 'textarea') as HTMLTextAreaElement;
const sendButton = (el: SmsComposer) => part(el, 'send-button') as HTMLButtonElement;

/** Put text in the box the way a paste does (value + input event). */
async function fill(el: SmsComposer, value: string) {
  const box = textarea(el);
  box.value = value;
  box.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertFromPaste' }));
  await el.updateComplete;
}

const lead = (overrides: Partial<Lead> = {}) => makeLead({ name: 'Maria Lopez', timezone: DAYTIME(), ...overrides });

function okReply(body: string, overrides: Partial<SmsLog> = {}) {
  return { sms: { id: 'sms-9', contactId: 'x', body, status: 'queued', segments: 1, encoding: 'GSM-7', scheduledFor: null, ...overrides }, scheduled: false };
}

describe('sms-composer', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('empty', () => {
    it('is a modal labelled with the lead name, with a labelled message box, a counter and Send disabled', async () => {
      const { el } = await renderComposer(lead());
      const dialog = el.shadowRoot!.querySelector('dialog')!;
      expect(dialog.matches(':modal')).to.equal(true);
      expect(text(el.shadowRoot!.getElementById(dialog.getAttribute('aria-labelledby')!))).to.equal('Text Maria Lopez');
      const box = textarea(el);
      expect(text(el.shadowRoot!.querySelector(`label[for="${box.id}"]`))).to.equal('Message');
      expect(box.getAttribute('aria-describedby')).to.contain('counter');
      expect(text(part(el, 'counter'))).to.equal('0 / 160 · 1 segment');
      expect(sendButton(el).disabled).to.equal(true);
      expect(part(el, 'quiet-hours')).to.equal(null);
      expect(deepActiveElement()).to.equal(box);
      await expect(el).to.be.accessible();
    });
  });

  describe('counting', () => {
    it('updates as the user types (real keys)', async () => {
      const { el } = await renderComposer(lead());
      await sendKeys({ type: 'Hi Maria' });
      await el.updateComplete;
      expect(textarea(el).value).to.equal('Hi Maria');
      expect(text(part(el, 'counter'))).to.equal('8 / 160 · 1 segment');
      expect(sendButton(el).disabled).to.equal(false);
    });

    it('GSM-7: 160 characters is 1 segment, 161 is 2 (153 each) with a warning', async () => {
      const { el } = await renderComposer(lead());
      await fill(el, 'a'.repeat(160));
      expect(text(part(el, 'counter'))).to.equal('160 / 160 · 1 segment');
      expect(part(el, 'segment-warning')).to.equal(null);
      await fill(el, 'a'.repeat(161));
      expect(text(part(el, 'counter'))).to.equal('161 / 306 · 2 segments');
      expect(text(part(el, 'segment-warning'))).to.contain('will arrive as 2 texts');
      expect(textarea(el).getAttribute('aria-describedby')).to.contain('segment-warning');
      await expect(el).to.be.accessible();
    });

    it('the euro sign takes two septets: 158 + € fits one segment, 159 + € does not', async () => {
      const { el } = await renderComposer(lead());
      await fill(el, `${'a'.repeat(158)}€`);
      expect(text(part(el, 'counter'))).to.equal('160 / 160 · 1 segment');
      await fill(el, `${'a'.repeat(159)}€`);
      expect(text(part(el, 'counter'))).to.equal('161 / 306 · 2 segments');
      expect(text(part(el, 'counter'))).not.to.contain('UCS-2');
    });

    it('UCS-2 with an emoji: 70 units is 1 segment, 71 is 2 (67 each), and the encoding is shown', async () => {
      const { el } = await renderComposer(lead());
      await fill(el, `${'a'.repeat(68)}😀`);
      expect(text(part(el, 'counter'))).to.equal('70 / 70 · 1 segment · Unicode (UCS-2)');
      expect(part(el, 'segment-warning')).to.equal(null);
      await fill(el, `${'a'.repeat(69)}😀`);
      expect(text(part(el, 'counter'))).to.equal('71 / 134 · 2 segments · Unicode (UCS-2)');
      expect(text(part(el, 'segment-warning'))).to.contain('Emoji and some special characters switch it to Unicode');
    });

    it('warns at the 1,600-character maximum and refuses to send past it', async () => {
      const { el } = await renderComposer(lead());
      await fill(el, 'a'.repeat(1600));
      expect(text(part(el, 'segment-warning'))).to.contain('reached the 1,600-character maximum');
      expect(sendButton(el).disabled).to.equal(false);
      await fill(el, 'a'.repeat(1601));
      expect(text(part(el, 'segment-warning'))).to.contain('Too long: 1,601 characters');
      expect(textarea(el).getAttribute('aria-invalid')).to.equal('true');
      expect(sendButton(el).disabled).to.equal(true);
      await expect(el).to.be.accessible();
    });
  });

  describe('opted out', () => {
    it('disables sending and explains why', async () => {
      const { el, backend } = await renderComposer(lead({ smsOptOut: { at: '2025-01-03T10:00:00Z', source: 'replied STOP' } }));
      expect(textarea(el).disabled).to.equal(true);
      expect(sendButton(el).disabled).to.equal(true);
      const notice = text(part(el, 'opt-out'));
      expect(notice).to.contain('Maria Lopez opted out of texts on 3 Jan 2025 (replied STOP)');
      expect(notice).to.contain('unless they reply START');
      expect(textarea(el).getAttribute('aria-describedby')).to.contain('opt-out');
      expect(deepActiveElement()).to.equal(part(el, 'close-x'));
      await el.send();
      expect(backend.requestsTo('POST', /\/sms$/)).to.have.length(0);
      await expect(el).to.be.accessible();
    });

    it('switches to the opted-out state when the API answers SMS_OPTED_OUT', async () => {
      const l = lead();
      const backend = new FakeBackend([l]);
      backend.overrides.push((r) => (r.path.endsWith('/sms') ? error(422, 'SMS_OPTED_OUT', 'This lead replied STOP.') : undefined));
      const { el } = await renderComposer(l, { backend });
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'opt-out'), 'opt-out state');
      expect(textarea(el).disabled).to.equal(true);
      expect(sendButton(el).disabled).to.equal(true);
    });
  });

  describe('quiet hours', () => {
    it("warns before sending when it's late in the lead's time zone", async () => {
      const zone = LATE();
      const { el } = await renderComposer(lead({ timezone: zone }));
      const notice = text(part(el, 'quiet-hours'));
      expect(notice).to.contain('for Maria Lopez');
      expect(notice).to.contain('outside texting hours (8:00 AM–9:00 PM)');
      expect(notice).to.contain("held and sent at 8:00 AM tomorrow (lead's time)");
      expect(sendButton(el).disabled).to.equal(true); // empty; sending stays possible once there is text
      await fill(el, 'Hi');
      expect(sendButton(el).disabled).to.equal(false);
      await expect(el).to.be.accessible();
    });

    it("uses the clinic's time zone when the lead has none", async () => {
      const { el } = await renderComposer(lead({ timezone: null }), { orgTimezone: LATE() });
      expect(text(part(el, 'quiet-hours'))).to.contain('at the clinic');
      expect(text(part(el, 'quiet-hours'))).to.contain('(clinic time)');
    });

    it('shows nothing during the day', async () => {
      const { el } = await renderComposer(lead({ timezone: DAYTIME() }), { orgTimezone: DAYTIME() });
      expect(part(el, 'quiet-hours')).to.equal(null);
    });

    it('formats the scheduled time on the wall clock of the zone', () => {
      const now = new Date('2025-01-22T23:30:00Z');
      expect(whenInZone(new Date('2025-01-23T08:00:00Z'), 'UTC', now)).to.equal('8:00 AM tomorrow');
      expect(whenInZone(new Date('2025-01-22T13:00:00Z'), 'America/New_York', now)).to.equal('8:00 AM today');
      expect(whenInZone(new Date('2025-01-27T08:00:00Z'), 'UTC', now)).to.equal('8:00 AM Mon 27 Jan');
    });
  });

  describe('sending', () => {
    it('sends with an Idempotency-Key, fires sms-sent, toasts "SMS sent successfully" and closes', async () => {
      const l = lead();
      const { el, backend, opener } = await renderComposer(l);
      await fill(el, 'See you tomorrow at 10!');
      const sent = oneEvent(el, 'sms-sent');
      const toasted = oneEvent(el, 'toast-show');
      const closed = oneEvent(el, 'dialog-close');
      sendButton(el).click();
      const { detail } = await sent;
      expect(detail.scheduled).to.equal(false);
      expect(detail.lead?.id).to.equal(l.id);
      expect(detail.sms.body).to.equal('See you tomorrow at 10!');
      expect((await toasted).detail).to.deep.include({ message: 'SMS sent successfully', variant: 'success' });
      expect((await closed).detail.reason).to.equal('done');
      const [req] = backend.requestsTo('POST', `/v1/leads/${l.id}/sms`);
      expect(req.body).to.deep.equal({ body: 'See you tomorrow at 10!' });
      expect(req.headers.get('Idempotency-Key')).to.match(/^[0-9a-f-]{32,36}$/);
      expect(el.shadowRoot!.querySelector('dialog')!.open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('sends with Ctrl+Enter from the message box', async () => {
      const { el, backend } = await renderComposer(lead());
      await sendKeys({ type: 'Quick one' });
      setTimeout(async () => {
        await sendKeys({ down: 'Control' });
        await sendKeys({ press: 'Enter' });
        await sendKeys({ up: 'Control' });
      });
      await oneEvent(el, 'sms-sent');
      expect(backend.requestsTo('POST', /\/sms$/)).to.have.length(1);
    });

    it('toasts the scheduled time when quiet hours deferred the text', async () => {
      const zone = LATE();
      const l = lead({ timezone: zone });
      const backend = new FakeBackend([l]);
      const at = nextAllowedSendTime(new Date(), zone)!;
      backend.overrides.push((r) =>
        r.path.endsWith('/sms') ? { status: 202, body: { ...okReply('Hi', { status: 'scheduled', scheduledFor: at.toISOString() }), scheduled: true } } : undefined,
      );
      const { el } = await renderComposer(l, { backend });
      await fill(el, 'Hi');
      const toasted = oneEvent(el, 'toast-show');
      const sent = oneEvent(el, 'sms-sent');
      sendButton(el).click();
      expect((await sent).detail.scheduled).to.equal(true);
      expect((await toasted).detail.message).to.equal("SMS scheduled for 8:00 AM tomorrow (lead's time)");
    });
  });

  describe('errors and retry', () => {
    it('reuses the Idempotency-Key when the same text is sent again after a failure', async () => {
      const l = lead();
      const backend = new FakeBackend([l]);
      let failures = 2; // the client itself retries a 5xx once
      backend.overrides.push((r) => {
        if (!r.path.endsWith('/sms')) return undefined;
        if (failures-- > 0) return error(503, 'UNAVAILABLE', 'The texting service is busy. Try again.');
        return { status: 202, body: okReply('Hello') };
      });
      const { el } = await renderComposer(l, { backend });
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'error'), 'error');
      expect(text(part(el, 'error'))).to.contain('The texting service is busy. Try again.');
      expect(text(part(el, 'error'))).to.contain("won't be sent twice");
      expect(deepActiveElement()).to.equal(part(el, 'error'));
      await expect(el).to.be.accessible();
      setTimeout(() => sendButton(el).click());
      await oneEvent(el, 'sms-sent');
      const keys = backend.requestsTo('POST', /\/sms$/).map((r) => r.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(3);
      expect(new Set(keys).size).to.equal(1);
    });

    it('uses a new key once the text was changed', async () => {
      const l = lead();
      const backend = new FakeBackend([l]);
      let failures = 2;
      backend.overrides.push((r) => (r.path.endsWith('/sms') && failures-- > 0 ? error(500, 'INTERNAL', 'Oops') : undefined));
      const { el } = await renderComposer(l, { backend });
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'error'));
      await fill(el, 'Hello there');
      expect(part(el, 'error')).to.equal(null);
      setTimeout(() => sendButton(el).click());
      await oneEvent(el, 'sms-sent');
      const keys = backend.requestsTo('POST', /\/sms$/).map((r) => r.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(3);
      expect(keys[0]).to.equal(keys[1]);
      expect(keys[2]).not.to.equal(keys[0]);
    });

    it('TWILIO_NOT_CONFIGURED links to the phone settings', async () => {
      const l = lead();
      const backend = new FakeBackend([l]);
      backend.overrides.push((r) => (r.path.endsWith('/sms') ? error(422, 'TWILIO_NOT_CONFIGURED', 'No Twilio number is connected.') : undefined));
      const { el } = await renderComposer(l, { backend });
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'error'));
      expect(text(part(el, 'error'))).to.contain("Texting isn't set up yet. No Twilio number is connected.");
      expect(part(el, 'settings-link')!.getAttribute('href')).to.equal('/settings/phone');
      await expect(el).to.be.accessible();
    });

    it('TWILIO_NOT_CONFIGURED without a settings link asks for an administrator', async () => {
      const l = lead();
      const backend = new FakeBackend([l]);
      backend.overrides.push((r) => (r.path.endsWith('/sms') ? error(422, 'TWILIO_NOT_CONFIGURED', 'No Twilio number is connected.') : undefined));
      const { el } = await renderComposer(l, { backend, phoneSettingsUrl: null });
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'error'));
      expect(part(el, 'settings-link')).to.equal(null);
      expect(text(part(el, 'error'))).to.contain('Ask your administrator');
    });

    it('INVALID_PHONE_FORMAT shows the message and the E.164 format', async () => {
      const l = lead({ phone: '555-1234', phoneValid: false });
      const backend = new FakeBackend([l]);
      backend.overrides.push((r) => (r.path.endsWith('/sms') ? error(422, 'INVALID_PHONE_FORMAT', "The lead's phone number is not valid.") : undefined));
      const { el } = await renderComposer(l, { backend });
      expect(text(el.shadowRoot!.querySelector('.notice--warning'))).to.contain('not in international format');
      await fill(el, 'Hello');
      sendButton(el).click();
      await waitFor(() => part(el, 'error'));
      expect(text(part(el, 'error'))).to.contain("The lead's phone number is not valid.");
      expect(text(part(el, 'error'))).to.contain('+12125551234');
      expect(el.shadowRoot!.querySelector('dialog')!.open).to.equal(true);
    });
  });

  describe('focus and keyboard', () => {
    it('traps Tab, and Esc closes and returns focus to the opener', async () => {
      const { el, opener } = await renderComposer(lead());
      await fill(el, 'Hi');
      const inside = () => el.shadowRoot!.contains(deepActiveElement());
      for (let i = 0; i < 8; i++) {
        await sendKeys({ press: 'Tab' });
        expect(inside(), `tab ${i}`).to.equal(true);
      }
      setTimeout(() => sendKeys({ press: 'Escape' }));
      const closed = await oneEvent(el, 'dialog-close');
      expect(closed.detail.reason).to.equal('escape');
      expect(el.open).to.equal(false);
      expect(document.activeElement).to.equal(opener);
    });

    it('Cancel closes without sending', async () => {
      const { el, backend } = await renderComposer(lead());
      await fill(el, 'Never mind');
      setTimeout(() => part(el, 'cancel-button')!.click());
      expect((await oneEvent(el, 'dialog-close')).detail.reason).to.equal('close');
      expect(backend.requestsTo('POST', /\/sms$/)).to.have.length(0);
    });

    it('starts empty with a fresh key when opened again', async () => {
      const { el } = await renderComposer(lead());
      await fill(el, 'Draft');
      await el.requestClose();
      el.open = true;
      await el.updateComplete;
      expect(textarea(el).value).to.equal('');
      expect(text(part(el, 'counter'))).to.equal('0 / 160 · 1 segment');
    });
  });

  describe('themes and sizes', () => {
    it('has no axe violations in dark, with a warning showing', async () => {
      const { el } = await renderComposer(lead({ timezone: LATE() }), { theme: 'dark' });
      await fill(el, 'a'.repeat(200));
      expect(getComputedStyle(el.shadowRoot!.querySelector('dialog')!).backgroundColor).to.equal('rgb(22, 27, 34)');
      await expect(el).to.be.accessible();
    });

    it('is full-screen at a phone width with 44px touch targets and no axe violations', async () => {
      await setViewport({ width: 390, height: 844 });
      const { el } = await renderComposer(lead({ timezone: LATE() }));
      await fill(el, 'a'.repeat(200));
      const box = el.shadowRoot!.querySelector('dialog')!.getBoundingClientRect();
      expect(box.width).to.equal(390);
      expect(box.height).to.equal(844);
      for (const b of el.shadowRoot!.querySelectorAll('button')) {
        expect(b.getBoundingClientRect().height).to.be.at.least(44);
      }
      await expect(el).to.be.accessible();
    });
  });
});
