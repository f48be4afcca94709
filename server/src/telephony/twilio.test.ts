import assert from 'node:assert/strict';
import { classifyInbound, createTwilio, describeTwilioErrorCode, mapTwilioError, TwilioProviderError, validateTwilioWebhook } from './twilio.js';
import { twilioSignature } from '../../../sandbox/index.js';

describe('classifyInbound', () => {
  const table: Array<[string, ReturnType<typeof classifyInbound>]> = [
    ['STOP', 'stop'],
    ['stop', 'stop'],
    [' Stop. ', 'stop'],
    ['Unsubscribe', 'stop'],
    ['STOPALL', 'stop'],
    ['cancel', 'stop'],
    ['end', 'stop'],
    ['quit!', 'stop'],
    ['revoke', 'stop'],
    ['optout', 'stop'],
    ['START', 'start'],
    ['yes', 'start'],
    ['Unstop', 'start'],
    ['HELP', 'help'],
    ['info', 'help'],
    ['Please stop texting me', 'opt_out_request'],
    ["Don\u2019t text me again", 'opt_out_request'],
    ['remove me from your list', 'opt_out_request'],
    ['Take my number off your list please', 'opt_out_request'],
    ['please take me off your list', 'opt_out_request'],
    ['no more messages', 'opt_out_request'],
    ['Stop by tomorrow at 4?', 'message'],
    ['Yes please, Thursday works', 'message'],
    ['Can you help me book botox?', 'message'],
    ['', 'message'],
  ];
  for (const [body, kind] of table) {
    it(`${JSON.stringify(body)} -> ${kind}`, () => assert.equal(classifyInbound(body), kind));
  }
});

describe('mapTwilioError', () => {
  it('gives stable codes, statuses and actionable messages for the codes the product meets', () => {
    const rows = [21211, 21408, 21606, 21608, 21610, 21614, 21617, 20003].map((c) => {
      const e = describeTwilioErrorCode(c);
      return [c, e.code, e.httpStatus, e.optOut];
    });
    assert.deepEqual(rows, [
      [21211, 'INVALID_PHONE_FORMAT', 422, false],
      [21408, 'SMS_REGION_NOT_PERMITTED', 422, false],
      [21606, 'SENDER_CANNOT_SEND_SMS', 422, false],
      [21608, 'TWILIO_TRIAL_UNVERIFIED_NUMBER', 422, false],
      [21610, 'SMS_OPTED_OUT', 409, true],
      [21614, 'PHONE_CANNOT_RECEIVE_SMS', 422, false],
      [21617, 'SMS_BODY_TOO_LONG', 422, false],
      [20003, 'TWILIO_INVALID_CREDENTIALS', 422, false],
    ]);
    assert.match(describeTwilioErrorCode(21610).message, /START/);
  });

  it('keeps unknown codes, and maps bare HTTP failures and network errors', () => {
    const unknown = mapTwilioError({ status: 400, code: 99999, message: 'Something new' });
    assert.deepEqual([unknown.code, unknown.twilioCode, unknown.httpStatus], ['TWILIO_ERROR', 99999, 502]);
    assert.match(unknown.message, /99999.*Something new/);
    assert.equal(mapTwilioError({ status: 401, code: undefined }).code, 'TWILIO_INVALID_CREDENTIALS');
    assert.equal(mapTwilioError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' })).code, 'TWILIO_UNAVAILABLE');
    assert.equal(mapTwilioError(new Error('timeout of 200ms exceeded')).code, 'TWILIO_TIMEOUT');
  });

  it('rejects an Account SID that does not start with AC before any request', () => {
    assert.throws(() => createTwilio({ accountSid: 'SK123', authToken: 't' }), (e: unknown) => e instanceof TwilioProviderError && e.code === 'TWILIO_INVALID_CREDENTIALS');
  });
});

describe('validateTwilioWebhook', () => {
  // The example of Twilio's security documentation (auth token 12345, this URL and these parameters).
  const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
  const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };

  it('accepts Twilio\'s documented example signature and our sandbox signs identically', () => {
    assert.equal(twilioSignature('12345', url, params), '0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    assert.equal(validateTwilioWebhook('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params), true);
  });

  it('rejects a missing signature, another token, URL or parameter set', () => {
    assert.equal(validateTwilioWebhook('12345', undefined, url, params), false);
    assert.equal(validateTwilioWebhook('54321', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, params), false);
    assert.equal(validateTwilioWebhook('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', 'https://mycompany.com/myapp.php', params), false);
    assert.equal(validateTwilioWebhook('12345', '0/KCTR6DLpKmkAf8muzZqo1nDgQ=', url, { ...params, Extra: 'x' }), false);
  });
});
