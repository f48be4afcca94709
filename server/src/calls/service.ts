import { syncLeadAppointments } from '../leads/appointments.js';
import type { Call, CallIntent, CallMode, CallOutcome, CallStatus, EmbedUser, Lead } from '../../../core/contracts.js';
import { canTransition, STATUS_LABELS, statusAfterTouch, TERMINAL } from '../../../core/workflow.js';
import { DEFAULT_TIME_ZONE, isTimeZone } from '../../../core/quiet-hours.js';
import { formatDue, type FollowUpService } from '../leads/follow-ups.js';
import type { LeadChanges } from '../leads/changes.js';
import { badGateway, conflict, notFound, unprocessable } from '../http/errors.js';
import type { Logger } from '../log.js';
import type { Actor } from '../leads/service.js';
import { actorRef } from '../leads/service.js';
import { isE164 } from '../leads/phone.js';
import type { ContactRepository, ContactSet } from '../leads/repository.js';
import type { ChangeEvent, Planner } from '../leads/changes.js';
import type { AppointmentRepository, LeadEventRepository } from '../leads/timeline-repository.js';
import type { OrganizationRepository } from '../orgs/repository.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import { resolveKeywordSettings } from '../scoring/keywords.js';
import { scoreConversation } from '../scoring/score.js';
import type { ProviderFactory } from '../settings/providers.js';
import type { AgentRepository, IntegrationRepository } from '../settings/repository.js';
import { getCall, placeCall, VapiProviderError } from '../telephony/vapi.js';
import {
  callOutcomeOf,
  describeEndedReason,
  toCallStatus,
  type VapiCallSnapshot,
  type VapiWebhookEvent,
} from '../telephony/vapi-webhook.js';
import { agentVariableValues } from '../settings/agent-variables.js';
import { ACTIVE_CALL_STATUSES, toCall, type CallFields, type CallRecord, type CallRepository } from './repository.js';
import type { WebhookReceipts } from './receipts.js';
import { applyConnectEnd, callerPhoneMissing, callModesFor, connectOverrides, frontDeskTool, type CallerPhones } from './connect.js';
import { VapiWebhookAuth } from './webhook-auth.js';
import { firstLeg, legsOnEnd, legsOnStatus, legsOnTransfer, transferRole } from './legs.js';

const RANK: Record<CallStatus, number> = { queued: 0, ringing: 1, 'in-progress': 2, ended: 3, failed: 3 };
const SYSTEM_ACTOR = { id: 'system:ai-agent', name: 'AI agent' };

export interface CallServiceDeps {
  changes: LeadChanges;
  /** Callbacks the lead asked for on a call become follow-ups. */
  followUpService: FollowUpService;
  calls: CallRepository;
  contacts: ContactRepository;
  events: LeadEventRepository;
  /** A booking made on the call becomes an appointment. */
  appointments: AppointmentRepository;
  agents: AgentRepository;
  integrations: IntegrationRepository;
  orgs: OrganizationRepository;
  providers: ProviderFactory;
  receipts: WebhookReceipts;
  /** The caller's own phone, for Connect-me calls (./connect.ts). */
  callers: CallerPhones;
  broadcaster: Broadcaster;
  logger: Logger;
  now: () => Date;
}

/** Outbound AI-agent calls: placing them through Vapi, following them through webhooks, and scoring what the lead said. */
export class CallService {
  private readonly auth: VapiWebhookAuth;
  constructor(private readonly deps: CallServiceDeps) {
    this.auth = new VapiWebhookAuth(deps);
  }

  async get(orgId: string, id: string): Promise<Call> {
    const doc = await this.deps.calls.findById(orgId, id);
    if (!doc) throw notFound('This call');
    return toCall(doc, { full: true });
  }

  /**
   * Call Back / Call Now. Checks, in this order: an outbound agent, an imported number, an E.164 phone; then claims the
   * lead (one active call at a time), writes the call record, and places the call. A provider failure ends the record as
   * failed with the reason, so nothing stays queued.
   */
  async start(actor: Actor, leadId: string, opts: { mode?: CallMode } = {}): Promise<Call> {
    const { orgId } = actor;
    const mode = opts.mode ?? 'agent';
    const lead = await this.deps.contacts.findById(orgId, leadId);
    if (!lead) throw notFound('This lead');
    const agent = await this.deps.agents.outbound(orgId);
    if (!agent) {
      throw unprocessable('OUTBOUND_AGENT_NOT_CONFIGURED', 'Set up the outbound AI agent before calling leads: Settings > AI agent.');
    }
    const twilio = await this.deps.integrations.twilio(orgId);
    if (!twilio?.vapiPhoneNumberId) {
      throw unprocessable('NO_PHONE_NUMBER', 'Import the clinic\'s Twilio phone number before calling leads: Settings > Phone number.');
    }
    if (!lead.phoneValid || !isE164(lead.phone)) {
      throw unprocessable(
        'INVALID_PHONE_FORMAT',
        `${lead.name}'s phone "${lead.phone}" is not in international format. Fix it in your CRM, e.g. +12125550123.`,
        { phone: lead.phone, example: '+12125550123' },
      );
    }
    if (lead.consent && lead.consent.calls === false) {
      throw unprocessable('NO_CALL_CONSENT', `${lead.name} has not agreed to automated calls. Call them yourself or ask for consent first.`);
    }
    // Connect me rings the caller's own phone first: without one, nothing is written and nothing dialled.
    const callerPhone = mode === 'connect' ? await this.deps.callers.phoneOf(orgId, actor.user) : null;
    if (mode === 'connect' && !callerPhone) throw callerPhoneMissing();
    const vapi = await this.deps.providers.vapi(orgId);
    if (!vapi) throw unprocessable('OUTBOUND_AGENT_NOT_CONFIGURED', 'Connect Vapi and set up the outbound AI agent: Settings > AI agent.');

    const busy = async (activeCallId: string | null) => {
      if (!activeCallId) return;
      const active = await this.deps.calls.findById(orgId, activeCallId);
      if (active && ACTIVE_CALL_STATUSES.includes(active.status)) {
        throw conflict('CALL_IN_PROGRESS', `A call to ${lead.name} is already in progress.`, { call: toCall(active) });
      }
    };
    await busy(lead.activeCallId);
    const now = this.deps.now();
    const record = await this.deps.calls.insert(
      orgId,
      { contactId: leadId, createdBy: actor.user.id, scoreBefore: lead.leadScore, webhookSecretEnc: agent.webhookSecretEnc, mode },
      now,
    );
    const callId = record.id;
    try {
      // The claim: one active call per lead. The plan re-checks on the fresh lead, so a call that started in between wins.
      await this.deps.changes.apply(
        orgId,
        leadId,
        async (current) => {
          await busy(current.activeCallId);
          const detail = mode === 'connect' ? `Call started: connecting ${actor.user.name} by phone` : 'Call started';
          return { set: { activeCallId: callId, lastAttemptAt: now }, events: [{ type: 'call', to: 'queued', detail }] };
        },
        { actor: actorRef(actor) },
      );
    } catch (err) {
      // Refused before anything was dialled: the record never was a call, so it leaves no trace in the lead's history.
      await this.deps.calls.discardUnplaced(orgId, record.id);
      throw err;
    }

    let placed: Awaited<ReturnType<typeof placeCall>>;
    try {
      const frontDesk = actor.org.settings.frontDeskNumber ?? null;
      placed = await placeCall(vapi, {
        assistantId: agent.vapiAssistantId,
        phoneNumberId: twilio.vapiPhoneNumberId,
        // Connect me: Vapi's customer is the caller's own phone; the lead is the transfer's destination.
        customer: callerPhone ? { number: callerPhone, name: actor.user.name } : { number: lead.phone, name: lead.name },
        orgId,
        callId,
        variableValues: agentVariableValues({ leadName: lead.name, services: lead.services, clinicName: actor.org.name, clinicPhone: twilio.phoneNumber }),
        ...(callerPhone
          ? connectOverrides({ leadName: lead.name, leadPhone: lead.phone, clinicPhone: twilio.phoneNumber })
          : frontDesk
            ? { appendTools: [frontDeskTool(frontDesk, twilio.phoneNumber)] }
            : {}),
      });
    } catch (err) {
      const reason =
        err instanceof VapiProviderError
          ? err.kind === 'timeout'
            ? 'Vapi did not answer in time.'
            : `Vapi refused the call${err.status ? ` (HTTP ${err.status})` : ''}.`
          : 'The call could not be placed.';
      if (!(err instanceof VapiProviderError)) this.deps.logger.error({ err: (err as Error).message, callId }, 'placing a call failed');
      await this.finish(orgId, record, { status: 'failed', error: reason, endedReason: 'provider-error' });
      throw badGateway('CALL_PROVIDER_FAILED', `${reason} Nothing was dialled; try again in a minute.`, { callId });
    }
    // From here the call is real: a database failure must not be reported as a failed call (a retry would dial twice).
    // Vapi's id is recorded with retries; if the database still refuses, the call's own webhooks carry our call id in
    // their metadata and stamp it (recordFor), so the answer stays 202.
    let updated: CallRecord | null = null;
    for (let attempt = 0; attempt < 3 && !updated; attempt++) {
      try {
        updated = await this.deps.calls.update(orgId, record.id, { vapiCallId: placed.vapiCallId });
        break;
      } catch (err) {
        if (attempt === 2) this.deps.logger.error({ callId, err: (err as Error).message }, 'the placed call\'s Vapi id was not saved; its webhooks will record it');
        else await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** attempt));
      }
    }
    const call = toCall(updated ?? { ...record, vapiCallId: placed.vapiCallId });
    this.deps.broadcaster.publish(orgId, 'call:updated', { call });
    return call;
  }

  /** How this user may call: Connect me only with a phone of theirs on file (GET /v1/session `callModes`). */
  callModes(orgId: string, user: EmbedUser): Promise<CallMode[]> {
    return callModesFor(this.deps.callers, orgId, user);
  }

  /** The record a webhook speaks of (./webhook-auth.ts). */
  recordFor(event: { vapiCallId: string; metadata: Record<string, unknown> }): Promise<CallRecord | null> {
    return this.auth.recordFor(event);
  }

  /** Authenticates a Vapi webhook and finds its call record (./webhook-auth.ts). */
  authenticateWebhook(input: Parameters<VapiWebhookAuth['authenticate']>[0]): ReturnType<VapiWebhookAuth['authenticate']> {
    return this.auth.authenticate(input);
  }

  /** The current webhook secret of an organisation's agent (tests and tools that sign webhooks as Vapi would). */
  webhookSecret(orgId: string): Promise<string | null> {
    return this.auth.webhookSecret(orgId);
  }

  /** Applies a verified webhook event to its call record, once. */
  async applyWebhook(record: CallRecord, event: Exclude<VapiWebhookEvent, { kind: 'ignored' }>): Promise<{ duplicate: boolean }> {
    const callKey = event.vapiCallId ?? record.vapiCallId ?? record.id;
    if (!record.vapiCallId && event.vapiCallId) {
      await this.deps.calls.update(record.orgId, record.id, { vapiCallId: event.vapiCallId });
      record = { ...record, vapiCallId: event.vapiCallId };
    }
    let duplicate = true;
    if (event.kind !== 'transfer') {
      const key = event.kind === 'status' ? `${callKey}:status:${event.status}` : `${callKey}:end`;
      const outcome = await this.deps.receipts.once('vapi', key, async () => {
        if (event.kind === 'status') await this.applyStatus(record, toCallStatus(event.status), event.endedReason);
        else await this.applyEnd(record, event);
      });
      duplicate = outcome.duplicate;
    }
    // A transfer is told twice (transfer-update, and the `forwarding` status with its destination): one leg, once.
    if (event.kind === 'transfer' || (event.kind === 'status' && event.transferTo)) {
      const outcome = await this.deps.receipts.once('vapi', `${callKey}:transfer`, () => this.applyTransfer(record));
      if (event.kind === 'transfer') duplicate = outcome.duplicate;
    }
    return { duplicate };
  }

  /** The call is handed to another number: the lead (Connect me) or the front desk (AI agent calls) joins as a leg. */
  private async applyTransfer(record: CallRecord): Promise<void> {
    const fresh = await this.deps.calls.findById(record.orgId, record.id);
    if (!fresh) return;
    const mode = fresh.mode ?? 'agent';
    const legs = legsOnTransfer(fresh.legs ?? [firstLeg(mode)], transferRole(mode), this.deps.now());
    if (!legs) return;
    const updated = await this.deps.calls.update(record.orgId, record.id, { legs, ...(fresh.status !== 'in-progress' ? { status: 'in-progress' } : {}) }, ACTIVE_CALL_STATUSES);
    if (updated) this.deps.broadcaster.publish(record.orgId, 'call:updated', { call: toCall(updated) });
  }

  private async applyStatus(record: CallRecord, status: CallStatus, endedReason: string | null): Promise<void> {
    const from = (Object.keys(RANK) as CallStatus[]).filter((s) => RANK[s] < RANK[status]);
    const now = this.deps.now();
    if (status === 'ended' || status === 'failed') {
      const ending = describeEndedReason(endedReason);
      const final: CallStatus = status === 'failed' || ending.status === 'failed' ? 'failed' : 'ended';
      // The end-of-call report that follows writes the timeline; a status that is itself a failure writes it here.
      await this.finish(
        record.orgId,
        record,
        { status: final, endedReason, ...(final === 'failed' ? { error: ending.label ?? `The call failed (${endedReason ?? status}).` } : {}) },
        from,
        { timeline: status === 'failed' },
      );
      return;
    }
    const set: CallFields = { status };
    if (status === 'in-progress') set.startedAt = now;
    const legs = legsOnStatus(record.legs ?? [], status, now);
    if (legs) set.legs = legs;
    const updated = await this.deps.calls.update(record.orgId, record.id, set, from);
    if (updated) this.deps.broadcaster.publish(record.orgId, 'call:updated', { call: toCall(updated) });
  }

  /** Ends a call record (if still open) and releases the lead for the next call. */
  private async finish(
    orgId: string,
    record: CallRecord,
    set: CallFields,
    from: CallStatus[] = ACTIVE_CALL_STATUSES,
    opts: { timeline?: boolean } = {},
  ): Promise<CallRecord | null> {
    const now = this.deps.now();
    const outcome: Partial<CallFields> = set.status === 'failed' ? { outcome: 'failed', intent: null, requestedAt: null } : {};
    const legs = record.legs ? { legs: legsOnEnd(record.legs, { failed: set.status === 'failed', endedAt: now, connectedAt: record.startedAt }) } : {};
    const updated = await this.deps.calls.update(orgId, record.id, { endedAt: now, ...outcome, ...legs, ...set }, from);
    if (!updated) return null;
    this.deps.broadcaster.publish(orgId, 'call:updated', { call: toCall(updated) });
    const callId = record.id;
    const failed = updated.status === 'failed' && opts.timeline !== false;
    await this.leadChange(orgId, record.contactId, (current) => {
      const set: ContactSet = current.activeCallId === callId ? { activeCallId: null } : {};
      if (updated.status === 'failed' && current.lastCallOutcome !== 'failed') set.lastCallOutcome = 'failed';
      if (Object.keys(set).length === 0 && !failed) return null;
      return { set, events: failed ? [{ type: 'call', to: 'failed', detail: updated.error ?? updated.endedReason }] : [] };
    });
    return updated;
  }

  /**
   * The end-of-call report: stores the transcript, the outcome (from Vapi's endedReason and whether the lead spoke) and,
   * when the lead spoke, the intent of Vapi's post-call analysis; re-scores from the lead's own lines, marks the contact,
   * moves new to contacted, and writes the timeline. A call without the lead's speech leaves the score alone. Then the
   * intent moves the lead, as the AI agent (never a lost or converted lead): booked -> Booked where the workflow allows,
   * callback_requested -> a follow-up at the time asked, not_interested -> a suggestion to mark Lost, needs_info -> a
   * timeline entry.
   */
  private async applyEnd(record: CallRecord, end: Omit<VapiCallSnapshot, 'status' | 'vapiCallId'>): Promise<void> {
    const { orgId } = record;
    if (record.mode === 'connect') {
      return applyConnectEnd({ calls: this.deps.calls, broadcaster: this.deps.broadcaster, now: this.deps.now, leadChange: (o, l, p) => this.leadChange(o, l, p) }, record, end);
    }
    const now = this.deps.now();
    const org = await this.deps.orgs.findById(orgId);
    const zone = isTimeZone(org?.timezone) ? org!.timezone : DEFAULT_TIME_ZONE;
    // What staff see is the conversation: the assistant's system prompt (which Vapi includes) stays out of it.
    const messages = end.messages.filter((m) => m.role !== 'system');
    const voicemail = end.endedReason === 'voicemail';
    // A voicemail greeting transcribed as the lead's words is not the lead speaking: no score, no intent.
    const breakdown = voicemail ? null : scoreConversation(messages, resolveKeywordSettings(org?.settings.keywords), { callId: record.id, now });
    const leadSpoke = breakdown !== null;
    const endedAt = end.endedAt ? new Date(end.endedAt) : now;
    const ending = describeEndedReason(end.endedReason);
    const connected = Boolean(end.startedAt ?? record.startedAt);
    const outcome: CallOutcome = callOutcomeOf(end.endedReason, { leadSpoke, connected });
    const failed = outcome === 'failed';
    const intent: CallIntent | null = leadSpoke ? (end.analysis?.intent ?? 'none') : null;
    const requestedAt = intent === 'booked' || intent === 'callback_requested' ? (end.analysis?.requestedAt ?? null) : null;

    const callId = record.id;
    const updated = await this.deps.calls.update(orgId, record.id, {
      status: failed ? 'failed' : 'ended',
      // A status-update may have failed the call first (a SIP 480 is a fault by its name, a no answer for the clinic).
      error: failed ? ending.label : null,
      endedReason: end.endedReason,
      startedAt: end.startedAt ? new Date(end.startedAt) : record.startedAt,
      endedAt,
      durationSec: end.durationSec,
      transcript: end.transcript || null,
      messages,
      recordingUrl: end.recordingUrl,
      summary: voicemail ? (end.summary ? `Voicemail. ${end.summary}` : 'Voicemail') : end.summary,
      scoreAfter: breakdown?.score ?? null,
      outcome,
      intent,
      requestedAt: requestedAt ? new Date(requestedAt) : null,
      successEvaluation: end.analysis?.successEvaluation ?? null,
      ...(record.legs ? { legs: legsOnEnd(record.legs, { failed, endedAt, connectedAt: end.startedAt ? new Date(end.startedAt) : record.startedAt }) } : {}),
    });
    if (updated) this.deps.broadcaster.publish(orgId, 'call:updated', { call: toCall(updated) });

    const detail = {
      answered: `Call answered${end.durationSec ? ` (${end.durationSec}s)` : ''}${record.legs?.some((l) => l.role === 'front_desk') ? '; transferred to the front desk' : ''}`,
      voicemail: 'Voicemail',
      no_answer: 'No answer',
      busy: 'Busy',
      failed: ending.label ?? 'The call failed.',
    }[outcome];
    const when = requestedAt ? formatDue(requestedAt, zone) : null;
    let callback: { dueAt: Date; note: string } | null = null;
    let booking: Date | null = null;
    await this.leadChange(orgId, record.contactId, (current) => {
      callback = null;
      booking = null;
      const set: ContactSet = { lastCallOutcome: outcome };
      if (current.activeCallId === callId) set.activeCallId = null;
      const events: ChangeEvent[] = [{ type: 'call', to: failed ? 'failed' : 'ended', detail }];
      if (!breakdown) return { set, events };
      set.lastContactAt = endedAt;
      set.leadScore = breakdown.score;
      set.scoreBreakdown = breakdown;
      set.services = [...new Set([...current.services, ...breakdown.services])];
      let statusDetail = 'First answered call';
      const next = statusAfterTouch(current.leadStatus);
      if (next) set.leadStatus = next;
      events.push({ type: 'scored', from: String(current.leadScore), to: String(breakdown.score) });
      const closed = TERMINAL.has(current.leadStatus);
      const status = STATUS_LABELS[current.leadStatus];
      const outcomeEntry = (to: CallIntent, text: string) => events.push({ type: 'call_outcome', to, detail: text });
      switch (intent) {
        case 'booked': {
          const text = `Booked on the call${when ? ` for ${when}` : ''}`;
          if (canTransition(current.leadStatus, 'booked')) {
            set.leadStatus = 'booked';
            statusDetail = text;
            if (requestedAt) booking = new Date(requestedAt);
          } else {
            outcomeEntry('booked', closed ? `${text}; the lead is ${status}, so its status was left as it is` : text);
          }
          break;
        }
        case 'callback_requested':
          if (closed) outcomeEntry('callback_requested', `Asked on the call for a callback${when ? ` ${when}` : ''}; the lead is ${status}, so nothing was scheduled`);
          else if (requestedAt) callback = { dueAt: new Date(requestedAt), note: 'Callback asked for on the call' };
          else outcomeEntry('callback_requested', 'Asked on the call for a callback, without a time: schedule a follow-up');
          break;
        case 'not_interested':
          if (!closed) outcomeEntry('not_interested', 'Not interested, said on the call: consider marking the lead Lost');
          break;
        case 'needs_info':
          outcomeEntry('needs_info', `Needs more information${end.summary ? `: ${end.summary.length > 200 ? `${end.summary.slice(0, 199)}…` : end.summary}` : ' (from the call)'}`);
          break;
        default:
          break;
      }
      return {
        set,
        events,
        statusDetail,
        publish: (lead, previous) => [{ event: 'lead:scored', payload: { leadId: lead.id, score: breakdown.score, previousScore: previous.leadScore, breakdown } }],
      };
    });
    const due = callback as { dueAt: Date; note: string } | null;
    if (due) await this.deps.followUpService.scheduleAs(orgId, record.contactId, due, 'callback', SYSTEM_ACTOR, zone);
    // A booking on the call is an appointment at the time agreed (keyed by the call, so a repeated report books once),
    // until the host CRM pushes its own; the lead's next appointment follows.
    const booked = booking as Date | null;
    if (booked) {
      const lead = await this.deps.contacts.findById(orgId, record.contactId);
      await this.deps.appointments.upsert(
        orgId,
        { externalId: `call:${callId}`, contactId: record.contactId, serviceType: lead?.services[0] ?? 'Consultation', scheduledAt: booked, status: 'scheduled' },
        this.deps.now(),
      );
      await syncLeadAppointments(this.deps, orgId, record.contactId, SYSTEM_ACTOR);
    }
  }

  /** A change the AI agent makes to a lead, through the one lead-change path (its conflicts are logged there and raised). */
  private leadChange(orgId: string, leadId: string, plan: Planner) {
    return this.deps.changes.apply(orgId, leadId, plan, { actor: SYSTEM_ACTOR });
  }

  /**
   * Vapi delivers each webhook once: calls whose end never arrived are read back from Vapi; a call Vapi never took, or
   * that stays silent far too long, is closed as failed so no record stays in progress forever.
   */
  async reconcile(opts: { olderThanMs?: number; giveUpAfterMs?: number } = {}): Promise<number> {
    const now = this.deps.now();
    const stale = await this.deps.calls.staleActive(new Date(now.getTime() - (opts.olderThanMs ?? 10 * 60_000)));
    let closed = 0;
    for (const record of stale) {
      try {
        if (!record.vapiCallId) {
          if (await this.finish(record.orgId, record, { status: 'failed', error: 'The call was never placed.' })) closed++;
          continue;
        }
        const vapi = await this.deps.providers.vapi(record.orgId);
        const snapshot = vapi ? await getCall(vapi, record.vapiCallId) : null;
        if (snapshot && toCallStatus(snapshot.status) === 'ended') {
          await this.deps.receipts.once('vapi', `${record.vapiCallId}:end`, () => this.applyEnd(record, snapshot));
          closed++;
        } else if (now.getTime() - record.createdAt.getTime() > (opts.giveUpAfterMs ?? 60 * 60_000)) {
          if (await this.finish(record.orgId, record, { status: 'failed', error: 'No end-of-call report arrived from Vapi.' })) closed++;
        }
      } catch (err) {
        this.deps.logger.warn({ callId: record.id, err: (err as Error).message }, 'call reconciliation failed');
      }
    }
    return closed;
  }
}

