/**
 * Call modes (issue 13; telephony/README.md "Call modes"). "AI agent calls" (mode 'agent', the default): Vapi dials the
 * lead and the AI agent talks; when the clinic has a front-desk number the call carries a transferCall tool to it, for
 * a lead who asks for a person. "Connect me" (mode 'connect'): Vapi dials the caller's own phone from the clinic's
 * number, says "You're being connected to ...", and transfers the call to the lead (blind transfer, the clinic's number
 * as caller id), so the lead sees the clinic's number and talks to a person.
 *
 * This module holds what is particular to the modes: whose phone rings first, what the call carries, and how a
 * Connect-me call ends (no scoring: the voice Vapi heard is the caller's, not the lead's).
 */
import type { Db } from 'mongodb';
import type { Vapi } from '@vapi-ai/server-sdk';
import type { CallMode, EmbedUser } from '../../../core/contracts.js';
import { unprocessable } from '../http/errors.js';
import { TeamRepository } from '../team/repository.js';
import { describeEndedReason, type VapiCallSnapshot } from '../telephony/vapi-webhook.js';
import { transferCallTool } from '../telephony/vapi.js';
import type { Broadcaster } from '../realtime/broadcaster.js';
import type { Planner } from '../leads/changes.js';
import type { ContactSet } from '../leads/repository.js';
import { legsOnEnd } from './legs.js';
import { toCall, type CallRecord, type CallRepository } from './repository.js';

const E164 = /^\+[1-9]\d{6,14}$/;

/** Where the caller's own phone comes from. */
export interface CallerPhones {
  phoneOf(orgId: string, user: EmbedUser): Promise<string | null>;
}

/**
 * The caller's phone: their team roster entry's (`PUT /v1/team` users[].phone, server/src/team), else the embed token's
 * `phone` claim. The roster wins: it is the clinic's own list, kept current by the host.
 */
export class RosterCallerPhones implements CallerPhones {
  private readonly team: TeamRepository;
  constructor(db: Db) {
    this.team = new TeamRepository(db);
  }

  async phoneOf(orgId: string, user: EmbedUser): Promise<string | null> {
    const entry = (await this.team.roster(orgId)).find((u) => u.id === user.id);
    const phone = entry?.phone ?? user.phone ?? null;
    return phone && E164.test(phone) ? phone : null;
  }
}

export async function callModesFor(callers: CallerPhones, orgId: string, user: EmbedUser): Promise<CallMode[]> {
  return (await callers.phoneOf(orgId, user)) ? ['agent', 'connect'] : ['agent'];
}

export const callerPhoneMissing = () =>
  unprocessable(
    'CALLER_PHONE_MISSING',
    'Connect me rings your own phone first, and there is no phone number on file for you. Ask your clinic admin to add ' +
      "your mobile number to your profile in the CRM's team list (it reaches Live Leads as users[].phone of PUT /v1/team), " +
      'or choose "AI agent calls".',
  );

/**
 * What a Connect-me call carries (assistantOverrides): the first message the caller hears, and a connector model whose
 * only tool is a transferCall to the lead with the clinic's number as caller id. The model replaces the agent's for this
 * call only, so the agent's lead conversation prompt is never used on the caller.
 */
export function connectOverrides(input: { leadName: string; leadPhone: string; clinicPhone: string; model?: Vapi.OpenAiModelModel }): {
  firstMessage: string;
  model: Vapi.AssistantOverridesModel.Openai;
} {
  const name = input.leadName.trim() || 'the lead';
  return {
    firstMessage: `You're being connected to ${name}. Please hold while I dial.`,
    model: {
      provider: 'openai',
      model: input.model ?? 'gpt-4o',
      messages: [
        {
          role: 'system',
          content:
            `You connect a clinic staff member to a lead by phone. You have just told them they are being connected to ${name}. ` +
            'Call the transferCall tool at once, without saying anything else and without waiting for a reply.',
        },
      ],
      tools: [
        transferCallTool({ number: input.leadPhone, callerId: input.clinicPhone, message: '', description: `The lead, ${name}: transfer right away.`, name: 'Lead' }),
      ],
    },
  };
}

/** AI agent calls: the transfer to the clinic's front desk, appended to the agent's tools for this call. */
export function frontDeskTool(frontDeskNumber: string, clinicPhone: string): Vapi.AssistantOverridesToolsAppendItem.TransferCall {
  return transferCallTool({
    number: frontDeskNumber,
    callerId: clinicPhone,
    message: "Of course. I'll put you through to our front desk now, one moment.",
    description: 'The clinic front desk. Transfer when the person asks to speak to a real person, a human or the front desk.',
    name: 'Front desk',
  });
}

/**
 * The end of a Connect-me call. Vapi's part ends at the transfer (a blind transfer hands the call over), so its
 * transcript is the connector's few words and the voice it heard is the caller's: nothing is scored and no intent is
 * taken. Transferred: the call is ended and the outcome is left to the caller to record (Vapi does not learn whether
 * the lead picked up). Not transferred (the caller did not answer, was busy, or the call failed): the call failed
 * with what happened, and the lead, never dialled, keeps its last outcome.
 */
export async function applyConnectEnd(
  deps: { calls: CallRepository; broadcaster: Broadcaster; now: () => Date; leadChange: (orgId: string, leadId: string, plan: Planner) => Promise<unknown> },
  record: CallRecord,
  end: Omit<VapiCallSnapshot, 'status' | 'vapiCallId'>,
): Promise<void> {
  const { orgId } = record;
  const now = deps.now();
  const legs = record.legs ?? [];
  const transferred = legs.some((l) => l.role === 'lead') || end.endedReason === 'assistant-forwarded-call';
  const endedAt = end.endedAt ? new Date(end.endedAt) : now;
  const startedAt = end.startedAt ? new Date(end.startedAt) : record.startedAt;
  const ending = describeEndedReason(end.endedReason);
  const what = ending.label ? ending.label.replace(/\.$/, '').toLowerCase() : `the call ended (${end.endedReason ?? 'no reason given'})`;
  const error = transferred ? null : `Your phone was not connected (${what}), so the lead was not called. Check your number or try again.`;
  const updated = await deps.calls.update(orgId, record.id, {
    status: transferred ? 'ended' : 'failed',
    error,
    endedReason: end.endedReason,
    startedAt,
    endedAt,
    durationSec: end.durationSec,
    transcript: end.transcript || null,
    messages: end.messages.filter((m) => m.role !== 'system'),
    recordingUrl: end.recordingUrl,
    summary: transferred ? 'Connected you to the lead by phone.' : null,
    scoreAfter: null,
    outcome: transferred ? null : 'failed',
    intent: null,
    requestedAt: null,
    // Not transferred: a leg that never answered failed (the status-update before this may have closed it as ended).
    legs: legsOnEnd(legs, { failed: !transferred, endedAt, connectedAt: startedAt }).map((l) => (!transferred && !l.startedAt ? { ...l, status: 'failed' as const } : l)),
  });
  if (updated) deps.broadcaster.publish(orgId, 'call:updated', { call: toCall(updated) });
  await deps.leadChange(orgId, record.contactId, (current) => {
    const set: ContactSet = current.activeCallId === record.id ? { activeCallId: null } : {};
    const detail = transferred ? 'Connected by phone: record how the call went' : (error ?? 'The call failed.');
    return { set, events: [{ type: 'call', to: transferred ? 'ended' : 'failed', detail }] };
  });
}
