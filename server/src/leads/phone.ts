import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

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
    return { phone: parsed.number, valid: true, digits: parsed.number.replace(/\D/g, '') };
  }
  return { phone: trimmed, valid: false, digits: trimmed.replace(/\D/g, '') };
}

export const isE164 = (phone: string): boolean => /^\+[1-9]\d{6,14}$/.test(phone);
