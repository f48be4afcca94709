/**
 * Database faults injected with MongoDB's failCommand fail point (the embedded engine's, started with test commands; a
 * real mongod needs --setParameter enableTestCommands=1, or these tests skip). A failure at each write of a status
 * change, a call start and a text must leave consistent data: retried or compensated, never half-done, never silent.
 */
import assert from 'node:assert/strict';
import { ObjectId, type Document } from 'mongodb';
import { startTestServer, configureTelephony, leadBody, eventually, type TestServer } from './testing/harness.js';

describe('database faults (failCommand)', function () {
  this.timeout(60_000);
  let server: TestServer;
  let orgId: string;
  let token: string;

  const failPoint = (mode: Document | string, data?: Document) =>
    server.database.client.db('admin').command({ configureFailPoint: 'failCommand', mode, ...(data ? { data } : {}) });
  const failNext = (command: string, collection: string, mode: Document | string = { times: 1 }) =>
    failPoint(mode, { failCommands: [command], errorCode: 91, namespace: `${server.config.MONGODB_DB}.${collection}` });
  const off = () => failPoint('off');
  const db = () => server.database.db;

  before(async function () {
    server = await startTestServer({}, { embeddedEngine: { enableTestCommands: true } });
    try {
      await off();
    } catch {
      await server.close();
      this.skip(); // a MongoDB without enableTestCommands: these tests need the fail point
    }
    ({ orgId } = await server.createOrg('Faults Clinic'));
    token = await server.token(orgId, { id: 'amy', name: 'Amy', role: 'admin' });
    await configureTelephony(server, token);
  });
  afterEach(async () => {
    await off();
    await server.sandbox?.control.idle();
  });
  after(async () => {
    await server?.close();
  });

  const newLead = async (phone: string) => (await server.request('POST', '/v1/leads', { token, body: leadBody({ phone }) })).body.lead as { id: string; version: number };
  const timeline = async (id: string) => (await server.request('GET', `/v1/leads/${id}`, { token })).body.timeline as Array<{ type: string; to: string | null; detail: string | null }>;
  describe('when a status change meets a failure', () => {
    it('then a failed lead write answers 503 with Retry-After, changes nothing, and the retry succeeds', async () => {
      const lead = await newLead('+12125550901');
      await failNext('findAndModify', 'contacts');
      const res = await server.request('PATCH', `/v1/leads/${lead.id}`, { token, body: { status: 'contacted', expectedStatus: 'new' } });
      assert.equal(res.status, 503, res.text);
      assert.equal(res.body.error.code, 'DATABASE_UNAVAILABLE');
      assert.equal(res.headers.get('retry-after'), '1');
      const still = (await server.request('GET', `/v1/leads/${lead.id}`, { token })).body;
      assert.equal(still.leadStatus, 'new');
      assert.equal(still.version, lead.version);
      assert.equal((await timeline(lead.id)).filter((e) => e.type === 'status_changed').length, 0);
      const retry = await server.request('PATCH', `/v1/leads/${lead.id}`, { token, body: { status: 'contacted', expectedStatus: 'new' } });
      assert.equal(retry.status, 200);
    });

    it('then a failed timeline write keeps the entry in the lead\'s outbox until the flush job copies it, once', async () => {
      const lead = await newLead('+12125550902');
      await failNext('insert', 'lead_events', 'alwaysOn');
      const res = await server.request('PATCH', `/v1/leads/${lead.id}`, { token, body: { status: 'contacted', expectedStatus: 'new' } });
      assert.equal(res.status, 200, 'the change itself is saved');
      assert.equal(res.body.lead.leadStatus, 'contacted');
      const raw = await rawContact(lead.id);
      assert.equal(raw?.timelineOutbox?.length, 1, 'the entry waits, committed with the change');
      assert.equal((await timeline(lead.id)).filter((e) => e.type === 'status_changed').length, 0);
      await off();
      await new Promise((r) => setTimeout(r, 2_100)); // the change's own copy gets 2 s before the job steps in
      assert.equal(await server.context.changes.flushTimelines(), 1);
      assert.equal(await server.context.changes.flushTimelines(), 0, 'nothing left');
      assert.equal((await timeline(lead.id)).filter((e) => e.type === 'status_changed' && e.to === 'contacted').length, 1);
      assert.equal((await rawContact(lead.id))?.timelineOutbox, undefined);
    });

    it('then a failure after the entry was copied (clearing the outbox) never doubles it', async () => {
      const lead = await newLead('+12125550903');
      await failNext('update', 'contacts', { times: 2 });
      const res = await server.request('PATCH', `/v1/leads/${lead.id}`, { token, body: { status: 'qualified', expectedStatus: 'new' } });
      assert.equal(res.status, 200);
      await off();
      await new Promise((r) => setTimeout(r, 2_100));
      await server.context.changes.flushTimelines();
      const entries = (await timeline(lead.id)).filter((e) => e.type === 'status_changed' && e.to === 'qualified');
      assert.equal(entries.length, 1, 'copied twice, written once');
    });
  });

  describe('when a call start meets a failure', () => {
    it('then a failed call record or claim answers 503 and leaves no record, no claim, no timeline entry', async () => {
      for (const [command, collection] of [['insert', 'calls'], ['findAndModify', 'contacts']] as const) {
        const lead = await newLead(command === 'insert' ? '+12125550911' : '+12125550912');
        await failNext(command, collection);
        const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token });
        assert.equal(res.status, 503, `${command} ${collection}: ${res.text}`);
        assert.equal(await db().collection('calls').countDocuments({ orgId, contactId: lead.id }), 0, 'no call record');
        const shown = (await server.request('GET', `/v1/leads/${lead.id}`, { token })).body;
        assert.equal(shown.activeCallId, null, 'the lead is not left claimed');
        assert.equal(shown.timeline.filter((e: { type: string }) => e.type === 'call').length, 0);
        const retry = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token });
        assert.equal(retry.status, 202, 'the retry calls');
      }
    });

    it('then a failure after Vapi placed the call still answers 202, and the call\'s webhooks complete its record', async () => {
      const lead = await newLead('+12125550913');
      await failPoint('alwaysOn', { failCommands: ['findAndModify', 'update'], errorCode: 91, namespace: `${server.config.MONGODB_DB}.calls` });
      const res = await server.request('POST', `/v1/leads/${lead.id}/calls`, { token });
      await off();
      assert.equal(res.status, 202, `a placed call is never reported as failed (a retry would dial twice): ${res.text}`);
      await server.sandbox!.control.idle();
      const call = await eventually(async () => {
        const c = await db().collection<Document>('calls').findOne({ orgId, contactId: lead.id });
        return c?.status === 'ended' ? c : undefined;
      }, 5000, 'the call ends through its webhooks');
      assert.ok(call.vapiCallId, 'Vapi\'s id recorded by the webhook');
      assert.ok(call.transcript);
      assert.equal((await server.request('GET', `/v1/leads/${lead.id}`, { token })).body.activeCallId, null, 'released');
    });
  });

  describe('when a text meets a failure', () => {
    const send = (id: string, key: string) => server.request('POST', `/v1/leads/${id}/sms`, { token, body: { body: 'See you at 4pm' }, headers: { 'idempotency-key': key } });
    const twilioMessagesTo = async (to: string) =>
      ((await (await fetch(`${server.sandbox!.url}/__sandbox/state`)).json()) as { messages: Array<{ to: string }> }).messages.filter((m) => m.to === to).length;

    it('then a failed message log answers 503, sends nothing, and the retry with the same key sends once', async () => {
      const lead = await newLead('+12125550921');
      await failNext('insert', 'sms_logs');
      const res = await send(lead.id, 'fault-key-0001');
      assert.equal(res.status, 503, res.text);
      assert.equal(await db().collection('sms_logs').countDocuments({ orgId, contactId: lead.id }), 0);
      assert.equal(await twilioMessagesTo('+12125550921'), 0, 'Twilio got nothing');
      assert.equal((await send(lead.id, 'fault-key-0001')).status, 202);
      await server.sandbox!.control.idle();
      assert.equal(await twilioMessagesTo('+12125550921'), 1);
    });

    it('then a failed timeline row or a failed outcome write still sends the text once, and Twilio\'s callback completes the record', async () => {
      const lead = await newLead('+12125550922');
      // Every attempt to record Twilio's answer fails (three); the status callbacks that follow find the database back.
      await failNext('findAndModify', 'sms_logs', { times: 3 });
      const res = await send(lead.id, 'fault-key-0002');
      assert.equal(res.status, 202, `a text Twilio accepted is reported as sent: ${res.text}`);
      await server.sandbox!.control.idle();
      assert.equal(await twilioMessagesTo('+12125550922'), 1);
      const log = await eventually(async () => {
        const d = await db().collection<Document>('sms_logs').findOne({ orgId, contactId: lead.id });
        return d?.twilioSid && d.status === 'delivered' ? d : undefined;
      }, 5000, 'the status callback records sid and delivery');
      assert.match(String(log.twilioSid), /^SM/);

      const other = await newLead('+12125550923');
      await failNext('insert', 'lead_events');
      assert.equal((await send(other.id, 'fault-key-0003')).status, 202, 'a lost timeline row does not stop the text');
      await server.sandbox!.control.idle();
      assert.equal(await twilioMessagesTo('+12125550923'), 1);
    });
  });

  const rawContact = (id: string) => db().collection<Document>('contacts').findOne({ _id: new ObjectId(id), orgId });
});
