import { expect } from '@open-wc/testing';
import { callDate, duration, formatPhone, isE164, relativeTime, statusLabel, TIER_INFO, tierOf } from './format.js';

const NOW = new Date(2026, 0, 22, 14, 30, 0).getTime();
const ago = (ms: number) => new Date(NOW - ms).toISOString();
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('relativeTime', () => {
  it('says "Never" for null, undefined and unparsable times', () => {
    expect(relativeTime(null, NOW)).to.equal('Never');
    expect(relativeTime(undefined, NOW)).to.equal('Never');
    expect(relativeTime('not a date', NOW)).to.equal('Never');
  });
  it('says "Just now" under one minute, and for times slightly in the future (clock skew)', () => {
    expect(relativeTime(ago(0), NOW)).to.equal('Just now');
    expect(relativeTime(ago(59 * S), NOW)).to.equal('Just now');
    expect(relativeTime(ago(59_999), NOW)).to.equal('Just now');
    expect(relativeTime(ago(-30 * S), NOW)).to.equal('Just now');
  });
  it('switches to minutes at exactly 60 s and stays there until 59m', () => {
    expect(relativeTime(ago(60 * S), NOW)).to.equal('1m ago');
    expect(relativeTime(ago(5 * M), NOW)).to.equal('5m ago');
    expect(relativeTime(ago(59 * M + 59 * S), NOW)).to.equal('59m ago');
  });
  it('switches to hours at exactly one hour', () => {
    expect(relativeTime(ago(H), NOW)).to.equal('1h ago');
    expect(relativeTime(ago(2 * H + 30 * M), NOW)).to.equal('2h ago');
    expect(relativeTime(ago(D - 1), NOW)).to.equal('23h ago');
  });
  it('switches to days at exactly 24 hours, up to 29 days', () => {
    expect(relativeTime(ago(D), NOW)).to.equal('1d ago');
    expect(relativeTime(ago(3 * D), NOW)).to.equal('3d ago');
    expect(relativeTime(ago(30 * D - 1), NOW)).to.equal('29d ago');
  });
  it('shows the date from 30 days on, with the year when it differs', () => {
    expect(relativeTime(new Date(2025, 11, 23, 12, 0), NOW)).to.equal('23 Dec 2025');
    expect(relativeTime(new Date(2025, 0, 2), new Date(2025, 5, 1))).to.equal('2 Jan');
  });
});

describe('callDate', () => {
  it('formats as "22 Jan, 14:30" in local time', () => {
    expect(callDate(new Date(2026, 0, 22, 14, 30))).to.equal('22 Jan, 14:30');
    expect(callDate(new Date(2026, 8, 5, 9, 5))).to.equal('5 Sep, 09:05');
    expect(callDate(new Date(2026, 11, 31, 0, 0))).to.equal('31 Dec, 00:00');
  });
  it('formats in a given IANA time zone', () => {
    expect(callDate('2026-01-22T14:30:00Z', 'UTC')).to.equal('22 Jan, 14:30');
    expect(callDate('2026-01-22T23:30:00Z', 'Australia/Sydney')).to.equal('23 Jan, 10:30');
    expect(callDate('2026-07-01T00:15:00Z', 'America/New_York')).to.equal('30 Jun, 20:15');
  });
  it('shows a dash for a missing date', () => {
    expect(callDate(null)).to.equal('—');
  });
});

describe('duration', () => {
  it('formats seconds under a minute as "45s", with 0s and 59s at the edges', () => {
    expect(duration(0)).to.equal('0s');
    expect(duration(45)).to.equal('45s');
    expect(duration(59)).to.equal('59s');
    expect(duration(59.4)).to.equal('59s');
  });
  it('formats minutes as "2m 45s", dropping zero seconds', () => {
    expect(duration(60)).to.equal('1m');
    expect(duration(61)).to.equal('1m 1s');
    expect(duration(165)).to.equal('2m 45s');
    expect(duration(3599)).to.equal('59m 59s');
  });
  it('formats hours as "1h 5m"', () => {
    expect(duration(3600)).to.equal('1h');
    expect(duration(3900)).to.equal('1h 5m');
  });
  it('shows a dash when unknown', () => {
    expect(duration(null)).to.equal('—');
    expect(duration(-1)).to.equal('—');
    expect(duration(Number.NaN)).to.equal('—');
  });
});

describe('tiers and labels', () => {
  it('puts 80 in Hot, 79 and 50 in Warm, 49 in Cold', () => {
    expect(tierOf(100)).to.equal('hot');
    expect(tierOf(80)).to.equal('hot');
    expect(tierOf(79)).to.equal('warm');
    expect(tierOf(50)).to.equal('warm');
    expect(tierOf(49)).to.equal('cold');
    expect(tierOf(0)).to.equal('cold');
  });
  it('has a label and emoji per tier', () => {
    expect(TIER_INFO.hot).to.include({ label: 'Hot', emoji: '🔥' });
    expect(TIER_INFO.warm.label).to.equal('Warm');
    expect(TIER_INFO.cold).to.include({ label: 'Cold', emoji: '❄️' });
  });
  it('labels statuses', () => {
    expect(statusLabel('new')).to.equal('New');
    expect(statusLabel('converted')).to.equal('Converted');
  });
});

describe('phones', () => {
  it('formats North American E.164 numbers and leaves others as stored', () => {
    expect(formatPhone('+12125551234')).to.equal('+1 (212) 555-1234');
    expect(formatPhone('+447911123456')).to.equal('+447911123456');
    expect(formatPhone('212-555')).to.equal('212-555');
    expect(formatPhone(null)).to.equal('');
  });
  it('recognises E.164', () => {
    expect(isE164('+12125551234')).to.equal(true);
    expect(isE164('2125551234')).to.equal(false);
    expect(isE164('+1 (212) 555-1234')).to.equal(false);
    expect(isE164('+0123456789')).to.equal(false);
  });
});
