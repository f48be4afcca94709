/**
 * What Twilio itself does with message bodies, as its documentation describes it, written here on purpose rather than
 * imported from the product: a simulator that shared the product's rules could never disagree with the product.
 * - Default opt-out keywords, matched against the whole body in any case: STOP, STOPALL, UNSUBSCRIBE, CANCEL, END, QUIT,
 *   REVOKE, OPTOUT; opt-in START, YES, UNSTOP; help HELP, INFO. Twilio forwards the message to the webhook as well.
 * - Segments: GSM-7 160 characters in one segment, 153 per part; any other character makes it UCS-2: 70, then 67 per part;
 *   the GSM-7 extension characters count twice. At most 1,600 characters.
 */
export type TwilioKeyword = 'stop' | 'start' | 'help' | 'message';

const KEYWORDS: Record<Exclude<TwilioKeyword, 'message'>, readonly string[]> = {
  stop: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'],
  start: ['START', 'YES', 'UNSTOP'],
  help: ['HELP', 'INFO'],
};

/** The keyword a body is, for Twilio's own opt-out bookkeeping; surrounding spaces and punctuation are ignored. */
export function twilioKeyword(body: string): TwilioKeyword {
  const word = (body ?? '').trim().replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '').toUpperCase();
  for (const kind of ['stop', 'start', 'help'] as const) if (KEYWORDS[kind].includes(word)) return kind;
  return 'message';
}

const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

/** Characters (UTF-16 units for UCS-2, septets for GSM-7) and segments as Twilio bills them. */
export function twilioSegments(body: string): { characters: number; segments: number } {
  const chars = [...body];
  const gsm = chars.every((c) => GSM_BASIC.includes(c) || GSM_EXTENDED.includes(c));
  if (gsm) {
    const septets = chars.reduce((n, c) => n + (GSM_EXTENDED.includes(c) ? 2 : 1), 0);
    return { characters: chars.length, segments: septets <= 160 ? 1 : Math.ceil(septets / 153) };
  }
  const units = body.length;
  return { characters: chars.length, segments: units <= 70 ? 1 : Math.ceil(units / 67) };
}
