/**
 * The telephony sandbox: a loopback HTTP server that answers the used part of Vapi's and Twilio's REST APIs with their
 * shapes, status codes and error codes, and posts the same signed webhooks back. The product's real clients are simply
 * pointed at `vapiBaseUrl` / `twilioBaseUrl`; there is no sandbox branch in product code. See ../README.md.
 *
 * This file routes requests to the provider fakes (./vapi.ts, ./twilio.ts), the control API (./control.ts) and the
 * recordings (./audio.ts), injects the failures asked for with failNext, and owns the server's lifecycle.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recordingPath, RECORDING_PATH, sendRecording } from './audio.js';
import { handleControl } from './control.js';
import { createDelivery } from './delivery.js';
import { HttpError, send } from './http.js';
import { createTwilioFake, twilioError } from './twilio.js';
import { DEFAULT_DELAYS, type FailNext, type SandboxControl, type SandboxDelays, type SandboxOptions, type TelephonySandbox } from './types.js';
import { createVapiFake, vapiError } from './vapi.js';

export async function startTelephonySandbox(options: SandboxOptions = {}): Promise<TelephonySandbox> {
  const host = options.host ?? '127.0.0.1';
  const delays: SandboxDelays = { ...DEFAULT_DELAYS, ...(options.delaysMs ?? {}) };
  const log = options.logger;

  const delivery = createDelivery(log);
  const failures: FailNext[] = [];
  const hanging = new Set<ServerResponse>();
  let baseUrl = '';
  const twilio = createTwilioFake({ delays, delivery });
  const vapi = createVapiFake({ delays, log, delivery, twilio, recordingUrl: (callId) => `${baseUrl}${recordingPath(callId)}` });

  const control: SandboxControl = {
    nextCallScenario: (name) => vapi.nextCallScenario(name),
    nextCallWithoutCallObject: () => vapi.nextCallWithoutCallObject(),
    deleteVapiAssistant: (id) => vapi.deleteAssistant(id),
    releaseNumber: (e164) => twilio.releaseNumber(e164),
    vapiPhoneNumbers: () => vapi.phoneNumbersSummary() as Array<{ id: string; number: string; orgId: string }>,
    inbound: (msg) => twilio.inbound(msg),
    failNext(f) {
      failures.push(f);
    },
    nextSmsOutcome: (o) => twilio.nextSmsOutcome(o),
    deliveries: () => delivery.deliveries(),
    transfers: () => vapi.transfers(),
    idle: () => delivery.idle(),
    optedOut: (accountSid, clinicNumber) => twilio.optedOut(accountSid, clinicNumber),
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const path = url.pathname;
    const service = path.startsWith('/vapi/') ? 'vapi' : path.startsWith('/twilio/') ? 'twilio' : null;
    if (service) {
      const i = failures.findIndex((f) => f.service === service);
      if (i >= 0) {
        const f = failures.splice(i, 1)[0]!;
        if (f.hang) {
          hanging.add(res);
          res.on('close', () => hanging.delete(res));
          return;
        }
        const status = f.status ?? 500;
        return send(
          res,
          status,
          service === 'vapi' ? vapiError(status, 'Internal server error (sandbox fail-next)').body : twilioError(status, 20500, 'Internal Server Error').body,
        );
      }
    }
    const run = async () => {
      if (service === 'vapi') return vapi.handle(req, path.slice('/vapi'.length), res);
      if (service === 'twilio') return twilio.handle(req, path.slice('/twilio'.length), url.searchParams, res);
      if (path.startsWith('/__sandbox/')) {
        return handleControl(req, path, res, control, { calls: vapi.callsSummary, messages: twilio.messagesJson, deliveries: delivery.records, transfers: vapi.transfers });
      }
      if (RECORDING_PATH.test(path) && req.method === 'GET') return sendRecording(res);
      if (path === '/' || path === '/healthz') return send(res, 200, { ok: true, vapiBaseUrl, twilioBaseUrl });
      return send(res, 404, { error: 'not found' });
    };
    run().catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, err.body);
      log?.warn({ err }, 'sandbox request failed');
      send(res, 500, { message: 'sandbox error', statusCode: 500 });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const vapiBaseUrl = `${baseUrl}/vapi`;
  const twilioBaseUrl = `${baseUrl}/twilio`;

  return {
    url: baseUrl,
    vapiBaseUrl,
    twilioBaseUrl,
    control,
    async close() {
      delivery.stop();
      for (const r of hanging) r.destroy();
      hanging.clear();
      await delivery.settle();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      delivery.checkIdle();
    },
  };
}
