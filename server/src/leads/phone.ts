import { parsePhoneNumberFromString, validatePhoneNumberLength, type CountryCode } from 'libphonenumber-js/max';
import { phoneDigits, type PhoneProblem } from '../../../core/phone.js';

export interface NormalisedPhone {
  /** E.164 when valid, otherwise the input trimmed, exactly as entered. */
  phone: string;
  valid: boolean;
  /** Digits only, for search by any formatting. */
  digits: string;
}

/** Normalises a phone to E.164 with the organisation's default country; an unparseable one is kept as entered and flagged. */
export function normalisePhone(input: string, defaultCountry: string): NormalisedPhone {
  const trimmed = input.trim();
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
  if (parsed && parsed.isValid()) {
    return { phone: parsed.number, valid: true, digits: phoneDigits(parsed.number) };
  }
  return { phone: trimmed, valid: false, digits: phoneDigits(trimmed) };
}

export { isE164 } from '../../../core/phone.js';

/** Why a phone does not normalise (null when it is valid), for the contact edit's 400. */
export function phoneProblem(input: string, defaultCountry: string): PhoneProblem | null {
  const trimmed = input.trim();
  if (normalisePhone(trimmed, defaultCountry).valid) return null;
  if (!/\d/.test(trimmed) || /[a-z]{2,}/i.test(trimmed)) return 'NOT_A_NUMBER';
  const length = validatePhoneNumberLength(trimmed, defaultCountry as CountryCode);
  if (length === 'NOT_A_NUMBER') return 'NOT_A_NUMBER';
  if (length === 'INVALID_COUNTRY') return 'INVALID_COUNTRY';
  if (length === 'TOO_SHORT') return 'TOO_SHORT';
  if (length === 'TOO_LONG') return 'TOO_LONG';
  return 'INVALID';
}
