/**
 * The sandbox on its own, driven by third-party clients only (the official `twilio` package and plain fetch). The tests
 * that run the product's own clients and adapters against it are in server/src/telephony/sandbox-contract.test.ts.
 */
import assert from 'node:assert/strict';
import { FAST_DELAYS, formOf, startFastSandbox, stopFastSandbox } from './testing.js';
import twilio from 'twilio';
import { startWebhookReceiver, type ReceivedRequest, type WebhookReceiver } from './receiver.js';
import { pickScenario, SCENARIO_NAMES, startTelephonySandbox, type TelephonySandbox } from './index.js';

const FAST = FAST_DELAYS;
const ACCOUNT = 'AC' + 'b2'.repeat(16);
const TOKEN = 'sandbox-own-token';
const CLINIC = '+14155550142';
const SECRET = 'whsec-sandbox-only';

type RequestOptions = Parameters<twilio.RequestClient['request']>[0];

/** The official client, with requests to *.twilio.com sent to the sandbox instead. */
function officialTwilio(baseUrl: string, authToken = TOKEN) {
  class ToSandbox extends twilio.RequestClient {
    override request<T>(opts: RequestOptions) {
      const uri = new URL(opts.uri);
      return super.request<T>({ ...opts, uri: `${baseUrl}${uri.pathname}${uri.search}` } as never);
    }
  }
  return twilio(ACCOUNT, authToken, { httpClient: new ToSandbox({ autoRetry: false }), autoRetry: false });
}

const form = formOf;
const signedByTwilio = (r: ReceivedRequest, url: string) =>
  twilio.validateRequest(TOKEN, String(r.headers['x-twilio-signature']), url, form(r));

describe('telephony sandbox on its own', () => {
  let sandbox: TelephonySandbox;
  let receiver: WebhookReceiver;

  beforeEach(async () => ({ sandbox, receiver } = await startFastSandbox()));
  afterEach(() => stopFastSandbox({ sandbox, receiver }));

  async function vapi(method: string, path: string, body?: unknown) {
    const res = await fetch(`${sandbox.vapiBaseUrl}${path}`, {
      method,
      headers: { authorization: 'Bearer sandbox-only-key', 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  it('picks the conversation deterministically from the customer number, and covers every scenario', () => {
    assert.deepEqual(pickScenario('+1 (212) 555-0199'), pickScenario('+12125550199'));
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) seen.add(pickScenario(`+1212555${String(i).padStart(4, '0')}`).name);
    assert.deepEqual([...seen].sort(), [...SCENARIO_NAMES].sort());
    assert.equal(pickScenario('+12125550199', 'cold').name, 'cold');
  });

  describe('Vapi', () => {
    it('a call posts status-updates and an end-of-call-report, each with the server.headers (and server.secret as x-vapi-secret); the recording answers', async () => {
      assert.equal((await vapi('POST', '/credential', { provider: 'webhook', authenticationPlan: { type: 'hmac', secretKey: SECRET } })).status, 404);
      const assistant = await vapi('POST', '/assistant', {
        name: 'a',
        firstMessage: 'Hi {{name}}',
        server: { url: `${receiver.url}/hook`, headers: { 'X-Clinic': 'glow' }, secret: SECRET },
      });
      const number = await vapi('POST', '/phone-number', { provider: 'twilio', number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      assert.equal(number.body.twilioAuthToken, undefined);
      sandbox.control.nextCallScenario('hot');
      const call = await vapi('POST', '/call', { assistantId: assistant.body.id, phoneNumberId: number.body.id, customer: { number: '+12125550150', name: 'Ana' } });
      assert.deepEqual([call.status, call.body.status], [201, 'queued']);
      await sandbox.control.idle();
      const reqs = await receiver.waitFor(4);
      const messages = reqs.map((r) => (JSON.parse(r.rawBody) as { message: Record<string, unknown> }).message);
      assert.deepEqual(
        messages.map((m) => `${String(m.type)}:${String(m.status ?? '')}`),
        ['status-update:ringing', 'status-update:in-progress', 'status-update:ended', 'end-of-call-report:'],
      );
      for (const r of reqs) {
        assert.equal(r.headers['x-vapi-secret'], SECRET);
        assert.equal(r.headers['x-clinic'], 'glow');
        assert.equal(r.headers['x-signature'], undefined);
      }
      const report = messages[3]!;
      const recordingUrl = String((report.artifact as Record<string, unknown>).recordingUrl);
      const wav = await fetch(recordingUrl);
      assert.equal(wav.headers.get('content-type'), 'audio/wav');
      assert.equal(Buffer.from(await wav.arrayBuffer()).subarray(0, 4).toString(), 'RIFF');
      assert.equal((await vapi('GET', `/call/${String(call.body.id)}`)).body.status, 'ended');
      assert.deepEqual(
        sandbox.control.deliveries().map((d) => [d.provider, d.status]),
        [['vapi', 204], ['vapi', 204], ['vapi', 204], ['vapi', 204]],
      );
    });

    it('answers with Vapi-shaped errors: bad key 401, unknown resources 404, invalid customer number 400', async () => {
      const res = await fetch(`${sandbox.vapiBaseUrl}/call/x`, { headers: { authorization: 'Bearer invalid' } });
      assert.equal(res.status, 401);
      assert.equal(((await res.json()) as { statusCode: number }).statusCode, 401);
      assert.equal((await vapi('GET', '/assistant/missing')).status, 404);
      const assistant = await vapi('POST', '/assistant', { name: 'a' });
      const number = await vapi('POST', '/phone-number', { provider: 'twilio', number: CLINIC, twilioAccountSid: ACCOUNT, twilioAuthToken: TOKEN });
      const bad = await vapi('POST', '/call', { assistantId: assistant.body.id, phoneNumberId: number.body.id, customer: { number: '555-0100' } });
      assert.equal(bad.status, 400);
      assert.match(JSON.stringify(bad.body.message), /E\.164/);
    });
  });

  describe('Twilio, through the official client', () => {
    it('a sent message is queued, then posts sent -> delivered to the StatusCallback, signed as Twilio signs', async () => {
      const callback = `${receiver.url}/status?x=1`;
      const sent = await officialTwilio(sandbox.twilioBaseUrl).messages.create({ to: '+12125550151', from: CLINIC, body: 'Hello', statusCallback: callback });
      assert.equal(sent.status, 'queued');
      assert.equal(sent.numSegments, '1');
      const reqs = await receiver.waitFor(2);
      assert.deepEqual(reqs.map((r) => form(r).MessageStatus), ['sent', 'delivered']);
      for (const r of reqs) assert.equal(signedByTwilio(r, callback), true);
      await sandbox.control.idle();
    });

    it('counts segments by its own reading of Twilio: GSM-7 160/153, UCS-2 70/67', async () => {
      const c = officialTwilio(sandbox.twilioBaseUrl);
      const segments = async (body: string) => (await c.messages.create({ to: '+12125550152', from: CLINIC, body })).numSegments;
      assert.equal(await segments('a'.repeat(160)), '1');
      assert.equal(await segments('a'.repeat(161)), '2');
      assert.equal(await segments('é'.repeat(70)), '1', 'é is in GSM-7');
      assert.equal(await segments('ś'.repeat(70)), '1');
      assert.equal(await segments('ś'.repeat(71)), '2');
      await assert.rejects(c.messages.create({ to: '+12125550152', from: CLINIC, body: 'x'.repeat(1601) }), (e: unknown) => e instanceof twilio.RestException && e.code === 21617);
      await sandbox.control.idle();
    });

    it('only a whole-body keyword opts out; a STOPped recipient gets 21610 until START', async () => {
      const c = officialTwilio(sandbox.twilioBaseUrl);
      const smsUrl = `${receiver.url}/inbound`;
      const [number] = await c.incomingPhoneNumbers.list({ phoneNumber: CLINIC });
      await c.incomingPhoneNumbers(number!.sid).update({ smsUrl });
      const lead = '+12125550153';

      const sentence = await sandbox.control.inbound({ from: lead, to: CLINIC, body: 'stop by tomorrow?' });
      assert.deepEqual([sentence.kind, sentence.status], ['message', 204]);
      assert.deepEqual(sandbox.control.optedOut(ACCOUNT, CLINIC), []);

      const stop = await sandbox.control.inbound({ from: lead, to: CLINIC, body: ' unsubscribe ' });
      assert.deepEqual([stop.kind, stop.deliveredTo], ['stop', smsUrl]);
      const [req] = await receiver.waitFor(1, (r) => form(r).MessageSid === stop.messageSid);
      assert.equal(signedByTwilio(req!, smsUrl), true, 'Twilio forwards the STOP to the webhook too');
      await assert.rejects(c.messages.create({ to: lead, from: CLINIC, body: 'hi' }), (e: unknown) => e instanceof twilio.RestException && e.code === 21610);

      const start = await fetch(`${sandbox.url}/__sandbox/inbound`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ from: lead, to: CLINIC, body: 'Unstop' }),
      });
      assert.equal(((await start.json()) as { kind: string }).kind, 'start');
      assert.equal((await c.messages.create({ to: lead, from: CLINIC, body: 'welcome back' })).status, 'queued');
      await sandbox.control.idle();
    });

    it('fail-next over HTTP answers one request with a Twilio-shaped error, then serves normally', async () => {
      const res = await fetch(`${sandbox.url}/__sandbox/fail-next`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'twilio', status: 503 }),
      });
      assert.equal(res.status, 200);
      const c = officialTwilio(sandbox.twilioBaseUrl);
      await assert.rejects(c.api.v2010.accounts(ACCOUNT).fetch(), (e: unknown) => e instanceof twilio.RestException && e.status === 503 && e.code === 20500);
      assert.equal((await c.api.v2010.accounts(ACCOUNT).fetch()).status, 'active');
      await assert.rejects(officialTwilio(sandbox.twilioBaseUrl, 'invalid').api.v2010.accounts(ACCOUNT).fetch(), (e: unknown) => e instanceof twilio.RestException && e.code === 20003);
    });
  });

  it('the control API refuses bad input and reports its state', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${sandbox.url}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal((await post('next-call', { scenario: 'lukewarm' })).status, 400);
    assert.equal((await post('fail-next', { service: 'smtp' })).status, 400);
    assert.equal((await post('next-sms', { status: 'lost', errorCode: 30003 })).status, 400);
    assert.equal((await post('inbound', { from: '+1' })).status, 400);
    assert.equal((await post('nothing', {})).status, 404);
    const state = (await (await fetch(`${sandbox.url}/__sandbox/state`)).json()) as Record<string, unknown>;
    assert.deepEqual(state, { calls: [], messages: [], deliveries: [], transfers: [], scenarios: [...SCENARIO_NAMES, 'busy', 'failed-to-connect', 'forwarded', 'booked', 'callback', 'not-interested', 'needs-info'] });
    assert.throws(() => sandbox.control.nextCallScenario('lukewarm' as never), RangeError);
  });
});
