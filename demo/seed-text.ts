/**
 * The words of the demo seed: names, services, web-form enquiries and call scripts for a New York aesthetics clinic.
 * Pure data and small template functions; demo/seed.ts draws from them with a seeded PRNG.
 */
import type { Tier } from '../core/contracts.js';

export const FIRST_NAMES = [
  'Emma', 'Olivia', 'Ava', 'Sophia', 'Isabella', 'Mia', 'Charlotte', 'Amelia', 'Harper', 'Evelyn', 'Abigail', 'Emily',
  'Madison', 'Chloe', 'Grace', 'Victoria', 'Natalie', 'Hannah', 'Lily', 'Zoe', 'Layla', 'Aaliyah', 'Brooklyn', 'Savannah',
  'Camila', 'Valentina', 'Gabriela', 'Lucia', 'Mariana', 'Daniela', 'Ximena', 'Priya', 'Ananya', 'Mei', 'Jia', 'Hana',
  'Yuki', 'Soo-ah', 'Linh', 'Fatima', 'Amira', 'Leila', 'Nia', 'Imani', 'Keisha', 'Tiana', 'Jasmine', 'Destiny',
  'Rachel', 'Rebecca', 'Sarah', 'Leah', 'Miriam', 'Jessica', 'Ashley', 'Jennifer', 'Nicole', 'Stephanie', 'Lauren',
  'Megan', 'Kayla', 'Danielle', 'Courtney', 'Heather', 'Amanda', 'Melissa', 'Michelle', 'Kimberly', 'Tiffany', 'Erin',
  'Caitlin', 'Bridget', 'Colleen', 'Maeve', 'Siobhan', 'Francesca', 'Gianna', 'Alessandra', 'Tatiana', 'Natasha',
  'Anastasia', 'Irina', 'Elena', 'Diana', 'Monica', 'Teresa', 'Rosa', 'Carmen', 'Yolanda', 'Denise', 'Patricia', 'Linda',
  'Karen', 'Susan', 'Donna', 'Margaret', 'Janet', 'Joanne', 'Ruth', 'Gloria',
  'James', 'Michael', 'David', 'Daniel', 'Matthew', 'Christopher', 'Andrew', 'Joshua', 'Ryan', 'Brandon', 'Tyler',
  'Kevin', 'Jason', 'Marcus', 'Andre', 'Jamal', 'Darnell', 'Luis', 'Carlos', 'Javier', 'Alejandro', 'Raj', 'Arjun',
  'Wei', 'Kenji', 'Min-jun', 'Omar', 'Tariq', 'Elijah', 'Nathan', 'Ethan', 'Anthony', 'Vincent', 'Dominic', 'Patrick',
] as const;

/** Index at which the male names start in FIRST_NAMES (the clinic's leads are mostly women, like most aesthetics clinics). */
export const MALE_FROM = FIRST_NAMES.indexOf('James');

export const LAST_NAMES = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez',
  'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson',
  'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright',
  'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell',
  'Mitchell', 'Carter', 'Roberts', 'Patel', 'Shah', 'Chen', 'Wang', 'Kim', 'Park', 'Tanaka', 'Cohen', 'Goldberg',
  'Schwartz', 'Rosen', "O'Brien", 'Murphy', 'Sullivan', 'Kelly', 'McCarthy', 'Russo', 'Romano', 'Esposito', 'DeLuca',
  'Rossi', 'Kowalski', 'Novak', 'Ivanova', 'Petrov', 'Okafor', 'Adeyemi', 'Mensah', 'Diallo', 'Haddad', 'Khalil',
  'Rahman', 'Singh', 'Gupta', 'Reyes', 'Cruz', 'Morales', 'Ortiz', 'Gutierrez', 'Castillo', 'Vargas', 'Mendoza',
  'Brooks', 'Price', 'Bennett', 'Hughes', 'Foster', 'Washington', 'Jefferson', 'Coleman', 'Jenkins', 'Fitzgerald',
] as const;

/** New York City and tri-state area codes. */
export const AREA_CODES = ['212', '646', '917', '332', '718', '347', '929', '516', '631', '914', '201', '973'] as const;

export const EMAIL_DOMAINS = ['gmail.com', 'gmail.com', 'gmail.com', 'yahoo.com', 'icloud.com', 'outlook.com', 'hotmail.com', 'aol.com', 'me.com'] as const;

/** Phones as people type them into web forms that no parser can make a dialable number of. */
export const BAD_PHONES = [
  '555-CALL',
  '12345',
  '1-800-GLOWING',
  '(000) 123-4567',
  '212-555-01',
  'call after 6pm',
  '+1 212 555',
  '0207 946 0958',
  '917 55 012',
] as const;

export interface ServiceInfo {
  /** Canonical service name (the lead's `services`). */
  name: string;
  /** How a lead says it. */
  say: string;
  /** How the agent says it. */
  agentSay: string;
  price: string;
  /** What a curious lead asks about it. */
  question: string;
  answer: string;
  weight: number;
}

export const SERVICES: ServiceInfo[] = [
  {
    name: 'Botox', say: 'Botox', agentSay: 'Botox', weight: 22,
    price: 'Botox is fourteen dollars a unit, and most forehead treatments use twenty to thirty units.',
    question: 'How long does Botox last?', answer: 'Usually three to four months, and it takes about a week to see the full result.',
  },
  {
    name: 'Dermal Fillers', say: 'dermal fillers', agentSay: 'dermal fillers', weight: 12,
    price: 'Dermal fillers start at seven hundred dollars per syringe.',
    question: 'Is there any downtime with fillers?', answer: 'Most people go straight back to work; some swelling for a day or two is normal.',
  },
  {
    name: 'Lip Filler', say: 'lip filler', agentSay: 'lip filler', weight: 11,
    price: 'Lip filler is six hundred fifty dollars for one syringe, and the touch-up at two weeks is included.',
    question: 'Will my lips look natural?', answer: 'Our injectors start conservative; half a syringe is very subtle.',
  },
  {
    name: 'Laser Hair Removal', say: 'laser hair removal', agentSay: 'laser hair removal', weight: 13,
    price: 'A package of six sessions for underarms and bikini line is nine hundred dollars, with a payment plan if you like.',
    question: 'How many sessions will I need?', answer: 'Six to eight sessions, four to six weeks apart, for most people.',
  },
  {
    name: 'HydraFacial', say: 'a HydraFacial', agentSay: 'the HydraFacial', weight: 11,
    price: 'The signature HydraFacial is one hundred ninety-nine dollars, and members pay one fifty-nine.',
    question: 'How long does a HydraFacial take?', answer: 'About forty-five minutes, with no downtime at all.',
  },
  {
    name: 'Chemical Peel', say: 'a chemical peel', agentSay: 'our chemical peels', weight: 7,
    price: 'Our chemical peels range from one hundred fifty to three hundred fifty dollars depending on depth.',
    question: 'Will I peel for days after a chemical peel?', answer: 'With a light peel, a little flaking for two or three days.',
  },
  {
    name: 'Microneedling', say: 'microneedling', agentSay: 'microneedling', weight: 9,
    price: 'Microneedling is three hundred fifty dollars a session, or nine hundred for a series of three.',
    question: 'Does microneedling work on acne scars?', answer: 'Yes, a series of three is the usual plan for texture and scarring.',
  },
  {
    name: 'CoolSculpting', say: 'CoolSculpting', agentSay: 'CoolSculpting', weight: 7,
    price: 'CoolSculpting is seven hundred fifty dollars per applicator, and most areas need two.',
    question: 'How soon would I see results from CoolSculpting?', answer: 'Most people see the change at six to eight weeks, with the full result at three months.',
  },
  {
    name: 'Consultation', say: 'a consultation', agentSay: 'a consultation', weight: 8,
    price: 'The consultation is free and takes about thirty minutes with one of our nurse injectors.',
    question: 'What happens at the consultation?', answer: 'We look at your goals, your skin and your budget, and put together a plan.',
  },
];

export type Line = ['agent' | 'lead', string];

export interface ScriptContext {
  first: string;
  svc: ServiceInfo;
  /** Two offered appointment slots, e.g. "Thursday at 4pm". */
  slots: [string, string];
}

export interface Script {
  id: string;
  tier: Tier;
  /** The lead books an appointment during the call. */
  books: boolean;
  /** Which of the two offered slots the lead takes (when it books). */
  takes?: 0 | 1;
  lines: (c: ScriptContext) => Line[];
  summary: (c: ScriptContext) => string;
}

const greeting = (c: ScriptContext) =>
  `Hi ${c.first}, this is Ava, the virtual assistant at Radiance Aesthetics. You asked about ${c.svc.agentSay} on our website. Is now a good time?`;
const followUp = (c: ScriptContext) =>
  `Hi ${c.first}, it's Ava from Radiance Aesthetics again, following up on ${c.svc.agentSay}. Do you have a minute?`;

/** Answered calls, by the tier the lead's own words should score in. */
export const SCRIPTS: Script[] = [
  // ---------------------------------------------------------------- hot
  {
    id: 'hot-first-time-this-week', tier: 'hot', books: true,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Yes, perfect timing! I've been wanting to try ${c.svc.say} for months.`],
      ['agent', `Wonderful. Have you had ${c.svc.agentSay} before, or would this be your first time?`],
      ['lead', 'First time. How much does it cost, and do you have anything soon? This week would be ideal.'],
      ['agent', `${c.svc.price} We have ${c.slots[0]} or ${c.slots[1]}.`],
      ['lead', `${cap(c.slots[0])} works great, please book me in. Thank you so much!`],
      ['agent', "You're booked. You'll get a text confirmation shortly, with our address and parking tips. See you then!"],
    ],
    summary: (c) => `First-time ${c.svc.name} lead asked about cost and booked ${c.slots[0]}. Very engaged.`,
  },
  {
    id: 'hot-event-asap', tier: 'hot', books: true, takes: 1,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Oh hi! Yes, I want ${c.svc.say} before my sister's wedding, so as soon as possible.`],
      ['agent', `Congratulations! There's enough time for ${c.svc.agentSay} to settle. Would you like our earliest appointment?`],
      ['lead', "Yes please. What's the price, and what's your first availability?"],
      ['agent', `${c.svc.price} The first openings are ${c.slots[0]} or ${c.slots[1]}.`],
      ['lead', `${cap(c.slots[1])} is perfect, book me in. I'm so excited!`],
      ['agent', "Done! You'll get a confirmation text in a minute."],
    ],
    summary: (c) => `Wants ${c.svc.name} before a family wedding; asked the price and booked ${c.slots[1]}.`,
  },
  {
    id: 'hot-returning-client', tier: 'hot', books: true,
    lines: (c) => [
      ['agent', followUp(c)],
      ['lead', `Hi Ava! Yes, I loved my last visit and I'm ready to come back for ${c.svc.say}.`],
      ['agent', 'So glad to hear that! Would you like the same provider as last time?'],
      ['lead', 'Yes, Dr. Chen was wonderful. Is there an opening soon?'],
      ['agent', `We have ${c.slots[0]}.`],
      ['lead', 'Great, I will take it. Thanks!'],
      ['agent', "You're all set. See you then."],
    ],
    summary: (c) => `Returning client, happy with her last visit; rebooked ${c.svc.name} with Dr. Chen for ${c.slots[0]}.`,
  },
  {
    id: 'hot-financing-earliest', tier: 'hot', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `I've been reading about ${c.svc.say}.`],
      ['agent', 'Great. Do you have any questions before we find a time?'],
      ['lead', "What's the earliest date? I need it done right away."],
      ['agent', `The earliest is ${c.slots[0]}. ${c.svc.price} We also offer financing through Cherry.`],
      ['lead', 'Okay. I need to check with work first. Can you text me the details?'],
      ['agent', "Of course, I'll text you the details and the booking link now."],
    ],
    summary: (c) => `Keen on ${c.svc.name} right away; offered the earliest slot (${c.slots[0]}). Checking with work, details sent by text.`,
  },
  {
    id: 'hot-callback-times', tier: 'hot', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Hi, yes! I definitely want ${c.svc.say}. I'm at work, so can you text me some times?`],
      ['agent', `Happy to. ${c.svc.price}`],
      ['lead', "That price is fine. Thanks, I'm excited to get started!"],
      ['agent', "I'll text you our next openings right after this call."],
    ],
    summary: (c) => `Keen ${c.svc.name} lead, at work; wants openings by text. Price accepted.`,
  },
  // ---------------------------------------------------------------- warm
  {
    id: 'warm-pricing-next-month', tier: 'warm', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', 'I have a couple of minutes.'],
      ['agent', `You were looking at ${c.svc.agentSay}. What would you like to know?`],
      ['lead', `What is the pricing for ${c.svc.say}?`],
      ['agent', c.svc.price],
      ['lead', 'Okay. I need to check my schedule first. Probably next month.'],
      ['agent', "No problem. I'll text you our booking link so you can pick a time that suits you."],
      ['lead', 'Okay, bye.'],
    ],
    summary: (c) => `Asked for ${c.svc.name} pricing; will check her schedule and look at next month. Booking link sent.`,
  },
  {
    id: 'warm-comparing-clinics', tier: 'warm', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Yes. I'm comparing a few places for ${c.svc.say}. How much do you charge?`],
      ['agent', c.svc.price],
      ['lead', c.svc.question],
      ['agent', c.svc.answer],
      ['lead', 'Alright. I will talk it over with my husband and get back to you.'],
      ['agent', "Of course. I'll send our price list by text so you have it."],
    ],
    summary: (c) => `Comparing clinics for ${c.svc.name}; asked the price and about results. Will decide with her husband.`,
  },
  {
    id: 'warm-later-package', tier: 'warm', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `I'm interested in ${c.svc.say}, but later in the spring. Do you have a package?`],
      ['agent', `${c.svc.price} We also run a spring special every April.`],
      ['lead', 'Okay. Send me the details when the special starts.'],
      ['agent', "Will do. I'll make a note to reach out in April."],
    ],
    summary: (c) => `${c.svc.name} interest for the spring; asked about packages. Follow up when the April special starts.`,
  },
  {
    id: 'warm-questions-only', tier: 'warm', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Yes, I had a few questions about ${c.svc.say}.`],
      ['agent', 'Sure, go ahead.'],
      ['lead', c.svc.question],
      ['agent', c.svc.answer],
      ['lead', 'And what does it cost?'],
      ['agent', c.svc.price],
      ['lead', "Okay. I'll look at my calendar and text you back."],
    ],
    summary: (c) => `Asked how ${c.svc.name} works and what it costs; will check her calendar and text back.`,
  },
  {
    id: 'warm-books-plain', tier: 'warm', books: true, takes: 1,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `I need to book ${c.svc.say}. What do you have?`],
      ['agent', `We have ${c.slots[0]} or ${c.slots[1]}.`],
      ['lead', 'The second one.'],
      ['agent', `You're booked for ${c.slots[1]}. ${c.svc.price}`],
      ['lead', 'Okay. Bye.'],
    ],
    summary: (c) => `Booked ${c.svc.name} for ${c.slots[1]}. Brief call, no questions.`,
  },
  {
    id: 'warm-books-after-questions', tier: 'warm', books: true,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `Hi. Yes, I was thinking about ${c.svc.say}.`],
      ['agent', 'What would you like to know?'],
      ['lead', c.svc.question],
      ['agent', c.svc.answer],
      ['lead', `Okay. Can I get an appointment on ${c.slots[0]}?`],
      ['agent', `Yes, ${c.slots[0]} is yours. You'll get a confirmation text.`],
    ],
    summary: (c) => `Asked about ${c.svc.name}, then booked ${c.slots[0]}.`,
  },
  // ---------------------------------------------------------------- cold
  {
    id: 'cold-too-expensive', tier: 'cold', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', 'Oh. I filled that form in a while ago.'],
      ['agent', `No problem. Are you still thinking about ${c.svc.agentSay}?`],
      ['lead', "Honestly it's too expensive for me right now."],
      ['agent', 'I understand. We do have a payment plan that spreads the cost over six months.'],
      ['lead', "Maybe next year. I'll think about it."],
      ['agent', "Of course. I'll leave it with you. Have a lovely day."],
    ],
    summary: (c) => `Former ${c.svc.name} enquiry; finds it too expensive right now. Maybe next year.`,
  },
  {
    id: 'cold-has-provider', tier: 'cold', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', 'Not really a good time.'],
      ['agent', "I'll be quick. Are you still interested in a treatment with us?"],
      ['lead', "I'm not interested anymore. I already have a provider."],
      ['agent', 'Understood, thank you for letting us know.'],
      ['lead', 'No thanks. Bye.'],
    ],
    summary: () => 'Not interested any more: already has a provider elsewhere.',
  },
  {
    id: 'cold-needles-someday', tier: 'cold', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', `I was just browsing prices. I'm scared of needles, to be honest.`],
      ['agent', `That's very common. We use numbing cream, and ${c.svc.answer.charAt(0).toLowerCase()}${c.svc.answer.slice(1)}`],
      ['lead', 'Maybe someday. Not right now.'],
      ['agent', "No pressure at all. We're here whenever you're ready."],
    ],
    summary: (c) => `Browsing ${c.svc.name} prices; nervous about needles. Not ready.`,
  },
  {
    id: 'cold-cant-afford', tier: 'cold', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', "Hi. I can't afford it at the moment, sorry."],
      ['agent', 'I understand. Would it help if I sent you our financing options?'],
      ['lead', "Not really. Maybe in a few months. I'm not sure."],
      ['agent', "That's fine. Take care."],
    ],
    summary: () => "Can't afford treatment at the moment; maybe in a few months.",
  },
  {
    id: 'cold-stop-calling', tier: 'cold', books: false,
    lines: (c) => [
      ['agent', greeting(c)],
      ['lead', "Please stop calling me. I'm not interested."],
      ['agent', "I'm sorry for the bother. I'll make sure you're not called again."],
      ['lead', 'Thanks.'],
    ],
    summary: () => 'Asked not to be called again. Not interested.',
  },
];

/** Voicemail left by the agent: the lead says nothing, so the score stays. */
export const voicemailLines = (c: ScriptContext): Line[] => [
  [
    'agent',
    `Hi ${c.first}, this is Ava from Radiance Aesthetics, returning your question about ${c.svc.agentSay}. ` +
      'Call us back at (212) 555-0100 or just reply to our text. Have a great day!',
  ],
];

export interface WebForm {
  tier: Tier;
  text: (svc: ServiceInfo) => string;
}

/** What leads write in the website's enquiry form: scored like their own words on a call. */
export const WEB_FORMS: WebForm[] = [
  { tier: 'hot', text: (s) => `I'd like to book ${s.say} this week if possible. How much is it? Thank you!` },
  { tier: 'hot', text: (s) => `Looking for ${s.say} asap before an event. What's your earliest availability? Love your reviews!` },
  { tier: 'hot', text: (s) => `Ready to start ${s.say}. Love your reviews!` },
  { tier: 'hot', text: (s) => `Can I get an appointment for ${s.say} this weekend? Happy to pay a deposit.` },
  { tier: 'hot', text: (s) => `I need ${s.say} as soon as possible. My sister had it done with you.` },
  { tier: 'warm', text: (s) => `Hi, what is the price for ${s.say}?` },
  { tier: 'warm', text: (s) => `Do you have any specials on ${s.say}?` },
  { tier: 'warm', text: (s) => `Could you send me pricing for ${s.say}? Maybe later in the year.` },
  { tier: 'warm', text: (s) => `Call me about ${s.say}. Evenings work for me.` },
  { tier: 'warm', text: (s) => `What's the availability for ${s.say} on Saturdays?` },
  { tier: 'warm', text: (s) => `Wondering about ${s.say}. Is there a payment plan?` },
  { tier: 'cold', text: (s) => `Just browsing prices for ${s.say}. Probably too expensive for me.` },
  { tier: 'cold', text: (s) => `Not sure yet about ${s.say}. It's probably out of my budget.` },
  { tier: 'cold', text: (s) => `How much is ${s.say}? Just looking, not ready yet.` },
  { tier: 'cold', text: () => 'Maybe someday. Not interested right now, no thanks.' },
  { tier: 'cold', text: (s) => `Scared of needles but curious about ${s.say}. Maybe in a few months.` },
];

export const NOTE_BODIES = [
  'Prefers texts over calls: works night shifts at Mount Sinai.',
  'Asked for Dr. Chen specifically.',
  'Allergic to lidocaine. Flag for the provider before any treatment.',
  'Referred by her sister, who is a current client.',
  'Wants pricing for a three-area Botox package.',
  'Has an event on the 14th and wants results by then.',
  'Interested in financing through Cherry.',
  'Spanish speaker: Sofia to follow up.',
  'Rescheduled twice. Confirm the day before.',
  'Came in for a HydraFacial last year; lapsed client.',
  'Asked whether her insurance covers anything (it does not). Explained self-pay.',
  'Only available on Saturdays.',
  'Pregnant: no injectables until after nursing. Follow up in six months.',
  'Price-shopping against SkinSpirit. Matched the membership rate.',
  'Very happy with results, may leave a Google review.',
  'Wants to bring a friend: offer the refer-a-friend credit.',
  'Left a voicemail, no reply yet.',
  'Has a consultation scheduled elsewhere too.',
] as const;

export const LOST_NOTES = [
  'Went with another clinic closer to work.',
  'Budget: not this year.',
  'No reply after three attempts.',
  'Asked us not to call again.',
  'Moved out of state.',
] as const;

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
