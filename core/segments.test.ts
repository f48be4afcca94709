import assert from 'node:assert/strict';
import { countSegments, isGsm7 } from './segments.js';

describe('countSegments', () => {
  it('an empty body is zero segments with a full first segment left', () => {
    assert.deepEqual(countSegments(''), {
      encoding: 'GSM-7', characters: 0, units: 0, segments: 0, perSegment: 160, remainingInSegment: 160, tooLong: false,
    });
  });

  it('GSM-7: 160 characters fit one segment, 161 need two parts of 153', () => {
    assert.deepEqual(countSegments('a'.repeat(160)), {
      encoding: 'GSM-7', characters: 160, units: 160, segments: 1, perSegment: 160, remainingInSegment: 0, tooLong: false,
    });
    assert.deepEqual(countSegments('a'.repeat(161)), {
      encoding: 'GSM-7', characters: 161, units: 161, segments: 2, perSegment: 153, remainingInSegment: 145, tooLong: false,
    });
    assert.equal(countSegments('a'.repeat(306)).segments, 2);
    assert.equal(countSegments('a'.repeat(307)).segments, 3);
  });

  it('GSM-7 basic accented letters and symbols stay GSM-7 (é, ñ, £, ¥, @, Ä, §)', () => {
    const r = countSegments('Café señor £5 ¥ @ Ä §');
    assert.equal(r.encoding, 'GSM-7');
    assert.equal(r.units, r.characters);
  });

  it('each extension character (^ { } \\ [ ] ~ | €) takes two septets', () => {
    for (const ch of ['^', '{', '}', '\\', '[', ']', '~', '|', '€']) {
      const r = countSegments(`a${ch}`);
      assert.equal(r.encoding, 'GSM-7', ch);
      assert.equal(r.characters, 2, ch);
      assert.equal(r.units, 3, ch);
    }
    // 80 euro signs = 160 septets: one segment; 81 = 162 septets: two parts. The first part holds 76 (152 septets: a 77th
    // pair would straddle septet 153), the second 5 (10 septets), leaving 143.
    assert.equal(countSegments('€'.repeat(80)).segments, 1);
    assert.deepEqual(countSegments('€'.repeat(81)), {
      encoding: 'GSM-7', characters: 81, units: 162, segments: 2, perSegment: 153, remainingInSegment: 143, tooLong: false,
    });
  });

  it('an escape pair is never split across parts', () => {
    // 152 plain + "€" = 154 septets: the euro sign would straddle 153, so it opens the second part.
    const r = countSegments('a'.repeat(152) + '€' + 'b'.repeat(10));
    assert.equal(r.units, 164);
    assert.equal(r.segments, 2);
    assert.equal(r.remainingInSegment, 153 - 12);
  });

  it('UCS-2: one non-GSM character switches the whole message; 70 fit one segment, 71 need two of 67', () => {
    const seventy = 'ç' + 'a'.repeat(69); // ç (small c cedilla) is not in GSM-7; Ç is
    assert.equal(isGsm7('Ç'), true);
    assert.equal(isGsm7('ç'), false);
    assert.deepEqual(countSegments(seventy), {
      encoding: 'UCS-2', characters: 70, units: 70, segments: 1, perSegment: 70, remainingInSegment: 0, tooLong: false,
    });
    assert.deepEqual(countSegments(seventy + 'a'), {
      encoding: 'UCS-2', characters: 71, units: 71, segments: 2, perSegment: 67, remainingInSegment: 63, tooLong: false,
    });
  });

  it('in UCS-2 the extension characters are single units', () => {
    const r = countSegments('ç€[]');
    assert.equal(r.encoding, 'UCS-2');
    assert.equal(r.units, 4);
  });

  it('emoji are two UTF-16 units, one character, and never split across parts', () => {
    assert.deepEqual(countSegments('Hi 😊'), {
      encoding: 'UCS-2', characters: 4, units: 5, segments: 1, perSegment: 70, remainingInSegment: 65, tooLong: false,
    });
    assert.equal(countSegments('😊'.repeat(35)).segments, 1); // 70 units
    const r = countSegments('a'.repeat(66) + '😊' + 'aaa'); // 71 units; the pair would straddle unit 67
    assert.equal(r.units, 71);
    assert.equal(r.segments, 2);
    assert.equal(r.remainingInSegment, 67 - 5); // the second part holds the emoji (2) and 'aaa' (3)
  });

  it('curly quotes make a message UCS-2 (a common surprise when pasting from a word processor)', () => {
    assert.equal(countSegments('It\u2019s booked').encoding, 'UCS-2');
    assert.equal(countSegments("It's booked").encoding, 'GSM-7');
  });

  it('1,600 characters is the limit: 1600 is allowed, 1601 is too long', () => {
    const max = countSegments('a'.repeat(1600));
    assert.equal(max.tooLong, false);
    assert.equal(max.segments, 11); // ceil(1600 / 153)
    assert.equal(countSegments('a'.repeat(1601)).tooLong, true);
    // The limit counts characters, not units: 1600 emoji are 3200 units but 1600 characters.
    const emoji = countSegments('😊'.repeat(1600));
    assert.equal(emoji.characters, 1600);
    assert.equal(emoji.tooLong, false);
    assert.equal(emoji.segments, Math.ceil(1600 / 33)); // 33 pairs fit in 67 units
  });

  it('newlines are GSM-7 (LF and CR are in the basic table)', () => {
    assert.equal(countSegments('line1\nline2\r\n').encoding, 'GSM-7');
  });
});
