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
