import { expect, fixture, html } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
import '../define.js';
import { askLostReason } from '../leads/lost-reason.js';
import { lostDialogIn, makeLead } from '../test/fixtures.js';
import { deepActiveElement } from './modal.js';

const text = (el: Element | null | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

/** A themed host with a shadow root and a button that opens the dialog, as a card does. */
async function openFrom(theme = 'light') {
  const host = await fixture<HTMLDivElement>(html`<div></div>`);
  const root = host.attachShadow({ mode: 'open' });
  const opener = document.createElement('button');
  opener.textContent = 'Lost';
  root.append(opener);
  opener.focus();
  const lead = makeLead({ name: 'Maria Lopez', leadStatus: 'contacted' });
  const answer = askLostReason(root, lead);
  const dialog = await lostDialogIn(root);
  dialog.setAttribute('theme', theme);
  const r = dialog.shadowRoot!;
  const radio = (v: string) => r.querySelector<HTMLInputElement>(`input[type="radio"][value="${v}"]`)!;
  const box = () => r.querySelector<HTMLInputElement>('input[type="checkbox"]')!;
  return { root, opener, answer, dialog, r, radio, box };
}

describe('lost-reason-dialog', () => {
  afterEach(() => setViewport({ width: 1280, height: 800 }));

  describe('open', () => {
    it('asks the question with the lead\'s name, offers the four reasons and Other, and focuses the first reason', async () => {
      const { r, dialog } = await openFrom();
      expect(text(r.getElementById('lt'))).to.equal('Why was this lead lost?');
      expect(text(r.getElementById('ld'))).to.contain('Maria Lopez will be marked as lost');
      expect([...r.querySelectorAll('label.opt')].map(text)).to.deep.equal([
        'Price',
        'Went to a competitor',
        'No response after several attempts',
        'Not ready now',
        'Other',
      ]);
      expect(text(r.querySelector('legend'))).to.equal('Reason');
      // The revisit is at 09:00 clinic time, 90 days on (as the server schedules it).
      expect(text(r.querySelector('label.check'))).to.match(/^Revisit in 90 days \(a follow-up on [A-Z][a-z]{2} \d{1,2} 9:00 AM\)$/);
      expect(r.activeElement).to.equal(r.querySelector('input[value="price"]'));
      expect(r.querySelector('dialog')!.matches(':modal')).to.equal(true);
      await expect(dialog).to.be.accessible();
    });

    it('has no axe violations in dark, and on a phone it is a bottom sheet with 44px targets', async () => {
      const dark = await openFrom('dark');
      await expect(dark.dialog).to.be.accessible();
      await dark.dialog.requestClose('close');
      await setViewport({ width: 375, height: 740 });
      const { r, dialog } = await openFrom();
      const box = r.querySelector('dialog')!.getBoundingClientRect();
      expect(box.width).to.equal(375);
      expect(box.bottom).to.be.closeTo(740, 1);
      expect(box.top).to.be.greaterThan(40);
      for (const el of r.querySelectorAll('label.opt, .modal-footer button')) expect(el.getBoundingClientRect().height).to.be.at.least(44);
      await expect(dialog).to.be.accessible();
    });
  });

  describe('keyboard', () => {
    it('arrow keys choose a reason, the revisit follows "Not ready now" until set by hand, and Enter confirms', async () => {
      const { answer, box } = await openFrom();
      expect(box().checked).to.equal(false);
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      expect(box().checked, 'not_ready turns the revisit on').to.equal(true);
      await sendKeys({ press: 'ArrowUp' });
      expect(box().checked, 'back to no_response: off again').to.equal(false);
      await sendKeys({ press: 'Enter' });
      expect(await answer).to.deep.equal({ lostReason: 'no_response' });
    });

    it('Enter with no reason says so and sends nothing; the revisit box set by hand sends revisitInDays 90', async () => {
      const { answer, r, box, radio, dialog } = await openFrom();
      await sendKeys({ press: 'Enter' });
      await dialog.updateComplete;
      expect(text(r.querySelector('[role="alert"]'))).to.equal('Choose a reason.');
      expect(dialog.open).to.equal(true);
      radio('competitor').click();
      box().click();
      await dialog.updateComplete;
      box().focus();
      await sendKeys({ press: 'Enter' });
      expect(await answer).to.deep.equal({ lostReason: 'competitor', revisitInDays: 90 });
    });

    it('Escape cancels: null, nothing else changes, focus goes back to the opener, the dialog is removed', async () => {
      const { answer, opener, root } = await openFrom();
      await sendKeys({ press: 'Escape' });
      expect(await answer).to.equal(null);
      expect(root.querySelector('lost-reason-dialog')).to.equal(null);
      expect(deepActiveElement()).to.equal(opener);
    });

    it('Tab stays inside the dialog; Cancel is a button that cancels', async () => {
      const { answer, r } = await openFrom();
      for (let i = 0; i < 8; i++) await sendKeys({ press: 'Tab' });
      expect(r.contains(deepActiveElement())).to.equal(true);
      [...r.querySelectorAll<HTMLButtonElement>('.modal-footer button')].find((b) => text(b) === 'Cancel')!.click();
      expect(await answer).to.equal(null);
    });
  });
});
