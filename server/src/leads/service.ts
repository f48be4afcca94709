import { syncLeadAppointments } from './appointments.js';
import type { EmbedUser, Lead, LeadDetail, LeadPage, LeadStatus, Note, Appointment, ViewCounts } from '../../../core/contracts.js';
import { badRequest, conflict, notFound, unprocessable, forbidden } from '../http/errors.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { Organization } from '../orgs/repository.js';
import type { CallRepository } from '../calls/repository.js';
import { normalisePhone, phoneProblem } from './phone.js';
import { DuplicateKeyError } from '../db/plain.js';
import type { ChangeEvent, ChangeResult, LeadChanges } from './changes.js';
import { DETAIL_LIMITS, type BoardSort } from '../../../core/board.js';
import { EDITABLE_CONTACT_FIELDS, ownerCondition, type BoardClock, type BoardFilter, type ContactRepository, type ContactSet, type EditableContactField, type NewContact } from './repository.js';
import type { AppointmentRepository, LeadEventRepository, NoteRepository } from './timeline-repository.js';
import type { BulkLeadInput, ContactEdit, LeadInput, LeadPatchBody, ListQuery, ViewsQuery } from './schema.js';
import { allowedTransitions, canTransition, LOST_REASON_LABELS, LOST_REASONS, revertRight, STATUS_LABELS } from '../../../core/workflow.js';
import { VIEW_LABELS, VIEWS } from '../../../core/views.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';
import { atLocalTime } from '../../../core/clinic-time.js';
import { FOLLOW_UP_MORNING } from '../../../core/follow-ups.js';
import { phoneProblemMessage } from '../../../core/phone.js';
import type { FollowUpService } from './follow-ups.js';
import type { FollowUpRepository } from './follow-up-repository.js';
import type { LeadDeletionRepository } from './deletion-repository.js';
import type { TeamRepository } from '../team/repository.js';
import { ownerChange, resolveOwner, type OwnerService, type OwnerTarget } from '../team/owners.js';

export interface LeadServiceDeps {
  changes: LeadChanges;
  contacts: ContactRepository;
  events: LeadEventRepository;
  notes: NoteRepository;
  appointments: AppointmentRepository;
  calls: CallRepository;
  followUps: FollowUpRepository;
  followUpService: FollowUpService;
  deletion: LeadDeletionRepository;
  broadcaster: Broadcaster;
  now: () => Date;
  /** The roster (owner names) and round-robin of new leads (issue 13, server/src/team). */
  team: TeamRepository;
  owners?: OwnerService;
}

/** The clinic's zone for its calendar days (views, appointment today, follow-up times). */
export const clinicZone = (org: Organization): string => (isTimeZone(org.timezone) ? org.timezone : DEFAULT_TIME_ZONE);

const CONTACT_FIELD_LABELS: Record<EditableContactField, string> = {
  name: 'name',
  phone: 'phone',
  email: 'email',
  services: 'services',
  timezone: 'time zone',
  consent: 'consent',
  externalId: 'CRM id',
};

export interface Actor {
  orgId: string;
  org: Organization;
  user: EmbedUser;
}

/** The rules of leads: the board's queries, the status workflow, notes and appointments. */
export class LeadService {
  constructor(private readonly deps: LeadServiceDeps) {}

  private clock(actor: Actor): BoardClock {
    return { now: this.deps.now(), timeZone: clinicZone(actor.org) };
  }

  /** A page of the board: filters (tier, status, q, appointment, lostReason), a view, a sort (core/board.ts, core/views.ts). */
  async list(actor: Actor, q: ListQuery): Promise<LeadPage> {
    const { items, total } = await this.deps.contacts.page(actor.orgId, { ...q, owner: ownerCondition(q.owner, actor.user.id) }, q.page, q.pageSize, this.clock(actor));
    return { items, page: q.page, pageSize: q.pageSize, total, totalPages: Math.max(1, Math.ceil(total / q.pageSize)) };
  }

  exportCursor(actor: Actor, filter: Omit<BoardFilter, 'owner'> & { sort?: BoardSort; owner?: string }) {
    return this.deps.contacts.exportCursor(actor.orgId, { ...filter, owner: ownerCondition(filter.owner, actor.user.id) }, this.clock(actor));
  }

  /** GET /v1/views: each priority view's count under the other filters, at one instant. */
  async viewCounts(actor: Actor, q: ViewsQuery): Promise<ViewCounts> {
    const clock = this.clock(actor);
    const owner = ownerCondition(q.owner, actor.user.id);
    const counts = await Promise.all(VIEWS.map((view) => this.deps.contacts.count(actor.orgId, { ...q, owner, view }, clock)));
    return { views: VIEWS.map((view, i) => ({ view, label: VIEW_LABELS[view], count: counts[i]! })), at: clock.now.toISOString() };
  }

  async get(orgId: string, id: string): Promise<Lead> {
    const lead = await this.deps.contacts.findById(orgId, id);
    if (!lead) throw notFound('This lead');
    return lead;
  }

  async detail(actor: Actor, id: string): Promise<LeadDetail> {
    const lead = await this.get(actor.orgId, id);
    const [calls, appointments, notes, timeline, followUps] = await Promise.all([
      this.deps.calls.forLead(actor.orgId, id, DETAIL_LIMITS.calls),
      this.deps.appointments.forLead(actor.orgId, id),
      this.deps.notes.forLead(actor.orgId, id),
      this.deps.events.forLead(actor.orgId, id),
      this.deps.followUpService.openForLead(actor.orgId, id),
    ]);
    const right = revertRight(lead, actor.user, this.deps.now());
    return {
      ...lead,
      calls,
      appointments,
      notes,
      timeline,
      followUps,
      allowedTransitions: allowedTransitions(lead.leadStatus),
      canUndoLost: right === 'undo',
      canRevertLost: right === 'admin',
    };
  }

  private contactFields(org: Organization, input: LeadInput): NewContact {
    const phone = normalisePhone(input.phone, org.settings.defaultCountry);
    return {
      name: input.name,
      nameLower: input.name.toLowerCase().replace(/\s+/g, ' '),
      phone: phone.phone,
      phoneDigits: phone.digits,
      phoneValid: phone.valid,
      email: input.email ?? null,
      services: input.services ?? [],
      leadScore: input.leadScore ?? 50,
      leadStatus: input.leadStatus ?? 'new',
      lastContactAt: input.lastContactAt ? new Date(input.lastContactAt) : null,
      lastAttemptAt: null,
      scoreBreakdown: null,
      smsOptOut: null,
      consent: input.consent ?? null,
      externalId: input.externalId,
      timezone: input.timezone ?? null,
      lostFrom: null,
      lostBy: null,
      lostAt: null,
      activeCallId: null,
    };
  }

  async create(actor: Actor, input: LeadInput): Promise<Lead> {
    const fields = this.contactFields(actor.org, input);
    if (fields.externalId && (await this.deps.contacts.findByExternalId(actor.orgId, fields.externalId))) {
      throw conflict('DUPLICATE_EXTERNAL_ID', `A lead with externalId "${fields.externalId}" already exists; use PUT /v1/leads to update it.`);
    }
    let lead: Lead;
    try {
      lead = await this.deps.contacts.insert(actor.orgId, fields, this.deps.now());
    } catch (err) {
      if (err instanceof DuplicateKeyError) {
        throw conflict('DUPLICATE_EXTERNAL_ID', `A lead with externalId "${fields.externalId}" already exists; use PUT /v1/leads to update it.`);
      }
      throw err;
    }
    await this.deps.events.add(actor.orgId, { contactId: lead.id, type: 'created', from: null, to: lead.leadStatus, actor: actorRef(actor), detail: null, at: this.deps.now() });
    this.deps.broadcaster.publish(actor.orgId, 'lead:updated', { lead });
    return this.deps.owners ? (await this.deps.owners.roundRobin(actor.org, [lead]))[0]! : lead;
  }

  /**
   * Bulk upsert from the host CRM, matched by externalId when given, else by the normalised phone. The host owns the
   * contact fields (name, phone, email, services, consent); the workflow and scoring fields it sends only seed new leads.
   * A contact field a person edited on the board after the row's `updatedAt` (or at all, for a row without one) is kept
   * and reported in `kept`; a row naming a deleted lead is skipped (`skipped`) unless `restoreDeleted` (docs/api.md).
   */
  async bulkUpsert(actor: Actor, inputs: BulkLeadInput[], opts: { restoreDeleted?: boolean } = {}) {
    const rows = inputs.map((input) => {
      const insert = this.contactFields(actor.org, input);
      const set: Partial<NewContact> = {
        name: insert.name,
        nameLower: insert.nameLower,
        phone: insert.phone,
        phoneDigits: insert.phoneDigits,
        phoneValid: insert.phoneValid,
      };
      if (input.email !== undefined) set.email = insert.email;
      if (input.services !== undefined) set.services = insert.services;
      if (input.consent !== undefined) set.consent = insert.consent;
      if (input.timezone !== undefined) set.timezone = insert.timezone;
      const key = input.externalId ? { externalId: input.externalId } : { phone: insert.phone };
      return { key, set, insert, hostUpdatedAt: input.updatedAt ? new Date(input.updatedAt) : undefined };
    });
    const { deletion } = this.deps;
    const isDeleted = opts.restoreDeleted
      ? async (key: { externalId: string } | { phone: string }) => {
          await deletion.clear(actor.orgId, key);
          return false;
        }
      : (key: { externalId: string } | { phone: string }) => deletion.isDeleted(actor.orgId, key);
    const result = await this.deps.contacts.upsertMany(actor.orgId, rows, this.deps.now(), { isDeleted });
    for (const lead of result.items) this.deps.broadcaster.publish(actor.orgId, 'lead:updated', { lead });
    // New leads (version 1: created by this upsert) get owners in turn when the clinic uses round-robin.
    if (this.deps.owners) {
      const created = result.items.filter((l) => l.version === 1);
      const owned = new Map((await this.deps.owners.roundRobin(actor.org, created)).map((l) => [l.id, l]));
      result.items = result.items.map((l) => owned.get(l.id) ?? l);
    }
    return result;
  }

  /** A contact edit, validated and normalised: the fields to store, or a 400 naming what is wrong. */
  private contactSet(org: Organization, edit: ContactEdit): { set: ContactSet; fields: EditableContactField[] } {
    const set: ContactSet = {};
    if (edit.name !== undefined) Object.assign(set, { name: edit.name, nameLower: edit.name.toLowerCase().replace(/\s+/g, ' ') });
    if (edit.phone !== undefined) {
      const problem = phoneProblem(edit.phone, org.settings.defaultCountry);
      if (problem) {
        throw badRequest('INVALID_PHONE_FORMAT', phoneProblemMessage(edit.phone.trim(), problem), { field: 'contact.phone', phone: edit.phone, problem });
      }
      const phone = normalisePhone(edit.phone, org.settings.defaultCountry);
      Object.assign(set, { phone: phone.phone, phoneDigits: phone.digits, phoneValid: true });
    }
    if (edit.email !== undefined) set.email = edit.email;
    if (edit.services !== undefined) set.services = [...new Set(edit.services)];
    if (edit.timezone !== undefined) {
      if (edit.timezone !== null && !isTimeZone(edit.timezone)) {
        throw badRequest('INVALID_TIME_ZONE', `"${edit.timezone}" is not a time zone: use an IANA name such as America/New_York.`, { field: 'contact.timezone' });
      }
      set.timezone = edit.timezone;
    }
    if (edit.consent !== undefined) set.consent = edit.consent;
    if (edit.externalId !== undefined) set.externalId = edit.externalId;
    return { set, fields: EDITABLE_CONTACT_FIELDS.filter((f) => edit[f] !== undefined) };
  }

  /**
   * PATCH /v1/leads/:id by a person: a status change (checked against the workflow; Lost needs a reason, and may
   * schedule the revisit follow-up), a contact edit, an owner (ownerId), or several, in one version-checked write through the one lead-change
   * path. A stale expected status or version gets 409 with the current lead, and nothing is written.
   */
  async patch(actor: Actor, id: string, body: LeadPatchBody): Promise<Lead> {
    const { status } = body;
    if (status !== 'lost' && (body.lostReason !== undefined || body.lostNote !== undefined || body.revisitInDays !== undefined)) {
      throw badRequest('LOST_FIELDS_WITHOUT_LOST', 'lostReason, lostNote and revisitInDays go with status "lost".');
    }
    if (status === 'lost') {
      if (!body.lostReason) {
        throw badRequest(
          'LOST_REASON_REQUIRED',
          `Say why this lead was lost: lostReason is one of ${LOST_REASONS.join(', ')} (other needs a lostNote).`,
          { field: 'lostReason', allowed: LOST_REASONS },
        );
      }
      if (body.lostReason === 'other' && !body.lostNote) {
        throw badRequest('LOST_NOTE_REQUIRED', 'With the reason "other", add a note saying why the lead was lost (lostNote).', { field: 'lostNote' });
      }
    }
    const contact = body.contact ? this.contactSet(actor.org, body.contact) : null;
    const owner: OwnerTarget | undefined = body.ownerId !== undefined ? await resolveOwner(this.deps.team, actor.orgId, body.ownerId) : undefined;
    const duplicate = () =>
      conflict('DUPLICATE_EXTERNAL_ID', `Another lead already has the CRM id "${body.contact?.externalId}".`, { field: 'contact.externalId' });
    if (body.contact?.externalId) {
      const other = await this.deps.contacts.findByExternalId(actor.orgId, body.contact.externalId);
      if (other && other.id !== id) throw duplicate();
    }
    const now = this.deps.now();
    let result: ChangeResult;
    try {
      result = await this.deps.changes.apply(
        actor.orgId,
        id,
        async (current) => {
          const set: ContactSet = {};
          const events: ChangeEvent[] = [];
          let statusDetail: string | null = null;
          if (status !== undefined) {
            if (!canTransition(current.leadStatus, status)) {
              throw unprocessable(
                'INVALID_TRANSITION',
                current.leadStatus === status
                  ? `This lead is already ${STATUS_LABELS[status].toLowerCase()}.`
                  : `A ${STATUS_LABELS[current.leadStatus].toLowerCase()} lead cannot be moved to ${STATUS_LABELS[status].toLowerCase()}.`,
                { from: current.leadStatus, to: status, allowed: allowedTransitions(current.leadStatus) },
              );
            }
            set.leadStatus = status;
            if (status === 'lost') {
              Object.assign(set, { lostFrom: current.leadStatus, lostBy: actor.user.id, lostAt: now, lostReason: body.lostReason!, lostNote: body.lostNote ?? null });
              statusDetail = `${LOST_REASON_LABELS[body.lostReason!]}${body.lostNote ? `: ${body.lostNote}` : ''}`;
            }
          }
          if (contact) {
            const changed = contact.fields.filter((f) => JSON.stringify(contact.set[f as keyof ContactSet] ?? null) !== JSON.stringify(current[f] ?? null));
            if (changed.length) {
              const doc = await this.deps.contacts.findDoc(actor.orgId, id);
              const editedAt = { ...(doc?.contactEditedAt ?? {}) };
              for (const f of changed) {
                editedAt[f] = now;
                for (const [k, v] of Object.entries(contact.set)) if (k === f || (f === 'name' && k === 'nameLower') || (f === 'phone' && (k === 'phoneDigits' || k === 'phoneValid'))) (set as Record<string, unknown>)[k] = v;
              }
              set.contactEditedAt = editedAt;
              const phone = changed.includes('phone') ? ` (phone ${current.phone} → ${contact.set.phone})` : '';
              events.push({ type: 'contact_edited', detail: `Changed ${changed.map((f) => CONTACT_FIELD_LABELS[f]).join(', ')}${phone}` });
            }
          }
          if (owner !== undefined) {
            const change = ownerChange(current, owner, actorRef(actor));
            if (change) {
              Object.assign(set, change.set);
              events.push(...(change.events ?? []));
            }
          }
          if (Object.keys(set).length === 0) return null;
          return { set, events, statusDetail };
        },
        { actor: actorRef(actor), expect: { status: body.expectedStatus, version: body.expectedVersion } },
      );
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw duplicate();
      throw err;
    }
    const lead = this.changed(result);
    if (status === 'lost' && body.revisitInDays && result.kind === 'changed') {
      const zone = clinicZone(actor.org);
      await this.deps.followUpService.schedule(actor, id, { dueAt: new Date(atLocalTime(now.getTime(), zone, body.revisitInDays, FOLLOW_UP_MORNING)), note: `Revisit: ${LOST_REASON_LABELS[body.lostReason!]}` }, 'lost_revisit');
      return (await this.deps.contacts.findById(actor.orgId, id)) ?? lead;
    }
    return lead;
  }

  /** The status change of before issue 12, kept for callers that only move the status. */
  changeStatus(actor: Actor, id: string, change: { status: LeadStatus; expectedStatus?: LeadStatus; expectedVersion?: number } & Partial<LeadPatchBody>): Promise<Lead> {
    return this.patch(actor, id, change);
  }

  /** Takes a lost lead back to the status it came from: an undo by who marked it (10 s), or an admin's revert. */
  async revertLost(actor: Actor, id: string): Promise<Lead> {
    const result = await this.deps.changes.apply(
      actor.orgId,
      id,
      (current) => {
        if (current.leadStatus !== 'lost' || !current.lostFrom) {
          throw unprocessable('NOT_LOST', 'Only a lost lead can be reverted.', { status: current.leadStatus });
        }
        const right = revertRight(current, actor.user, this.deps.now());
        if (!right) throw forbidden('The undo window has passed: ask an admin to revert this lead.', 'UNDO_EXPIRED');
        return {
          set: { leadStatus: current.lostFrom, lostFrom: null, lostBy: null, lostAt: null, lostReason: null, lostNote: null },
          revert: true,
          statusDetail: right === 'undo' ? 'undo' : 'admin revert',
        };
      },
      { actor: actorRef(actor), expect: { status: 'lost' } },
    );
    const lead = this.changed(result);
    // The revisit scheduled with the Lost goes with it.
    const revisits = await this.deps.followUps.deleteOpenBySource(actor.orgId, id, 'lost_revisit');
    if (revisits > 0) {
      await this.deps.followUpService.sync(actor.orgId, id, clinicZone(actor.org), actorRef(actor), [{ type: 'follow_up_deleted', detail: 'Revisit removed with the Lost' }]);
      return (await this.deps.contacts.findById(actor.orgId, id)) ?? lead;
    }
    return lead;
  }

  /**
   * An admin's delete: the lead and everything recorded about it (calls, texts, notes, follow-ups, appointments,
   * timeline), leaving a tombstone of its host keys so the host CRM's next bulk upsert does not bring it back unless it
   * passes `restoreDeleted`. Refused while a call is in progress (409 CALL_IN_PROGRESS).
   */
  async delete(actor: Actor, id: string): Promise<{ deleted: { leadId: string; records: Record<string, number> } }> {
    const lead = await this.get(actor.orgId, id);
    if (lead.activeCallId) throw conflict('CALL_IN_PROGRESS', `${lead.name} is on a call right now: delete the lead once the call has ended.`);
    await this.deps.deletion.addTombstone(actor.orgId, { leadId: id, externalId: lead.externalId, phone: lead.phone, deletedBy: actorRef(actor) }, this.deps.now());
    if (!(await this.deps.contacts.delete(actor.orgId, id))) throw notFound('This lead');
    const records = await this.deps.deletion.deleteRecordsOf(actor.orgId, id);
    this.deps.broadcaster.publish(actor.orgId, 'lead:deleted', { leadId: id });
    return { deleted: { leadId: id, records } };
  }

  /** A person's change either happened or is answered with the reason: not found, or 409 with the lead as it is now. */
  private changed(result: ChangeResult): Lead {
    if (result.kind === 'not_found') throw notFound('This lead');
    if (result.kind === 'stale') {
      throw conflict('STALE_LEAD', 'Someone else changed this lead a moment ago. Here is its current state; check it and try again.', { lead: result.lead });
    }
    return result.lead;
  }

  async addNote(actor: Actor, id: string, body: string): Promise<Note> {
    await this.get(actor.orgId, id);
    const now = this.deps.now();
    const note = await this.deps.notes.add(actor.orgId, { contactId: id, body, authorId: actor.user.id, authorName: actor.user.name }, now);
    await this.deps.events.add(actor.orgId, { contactId: id, type: 'note_added', from: null, to: null, actor: actorRef(actor), detail: null, at: now });
    return note;
  }

  async upsertAppointments(
    actor: Actor,
    list: Array<{ externalId: string; contactId?: string; contactExternalId?: string; serviceType: string; scheduledAt: string; status: Appointment['status'] }>,
  ): Promise<Appointment[]> {
    const out: Appointment[] = [];
    for (const a of list) {
      const lead = a.contactId
        ? await this.deps.contacts.findById(actor.orgId, a.contactId)
        : await this.deps.contacts.findByExternalId(actor.orgId, a.contactExternalId!);
      if (!lead) throw unprocessable('UNKNOWN_CONTACT', `Appointment ${a.externalId}: no lead ${a.contactId ?? a.contactExternalId} in this clinic.`);
      out.push(
        await this.deps.appointments.upsert(
          actor.orgId,
          { externalId: a.externalId, contactId: lead.id, serviceType: a.serviceType, scheduledAt: new Date(a.scheduledAt), status: a.status },
          this.deps.now(),
        ),
      );
    }
    for (const leadId of new Set(out.map((a) => a.contactId))) await this.syncAppointments(actor, leadId);
    return out;
  }

  private syncAppointments(actor: Actor, leadId: string): Promise<void> {
    return syncLeadAppointments(this.deps, actor.orgId, leadId, actorRef(actor));
  }

}

export const actorRef = (actor: Actor) => ({ id: actor.user.id, name: actor.user.name });
