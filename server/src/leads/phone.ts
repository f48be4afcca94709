import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { phoneDigits } from '../../../core/phone.js';

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
