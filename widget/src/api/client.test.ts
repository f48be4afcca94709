import { expect } from '@open-wc/testing';
import { ApiError } from './client.js';
import { error, FakeBackend, makeLead } from '../test/fixtures.js';

describe('LeadsApiClient', () => {
  describe('when a request succeeds', () => {
    it('sends the bearer token and the filters of the board', async () => {
      const backend = new FakeBackend([makeLead({ name: 'Ann Smith', leadScore: 90 })]);
      const page = await backend.client.listLeads({ tier: ['hot', 'warm'], status: 'new', q: ' smith ', page: 1, pageSize: 20 });
      expect(page.total).to.equal(1);
      const [req] = backend.requestsTo('GET', '/v1/leads');
      expect(req.headers.get('Authorization')).to.equal('Bearer tok');
      expect(req.query.get('tier')).to.equal('hot,warm');
      expect(req.query.get('status')).to.equal('new');
      expect(req.query.get('q')).to.equal('smith');
      expect(req.query.get('pageSize')).to.equal('20');
    });

    it('PATCHes a status change with the status the user saw', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      const updated = await backend.client.changeStatus(lead.id, { status: 'booked', expectedStatus: 'new' });
      expect(updated.leadStatus).to.equal('booked');
      expect(backend.requestsTo('PATCH', `/v1/leads/${lead.id}`)[0].body).to.deep.equal({ status: 'booked', expectedStatus: 'new' });
    });
  });

  describe('when the API answers with an error', () => {
    it('throws a typed ApiError with status, code, message and details', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      backend.overrides.push(() => error(422, 'OUTBOUND_AGENT_NOT_CONFIGURED', 'Set up the agent', { field: 'agent' }));
      const err = await backend.client.startCall(lead.id).catch((e: unknown) => e);
      expect(err).to.be.instanceOf(ApiError);
      expect(err).to.include({ status: 422, code: 'OUTBOUND_AGENT_NOT_CONFIGURED', message: 'Set up the agent' });
      expect((err as ApiError).details).to.deep.equal({ field: 'agent' });
    });

    it('turns a network failure into NETWORK_ERROR', async () => {
      const backend = new FakeBackend();
      backend.overrides.push(() => {
        throw new TypeError('Failed to fetch');
      });
      const err = (await backend.client.session().catch((e: unknown) => e)) as ApiError;
      expect(err.code).to.equal('NETWORK_ERROR');
      expect(err.status).to.equal(0);
    });
  });

  describe('when the token expires', () => {
    it('asks the provider once and retries with the new token', async () => {
      let calls = 0;
      const backend = new FakeBackend([], { token: 'old', tokenProvider: async () => `new-${++calls}` });
      backend.overrides.push((req) =>
        req.headers.get('Authorization') === 'Bearer old' ? error(401, 'TOKEN_EXPIRED', 'Expired') : undefined,
      );
      const session = await backend.client.session();
      expect(session.user.name).to.equal('Ann');
      expect(calls).to.equal(1);
      expect(backend.requests.map((r) => r.headers.get('Authorization'))).to.deep.equal(['Bearer old', 'Bearer new-1']);
    });

    it('gives up after one refresh when the new token is refused too', async () => {
      let calls = 0;
      const backend = new FakeBackend([], { token: 'old', tokenProvider: async () => `new-${++calls}` });
      backend.overrides.push(() => error(401, 'TOKEN_EXPIRED', 'Expired'));
      const err = (await backend.client.session().catch((e: unknown) => e)) as ApiError;
      expect(err.code).to.equal('TOKEN_EXPIRED');
      expect(calls).to.equal(1);
      expect(backend.requests).to.have.length(2);
    });

    it('starts from the provider when there is no static token', async () => {
      const backend = new FakeBackend([], { token: '', tokenProvider: async () => 'fresh' });
      await backend.client.session();
      expect(backend.requests[0].headers.get('Authorization')).to.equal('Bearer fresh');
    });
  });

  describe('sendSms', () => {
    it('sends an Idempotency-Key and retries a 5xx once with the same key', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      let first = true;
      backend.overrides.push((req) => {
        if (req.method === 'POST' && first) {
          first = false;
          return error(503, 'UNAVAILABLE', 'Try again');
        }
        return undefined;
      });
      const reply = await backend.client.sendSms(lead.id, 'Hello');
      expect(reply.sms.body).to.equal('Hello');
      const keys = backend.requestsTo('POST', /\/sms$/).map((r) => r.headers.get('Idempotency-Key'));
      expect(keys).to.have.length(2);
      expect(keys[0]).to.be.a('string').and.have.length.greaterThan(15);
      expect(keys[1]).to.equal(keys[0]);
    });

    it('uses the key the composer passes and does not retry a 4xx', async () => {
      const lead = makeLead();
      const backend = new FakeBackend([lead]);
      backend.overrides.push(() => error(422, 'SMS_OPTED_OUT', 'Opted out'));
      const err = (await backend.client.sendSms(lead.id, 'Hi', 'key-123').catch((e: unknown) => e)) as ApiError;
      expect(err.code).to.equal('SMS_OPTED_OUT');
      const sent = backend.requestsTo('POST', /\/sms$/);
      expect(sent).to.have.length(1);
      expect(sent[0].headers.get('Idempotency-Key')).to.equal('key-123');
    });
  });

  it('exports the CSV of the current filter without paging', async () => {
    const backend = new FakeBackend();
    const blob = await backend.client.exportCsv({ tier: 'hot', q: 'ann', page: 3, pageSize: 20 });
    expect(await blob.text()).to.contain('name,phone');
    const [req] = backend.requestsTo('GET', '/v1/leads.csv');
    expect(req.query.get('tier')).to.equal('hot');
    expect(req.query.has('page')).to.equal(false);
  });

  it('sends the appointment filter on pages, view counts (without page, sort, view) and the CSV', async () => {
    const backend = new FakeBackend([makeLead()]);
    const query = { appointment: 'none' as const, sort: 'newest' as const, view: 'call_today' as const, page: 2, pageSize: 20 };
    await backend.client.listLeads(query);
    await backend.client.viewCounts(query);
    await backend.client.exportCsv(query);
    expect(backend.requestsTo('GET', '/v1/leads')[0].query.get('appointment')).to.equal('none');
    const views = backend.requestsTo('GET', '/v1/views')[0].query;
    expect([...views.entries()]).to.deep.equal([['appointment', 'none']]);
    const csv = backend.requestsTo('GET', '/v1/leads.csv')[0].query;
    expect([csv.get('appointment'), csv.get('view'), csv.has('page')]).to.deep.equal(['none', 'call_today', false]);
  });

  it('marks a follow-up done, snoozes it and deletes it (PATCH / DELETE /v1/follow-ups/:id)', async () => {
    const lead = makeLead();
    const backend = new FakeBackend([lead]);
    const f = await backend.client.scheduleFollowUp(lead.id, { dueAt: new Date(Date.now() + 3_600_000).toISOString() });
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const snoozed = await backend.client.updateFollowUp(f.id, { dueAt: later });
    expect(snoozed.dueAt).to.equal(later);
    const done = await backend.client.updateFollowUp(f.id, { done: true });
    expect(done.status).to.equal('done');
    expect(await backend.client.deleteFollowUp(f.id)).to.equal(undefined);
    const del = backend.requestsTo('DELETE', `/v1/follow-ups/${f.id}`);
    expect(del).to.have.length(1);
    expect(del[0].body).to.equal(undefined);
    await backend.client.deleteFollowUp('nope').then(
      () => expect.fail('a missing follow-up is a 404'),
      (err: ApiError) => expect([err.status, err.code]).to.deep.equal([404, 'NOT_FOUND']),
    );
  });
});
