/**
 * Lead scoring from a call transcript (DESIGN.md: Scoring). Pure: no I/O, the clock only through `opts.now`.
 *
 * ```
 * base 50
 * + high-value keywords  +10 each distinct match, at most +40
 * + medium keywords      +5 each distinct match, at most +20
 * + positive sentiment   +30      - negative sentiment -20   (objections and hesitation count as negative)
 * + urgency              +30      - low urgency -10
 * clamped to 0..100
 * ```
 *
 * Decisions (also in server/src/telephony/README.md's neighbour, docs, and the tests):
 * - Only the lead's lines count. A transcript in which the lead said nothing (voicemail, no answer) returns null: the
 *   caller keeps the previous score.
 * - Matching is whole word or phrase, case-insensitive, after straightening curly apostrophes; inside a phrase any run of
 *   white space matches. Keywords are regex-escaped. Within one list, the longest keyword wins where matches overlap
 *   ("lip filler" does not also count "filler" for the same words); across lists both count ("laser hair removal" is a
 *   high-value keyword, "hair removal" inside it is not counted again).
 * - Negation: a high-value, medium or urgency keyword earns nothing (and names no service) when its own clause negates it:
 *   "no"/"not"/"without" right before it (one word may sit between: "no more botox", "not this week"), or a negated verb of
 *   wanting ("I don't want botox", "not interested in fillers", "I won't be booking", up to two words between).
 *   A comma, full stop, semicolon, "but" or "though" ends a clause: "No, I want botox" is not negated.
 *   Objection and low-urgency phrases are taken as said ("not interested" is itself an objection).
 * - Sentiment: the `sentiment` package (AFINN-165) over each lead line, with its English labels, a few clinic-neutral
 *   overrides (describing a skin concern - "pain", "scars", "hair loss", "tired of shaving" - is not negativity toward the
 *   clinic) and a wider negation look-back ("no", "never", "not really"). Each distinct objection phrase adds -4.
 *   The total is positive at >= +3 (+30 points), negative at <= -3 (-20 points), otherwise neutral (no rule).
 * - Urgency and low urgency fire once each, and can both fire.
 */
import { createRequire } from 'node:module';
import Sentiment from 'sentiment';
import type { ScoreBreakdown, ScoreRule } from '../../../core/contracts.js';
import type { KeywordSettings } from './keywords.js';

export interface TranscriptLine {
  role: 'agent' | 'lead' | 'system';
  text: string;
}

export interface ScoreOptions {
  callId?: string | null;
  now?: Date;
}

export const SCORE_BASE = 50;
export const HIGH_VALUE_POINTS = 10;
export const HIGH_VALUE_CAP = 40;
export const MEDIUM_POINTS = 5;
export const MEDIUM_CAP = 20;
export const POSITIVE_POINTS = 30;
export const NEGATIVE_POINTS = -20;
export const URGENCY_POINTS = 30;
export const LOW_URGENCY_POINTS = -10;
export const OBJECTION_WEIGHT = -4;
export const SENTIMENT_POSITIVE_AT = 3;
export const SENTIMENT_NEGATIVE_AT = -3;
const MAX_QUOTES = 3;
const QUOTE_CHARS = 140;

// ---------------------------------------------------------------------------------------------------------------------
// Sentiment: AFINN via the `sentiment` package, registered as our own language so the package's shared English labels
// are never mutated (its `extras` option writes into them).

const require = createRequire(import.meta.url);
const englishLabels = require('sentiment/languages/en/labels.json') as Record<string, number>;

/** Words that describe the concern a patient wants treated, not how they feel about the clinic. */
const CLINIC_NEUTRAL: Record<string, number> = {
  pain: 0,
  painful: 0,
  hurt: 0,
  hurts: 0,
  scar: 0,
  scars: 0,
  scarring: 0,
  loss: 0,
  problem: 0,
  problems: 0,
  ugly: 0,
  insecure: 0,
  embarrassed: 0,
  tired: 0,
  sick: 0,
  allergic: 0,
  bother: 0,
  bothers: 0,
  hate: 0,
  worry: -1,
  worried: -1,
};

const NEGATORS = new Set([
  'not', 'no', 'never', 'without', 'cannot', 'cant', "can't", 'dont', "don't", 'doesnt', "doesn't", 'didnt', "didn't",
  'wont', "won't", 'wouldnt', "wouldn't", 'isnt', "isn't", 'arent', "aren't", 'wasnt', "wasn't", 'hardly', 'non',
]);
const INTENSIFIERS = new Set(['really', 'very', 'so', 'too', 'that', 'all', 'at']);

const LANGUAGE = 'en-live-leads';
const sentiment = new Sentiment();

/** Filled by the scoring strategy during one synchronous `analyze` call: each labelled token as scored, negation shown. */
let capture: Array<{ word: string; score: number }> | null = null;

sentiment.registerLanguage(LANGUAGE, {
  labels: { ...englishLabels, ...CLINIC_NEUTRAL },
  scoringStrategy: {
    apply(tokens, cursor, tokenScore) {
      // "not good", "not really good", "no problem": a negator one token back, or two back across an intensifier.
      const token = tokens[cursor]!;
      const prev = tokens[cursor - 1];
      const prev2 = tokens[cursor - 2];
      let score = tokenScore;
      let word = token;
      if (prev !== undefined && NEGATORS.has(prev)) {
        score = -tokenScore;
        word = `${prev} ${token}`;
      } else if (prev !== undefined && prev2 !== undefined && INTENSIFIERS.has(prev) && NEGATORS.has(prev2)) {
        score = -tokenScore;
        word = `${prev2} ${prev} ${token}`;
      }
      capture?.push({ word, score });
      return score;
    },
  },
});

export interface LineSentiment {
  score: number;
  /** In spoken order; negated words carry their negation ("not interested"). */
  positive: string[];
  negative: string[];
}

export function analyzeLine(text: string): LineSentiment {
  capture = [];
  try {
    const r = sentiment.analyze(text, { language: LANGUAGE });
    const scored = capture.reverse(); // the package walks tokens from the end
    return {
      score: r.score,
      positive: scored.filter((s) => s.score > 0).map((s) => s.word),
      negative: scored.filter((s) => s.score < 0).map((s) => s.word),
    };
  } finally {
    capture = null;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Keyword matching

type ListName = 'highValue' | 'medium' | 'urgency' | 'lowUrgency' | 'objections';

interface CompiledList {
  regex: RegExp | null;
  /** normalised matched text -> keyword as configured */
  byText: Map<string, string>;
  negatable: boolean;
}

interface Compiled {
  lists: Record<ListName, CompiledList>;
  services: Map<string, string>;
}

export const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const normaliseText = (s: string): string => s.replace(/[\u2018\u2019\u02bc]/g, "'").toLowerCase();
const normaliseKeyword = (s: string): string => normaliseText(s).replace(/\s+/g, ' ').trim();

/** Whole-word (or whole-phrase) alternation, longest first so the longest keyword wins at each position. */
export function keywordPattern(keywords: readonly string[]): string | null {
  const unique = [...new Set(keywords.map(normaliseKeyword).filter((k) => k.length > 0))];
  if (unique.length === 0) return null;
  unique.sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  const alternatives = unique.map((k) => k.split(' ').map(escapeRegExp).join('\\s+'));
  return `(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`;
}

function compileList(keywords: readonly string[], negatable: boolean): CompiledList {
  const pattern = keywordPattern(keywords);
  const byText = new Map<string, string>();
  for (const k of keywords) byText.set(normaliseKeyword(k), k);
  return { regex: pattern ? new RegExp(pattern, 'giu') : null, byText, negatable };
}

const cache = new WeakMap<KeywordSettings, Compiled>();
function compile(settings: KeywordSettings): Compiled {
  let c = cache.get(settings);
  if (!c) {
    c = {
      lists: {
        highValue: compileList(settings.highValue, true),
        medium: compileList(settings.medium, true),
        urgency: compileList(settings.urgency, true),
        lowUrgency: compileList(settings.lowUrgency, false),
        objections: compileList(settings.objections, false),
      },
      services: new Map(Object.entries(settings.services).map(([k, v]) => [normaliseKeyword(k), v])),
    };
    cache.set(settings, c);
  }
  return c;
}

const CLAUSE_END = /[.,;:!?()\u2014\u2013]|\s-\s|\b(?:but|though|although|however)\b/gi;
const NEG_DIRECT = /(?:^|\s)(?:no|not|without)\s+(?:[\p{L}']+\s+)?$/u;
const NEG_VERB =
  /(?:^|\s)(?:don't|dont|do not|doesn't|doesnt|does not|didn't|didnt|did not|won't|wont|will not|wouldn't|wouldnt|would not|not|never|no longer)\s+(?:really\s+|even\s+|actually\s+)?(?:want|wanna|need|like|interested in|looking for|looking at|looking to|into|considering|thinking of|planning on|planning to|going to|gonna|ready for|ready to|be|do|get|getting|doing|have|having)\s+(?:[\p{L}']+\s+){0,2}$/u;

/** True when the clause before `index` negates the keyword that starts there. */
export function isNegated(line: string, index: number): boolean {
  let clause = line.slice(0, index);
  let last = 0;
  for (const m of clause.matchAll(CLAUSE_END)) last = (m.index ?? 0) + m[0].length;
  clause = ' ' + clause.slice(last).replace(/\s+/g, ' ').trimStart();
  return NEG_DIRECT.test(clause) || NEG_VERB.test(clause);
}

interface Hit {
  keyword: string;
  line: number;
  index: number;
  length: number;
}

function findHits(list: CompiledList, lines: readonly string[]): Hit[] {
  if (!list.regex) return [];
  const hits: Hit[] = [];
  lines.forEach((text, line) => {
    list.regex!.lastIndex = 0;
    for (const m of text.matchAll(list.regex!)) {
      const index = m.index ?? 0;
      if (list.negatable && isNegated(text, index)) continue;
      const keyword = list.byText.get(normaliseKeyword(m[0])) ?? normaliseKeyword(m[0]);
      hits.push({ keyword, line, index, length: m[0].length });
    }
  });
  return hits;
}

const distinct = (hits: readonly Hit[]): string[] => [...new Set(hits.map((h) => h.keyword))];

function quote(original: string, index: number, length: number): string {
  const text = original.replace(/\s+/g, ' ').trim();
  if (text.length <= QUOTE_CHARS) return text;
  // Centre a window on the match (index is into the original line; close enough after white-space folding).
  const centre = Math.min(text.length, Math.max(0, index + Math.floor(length / 2)));
  let start = Math.max(0, centre - Math.floor(QUOTE_CHARS / 2));
  const end = Math.min(text.length, start + QUOTE_CHARS);
  start = Math.max(0, end - QUOTE_CHARS);
  return `${start > 0 ? '\u2026' : ''}${text.slice(start, end).trim()}${end < text.length ? '\u2026' : ''}`;
}

function quotesFor(hits: readonly Pick<Hit, 'line' | 'index' | 'length'>[], originals: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<number>();
  for (const h of hits) {
    if (seen.has(h.line)) continue;
    seen.add(h.line);
    out.push(quote(originals[h.line]!, h.index, h.length));
    if (out.length >= MAX_QUOTES) break;
  }
  return out;
}

const hasSpeech = (text: string): boolean => /[\p{L}\p{N}]/u.test(text);

/**
 * Scores the lead's side of a conversation.
 * @returns the breakdown, or null when the lead said nothing (the score must stay as it was).
 */
export function scoreConversation(
  messages: ReadonlyArray<TranscriptLine>,
  settings: KeywordSettings,
  opts: ScoreOptions = {},
): ScoreBreakdown | null {
  const originals = messages.filter((m) => m.role === 'lead' && typeof m.text === 'string' && hasSpeech(m.text)).map((m) => m.text);
  if (originals.length === 0) return null;
  const lines = originals.map(normaliseText);
  const c = compile(settings);

  const rules: ScoreRule[] = [{ rule: 'base', points: SCORE_BASE, matches: [], quotes: [] }];

  const high = findHits(c.lists.highValue, lines);
  const highWords = distinct(high);
  if (highWords.length > 0) {
    rules.push({
      rule: 'high_value_keywords',
      points: Math.min(HIGH_VALUE_POINTS * highWords.length, HIGH_VALUE_CAP),
      matches: highWords,
      quotes: quotesFor(high, originals),
    });
  }

  const medium = findHits(c.lists.medium, lines);
  const mediumWords = distinct(medium);
  if (mediumWords.length > 0) {
    rules.push({
      rule: 'medium_keywords',
      points: Math.min(MEDIUM_POINTS * mediumWords.length, MEDIUM_CAP),
      matches: mediumWords,
      quotes: quotesFor(medium, originals),
    });
  }

  // Sentiment: AFINN per line plus the objections.
  const objections = findHits(c.lists.objections, lines);
  const objectionWords = distinct(objections);
  let total = OBJECTION_WEIGHT * objectionWords.length;
  const positiveWords: string[] = [];
  const negativeWords: string[] = [];
  const positiveLines: Array<Pick<Hit, 'line' | 'index' | 'length'>> = [];
  const negativeLines: Array<Pick<Hit, 'line' | 'index' | 'length'>> = [];
  lines.forEach((text, line) => {
    const r = analyzeLine(text);
    total += r.score;
    const pos = r.positive;
    const neg = r.negative;
    positiveWords.push(...pos);
    negativeWords.push(...neg);
    if (pos.length > 0) positiveLines.push({ line, index: Math.max(0, text.indexOf(pos[0]!.split(' ').pop()!)), length: 1 });
    if (neg.length > 0) negativeLines.push({ line, index: Math.max(0, text.indexOf(neg[0]!.split(' ').pop()!)), length: 1 });
  });
  if (total >= SENTIMENT_POSITIVE_AT) {
    rules.push({
      rule: 'positive_sentiment',
      points: POSITIVE_POINTS,
      matches: [...new Set(positiveWords)],
      quotes: quotesFor(positiveLines, originals),
    });
  } else if (total <= SENTIMENT_NEGATIVE_AT) {
    const negHits = [...objections, ...negativeLines].sort((a, b) => a.line - b.line || a.index - b.index);
    rules.push({
      rule: 'negative_sentiment',
      points: NEGATIVE_POINTS,
      matches: [...new Set([...objectionWords, ...negativeWords])],
      quotes: quotesFor(negHits, originals),
    });
  }

  const urgency = findHits(c.lists.urgency, lines);
  if (urgency.length > 0) {
    rules.push({ rule: 'urgency', points: URGENCY_POINTS, matches: distinct(urgency), quotes: quotesFor(urgency, originals) });
  }
  const low = findHits(c.lists.lowUrgency, lines);
  if (low.length > 0) {
    rules.push({ rule: 'low_urgency', points: LOW_URGENCY_POINTS, matches: distinct(low), quotes: quotesFor(low, originals) });
  }

  // Services, in the order the lead first mentioned them, from any positive (non-negated) keyword.
  const serviceHits = [...high, ...medium, ...urgency].sort((a, b) => a.line - b.line || a.index - b.index);
  const services: string[] = [];
  for (const h of serviceHits) {
    const s = c.services.get(normaliseKeyword(h.keyword));
    if (s && !services.includes(s)) services.push(s);
  }

  const raw = rules.reduce((sum, r) => sum + r.points, 0);
  return {
    score: Math.max(0, Math.min(100, raw)),
    raw,
    rules,
    services,
    scoredAt: (opts.now ?? new Date()).toISOString(),
    callId: opts.callId ?? null,
  };
}
