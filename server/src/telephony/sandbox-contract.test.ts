import assert from 'node:assert/strict';
import { FAST_DELAYS, formOf, startFastSandbox, stopFastSandbox } from '../../../sandbox/testing.js';
import twilio from 'twilio';
import { DEFAULT_KEYWORD_SETTINGS } from '../scoring/keywords.js';
import { scoreConversation } from '../scoring/score.js';
import {
  createTwilio,
  describeTwilioErrorCode,
  findIncomingNumber,
  sendSms,
  setInboundWebhook,
  TwilioProviderError,
  validateTwilioWebhook,
  verifyTwilioCredentials,
} from './twilio.js';
import {
  createVapi,
  isGone,
  removeVapiPhoneNumber,
  getCall,
  importTwilioNumber,
  placeCall,
  upsertOutboundAssistant,
  VapiProviderError,
  DEFAULT_VOICE,
} from './vapi.js';
import { parseVapiWebhook, verifyVapiRequest, type VapiWebhookEvent } from './vapi-webhook.js';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from '../../../sandbox/receiver.js';
import { startTelephonySandbox, type TelephonySandbox } from '../../../sandbox/index.js';

const FAST = FAST_DELAYS;
const ACCOUNT = 'AC' + 'a1'.repeat(16);
const TOKEN = 'sandbox-auth-token';
const CLINIC = '+14155550100';
const SECRET = 'whsec-test-secret-0123456789';

const form = formOf;
const json = (r: ReceivedRequest) => JSON.parse(r.rawBody) as { message: { type: string } };

describe('telephony sandbox', () => {
  let sandbox: TelephonySandbox;
  let receiver: WebhookReceiver;

  beforeEach(async () => ({ sandbox, receiver } = await startFastSandbox()));
  afterEach(() => stopFastSandbox({ sandbox, receiver }));

  /** Sets up an org the way the product does: assistant (secret in server.headers), imported number. */
  async function setUpVapi() {
    const vapi = createVapi({ token: 'vapi-private-key', baseUrl: sandbox.vapiBaseUrl, timeoutSeconds: 5 });
    const assistant = await upsertOutboundAssistant(vapi, {
      name: 'Glow outbound',
      voice: DEFAULT_VOICE,
      systemPrompt: 'You are Ava, the friendly assistant of {{clinic_name}}. Book consultations.',
      firstMessage: 'Hi {{first_name}}, this is Ava from {{clinic_name}}, the virtual assistant. Is now a good time?',
      serverUrl: `${receiver.url}/webhooks/vapi`,
      webhookAuth: { type: 'secret', secret: SECRET },
    });
    const number = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
    return { vapi, assistantId: assistant.id, phoneNumberId: number.id };
  }

  function verifiedEvents(reqs: ReceivedRequest[]): VapiWebhookEvent[] {
    return reqs.map((r) => {
      const v = verifyVapiRequest({ rawBody: r.rawBody, headers: r.headers, secret: SECRET, nowMs: Date.now() });
      assert.equal(v.ok, true, `webhook ${json(r).message.type} failed verification: ${JSON.stringify(v)}`);
      return parseVapiWebhook(JSON.parse(r.rawBody));
    });
  }

  describe('Vapi calls', () => {
    it('a hot call goes ringing -> in-progress -> ended, then an end-of-call-report (each with x-vapi-secret) that scores hot', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      sandbox.control.nextCallScenario('hot');
      const placed = await placeCall(vapi, {
        assistantId,
        phoneNumberId,
        customer: { number: '+12125550123', name: 'Maria Lopez' },
        orgId: 'org_1',
        callId: 'call_1',
        variableValues: { first_name: 'Maria', clinic_name: 'Glow Aesthetics' },
      });
      assert.equal(placed.status, 'queued');
      await sandbox.control.idle();
      const reqs = await receiver.waitFor(4);
      for (const r of reqs) {
        assert.equal(r.path, '/webhooks/vapi');
        assert.equal(r.headers['x-vapi-secret'], SECRET);
      }
      const events = verifiedEvents(reqs);
      assert.deepEqual(
        events.map((e) => (e.kind === 'status' ? `status:${e.status}` : e.kind)),
        ['status:ringing', 'status:in-progress', 'status:ended', 'ended'],
      );
      const ended = events[3]!;
      assert.ok(ended.kind === 'ended');
      assert.equal(ended.vapiCallId, placed.vapiCallId);
      assert.deepEqual(ended.metadata, { orgId: 'org_1', callId: 'call_1' });
      assert.equal(ended.messages[0]?.role, 'system');
      assert.equal(ended.messages[0]?.text, 'You are Ava, the friendly assistant of Glow Aesthetics. Book consultations.');
      assert.equal(ended.messages[1]?.role, 'agent');
      assert.equal(ended.messages[1]?.text, 'Hi Maria, this is Ava from Glow Aesthetics, the virtual assistant. Is now a good time?');
      assert.ok(ended.messages.some((m) => m.role === 'lead'));
      assert.match(ended.transcript, /^AI: Hi Maria/);
      assert.match(ended.recordingUrl ?? '', /^http:\/\/127\.0\.0\.1:\d+\/recordings\/.+\.wav$/);
      assert.ok(ended.summary && ended.summary.length > 10);
      assert.ok(ended.durationSec !== null && ended.durationSec > 10);
      const score = scoreConversation(ended.messages, DEFAULT_KEYWORD_SETTINGS);
      assert.ok(score && score.score >= 80, `hot scenario scored ${score?.score}`);

      // The recording URL answers, and the call reads back ended (reconciliation path).
      const wav = await fetch(ended.recordingUrl!);
      assert.equal(wav.headers.get('content-type'), 'audio/wav');
      const snapshot = await getCall(vapi, placed.vapiCallId);
      assert.equal(snapshot.status, 'ended');
      assert.deepEqual(snapshot.messages, ended.messages);
    });

    it('a webhook with a wrong or missing secret fails verification', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      sandbox.control.nextCallScenario('warm');
      await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550125' }, orgId: 'o', callId: 'c' });
      await sandbox.control.idle();
      const [first] = await receiver.waitFor(4);
      assert.equal(first!.headers['x-signature'], undefined, 'no credential, no HMAC');
      assert.deepEqual(verifyVapiRequest({ rawBody: first!.rawBody, headers: first!.headers, secret: SECRET, nowMs: Date.now() }), { ok: true, method: 'secret' });
      assert.deepEqual(verifyVapiRequest({ rawBody: first!.rawBody, headers: first!.headers, secret: 'other', nowMs: Date.now() }), { ok: false, reason: 'bad_secret' });
      assert.deepEqual(verifyVapiRequest({ rawBody: first!.rawBody, headers: {}, secret: SECRET, nowMs: Date.now() }), { ok: false, reason: 'missing_credentials' });
    });

    it('issue 18 (1): the assistant carries the secret in server.headers, and the sandbox, like Vapi\'s API description, has no /credential', async () => {
      const { vapi, assistantId } = await setUpVapi();
      const got = await vapi.assistants.get({ id: assistantId });
      assert.deepEqual(got.server?.headers, { 'x-vapi-secret': SECRET });
      assert.equal(got.server?.credentialId, undefined);
      const res = await fetch(`${sandbox.vapiBaseUrl}/credential`, {
        method: 'POST',
        headers: { authorization: 'Bearer vapi-private-key', 'content-type': 'application/json' },
        body: JSON.stringify({ provider: 'webhook', authenticationPlan: { type: 'hmac', secretKey: 'x' } }),
      });
      assert.equal(res.status, 404);
    });

    it('issue 18 (2): firstMessage and system prompt are rendered as Vapi renders them: variableValues, defaults, and nothing for an unknown name', async () => {
      const vapi = createVapi({ token: 'vapi-private-key', baseUrl: sandbox.vapiBaseUrl });
      const assistant = await upsertOutboundAssistant(vapi, {
        name: 'a',
        voice: DEFAULT_VOICE,
        systemPrompt: 'Today is {{date}}. The lead is {{full_name}}, reached on {{customer.number}}.',
        firstMessage: 'Hi {{ first_name | default: "there" }} {{leadName}}from {{clinic_name}}, {{year}}',
        serverUrl: `${receiver.url}/webhooks/vapi`,
        webhookAuth: { type: 'secret', secret: SECRET },
      });
      const number = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      sandbox.control.nextCallScenario('hot');
      await placeCall(vapi, {
        assistantId: assistant.id,
        phoneNumberId: number.id,
        customer: { number: '+12125550133', name: 'Ana Ruiz' },
        orgId: 'o',
        callId: 'c',
        variableValues: { first_name: '', full_name: 'Ana Ruiz', clinic_name: 'Glow' },
      });
      await sandbox.control.idle();
      const ended = verifiedEvents(await receiver.waitFor(4)).find((e) => e.kind === 'ended');
      assert.ok(ended?.kind === 'ended');
      const year = new Date().getUTCFullYear();
      assert.equal(ended.messages[1]?.text, `Hi there from Glow, ${year}`, 'the default filter fills an empty value; an unknown name renders as nothing');
      assert.match(ended.messages[0]!.text, new RegExp(`^Today is [A-Z][a-z]{2} \\d{1,2}, ${year}\\. The lead is Ana Ruiz, reached on \\+12125550133\\.$`));
    });

    it('a voicemail has no lead speech (score unchanged) and no-answer never reaches in-progress', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      sandbox.control.nextCallScenario('voicemail');
      const vm = await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550126' }, orgId: 'o', callId: 'vm' });
      await sandbox.control.idle();
      sandbox.control.nextCallScenario('no-answer');
      const na = await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550127' }, orgId: 'o', callId: 'na' });
      await sandbox.control.idle();
      const events = verifiedEvents(await receiver.waitFor(7));
      const byCall = (id: string) => events.filter((e) => e.kind !== 'ignored' && e.vapiCallId === id);

      const vmEnded = byCall(vm.vapiCallId).find((e) => e.kind === 'ended');
      assert.ok(vmEnded?.kind === 'ended');
      assert.equal(vmEnded.endedReason, 'voicemail');
      assert.equal(scoreConversation(vmEnded.messages, DEFAULT_KEYWORD_SETTINGS), null);

      const naEvents = byCall(na.vapiCallId);
      assert.deepEqual(
        naEvents.map((e) => (e.kind === 'status' ? e.status : e.kind)),
        ['ringing', 'ended', 'ended'],
      );
      const naEnded = naEvents[2]!;
      assert.ok(naEnded.kind === 'ended');
      assert.equal(naEnded.endedReason, 'customer-did-not-answer');
      assert.deepEqual(naEnded.messages, []);
      assert.equal(naEnded.recordingUrl, null);
    });

    it('the HTTP control forces the next scenario', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      const res = await fetch(`${sandbox.url}/__sandbox/next-call`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'cold' }),
      });
      assert.equal(res.status, 200);
      await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550128' }, orgId: 'o', callId: 'c' });
      await sandbox.control.idle();
      const ended = verifiedEvents(await receiver.waitFor(4)).find((e) => e.kind === 'ended');
      assert.ok(ended?.kind === 'ended');
      const score = scoreConversation(ended.messages, DEFAULT_KEYWORD_SETTINGS);
      assert.ok(score && score.score < 50, `cold scenario scored ${score?.score}`);
    });

    it('upserting the assistant updates it in place, and recreates it when Vapi no longer has it', async () => {
      const { vapi, assistantId } = await setUpVapi();
      const base = {
        name: 'Glow outbound',
        voice: DEFAULT_VOICE,
        systemPrompt: 'p',
        firstMessage: 'Hello again',
        serverUrl: `${receiver.url}/webhooks/vapi`,
        webhookAuth: { type: 'secret', secret: SECRET } as const,
      };
      assert.equal((await upsertOutboundAssistant(vapi, { ...base, assistantId })).id, assistantId);
      const got = await vapi.assistants.get({ id: assistantId });
      assert.equal(got.firstMessage, 'Hello again');
      assert.deepEqual(got.server?.headers, { 'x-vapi-secret': SECRET });
      const recreated = await upsertOutboundAssistant(vapi, { ...base, assistantId: 'gone-assistant' });
      assert.notEqual(recreated.id, 'gone-assistant');
    });

    it('issue 18 (5): an assistant deleted in Vapi is recreated on any client error of the update, not on a 404 only', async () => {
      const { vapi, assistantId } = await setUpVapi();
      const base = {
        name: 'Glow outbound',
        voice: DEFAULT_VOICE,
        systemPrompt: 'p',
        firstMessage: 'Hello again',
        serverUrl: `${receiver.url}/webhooks/vapi`,
        webhookAuth: { type: 'secret', secret: SECRET } as const,
      };
      assert.equal(sandbox.control.deleteVapiAssistant(assistantId), true);
      // Vapi documents only the 200 of PATCH /assistant/{id}: whatever client error it answers, the product recreates.
      sandbox.control.failNext({ service: 'vapi', status: 400 });
      const recreated = await upsertOutboundAssistant(vapi, { ...base, assistantId });
      assert.ok(recreated.created);
      assert.notEqual(recreated.id, assistantId);
      assert.equal((await vapi.assistants.get({ id: recreated.id })).firstMessage, 'Hello again');
      // Auth and rate-limit errors are not "gone": nothing is created behind the user's back.
      for (const status of [401, 429]) assert.equal(isGone(new VapiProviderError('provider', status, 'x')), false);
      assert.equal(isGone(new VapiProviderError('timeout', null, 'x')), false);
    });

    it('issue 18 (4): re-importing a number updates the Vapi phone number in place; a lost id is found by number; the sandbox refuses duplicates', async () => {
      const vapi = createVapi({ token: 'k', baseUrl: sandbox.vapiBaseUrl });
      const first = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      assert.ok(first.created);
      const again = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: 'rotated-token', phoneNumberId: first.id });
      assert.deepEqual([again.id, again.created], [first.id, false]);
      const lost = await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, phoneNumberId: 'gone' });
      assert.deepEqual([lost.id, lost.created], [first.id, false]);
      assert.equal(sandbox.control.vapiPhoneNumbers().length, 1);
      await assert.rejects(
        vapi.phoneNumbers.create({ provider: 'twilio', number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN, smsEnabled: false }),
        (e: unknown) => e instanceof Error && /already exists/.test(e.message),
      );
      await removeVapiPhoneNumber(vapi, first.id);
      await removeVapiPhoneNumber(vapi, first.id); // already gone: fine
      assert.equal(sandbox.control.vapiPhoneNumbers().length, 0);
    });

    it('issue 18 (5): the failure endings and the forwarding status are sent as Vapi sends them', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      const run = async (scenario: 'busy' | 'failed-to-connect' | 'forwarded', number: string) => {
        receiver.received.length = 0;
        sandbox.control.nextCallScenario(scenario);
        const placed = await placeCall(vapi, { assistantId, phoneNumberId, customer: { number }, orgId: 'o', callId: scenario });
        await sandbox.control.idle();
        const events = verifiedEvents(receiver.received).flatMap((e) => (e.kind !== 'ignored' && e.kind !== 'transfer' && e.vapiCallId === placed.vapiCallId ? [e] : []));
        return events.map((e) => (e.kind === 'status' ? `${e.status}${e.endedReason ? `:${e.endedReason}` : ''}` : `report:${e.endedReason}`));
      };
      assert.deepEqual(await run('busy', '+12125550134'), ['ringing', 'ended:customer-busy', 'report:customer-busy']);
      assert.deepEqual(await run('failed-to-connect', '+12125550135'), ['ended:twilio-failed-to-connect-call', 'report:twilio-failed-to-connect-call']);
      assert.deepEqual(await run('forwarded', '+12125550136'), [
        'ringing',
        'in-progress',
        'forwarding',
        'ended:assistant-forwarded-call',
        'report:assistant-forwarded-call',
      ]);
    });

    it('issue 12: the end-of-call-report carries analysis.structuredData {intent, requestedAt} and successEvaluation, as the assistant\'s analysisPlan asks', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      const assistant = await vapi.assistants.get({ id: assistantId });
      assert.equal(assistant.analysisPlan?.structuredDataPlan?.enabled, true);
      const run = async (scenario: 'booked' | 'callback' | 'not-interested' | 'needs-info' | 'hot' | 'voicemail', number: string) => {
        receiver.received.length = 0;
        sandbox.control.nextCallScenario(scenario);
        const placed = await placeCall(vapi, { assistantId, phoneNumberId, customer: { number, name: 'Maria Lopez' }, orgId: 'o', callId: scenario });
        await sandbox.control.idle();
        const raw = receiver.received.map((r) => json(r).message as Record<string, any>).find((m) => m.type === 'end-of-call-report' && m.call?.id === placed.vapiCallId);
        assert.ok(raw, `the ${scenario} report`);
        const event = parseVapiWebhook({ message: raw });
        assert.ok(event.kind === 'ended');
        return { raw, event };
      };
      const before = Date.now();
      const booked = await run('booked', '+12125550140');
      assert.equal(booked.raw.analysis.structuredData.intent, 'booked');
      assert.match(booked.raw.analysis.structuredData.requestedAt, /^\d{4}-\d{2}-\d{2}T16:00:00\.000Z$/);
      assert.ok(Date.parse(booked.raw.analysis.structuredData.requestedAt) > before);
      assert.equal(booked.raw.analysis.successEvaluation, 'true');
      assert.equal(booked.raw.call.analysis.structuredData.intent, 'booked', 'the call object carries the analysis too');
      assert.deepEqual(booked.event.analysis, { intent: 'booked', requestedAt: booked.raw.analysis.structuredData.requestedAt, successEvaluation: 'true' });
      assert.match(booked.event.transcript, /booked for a free consultation \w+day at 4:00 PM/);
      const callback = await run('callback', '+12125550141');
      assert.equal(callback.event.analysis.intent, 'callback_requested');
      assert.match(callback.event.analysis.requestedAt ?? '', /T10:00:00\.000Z$/);
      assert.deepEqual((await run('not-interested', '+12125550142')).event.analysis, { intent: 'not_interested', requestedAt: null, successEvaluation: 'false' });
      assert.equal((await run('needs-info', '+12125550143')).event.analysis.intent, 'needs_info');
      assert.equal((await run('hot', '+12125550144')).event.analysis.intent, 'none');
      const vm = await run('voicemail', '+12125550145');
      assert.equal(vm.raw.analysis.structuredData, undefined, 'no analysis of a one-message call (minMessagesThreshold)');
      assert.equal(vm.event.endedReason, 'voicemail');

      // An assistant without a structuredDataPlan gets no structured data (Vapi's default: disabled).
      await vapi.assistants.update({ id: assistantId, analysisPlan: {} });
      assert.equal((await run('booked', '+12125550146')).raw.analysis.structuredData, undefined);
    });

    it('issue 18 (5): on request the webhooks leave out message.call, which the parser accepts', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      sandbox.control.nextCallWithoutCallObject();
      await placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550137' }, orgId: 'o', callId: 'c' });
      await sandbox.control.idle();
      const reqs = await receiver.waitFor(4);
      for (const r of reqs) assert.equal((json(r).message as Record<string, unknown>).call, undefined);
      const events = verifiedEvents(reqs);
      assert.ok(events.every((e) => e.kind !== 'ignored' && e.vapiCallId === null && e.context.customerNumber === '+12125550137'));
    });

    it('maps a Vapi 500 to a provider error without retrying (no call is created)', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      sandbox.control.failNext({ service: 'vapi', status: 500 });
      await assert.rejects(
        placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '+12125550129' }, orgId: 'o', callId: 'c' }),
        (e: unknown) => e instanceof VapiProviderError && e.kind === 'provider' && e.status === 500,
      );
      await sandbox.control.idle();
      assert.equal(receiver.received.length, 0, 'a retried request would have placed the call');
    });

    it('maps a hanging request to a timeout error', async () => {
      const vapi = createVapi({ token: 'k', baseUrl: sandbox.vapiBaseUrl, timeoutSeconds: 0.2 });
      sandbox.control.failNext({ service: 'vapi', hang: true });
      await assert.rejects(getCall(vapi, 'whatever'), (e: unknown) => e instanceof VapiProviderError && e.kind === 'timeout' && e.status === null);
    });

    it('maps validation and auth failures with their status and message', async () => {
      const { vapi, assistantId, phoneNumberId } = await setUpVapi();
      await assert.rejects(
        placeCall(vapi, { assistantId, phoneNumberId, customer: { number: '212-555-0123' }, orgId: 'o', callId: 'c' }),
        (e: unknown) => e instanceof VapiProviderError && e.status === 400 && /E\.164/.test(e.message),
      );
      const bad = createVapi({ token: 'invalid', baseUrl: sandbox.vapiBaseUrl });
      await assert.rejects(getCall(bad, 'x'), (e: unknown) => e instanceof VapiProviderError && e.status === 401);
    });
  });

  describe('Twilio SMS', () => {
    const client = () => createTwilio({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: sandbox.twilioBaseUrl });

    it('verifies credentials; a rejected token is 20003 through the real client', async () => {
      assert.deepEqual(await verifyTwilioCredentials(client()), { sid: ACCOUNT, friendlyName: 'Live Leads Sandbox', status: 'active', type: 'Full' });
      const bad = createTwilio({ accountSid: ACCOUNT, authToken: 'invalid', baseUrl: sandbox.twilioBaseUrl });
      await assert.rejects(bad.api.v2010.accounts(ACCOUNT).fetch(), (e: unknown) => e instanceof twilio.RestException && e.code === 20003 && e.status === 401);
      await assert.rejects(verifyTwilioCredentials(bad), (e: unknown) => e instanceof TwilioProviderError && e.code === 'TWILIO_INVALID_CREDENTIALS');
    });

    it('answers the magic test numbers with their error codes', async () => {
      const c = client();
      await assert.rejects(c.messages.create({ to: '+15005550001', from: CLINIC, body: 'hi' }), (e: unknown) => e instanceof twilio.RestException && e.code === 21211 && e.status === 400);
      const expected: Array<[string, string, number, boolean]> = [
        ['+15005550001', 'INVALID_PHONE_FORMAT', 21211, false],
        ['+15005550003', 'SMS_REGION_NOT_PERMITTED', 21408, false],
        ['+15005550004', 'SMS_OPTED_OUT', 21610, true],
        ['+15005550009', 'PHONE_CANNOT_RECEIVE_SMS', 21614, false],
      ];
      for (const [to, code, twilioCode, optOut] of expected) {
        await assert.rejects(sendSms(c, { to, from: CLINIC, body: 'Hello' }), (e: unknown) => {
          assert.ok(e instanceof TwilioProviderError);
          assert.deepEqual([e.code, e.twilioCode, e.optOut], [code, twilioCode, optOut]);
          return true;
        });
      }
      await assert.rejects(sendSms(c, { to: '+12125550100', from: CLINIC, body: 'x'.repeat(1601) }), (e: unknown) => e instanceof TwilioProviderError && e.code === 'SMS_BODY_TOO_LONG');
    });

    it('issue 18 (3): the magic From numbers, the unroutable To and the sender-ownership errors answer with Twilio\'s codes, each mapped to an actionable message', async () => {
      const c = client();
      const cases: Array<[from: string, to: string, code: string, twilioCode: number]> = [
        ['+15005550001', '+12125550100', 'INVALID_SENDER_NUMBER', 21212],
        ['+15005550007', '+12125550100', 'SENDER_CANNOT_SEND_SMS', 21606],
        ['+15005550008', '+12125550100', 'SMS_QUEUE_FULL', 21611],
        ['+15005550005', '+12125550100', 'SENDER_CANNOT_SEND_SMS', 21606],
        ['+15005550006', '+15005550002', 'SMS_ROUTE_UNAVAILABLE', 21612],
      ];
      // A number that moved to another account (21660), and one that left Twilio (21659).
      const otherAccount = createTwilio({ accountSid: 'AC' + 'c3'.repeat(16), authToken: TOKEN, baseUrl: sandbox.twilioBaseUrl });
      assert.ok(await findIncomingNumber(c, '+14155550177'));
      assert.ok(await findIncomingNumber(otherAccount, '+14155550177'));
      cases.push(['+14155550177', '+12125550100', 'SENDER_OTHER_ACCOUNT', 21660]);
      assert.ok(await findIncomingNumber(c, '+14155550178'));
      sandbox.control.releaseNumber('+14155550178');
      assert.equal(await findIncomingNumber(c, '+14155550178'), null);
      cases.push(['+14155550178', '+12125550100', 'SENDER_NOT_TWILIO_NUMBER', 21659]);
      for (const [from, to, code, twilioCode] of cases) {
        await assert.rejects(sendSms(c, { to, from, body: 'Hello' }), (e: unknown) => {
          assert.ok(e instanceof TwilioProviderError, String(e));
          assert.deepEqual([from, e.code, e.twilioCode], [from, code, twilioCode]);
          assert.ok(e.httpStatus < 500 || e.httpStatus === 503, `${twilioCode} is not a generic 502`);
          assert.match(e.message, /Settings|Try|Twilio/);
          return true;
        });
      }
    });

    it('sends: queued, then signed status callbacks sent -> delivered to the exact statusCallback URL', async () => {
      const callback = `${receiver.url}/webhooks/twilio/status?org=org_1`;
      const sent = await sendSms(client(), { to: '+12125550100', from: CLINIC, body: 'Hi Maria, your consultation is confirmed for Thursday 4pm. Reply STOP to opt out.', statusCallback: callback });
      assert.match(sent.sid, /^SM[0-9a-f]{32}$/);
      assert.equal(sent.status, 'queued');
      assert.equal(sent.numSegments, 1);
      const reqs = await receiver.waitFor(2);
      assert.deepEqual(reqs.map((r) => form(r).MessageStatus), ['sent', 'delivered']);
      for (const r of reqs) {
        const params = form(r);
        assert.equal(params.MessageSid, sent.sid);
        assert.equal(validateTwilioWebhook(TOKEN, r.headers['x-twilio-signature'] as string, callback, params), true);
        // The signature covers the exact URL and every parameter.
        assert.equal(validateTwilioWebhook(TOKEN, r.headers['x-twilio-signature'] as string, `${receiver.url}/webhooks/twilio/status`, params), false);
        assert.equal(validateTwilioWebhook(TOKEN, r.headers['x-twilio-signature'] as string, callback, { ...params, MessageStatus: 'failed' }), false);
        assert.equal(validateTwilioWebhook('wrong-token', r.headers['x-twilio-signature'] as string, callback, params), false);
      }
    });

    it('a forced carrier failure ends undelivered with its ErrorCode, which maps to an actionable code', async () => {
      const callback = `${receiver.url}/webhooks/twilio/status`;
      sandbox.control.nextSmsOutcome({ status: 'undelivered', errorCode: 30006 });
      const sent = await sendSms(client(), { to: '+12125550100', from: CLINIC, body: 'Hi', statusCallback: callback });
      const reqs = await receiver.waitFor(2);
      const last = form(reqs[1]!);
      assert.deepEqual([last.MessageSid, last.MessageStatus, last.ErrorCode], [sent.sid, 'undelivered', '30006']);
      assert.equal(validateTwilioWebhook(TOKEN, reqs[1]!.headers['x-twilio-signature'] as string, callback, last), true);
      assert.equal(describeTwilioErrorCode(Number(last.ErrorCode)).code, 'PHONE_CANNOT_RECEIVE_SMS');
    });

    it('counts segments like the handset does (numSegments is a string on the wire)', async () => {
      const sent = await sendSms(client(), { to: '+12125550100', from: CLINIC, body: 'é'.repeat(100) + '😊' });
      assert.equal(sent.numSegments, 2);
      await sandbox.control.idle();
    });

    it('finds the number, points its SmsUrl at us, and delivers signed inbound texts; STOP blocks sends until START', async () => {
      const c = client();
      const smsUrl = `${receiver.url}/webhooks/twilio/inbound`;
      const number = await findIncomingNumber(c, CLINIC);
      assert.ok(number);
      assert.equal(number.phoneNumber, CLINIC);
      const updated = await setInboundWebhook(c, number.sid, smsUrl);
      assert.equal(updated.smsUrl, smsUrl);
      assert.equal(await findIncomingNumber(c, '+15005550001'), null);

      const lead = '+12125550111';
      const stop = await sandbox.control.inbound({ from: lead, to: CLINIC, body: 'Stop' });
      assert.deepEqual([stop.kind, stop.deliveredTo, stop.status], ['stop', smsUrl, 204]);
      const [req] = await receiver.waitFor(1, (r) => r.path === '/webhooks/twilio/inbound');
      const params = form(req!);
      assert.deepEqual([params.From, params.To, params.Body, params.MessageSid], [lead, CLINIC, 'Stop', stop.messageSid]);
      assert.equal(validateTwilioWebhook(TOKEN, req!.headers['x-twilio-signature'] as string, smsUrl, params), true);

      await assert.rejects(sendSms(c, { to: lead, from: CLINIC, body: 'Are you still there?' }), (e: unknown) => e instanceof TwilioProviderError && e.code === 'SMS_OPTED_OUT' && e.optOut);
      assert.deepEqual(sandbox.control.optedOut(ACCOUNT, CLINIC), [lead]);

      const viaHttp = await fetch(`${sandbox.url}/__sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: lead, to: CLINIC, body: 'START' }),
      });
      assert.equal(((await viaHttp.json()) as { kind: string }).kind, 'start');
      const ok = await sendSms(c, { to: lead, from: CLINIC, body: 'Welcome back!' });
      assert.equal(ok.status, 'queued');
      await sandbox.control.idle();
    });

    it('importing into Vapi with smsEnabled false leaves our SmsUrl in place', async () => {
      const c = client();
      const smsUrl = `${receiver.url}/webhooks/twilio/inbound`;
      await setInboundWebhook(c, (await findIncomingNumber(c, CLINIC))!.sid, smsUrl);
      const vapi = createVapi({ token: 'k', baseUrl: sandbox.vapiBaseUrl });
      await importTwilioNumber(vapi, { number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      assert.equal((await findIncomingNumber(c, CLINIC))!.smsUrl, smsUrl);
      // Whereas the SDK's default (smsEnabled true) hands inbound texts to Vapi, as the real service does.
      const other = createVapi({ token: 'another-vapi-org', baseUrl: sandbox.vapiBaseUrl });
      await other.phoneNumbers.create({ provider: 'twilio', number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      assert.notEqual((await findIncomingNumber(c, CLINIC))!.smsUrl, smsUrl);
    });

    it('a Twilio outage and a timeout map to retryable errors', async () => {
      sandbox.control.failNext({ service: 'twilio', status: 503 });
      await assert.rejects(sendSms(client(), { to: '+12125550100', from: CLINIC, body: 'x' }), (e: unknown) => e instanceof TwilioProviderError && e.httpStatus >= 500);
      sandbox.control.failNext({ service: 'twilio', hang: true });
      const slow = createTwilio({ accountSid: ACCOUNT, authToken: TOKEN, baseUrl: sandbox.twilioBaseUrl, timeoutMs: 200 });
      await assert.rejects(sendSms(slow, { to: '+12125550100', from: CLINIC, body: 'x' }), (e: unknown) => e instanceof TwilioProviderError && e.code === 'TWILIO_TIMEOUT');
    });
  });
});
