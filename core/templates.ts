/**
 * SMS templates: merge fields with fallbacks (`{first_name|there}`), parsing (an unknown field is named), rendering for
 * one lead (dates and times in the lead's zone, else the clinic's), and the segments a rendered text takes
 * (./segments.ts). Pure: the widget's composer and the server's campaigns share it.
 */
import { countSegments, type SegmentCount } from './segments.js';

export const MERGE_FIELDS = [
  'first_name',
  'name',
  'service',
  'appointment_time',
  'appointment_date',
  'clinic_name',
  'clinic_phone',
  'link',
] as const;
export type MergeField = (typeof MERGE_FIELDS)[number];

/** What each field is, for the composer's buttons and error messages. */
export const MERGE_FIELD_LABELS: Readonly<Record<MergeField, string>> = Object.freeze({
  first_name: 'First name',
  name: 'Full name',
  service: 'Service',
  appointment_time: 'Appointment time',
  appointment_date: 'Appointment date',
  clinic_name: 'Clinic name',
  clinic_phone: 'Clinic phone',
  link: 'Link',
});

/** A body longer than this many segments is refused: a campaign text should be a text, not a letter. */
export const MAX_CAMPAIGN_SEGMENTS = 10;

export interface TemplateToken {
  /** The whole token as written, braces included. */
  raw: string;
  field: string;
  fallback: string | null;
  start: number;
  end: number;
}

export interface ParsedTemplate {
  tokens: TemplateToken[];
  /** The known fields used, each once, in order of first use. */
  fields: MergeField[];
  /** Fields that are not merge fields, as written (lower-cased), each once. */
  unknown: string[];
}

// A token is `{name}` or `{name|fallback}`; a brace that opens no such token is plain text.
const TOKEN = /\{\s*([A-Za-z_][A-Za-z0-9_ ]{0,40}?)\s*(?:\|([^{}\n]{0,80}))?\}/g;

export const isMergeField = (s: string): s is MergeField => (MERGE_FIELDS as readonly string[]).includes(s);

export function parseTemplate(body: string): ParsedTemplate {
  const tokens: TemplateToken[] = [];
  const fields: MergeField[] = [];
  const unknown: string[] = [];
  for (const m of body.matchAll(TOKEN)) {
    const field = m[1]!.trim().toLowerCase();
    tokens.push({ raw: m[0], field, fallback: m[2] !== undefined ? m[2].trim() : null, start: m.index, end: m.index + m[0].length });
    if (isMergeField(field)) {
      if (!fields.includes(field)) fields.push(field);
    } else if (!unknown.includes(field)) {
      unknown.push(field);
    }
  }
  return { tokens, fields, unknown };
}

/** The message naming unknown fields, or null when every field is known. */
export function unknownFieldsMessage(parsed: ParsedTemplate): string | null {
  if (parsed.unknown.length === 0) return null;
  const named = parsed.unknown.map((f) => `{${f}}`).join(', ');
  return `Unknown merge field${parsed.unknown.length > 1 ? 's' : ''} ${named}. Use ${MERGE_FIELDS.map((f) => `{${f}}`).join(', ')}; add a fallback after a bar, e.g. {first_name|there}.`;
}

export type MergeValues = Partial<Record<MergeField, string | null>>;

/**
 * The text for one recipient: each field's value, else its fallback, else nothing. When a field renders empty, one
 * adjacent space goes with it ("your {service} appointment" without a service reads "your appointment").
 */
export function renderTemplate(body: string, values: MergeValues): string {
  const parsed = parseTemplate(body);
  let out = '';
  let at = 0;
  for (const t of parsed.tokens) {
    let before = body.slice(at, t.start);
    const value = isMergeField(t.field) ? values[t.field]?.trim() || t.fallback || '' : t.raw;
    let skipNextSpace = false;
    if (value === '') {
      if (before.endsWith(' ') && (body[t.end] === ' ' || /^[.,!?;:]/.test(body.slice(t.end)))) before = before.slice(0, -1);
      else if (body[t.end] === ' ' && (before === '' || before.endsWith('\n'))) skipNextSpace = true;
    }
    out += before + value;
    at = t.end + (skipNextSpace ? 1 : 0);
  }
  return out + body.slice(at);
}

/** A lead's first name: the first word of its name (the whole name for a single word). */
export function firstNameOf(name: string | null | undefined): string | null {
  const first = (name ?? '').trim().split(/\s+/)[0];
  return first ? first : null;
}

export interface MergeInput {
  lead: { name: string; services?: string[] };
  /** The lead's next appointment, if any. */
  appointment?: { scheduledAt: string | Date; serviceType?: string | null } | null;
  clinic: { name: string; phone?: string | null };
  link?: string | null;
  /** The zone appointment times are shown in (the lead's, else the clinic's: core/quiet-hours.ts sendZone). */
  timeZone: string;
}

export function formatAppointmentTime(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, hour: 'numeric', minute: '2-digit' }).format(at);
}

export function formatAppointmentDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'long', month: 'long', day: 'numeric' }).format(at);
}

/** The merge values of one lead. */
export function mergeValuesFor(input: MergeInput): MergeValues {
  const at = input.appointment ? new Date(input.appointment.scheduledAt) : null;
  const valid = at !== null && Number.isFinite(at.getTime());
  return {
    first_name: firstNameOf(input.lead.name),
    name: input.lead.name.trim() || null,
    service: input.appointment?.serviceType?.trim() || input.lead.services?.[0] || null,
    appointment_time: valid ? formatAppointmentTime(at, input.timeZone) : null,
    appointment_date: valid ? formatAppointmentDate(at, input.timeZone) : null,
    clinic_name: input.clinic.name,
    clinic_phone: input.clinic.phone ?? null,
    link: input.link ?? null,
  };
}

/** Characters, encoding and segments of a rendered text. */
export const segmentInfo = (text: string): SegmentCount => countSegments(text);

export interface SegmentRange {
  min: number;
  max: number;
  /** Set when recipients' texts take different numbers of segments (long names, services). */
  warning: string | null;
}

export function segmentRange(counts: number[]): SegmentRange {
  if (counts.length === 0) return { min: 0, max: 0, warning: null };
  let min = Infinity;
  let max = 0;
  for (const c of counts) {
    if (c < min) min = c;
    if (c > max) max = c;
  }
  const warning = min === max ? null : `Some recipients' texts are longer than others: ${min} to ${max} segments each (long names or services). Each segment is billed.`;
  return { min, max, warning };
}

export interface BuiltInTemplate {
  id: string;
  name: string;
  body: string;
  builtIn: true;
}

/** The guide's three campaigns (Leads page guide, "SMS Campaign Strategies"), in our own words. */
export const BUILT_IN_TEMPLATES: readonly BuiltInTemplate[] = Object.freeze([
  {
    id: 'builtin-re-engagement',
    name: 'Re-engagement',
    body: "Hi {first_name|there}! We've missed you at {clinic_name}. We have a special offer waiting for you - reply to this text or call {clinic_phone} to hear about it.",
    builtIn: true,
  },
  {
    id: 'builtin-appointment-reminder',
    name: 'Appointment reminder',
    body: 'Hi {first_name|there}! Reminder: your {service} appointment is tomorrow at {appointment_time}. Reply YES to confirm, or call {clinic_phone} to change it.',
    builtIn: true,
  },
  {
    id: 'builtin-follow-up',
    name: 'Follow-up after a call',
    body: "Hi {first_name|there}! Thanks for talking with us at {clinic_name}. Here's the info we discussed: {link}. Any questions, just reply to this text!",
    builtIn: true,
  },
]);

export const isBuiltInTemplateId = (id: string): boolean => BUILT_IN_TEMPLATES.some((t) => t.id === id);
