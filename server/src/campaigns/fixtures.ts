/** What the campaign tests and the bench share: clinics with a Twilio number, many leads at once, sandbox counts. */
import assert from 'node:assert/strict';
import { nextAllowedSendTime } from '../../../core/quiet-hours.js';
import { configureTelephony, type TestServer } from '../testing/harness.js';

/** A distinct valid US number per index (10,000 per area code). */
export function leadPhone(i: number): string {
  const areas = ['212', '646', '718', '917', '347', '929', '332', '315', '516', '631'];
  return `+1${areas[Math.floor(i / 10_000) % areas.length]}555${String(i % 10_000).padStart(4, '0')}`;
}

/** Zones where it is daytime (texts may go) or night (quiet hours) right now, whatever the hour of the test run. */
export function zonesNow(now = new Date()): { awake: string; asleep: string } {
  const zones = ['America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney', 'America/Los_Angeles', 'Asia/Kolkata', 'Pacific/Honolulu', 'Europe/Berlin'];
  const awake = zones.find((z) => nextAllowedSendTime(now, z) === null && nextAllowedSendTime(new Date(now.getTime() + 120_000), z) === null);
  const asleep = zones.find((z) => nextAllowedSendTime(now, z) !== null && nextAllowedSendTime(new Date(now.getTime() + 120_000), z) !== null);
  assert.ok(awake && asleep, 'a daytime and a night zone exist at every hour');
  return { awake, asleep };
}

export interface Clinic {
  orgId: string;
  secretKey: string;
  admin: string;
  agent: string;
  phoneNumber: string;
}

export async function clinic(server: TestServer, name: string, settings: Record<string, unknown> = {}): Promise<Clinic> {
  const { orgId, secretKey } = await server.createOrg(name);
  const admin = await server.token(orgId, { id: 'ada', name: 'Ada Admin', role: 'admin' }, 3600);
  const agent = await server.token(orgId, { id: 'al', name: 'Al Agent', role: 'agent' }, 3600);
  const { phoneNumber } = await configureTelephony(server, admin, { agent: false });
  if (Object.keys(settings).length) {
    const res = await server.request('PUT', '/v1/campaign-settings', { token: admin, body: settings });
    assert.equal(res.status, 200, res.text);
  }
  return { orgId, secretKey, admin, agent, phoneNumber: phoneNumber! };
}

/** Creates `n` leads through the host's bulk upsert (1,000 per request); returns their ids in order. */
export async function bulkLeads(server: TestServer, c: Clinic, n: number, row: (i: number) => Record<string, unknown> = () => ({}), offset = 0): Promise<string[]> {
  const ids: string[] = [];
  for (let start = 0; start < n; start += 1000) {
    const leads = Array.from({ length: Math.min(1000, n - start) }, (_, k) => {
      const i = offset + start + k;
      return { name: `Lead ${i} Person`, phone: leadPhone(i), externalId: `crm-${i}`, services: ['Botox'], leadScore: 30, ...row(i) };
    });
    const res = await server.request('PUT', '/v1/leads', { token: c.secretKey, body: { leads } });
    assert.equal(res.status, 200, res.text);
    ids.push(...(res.body.items as Array<{ id: string }>).map((l) => l.id));
  }
  return ids;
}

interface SandboxMessage {
  to: string;
  from: string;
  body: string;
  direction: string;
}

/** Outbound texts the sandbox received, per recipient number. */
export async function textsAtSandbox(sandboxUrl: string, from?: string): Promise<Map<string, SandboxMessage[]>> {
  const state = (await (await fetch(`${sandboxUrl}/__sandbox/state`)).json()) as { messages: SandboxMessage[] };
  const out = new Map<string, SandboxMessage[]>();
  for (const m of state.messages) {
    if (m.direction !== 'outbound-api' || (from && m.from !== from)) continue;
    out.set(m.to, [...(out.get(m.to) ?? []), m]);
  }
  return out;
}

/** The phones that got more or less than one text. */
export function notExactlyOnce(texts: Map<string, unknown[]>, phones: string[]): string[] {
  return phones.filter((p) => (texts.get(p)?.length ?? 0) !== 1);
}
