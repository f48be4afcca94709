/**
 * The sandbox's library of outbound clinic calls: what the AI agent and the lead say, how the call ends, and Vapi's
 * summary. `{name}` is replaced with the customer's first name; the agent's first line is the assistant's firstMessage
 * (rendered as Vapi renders it, ./variables.ts) when one is configured.
 */

export type ScenarioName =
  | 'hot'
  | 'warm'
  | 'cold'
  | 'voicemail'
  | 'no-answer'
  | 'busy'
  | 'failed-to-connect'
  | 'forwarded'
  | 'booked'
  | 'callback'
  | 'not-interested'
  | 'needs-info';
/** The conversations a customer number is picked from (deterministically, see pickScenario). */
export const SCENARIO_NAMES: readonly ScenarioName[] = ['hot', 'warm', 'cold', 'voicemail', 'no-answer'];
/**
 * Endings that only happen when asked for (control.nextCallScenario), so a seeded lead never hits them by chance: the line
 * is busy (`customer-busy`), Twilio cannot connect the call (`twilio-failed-to-connect-call`, no ringing), or the agent
 * forwards the call to the clinic (status `forwarding`, then `assistant-forwarded-call`); and the conversations whose
 * post-call analysis moves the lead: booked (a consultation at a time), callback (call me back at a time), not-interested,
 * needs-info.
 */
export const FORCED_SCENARIO_NAMES: readonly ScenarioName[] = ['busy', 'failed-to-connect', 'forwarded', 'booked', 'callback', 'not-interested', 'needs-info'];
export const ALL_SCENARIO_NAMES: readonly ScenarioName[] = [...SCENARIO_NAMES, ...FORCED_SCENARIO_NAMES];

export interface ScenarioTurn {
  role: 'bot' | 'user';
  text: string;
}

export interface Scenario {
  name: ScenarioName;
  variant: string;
  /** Whether the lead picks up (no-answer never reaches in-progress). */
  answered: boolean;
  /** False when the call never reaches the phone network: queued -> ended, no ringing. */
  connects?: boolean;
  /** The agent forwards the call at the end of the turns: status `forwarding` before `ended`. */
  forwards?: boolean;
  endedReason: string;
  turns: ScenarioTurn[];
  summary: string;
  /**
   * Vapi's post-call analysis of the call (the product's `analysisPlan`, server/src/telephony/vapi.ts): the structured
   * data's intent, the time asked for (`requestedAt`: so many days after the call at HH:MM UTC, also written as `{when}`
   * in the lines), and the PassFail success evaluation. Absent: no structured data (Vapi skips the analysis of a call
   * with fewer than two messages, `minMessagesThreshold`).
   */
  analysis?: { intent: 'booked' | 'callback_requested' | 'not_interested' | 'needs_info' | 'none'; requested?: { inDays: number; at: string }; success: boolean };
}

const bot = (text: string): ScenarioTurn => ({ role: 'bot', text });
const user = (text: string): ScenarioTurn => ({ role: 'user', text });

const GREETING = "Hi {name}, this is Ava, the virtual assistant from Glow Aesthetics. You asked about a treatment on our website. Is now a good time?";

export const SCENARIOS = {
  hot: [
    {
      name: 'hot',
      variant: 'botox-this-week',
      answered: true,
      endedReason: 'assistant-ended-call',
      turns: [
        bot(GREETING),
        user("Yes, perfect timing! I've been wanting to get Botox for my forehead lines."),
        bot('Wonderful. Have you had Botox before, or would this be your first treatment?'),
        user('First time. How much does it cost, and can I book a consultation this week?'),
        bot('Treatments start at twelve dollars per unit and the consultation is free. We have Thursday at 4pm or Friday at 10am.'),
        user("Thursday at 4 works great. I'd love to book that."),
        bot("I've passed Thursday at 4pm to our front desk; they'll text you to confirm the slot. Anything else I can help with?"),
        user("No, that's all. Thank you so much!"),
      ],
      summary:
        'First-time Botox lead (forehead lines) asked about price and wants a free consultation Thursday 4pm; the front desk will confirm it. Very engaged.',
      analysis: { intent: 'none', success: true },
    },
    {
      name: 'hot',
      variant: 'lip-filler-asap',
      answered: true,
      endedReason: 'customer-ended-call',
      turns: [
        bot(GREETING),
        user('Oh hi! Yes, I was looking at lip filler. I have a wedding in two weeks, so as soon as possible.'),
        bot('Congratulations! Two weeks is enough time for lip filler to settle. Would you like the earliest appointment?'),
        user("Yes please, what's your availability tomorrow? And what's the price for one syringe?"),
        bot('One syringe is six hundred fifty dollars. Tomorrow we have 11am or 2:30pm.'),
        user("2:30 is perfect, book me in. I'm so excited."),
        bot("Lovely. The front desk will text you shortly to confirm tomorrow at 2:30pm."),
      ],
      summary: 'Lead wants lip filler before a wedding in two weeks; asked for tomorrow 2:30pm, to be confirmed by the front desk. Asked price of one syringe.',
      analysis: { intent: 'none', success: true },
    },
  ],
  warm: [
    {
      name: 'warm',
      variant: 'laser-pricing',
      answered: true,
      endedReason: 'customer-ended-call',
      turns: [
        bot(GREETING),
        user('Sure, I have a couple of minutes.'),
        bot('You were looking at laser hair removal. Which areas were you thinking about?'),
        user('Legs and underarms. What is the pricing for a package?'),
        bot('A package of six sessions for legs and underarms is one thousand two hundred dollars, and we offer a payment plan.'),
        user("Okay. I need to check my schedule, I'll probably book something next month."),
        bot("No problem. I'll text you our booking link so you can pick a time that suits you."),
        user('Sounds good, thanks.'),
      ],
      summary: 'Interested in laser hair removal (legs, underarms); asked package pricing; plans to book next month. Booking link to be texted.',
      analysis: { intent: 'none', success: false },
    },
    {
      name: 'warm',
      variant: 'hydrafacial-questions',
      answered: true,
      endedReason: 'assistant-ended-call',
      turns: [
        bot(GREETING),
        user('Hi. Yes, I filled in the form about a HydraFacial.'),
        bot('Great. Is it for a special occasion, or part of a regular skincare routine?'),
        user('Just for my skin really. Is there any downtime? And how long is an appointment?'),
        bot('There is no downtime, and the appointment takes about forty-five minutes.'),
        user("Good to know. Maybe I'll come in after the holidays."),
      ],
      summary: 'HydraFacial enquiry for routine skincare; asked about downtime and length; may book after the holidays.',
      analysis: { intent: 'none', success: false },
    },
  ],
  cold: [
    {
      name: 'cold',
      variant: 'too-expensive',
      answered: true,
      endedReason: 'customer-ended-call',
      turns: [
        bot(GREETING),
        user('I guess, what is this about?'),
        bot('You requested information about CoolSculpting. Would you like to hear about our current offer?'),
        user("Honestly I looked at the prices and it's too expensive for me. I can't afford it right now."),
        bot('I understand. We do have financing options if that would help.'),
        user("No thanks. Maybe next year. I'm not interested at the moment."),
        bot('No problem at all. Thanks for your time, and have a lovely day.'),
      ],
      summary: 'CoolSculpting lead says it is too expensive and declined financing; not interested now, maybe next year.',
      analysis: { intent: 'not_interested', success: false },
    },
    {
      name: 'cold',
      variant: 'not-interested',
      answered: true,
      endedReason: 'customer-ended-call',
      turns: [
        bot(GREETING),
        user("No, I don't want any treatments. I think I clicked the ad by mistake."),
        bot('Sorry about that. Would you like us to remove your number from our list?'),
        user('Yes please, stop calling me.'),
        bot("Done. You won't hear from us again. Goodbye."),
      ],
      summary: 'Lead says the enquiry was a mistake and asked not to be called again. Do-not-contact requested.',
      analysis: { intent: 'not_interested', success: false },
    },
  ],
  voicemail: [
    {
      name: 'voicemail',
      variant: 'voicemail',
      answered: true,
      endedReason: 'voicemail',
      turns: [
        bot(
          "Hi {name}, this is Ava from Glow Aesthetics returning your enquiry. We have consultation openings this week. Call us back or reply to our text to book. Thanks!",
        ),
      ],
      summary: 'Reached voicemail; left a message about consultation openings this week.',
    },
  ],
  'no-answer': [
    {
      name: 'no-answer',
      variant: 'no-answer',
      answered: false,
      endedReason: 'customer-did-not-answer',
      turns: [],
      summary: '',
    },
  ],
} as Partial<Record<ScenarioName, Scenario[]>> as Record<ScenarioName, Scenario[]>;

SCENARIOS.busy = [
  { name: 'busy', variant: 'busy', answered: false, endedReason: 'customer-busy', turns: [], summary: '' },
];
SCENARIOS['failed-to-connect'] = [
  { name: 'failed-to-connect', variant: 'twilio-failed', answered: false, connects: false, endedReason: 'twilio-failed-to-connect-call', turns: [], summary: '' },
];
SCENARIOS.forwarded = [
  {
    name: 'forwarded',
    variant: 'asks-for-a-person',
    answered: true,
    forwards: true,
    endedReason: 'assistant-forwarded-call',
    turns: [
      bot(GREETING),
      user("Hi. I'd rather talk to someone at the front desk about my laser appointment, please."),
      bot("Of course, I'll put you through to the clinic now. One moment."),
    ],
    summary: 'Lead asked to speak to the front desk about a laser appointment; the call was forwarded to the clinic.',
    analysis: { intent: 'none', success: true },
  },
];
SCENARIOS.booked = [
  {
    name: 'booked',
    variant: 'books-consultation',
    answered: true,
    endedReason: 'assistant-ended-call',
    turns: [
      bot(GREETING),
      user("Yes! I wanted to book a Botox consultation, I've been meaning to for ages."),
      bot('Wonderful. I can offer {when}. Would that work for you?'),
      user('That works perfectly, please book me in.'),
      bot("Done: you're booked for a free consultation {when}. You'll get a text confirmation. See you then!"),
      user('Great, thank you!'),
    ],
    summary: 'Lead booked a free Botox consultation for {when} on the call.',
    analysis: { intent: 'booked', requested: { inDays: 2, at: '16:00' }, success: true },
  },
];
SCENARIOS.callback = [
  {
    name: 'callback',
    variant: 'call-me-tomorrow',
    answered: true,
    endedReason: 'customer-ended-call',
    turns: [
      bot(GREETING),
      user("I'm interested in lip filler but I'm driving right now. Can you call me back tomorrow morning, around ten?"),
      bot("Of course. I'll make sure someone calls you back {when}. Drive safely!"),
      user('Thanks, talk then.'),
    ],
    summary: 'Lead interested in lip filler, driving; asked to be called back {when}.',
    analysis: { intent: 'callback_requested', requested: { inDays: 1, at: '10:00' }, success: true },
  },
];
SCENARIOS['not-interested'] = [
  {
    name: 'not-interested',
    variant: 'went-elsewhere',
    answered: true,
    endedReason: 'customer-ended-call',
    turns: [
      bot(GREETING),
      user("Thanks, but I'm not interested any more. I already had it done somewhere else."),
      bot("I understand. Thanks for letting us know, and have a lovely day."),
      user('You too, bye.'),
    ],
    summary: 'Lead is not interested any more: had the treatment done at another clinic.',
    analysis: { intent: 'not_interested', success: false },
  },
];
SCENARIOS['needs-info'] = [
  {
    name: 'needs-info',
    variant: 'wants-details',
    answered: true,
    endedReason: 'assistant-ended-call',
    turns: [
      bot(GREETING),
      user("Maybe. What's the difference between Botox and Dysport, and do you have before and after photos I could see?"),
      bot("Good questions. I'll ask one of our injectors to send you the details and some photos by email."),
      user("Okay, I'll decide once I've seen them."),
    ],
    summary: 'Lead asked how Botox differs from Dysport and for before/after photos; an injector is to send details by email.',
    analysis: { intent: 'needs_info', success: false },
  },
];

/** The instant a scenario's requested time stands for: `inDays` after `now` at HH:MM UTC. */
export function requestedInstant(requested: { inDays: number; at: string }, now: Date): Date {
  const [h, m] = requested.at.split(':').map(Number);
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + requested.inDays, h, m));
}

/** "Thursday at 4:00 PM" (UTC), as the agent says it. */
export function spokenTime(at: Date): string {
  const day = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', weekday: 'long' }).format(at);
  const time = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', hour: 'numeric', minute: '2-digit' }).format(at);
  return `${day} at ${time}`;
}

/** FNV-1a over the digits of the number: the same number always gets the same conversation. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of s.replace(/\D/g, '')) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Picks the scenario for a customer number, or the forced one. */
export function pickScenario(customerNumber: string, forced?: ScenarioName | null): Scenario {
  const h = hash(customerNumber);
  const name = forced ?? SCENARIO_NAMES[h % SCENARIO_NAMES.length]!;
  const variants = SCENARIOS[name];
  return variants[(h >>> 8) % variants.length]!;
}

/** The library's own lines: `{name}` is the customer's first name ("there" without one). Assistant texts go through ./variables.ts. */
export function personalise(text: string, customerName: string | null | undefined, when?: string | null): string {
  const first = (customerName ?? '').trim().split(/\s+/)[0] || 'there';
  return text.replace(/\{name\}/g, first).replace(/\{when\}/g, when ?? 'soon');
}
