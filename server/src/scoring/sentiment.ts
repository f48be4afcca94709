/**
 * Sentiment of an inbound text, for the "warm lead who replied positively" rule of the Call today view (core/views.ts).
 * The same analysis as call scoring (./score.ts: the `sentiment` package's AFINN-165 with the clinic-neutral overrides
 * and negation look-back), plus the clinic's objection phrases at -4 each. A text is short, so the thresholds are lower
 * than a call's: positive at >= +1 ("Yes!", "Sounds good"), negative at <= -1 ("No thanks", "Not interested"),
 * otherwise neutral ("Who is this?").
 */
import type { TextSentiment } from '../../../core/views.js';
import { DEFAULT_KEYWORD_SETTINGS } from './keywords.js';
import { analyzeLine, keywordPattern, OBJECTION_WEIGHT } from './score.js';

export type { TextSentiment };

const patterns = new WeakMap<readonly string[], RegExp | null>();

export function textSentiment(body: string, objections: readonly string[] = DEFAULT_KEYWORD_SETTINGS.objections): TextSentiment {
  let pattern = patterns.get(objections);
  if (pattern === undefined) {
    const source = keywordPattern(objections);
    pattern = source ? new RegExp(source, 'giu') : null;
    patterns.set(objections, pattern);
  }
  const text = body.replace(/[\u2018\u2019\u02bc]/g, "'").toLowerCase();
  const hits = pattern ? new Set([...text.matchAll(pattern)].map((m) => m[0].replace(/\s+/g, ' '))).size : 0;
  const total = analyzeLine(body).score + OBJECTION_WEIGHT * hits;
  return total >= 1 ? 'positive' : total <= -1 ? 'negative' : 'neutral';
}
