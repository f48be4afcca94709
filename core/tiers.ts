/**
 * The one tier table (DESIGN.md: Board order): Hot >= 80, Warm 50-79, Cold < 50. It drives tierOf, the MongoDB score
 * ranges of the tier filter, and the labels and emoji the board shows.
 */
export const TIERS = ['hot', 'warm', 'cold'] as const;
export type Tier = (typeof TIERS)[number];

export interface TierInfo {
  label: string;
  emoji: string;
  /** Lowest score in the tier (inclusive). */
  min: number;
  /** First score above the tier (exclusive); null for the top tier. */
  below: number | null;
  /** The range as the filter pills show it. */
  range: string;
}

export const TIER_TABLE: Readonly<Record<Tier, TierInfo>> = Object.freeze({
  hot: { label: 'Hot', emoji: '🔥', min: 80, below: null, range: '80+' },
  warm: { label: 'Warm', emoji: '☀️', min: 50, below: 80, range: '50-79' },
  cold: { label: 'Cold', emoji: '❄️', min: 0, below: 50, range: '<50' },
});

export function tierOf(score: number): Tier {
  for (const tier of TIERS) if (score >= TIER_TABLE[tier].min) return tier;
  return 'cold';
}

/** The score range of a tier as a MongoDB query operator (index-friendly: one field, bounded range). */
export function tierScoreRange(tier: Tier): { $gte?: number; $lt?: number } {
  const { min, below } = TIER_TABLE[tier];
  const range: { $gte?: number; $lt?: number } = {};
  if (min > 0) range.$gte = min;
  if (below !== null) range.$lt = below;
  return range;
}

export const crossedIntoHot = (previousScore: number, score: number): boolean => tierOf(previousScore) !== 'hot' && tierOf(score) === 'hot';
