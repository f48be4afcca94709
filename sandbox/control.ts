/** The sandbox's HTTP control API (/__sandbox/...), used by tests, e2e and the demo to steer the simulation. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, send, type Json } from './http.js';
import { ALL_SCENARIO_NAMES, type ScenarioName } from './scenarios.js';
import type { FailNext, SandboxControl, WebhookDelivery } from './types.js';

export interface ControlState {
  calls(): unknown[];
  messages(): unknown[];
  deliveries: WebhookDelivery[];
  transfers?: () => unknown[];
}

export async function handleControl(req: IncomingMessage, path: string, res: ServerResponse, control: SandboxControl, state: ControlState) {
  const raw = req.method === 'POST' ? await readBody(req) : '';
  const body = raw ? (JSON.parse(raw) as Json) : {};
  if (req.method === 'POST' && path === '/__sandbox/next-call') {
    const s = body.scenario as ScenarioName | undefined;
    if (s !== undefined && !ALL_SCENARIO_NAMES.includes(s)) return send(res, 400, { error: `scenario must be one of ${ALL_SCENARIO_NAMES.join(', ')}` });
    if (s === undefined && body.withoutCallObject !== true) return send(res, 400, { error: 'give a scenario and/or withoutCallObject: true' });
    if (s) control.nextCallScenario(s);
    if (body.withoutCallObject === true) control.nextCallWithoutCallObject();
    return send(res, 200, { next: s ?? null, withoutCallObject: body.withoutCallObject === true });
  }
  if (req.method === 'POST' && path === '/__sandbox/inbound') {
    const { from, to, body: text } = body as { from?: string; to?: string; body?: string };
    if (!from || !to || typeof text !== 'string') return send(res, 400, { error: 'from, to and body are required' });
    return send(res, 200, await control.inbound({ from, to, body: text }));
  }
  if (req.method === 'POST' && path === '/__sandbox/fail-next') {
    const f = body as unknown as FailNext;
    if (f.service !== 'vapi' && f.service !== 'twilio') return send(res, 400, { error: 'service must be vapi or twilio' });
    control.failNext(f);
    return send(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/__sandbox/next-sms') {
    const { status, errorCode } = body as { status?: string; errorCode?: number };
    if ((status !== 'undelivered' && status !== 'failed') || typeof errorCode !== 'number') {
      return send(res, 400, { error: 'status (undelivered|failed) and a numeric errorCode are required' });
    }
    control.nextSmsOutcome({ status, errorCode });
    return send(res, 200, { ok: true });
  }
  if (req.method === 'POST' && path === '/__sandbox/release-number') {
    const { number } = body as { number?: string };
    if (typeof number !== 'string' || !number) return send(res, 400, { error: 'number is required' });
    control.releaseNumber(number);
    return send(res, 200, { released: number });
  }
  if (req.method === 'GET' && path === '/__sandbox/state') {
    return send(res, 200, {
      calls: state.calls(),
      messages: state.messages(),
      deliveries: state.deliveries,
      ...(state.transfers ? { transfers: state.transfers() } : {}),
      scenarios: ALL_SCENARIO_NAMES,
    });
  }
  return send(res, 404, { error: 'unknown sandbox control' });
}
