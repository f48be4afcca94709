/**
 * The SMS templates and campaigns routes of the in-memory test backend (fixtures.ts FakeBackend), following DESIGN.md
 * "Working the list" closely enough for the widget: drafts with counts and exclusions, unknown merge fields named in a
 * 400, previews with segments, the 50-recipient rule for agents, start / pause / resume / cancel and the recipients CSV.
 * Tests drive sending by hand with `progress()`.
 */
import type { Lead } from '../../../core/contracts.js';
import { countSegments } from '../../../core/segments.js';
import type { Campaign, CampaignAudience, CampaignInput, SmsTemplate } from '../api/campaigns.js';

type Reply = { status: number; body?: unknown };
interface Req {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
}

const FIELDS = ['first_name', 'name', 'service', 'appointment_time', 'appointment_date', 'clinic_name', 'clinic_phone', 'link'];

export const BUILT_IN_TEMPLATES: SmsTemplate[] = [
  { id: 'tpl-reengage', name: 'Re-engagement', body: "Hi {first_name|there}! We've missed you at {clinic_name}. Here's a special offer just for you: reply YES to book.", builtIn: true, fields: ['first_name', 'clinic_name'], updatedAt: null },
  { id: 'tpl-reminder', name: 'Appointment reminder', body: 'Hi {first_name|there}! Reminder: your {service|} appointment is on {appointment_date} at {appointment_time}. Reply YES to confirm.', builtIn: true, fields: ['first_name', 'service', 'appointment_date', 'appointment_time'], updatedAt: null },
  { id: 'tpl-follow-up', name: 'Follow-up after a call', body: "Hi {first_name|there}! Here's the info we discussed: {link}. Let me know if you have questions!", builtIn: true, fields: ['first_name', 'link'], updatedAt: null },
];

const err = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });

interface Stored extends Campaign {
  recipientIds: string[];
}

export class CampaignBackend {
  templates: SmsTemplate[] = BUILT_IN_TEMPLATES.map((t) => ({ ...t }));
  campaigns: Stored[] = [];
  private seq = 0;

  constructor(
    private readonly leads: () => Lead[],
    private readonly filtered: (q: URLSearchParams) => Lead[],
    private readonly role: () => 'agent' | 'admin',
  ) {}

  route(req: Req): Reply | undefined {
    const { method, path } = req;
    if (path === '/v1/sms-templates' && method === 'GET') return { status: 200, body: { items: this.templates } };
    if (path === '/v1/campaigns' && method === 'GET') {
      return { status: 200, body: { items: [...this.campaigns].reverse().map((c) => this.out(c)) } };
    }
    if (path === '/v1/campaigns' && method === 'POST') return this.save(null, req.body as CampaignInput);
    const m = /^\/v1\/campaigns\/([^/]+?)(?:\/(preview|start|pause|resume|cancel)|(\/recipients\.csv))?$/.exec(path);
    if (!m) return undefined;
    const c = this.campaigns.find((x) => x.id === decodeURIComponent(m[1]));
    if (!c) return err(404, 'CAMPAIGN_NOT_FOUND', 'No such campaign in this clinic.');
    const action = m[2];
    if (m[3]) {
      // The server's columns (server/src/campaigns/routes.ts).
      const lines = ['leadId,name,phone,status,reason,segments,sentAt,deliveredAt,repliedAt,optedOutAt,errorCode,errorMessage', ...c.recipientIds.map((id) => this.leads().find((l) => l.id === id)).map((l) => `${l!.id},${l!.name},${l!.phone},pending,,,,,,,,`)];
      return { status: 200, body: new Blob([lines.join('\n')]) };
    }
    if (!action && method === 'GET') return { status: 200, body: { campaign: this.out(c) } };
    if (!action && method === 'PATCH') {
      if (c.status !== 'draft') return err(409, 'CAMPAIGN_NOT_DRAFT', 'Only a draft can be edited.');
      const patch = req.body as Partial<CampaignInput>;
      const base = this.inputOf(c);
      if (patch.body !== undefined) delete base.templateId;
      return this.save(c, { ...base, ...patch });
    }
    if (!action && method === 'DELETE') {
      if (c.status !== 'draft') return err(409, 'CAMPAIGN_NOT_DRAFT', 'Only a draft can be deleted; cancel it instead.');
      this.campaigns = this.campaigns.filter((x) => x !== c);
      return { status: 204 };
    }
    if (action === 'preview') {
      const id = req.query.get('leadId') ?? c.recipientIds[0];
      if (!c.recipientIds.includes(id)) return err(404, 'RECIPIENT_NOT_FOUND', 'That lead is not a recipient of this campaign.');
      const lead = this.leads().find((l) => l.id === id)!;
      const text = this.render(c.body!, lead);
      const counts = c.recipientIds.map((r) => countSegments(this.render(c.body!, this.leads().find((l) => l.id === r)!)).segments);
      const s = countSegments(text);
      return { status: 200, body: { preview: { leadId: id, name: lead.name, text, characters: s.characters, segments: s.segments, encoding: s.encoding, optOutLine: false, range: { min: Math.min(...counts), max: Math.max(...counts), warning: null } } } };
    }
    if (method !== 'POST') return err(405, 'METHOD_NOT_ALLOWED', 'No');
    if (action === 'start') {
      if (c.status !== 'draft') return err(409, 'CAMPAIGN_NOT_DRAFT', 'This campaign has already started.');
      if (!c.counts.recipients) return err(400, 'EMPTY_AUDIENCE', 'No lead can receive this campaign: widen the audience.');
      if (c.counts.recipients > 50 && this.role() !== 'admin') {
        return err(403, 'CAMPAIGN_NEEDS_ADMIN', `This campaign would text ${c.counts.recipients} leads; campaigns to more than 50 leads need an admin.`);
      }
      const sendAt = (req.body as { sendAt?: string })?.sendAt ?? null;
      Object.assign(c, { status: sendAt ? 'scheduled' : 'sending', sendAt, startedAt: sendAt ? null : new Date().toISOString() });
    } else if (action === 'pause') {
      if (c.status !== 'sending' && c.status !== 'scheduled') return err(409, 'CAMPAIGN_NOT_SENDING', 'Only a sending campaign can be paused.');
      c.status = 'paused';
    } else if (action === 'resume') {
      if (c.status !== 'paused') return err(409, 'CAMPAIGN_NOT_PAUSED', 'Only a paused campaign can be resumed.');
      c.status = 'sending';
    } else if (action === 'cancel') {
      c.status = 'cancelled';
      c.counts.skipped += c.counts.queued;
      c.counts.queued = 0;
    }
    return { status: 200, body: { campaign: this.out(c) } };
  }

  /** Send `n` more texts of a campaign (as the server's job would) and return it, for the test to push over the socket. */
  progress(id: string, n: number, extra: Partial<Campaign['counts']> = {}): Campaign {
    const c = this.campaigns.find((x) => x.id === id)!;
    const k = Math.min(n, c.counts.queued);
    c.counts.queued -= k;
    c.counts.sent += k;
    c.counts.delivered += k;
    c.counts.segments = (c.counts.segments ?? 0) + k;
    Object.assign(c.counts, extra);
    if (!c.counts.queued) Object.assign(c, { status: 'completed', completedAt: new Date().toISOString() });
    return this.out(c);
  }

  private inputOf(c: Stored): CampaignInput {
    return { name: c.name, body: c.body, audience: c.audience ?? {}, templateId: c.templateId ?? undefined, link: c.link ?? undefined };
  }

  private save(existing: Stored | null, input: CampaignInput): Reply {
    const body = input.templateId ? this.templates.find((t) => t.id === input.templateId)?.body : input.body;
    if (!body?.trim()) return err(400, 'VALIDATION_FAILED', 'Write a message or pick a template.');
    for (const [, field] of body.matchAll(/\{([^}|]*)(?:\|[^}]*)?\}/g)) {
      if (!FIELDS.includes(field)) return err(400, 'UNKNOWN_MERGE_FIELD', `{${field}} is not a merge field. Use one of: ${FIELDS.map((f) => `{${f}}`).join(', ')}.`);
    }
    if (/\{link[|}]/.test(body) && !input.link) return err(400, 'LINK_MISSING', 'The text uses {link}: give the campaign the link to send (link: "https://...").');
    const { recipients, excluded } = this.audience(input.audience ?? {});
    // As the server: a draft nobody would receive is refused (with the exclusions), and so is one over 50 for an agent.
    if (!recipients.length) return { status: 422, body: { error: { code: 'EMPTY_AUDIENCE', message: 'No lead to text: widen the filters or pick other leads.', details: { excluded } } } };
    if (recipients.length > 50 && this.role() !== 'admin') {
      return err(403, 'CAMPAIGN_NEEDS_ADMIN', `This campaign would text ${recipients.length} leads: campaigns to more than 50 need an admin of the clinic.`);
    }
    const c: Stored = existing ?? ({ id: `cmp-${++this.seq}`, status: 'draft', createdBy: { id: 'u1', name: 'Ann' }, createdAt: new Date().toISOString(), startedAt: null, completedAt: null } as Stored);
    Object.assign(c, {
      name: input.name,
      body,
      templateId: input.templateId ?? null,
      audience: input.audience,
      link: input.link ?? null,
      recipientIds: recipients.map((l) => l.id),
      excluded,
      counts: { recipients: recipients.length, queued: recipients.length, sent: 0, delivered: 0, failed: 0, skipped: 0, replied: 0, optedOut: 0, segments: 0 },
    });
    if (!existing) this.campaigns.push(c);
    return { status: existing ? 200 : 201, body: { campaign: this.out(c) } };
  }

  private audience(a: CampaignAudience) {
    let leads: Lead[];
    if (a.leadIds) {
      leads = this.leads().filter((l) => a.leadIds!.includes(l.id));
    } else {
      const q = new URLSearchParams();
      for (const k of ['tier', 'status', 'q', 'view'] as const) if (a[k]) q.set(k, String(a[k]));
      leads = this.filtered(q);
    }
    const now = Date.now();
    if (a.lastContactBefore) leads = leads.filter((l) => !l.lastContactAt || Date.parse(l.lastContactAt) < Date.parse(a.lastContactBefore!));
    const upcoming = (l: Lead) => !!l.nextAppointmentAt && Date.parse(l.nextAppointmentAt) > now;
    if (a.noUpcomingAppointment) leads = leads.filter((l) => !upcoming(l));
    if (a.appointmentWithinHours) leads = leads.filter((l) => upcoming(l) && Date.parse(l.nextAppointmentAt!) <= now + a.appointmentWithinHours! * 3_600_000);
    const excluded = { optedOut: 0, noConsent: 0, invalidPhone: 0, recentlyTexted: 0, duplicatePhone: 0 };
    const phones = new Set<string>();
    const recipients = leads.filter((l) => {
      if (l.smsOptOut) return void excluded.optedOut++;
      if (l.consent && l.consent.sms === false) return void excluded.noConsent++;
      if (l.phoneValid === false) return void excluded.invalidPhone++;
      if (phones.has(l.phone)) return void excluded.duplicatePhone++;
      phones.add(l.phone);
      return true;
    });
    return { recipients, excluded };
  }

  private render(body: string, lead: Lead): string {
    const values: Record<string, string | null> = {
      first_name: lead.name.split(/\s+/)[0] || null,
      name: lead.name || null,
      service: lead.services?.[0] ?? null,
      clinic_name: 'Clinic',
      clinic_phone: '+15550001111',
      link: 'https://clinic.example/info',
      appointment_date: null,
      appointment_time: null,
    };
    return body.replace(/\{([^}|]*)(?:\|([^}]*))?\}/g, (_, f: string, fallback?: string) => values[f] ?? fallback ?? '');
  }

  private out(c: Stored): Campaign {
    const { recipientIds: _ids, ...rest } = c;
    return JSON.parse(JSON.stringify(rest)) as Campaign;
  }
}
