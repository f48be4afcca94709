/**
 * Vapi webhook authentication for the call service (telephony/README.md, "Webhook authentication"): which call a
 * message speaks of, and the secrets it may be signed with.
 */
import { verifyVapiRequest, webhookSecretHash, type HeaderBag, type VapiCallContext, type VapiWebhookEvent } from '../telephony/vapi-webhook.js';
import type { ContactRepository } from '../leads/repository.js';
import type { ProviderFactory } from '../settings/providers.js';
import type { AgentRepository } from '../settings/repository.js';
import type { CallRecord, CallRepository } from './repository.js';

function headerValue(headers: HeaderBag, name: string): string | undefined {
  if (typeof Headers !== 'undefined' && headers instanceof Headers) return headers.get(name) ?? undefined;
  const v = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(v) ? v[0] : v;
}

export class VapiWebhookAuth {
  constructor(
    private readonly deps: { calls: CallRepository; contacts: ContactRepository; agents: AgentRepository; providers: ProviderFactory; now: () => Date },
  ) {}

  /** The record a webhook speaks of: by Vapi's id, or by our own id in the metadata when the webhook beat placeCall's reply. */
  async recordFor(event: { vapiCallId: string; metadata: Record<string, unknown> }): Promise<CallRecord | null> {
    const byVapi = await this.deps.calls.findByVapiId(event.vapiCallId);
    if (byVapi) return byVapi;
    const { orgId, callId } = event.metadata;
    if (typeof orgId !== 'string' || typeof callId !== 'string') return null;
    const doc = await this.deps.calls.findById(orgId, callId);
    return doc && (doc.vapiCallId === null || doc.vapiCallId === event.vapiCallId) ? doc : null;
  }

  /**
   * Authenticates a Vapi webhook and finds its call record. A message naming a call is checked against the secret that
   * call was placed under and the agent's current one (so a rotation never strands calls in flight); a message without
   * a call object is authenticated by the secret alone (which names the organisation) and attributed to the active call
   * of the lead with the customer's number. Null when it cannot be authenticated; `record` null when authenticated but
   * no call of ours matches.
   */
  async authenticate(input: {
    rawBody: string;
    headers: HeaderBag;
    vapiCallId: string | null;
    metadata: Record<string, unknown>;
    context: VapiCallContext | null;
    kind: VapiWebhookEvent['kind'];
  }): Promise<{ orgId: string; record: CallRecord | null; method: string } | { failed: string }> {
    const nowMs = this.deps.now().getTime();
    const verify = (secrets: string[]) => {
      let reason = 'missing_credentials';
      for (const secret of secrets) {
        const v = verifyVapiRequest({ rawBody: input.rawBody, headers: input.headers, secret, nowMs });
        if (v.ok) return { ok: true as const, method: v.method };
        reason = v.reason;
      }
      return { ok: false as const, reason };
    };
    const record = input.vapiCallId ? await this.recordFor({ vapiCallId: input.vapiCallId, metadata: input.metadata }) : null;
    if (record) {
      const v = verify(await this.webhookSecrets(record));
      return v.ok ? { orgId: record.orgId, record, method: v.method } : { failed: v.reason };
    }
    // No call of ours by id: the secret itself names the organisation.
    const presented = headerValue(input.headers, 'x-vapi-secret') ?? headerValue(input.headers, 'authorization')?.replace(/^bearer\s+/i, '');
    if (!presented) return { failed: input.vapiCallId ? 'unknown_call' : 'missing_credentials' };
    const agent = await this.deps.agents.byWebhookSecretHash(webhookSecretHash(presented));
    if (!agent) return { failed: input.vapiCallId ? 'unknown_call' : 'bad_secret' };
    const v = verify([this.deps.providers.decrypt(agent.orgId, agent.webhookSecretEnc)]);
    if (!v.ok) return { failed: v.reason };
    if (input.vapiCallId) return { orgId: agent.orgId, record: null, method: v.method };
    return { orgId: agent.orgId, record: await this.callForContext(agent.orgId, input.context, input.kind), method: v.method };
  }

  /** The current webhook secret of an organisation's agent (tests and tools that sign webhooks as Vapi would). */
  async webhookSecret(orgId: string): Promise<string | null> {
    const agent = await this.deps.agents.outbound(orgId);
    return agent ? this.deps.providers.decrypt(orgId, agent.webhookSecretEnc) : null;
  }

  /** The secrets a call's webhooks may be signed with: the one it was placed under, then the agent's current one. */
  private async webhookSecrets(record: CallRecord): Promise<string[]> {
    const out: string[] = [];
    if (record.webhookSecretEnc) out.push(this.deps.providers.decrypt(record.orgId, record.webhookSecretEnc));
    const agent = await this.deps.agents.outbound(record.orgId);
    if (agent) {
      const current = this.deps.providers.decrypt(record.orgId, agent.webhookSecretEnc);
      if (!out.includes(current)) out.push(current);
    }
    return out;
  }

  /**
   * The call a message without a call object speaks of: the lead with the customer's number, then its active call for a
   * status update, or its latest call of the last hours for an end-of-call report (which follows the "ended" status; the
   * receipts keep it applied once).
   */
  private async callForContext(orgId: string, context: VapiCallContext | null, kind: VapiWebhookEvent['kind']): Promise<CallRecord | null> {
    if (!context?.customerNumber || kind === 'ignored') return null;
    const lead = await this.deps.contacts.findByPhone(orgId, context.customerNumber);
    if (!lead) return null;
    if (kind === 'status' || kind === 'transfer') return this.deps.calls.activeForLead(orgId, lead.id);
    const latest = await this.deps.calls.latestForLead(orgId, lead.id);
    return latest && this.deps.now().getTime() - latest.createdAt.getTime() < 3 * 3600_000 ? latest : null;
  }
}
