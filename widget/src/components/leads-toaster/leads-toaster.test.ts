import { expect, fixture, html } from '@open-wc/testing';
import '../../define.js';
import type { LeadsToaster } from './leads-toaster.js';
import { waitFor } from '../../test/fixtures.js';

describe('leads-toaster', () => {
  it('shows toasts in a polite live region and closes them after their duration', async () => {
    const el = await fixture<LeadsToaster>(html`<leads-toaster theme="light"></leads-toaster>`);
    const region = el.shadowRoot!.querySelector('[part="region"]')!;
    expect(region.getAttribute('aria-live')).to.equal('polite');
    el.show({ message: 'Lead marked as booked', variant: 'success', duration: 100 });
    await el.updateComplete;
    expect(region.textContent).to.contain('Lead marked as booked');
    await expect(el).to.be.accessible();
    await waitFor(() => !el.shadowRoot!.querySelector('[part="toast"]'), 'auto close');
  });

  it('runs the action (Undo) and closes the toast', async () => {
    const el = await fixture<LeadsToaster>(html`<leads-toaster theme="dark"></leads-toaster>`);
    let undone = 0;
    el.show({ message: 'Lead marked as lost', action: { label: 'Undo', run: () => void undone++ } });
    await el.updateComplete;
    await expect(el).to.be.accessible();
    el.shadowRoot!.querySelector<HTMLButtonElement>('[part="action"]')!.click();
    await el.updateComplete;
    expect(undone).to.equal(1);
    expect(el.shadowRoot!.querySelector('[part="toast"]')).to.equal(null);
  });

  it('closes on the dismiss button and keeps at most 4', async () => {
    const el = await fixture<LeadsToaster>(html`<leads-toaster></leads-toaster>`);
    for (let i = 0; i < 6; i++) el.show({ message: `t${i}`, duration: 0 });
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part="toast"]')).to.have.length(4);
    el.shadowRoot!.querySelector<HTMLButtonElement>('button[aria-label="Dismiss notification"]')!.click();
    await el.updateComplete;
    expect(el.shadowRoot!.querySelectorAll('[part="toast"]')).to.have.length(3);
  });
});
