/**
 * The board's one search box as an index lookup (DESIGN.md: Board order, filters, search; issue 16).
 *
 * Each contact stores `searchKeys`, a multikey field with an index of its own (`{orgId, searchKeys, ...board order}`):
 * - `n:` + every 3-letter run inside each word of the name ("maria" -> mar, ari, ria), and `n^` + the first one and two
 *   letters of each word ("m", "ma");
 * - `p:` + every 4-digit run of the phone's digits.
 * A query picks ONE key that every matching lead must carry, so the index narrows the clinic to the candidates, and the
 * exact condition (the name or the digits contain what was typed) is checked on those candidates only: matching and the
 * exact total cost in proportion to the candidates, not to the clinic's size.
 *
 * What matches (the rule the tests pin):
 * - Digits and phone punctuation only ("1234", "+1212", "(212) 555"): the phone's digits contain the typed digits.
 * - One or two letters ("j", "jo"): a word of the name starts with them ("jo" finds John and Mary Jones, not Majo).
 * - Anything longer ("john", "smith", "JOHN", "ohn", "mary jo"): the name contains the typed text, case-insensitively,
 *   so from the third letter a word matches anywhere inside a word ("ohn" finds John).
 * - One to three digits have no key (most numbers match them): those read the clinic, as before.
 */

/** The stored lowercase name the exact check runs on (also the pre-index search field). */
export const normaliseName = (name: string): string => name.toLowerCase().replace(/\s+/g, ' ').trim();

const WORD_SPLIT = /[^\p{L}\p{N}]+/u;
const words = (lower: string): string[] => lower.split(WORD_SPLIT).filter(Boolean);

/** The keys a contact stores, from its normalised name and its phone digits (deduplicated, stable order). */
export function searchKeysOf(nameLower: string, phoneDigits: string): string[] {
  const keys = new Set<string>();
  for (const w of words(nameLower)) {
    const chars = [...w];
    keys.add(`n^${chars[0]}`);
    if (chars.length >= 2) keys.add(`n^${chars[0]}${chars[1]}`);
    for (let i = 0; i + 3 <= chars.length; i++) keys.add(`n:${chars.slice(i, i + 3).join('')}`);
  }
  for (let i = 0; i + 4 <= phoneDigits.length; i++) keys.add(`p:${phoneDigits.slice(i, i + 4)}`);
  return [...keys];
}

export interface SearchLookup {
  /** The stored field the exact condition runs on. */
  field: 'nameLower' | 'phoneDigits';
  /** A regular expression source for the exact condition (input escaped: never an operator or a pattern). */
  pattern: string;
  /** The one key every match carries, or null when none narrows usefully (one to three digits). */
  key: string | null;
}

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/** Text made only of digits and phone punctuation is a phone search. */
export const isPhoneQuery = (q: string): boolean => /\d/.test(q) && /^[\d\s()+\-.]+$/.test(q);

/** How to find what was typed; null for an empty query. */
export function searchLookup(raw: string): SearchLookup | null {
  const q = raw.trim();
  if (!q) return null;
  if (isPhoneQuery(q)) {
    const digits = q.replace(/\D/g, '');
    // the last four digits: the subscriber part, far more selective than a shared area code
    return { field: 'phoneDigits', pattern: escapeRegex(digits), key: digits.length >= 4 ? `p:${digits.slice(-4)}` : null };
  }
  const text = normaliseName(q);
  const terms = words(text);
  const pattern = escapeRegex(text);
  if (terms.length === 0) return { field: 'nameLower', pattern, key: null };
  if (terms.length === 1 && [...terms[0]].length < 3) return { field: 'nameLower', pattern, key: `n^${terms[0]}` };
  // A key every name containing the text must carry: a word after a separator starts a word of the name (n^ or its first
  // three letters); the first word may sit inside a word, so it gives a key only from three letters. The longest is rarest.
  const candidates = terms.filter((t, i) => i > 0 || [...t].length >= 3);
  const longest = [...candidates].sort((a, b) => [...b].length - [...a].length)[0];
  if (!longest) return { field: 'nameLower', pattern, key: null };
  const chars = [...longest];
  return { field: 'nameLower', pattern, key: chars.length >= 3 ? `n:${chars.slice(0, 3).join('')}` : `n^${longest}` };
}
