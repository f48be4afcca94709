/**
 * Who a campaign texts: the board's own filters (tier, status, q, view, owner, through leads/repository.ts boardFilter)
 * plus the guide's (last contact before, appointment within N hours, no upcoming appointment, services), or leads picked
 * by hand. Each lead is then included or excluded with one reason, in this order: opted out, no SMS consent, invalid
 * phone, duplicate phone (a second lead with the same number), recently texted (the clinic's frequency cap).
 */
import { ObjectId, type Filter } from 'mongodb';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CampaignAudience, Exclusions, ExclusionReason } from '../../../core/campaigns.js';
import { EXCLUSION_REASONS } from '../../../core/campaigns.js';
import { mergeValuesFor, parseTemplate, renderTemplate, type MergeValues } from '../../../core/templates.js';
import { sendZone } from '../../../core/quiet-hours.js';
import { AppError } from '../http/errors.js';
import { isE164 } from '../leads/phone.js';
import { boardFilter, ownerCondition, sortOf, type BoardClock, type ContactDoc, type ContactRepository } from '../leads/repository.js';
import type { Organization } from '../orgs/repository.js';
import type { CampaignRepository, NewRecipient } from './repository.js';

/** What a campaign needs of a lead. */
export type AudienceLead = Pick<ContactDoc, '_id' | 'name' | 'phone' | 'phoneValid' | 'smsOptOut' | 'consent' | 'services' | 'timezone'>;

const PROJECTION = { _id: 1, name: 1, phone: 1, phoneValid: 1, smsOptOut: 1, consent: 1, services: 1, timezone: 1 } as const;

export interface ResolvedAudience {
  included: AudienceLead[];
  rows: NewRecipient[];
  excluded: Exclusions;
}

/** The Mongo filter of an audience (without hand-picked ids). */
export function audienceFilter(orgId: string, a: CampaignAudience, me: string, clock: BoardClock): Filter<ContactDoc> {
  const filter = boardFilter(orgId, { tier: a.tier, status: a.status, q: a.q, view: a.view, owner: ownerCondition(a.owner, me) }, clock);
  const now = clock.now;
  if (a.lastContactBefore) filter.lastContactAt = { $lt: new Date(a.lastContactBefore) };
  if (a.appointmentWithinHours) filter.nextAppointmentAt = { $gt: now, $lte: new Date(now.getTime() + a.appointmentWithinHours * 3_600_000) };
  // The same rule as the board's appointment=none: no appointment scheduled after now.
  if (a.noUpcomingAppointment) filter.lastAppointmentAt = { $not: { $gt: now } };
  if (a.services) filter.services = { $in: a.services };
  return filter;
}

export async function resolveAudience(
  deps: { contacts: ContactRepository; campaigns: CampaignRepository },
  orgId: string,
  audience: CampaignAudience,
  me: string,
  clock: BoardClock,
  frequencyCapHours: number,
): Promise<ResolvedAudience> {
  let leads: AudienceLead[];
  if (audience.leadIds) {
    // Picked by hand: exactly those leads, each of this clinic (an unknown or foreign id is refused, nothing written).
    const ids = [...new Set(audience.leadIds)];
    const found = new Map<string, AudienceLead>();
    for (let i = 0; i < ids.length; i += 1000) {
      const chunk = ids.slice(i, i + 1000).map((id) => new ObjectId(id));
      for (const doc of await deps.contacts.col.find({ _id: { $in: chunk }, orgId }, { projection: PROJECTION }).toArray()) found.set(doc._id.toHexString(), doc);
    }
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length) {
      throw new AppError(404, 'LEAD_NOT_FOUND', `No lead ${missing[0]} in this clinic${missing.length > 1 ? ` (and ${missing.length - 1} more)` : ''}: the campaign was not saved. Refresh the board and select the leads again.`, {
        missing: missing.slice(0, 50),
      });
    }
    leads = ids.map((id) => found.get(id)!);
  } else {
    const filter = audienceFilter(orgId, audience, me, clock);
    // In board order (hottest first), which the board's indexes serve for every filter combination.
    leads = await deps.contacts.col.find(filter, { projection: PROJECTION }).sort(sortOf('score')).toArray();
  }
  const recent = frequencyCapHours > 0 ? await deps.campaigns.textedSince(orgId, new Date(clock.now.getTime() - frequencyCapHours * 3_600_000)) : new Set<string>();
  const excluded = Object.fromEntries(EXCLUSION_REASONS.map((r) => [r, 0])) as Exclusions;
  const phones = new Set<string>();
  const included: AudienceLead[] = [];
  const rows: NewRecipient[] = [];
  for (const lead of leads) {
    const id = lead._id.toHexString();
    let reason: ExclusionReason | null = null;
    if (lead.smsOptOut) reason = 'optedOut';
    else if (lead.consent && lead.consent.sms === false) reason = 'noConsent';
    else if (!lead.phoneValid || !isE164(lead.phone)) reason = 'invalidPhone';
    else if (phones.has(lead.phone)) reason = 'duplicatePhone';
    else if (recent.has(id)) reason = 'recentlyTexted';
    if (lead.phoneValid) phones.add(lead.phone);
    if (reason) excluded[reason]++;
    else included.push(lead);
    rows.push({ contactId: id, name: lead.name, phone: lead.phone, status: reason ? 'excluded' : 'pending', reason });
  }
  return { included, rows, excluded };
}

/** The clinic's number as people read it ("(212) 555-0100"). */
export function displayPhone(e164: string | null | undefined): string | null {
  if (!e164) return null;
  const parsed = parsePhoneNumberFromString(e164);
  return parsed ? parsed.formatNational() : e164;
}

const APPOINTMENT_FIELDS = new Set(['service', 'appointment_time', 'appointment_date']);

/** Renders a campaign body for its leads: one appointment lookup per 500 leads, and only when the body needs it. */
export class CampaignRenderer {
  private appointments = new Map<string, { scheduledAt: Date; serviceType: string }>();
  readonly needsAppointments: boolean;
  constructor(
    private readonly repo: CampaignRepository,
    private readonly org: Organization,
    private readonly body: string,
    private readonly clinicPhone: string | null,
    private readonly link: string | null,
  ) {
    this.needsAppointments = parseTemplate(body).fields.some((f) => APPOINTMENT_FIELDS.has(f));
  }

  async prepare(leadIds: string[], now: Date): Promise<void> {
    if (this.needsAppointments) this.appointments = await this.repo.nextAppointments(this.org.id, leadIds, now);
  }

  private readonly zones = new Map<string, string>();
  /** The zone a lead's times are shown in (sendZone builds an Intl formatter to check a zone: cached per zone here). */
  zoneOf(leadZone: string | null): string {
    const key = leadZone ?? '';
    let zone = this.zones.get(key);
    if (!zone) this.zones.set(key, (zone = sendZone(leadZone, this.org.timezone).zone));
    return zone;
  }

  values(lead: AudienceLead): MergeValues {
    const id = lead._id.toHexString();
    return mergeValuesFor({
      lead: { name: lead.name, services: lead.services },
      appointment: this.appointments.get(id) ?? null,
      clinic: { name: this.org.name, phone: displayPhone(this.clinicPhone) },
      link: this.link,
      timeZone: this.zoneOf(lead.timezone),
    });
  }

  text(lead: AudienceLead): string {
    return renderTemplate(this.body, this.values(lead));
  }
}
