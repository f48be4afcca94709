import assert from 'node:assert/strict';
import { nextAllowedSendTime } from './quiet-hours.js';

const at = (iso: string) => new Date(iso);
const iso = (d: Date | null) => (d ? d.toISOString() : null);

describe('nextAllowedSendTime', () => {
  it('allows sending inside the window (null)', () => {
    // 12:00 in New York (EDT, UTC-4)
    assert.equal(nextAllowedSendTime(at('2025-06-10T16:00:00Z'), 'America/New_York'), null);
    // 08:00 exactly is allowed, 20:59 is allowed
    assert.equal(nextAllowedSendTime(at('2025-06-10T12:00:00Z'), 'America/New_York'), null);
    assert.equal(nextAllowedSendTime(at('2025-06-11T00:59:00Z'), 'America/New_York'), null);
  });

  it('21:00 is already quiet: the next send is 08:00 the next local day', () => {
    assert.equal(iso(nextAllowedSendTime(at('2025-06-11T01:00:00Z'), 'America/New_York')), '2025-06-11T12:00:00.000Z');
  });

  it('before 08:00 waits until 08:00 the same local day', () => {
    // 06:30 in Los Angeles (PDT, UTC-7)
    assert.equal(iso(nextAllowedSendTime(at('2025-06-10T13:30:00Z'), 'America/Los_Angeles')), '2025-06-10T15:00:00.000Z');
  });

  it('uses the recipient\'s local date, not the UTC date, around midnight', () => {
    // 23:30 on 9 June in Los Angeles is already 10 June in UTC; the next window opens 08:00 on 10 June local.
    assert.equal(iso(nextAllowedSendTime(at('2025-06-10T06:30:00Z'), 'America/Los_Angeles')), '2025-06-10T15:00:00.000Z');
    // 00:30 in Tokyo (UTC+9) is 15:30 the previous day in UTC.
    assert.equal(iso(nextAllowedSendTime(at('2025-06-09T15:30:00Z'), 'Asia/Tokyo')), '2025-06-09T23:00:00.000Z');
  });

  it('is right across the spring-forward night (US, 9 March 2025)', () => {
    // 22:00 EST on 8 March; the window opens at 08:00 EDT (UTC-4) on 9 March, not 08:00 EST.
    assert.equal(iso(nextAllowedSendTime(at('2025-03-09T03:00:00Z'), 'America/New_York')), '2025-03-09T12:00:00.000Z');
  });

  it('is right across the fall-back night (US, 2 November 2025)', () => {
    // 22:00 EDT on 1 November; the window opens at 08:00 EST (UTC-5) on 2 November.
    assert.equal(iso(nextAllowedSendTime(at('2025-11-02T02:00:00Z'), 'America/New_York')), '2025-11-02T13:00:00.000Z');
  });

  it('handles a southern-hemisphere DST change (Sydney, 6 April 2025)', () => {
    // 22:00 AEDT (UTC+11) on 5 April; DST ends at 03:00 on 6 April; 08:00 AEST is 22:00 UTC on 5 April.
    assert.equal(iso(nextAllowedSendTime(at('2025-04-05T11:00:00Z'), 'Australia/Sydney')), '2025-04-05T22:00:00.000Z');
  });

  it('an opening time inside a DST gap resolves to the first instant after the gap', () => {
    // 02:30 does not exist in New York on 9 March 2025 (02:00 EST -> 03:00 EDT = 07:00 UTC).
    const r = nextAllowedSendTime(at('2025-03-09T06:30:00Z'), 'America/New_York', { start: '02:30', end: '21:00' });
    assert.equal(iso(r), '2025-03-09T07:00:00.000Z');
  });

  it('an opening time that occurs twice (fall back) resolves to the earlier one', () => {
    // 01:30 happens at 05:30 UTC (EDT) and 06:30 UTC (EST) on 2 November 2025.
    const r = nextAllowedSendTime(at('2025-11-02T04:30:00Z'), 'America/New_York', { start: '01:30', end: '21:00' });
    assert.equal(iso(r), '2025-11-02T05:30:00.000Z');
  });

  it('supports a custom window (some states end at 20:00) and one that crosses midnight', () => {
    // 20:30 EDT with a 08:00-20:00 window -> next day 08:00.
    assert.equal(
      iso(nextAllowedSendTime(at('2025-06-11T00:30:00Z'), 'America/New_York', { start: '08:00', end: '20:00' })),
      '2025-06-11T12:00:00.000Z',
    );
    // A 22:00-06:00 window: 23:00 is inside, 12:00 waits until 22:00.
    const night = { start: '22:00', end: '06:00' };
    assert.equal(nextAllowedSendTime(at('2025-06-11T03:00:00Z'), 'America/New_York', night), null);
    assert.equal(iso(nextAllowedSendTime(at('2025-06-10T16:00:00Z'), 'America/New_York', night)), '2025-06-11T02:00:00.000Z');
  });

  it('rejects an unknown time zone and a malformed window', () => {
    assert.throws(() => nextAllowedSendTime(new Date(), 'Mars/Olympus_Mons'), RangeError);
    assert.throws(() => nextAllowedSendTime(new Date(), 'UTC', { start: '8am', end: '21:00' }), RangeError);
  });
});
