/**
 * SMS segment counting, exactly as carriers split a message (GSM 03.38 / 3GPP TS 23.038).
 *
 * Pure and dependency-free: the browser widget imports this file for its live counter, the server for `sms_logs.segments`.
 *
 * - GSM-7: a message of at most 160 septets is one segment; longer ones are split into parts of 153 septets (7 septets go to
 *   the concatenation header). Characters of the extension table (form feed, ^ { } \ [ ] ~ | and the euro sign) take two
 *   septets (escape + character), and an escape pair is never split across two parts.
 * - UCS-2: as soon as one character is outside the GSM-7 tables the whole message is UCS-2: 70 UTF-16 code units in one
 *   segment, 67 per part. Characters outside the Basic Multilingual Plane (most emoji) are two code units, and a surrogate
 *   pair is never split across two parts.
 * - Twilio refuses bodies over 1,600 characters (error 21617); `tooLong` says so before a send is attempted.
 *
 * `characters` counts Unicode code points (what a person sees as characters, emoji count once); `units` counts what the
 * segments are made of: septets for GSM-7, UTF-16 code units for UCS-2.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Unicode code points in the body. */
  characters: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2) the body takes. */
  units: number;
  /** Number of SMS parts; 0 for an empty body. */
  segments: number;
  /** Capacity of one part in units: 160/153 for GSM-7, 70/67 for UCS-2, depending on whether the body is split. */
  perSegment: number;
  /** Units still free in the last part before another part is needed. */
  remainingInSegment: number;
  /** True when the body is over Twilio's 1,600 character limit. */
  tooLong: boolean;
}

export const MAX_SMS_CHARACTERS = 1600;

export const GSM7_SINGLE = 160;
export const GSM7_MULTI = 153;
export const UCS2_SINGLE = 70;
export const UCS2_MULTI = 67;

/** GSM 03.38 basic character set (the escape code 0x1B is not a printable character and is left out). */
const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** GSM 03.38 extension table: each of these is sent as escape + character, two septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(Array.from(GSM7_BASIC));
const EXTENSION = new Set(Array.from(GSM7_EXTENSION));

/** Septets a code point takes in GSM-7, or 0 when it has no GSM-7 encoding. */
function gsmWidth(ch: string): 0 | 1 | 2 {
  if (BASIC.has(ch)) return 1;
  if (EXTENSION.has(ch)) return 2;
  return 0;
}

/** True when every character of the body can be sent in GSM-7. */
export function isGsm7(body: string): boolean {
  for (const ch of body) if (gsmWidth(ch) === 0) return false;
  return true;
}

/** Packs items of the given widths into parts of `capacity` without splitting an item; returns [parts, used in last]. */
function pack(widths: number[], capacity: number): [number, number] {
  let parts = 1;
  let used = 0;
  for (const w of widths) {
    if (used + w > capacity) {
      parts += 1;
      used = 0;
    }
    used += w;
  }
  return [parts, used];
}

export function countSegments(body: string): SegmentCount {
  const chars = Array.from(body);
  const characters = chars.length;
  const gsm = chars.every((ch) => gsmWidth(ch) !== 0);
  const encoding: SmsEncoding = gsm ? 'GSM-7' : 'UCS-2';
  const widths = chars.map((ch) => (gsm ? gsmWidth(ch) : ch.length));
  const units = widths.reduce((a, b) => a + b, 0);
  const single = gsm ? GSM7_SINGLE : UCS2_SINGLE;
  const multi = gsm ? GSM7_MULTI : UCS2_MULTI;
  const tooLong = characters > MAX_SMS_CHARACTERS;

  if (units === 0) {
    return { encoding, characters, units, segments: 0, perSegment: single, remainingInSegment: single, tooLong };
  }
  if (units <= single) {
    return { encoding, characters, units, segments: 1, perSegment: single, remainingInSegment: single - units, tooLong };
  }
  const [segments, usedInLast] = pack(widths, multi);
  return { encoding, characters, units, segments, perSegment: multi, remainingInSegment: multi - usedInLast, tooLong };
}
