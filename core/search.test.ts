/** The search rule (core/search.ts): keys and lookups agree with the plain "contains" condition on every example. */
import assert from 'node:assert/strict';
import { normaliseName, searchKeysOf, searchLookup } from './search.js';
import { phoneDigits } from './phone.js';

/** Would the board find this contact by this query: the key (when any) is among its keys and the exact check passes. */
function finds(name: string, phone: string, q: string): boolean {
  const lookup = searchLookup(q);
  if (!lookup) return true;
  const nameLower = normaliseName(name);
  const digits = phoneDigits(phone);
  const keys = searchKeysOf(nameLower, digits);
  if (lookup.key && !keys.includes(lookup.key)) return false;
  return new RegExp(lookup.pattern).test(lookup.field === 'nameLower' ? nameLower : digits);
}

describe('core: search keys and lookups', () => {
  const john = ['John Smith', '+12125551234'] as const;

  it("finds every example of the guide: 1234, +1212, (212) 555, john, smith, JOHN", () => {
    for (const q of ['1234', '+1212', '(212) 555', 'john', 'smith', 'JOHN', 'John Smith', '  john  ', '555-1234', '2125551234']) {
      assert.ok(finds(...john, q), q);
    }
    for (const q of ['jane', '9999', 'smyth', '(213)', 'john smyth']) assert.equal(finds(...john, q), false, q);
  });

  it('from the third letter a word matches inside a word; one or two letters match the start of a word', () => {
    assert.ok(finds(...john, 'ohn'));
    assert.ok(finds(...john, 'mit'));
    assert.ok(finds(...john, 'hn sm'), 'text across words, as typed');
    assert.ok(finds(...john, 'jo'));
    assert.ok(finds(...john, 's'));
    assert.equal(finds(...john, 'oh'), false, 'two letters inside a word do not match');
    assert.ok(finds('Mary Jones', '+12125550000', 'jo'));
    assert.equal(finds('Majo Perez', '+12125550000', 'jo'), false);
    assert.ok(finds('Mary-Jo Perez', '+12125550000', 'mary-jo'));
    assert.ok(finds('Mary-Jo Perez', '+12125550000', 'jo per'));
  });

  it('accents, other scripts and punctuation in names', () => {
    assert.ok(finds('José Núñez', '+34600111222', 'josé'));
    assert.ok(finds('José Núñez', '+34600111222', 'NÚÑ'));
    assert.ok(finds('Zoë O\u2019Brien', '+353861234567', 'brien'));
    assert.ok(finds('李小龍', '+85291234567', '李小'));
    assert.ok(finds('李小龍', '+85291234567', '李小龍'));
    assert.equal(finds('José Núñez', '+34600111222', 'nunez'), false, 'accents are matched as typed (the stored name keeps them)');
  });

  it('the key is one every match carries (checked against the contains rule on a sample)', () => {
    const names = ['John Smith', 'Joanna Smithers', 'Ann-Marie Li', 'Bo Li', 'Li Bo', 'Mary Jo Jones', 'Oscar de la Hoya'];
    const queries = ['jo', 'smith', 'ith', 'li', 'ann-marie', 'ie li', 'bo li', 'de la', 'la hoy', 'o s', 'mary jo j'];
    for (const name of names)
      for (const q of queries) {
        const contains = normaliseName(name).includes(normaliseName(q));
        const short = normaliseName(q).length < 3;
        if (contains && !short) assert.ok(finds(name, '+12125550000', q), `${name} / ${q}`);
        if (!contains) assert.equal(finds(name, '+12125550000', q), false, `${name} / ${q}`);
      }
  });

  it('phone keys: 4-digit runs; one to three digits have no key; the input is never a pattern', () => {
    const keys = searchKeysOf('x', '12125551234');
    assert.deepEqual(keys.filter((k) => k.startsWith('p:')), ['p:1212', 'p:2125', 'p:1255', 'p:2555', 'p:5551', 'p:5512', 'p:5123', 'p:1234']);
    assert.equal(searchLookup('212')!.key, null);
    assert.equal(searchLookup('+1 (212) 555-1234')!.key, 'p:1234');
    const hostile = searchLookup('.*(a+)+$')!;
    assert.equal(new RegExp(hostile.pattern).test('anything'), false);
    assert.ok(new RegExp(hostile.pattern).test('.*(a+)+$'));
    assert.equal(searchLookup('   '), null);
  });
});
