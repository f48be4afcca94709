/**
 * Phone validity as the product checks it before a call or a text: E.164, "+", a country code not starting with 0,
 * 7 to 15 digits in all (ITU-T E.164 allows up to 15; the shortest national plans give 7). Whether the number exists in
 * its country's plan is the server's libphonenumber check at import time (server/src/leads/phone.ts).
 */
const E164 = /^\+[1-9]\d{6,14}$/;

export const isE164 = (phone: string | null | undefined): boolean => !!phone && E164.test(phone);

/** The example the invalid-phone guides show. */
export const E164_EXAMPLE = '+12125550123';

/** Digits only: the search key, whatever formatting was typed. */
export const phoneDigits = (value: string): string => value.replace(/\D/g, '');

/** What is wrong with a phone number, as the contact edit (and the invalid-phone guide) explains it. */
export type PhoneProblem = 'NOT_A_NUMBER' | 'INVALID_COUNTRY' | 'TOO_SHORT' | 'TOO_LONG' | 'INVALID';

/** A sentence a person can act on, naming the value as entered. */
export function phoneProblemMessage(input: string, problem: PhoneProblem): string {
  const v = `"${input}"`;
  switch (problem) {
    case 'NOT_A_NUMBER':
      return `${v} is not a phone number: use digits, with the country code, for example ${E164_EXAMPLE}.`;
    case 'INVALID_COUNTRY':
      return `${v} has no country code we recognise: start with + and the country code, for example ${E164_EXAMPLE}.`;
    case 'TOO_SHORT':
      return `${v} is too short for a phone number: check for missing digits and add the country code, for example ${E164_EXAMPLE}.`;
    case 'TOO_LONG':
      return `${v} has too many digits for a phone number: check the digits and the country code, for example ${E164_EXAMPLE}.`;
    case 'INVALID':
      return `${v} is not a valid number in its country: check the digits and the country code, for example ${E164_EXAMPLE}.`;
  }
}
