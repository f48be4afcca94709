import assert from 'node:assert/strict';
import { configureTelephony, eventually, leadBody, startTestServer, type TestServer } from '../testing/harness.js';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Parses Prometheus text: `name{labels} value` lines into { name, labels, value }. */
function parse(text: string) {
  const series: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    assert.ok(m, `not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, k, v] of m[2]?.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g) ?? []) labels[k!] = v!;
    series.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return series;
}

describe('GET /metrics (Prometheus)', () => {
  describe('when METRICS_TOKEN is set', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer({ METRICS_TOKEN });
    });
    after(async () => server.close());

    const scrape = async () => {
      const res = await server.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
      return parse(res.text);
    };

    it('then a scrape after some requests has latency by matched route and status class, never ids', async () => {
      const { orgId } = await server.createOrg();
      const token = await server.token(orgId, { role: 'admin' });
      const created = await server.request('POST', '/v1/leads', { token, body: leadBody({ phone: '+12125550142' }) });
      assert.equal(created.status, 201);
      const id = created.body.lead.id as string;
      assert.equal((await server.request('GET', `/v1/leads/${id}`, { token })).status, 200);
      assert.equal((await server.request('GET', `/v1/leads/${'f'.repeat(24)}`, { token })).status, 404);
      const series = await scrape();
      const latency = series.filter((s) => s.name === 'll_http_request_duration_seconds_count');
      const byRoute = (route: string, cls: string) => latency.find((s) => s.labels.route === route && s.labels.status_class === cls && s.labels.method === 'GET');
      assert.ok(byRoute('/v1/leads/:id', '2xx')!.value >= 1, 'GET /v1/leads/:id 2xx counted');
      assert.ok(byRoute('/v1/leads/:id', '4xx')!.value >= 1, 'GET /v1/leads/:id 4xx counted');
      assert.ok(latency.find((s) => s.labels.route === '/v1/leads' && s.labels.method === 'POST'));
      const text = JSON.stringify(series);
      assert.ok(!text.includes(id), 'no lead id in any label');
      assert.ok(!text.includes(orgId), 'no organisation id in any label');
      assert.ok(!text.includes(token), 'no token');
      // Process metrics and the socket gauge are there.
      assert.ok(series.some((s) => s.name === 'll_process_cpu_user_seconds_total'));
      assert.ok(series.some((s) => s.name === 'll_nodejs_heap_size_used_bytes'));
      assert.equal(series.find((s) => s.name === 'll_socket_connections')!.value, 0);
      // Driver command monitoring feeds the database latency histogram.
      assert.ok(series.some((s) => s.name === 'll_db_command_duration_seconds_count' && s.labels.command === 'insert' && s.value >= 1));
    });

    it('then a call moves the webhook outcomes and the job runs count', async () => {
      const { orgId } = await server.createOrg();
      const admin = await server.token(orgId, { role: 'admin' });
      await configureTelephony(server, admin);
      const lead = await server.request('POST', '/v1/leads', { token: admin, body: leadBody({ phone: '+12125550143' }) });
      const before = (await scrape()).filter((s) => s.name === 'll_webhook_deliveries_total' && s.labels.provider === 'vapi');
      const sum = (list: typeof before) => list.reduce((n, s) => n + s.value, 0);
      const call = await server.request('POST', `/v1/leads/${lead.body.lead.id}/calls`, { token: admin });
      assert.equal(call.status, 202);
      await eventually(async () => {
        const res = await server.request('GET', `/v1/calls/${call.body.call.id}`, { token: admin });
        return res.body.call.status === 'ended';
      }, 10_000, 'the sandbox call to end');
      const after = (await scrape()).filter((s) => s.name === 'll_webhook_deliveries_total' && s.labels.provider === 'vapi');
      assert.ok(sum(after) > sum(before), 'Vapi webhooks counted');
      assert.ok(after.some((s) => s.labels.outcome === 'processed' && s.value >= 1));
      await server.jobs.runPeriodic();
      const jobs = (await scrape()).filter((s) => s.name === 'll_job_runs_total');
      assert.ok(jobs.some((s) => s.labels.job === 'call_reconciliation' && s.labels.result === 'ok' && s.value >= 1), JSON.stringify(jobs));
    });

    it('then a wrong token gets a 404, like no endpoint at all', async () => {
      assert.equal((await server.request('GET', '/metrics', { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 404);
      const none = await server.request('GET', '/metrics');
      assert.equal(none.status, 404);
      assert.equal(none.body.error.code, 'ROUTE_NOT_FOUND');
    });
  });

  describe('when METRICS_TOKEN is not set', () => {
    let server: TestServer;
    before(async () => {
      server = await startTestServer();
    });
    after(async () => server.close());

    it('then /metrics is a 404 whatever is sent', async () => {
      assert.equal((await server.request('GET', '/metrics')).status, 404);
      assert.equal((await server.request('GET', '/metrics', { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status, 404);
    });
  });
});
