import assert from 'node:assert/strict';
import { startTestServer, leadBody, type TestServer } from '../testing/harness.js';

describe('leads API', () => {
  let server: TestServer;
  let orgA: string;
  let orgB: string;
  let agentA: string;
  let adminA: string;
  let agentB: string;

  before(async () => {
    server = await startTestServer();
    ({ orgId: orgA } = await server.createOrg('Glow Clinic', { allowedOrigins: ['https://crm.glow.example'] }));
    ({ orgId: orgB } = await server.createOrg('Other Clinic'));
    agentA = await server.token(orgA, { id: 'u-agent', name: 'Amy Agent', role: 'agent' });
    adminA = await server.token(orgA, { id: 'u-admin', name: 'Ada Admin', role: 'admin' });
    agentB = await server.token(orgB, { id: 'u-b', name: 'Bob', role: 'agent' });
  });
  after(() => server.close());

  const create = async (token: string, body: Record<string, unknown>) => {
    const res = await server.request('POST', '/v1/leads', { token, body: leadBody(body) });
    assert.equal(res.status, 201, res.text);
    return res.body.lead;
  };

  describe('when creating leads', () => {
    it('then the phone is normalised to E.164 and search keys are kept', async () => {
      const lead = await create(agentA, { name: 'John Smith', phone: '(212) 555-1234' });
      assert.equal(lead.phone, '+12125551234');
      assert.equal(lead.phoneValid, true);
      assert.equal(lead.leadStatus, 'new');
      assert.equal(lead.leadScore, 50);
      assert.equal(lead.tier, 'warm');
      assert.equal(lead.lastContactAt, null);
    });

    it('then an unparseable phone is kept as entered and flagged', async () => {
      const lead = await create(agentA, { name: 'Bad Phone', phone: '555-CALL-NOW' });
      assert.equal(lead.phone, '555-CALL-NOW');
      assert.equal(lead.phoneValid, false);
    });

    it('then bad input gets a 400 naming the fields, and nothing is written', async () => {
      const before = (await server.request('GET', '/v1/leads?pageSize=100', { token: agentA })).body.total;
      const res = await server.request('POST', '/v1/leads', { token: agentA, body: { name: '', phone: 42, email: 'nope' } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      const paths = res.body.error.details.fields.map((f: { path: string }) => f.path).sort();
      assert.deepEqual(paths, ['email', 'name', 'phone']);
      const after = (await server.request('GET', '/v1/leads?pageSize=100', { token: agentA })).body.total;
      assert.equal(after, before);
    });

    it('then malformed JSON gets a clear 400', async () => {
      const res = await server.request('POST', '/v1/leads', { token: agentA, body: '{"name": ' });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'MALFORMED_JSON');
    });

    it('then a duplicate externalId gets 409', async () => {
      await create(agentA, { name: 'Ext One', externalId: 'crm-dup-1' });
      const res = await server.request('POST', '/v1/leads', { token: agentA, body: leadBody({ externalId: 'crm-dup-1' }) });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'DUPLICATE_EXTERNAL_ID');
    });
  });

  describe('when the host CRM pushes contacts in bulk', () => {
    it('then leads are created, then updated by externalId or phone without touching the workflow', async () => {
      const key = (await server.createOrg('Bulk Clinic')).orgId;
      const admin = await server.token(key, { role: 'admin' });
      const first = await server.request('PUT', '/v1/leads', {
        token: admin,
        body: {
          leads: [
            { name: 'Ext A', phone: '+1 646 555 0101', externalId: 'crm-a', leadScore: 85 },
            { name: 'Phone B', phone: '646-555-0102' },
          ],
        },
      });
      assert.equal(first.status, 200, first.text);
      assert.deepEqual([first.body.created, first.body.updated], [2, 0]);
      assert.equal(first.body.items[0].leadScore, 85);
      const second = await server.request('PUT', '/v1/leads', {
        token: admin,
        body: {
          leads: [
            { name: 'Ext A Renamed', phone: '+16465550101', externalId: 'crm-a', leadScore: 10 },
            { name: 'Phone B Renamed', phone: '(646) 555-0102' },
          ],
        },
      });
      assert.deepEqual([second.body.created, second.body.updated], [0, 2]);
      assert.equal(second.body.items[0].name, 'Ext A Renamed');
      assert.equal(second.body.items[0].leadScore, 85, 'scores are the product\'s, not overwritten by a push');
      assert.equal(second.body.items[1].name, 'Phone B Renamed');
      const list = await server.request('GET', '/v1/leads', { token: admin });
      assert.equal(list.body.total, 2);
    });

    it('then an agent may not bulk upsert', async () => {
      const res = await server.request('PUT', '/v1/leads', { token: agentA, body: { leads: [leadBody()] } });
      assert.equal(res.status, 403);
      assert.equal(res.body.error.code, 'FORBIDDEN');
    });

    it('then the organisation secret key works from a server but never from a browser origin', async () => {
      const { orgId, secretKey } = await server.createOrg('Key Clinic');
      const ok = await server.request('PUT', '/v1/leads', { token: secretKey, body: { leads: [leadBody({ externalId: 'k1' })] } });
      assert.equal(ok.status, 200, ok.text);
      assert.equal(ok.body.items[0].externalId, 'k1');
      const browser = await server.request('GET', '/v1/leads', { token: secretKey, headers: { origin: 'https://evil.example' } });
      assert.equal(browser.status, 403);
      assert.equal(browser.body.error.code, 'SECRET_KEY_IN_BROWSER');
      assert.ok(orgId);
    });
  });

  describe('when listing the board', () => {
    let board: TestServer;
    let token: string;
    before(async () => {
      board = server;
      const { orgId } = await board.createOrg('Board Clinic');
      token = await board.token(orgId, { role: 'admin' });
      const now = Date.now();
      const leads = [
        { name: 'John Smith', phone: '+12125551234', leadScore: 90, lastContactAt: null },
        { name: 'Mary Johnson', phone: '+13105550000', leadScore: 90, lastContactAt: new Date(now - 86400_000).toISOString() },
        { name: 'Peter Jones', phone: '+13105550001', leadScore: 90, lastContactAt: new Date(now - 3600_000).toISOString() },
        { name: 'Warm Walter', phone: '+13105550002', leadScore: 79 },
        { name: 'Wendy Warm', phone: '+13105550003', leadScore: 50, leadStatus: 'contacted' },
        { name: 'Cold Carl', phone: '+13105550004', leadScore: 49 },
        { name: 'Frozen Fran', phone: '+13105550005', leadScore: 0, leadStatus: 'lost' },
        { name: 'Hot Hannah', phone: '+13105550006', leadScore: 80, leadStatus: 'qualified' },
        { name: 'Dot.Star (test)', phone: '+13105550007', leadScore: 60 },
      ];
      const res = await board.request('PUT', '/v1/leads', { token, body: { leads } });
      assert.equal(res.status, 200, res.text);
    });
    const names = async (query: string) => {
      const res = await board.request('GET', `/v1/leads${query}`, { token });
      assert.equal(res.status, 200, res.text);
      return res.body.items.map((l: { name: string }) => l.name);
    };

    it('then the order is score descending, never-contacted first, then oldest contact', async () => {
      const all = await names('');
      assert.deepEqual(all.slice(0, 4), ['John Smith', 'Mary Johnson', 'Peter Jones', 'Hot Hannah']);
      assert.equal(all.at(-1), 'Frozen Fran');
    });

    it('then tiers filter at their boundaries (Hot >= 80, Warm 50-79, Cold < 50)', async () => {
      assert.deepEqual(await names('?tier=hot'), ['John Smith', 'Mary Johnson', 'Peter Jones', 'Hot Hannah']);
      assert.deepEqual(await names('?tier=warm'), ['Warm Walter', 'Dot.Star (test)', 'Wendy Warm']);
      assert.deepEqual(await names('?tier=cold'), ['Cold Carl', 'Frozen Fran']);
    });

    it('then the status filter combines with the tier', async () => {
      assert.deepEqual(await names('?status=qualified'), ['Hot Hannah']);
      assert.deepEqual(await names('?status=lost&tier=cold'), ['Frozen Fran']);
      assert.deepEqual(await names('?status=lost&tier=hot'), []);
    });

    for (const [q, expected] of [
      ['1234', ['John Smith']],
      ['+1212', ['John Smith']],
      ['(212) 555', ['John Smith']],
      ['john', ['John Smith', 'Mary Johnson']],
      ['smith', ['John Smith']],
      ['JOHN', ['John Smith', 'Mary Johnson']],
      ['.*', []],
      ['(', ['Dot.Star (test)']],
      ['$where', []],
      ['{"$gt":""}', []],
      ['dot.star (test)', ['Dot.Star (test)']],
    ] as const) {
      it(`then searching ${JSON.stringify(q)} finds ${expected.length ? expected.join(', ') : 'nothing'}`, async () => {
        assert.deepEqual(await names(`?q=${encodeURIComponent(q)}`), expected);
      });
    }

    it('then operator-like parameters and repeated values are refused, not executed', async () => {
      for (const query of ['q[$ne]=x', 'q=a&q=b', 'tier=scorching', 'page=0']) {
        const res = await board.request('GET', `/v1/leads?${query}`, { token });
        assert.equal(res.status, 400, query);
        assert.equal(res.body.error.code, 'VALIDATION_FAILED');
      }
    });

    it('then pages carry the page number, total and total pages, with a stable order across pages', async () => {
      const p1 = await board.request('GET', '/v1/leads?pageSize=4&page=1', { token });
      const p2 = await board.request('GET', '/v1/leads?pageSize=4&page=2', { token });
      const p3 = await board.request('GET', '/v1/leads?pageSize=4&page=3', { token });
      assert.deepEqual([p1.body.total, p1.body.totalPages, p1.body.page, p1.body.pageSize], [9, 3, 1, 4]);
      const ids = [...p1.body.items, ...p2.body.items, ...p3.body.items].map((l: { id: string }) => l.id);
      assert.equal(ids.length, 9);
      assert.equal(new Set(ids).size, 9);
    });

    it('then a page size over 100 is refused with a clear message', async () => {
      const res = await board.request('GET', '/v1/leads?pageSize=101', { token });
      assert.equal(res.status, 400);
      assert.match(res.body.error.message, /at most 100/);
    });

    it('then the CSV export follows the filter, quotes correctly and defuses formulas', async () => {
      await board.request('POST', '/v1/leads', { token, body: leadBody({ name: '=HYPERLINK("http://x","click")', phone: '+13105550099', leadScore: 95 }) });
      const res = await fetch(`${board.url}/v1/leads.csv?tier=hot`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/csv/);
      assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="leads-/);
      const lines = (await res.text()).replace(/^\uFEFF/, '').trim().split('\r\n');
      assert.equal(lines[0], 'id,name,phone,email,leadScore,tier,leadStatus,services,lastContactAt,externalId,createdAt');
      assert.equal(lines.length, 6);
      assert.ok(lines[1]!.includes(`"'=HYPERLINK(""http://x"",""click"")"`), lines[1]);
      assert.ok(lines.some((l) => l.includes(",'+12125551234,")), 'phones beginning with + are defused too');
    });
  });

  describe('when another organisation is involved', () => {
    it('then its leads are never listed, shown, changed or annotated (404)', async () => {
      const lead = await create(agentA, { name: 'Private Patient', phone: '+12125550111' });
      const list = await server.request('GET', '/v1/leads?q=private', { token: agentB });
      assert.deepEqual(list.body.items, []);
      for (const [method, path, body] of [
        ['GET', `/v1/leads/${lead.id}`, undefined],
        ['PATCH', `/v1/leads/${lead.id}`, { status: 'contacted' }],
        ['POST', `/v1/leads/${lead.id}/notes`, { body: 'hello' }],
        ['POST', `/v1/leads/${lead.id}/revert`, undefined],
      ] as const) {
        const res = await server.request(method, path, { token: agentB, body });
        assert.equal(res.status, 404, `${method} ${path}`);
        assert.equal(res.body.error.code, 'NOT_FOUND');
        assert.ok(!res.text.includes('Private Patient'));
      }
      const still = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      assert.equal(still.body.leadStatus, 'new');
      assert.deepEqual(still.body.notes, []);
    });

    it('then a malformed id is a 400, not a server error', async () => {
      const res = await server.request('GET', '/v1/leads/not-an-id', { token: agentA });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.code, 'VALIDATION_FAILED');
    });
  });

  describe('when authenticating', () => {
    it('then a missing token is 401 UNAUTHENTICATED', async () => {
      const res = await server.request('GET', '/v1/leads');
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    });

    it('then a forged token is 401', async () => {
      const [h, p] = agentA.split('.');
      const payload = JSON.parse(Buffer.from(p!, 'base64url').toString());
      payload.role = 'admin';
      const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${agentA.split('.')[2]}`;
      const res = await server.request('GET', '/v1/leads', { token: forged });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    });

    it('then an expired token is 401 TOKEN_EXPIRED', async () => {
      const clock = await startTestServer({}, { now: () => new Date(Date.now() - 3600_000) });
      try {
        const { orgId } = await clock.createOrg();
        const old = await clock.token(orgId, {}, 60);
        const { TokenService } = await import('../auth/tokens.js');
        const verifier = new TokenService(clock.config.TOKEN_SECRET!, 900);
        await assert.rejects(verifier.verify(old), (err: { code?: string }) => err.code === 'TOKEN_EXPIRED');
      } finally {
        await clock.close();
      }
    });

    it('then a wrong secret key cannot mint tokens', async () => {
      const res = await server.request('POST', '/v1/embed-tokens', {
        token: 'sk_live_aaaaaaaaaaaa_' + 'A'.repeat(43),
        body: { user: { id: 'x', name: 'X', role: 'admin' } },
      });
      assert.equal(res.status, 401);
      assert.equal(res.body.error.code, 'UNAUTHENTICATED');
    });

    it('then a token request with a bad role is a 400', async () => {
      const { secretKey } = await server.createOrg();
      const res = await server.request('POST', '/v1/embed-tokens', { token: secretKey, body: { user: { id: 'x', name: 'X', role: 'owner' } } });
      assert.equal(res.status, 400);
      assert.equal(res.body.error.details.fields[0].path, 'user.role');
    });

    it('then the browser origin must be one of the organisation\'s embed origins', async () => {
      const ok = await server.request('GET', '/v1/leads', { token: agentA, headers: { origin: 'https://crm.glow.example' } });
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('access-control-allow-origin'), 'https://crm.glow.example');
      const bad = await server.request('GET', '/v1/leads', { token: agentA, headers: { origin: 'https://evil.example' } });
      assert.equal(bad.status, 403);
      assert.equal(bad.body.error.code, 'ORIGIN_NOT_ALLOWED');
      assert.equal(bad.headers.get('access-control-allow-origin'), null);
      const preflight = await server.request('OPTIONS', '/v1/leads', {
        headers: { origin: 'https://crm.glow.example', 'access-control-request-method': 'PATCH' },
      });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-headers') ?? '', /Idempotency-Key/);
    });

    it('then errors never carry a stack trace and unknown routes get the error shape', async () => {
      const res = await server.request('GET', '/v1/nothing-here', { token: agentA });
      assert.equal(res.status, 404);
      assert.equal(res.body.error.code, 'ROUTE_NOT_FOUND');
      assert.ok(!/at .*\.ts:\d+/.test(res.text));
      assert.ok(res.headers.get('x-request-id'));
    });
  });

  describe('when changing status', () => {
    it('then forward moves and skips are allowed and recorded on the timeline', async () => {
      const lead = await create(agentA, { name: 'Flow Fiona', phone: '+12125550200' });
      const res = await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'booked', expectedStatus: 'new' } });
      assert.equal(res.status, 200, res.text);
      assert.equal(res.body.lead.leadStatus, 'booked');
      assert.equal(res.body.lead.version, lead.version + 1);
      const detail = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      const change = detail.body.timeline.find((e: { type: string }) => e.type === 'status_changed');
      assert.deepEqual([change.from, change.to, change.actor.id, change.actor.name], ['new', 'booked', 'u-agent', 'Amy Agent']);
      assert.deepEqual(detail.body.allowedTransitions, ['converted', 'lost']);
    });

    it('then backward moves and moves out of a terminal status are refused with 422', async () => {
      const lead = await create(agentA, { name: 'Back Bea', phone: '+12125550201', leadStatus: 'qualified' });
      const back = await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'contacted' } });
      assert.equal(back.status, 422);
      assert.equal(back.body.error.code, 'INVALID_TRANSITION');
      assert.deepEqual(back.body.error.details.allowed, ['booked', 'converted', 'lost']);
      await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'converted' } });
      const out = await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'lost', lostReason: 'no_response' } });
      assert.equal(out.status, 422);
    });

    it('then a stale expected status gets 409 with the current lead', async () => {
      const lead = await create(agentA, { name: 'Stale Sam', phone: '+12125550202' });
      await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'contacted' } });
      const res = await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'booked', expectedStatus: 'new' } });
      assert.equal(res.status, 409);
      assert.equal(res.body.error.code, 'STALE_LEAD');
      assert.equal(res.body.error.details.lead.leadStatus, 'contacted');
    });

    it('then of concurrent changes exactly one wins and the others get 409', async () => {
      const lead = await create(agentA, { name: 'Race Rita', phone: '+12125550203' });
      const results = await Promise.all(
        (['contacted', 'qualified', 'booked', 'lost', 'contacted', 'booked'] as const).map((status) =>
          server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status, expectedStatus: 'new', ...(status === 'lost' ? { lostReason: 'price' } : {}) } }),
        ),
      );
      const codes = results.map((r) => r.status).sort();
      assert.equal(codes.filter((c) => c === 200).length, 1, JSON.stringify(codes));
      assert.equal(codes.filter((c) => c === 409).length, 5, JSON.stringify(codes));
      const detail = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      assert.equal(detail.body.timeline.filter((e: { type: string }) => e.type === 'status_changed').length, 1);
    });

    it('then who marked a lead lost can undo it within 10 seconds, and an agent cannot after', async () => {
      const lead = await create(agentA, { name: 'Lost Lou', phone: '+12125550204', leadStatus: 'contacted' });
      await server.request('PATCH', `/v1/leads/${lead.id}`, { token: agentA, body: { status: 'lost', lostReason: 'no_response' } });
      const detail = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      assert.equal(detail.body.canUndoLost, true);
      const other = await server.token(orgA, { id: 'u-other', name: 'Other Agent', role: 'agent' });
      const refused = await server.request('POST', `/v1/leads/${lead.id}/revert`, { token: other });
      assert.equal(refused.status, 403);
      assert.equal(refused.body.error.code, 'UNDO_EXPIRED');
      const undo = await server.request('POST', `/v1/leads/${lead.id}/revert`, { token: agentA });
      assert.equal(undo.status, 200, undo.text);
      assert.equal(undo.body.lead.leadStatus, 'contacted');
      assert.equal(undo.body.lead.lostFrom, null);
    });

    it('then an admin can revert lost to the status it came from at any time', async () => {
      const clockServer = await startTestServer({}, { now: (() => { let t = Date.now(); return () => new Date((t += 6_000)); })() });
      try {
        const { orgId } = await clockServer.createOrg();
        const agent = await clockServer.token(orgId, { id: 'a', role: 'agent' });
        const admin = await clockServer.token(orgId, { id: 'b', role: 'admin' });
        const created = (await clockServer.request('POST', '/v1/leads', { token: agent, body: leadBody({ leadStatus: 'qualified' }) })).body.lead;
        await clockServer.request('PATCH', `/v1/leads/${created.id}`, { token: agent, body: { status: 'lost', lostReason: 'no_response' } });
        const late = await clockServer.request('POST', `/v1/leads/${created.id}/revert`, { token: agent });
        assert.equal(late.status, 403, 'the clock has moved past the 10 s undo window');
        const revert = await clockServer.request('POST', `/v1/leads/${created.id}/revert`, { token: admin });
        assert.equal(revert.status, 200, revert.text);
        assert.equal(revert.body.lead.leadStatus, 'qualified');
      } finally {
        await clockServer.close();
      }
    });
  });

  describe('when adding notes and appointments', () => {
    it('then notes are listed newest first with the author', async () => {
      const lead = await create(agentA, { name: 'Note Nora', phone: '+12125550300' });
      await server.request('POST', `/v1/leads/${lead.id}/notes`, { token: agentA, body: { body: 'Prefers mornings' } });
      const res = await server.request('POST', `/v1/leads/${lead.id}/notes`, { token: adminA, body: { body: 'Asked about lip filler' } });
      assert.equal(res.status, 201);
      const detail = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      assert.deepEqual(detail.body.notes.map((n: { body: string; authorName: string }) => [n.body, n.authorName]), [
        ['Asked about lip filler', 'Ada Admin'],
        ['Prefers mornings', 'Amy Agent'],
      ]);
      const empty = await server.request('POST', `/v1/leads/${lead.id}/notes`, { token: agentA, body: { body: '   ' } });
      assert.equal(empty.status, 400);
    });

    it('then the host CRM upserts appointments by its own id and the detail shows them', async () => {
      const lead = await create(agentA, { name: 'Appt Abby', phone: '+12125550301', externalId: 'crm-abby' });
      const push = (status: string) =>
        server.request('PUT', '/v1/appointments', {
          token: adminA,
          body: { appointments: [{ externalId: 'appt-1', contactExternalId: 'crm-abby', serviceType: 'Botox', scheduledAt: '2026-12-01T15:00:00Z', status }] },
        });
      assert.equal((await push('scheduled')).status, 200);
      assert.equal((await push('completed')).status, 200);
      const detail = await server.request('GET', `/v1/leads/${lead.id}`, { token: agentA });
      assert.equal(detail.body.appointments.length, 1);
      assert.equal(detail.body.appointments[0].status, 'completed');
      const unknown = await server.request('PUT', '/v1/appointments', {
        token: adminA,
        body: { appointments: [{ externalId: 'appt-2', contactExternalId: 'nobody', serviceType: 'Botox', scheduledAt: '2026-12-01T15:00:00Z' }] },
      });
      assert.equal(unknown.status, 422);
      assert.equal(unknown.body.error.code, 'UNKNOWN_CONTACT');
    });
  });

  describe('when probing health', () => {
    it('then /healthz and /readyz answer', async () => {
      assert.equal((await server.request('GET', '/healthz')).status, 200);
      const ready = await server.request('GET', '/readyz');
      assert.equal(ready.status, 200);
      assert.equal(ready.body.status, 'ready');
    });
  });
});
