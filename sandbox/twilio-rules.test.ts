import assert from 'node:assert/strict';
import { twilioKeyword, twilioSegments } from './twilio-rules.js';

describe("the sandbox's own Twilio rules", () => {
  it('knows Twilio\'s default keywords on the whole body, in any case, and nothing else', () => {
    for (const body of ['STOP', 'stop', ' Stop. ', 'StopAll', 'unsubscribe', 'CANCEL', 'end', 'quit', 'revoke', 'optout']) assert.equal(twilioKeyword(body), 'stop', body);
    for (const body of ['START', 'yes', 'Unstop']) assert.equal(twilioKeyword(body), 'start', body);
    for (const body of ['HELP', 'info?']) assert.equal(twilioKeyword(body), 'help', body);
    // Twilio does not act on sentences, however clear: that is the product's job (staff review).
    for (const body of ['Stop by tomorrow?', 'please stop texting me', 'STOP IT', '']) assert.equal(twilioKeyword(body), 'message', body);
  });

  it('counts segments the way Twilio bills them', () => {
    assert.deepEqual(twilioSegments('a'.repeat(160)), { characters: 160, segments: 1 });
    assert.deepEqual(twilioSegments('a'.repeat(161)), { characters: 161, segments: 2 });
    assert.equal(twilioSegments('€'.repeat(80)).segments, 1, 'extension characters take two septets: 160 septets fit one');
    assert.equal(twilioSegments('€'.repeat(81)).segments, 2);
    assert.equal(twilioSegments('🙂'.repeat(35)).segments, 1, 'UCS-2: 70 units, an emoji is two');
    assert.equal(twilioSegments('é'.repeat(160) + 'ś').segments, 3, 'one non-GSM letter makes the whole text UCS-2 (161 units / 67)');
  });
});
