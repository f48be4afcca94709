/**
 * The demo clinic's data: ~300 leads of "Radiance Aesthetics" (New York) with call histories, appointments, notes and
 * timelines, generated deterministically from a seeded PRNG (same content on every run; dates relative to `now`).
 *
 * Decisions:
 * - Every score is what the product's own scoring (server/src/scoring) gives for the lead's own words: the last answered
 *   call's transcript, or, for a lead never reached, the message the lead wrote in the website's enquiry form (a
 *   breakdown with callId null). So the board's "why hot" is real for every lead, and a call in the demo re-scores from
 *   there. Scripts are picked per lead until the score lands in the planned tier.
 * - Tiers and statuses follow an exact plan (PLAN below): 60 hot, 135 warm, 105 cold; 105 new, 60 contacted, 45 qualified,
 *   36 booked, 24 converted, 30 lost. Hot leads are never lost; booked and converted leads are never cold.
 * - 120 leads have 1-3 past calls. New leads were never reached (lastContactAt null): a few have unanswered attempts
 *   (voicemail, no answer: lastAttemptAt only). Answered calls move new to contacted, as the product does.
 * - Valid phones are fictional 555-01xx numbers in NYC-area codes (never a real subscriber), typed in mixed formats and
 *   stored the way the API stores them (normalisePhone: E.164 + digits). Nine are unparseable (phoneValid false).
 * - _ids are derived from the PRNG (salted with the org id), so the board's _id tie-break is stable between runs.
 */
import { ObjectId, type Db } from 'mongodb';
import { tierOf } from '../core/tiers.js';
import { type CallMessage, type LeadEvent, type LeadStatus, type ScoreBreakdown, type Tier, type AppointmentStatus } from '../core/contracts.js';
import { COLLECTIONS } from '../server/src/db/indexes.js';
import { derivedFieldsOf, type ContactDoc } from '../server/src/leads/repository.js';
import type { CallDoc } from '../server/src/calls/repository.js';
import { normalisePhone } from '../server/src/leads/phone.js';
import { scoreConversation } from '../server/src/scoring/score.js';
import { DEFAULT_KEYWORD_SETTINGS } from '../server/src/scoring/keywords.js';
import {
  AREA_CODES, BAD_PHONES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES, LOST_NOTES, MALE_FROM, NOTE_BODIES, SCRIPTS, SERVICES, WEB_FORMS,
  voicemailLines, type Line, type Script, type ScriptContext, type ServiceInfo,
} from './seed-text.js';
import { DEMO_CLINIC, STAFF } from './users.js';

import type { AppointmentDoc, LeadEventDoc, NoteDoc } from '../server/src/leads/timeline-repository.js';

export type { AppointmentDoc, LeadEventDoc, NoteDoc };

export interface DemoData {
  contacts: ContactDoc[];
  calls: CallDoc[];
  events: LeadEventDoc[];
  notes: NoteDoc[];
  appointments: AppointmentDoc[];
}

export interface SeedOptions {
  now?: Date;
}

const SEED = 0x5eed_2024;
const DAY = 86_400_000;
const HOUR = 3_600_000;
const MIN = 60_000;

/** [status, hot, warm, cold]: how many leads of each status land in each tier (totals 60 / 135 / 105 = 300). */
const PLAN: Array<[LeadStatus, number, number, number]> = [
  ['new', 15, 45, 45],
  ['contacted', 10, 28, 22],
  ['qualified', 12, 25, 8],
  ['booked', 14, 22, 0],
  ['converted', 9, 15, 0],
  ['lost', 0, 0, 30],
];

/** How many leads of each status have a call history (120 in all; the new ones only unanswered attempts). */
const WITH_CALLS: Record<LeadStatus, number> = { new: 10, contacted: 40, qualified: 30, booked: 20, converted: 10, lost: 10 };

const SYSTEM_AI = { id: 'system:ai-agent', name: 'AI agent' };
const CRM_IMPORT = { id: 'system:crm', name: 'Clinic CRM' };

// ------------------------------------------------------------------------------------------------ PRNG

/** mulberry32: small, fast, good enough for demo data, and the same on every platform. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const chance = (p: number) => next() < p;
  const shuffle = <T>(list: T[]): T[] => {
    for (let i = list.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [list[i], list[j]] = [list[j]!, list[i]!];
    }
    return list;
  };
  const weighted = <T extends { weight: number }>(list: readonly T[]): T => {
    let r = next() * list.reduce((s, x) => s + x.weight, 0);
    for (const x of list) if ((r -= x.weight) < 0) return x;
    return list[list.length - 1]!;
  };
  return { next, int, pick, chance, shuffle, weighted };
}
type Rng = ReturnType<typeof prng>;

function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of s) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** An ObjectId whose time part is `at` and whose rest comes from the id PRNG (deterministic, unique per org). */
function idFactory(orgId: string) {
  const r = prng(hashString(orgId) ^ SEED);
  const seen = new Set<string>();
  return (at: Date): ObjectId => {
    for (;;) {
      const time = Math.max(0, Math.floor(at.getTime() / 1000)).toString(16).padStart(8, '0').slice(-8);
      let rest = '';
      for (let i = 0; i < 4; i++) rest += Math.floor(r.next() * 0x10000).toString(16).padStart(4, '0');
      const hex = time + rest;
      if (!seen.has(hex)) {
        seen.add(hex);
        return new ObjectId(hex);
      }
    }
  };
}

// ------------------------------------------------------------------------------------------------ time helpers

/** UTC instant of a wall-clock time in the clinic's time zone. */
function clinicTime(day: Date, hour: number, minute: number): Date {
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: DEMO_CLINIC.timezone, year: 'numeric', month: 'numeric', day: 'numeric' });
  const parts = Object.fromEntries(fmt.formatToParts(day).map((p) => [p.type, p.value]));
  const guess = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), hour, minute);
  const offset = tzOffsetMs(new Date(guess));
  return new Date(guess - offset);
}

function tzOffsetMs(at: Date): number {
  const fmt = new Intl.DateTimeFormat('en-US', {
    timeZone: DEMO_CLINIC.timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const p = Object.fromEntries(fmt.formatToParts(at).map((x) => [x.type, x.value]));
  const asUtc = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second));
  return asUtc - Math.floor(at.getTime() / 1000) * 1000;
}

const slotFmt = new Intl.DateTimeFormat('en-US', { timeZone: DEMO_CLINIC.timezone, weekday: 'long', hour: 'numeric', minute: '2-digit' });
const apptFmt = new Intl.DateTimeFormat('en-US', { timeZone: DEMO_CLINIC.timezone, month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const weekdayOf = (d: Date) => new Intl.DateTimeFormat('en-US', { timeZone: DEMO_CLINIC.timezone, weekday: 'short' }).format(d);

/** "Thursday at 4:00 PM" -> "Thursday at 4pm". */
function slotLabel(d: Date): string {
  const s = slotFmt.format(d); // "Thursday 4:00 PM"
  const m = /^(\w+),? (\d+):(\d+) (AM|PM)$/.exec(s);
  if (!m) return s;
  return `${m[1]} at ${m[2]}${m[3] === '00' ? '' : `:${m[3]}`}${m[4]!.toLowerCase()}`;
}

/** A clinic opening (Mon-Sat, 9am-6pm) on the day `daysFrom` days after `from`, moved off Sundays. */
function openingAfter(r: Rng, from: Date, daysFrom: number): Date {
  let day = new Date(from.getTime() + daysFrom * DAY);
  if (weekdayOf(day) === 'Sun') day = new Date(day.getTime() + DAY);
  return clinicTime(day, r.int(9, 17), r.pick([0, 0, 15, 30, 45]));
}

/** A plausible moment for staff or the AI agent to be working: a weekday or Saturday, 9am-7pm clinic time, before `max`. */
function workingMoment(r: Rng, min: Date, max: Date): Date {
  const span = max.getTime() - min.getTime();
  if (span <= 0) return new Date(min.getTime());
  if (span <= 2 * HOUR) return new Date(min.getTime() + Math.floor(r.next() * Math.max(span, 1)));
  for (let i = 0; i < 10; i++) {
    const day = new Date(min.getTime() + r.next() * span);
    const t = clinicTime(day, r.int(9, 18), r.int(0, 59));
    if (t > min && t < max && weekdayOf(t) !== 'Sun') return t;
  }
  return new Date(min.getTime() + Math.floor(r.next() * span));
}

// ------------------------------------------------------------------------------------------------ people

function phoneFormats(r: Rng, area: string, line: string): string {
  const n = `${area}555${line}`;
  switch (r.int(0, 6)) {
    case 0:
    case 1:
      return `+1${n}`;
    case 2:
    case 3:
      return `(${area}) 555-${line}`;
    case 4:
      return `${area}.555.${line}`;
    case 5:
      return `${area}-555-${line}`;
    default:
      return `+1 ${area} 555 ${line}`;
  }
}

function emailFor(r: Rng, first: string, last: string): string | null {
  if (r.chance(0.07)) return null;
  const f = first.toLowerCase().replace(/[^a-z]/g, '');
  const l = last.toLowerCase().replace(/[^a-z]/g, '');
  const local = r.pick([`${f}.${l}`, `${f}${l}`, `${f[0]}${l}`, `${f}.${l}${r.int(1, 99)}`, `${f}_${l}`, `${l}.${f}`]);
  return `${local}@${r.pick(EMAIL_DOMAINS)}`;
}

// ------------------------------------------------------------------------------------------------ scoring

const toTranscriptLines = (lines: Line[]) => lines.map(([role, text]) => ({ role, text }));

function score(lines: Line[], at: Date, callId: string | null): ScoreBreakdown {
  const b = scoreConversation(toTranscriptLines(lines), DEFAULT_KEYWORD_SETTINGS, { callId, now: at });
  if (!b) throw new Error('seed: a scored conversation must contain the lead speaking');
  return b;
}

/** The first of the candidates (in PRNG order) whose score lands in `tier`. */
function scriptFor(r: Rng, tier: Tier, books: boolean | null, ctx: ScriptContext): Script {
  const preferred = r.shuffle(SCRIPTS.filter((s) => s.tier === tier && (books === null || s.books === books)));
  const fallback = r.shuffle(SCRIPTS.filter((s) => s.tier === tier));
  for (const s of [...preferred, ...fallback]) {
    const b = scoreConversation(toTranscriptLines(s.lines(ctx)), DEFAULT_KEYWORD_SETTINGS);
    if (b && tierOf(b.score) === tier) return s;
  }
  throw new Error(`seed: no ${tier} script scores in its tier for ${ctx.svc.name}`);
}

function webFormFor(r: Rng, tier: Tier, svc: ServiceInfo): string {
  for (const f of r.shuffle(WEB_FORMS.filter((w) => w.tier === tier))) {
    const text = f.text(svc);
    const b = scoreConversation([{ role: 'lead', text }], DEFAULT_KEYWORD_SETTINGS);
    if (b && tierOf(b.score) === tier) return text;
  }
  throw new Error(`seed: no ${tier} web form scores in its tier for ${svc.name}`);
}

// ------------------------------------------------------------------------------------------------ the generator

interface Plan {
  status: LeadStatus;
  tier: Tier;
  calls: boolean;
}

function plans(r: Rng): Plan[] {
  const out: Plan[] = [];
  for (const [status, hot, warm, cold] of PLAN) {
    const tiers: Tier[] = [...Array<Tier>(hot).fill('hot'), ...Array<Tier>(warm).fill('warm'), ...Array<Tier>(cold).fill('cold')];
    r.shuffle(tiers);
    tiers.forEach((tier, i) => out.push({ status, tier, calls: i < WITH_CALLS[status] }));
  }
  return r.shuffle(out);
}

/** The path a lead took to its status (lost: from where). */
function pathTo(r: Rng, status: LeadStatus, everContacted: boolean): { path: LeadStatus[]; lostFrom: LeadStatus | null } {
  const forward: LeadStatus[] = ['new', 'contacted', 'qualified', 'booked', 'converted'];
  if (status !== 'lost') return { path: forward.slice(0, forward.indexOf(status) + 1), lostFrom: null };
  const lostFrom: LeadStatus = everContacted ? r.pick<LeadStatus>(['contacted', 'contacted', 'contacted', 'qualified', 'qualified', 'booked']) : 'new';
  return { path: [...forward.slice(0, forward.indexOf(lostFrom) + 1), 'lost'], lostFrom };
}

/** Generates the whole demo data set for one organisation (pure: no I/O). */
export function generateDemoData(orgId: string, now: Date = new Date()): DemoData {
  const r = prng(SEED);
  const newId = idFactory(orgId);
  const data: DemoData = { contacts: [], calls: [], events: [], notes: [], appointments: [] };
  const usedNames = new Set<string>();
  const usedLines = new Set<string>();
  const badPhoneAt = new Set<number>();
  const planList = plans(r);
  // Unparseable phones go to leads without calls (a bad number cannot have been dialled).
  const noCallIdx = planList.map((p, i) => (p.calls ? -1 : i)).filter((i) => i >= 0);
  r.shuffle(noCallIdx).slice(0, BAD_PHONES.length).forEach((i) => badPhoneAt.add(i));
  let badPhoneNext = 0;
  let apptSeq = 4000;
  const optOutLeft = { n: 4 };

  planList.forEach((plan, index) => {
    const event = (contactId: string, e: Omit<LeadEventDoc, '_id' | 'orgId' | 'contactId'>) =>
      data.events.push({ _id: newId(e.at), orgId, contactId, ...e });

    // --- who
    let first: string;
    let last: string;
    do {
      first = r.chance(0.86) ? FIRST_NAMES[r.int(0, MALE_FROM - 1)]! : FIRST_NAMES[r.int(MALE_FROM, FIRST_NAMES.length - 1)]!;
      last = r.pick(LAST_NAMES);
    } while (usedNames.has(`${first} ${last}`));
    usedNames.add(`${first} ${last}`);
    const name = r.chance(0.03) ? `${first} ${last}-${r.pick(LAST_NAMES)}` : `${first} ${last}`;

    let rawPhone: string;
    if (badPhoneAt.has(index)) {
      rawPhone = BAD_PHONES[badPhoneNext++]!;
    } else {
      let area: string;
      let line: string;
      do {
        area = r.pick(AREA_CODES);
        line = `01${String(r.int(0, 99)).padStart(2, '0')}`;
      } while (usedLines.has(area + line) || (area === '212' && line === '0100'));
      usedLines.add(area + line);
      rawPhone = phoneFormats(r, area, line);
    }
    const phone = normalisePhone(rawPhone, DEMO_CLINIC.defaultCountry);

    const svc = r.weighted(SERVICES);
    const services = [svc.name];
    if (r.chance(0.22)) {
      const extra = r.weighted(SERVICES);
      if (!services.includes(extra.name)) services.push(extra.name);
    }

    // --- when: new leads are recent, later statuses older
    const ageDays =
      plan.status === 'new' ? (plan.calls ? 2 + r.next() * 10 : r.next() * r.pick([2, 7, 21])) : plan.status === 'converted'
          ? 25 + r.next() * 65
          : plan.status === 'booked'
            ? 2 + r.next() * 12
            : 3 + r.next() * 85;
    const createdAt = new Date(Math.floor((now.getTime() - ageDays * DAY - r.int(5, 600) * MIN) / 1000) * 1000);
    const contactOid = newId(createdAt);
    const contactId = contactOid.toHexString();
    const externalId = `RA-${10400 + index}`;

    event(contactId, { type: 'created', from: null, to: 'new', actor: CRM_IMPORT, detail: 'Website enquiry form', at: createdAt });

    // --- the enquiry form: the first score
    const formTier: Tier = plan.calls && plan.status !== 'new' ? r.pick<Tier>(['hot', 'warm', 'warm', 'cold']) : plan.tier;
    const formAt = new Date(createdAt.getTime() + 1000);
    let breakdown = score([['lead', webFormFor(r, formTier, svc)]], formAt, null);
    event(contactId, { type: 'scored', from: null, to: String(breakdown.score), actor: SYSTEM_AI, detail: 'Scored from the enquiry form', at: formAt });

    // --- what happened: calls and touches
    const { path, lostFrom } = pathTo(r, plan.status, plan.status !== 'new' && (plan.calls || r.chance(0.8)));
    const everContacted = path.includes('contacted');
    const callCount = plan.calls ? r.int(1, 3) : 0;
    let cursor = new Date(createdAt.getTime() + r.int(20, 240) * MIN);
    const horizon = new Date(now.getTime() - 20 * MIN);
    const stepGap = () => Math.max(MIN, Math.min((horizon.getTime() - cursor.getTime()) / 4, r.int(4, 72) * HOUR));
    let lastContactAt: Date | null = null;
    let lastAttemptAt: Date | null = null;
    let status = 'new' as LeadStatus;
    // Openings offered on a call: a few days after it (booked leads' appointments are still ahead of `now`).
    const openingsFrom = (t: Date): [Date, Date] => {
      const from = plan.status === 'booked' && t < now ? now : t;
      const a = openingAfter(r, from, r.int(1, 3));
      let b = openingAfter(r, from, r.int(2, 6));
      if (b.getTime() === a.getTime()) b = new Date(b.getTime() + DAY);
      return a < b ? [a, b] : [b, a];
    };
    const staff = () => r.pick(STAFF);
    const statusChange = (to: LeadStatus, at: Date, actor: { id: string; name: string }, detail: string | null = null) => {
      event(contactId, { type: 'status_changed', from: status, to, actor, detail, at });
      status = to;
    };
    let bookedDuringCall: { at: Date; slot: Date } | null = null;

    for (let c = 0; c < callCount; c++) {
      const isLast = c === callCount - 1;
      const answered = plan.status === 'new' ? false : isLast ? true : r.chance(0.4);
      const placedAt = workingMoment(r, cursor, new Date(Math.max(cursor.getTime() + HOUR, cursor.getTime() + stepGap())));
      if (placedAt >= horizon) break;
      const callOid = newId(placedAt);
      const callId = callOid.toHexString();
      const placer = staff();
      const openings = openingsFrom(placedAt);
      const ctx: ScriptContext = { first, svc, slots: [slotLabel(openings[0]), slotLabel(openings[1])] };
      const scoreBefore = breakdown.score;
      event(contactId, { type: 'call', from: null, to: 'queued', actor: placer, detail: 'Call started', at: placedAt });
      let doc: CallDoc;
      const ringSec = r.int(6, 22);
      const startedAt = new Date(placedAt.getTime() + ringSec * 1000);
      if (answered) {
        const tier = isLast ? plan.tier : r.pick<Tier>(['warm', 'warm', 'cold']);
        const books = isLast ? plan.status === 'booked' || plan.status === 'converted' : false;
        const script = scriptFor(r, tier, isLast && !books ? false : books, ctx);
        const lines = script.lines(ctx);
        const { messages, durationSec } = timeLines(r, lines, startedAt);
        const endedAt = new Date(startedAt.getTime() + durationSec * 1000);
        breakdown = score(lines, endedAt, callId);
        if (script.books && isLast) bookedDuringCall = { at: endedAt, slot: openings[script.takes ?? 0] };
        doc = callDoc(callOid, orgId, contactId, {
          status: 'ended', endedReason: r.pick(['customer-ended-call', 'assistant-ended-call']), startedAt, endedAt, durationSec,
          transcript: transcriptOf(messages), messages, summary: script.summary(ctx), scoreBefore, scoreAfter: breakdown.score,
          createdBy: placer.id, createdAt: placedAt,
        });
        event(contactId, { type: 'call', from: null, to: 'ended', actor: SYSTEM_AI, detail: `Call answered (${durationSec}s)`, at: endedAt });
        event(contactId, { type: 'scored', from: String(scoreBefore), to: String(breakdown.score), actor: SYSTEM_AI, detail: null, at: endedAt });
        if (status === 'new') statusChange('contacted', endedAt, SYSTEM_AI, 'First answered call');
        lastContactAt = endedAt;
        lastAttemptAt = placedAt;
        cursor = endedAt;
      } else {
        const voicemail = r.chance(0.55);
        const lines = voicemail ? voicemailLines(ctx) : [];
        const { messages, durationSec } = voicemail ? timeLines(r, lines, startedAt) : { messages: [], durationSec: 0 };
        const endedAt = voicemail ? new Date(startedAt.getTime() + durationSec * 1000) : new Date(placedAt.getTime() + r.int(25, 40) * 1000);
        doc = callDoc(callOid, orgId, contactId, {
          status: 'ended', endedReason: voicemail ? 'voicemail' : 'customer-did-not-answer', startedAt: voicemail ? startedAt : null, endedAt,
          durationSec: voicemail ? durationSec : null, transcript: voicemail ? transcriptOf(messages) : null, messages,
          summary: voicemail ? `Left a voicemail about ${svc.name} with the clinic's number.` : null, scoreBefore, scoreAfter: scoreBefore,
          createdBy: placer.id, createdAt: placedAt,
        });
        event(contactId, { type: 'call', from: null, to: 'ended', actor: SYSTEM_AI, detail: `Call not answered (${voicemail ? 'voicemail' : 'customer-did-not-answer'})`, at: endedAt });
        lastAttemptAt = placedAt;
        cursor = endedAt;
      }
      data.calls.push(doc);
    }

    // --- the score: a lead never reached on a call keeps the enquiry form's score (planned tier)
    if (tierOf(breakdown.score) !== plan.tier) {
      // The plan's tier wins: an unanswered history means the enquiry form is the last word.
      breakdown = score([['lead', webFormFor(r, plan.tier, svc)]], formAt, null);
    }

    // --- the rest of the path, by staff
    for (const step of path.slice(1)) {
      if (step === status) continue;
      if (step === 'contacted' && status !== 'new') continue;
      if (step === 'lost' || step === 'converted') break; // handled below, with the appointment and the loss
      if (step === 'qualified' && bookedDuringCall) continue; // booked straight from the call (a forward skip)
      const at = workingMoment(r, cursor, new Date(Math.min(horizon.getTime(), cursor.getTime() + stepGap() + HOUR)));
      if (step === 'contacted') {
        statusChange('contacted', at, staff(), null);
        lastContactAt = at;
      } else if (step === 'booked') {
        const when = bookedDuringCall?.at ?? at;
        statusChange('booked', when, bookedDuringCall ? SYSTEM_AI : staff(), bookedDuringCall ? 'Booked on the call' : null);
        if (!bookedDuringCall) lastContactAt = at;
      } else {
        statusChange(step, at, staff(), null);
        if (step === 'qualified') lastContactAt = at;
      }
      cursor = new Date(Math.max(cursor.getTime(), status === 'booked' && bookedDuringCall ? bookedDuringCall.at.getTime() : at.getTime()));
    }

    // --- appointments
    const apptService = svc.name === 'Consultation' && services[1] ? services[1] : svc.name;
    const pushAppointment = (at: Date, apptStatus: AppointmentStatus, bookedAt: Date) => {
      const changedAt = apptStatus === 'scheduled' ? bookedAt : new Date(Math.min(horizon.getTime(), Math.max(bookedAt.getTime(), at.getTime() + HOUR)));
      data.appointments.push({
        _id: newId(bookedAt), orgId, contactId, externalId: `RA-APT-${apptSeq++}`, serviceType: apptService, scheduledAt: at, status: apptStatus, updatedAt: changedAt,
      });
      event(contactId, { type: 'appointment', from: null, to: apptStatus, actor: bookedDuringCall && bookedAt === bookedDuringCall.at ? SYSTEM_AI : staff(), detail: `${apptService} on ${apptFmt.format(at)}`, at: changedAt });
    };
    if (status === 'booked') {
      const bookedAt = bookedDuringCall?.at ?? cursor;
      let at = bookedDuringCall?.slot ?? openingAfter(r, now, r.int(1, 21));
      if (plan.status === 'converted') {
        // The treatment happened, in clinic hours, after the booking and before today.
        if (at >= horizon) at = openingAfter(r, new Date(now.getTime() - r.int(2, 9) * DAY), 0);
        if (at <= bookedAt) at = openingAfter(r, bookedAt, 1);
        pushAppointment(at, 'completed', bookedAt);
        statusChange('converted', new Date(Math.min(horizon.getTime(), at.getTime() + r.int(60, 120) * MIN)), staff(), null);
        lastContactAt = new Date(Math.min(horizon.getTime(), at.getTime() + r.int(0, 45) * MIN));
        if (r.chance(0.4)) pushAppointment(openingAfter(r, now, r.int(10, 60)), 'scheduled', lastContactAt);
      } else if (plan.status === 'lost') {
        pushAppointment(at, 'cancelled', bookedAt);
      } else {
        if (at <= now) at = openingAfter(r, now, r.int(1, 14));
        if (r.chance(0.15)) pushAppointment(openingAfter(r, new Date(Math.max(createdAt.getTime(), now.getTime() - 12 * DAY)), 0), 'cancelled', createdAt);
        pushAppointment(at, 'scheduled', bookedAt);
      }
    }

    // --- lost
    let lostBy: string | null = null;
    let lostAt: Date | null = null;
    if (plan.status === 'lost') {
      const who = staff();
      lostAt = workingMoment(r, cursor, new Date(Math.min(horizon.getTime(), cursor.getTime() + stepGap() + HOUR)));
      statusChange('lost', lostAt, who, null);
      lostBy = who.id;
      const noteAt = new Date(lostAt.getTime() + MIN);
      const body = r.pick(LOST_NOTES);
      data.notes.push({ _id: newId(noteAt), orgId, contactId, body, authorId: who.id, authorName: who.name, createdAt: noteAt });
      event(contactId, { type: 'note_added', from: null, to: null, actor: who, detail: null, at: noteAt });
    }

    // --- notes
    if (r.chance(0.14)) {
      const who = staff();
      const at = workingMoment(r, createdAt, horizon);
      data.notes.push({ _id: newId(at), orgId, contactId, body: r.pick(NOTE_BODIES), authorId: who.id, authorName: who.name, createdAt: at });
      event(contactId, { type: 'note_added', from: null, to: null, actor: who, detail: null, at });
    }

    // --- opt-outs: a few cold leads replied STOP to a text
    let smsOptOut: ContactDoc['smsOptOut'] = null;
    if (plan.tier === 'cold' && everContacted && phone.valid && optOutLeft.n > 0 && r.chance(0.2)) {
      optOutLeft.n--;
      const at = workingMoment(r, createdAt, horizon);
      smsOptOut = { at, source: 'inbound-stop' };
      event(contactId, { type: 'opted_out', from: null, to: null, actor: null, detail: 'inbound-stop', at });
    }

    const updatedAt = new Date(Math.max(...data.events.filter((e) => e.contactId === contactId).map((e) => e.at.getTime())));
    data.contacts.push({
      _id: contactOid,
      orgId,
      name,
      nameLower: name.toLowerCase(),
      phone: phone.phone,
      phoneDigits: phone.digits,
      phoneValid: phone.valid,
      email: emailFor(r, first, last),
      services: [...new Set([...services, ...breakdown.services])],
      leadScore: breakdown.score,
      leadStatus: status,
      lastContactAt: everContacted ? lastContactAt : null,
      lastAttemptAt,
      scoreBreakdown: breakdown,
      smsOptOut,
      consent: { sms: smsOptOut === null, calls: true, source: 'Website enquiry form', at: createdAt.toISOString() },
      externalId,
      timezone: phone.valid ? DEMO_CLINIC.timezone : null,
      lostFrom,
      lostBy,
      lostAt,
      activeCallId: null,
      createdAt,
      updatedAt,
      version: 1 + data.events.filter((e) => e.contactId === contactId && e.type !== 'created').length,
    });
  });
  return data;
}

function timeLines(r: Rng, lines: Line[], startedAt: Date): { messages: CallMessage[]; durationSec: number } {
  let t = startedAt.getTime() + 1000;
  const messages: CallMessage[] = [];
  for (const [role, text] of lines) {
    messages.push({ role, text, at: new Date(t).toISOString() });
    const words = text.split(/\s+/).length;
    t += Math.round((words / 2.6) * 1000) + r.int(600, 2200);
  }
  return { messages, durationSec: Math.round((t - startedAt.getTime()) / 1000) + r.int(1, 4) };
}

function transcriptOf(messages: CallMessage[]): string {
  return messages.map((m) => `${m.role === 'agent' ? 'AI' : 'User'}: ${m.text}`).join('\n');
}

function callDoc(
  _id: ObjectId,
  orgId: string,
  contactId: string,
  c: Pick<CallDoc, 'status' | 'endedReason' | 'startedAt' | 'endedAt' | 'durationSec' | 'transcript' | 'messages' | 'summary' | 'scoreBefore' | 'scoreAfter' | 'createdBy' | 'createdAt'>,
): CallDoc {
  return {
    _id,
    orgId,
    contactId,
    // The seeded history never came from this server's Vapi: a recognisable id that no webhook will ever match.
    vapiCallId: `seed-${_id.toHexString()}`,
    recordingUrl: null,
    error: null,
    updatedAt: c.endedAt ?? c.createdAt,
    ...c,
  };
}

/**
 * Writes the demo data set for `orgId` (bulk inserts, unordered). Call it once per organisation: it does not look for
 * existing leads (demo/start.ts checks before seeding).
 */
export async function seedDemo(db: Db, orgId: string, opts: SeedOptions = {}): Promise<{ leads: number; calls: number }> {
  const now = opts.now ?? new Date();
  const data = generateDemoData(orgId, now);
  // The fields the API derives on every write (docs/api.md, priority views): next/last appointment, then view entries.
  for (const contact of data.contacts) {
    const scheduled = data.appointments.filter((a) => a.contactId === contact._id.toHexString() && a.status === 'scheduled').map((a) => a.scheduledAt.getTime());
    const next = scheduled.filter((t) => t > now.getTime()).sort((x, y) => x - y)[0];
    contact.nextAppointmentAt = next !== undefined ? new Date(next) : null;
    contact.lastAppointmentAt = scheduled.length ? new Date(Math.max(...scheduled)) : null;
    Object.assign(contact, derivedFieldsOf(contact));
  }
  const write = async <T extends { _id: ObjectId }>(name: string, docs: T[]) => {
    if (docs.length) await db.collection<T>(name).insertMany(docs as never, { ordered: false });
  };
  await write(COLLECTIONS.contacts, data.contacts);
  await write(COLLECTIONS.calls, data.calls);
  await write(COLLECTIONS.appointments, data.appointments);
  await write(COLLECTIONS.notes, data.notes);
  await write(COLLECTIONS.leadEvents, data.events);
  return { leads: data.contacts.length, calls: data.calls.length };
}
