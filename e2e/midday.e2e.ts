import { strict as assert } from 'node:assert';
import { Board, claimLead, e2e, hhmm, minutesIn, OPEN_STATUSES, openUser } from './support.js';

describe('Mid-day routine', () => {
  it('when a coordinator texts a Warm lead a long message, then the composer counts characters and segments live, the toast confirms it and the timeline shows it; when the lead replies STOP, then texting is turned off for that lead', async function () {
    const { api, sandbox } = e2e();
    await api.ensureTelephony();
    const session = await api.session();
    const lead = await claimLead(
      'a Warm lead with a valid phone who accepts texts',
      (l) => l.tier === 'warm' && l.phoneValid && !l.smsOptOut && l.consent?.sms !== false && OPEN_STATUSES.has(l.leadStatus) && !l.activeCallId,
    );
    const warmTotal = (await api.page('tier=warm&pageSize=1')).total;

    // Quiet hours are judged in the lead's time zone, else the clinic's: the expected outcome follows the clock.
    const zone = lead.timezone ?? session.org.timezone;
    const now = minutesIn(zone);
    const start = hhmm(session.org.quietHours.start);
    const end = hhmm(session.org.quietHours.end);
    const nearEdge = Math.min(Math.abs(now - start), Math.abs(now - end)) <= 2;
    const inWindow = now >= start && now < end;

    const user = await openUser(this);
    const board = await Board.open(user);
    await board.chooseTier('Warm', warmTotal);
    for (const label of await board.cardLabels()) assert.match(label, /, Warm (5\d|6\d|7\d), /, `only Warm cards under the Warm filter: ${label}`);
    await user.shot('warm-filter');
    await board.searchFor(lead.name, 1);
    const card = board.card(lead.name);

    // The composer: live count and segments.
    await user.press(card.getByRole('button', { name: 'SMS', exact: true }));
    const composer = board.composer(lead.name);
    await composer.waitFor();
    const box = composer.getByRole('textbox', { name: 'Message' });
    await box.waitFor();
    const counter = composer.getByText(/^\d+ \/ \d+ · \d+ segments?/);
    assert.equal(await counter.textContent(), '0 / 160 · 1 segment');
    if (!nearEdge) {
      const notice = composer.getByText(/Quiet hours:/);
      assert.equal(await notice.count(), inWindow ? 0 : 1, `the quiet-hours notice ${inWindow ? 'hidden' : 'shown'} at ${Math.floor(now / 60)}:${String(now % 60).padStart(2, '0')} in ${zone}`);
    }
    const first = `Hi ${lead.name.split(' ')[0]}, this is Jordan from Radiance Aesthetics. Thanks for asking about our treatments! We have openings this Thursday and Friday afternoon`;
    const message = `${first.padEnd(150, '.')} - reply to book.`;
    assert.equal(message.length, 167);
    await box.fill(message.slice(0, 150));
    await counter.filter({ hasText: '150 / 160 · 1 segment' }).waitFor();
    await user.shot('composer-one-segment');
    await box.pressSequentially(message.slice(150));
    await counter.filter({ hasText: '167 / 306 · 2 segments' }).waitFor();
    await composer.getByText(/Long message: it will arrive as 2 texts/).waitFor();
    await user.shot('composer-two-segments');

    // Send: the toast says sent (or scheduled when it is quiet hours for the lead), and the composer closes.
    await user.press(composer.getByRole('button', { name: 'Send' }));
    const toast = board.toast(nearEdge ? /^SMS (sent successfully|scheduled for )/ : inWindow ? 'SMS sent successfully' : /^SMS scheduled for .+ \((lead's|clinic) time\)$/);
    await toast.waitFor({ timeout: 10_000 });
    await composer.waitFor({ state: 'hidden' });
    const scheduled = /scheduled/.test((await toast.textContent()) ?? '');
    await user.shot('sms-toast');

    // The detail's timeline has the text.
    const dialog = await board.openDetail(lead.name);
    const timeline = dialog.getByRole('region', { name: 'Timeline' }).getByRole('listitem');
    const sent = timeline.filter({ hasText: scheduled ? 'Text scheduled for quiet hours by Jordan Ellis' : 'Text sent by Jordan Ellis' }).first();
    await sent.waitFor();
    assert.ok((await sent.textContent())?.includes(message.slice(0, 40)), 'the message itself is on the timeline');
    await sent.scrollIntoViewIfNeeded();
    await user.shot('timeline-text-sent');

    // The lead answers STOP (the sandbox posts Twilio's signed inbound webhook to the clinic number).
    assert.ok(session.telephony.twilioNumber, 'the clinic has a number');
    await sandbox.inbound(lead.phone, session.telephony.twilioNumber, 'STOP');
    await dialog.getByText('Texts off (opted out)').waitFor({ timeout: 5000 });
    const optedOut = timeline.filter({ hasText: /Opted out of texts/ }).first();
    await optedOut.waitFor();
    await optedOut.scrollIntoViewIfNeeded();
    await user.shot('opted-out-detail');

    // SMS is off for this lead: the composer explains it and cannot send.
    await user.press(dialog.getByRole('button', { name: 'SMS', exact: true }));
    await composer.waitFor();
    await composer.getByText(`${lead.name} opted out of texts`, { exact: false }).waitFor();
    assert.ok(await composer.getByRole('textbox', { name: 'Message' }).isDisabled(), 'the message box is disabled');
    assert.ok(await composer.getByRole('button', { name: 'Send' }).isDisabled(), 'Send is disabled');
    await user.shot('composer-opted-out');
    assert.ok((await api.lead(lead.id)).smsOptOut, 'the opt-out is saved');
    assert.deepEqual(user.problems, []);
  });
});
