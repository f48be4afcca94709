import { strict as assert } from 'node:assert';
import { mkdirSync } from 'node:fs';
import type { Campaign, CampaignRecipient } from '../core/campaigns.js';
import type { Lead } from '../core/contracts.js';
import { Board, CLINIC_NUMBER, e2e, eventually, hhmm, minutesIn, openUser, setApiClockOffset, type UserPage } from './support.js';

/** The screenshots the issue asks to look at (desktop and phone, composer and panel). */
const SHOTS = process.env.E2E_SHOTS_DIR ?? '/tmp/shots';
const DAY = 86_400_000;

/**
 * Texts wait for texting hours in each lead's zone (else the clinic's): the API's clock is moved, whole hours, to a time
 * when every recipient may be texted (0 when it already is), so the campaign finishes whatever time the suite runs.
 */
async function textingHoursOffset(zones: string[]): Promise<number> {
  const { quietHours } = (await e2e().api.session()).org;
  const start = hhmm(quietHours.start) + 10;
  const end = hhmm(quietHours.end) - 10;
  for (let h = 0; h < 24; h++) {
    const at = new Date(Date.now() + h * 3_600_000);
    if (zones.every((z) => minutesIn(z, at) >= start && minutesIn(z, at) < end)) return h * 3_600_000;
  }
  throw new Error(`no hour of the day is within texting hours for all of ${[...new Set(zones)].join(', ')}`);
}

async function shot(user: UserPage, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await user.page.screenshot({ path: `${SHOTS}/h4-${name}.png`, animations: 'disabled', caret: 'hide' });
  await user.shot(name);
}

/** Opens the composer for the Cold leads with the Re-engagement template (and "last contact over 30 days"). */
async function composeReengagement(user: UserPage, lastContact = true) {
  const { api } = e2e();
  const board = await Board.open(user);
  const cold = await api.page('tier=cold&pageSize=1');
  await board.chooseTier('Cold', cold.total);
  await user.press(board.root.getByRole('button', { name: `Text these ${cold.total} leads` }));
  const composer = user.page.getByRole('dialog', { name: `Text ${cold.total} leads` });
  await composer.waitFor();
  await composer.getByRole('combobox', { name: 'Template' }).selectOption({ label: 'Re-engagement' });
  if (lastContact) await user.press(composer.getByRole('checkbox', { name: /^Last contact over/ }));
  const counts = composer.locator('[part="counts"]');
  const bubble = composer.locator('.bubble');
  const error = composer.locator('[part="error"]');
  await bubble.or(error).first().waitFor({ timeout: 20_000 });
  if (await error.count()) throw new Error(`The composer shows an error: ${await error.textContent()}`);
  await eventually('the draft counts', async () => /\d+ recipients?/.test((await counts.textContent()) ?? '') && !/Counting/.test((await counts.textContent()) ?? ''), 20_000);
  return { board, composer, counts, bubble, cold };
}

describe('SMS campaigns', () => {
  // The suite shares one demo: put the clinic's campaign settings back for the files that run after this one.
  after(async () => {
    await e2e().api.request('PUT', '/v1/campaign-settings', { ratePerSecond: null, frequencyCapHours: 24 });
  });

  it("when a coordinator runs the guide's re-engagement campaign (Cold, last contact over 30 days), then the preview, the counts, the progress to 100% and a STOP reply on the report are the server's", async function () {
    this.timeout(180_000);
    const { api, sandbox } = e2e();
    await api.ensureTelephony();
    // Quick sending for the test (a long code sends about 1 a second); the pace itself is the server tests' business.
    await api.request('PUT', '/v1/campaign-settings', { ratePerSecond: 20 });
    const user = await openUser(this, { role: 'admin' });
    const { composer, counts, bubble } = await composeReengagement(user);

    // The draft the composer made is the server's: its counts and its recipients are what the guide asks for.
    const { items } = await api.request<{ items: Campaign[] }>('GET', '/v1/campaigns');
    const draft = items.find((c) => c.status === 'draft');
    assert.ok(draft, 'the composer saved a draft');
    assert.equal(draft.audience.tier, 'cold');
    assert.ok(draft.audience.lastContactBefore, 'the draft has the last-contact extra');
    const shown = (await counts.textContent()) ?? '';
    assert.match(shown, new RegExp(`\\b${draft.counts.recipients} recipients?\\b`));
    assert.ok(draft.counts.recipients > 0, 'the seed has Cold leads not contacted for 30 days');
    const { items: recipients } = await api.request<{ items: CampaignRecipient[] }>('GET', `/v1/campaigns/${draft.id}/recipients?pageSize=200`);
    const byId = new Map((await api.allLeads()).map((l) => [l.id, l] as [string, Lead]));
    const cutoff = Date.now() - 30 * DAY;
    const included = recipients.filter((r) => r.status !== 'excluded');
    assert.equal(included.length, draft.counts.recipients);
    for (const r of included) {
      const lead = byId.get(r.leadId)!;
      assert.equal(lead.tier, 'cold', `${lead.name} is Cold`);
      assert.ok(lead.lastContactAt && Date.parse(lead.lastContactAt) < cutoff + 60_000, `${lead.name} was last contacted over 30 days ago`);
    }
    // The preview is one recipient's real text, with its count.
    const text = ((await bubble.textContent()) ?? '').trim();
    assert.match(text, /^Hi [^!]+! We've missed you at /);
    assert.ok(included.some((r) => text.startsWith(`Hi ${r.name.split(/\s+/)[0]}!`)), 'the preview is addressed to a recipient');
    assert.match((await composer.locator('[part="preview"]').textContent()) ?? '', /\d+ characters · \d segments?/);
    await shot(user, 'composer-desktop');
    await counts.scrollIntoViewIfNeeded();
    await shot(user, 'composer-desktop-counts');

    const clinicZone = (await api.session()).org.timezone;
    const offset = await textingHoursOffset(included.map((r) => byId.get(r.leadId)!.timezone ?? clinicZone));
    if (offset) await setApiClockOffset(offset);
    try {
      await user.press(composer.getByRole('button', { name: /^Send to \d+ leads?$/ }));
      const panel = user.page.getByRole('dialog', { name: 'Campaigns' });
      await panel.waitFor();
      await composer.waitFor({ state: 'detached' });
      const progress = panel.getByRole('progressbar', { name: draft.name });
      await eventually('the progress bar to reach 100%', async () => (await progress.getAttribute('aria-valuenow')) === '100', 120_000);
      const row = panel.locator(`li[data-id="${draft.id}"]`);
      await eventually('the campaign to show Completed', async () => (await row.locator('.status').textContent()) === 'Completed', 20_000);
      const campaign = (await api.request<{ campaign: Campaign }>('GET', `/v1/campaigns/${draft.id}`)).campaign;
      assert.equal(campaign.status, 'completed');
      assert.equal(campaign.counts.sent + campaign.counts.failed + campaign.counts.skipped, campaign.counts.recipients);
      const report = (label: string) => row.locator('.report div').filter({ has: user.page.getByText(label, { exact: true }) }).locator('dd');
      assert.equal(Number(await report('Sent').textContent()), campaign.counts.sent);

      // A recipient replies STOP: the report counts the opt-out, live.
      const sent = (await api.request<{ items: CampaignRecipient[] }>('GET', `/v1/campaigns/${draft.id}/recipients?status=delivered&pageSize=1`)).items[0]
        ?? (await api.request<{ items: CampaignRecipient[] }>('GET', `/v1/campaigns/${draft.id}/recipients?status=sent&pageSize=1`)).items[0];
      assert.ok(sent, 'a recipient got the text');
      await sandbox.inbound(sent.phone, CLINIC_NUMBER, 'STOP');
      await eventually('the report to show the opt-out', async () => Number(await report('Opted out').textContent()) === 1, 20_000);
      const lead = await api.lead(sent.leadId);
      assert.ok(lead.smsOptOut, 'the lead is opted out');
      await shot(user, 'panel-desktop');
    } finally {
      if (offset) await setApiClockOffset(0);
    }
    assert.deepEqual(user.problems, []);
  });

  it('when the same is done on a phone, then the composer and the panel fill the screen without sideways scrolling', async function () {
    this.timeout(120_000);
    // The first test texted the stale Cold leads (now contacted today): this draft is to every Cold lead, without the
    // 24-hour cap; it is deleted unsent.
    await e2e().api.request('PUT', '/v1/campaign-settings', { frequencyCapHours: 0 });
    const user = await openUser(this, { role: 'admin', mobile: true });
    // The selection bar on a phone: two cards ticked.
    const picked = await Board.open(user);
    for (const card of [picked.cards().nth(0), picked.cards().nth(1)]) await user.press(card.getByRole('checkbox', { name: /^Select / }));
    const selectionBar = picked.root.getByRole('region', { name: 'Selected leads' });
    await selectionBar.getByText('2 selected').waitFor();
    await selectionBar.scrollIntoViewIfNeeded();
    await shot(user, 'selection-bar-phone');
    await user.press(selectionBar.getByRole('button', { name: 'Clear' }));
    await selectionBar.waitFor({ state: 'detached' });
    const { composer } = await composeReengagement(user, false);
    // The board under it (its header buttons and "Text these N leads") does not widen the page either.
    assert.equal(await user.page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth), true, 'the page scrolls sideways');
    const fits = async (dialog: typeof composer) => {
      const m = await dialog.evaluate((d) => {
        const body = d.querySelector('.modal-body') as HTMLElement;
        return { width: d.getBoundingClientRect().width, viewport: document.documentElement.clientWidth, scroll: body.scrollWidth, client: body.clientWidth };
      });
      return Math.abs(m.width - m.viewport) < 1 && m.scroll <= m.client ? true : JSON.stringify(m);
    };
    assert.equal(await fits(composer), true);
    await shot(user, 'composer-phone');
    await composer.locator('[part="counts"]').scrollIntoViewIfNeeded();
    await shot(user, 'composer-phone-counts');
    await user.press(composer.getByRole('button', { name: 'Cancel' }));
    await composer.waitFor({ state: 'detached' });
    // Closing deletes the draft.
    await eventually('the draft to be deleted', async () => {
      const { items } = await e2e().api.request<{ items: Campaign[] }>('GET', '/v1/campaigns');
      return items.filter((c) => c.status === 'draft').length === 0;
    });
    const board = new Board(user);
    await shot(user, 'board-phone');
    await user.press(board.root.getByRole('button', { name: 'Campaigns', exact: true }));
    const panel = user.page.getByRole('dialog', { name: 'Campaigns' });
    await panel.getByRole('progressbar').first().waitFor();
    assert.equal(await fits(panel), true);
    await shot(user, 'panel-phone');
    assert.deepEqual(user.problems, []);
  });
});
