import assert from 'node:assert/strict';
import { DEFAULT_KEYWORD_SETTINGS, keywordSettingsSchema, resolveKeywordSettings } from './keywords.js';
import { scoreConversation, type TranscriptLine } from './score.js';
import type { ScoreRule } from '../../../core/contracts.js';

const NOW = new Date('2025-05-06T15:04:05.000Z');
const agent = (text: string): TranscriptLine => ({ role: 'agent', text });
const lead = (text: string): TranscriptLine => ({ role: 'lead', text });
const system = (text: string): TranscriptLine => ({ role: 'system', text });
const base: ScoreRule = { rule: 'base', points: 50, matches: [], quotes: [] };

interface Case {
  name: string;
  messages: TranscriptLine[];
  score: number;
  raw: number;
  rules: ScoreRule[];
  services: string[];
}

const cases: Case[] = [
  {
    name: 'hot lead: treatment, booking intent, warm words and this week',
    messages: [
      agent('Hi Maria, this is Ava from Glow Aesthetics. You asked about Botox on our site. Is now a good time?'),
      lead("Yes! I'd love to book a Botox consultation."),
      agent('Wonderful. Booking takes a minute. Any particular day?'),
      lead('Do you have availability this week?'),
    ],
    score: 100,
    raw: 140,
    rules: [
      base,
      {
        rule: 'high_value_keywords',
        points: 20,
        matches: ['botox', 'consultation'],
        quotes: ["Yes! I'd love to book a Botox consultation."],
      },
      {
        rule: 'medium_keywords',
        points: 10,
        matches: ['book', 'availability'],
        quotes: ["Yes! I'd love to book a Botox consultation.", 'Do you have availability this week?'],
      },
      { rule: 'positive_sentiment', points: 30, matches: ['yes', 'love'], quotes: ["Yes! I'd love to book a Botox consultation."] },
      { rule: 'urgency', points: 30, matches: ['this week'], quotes: ['Do you have availability this week?'] },
    ],
    services: ['Botox'],
  },
  {
    name: "the agent's words never count (agent says booking, laser, filler, today)",
    messages: [
      agent('Booking is easy and we have laser and filler specials today, great prices!'),
      lead('Okay.'),
      agent('Shall I send you the pricing?'),
      lead('Sure.'),
    ],
    score: 50,
    raw: 50,
    rules: [base],
    services: [],
  },
  {
    name: '"book" is a medium keyword and does not match inside "booking"',
    messages: [agent('Would you like me to help with that?'), lead('Can I book online?')],
    score: 55,
    raw: 55,
    rules: [base, { rule: 'medium_keywords', points: 5, matches: ['book'], quotes: ['Can I book online?'] }],
    services: [],
  },
  {
    name: '"booking" is its own high-value keyword and does not also count "book"',
    messages: [agent('How can I help?'), lead('I am calling about a booking for my sister.')],
    score: 60,
    raw: 60,
    rules: [base, { rule: 'high_value_keywords', points: 10, matches: ['booking'], quotes: ['I am calling about a booking for my sister.'] }],
    services: [],
  },
  {
    name: 'negation: "I don\'t want botox" earns no keyword points and no service',
    messages: [agent('Are you still thinking about Botox?'), lead("I don't want Botox.")],
    score: 50,
    raw: 50,
    rules: [base],
    services: [],
  },
  {
    name: 'negation: "not interested" is an objection; "thanks" does not rescue it',
    messages: [agent('Would you like to come in for a HydraFacial?'), lead('Not interested, thanks.')],
    score: 30,
    raw: 30,
    rules: [
      base,
      { rule: 'negative_sentiment', points: -20, matches: ['not interested'], quotes: ['Not interested, thanks.'] },
    ],
    services: [],
  },
  {
    name: 'a comma ends the negation: "No, I want botox", and "not this week" is no urgency',
    messages: [agent('So no Botox then?'), lead('No, I want botox. Not this week though, maybe next month.')],
    score: 50,
    raw: 50,
    rules: [
      base,
      { rule: 'high_value_keywords', points: 10, matches: ['botox'], quotes: ['No, I want botox. Not this week though, maybe next month.'] },
      { rule: 'low_urgency', points: -10, matches: ['maybe'], quotes: ['No, I want botox. Not this week though, maybe next month.'] },
    ],
    services: ['Botox'],
  },
  {
    name: 'cold lead: objections, hesitation and vague timing (the lowest the design allows: 20)',
    messages: [
      agent('Hi, this is Ava from Glow Aesthetics about the laser hair removal offer.'),
      lead('Honestly it is too expensive and I can\u2019t afford it right now.'),
      agent('We do have payment plans.'),
      lead("I'll think about it. Maybe next year."),
    ],
    score: 20,
    raw: 20,
    rules: [
      base,
      {
        rule: 'negative_sentiment',
        points: -20,
        matches: ['too expensive', "can't afford", "i'll think about it"],
        quotes: ['Honestly it is too expensive and I can\u2019t afford it right now.', "I'll think about it. Maybe next year."],
      },
      { rule: 'low_urgency', points: -10, matches: ['maybe', 'next year'], quotes: ["I'll think about it. Maybe next year."] },
    ],
    services: [],
  },
  {
    name: 'caps: six treatments give +40, five buying words give +20; clamped to 100',
    messages: [
      agent('What are you interested in?'),
      lead('Botox, fillers, microneedling, a chemical peel, a HydraFacial and CoolSculpting.'),
      agent('Lovely.'),
      lead('What is the price and cost of each, and can I schedule an appointment? What is your availability?'),
    ],
    score: 100,
    raw: 110,
    rules: [
      base,
      {
        rule: 'high_value_keywords',
        points: 40,
        matches: ['botox', 'fillers', 'microneedling', 'chemical peel', 'hydrafacial', 'coolsculpting'],
        quotes: ['Botox, fillers, microneedling, a chemical peel, a HydraFacial and CoolSculpting.'],
      },
      {
        rule: 'medium_keywords',
        points: 20,
        matches: ['price', 'cost', 'schedule', 'appointment', 'availability'],
        quotes: ['What is the price and cost of each, and can I schedule an appointment? What is your availability?'],
      },
    ],
    services: ['Botox', 'Dermal Fillers', 'Microneedling', 'Chemical Peel', 'HydraFacial', 'CoolSculpting'],
  },
  {
    name: '"lip filler" counts once (the longest phrase wins), "laser hair removal" maps to its service',
    messages: [agent('Anything else?'), lead('Lip filler, and laser hair removal ASAP please!')],
    score: 100,
    raw: 100,
    rules: [
      base,
      { rule: 'high_value_keywords', points: 20, matches: ['lip filler', 'laser hair removal'], quotes: ['Lip filler, and laser hair removal ASAP please!'] },
      { rule: 'urgency', points: 30, matches: ['asap'], quotes: ['Lip filler, and laser hair removal ASAP please!'] },
    ],
    services: ['Dermal Fillers', 'Laser Hair Removal'],
  },
  {
    name: 'warm lead with a skin concern: "hate" and "scars" are not negativity toward the clinic',
    messages: [
      agent('How can we help?'),
      lead('I hate my acne scars. Is microneedling painful? How much does it cost?'),
      agent('Most clients find it very comfortable.'),
      lead('Great, that sounds perfect.'),
    ],
    score: 100,
    raw: 100,
    rules: [
      base,
      { rule: 'high_value_keywords', points: 10, matches: ['microneedling'], quotes: ['I hate my acne scars. Is microneedling painful? How much does it cost?'] },
      { rule: 'medium_keywords', points: 10, matches: ['how much', 'cost'], quotes: ['I hate my acne scars. Is microneedling painful? How much does it cost?'] },
      { rule: 'positive_sentiment', points: 30, matches: ['great', 'perfect'], quotes: ['Great, that sounds perfect.'] },
    ],
    services: ['Microneedling'],
  },
];

describe('scoreConversation', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = scoreConversation(c.messages, DEFAULT_KEYWORD_SETTINGS, { now: NOW, callId: 'call_1' });
      assert.deepEqual(result, {
        score: c.score,
        raw: c.raw,
        rules: c.rules,
        services: c.services,
        scoredAt: NOW.toISOString(),
        callId: 'call_1',
      });
    });
  }

  it('returns null for a voicemail where the caller never spoke', () => {
    const voicemail = [
      system('Call forwarded to voicemail'),
      agent("Hi Maria, it's Ava from Glow Aesthetics about your Botox enquiry. Call us back today to book!"),
    ];
    assert.equal(scoreConversation(voicemail, DEFAULT_KEYWORD_SETTINGS, { now: NOW }), null);
  });

  it('returns null when the lead lines carry no words (line noise)', () => {
    assert.equal(scoreConversation([agent('Hello?'), lead('...'), lead('  ')], DEFAULT_KEYWORD_SETTINGS, { now: NOW }), null);
  });

  it('returns null for an empty transcript, and defaults callId to null', () => {
    assert.equal(scoreConversation([], DEFAULT_KEYWORD_SETTINGS), null);
    assert.equal(scoreConversation([lead('Hello')], DEFAULT_KEYWORD_SETTINGS, { now: NOW })?.callId, null);
  });

  it('escapes regex metacharacters in custom keywords and still matches whole words only', () => {
    const settings = keywordSettingsSchema.parse({
      ...DEFAULT_KEYWORD_SETTINGS,
      highValue: ['c++ peel', 'a.b', '(vip)'],
      medium: ['$99 special'],
    });
    const r = scoreConversation([lead('I want the C++ Peel, the (VIP) thing and the $99 special. Not the axb.')], settings, { now: NOW });
    assert.deepEqual(
      r?.rules.map((x) => [x.rule, x.points, x.matches]),
      [
        ['base', 50, []],
        ['high_value_keywords', 20, ['c++ peel', '(vip)']],
        ['medium_keywords', 5, ['$99 special']],
      ],
    );
  });

  it('uses an organisation\'s own lists and service names', () => {
    const settings = resolveKeywordSettings({ highValue: ['Thread Lift'], services: { 'thread lift': 'Thread Lift' } });
    const r = scoreConversation([lead('Tell me about the THREAD   LIFT.')], settings, { now: NOW });
    assert.equal(r?.score, 60);
    assert.deepEqual(r?.services, ['Thread Lift']);
    // The org's list replaced the default one: botox no longer scores.
    assert.equal(scoreConversation([lead('Botox.')], settings, { now: NOW })?.score, 50);
  });
});

describe('keywordSettingsSchema', () => {
  it('normalises case, spaces and curly apostrophes, and removes duplicates', () => {
    const s = keywordSettingsSchema.parse({
      ...DEFAULT_KEYWORD_SETTINGS,
      objections: ['  Can\u2019t   Afford ', "can't afford"],
    });
    assert.deepEqual(s.objections, ["can't afford"]);
  });

  it('rejects empty keywords', () => {
    assert.throws(() => keywordSettingsSchema.parse({ ...DEFAULT_KEYWORD_SETTINGS, urgency: ['  '] }));
  });
});
