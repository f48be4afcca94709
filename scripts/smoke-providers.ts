#!/usr/bin/env -S npx tsx
/**
 * `npm run smoke:providers`: exercises, with real keys, every Vapi and Twilio endpoint the product uses, through the
 * product's own adapters (server/src/telephony/), and prints what passed, what failed and why. It never texts or calls a
 * real person unless it is given a destination (SMOKE_SMS_TO, SMOKE_CALL_TO). Without keys it prints one line saying so
 * and exits 0, so CI stays green; CI also runs it against the sandbox through the same base-URL variables
 * (server/src/telephony/smoke-providers.test.ts). Secrets are never printed.
 *
 * Environment (see README.md, "Provider smoke test"):
 *   TWILIO_TEST_ACCOUNT_SID, TWILIO_TEST_AUTH_TOKEN  Twilio's test credentials: the magic numbers (nothing is sent, nothing charged)
 *   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN            live credentials: account, number lookup, SmsUrl (rewritten unchanged)
 *   TWILIO_PHONE_NUMBER                              the clinic's Twilio number (E.164), for the live checks and the Vapi import
 *   VAPI_API_KEY                                     a Vapi private key: a temporary assistant (deleted at the end), phone numbers
 *   VAPI_BASE_URL, TWILIO_BASE_URL                   other base URLs (the sandbox); default: the real APIs
 *   SMOKE_SMS_TO                                     send one real text from TWILIO_PHONE_NUMBER to this number
 *   SMOKE_CALL_TO                                    place one real AI call from the imported number to this number
 *   SMOKE_WEBHOOK_URL                                the server.url of the temporary assistant (default: an unroutable URL)
 */
import { randomBytes } from 'node:crypto';
import type { VapiClient } from '@vapi-ai/server-sdk';
import {
  createTwilio,
  findIncomingNumber,
  mapTwilioError,
  sendSms,
  setInboundWebhook,
  TwilioProviderError,
  verifyTwilioCredentials,
  type TwilioClient,
} from '../server/src/telephony/twilio.js';
import {
  createVapi,
  DEFAULT_VOICE,
  getCall,
  importTwilioNumber,
  isGone,
  mapVapiError,
  placeCall,
  removeVapiPhoneNumber,
  upsertOutboundAssistant,
  WEBHOOK_SECRET_HEADER,
} from '../server/src/telephony/vapi.js';

type Outcome = 'PASS' | 'FAIL' | 'SKIP';
interface Result {
  outcome: Outcome;
  name: string;
  detail: string;
}

const env = (k: string) => {
  const v = process.env[k]?.trim();
  return v ? v : undefined;
};

export async function runSmoke(out: (line: string) => void = (l) => console.log(l)): Promise<{ results: Result[]; exitCode: number }> {
  const results: Result[] = [];
  const record = (outcome: Outcome, name: string, detail: string) => {
    results.push({ outcome, name, detail });
    out(`  ${outcome}  ${name.padEnd(38)} ${detail}`);
  };
  const check = async (name: string, fn: () => Promise<string>) => {
    try {
      record('PASS', name, await fn());
    } catch (err) {
      record('FAIL', name, describe(err));
    }
  };

  const twilioTest = env('TWILIO_TEST_ACCOUNT_SID') && env('TWILIO_TEST_AUTH_TOKEN');
  const twilioLive = env('TWILIO_ACCOUNT_SID') && env('TWILIO_AUTH_TOKEN');
  const vapiKey = env('VAPI_API_KEY');
  if (!twilioTest && !twilioLive && !vapiKey) {
    out('smoke:providers skipped: no provider keys in the environment (set TWILIO_TEST_ACCOUNT_SID/TWILIO_TEST_AUTH_TOKEN, TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN, VAPI_API_KEY; see README.md).');
    return { results, exitCode: 0 };
  }
  const twilioBase = env('TWILIO_BASE_URL');
  const vapiBase = env('VAPI_BASE_URL');
  out('Live Leads provider smoke test');
  out(`  Twilio: ${twilioBase ?? 'https://api.twilio.com'}   Vapi: ${vapiBase ?? 'https://api.vapi.ai'}`);

  // ---- Twilio, test credentials: Twilio's magic numbers (https://www.twilio.com/docs/iam/test-credentials) ----------
  out('Twilio with test credentials (magic numbers; nothing is sent)');
  if (twilioTest) {
    const client = createTwilio({ accountSid: env('TWILIO_TEST_ACCOUNT_SID')!, authToken: env('TWILIO_TEST_AUTH_TOKEN')!, baseUrl: twilioBase });
    await check('twilio.messages.create (accepted)', async () => {
      const sent = await sendSms(client, { from: '+15005550006', to: '+14155550100', body: 'Live Leads smoke test' });
      if (!sent.sid.startsWith('SM')) throw new Error(`unexpected sid ${sent.sid}`);
      return `POST Messages.json from +15005550006: ${sent.status}, ${sent.numSegments ?? '?'} segment(s)`;
    });
    const magic: Array<[label: string, from: string, to: string, twilioCode: number]> = [
      ['From invalid', '+15005550001', '+14155550100', 21212],
      ['From not owned / not SMS', '+15005550007', '+14155550100', 21606],
      ['From queue full', '+15005550008', '+14155550100', 21611],
      ['To invalid', '+15005550006', '+15005550001', 21211],
      ['To unroutable', '+15005550006', '+15005550002', 21612],
      ['To region not permitted', '+15005550006', '+15005550003', 21408],
      ['To opted out', '+15005550006', '+15005550004', 21610],
      ['To cannot receive SMS', '+15005550006', '+15005550009', 21614],
    ];
    for (const [label, from, to, twilioCode] of magic) {
      await check(`twilio.magic ${twilioCode}`, async () => {
        try {
          await sendSms(client, { from, to, body: 'Live Leads smoke test' });
        } catch (err) {
          const mapped = mapTwilioError(err);
          if (mapped.twilioCode !== twilioCode) throw new Error(`${label}: expected ${twilioCode}, got ${mapped.twilioCode ?? mapped.code}`);
          if (mapped.code === 'TWILIO_ERROR') throw new Error(`${label}: ${twilioCode} has no product mapping (generic error)`);
          return `${label}: ${twilioCode} -> ${mapped.code} (HTTP ${mapped.httpStatus})`;
        }
        throw new Error(`${label}: accepted, expected error ${twilioCode}`);
      });
    }
  } else {
    record('SKIP', 'twilio.magic', 'set TWILIO_TEST_ACCOUNT_SID and TWILIO_TEST_AUTH_TOKEN (Console > Account > API keys & tokens > Test credentials)');
  }

  // ---- Twilio, live credentials: read-only, plus one text only when told where -----------------------------------
  out('Twilio with live credentials');
  const clinicNumber = env('TWILIO_PHONE_NUMBER');
  let live: TwilioClient | null = null;
  if (twilioLive) {
    live = createTwilio({ accountSid: env('TWILIO_ACCOUNT_SID')!, authToken: env('TWILIO_AUTH_TOKEN')!, baseUrl: twilioBase });
    await check('twilio.accounts.fetch', async () => {
      const a = await verifyTwilioCredentials(live!);
      return `GET Accounts/{sid}.json: ${a.status}, ${a.type}`;
    });
    if (clinicNumber) {
      let numberSid: string | null = null;
      let smsUrl = '';
      await check('twilio.incomingPhoneNumbers.list', async () => {
        const n = await findIncomingNumber(live!, clinicNumber);
        if (!n) throw new Error(`${clinicNumber} is not a number of this account (the product would answer TWILIO_NUMBER_NOT_FOUND)`);
        numberSid = n.sid;
        smsUrl = n.smsUrl ?? '';
        return `${clinicNumber} found, sms=${n.sms}, voice=${n.voice}, SmsUrl ${n.smsUrl ? 'set' : 'empty'}`;
      });
      if (numberSid) {
        await check('twilio.incomingPhoneNumbers.update', async () => {
          const n = await setInboundWebhook(live!, numberSid!, smsUrl);
          if ((n.smsUrl ?? '') !== smsUrl) throw new Error('the SmsUrl changed');
          return 'POST IncomingPhoneNumbers/{sid}.json with its current SmsUrl (unchanged)';
        });
      }
      const to = env('SMOKE_SMS_TO');
      if (to) {
        await check('twilio.messages.create (live)', async () => {
          const sent = await sendSms(live!, { from: clinicNumber, to, body: 'Live Leads provider smoke test. No reply needed.' });
          return `one text to ${mask(to)}: ${sent.status}`;
        });
      } else {
        record('SKIP', 'twilio.messages.create (live)', 'no text sent: set SMOKE_SMS_TO to a number of yours to send one');
      }
    } else {
      record('SKIP', 'twilio.incomingPhoneNumbers', 'set TWILIO_PHONE_NUMBER (the clinic number, E.164)');
    }
  } else {
    record('SKIP', 'twilio.live', 'set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN');
  }

  // ---- Vapi ----------------------------------------------------------------------------------------------------------
  out('Vapi');
  if (vapiKey) {
    const vapi = createVapi({ token: vapiKey, baseUrl: vapiBase, timeoutSeconds: 30 });
    const secret = randomBytes(32).toString('base64url');
    const serverUrl = env('SMOKE_WEBHOOK_URL') ?? 'https://smoke-test.invalid/webhooks/vapi';
    const body = {
      name: `live-leads-smoke-${Date.now().toString(36)}`,
      voice: DEFAULT_VOICE,
      systemPrompt: 'You are a smoke test of Live Leads for {{clinic_name}}. Say goodbye and end the call.',
      firstMessage: 'Hi {{first_name}}, this is a test call from {{clinic_name}}. Goodbye!',
      serverUrl,
      webhookAuth: { type: 'secret' as const, secret },
    };
    let assistantId: string | null = null;
    await check('vapi.assistants.create', async () => {
      assistantId = (await upsertOutboundAssistant(vapi, body)).id;
      return 'POST /assistant: a temporary assistant (deleted below)';
    });
    if (assistantId) {
      await check('vapi.assistants.get (server.headers)', async () => {
        const a = await getAssistant(vapi, assistantId!);
        const headers = (a.server?.headers ?? {}) as Record<string, unknown>;
        if (headers[WEBHOOK_SECRET_HEADER] !== secret) throw new Error(`server.headers.${WEBHOOK_SECRET_HEADER} was not kept: webhooks could not be authenticated`);
        if (!String(a.firstMessage).includes('{{first_name}}')) throw new Error('the firstMessage placeholders were not kept');
        return `server.headers carry ${WEBHOOK_SECRET_HEADER}; {{variables}} kept in firstMessage`;
      });
      await check('vapi.assistants.update', async () => {
        const r = await upsertOutboundAssistant(vapi, { ...body, assistantId, firstMessage: 'Hi {{first_name}}, updated smoke test. Goodbye!' });
        if (r.created || r.id !== assistantId) throw new Error('the update created a new assistant');
        return 'PATCH /assistant/{id} in place';
      });
    }

    let phoneNumberId: string | null = env('VAPI_PHONE_NUMBER_ID') ?? null;
    let createdNumber = false;
    if (clinicNumber && twilioLive) {
      await check('vapi.phoneNumbers (import/update)', async () => {
        const r = await importTwilioNumber(vapi, {
          number: clinicNumber,
          twilioAccountSid: env('TWILIO_ACCOUNT_SID')!,
          twilioAuthToken: env('TWILIO_AUTH_TOKEN')!,
          phoneNumberId,
        });
        phoneNumberId = r.id;
        createdNumber = r.created;
        return `${r.created ? 'POST /phone-number (imported, smsEnabled false)' : 'GET /phone-number + PATCH /phone-number/{id} (updated in place)'}`;
      });
    } else {
      await check('vapi.phoneNumbers.list', async () => {
        const list = await vapi.phoneNumbers.list({ limit: 100 });
        return `GET /phone-number: ${list.length} number(s); set TWILIO_ACCOUNT_SID/TWILIO_AUTH_TOKEN/TWILIO_PHONE_NUMBER to check the import`;
      });
    }

    const callTo = env('SMOKE_CALL_TO');
    if (callTo && assistantId && phoneNumberId) {
      await check('vapi.calls.create + get', async () => {
        const placed = await placeCall(vapi, {
          assistantId: assistantId!,
          phoneNumberId: phoneNumberId!,
          customer: { number: callTo, name: 'Smoke Test' },
          orgId: 'smoke',
          callId: 'smoke',
          variableValues: { first_name: 'there', clinic_name: 'Live Leads' },
        });
        const back = await getCall(vapi, placed.vapiCallId);
        return `one call to ${mask(callTo)}: ${placed.status}, read back ${back.status}`;
      });
    } else {
      record('SKIP', 'vapi.calls.create', callTo ? 'no assistant or phone number to call with' : 'no call placed: set SMOKE_CALL_TO to a number of yours to place one');
    }

    if (createdNumber && phoneNumberId) {
      await check('vapi.phoneNumbers.delete', async () => {
        await removeVapiPhoneNumber(vapi, phoneNumberId!);
        return 'DELETE /phone-number/{id} (the import made by this run)';
      });
    }
    if (assistantId) {
      await check('vapi.assistants.delete', async () => {
        await vapi.assistants.delete({ id: assistantId! });
        return 'DELETE /assistant/{id}';
      });
      await check('vapi: update of a deleted assistant', async () => {
        // What Vapi answers here is not in its API reference: print it, and check the product recreates on it.
        let status: number | null = null;
        try {
          await vapi.assistants.update({ id: assistantId!, name: 'live-leads-smoke-gone' });
        } catch (err) {
          status = mapVapiError(err).status;
        }
        if (status === null) throw new Error('Vapi accepted an update of a deleted assistant');
        const r = await upsertOutboundAssistant(vapi, { ...body, assistantId, name: 'live-leads-smoke-gone' });
        await vapi.assistants.delete({ id: r.id }).catch(() => undefined);
        if (!r.created) throw new Error('the deleted assistant was not recreated');
        return `Vapi answers HTTP ${status}; the product recreates the assistant (copy removed)`;
      });
    }
  } else {
    record('SKIP', 'vapi', 'set VAPI_API_KEY (a private key from the Vapi dashboard)');
  }

  const count = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  out(`${count('PASS')} passed, ${count('FAIL')} failed, ${count('SKIP')} skipped`);
  return { results, exitCode: count('FAIL') > 0 ? 1 : 0 };
}

async function getAssistant(vapi: VapiClient, id: string) {
  try {
    return await vapi.assistants.get({ id });
  } catch (err) {
    throw mapVapiError(err);
  }
}

function describe(err: unknown): string {
  if (err instanceof TwilioProviderError) return `${err.code}${err.twilioCode ? ` (Twilio ${err.twilioCode})` : ''}: ${err.message}`;
  const v = mapVapiError(err);
  if (err && typeof err === 'object' && 'name' in err && (err as Error).name === 'VapiProviderError') {
    return `${v.message}${isGone(err) ? ' (a client error)' : ''}`;
  }
  return err instanceof Error ? err.message : String(err);
}

const mask = (phone: string) => `${phone.slice(0, 3)}…${phone.slice(-2)}`;

const invokedDirectly = process.argv[1] && /smoke-providers\.[cm]?[jt]s$/.test(process.argv[1]);
if (invokedDirectly) {
  runSmoke().then(
    ({ exitCode }) => process.exit(exitCode),
    (err) => {
      console.error(`smoke:providers crashed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(2);
    },
  );
}
