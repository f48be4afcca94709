/**
 * Opt-out keywords and how an opt-out came about. Twilio's default Advanced Opt-Out keywords apply to the whole body,
 * any case, ignoring surrounding spaces and punctuation ("Stop." opts out; "Stop by tomorrow?" does not).
 * Plain-language requests ("please stop texting me") become 'opt_out_request': Twilio does not block on them, so staff
 * review them and record the opt-out themselves.
 */
export type InboundKind = 'stop' | 'start' | 'help' | 'opt_out_request' | 'message';

export const OPT_OUT_KEYWORDS = ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'END', 'QUIT', 'REVOKE', 'OPTOUT', 'CANCEL'] as const;
export const OPT_IN_KEYWORDS = ['START', 'YES', 'UNSTOP'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO'] as const;

/** Twilio's error code for a message to a number that has replied STOP. */
export const TWILIO_UNSUBSCRIBED_CODE = 21610;

const PLAIN_OPT_OUT: RegExp[] = [
  /\b(?:stop|quit|cease|no more)\s+(?:texting|txting|messaging|contacting|calling|sending|texts|messages|calls)\b/i,
  /\b(?:don'?t|do not|never|pls don'?t|please don'?t)\s+(?:text|txt|message|contact|call|sms)\s+me\b/i,
  /\b(?:remove|delete|take)\s+(?:me|my number)\s+(?:off|from)\b/i,
  /\bremove me\b/i,
  /\bunsubscribe\b/i,
  /\bopt(?:[\s-])?out\b/i,
  /\bleave me alone\b/i,
  /\blose my number\b/i,
];

export function classifyInbound(body: string): InboundKind {
  const word = (body ?? '').normalize('NFKC').trim().replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '').toUpperCase();
  if ((OPT_OUT_KEYWORDS as readonly string[]).includes(word) || word === 'STOP ALL' || word === 'OPT OUT') return 'stop';
  if ((OPT_IN_KEYWORDS as readonly string[]).includes(word)) return 'start';
  if ((HELP_KEYWORDS as readonly string[]).includes(word)) return 'help';
  const text = (body ?? '').replace(/[\u2018\u2019]/g, "'");
  if (PLAIN_OPT_OUT.some((re) => re.test(text))) return 'opt_out_request';
  return 'message';
}

export type OptOutSource = 'inbound-stop' | 'twilio-21610';

/** How an opt-out came about, in words (a lead's smsOptOut.source keeps the code). */
export const OPT_OUT_SOURCES: Readonly<Record<OptOutSource, string>> = Object.freeze({
  'inbound-stop': 'replied STOP',
  'twilio-21610': 'Twilio reports this number unsubscribed',
});

export const optOutSourceLabel = (source: string): string =>
  (OPT_OUT_SOURCES as Record<string, string>)[source] ?? source.replace(/[-_]/g, ' ');
