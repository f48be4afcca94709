import { css, html, nothing } from 'lit';
import type { ScoreBreakdown } from '../../../core/contracts.js';
import { ruleLabel, signedPoints } from '../format.js';

/**
 * "Why N?": the scoring rules that fired, their points and the lead's own words (lead-card and lead-detail show the
 * same list; the card keeps fewer quotes). Style it with `scoreRuleStyles`.
 */
export function scoreRulesTemplate(b: ScoreBreakdown | null, opts: { maxQuotes: number; listClass?: string }) {
  if (!b || !b.rules.length) return html`<p class="quote">Not scored from a call yet: every lead starts at 50.</p>`;
  return html`<ul class="score-rules ${opts.listClass ?? ''}">
      ${b.rules.map(
        (r) => html`<li>
          <div class="rule">
            <span>${ruleLabel(r.rule)}${r.matches.length ? html`: ${r.matches.map((m) => `“${m}”`).join(', ')}` : nothing}</span>
            <span class="points ${r.rule === 'base' ? 'base' : r.points < 0 ? 'neg' : ''}">${signedPoints(r.points, r.rule)}</span>
          </div>
          ${r.quotes.slice(0, opts.maxQuotes).map((q) => html`<p class="quote">“${q}”</p>`)}
        </li>`,
      )}
    </ul>
    ${b.raw !== b.score ? html`<p class="quote">Total ${b.raw}, capped at ${b.score}.</p>` : nothing}`;
}

export const scoreRuleStyles = css`
  .score-rules {
    list-style: none;
    margin: 0;
    padding: 0;
    display: grid;
    gap: 6px;
  }
  .rule {
    display: flex;
    justify-content: space-between;
    gap: 8px;
    font-weight: 600;
  }
  .points {
    font-variant-numeric: tabular-nums;
    color: var(--_success);
  }
  .points.neg {
    color: var(--_danger);
  }
  .points.base {
    color: var(--_text);
  }
  .quote {
    margin: 2px 0 0;
    color: var(--_muted);
    font-style: italic;
    font-weight: 400;
    overflow-wrap: anywhere;
  }
`;
