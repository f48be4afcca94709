import type { EmbedUser, Lead, LeadDetail, LeadPage, LeadStatus, Note, Appointment } from '../../../core/contracts.js';
import { conflict, notFound, unprocessable, forbidden } from '../http/errors.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { Organization } from '../orgs/repository.js';
import type { CallRepository } from '../calls/repository.js';
import { normalisePhone } from './phone.js';
import { DuplicateKeyError } from '../db/plain.js';
import type { ChangeResult, LeadChanges } from './changes.js';
import { DETAIL_LIMITS } from '../../../core/board.js';
import type { BoardFilter, ContactRepository, NewContact } from './repository.js';
import type { AppointmentRepository, LeadEventRepository, NoteRepository } from './timeline-repository.js';
import type { LeadInput, ListQuery } from './schema.js';
import { allowedTransitions, canTransition, revertRight, STATUS_LABELS } from '../../../core/workflow.js';

export interface LeadServiceDeps {
  changes: LeadChanges;
  contacts: ContactRepository;
  events: LeadEventRepository;
  notes: NoteRepository;
  appointments: AppointmentRepository;
  calls: CallRepository;
  broadcaster: Broadcaster;
  now: () => Date;
}

export interface Actor {
  orgId: string;
  org: Organization;
  user: EmbedUser;
}

/** The rules of leads: the board's queries, the status workflow, notes and appointments. */
export class LeadService {
  constructor(private readonly deps: LeadServiceDeps) {}

  async list(orgId: string, q: ListQuery): Promise<LeadPage> {
    const { items, total } = await this.deps.contacts.page(orgId, q, q.page, q.pageSize);
    return { items, page: q.page, pageSize: q.pageSize, total, totalPages: Math.max(1, Math.ceil(total / q.pageSize)) };
  }

  exportCursor(orgId: string, filter: BoardFilter) {
    return this.deps.contacts.exportCursor(orgId, filter);
  }

  async get(orgId: string, id: string): Promise<Lead> {
    const lead = await this.deps.contacts.findById(orgId, id);
    if (!lead) throw notFound('This lead');
    return lead;
  }

  async detail(actor: Actor, id: string): Promise<LeadDetail> {
    const lead = await this.get(actor.orgId, id);
    const [calls, appointments, notes, timeline] = await Promise.all([
      this.deps.calls.forLead(actor.orgId, id, DETAIL_LIMITS.calls),
      this.deps.appointments.forLead(actor.orgId, id),
      this.deps.notes.forLead(actor.orgId, id),
      this.deps.events.forLead(actor.orgId, id),
    ]);
    const right = revertRight(lead, actor.user, this.deps.now());
    return {
      ...lead,
      calls,
      appointments,
      notes,
      timeline,
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
    return lead;
  }

  /**
   * Bulk upsert from the host CRM, matched by externalId when given, else by the normalised phone. The host owns the
   * contact fields (name, phone, email, services, consent); the workflow and scoring fields it sends only seed new leads.
   */
  async bulkUpsert(actor: Actor, inputs: LeadInput[]): Promise<{ created: number; updated: number; items: Lead[] }> {
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
      return { key, set, insert };
    });
    const result = await this.deps.contacts.upsertMany(actor.orgId, rows, this.deps.now());
    for (const lead of result.items) this.deps.broadcaster.publish(actor.orgId, 'lead:updated', { lead });
    return result;
  }

  /**
   * A status change by a person: checked against the workflow, guarded against lost updates (a stale expected status
   * or version gets 409 with the current lead), recorded on the timeline, then published, all through the one
   * lead-change path.
   */
  async changeStatus(actor: Actor, id: string, change: { status: LeadStatus; expectedStatus?: LeadStatus; expectedVersion?: number }): Promise<Lead> {
    const result = await this.deps.changes.apply(
      actor.orgId,
      id,
      (current) => {
        if (!canTransition(current.leadStatus, change.status)) {
          throw unprocessable(
            'INVALID_TRANSITION',
            current.leadStatus === change.status
              ? `This lead is already ${STATUS_LABELS[change.status].toLowerCase()}.`
              : `A ${STATUS_LABELS[current.leadStatus].toLowerCase()} lead cannot be moved to ${STATUS_LABELS[change.status].toLowerCase()}.`,
            { from: current.leadStatus, to: change.status, allowed: allowedTransitions(current.leadStatus) },
          );
        }
        const lost = change.status === 'lost' ? { lostFrom: current.leadStatus, lostBy: actor.user.id, lostAt: this.deps.now() } : {};
        return { set: { leadStatus: change.status, ...lost } };
      },
      { actor: actorRef(actor), expect: { status: change.expectedStatus, version: change.expectedVersion } },
    );
    return this.changed(result);
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
          set: { leadStatus: current.lostFrom, lostFrom: null, lostBy: null, lostAt: null },
          revert: true,
          statusDetail: right === 'undo' ? 'undo' : 'admin revert',
        };
      },
      { actor: actorRef(actor), expect: { status: 'lost' } },
    );
    return this.changed(result);
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
    return out;
  }
}

export const actorRef = (actor: Actor) => ({ id: actor.user.id, name: actor.user.name });
