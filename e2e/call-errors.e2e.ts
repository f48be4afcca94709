import { strict as assert } from 'node:assert';
import type { Locator, Page } from 'playwright-core';
import type { Lead } from '../core/contracts.js';
import { Board, claimLead, e2e, OPEN_STATUSES, openUser, SANDBOX_TWILIO, type UserPage } from './support.js';

const callable = (l: Lead) => l.phoneValid && OPEN_STATUSES.has(l.leadStatus) && !l.activeCallId && l.consent?.calls !== false;

/** A step of the settings page's "Telephony status" card. */
const statusStep = (page: Page, step: string) =>
  page.getByRole('region', { name: 'Telephony status' }).getByRole('listitem').filter({ hasText: step });

/** Call Back on the lead's card; returns the card's call-error guide (role alert). */
async function callBackRefused(board: Board, name: string, title: string): Promise<Locator> {
  await board.searchFor(name, 1);
  const card = board.card(name);
  await board.user.press(card.getByRole('button', { name: 'Call Back' }));
  const guide = card.getByRole('alert').filter({ has: board.page.getByRole('heading', { name: title }) });
  await guide.waitFor({ timeout: 10_000 });
  await card.getByRole('button', { name: 'Call Back' }).waitFor();
  return guide;
}

/**
 * How the card's call line reads once a call has ended: "Call ended · 12s", or the call's outcome when it has one
 * ("Voicemail · 9s", "Booked on the call · 40s", ...: widget/src/calls/call-view.ts).
 */
const CALL_END = /Call ended|Voicemail|No answer|Busy|Booked on the call|Asked for a callback|Not interested|Wants more information/;

/** Call Back now goes through: the card follows the call to its end. */
async function callBackWorks(board: Board, lead: Lead): Promise<void> {
  await board.searchFor(lead.name, 1);
  const card = board.card(lead.name);
  await board.user.press(card.getByRole('button', { name: 'Call Back' }));
  const state = card.getByRole('status');
  await state.getByText(new RegExp(`Ringing\\.\\.\\.|On the call|${CALL_END.source}`)).waitFor({ timeout: 10_000 });
  assert.equal(await card.getByRole('alert').count(), 0, 'no error guide');
  await board.user.shot(`call-placed-${lead.name}`);
  await state.getByText(CALL_END).waitFor({ timeout: 25_000 });
  await e2e().api.waitCallDone(lead.id);
}

/** Back to the Leads page from the CRM's navigation (the phone layout hides it behind the menu button). */
async function backToLeads(user: UserPage): Promise<Board> {
  await user.press(user.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Leads' }));
  const board = new Board(user);
  await board.cards().first().waitFor();
  await board.pageInfo().waitFor();
  return board;
}

describe('Guided call errors', () => {
  beforeEach(async () => {
    await e2e().api.ensureTelephony();
  });

  it('when a coordinator calls a lead whose phone is not in international format, then the INVALID_PHONE_FORMAT guide explains it with examples, and Edit contact fixes the number', async function () {
    const lead = await claimLead('a lead with an unparseable phone', (l) => !l.phoneValid && l.phone.trim() !== '');
    const user = await openUser(this);
    const board = await Board.open(user);
    const guide = await callBackRefused(board, lead.name, "This phone number can't be dialled");
    await guide.getByText(/Spaces, brackets and dashes are fine/).waitFor();
    await guide.getByText(lead.phone, { exact: true }).waitFor();
    // the way the board shows every valid number is listed as dialled, never as a mistake
    await guide.getByRole('heading', { name: 'Dialled', exact: true }).waitFor();
    await guide.getByText('+1 (212) 555-1234', { exact: true }).waitFor();
    // the lead's number is the problem: no button to the clinic's phone settings
    assert.equal(await guide.getByRole('link', { name: 'Open phone settings' }).count(), 0);
    await user.shot('invalid-phone-guide');
    // Fix it from the guide: the contact form opens on the phone, with the stored value and what is wrong with it.
    await user.press(guide.getByRole('button', { name: 'Edit contact' }));
    const form = user.page.getByRole('dialog', { name: 'Edit contact' });
    await form.waitFor();
    await form.getByText(`Stored now: "${lead.phone}"`, { exact: false }).waitFor();
    const phone = form.getByRole('textbox', { name: 'Phone' });
    assert.equal(await phone.inputValue(), lead.phone);
    await user.shot('edit-contact-from-guide');
    // A number the server cannot read is refused with the import's message, next to the field; nothing is saved.
    await phone.fill('12');
    await user.press(form.getByRole('button', { name: 'Save' }));
    await form.getByRole('alert').filter({ hasText: '"12"' }).waitFor();
    assert.equal((await e2e().api.lead(lead.id)).phone, lead.phone);
    await phone.fill('+1 (212) 555-0177');
    await user.press(form.getByRole('button', { name: 'Save' }));
    await form.waitFor({ state: 'detached' });
    await board.toast(`Contact saved: ${lead.name}`).waitFor();
    await guide.waitFor({ state: 'detached' });
    await board.card(lead.name).getByText('+1 (212) 555-0177').waitFor();
    const saved = await e2e().api.lead(lead.id);
    assert.equal(saved.phone, '+12125550177');
    assert.equal(saved.phoneValid, true);
    assert.ok(saved.timeline.some((e) => e.type === 'contact_edited'), 'the edit is on the timeline');
    await user.shot('phone-fixed');
    assert.deepEqual(user.problems, []);
  });

  it('when the outbound agent is disconnected, then Call Back shows OUTBOUND_AGENT_NOT_CONFIGURED with a button to /settings#agent, where an admin sets it up, and Call Back works again', async function () {
    const { api } = e2e();
    await api.request('DELETE', '/v1/agents/outbound');
    assert.equal((await api.session()).telephony.outboundAgentConfigured, false);
    const lead = await claimLead('a callable lead', callable);
    const user = await openUser(this);
    let board = await Board.open(user);
    const guide = await callBackRefused(board, lead.name, 'Set up the outbound calling agent');
    const link = guide.getByRole('link', { name: 'Open agent settings' });
    assert.equal(await link.getAttribute('href'), '/settings#agent');
    await user.shot('agent-guide');

    await user.press(link);
    await user.page.waitForURL(/\/settings#agent$/);
    const page = user.page;
    await page.getByText('You are signed in as an agent.').waitFor();
    await statusStep(page, 'AI agent').getByText(/Not set up/).waitFor();
    await user.shot('settings-as-agent');
    // Only an admin may change it: switch user in the CRM's header (the page reloads as the admin).
    await Promise.all([page.waitForEvent('load'), page.getByRole('combobox', { name: 'Signed in as' }).selectOption('admin')]);
    const form = page.getByRole('region', { name: /Outbound AI agent/ });
    await form.getByLabel('Name').waitFor();
    assert.equal(await page.getByText('You are signed in as an agent.').count(), 0);
    await form.getByLabel('Name').fill('Ava');
    await form.getByLabel('Voice').selectOption({ label: 'Paige (calm, female)' });
    await form.getByLabel('First message').fill('Hi {{name}}, this is Ava from Radiance Aesthetics. Is now a good time?');
    assert.ok(((await form.getByLabel('System prompt').inputValue()) ?? '').length >= 20, 'the prompt is prefilled');
    await user.press(form.getByRole('button', { name: 'Save agent' }));
    await form.getByRole('status').getByText('Saved. Ava will place calls from the board.').waitFor();
    await statusStep(page, 'AI agent').getByText('Configured').waitFor();
    await user.shot('agent-saved');
    assert.equal((await api.session()).telephony.outboundAgentConfigured, true);

    board = await backToLeads(user);
    await callBackWorks(board, lead);
    assert.deepEqual(user.problems, []);
  });

  it('when the Twilio number is removed, then Call Back shows NO_PHONE_NUMBER with a button to /settings#twilio, where an admin imports it again, and Call Back works again', async function () {
    const { api } = e2e();
    await api.request('DELETE', '/v1/telephony/twilio');
    assert.equal((await api.session()).telephony.twilioNumber, null);
    const lead = await claimLead('a callable lead', callable);
    const user = await openUser(this, { role: 'admin' });
    let board = await Board.open(user);
    const guide = await callBackRefused(board, lead.name, 'Connect a phone number for calls');
    const link = guide.getByRole('link', { name: 'Open phone settings' });
    assert.equal(await link.getAttribute('href'), '/settings#twilio');
    await user.shot('number-guide');

    await user.press(link);
    await user.page.waitForURL(/\/settings#twilio$/);
    const page = user.page;
    await statusStep(page, 'Twilio number').getByText(/Not imported/).waitFor();
    const form = page.getByRole('region', { name: /Twilio phone number/ });
    await form.getByLabel('Account SID').fill(SANDBOX_TWILIO.accountSid);
    await form.getByLabel('Auth token').fill(SANDBOX_TWILIO.authToken);
    await form.getByLabel('Phone number').fill(SANDBOX_TWILIO.phoneNumber);
    await user.shot('twilio-form');
    await user.press(form.getByRole('button', { name: 'Import number' }));
    await form.getByRole('status').getByText(`Imported ${SANDBOX_TWILIO.phoneNumber}.`, { exact: false }).waitFor();
    await statusStep(page, 'Twilio number').getByText(SANDBOX_TWILIO.phoneNumber).waitFor();
    await user.shot('twilio-imported');
    assert.equal((await api.session()).telephony.twilioNumber, SANDBOX_TWILIO.phoneNumber);

    board = await backToLeads(user);
    await callBackWorks(board, lead);
    assert.deepEqual(user.problems, []);
  });
});
