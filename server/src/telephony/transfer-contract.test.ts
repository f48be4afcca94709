/**
 * Issue 13: transfers through Vapi's transferCall tool, against the sandbox with the product's own client code. The
 * shapes are those of the SDK's types (`@vapi-ai/server-sdk` 2.0.1): a `TransferDestinationNumber` with `callerId` and
 * `transferPlan.mode`, the `forwarding` status-update carrying `destination`, and `transfer-update` (sent only when the
 * call's serverMessages ask for it: it is not among Vapi's defaults).
 */
import assert from 'node:assert/strict';
import { startFastSandbox, stopFastSandbox } from '../../../sandbox/testing.js';
import type { ReceivedRequest, WebhookReceiver } from '../../../sandbox/receiver.js';
import type { TelephonySandbox } from '../../../sandbox/index.js';
import { connectOverrides, frontDeskTool } from '../calls/connect.js';
import { createVapi, DEFAULT_VOICE, importTwilioNumber, placeCall, upsertOutboundAssistant } from './vapi.js';
import { parseVapiWebhook } from './vapi-webhook.js';

const ACCOUNT = 'AC' + 'c3'.repeat(16);
const CLINIC = '+14155550177';
const CALLER = '+12125550801';
const LEAD = '+12125550802';
const SECRET = 'whsec-transfer-test-0123456789';

type Message = { type: string; status?: string; endedReason?: string; destination?: Record<string, unknown>; customer?: { number: string }; artifact?: { transcript?: string } };
const messageOf = (r: ReceivedRequest) => (JSON.parse(r.rawBody) as { message: Message }).message;

describe('telephony sandbox: transfers (issue 13)', () => {
  let sandbox: TelephonySandbox;
  let receiver: WebhookReceiver;
  beforeEach(async () => ({ sandbox, receiver } = await startFastSandbox()));
  afterEach(() => stopFastSandbox({ sandbox, receiver }));

  async function setUp() {
    const vapi = createVapi({ token: 'vapi-transfer-key', baseUrl: sandbox.vapiBaseUrl, timeoutSeconds: 5 });
    const assistant = await upsertOutboundAssistant(vapi, {
      name: 'Glow outbound',
      voice: DEFAULT_VOICE,
      systemPrompt: 'You are Ava from the clinic.',
      firstMessage: 'Hi {{first_name}}, this is Ava from the clinic.',
      serverUrl: `${receiver.url}/webhooks/vapi`,
      webhookAuth: { type: 'secret', secret: SECRET },
    });
    const number = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: 'tok-0123456789' });
    return { vapi, assistantId: assistant.id, phoneNumberId: number.id };
  }

  it('Connect me: the caller is dialled, hears the first message, and is blind-transferred to the lead showing the clinic number', async () => {
    const { vapi, assistantId, phoneNumberId } = await setUp();
    const placed = await placeCall(vapi, {
      assistantId,
      phoneNumberId,
      customer: { number: CALLER, name: 'Maria' },
      orgId: 'o1',
      callId: 'k1',
      ...connectOverrides({ leadName: 'Carla Lead', leadPhone: LEAD, clinicPhone: CLINIC }),
    });
    // What Vapi was asked: the connector model whose one tool is the transfer, and transfer-update among the messages.
    const asked = await vapi.calls.get({ id: placed.vapiCallId });
    const overrides = asked.assistantOverrides as { model?: { tools?: Array<{ type: string; destinations?: unknown[] }> }; serverMessages?: string[]; firstMessage?: string };
    assert.deepEqual(overrides.model?.tools?.map((t) => t.type), ['transferCall']);
    assert.deepEqual(overrides.model?.tools?.[0]?.destinations, [
      { type: 'number', number: LEAD, callerId: CLINIC, message: '', description: 'The lead, Carla Lead: transfer right away.', name: 'Lead', transferPlan: { mode: 'blind-transfer' } },
    ]);
    assert.ok(overrides.serverMessages?.includes('transfer-update'));
    assert.equal(overrides.firstMessage, "You're being connected to Carla Lead. Please hold while I dial.");

    await sandbox.control.idle();
    const messages = receiver.received.map(messageOf);
    assert.deepEqual(
      messages.map((m) => (m.type === 'status-update' ? `status:${m.status}` : m.type)),
      ['status:ringing', 'status:in-progress', 'status:forwarding', 'transfer-update', 'status:ended', 'end-of-call-report'],
    );
    assert.ok(messages.every((m) => m.customer?.number === CALLER), 'Vapi\'s customer is the caller\'s phone');
    const forwarding = messages[2]!;
    assert.equal(forwarding.destination?.number, LEAD);
    assert.equal(messages[3]!.destination?.callerId, CLINIC);
    assert.equal(messages[4]!.endedReason, 'assistant-forwarded-call');
    assert.match(messages[5]!.artifact?.transcript ?? '', /^AI: You're being connected to Carla Lead/);
    // Our parser reads both transfer messages as the same transfer to the lead.
    const parsed = receiver.received.map((r) => parseVapiWebhook(JSON.parse(r.rawBody)));
    assert.deepEqual(parsed.flatMap((e) => (e.kind === 'transfer' || (e.kind === 'status' && e.transferTo) ? [e.transferTo] : [])), [LEAD, LEAD]);
    assert.deepEqual(sandbox.control.transfers().map(({ from, to, callerId, mode }) => ({ from, to, callerId, mode })), [{ from: CALLER, to: LEAD, callerId: CLINIC, mode: 'blind-transfer' }]);
    // Like Vapi's Call object after a transfer: the destination is on the call.
    const after = await vapi.calls.get({ id: placed.vapiCallId });
    assert.equal(after.status, 'ended');
    assert.equal((after.destination as { number?: string } | undefined)?.number, LEAD);
  });

  it('an agent call transfers to the front desk only when the lead asks for a person, and sends transfer-update only when asked for', async () => {
    const { vapi, assistantId, phoneNumberId } = await setUp();
    // A plain conversation with the tool: no transfer.
    sandbox.control.nextCallScenario('warm');
    await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: LEAD }, orgId: 'o1', callId: 'k2', appendTools: [frontDeskTool('+12125550899', CLINIC)] });
    await sandbox.control.idle();
    assert.equal(sandbox.control.transfers().length, 0);

    // Without the product's serverMessages (Vapi's defaults), and without a callerId: the forwarding status only, and
    // the destination sees the call's own number (Vapi's default caller id for outbound calls).
    receiver.received.length = 0;
    sandbox.control.nextCallScenario('forwarded');
    await vapi.calls.create({
      assistantId,
      phoneNumberId,
      customer: { number: '+12125550803' },
      assistantOverrides: { serverMessages: ['status-update', 'end-of-call-report'], 'tools:append': [{ type: 'transferCall', destinations: [{ type: 'number', number: '+12125550899' }] }] },
    });
    await sandbox.control.idle();
    const types = receiver.received.map(messageOf).map((m) => (m.type === 'status-update' ? `status:${m.status}` : m.type));
    assert.deepEqual(types, ['status:ringing', 'status:in-progress', 'status:forwarding', 'status:ended', 'end-of-call-report']);
    assert.deepEqual(sandbox.control.transfers().map(({ from, to, callerId }) => ({ from, to, callerId })), [{ from: '+12125550803', to: '+12125550899', callerId: CLINIC }]);
  });
});
