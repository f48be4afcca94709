/**
 * Per-organisation keyword settings for lead scoring (DESIGN.md: Scoring), with the defaults every new clinic starts from.
 *
 * Lists are matched as whole words or phrases, case-insensitively, against the lead's own lines only (see score.ts).
 * The schema normalises what an admin types: trimmed, lower-cased, curly apostrophes straightened, duplicates removed.
 */
import { z } from 'zod';

const normalise = (s: string) => s.normalize('NFKC').replace(/[\u2018\u2019\u02bc]/g, "'").replace(/\s+/g, ' ').trim().toLowerCase();

const keyword = z
  .string()
  .transform(normalise)
  .pipe(z.string().min(1, 'a keyword cannot be empty').max(60, 'a keyword is at most 60 characters'));

const keywordList = z
  .array(keyword)
  .max(200, 'at most 200 keywords per list')
  .transform((list) => [...new Set(list)]);

export const keywordSettingsSchema = z.object({
  /** Treatments and booking intent: +10 each distinct match, at most +40. */
  highValue: keywordList,
  /** Buying questions: +5 each distinct match, at most +20. */
  medium: keywordList,
  /** Wants it soon: +30 once. */
  urgency: keywordList,
  /** Vague timing: -10 once. */
  lowUrgency: keywordList,
  /** Objections and hesitation: counted as negative sentiment. */
  objections: keywordList,
  /** Keyword (any list) -> canonical service name stored in the lead's `services`. */
  services: z
    .record(z.string(), z.string().trim().min(1).max(80))
    .transform((map) => Object.fromEntries(Object.entries(map).map(([k, v]) => [normalise(k), v] as const)))
    .refine((map) => Object.keys(map).every((k) => k.length > 0), 'service keywords cannot be empty'),
});

export type KeywordSettings = z.infer<typeof keywordSettingsSchema>;
export type KeywordSettingsInput = z.input<typeof keywordSettingsSchema>;

const DEFAULTS: KeywordSettings = {
  highValue: [
    'botox',
    'dysport',
    'xeomin',
    'laser',
    'filler',
    'fillers',
    'dermal filler',
    'dermal fillers',
    'lip filler',
    'lip fillers',
    'consultation',
    'booking',
    'hair removal',
    'laser hair removal',
    'microneedling',
    'chemical peel',
    'coolsculpting',
    'hydrafacial',
    'ipl',
    'photofacial',
    'prp',
    'sculptra',
    'kybella',
    'morpheus8',
    'tattoo removal',
    'skin tightening',
    'body contouring',
  ],
  medium: [
    'pricing',
    'price',
    'prices',
    'cost',
    'costs',
    'how much',
    'book',
    'appointment',
    'availability',
    'available',
    'schedule',
    'opening',
    'openings',
    'slot',
    'financing',
    'payment plan',
    'package',
    'special',
    'promotion',
    'deposit',
  ],
  urgency: [
    'today',
    'tonight',
    'asap',
    'as soon as possible',
    'this week',
    'urgent',
    'urgently',
    'right away',
    'immediately',
    'tomorrow',
    'this weekend',
    'earliest',
    'soonest',
    'first available',
  ],
  lowUrgency: [
    'maybe',
    'someday',
    'some day',
    'thinking about it',
    'not sure',
    'later',
    'next year',
    'eventually',
    'no rush',
    'down the road',
    'just looking',
    'just browsing',
    'in a few months',
    'one day',
  ],
  objections: [
    'too expensive',
    'too much money',
    'not interested',
    "can't afford",
    'cannot afford',
    "i'll think about it",
    'i will think about it',
    'let me think about it',
    'need to think about it',
    'no thanks',
    'no thank you',
    'not right now',
    'not ready',
    'stop calling',
    "don't call",
    'do not call',
    'remove me',
    'wrong number',
    'already have a provider',
    'out of my budget',
    'scared of needles',
  ],
  services: {
    botox: 'Botox',
    dysport: 'Botox',
    xeomin: 'Botox',
    filler: 'Dermal Fillers',
    fillers: 'Dermal Fillers',
    'dermal filler': 'Dermal Fillers',
    'dermal fillers': 'Dermal Fillers',
    'lip filler': 'Dermal Fillers',
    'lip fillers': 'Dermal Fillers',
    sculptra: 'Dermal Fillers',
    laser: 'Laser Hair Removal',
    'hair removal': 'Laser Hair Removal',
    'laser hair removal': 'Laser Hair Removal',
    microneedling: 'Microneedling',
    'morpheus8': 'Microneedling',
    'chemical peel': 'Chemical Peel',
    coolsculpting: 'CoolSculpting',
    'body contouring': 'CoolSculpting',
    kybella: 'Kybella',
    hydrafacial: 'HydraFacial',
    ipl: 'IPL Photofacial',
    photofacial: 'IPL Photofacial',
    prp: 'PRP',
    'tattoo removal': 'Tattoo Removal',
    'skin tightening': 'Skin Tightening',
  },
};

/** The defaults, deeply frozen so no caller can change them for everyone. */
export const DEFAULT_KEYWORD_SETTINGS: KeywordSettings = Object.freeze({
  highValue: Object.freeze(DEFAULTS.highValue),
  medium: Object.freeze(DEFAULTS.medium),
  urgency: Object.freeze(DEFAULTS.urgency),
  lowUrgency: Object.freeze(DEFAULTS.lowUrgency),
  objections: Object.freeze(DEFAULTS.objections),
  services: Object.freeze(DEFAULTS.services),
}) as KeywordSettings;

/** Parses an organisation's stored settings, falling back to the defaults for any list it does not set. */
export function resolveKeywordSettings(stored: Partial<KeywordSettingsInput> | null | undefined): KeywordSettings {
  return keywordSettingsSchema.parse({ ...DEFAULT_KEYWORD_SETTINGS, ...(stored ?? {}) });
}
