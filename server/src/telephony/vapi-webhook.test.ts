import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { callOutcomeOf, describeEndedReason, parseVapiWebhook, toCallStatus, VapiPayloadError, verifyVapiRequest } from './vapi-webhook.js';
import { mapVapiError, VapiProviderError } from './vapi.js';
import { VapiError, VapiTimeoutError } from '@vapi-ai/server-sdk';

const SECRET = 'org-webhook-secret';
const NOW = Date.parse('2025-05-06T15:00:00Z');
const body = JSON.stringify({ message: { type: 'status-update', status: 'ringing', call: { id: 'c1' } } });
const sign = (ts: string, raw: string, secret = SECRET) => createHmac('sha256', secret).update(`${ts}.${raw}`).digest('hex');

describe('verifyVapiRequest', () => {
  it('accepts a valid HMAC signature with a millisecond or a second timestamp', () => {
    for (const ts of [String(NOW), String(NOW / 1000)]) {
      assert.deepEqual(
        verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(ts, body), 'x-timestamp': ts }, secret: SECRET, nowMs: NOW }),
        { ok: true, method: 'hmac' },
      );
    }
  });

  it('verifies over the raw bytes (a Buffer works; re-serialised JSON does not)', () => {
    const ts = String(NOW);
    const raw = '{"message": {"type":"status-update", "status":"ringing","call":{"id":"c1"}}}';
    const headers = { 'X-Signature': sign(ts, raw), 'X-Timestamp': ts };
    assert.equal(verifyVapiRequest({ rawBody: Buffer.from(raw), headers, secret: SECRET, nowMs: NOW }).ok, true);
    assert.equal(verifyVapiRequest({ rawBody: JSON.stringify(JSON.parse(raw)), headers, secret: SECRET, nowMs: NOW }).ok, false);
  });

  it('rejects a stale or future timestamp beyond the tolerance, and a missing one', () => {
    const old = String(NOW - 301_000);
    assert.deepEqual(
      verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(old, body), 'x-timestamp': old }, secret: SECRET, nowMs: NOW }),
      { ok: false, reason: 'stale_timestamp' },
    );
    const future = String(NOW + 301_000);
    assert.equal(verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(future, body), 'x-timestamp': future }, secret: SECRET, nowMs: NOW }).ok, false);
    const within = String(NOW - 60_000);
    assert.equal(verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(within, body), 'x-timestamp': within }, secret: SECRET, nowMs: NOW, toleranceSec: 30 }).ok, false);
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign('', body) }, secret: SECRET, nowMs: NOW }), { ok: false, reason: 'bad_timestamp' });
  });

  it('rejects a signature made with another secret or over another timestamp', () => {
    const ts = String(NOW);
    assert.deepEqual(
      verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(ts, body, 'other'), 'x-timestamp': ts }, secret: SECRET, nowMs: NOW }),
      { ok: false, reason: 'bad_signature' },
    );
    assert.deepEqual(
      verifyVapiRequest({ rawBody: body, headers: { 'x-signature': sign(String(NOW - 1000), body), 'x-timestamp': ts }, secret: SECRET, nowMs: NOW }),
      { ok: false, reason: 'bad_signature' },
    );
  });

  it('accepts the legacy x-vapi-secret header and a Bearer credential; rejects wrong values and no credentials', () => {
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: { 'x-vapi-secret': SECRET }, secret: SECRET, nowMs: NOW }), { ok: true, method: 'secret' });
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: { authorization: `Bearer ${SECRET}` }, secret: SECRET, nowMs: NOW }), { ok: true, method: 'bearer' });
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: { 'x-vapi-secret': SECRET.slice(0, -1) }, secret: SECRET, nowMs: NOW }), { ok: false, reason: 'bad_secret' });
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: {}, secret: SECRET, nowMs: NOW }), { ok: false, reason: 'missing_credentials' });
    assert.deepEqual(verifyVapiRequest({ rawBody: body, headers: { 'x-vapi-secret': '' }, secret: '', nowMs: NOW }), { ok: false, reason: 'missing_credentials' });
  });
});

describe('parseVapiWebhook', () => {
  it('normalises a status-update, keeping our metadata', () => {
    const e = parseVapiWebhook({
      message: { type: 'status-update', status: 'ended', endedReason: 'customer-busy', call: { id: 'c1', assistantOverrides: { metadata: { orgId: 'o1', callId: 'k1' } } } },
    });
    const context = { customerNumber: null, phoneNumberId: null, assistantId: null };
    assert.deepEqual(e, { kind: 'status', vapiCallId: 'c1', status: 'ended', endedReason: 'customer-busy', metadata: { orgId: 'o1', callId: 'k1' }, context, transferTo: null });
  });

  it('normalises an end-of-call-report: roles mapped, tool calls dropped, times as ISO, duration from the report', () => {
    const e = parseVapiWebhook({
      message: {
        type: 'end-of-call-report',
        endedReason: 'customer-ended-call',
        startedAt: '2025-05-06T15:00:00.000Z',
        endedAt: '2025-05-06T15:01:30.000Z',
        durationSeconds: 89.6,
        call: { id: 'c2', assistantOverrides: { metadata: { orgId: 'o1', callId: 'k2' } } },
        artifact: {
          transcript: 'AI: Hi\nUser: I want botox',
          recordingUrl: 'https://storage.vapi.ai/c2.wav',
          messages: [
            { role: 'system', message: 'You are Ava', time: 1746543600000, secondsFromStart: 0 },
            { role: 'bot', message: 'Hi', time: 1746543601000, endTime: 1746543602000, secondsFromStart: 1 },
            { role: 'tool_calls', toolCalls: [], time: 1746543602500, secondsFromStart: 2 },
            { role: 'user', message: ' I want botox ', time: 1746543603000, endTime: 1746543604000, secondsFromStart: 3 },
            { role: 'assistant', content: 'Great', time: 1746543605000 },
          ],
        },
        analysis: { summary: 'Wants botox.', structuredData: { intent: 'needs_info' }, successEvaluation: 'false' },
      },
    });
    assert.deepEqual(e, {
      kind: 'ended',
      vapiCallId: 'c2',
      analysis: { intent: 'needs_info', requestedAt: null, successEvaluation: 'false' },
      endedReason: 'customer-ended-call',
      startedAt: '2025-05-06T15:00:00.000Z',
      endedAt: '2025-05-06T15:01:30.000Z',
      durationSec: 90,
      transcript: 'AI: Hi\nUser: I want botox',
      messages: [
        { role: 'system', text: 'You are Ava', at: '2025-05-06T15:00:00.000Z' },
        { role: 'agent', text: 'Hi', at: '2025-05-06T15:00:01.000Z' },
        { role: 'lead', text: 'I want botox', at: '2025-05-06T15:00:03.000Z' },
        { role: 'agent', text: 'Great', at: '2025-05-06T15:00:05.000Z' },
      ],
      recordingUrl: 'https://storage.vapi.ai/c2.wav',
      summary: 'Wants botox.',
      metadata: { orgId: 'o1', callId: 'k2' },
      context: { customerNumber: null, phoneNumberId: null, assistantId: null },
    });
  });

  it('computes the duration and builds a transcript when the report lacks them', () => {
    const e = parseVapiWebhook({
      message: {
        type: 'end-of-call-report',
        endedReason: 'customer-did-not-answer',
        call: { id: 'c3', startedAt: '2025-05-06T15:00:00Z', endedAt: '2025-05-06T15:00:42Z' },
        artifact: { messages: [{ role: 'bot', message: 'Hello?', time: 1 }, { role: 'user', message: 'Hi', time: 2 }] },
        analysis: {},
      },
    });
    assert.ok(e.kind === 'ended');
    assert.equal(e.durationSec, 42);
    assert.equal(e.transcript, 'AI: Hello?\nUser: Hi');
    assert.equal(e.summary, null);
    assert.equal(e.recordingUrl, null);
  });

  it('ignores other message types and rejects malformed known ones', () => {
    assert.deepEqual(parseVapiWebhook({ message: { type: 'speech-update', status: 'started' } }), { kind: 'ignored', type: 'speech-update' });
    assert.throws(() => parseVapiWebhook({ message: { type: 'status-update' } }), VapiPayloadError);
    assert.throws(() => parseVapiWebhook({ message: { type: 'status-update', status: 'ended', call: { id: 5 } } }), VapiPayloadError);
    assert.throws(() => parseVapiWebhook({ hello: 'world' }), VapiPayloadError);
    assert.throws(() => parseVapiWebhook(null), VapiPayloadError);
  });

  it('maps Vapi call statuses to ours', () => {
    assert.deepEqual(
      ['scheduled', 'queued', 'ringing', 'in-progress', 'forwarding', 'ended', 'not-found'].map(toCallStatus),
      ['queued', 'queued', 'ringing', 'in-progress', 'in-progress', 'ended', 'failed'],
    );
  });
});

describe('issue 13: transfers', () => {
  it('reads the destination of a transfer-update and of a forwarding status-update (SDK ServerMessageTransferUpdate / StatusUpdate)', () => {
    const call = { id: 'c2', assistantOverrides: { metadata: { orgId: 'o1', callId: 'k2' } } };
    const destination = { type: 'number', number: '+12125550199', callerId: '+14155550100', transferPlan: { mode: 'blind-transfer' } };
    const t = parseVapiWebhook({ message: { type: 'transfer-update', destination, call } });
    assert.ok(t.kind === 'transfer');
    assert.equal(t.transferTo, '+12125550199');
    assert.deepEqual(t.metadata, { orgId: 'o1', callId: 'k2' });
    const f = parseVapiWebhook({ message: { type: 'status-update', status: 'forwarding', destination, call } });
    assert.ok(f.kind === 'status' && f.transferTo === '+12125550199');
    // A destination that is not a number (an assistant, SIP) is still a transfer, without a number.
    const sip = parseVapiWebhook({ message: { type: 'transfer-update', destination: { type: 'sip', sipUri: 'sip:desk@clinic' }, call } });
    assert.ok(sip.kind === 'transfer' && sip.transferTo === null);
    assert.throws(() => parseVapiWebhook({ message: { type: 'transfer-update', destination: 'nowhere' } }), /malformed transfer-update/);
  });
});

describe('issue 18 (5): messages without a call object, and the endings', () => {
  it('a status-update or report without message.call (optional in Vapi\'s description) parses, with what else names the call', () => {
    const e = parseVapiWebhook({
      message: { type: 'status-update', status: 'ended', endedReason: 'customer-busy', customer: { number: '+12125550100' }, phoneNumber: { id: 'pn1' }, assistant: { id: 'a1' } },
    });
    assert.deepEqual(e, {
      kind: 'status',
      vapiCallId: null,
      status: 'ended',
      endedReason: 'customer-busy',
      metadata: {},
      context: { customerNumber: '+12125550100', phoneNumberId: 'pn1', assistantId: 'a1' },
      transferTo: null,
    });
    const r = parseVapiWebhook({ message: { type: 'end-of-call-report', endedReason: 'voicemail', customer: { number: '+12125550100' } } });
    assert.ok(r.kind === 'ended' && r.vapiCallId === null && r.context.customerNumber === '+12125550100');
  });

  it('failure endings fail the call with a message a person can act on; the lead not taking the call is an ending', () => {
    assert.equal(describeEndedReason('twilio-failed-to-connect-call').status, 'failed');
    assert.match(describeEndedReason('twilio-failed-to-connect-call').label!, /Twilio could not connect/);
    assert.equal(describeEndedReason('pipeline-error-openai-llm-failed').status, 'failed');
    assert.deepEqual(describeEndedReason('customer-busy'), { status: 'ended', label: 'The line was busy.' });
    assert.equal(describeEndedReason('assistant-forwarded-call').status, 'ended');
    assert.deepEqual(describeEndedReason(null), { status: 'ended', label: null });
    assert.deepEqual(describeEndedReason('something-new'), { status: 'ended', label: null });
  });
});

describe('mapVapiError', () => {
  it('maps SDK errors to { kind, status, message }', () => {
    const bad = mapVapiError(new VapiError({ statusCode: 400, body: { message: ['customer.number must be E.164', 'name too long'], statusCode: 400 } }));
    assert.deepEqual([bad.kind, bad.status, bad.message], ['provider', 400, 'Vapi error 400: customer.number must be E.164; name too long']);
    const t = mapVapiError(new VapiTimeoutError('Timeout exceeded'));
    assert.deepEqual([t.kind, t.status], ['timeout', null]);
    const net = mapVapiError(new TypeError('fetch failed'));
    assert.ok(net instanceof VapiProviderError);
    assert.deepEqual([net.kind, net.status], ['provider', null]);
  });
});

describe('call outcomes (issue 12): endedReason and the post-call analysis', () => {
  it('maps Vapi\'s endedReason and whether the lead spoke to an outcome', () => {
    const cases: Array<[string | null, boolean, boolean, string]> = [
      ['voicemail', false, true, 'voicemail'],
      ['voicemail', true, true, 'voicemail'], // a greeting transcribed as the lead's words is still a voicemail
      ['customer-busy', false, false, 'busy'],
      ['customer-did-not-answer', false, false, 'no_answer'],
      ['call.in-progress.error-providerfault-outbound-sip-480-temporarily-unavailable', false, false, 'no_answer'],
      ['twilio-failed-to-connect-call', false, false, 'failed'],
      ['pipeline-error-openai-llm-failed', false, true, 'failed'],
      ['pipeline-error-openai-llm-failed', true, true, 'answered'],
      ['customer-ended-call', true, true, 'answered'],
      ['customer-ended-call', false, true, 'answered'], // picked up, said nothing
      ['silence-timed-out', false, false, 'no_answer'],
      [null, false, false, 'no_answer'],
    ];
    for (const [reason, leadSpoke, connected, outcome] of cases) {
      assert.equal(callOutcomeOf(reason, { leadSpoke, connected }), outcome, `${reason} spoke=${leadSpoke} connected=${connected}`);
    }
  });

  it('reads analysis.structuredData {intent, requestedAt} and successEvaluation from the end-of-call-report, tolerating what an LLM sends', () => {
    const report = (analysis: unknown) => {
      const e = parseVapiWebhook({ message: { type: 'end-of-call-report', call: { id: 'c1' }, analysis } });
      assert.ok(e.kind === 'ended');
      return e.analysis;
    };
    assert.deepEqual(report({ summary: 's', structuredData: { intent: 'booked', requestedAt: '2025-05-08T16:00:00-04:00' }, successEvaluation: 'true' }), {
      intent: 'booked',
      requestedAt: '2025-05-08T20:00:00.000Z',
      successEvaluation: 'true',
    });
    assert.deepEqual(report({ structuredData: '{"intent":"Callback Requested","requestedAt":"2025-05-07T10:00:00"}', successEvaluation: false }), {
      intent: 'callback_requested',
      requestedAt: '2025-05-07T10:00:00.000Z',
      successEvaluation: 'false',
    });
    assert.deepEqual(report({ structuredData: { intent: 'maybe', requestedAt: 'next Tuesday' } }), { intent: null, requestedAt: null, successEvaluation: null });
    assert.deepEqual(report(undefined), { intent: null, requestedAt: null, successEvaluation: null });
  });
});
