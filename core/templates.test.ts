import assert from 'node:assert/strict';
import { BUILT_IN_TEMPLATES, mergeValuesFor, parseTemplate, renderTemplate, segmentRange, unknownFieldsMessage } from './templates.js';
import { countSegments } from './segments.js';

describe('SMS templates', () => {
  it('parses known fields and fallbacks, and names unknown fields', () => {
    const p = parseTemplate('Hi {first_name|there}, {firstname} and {Clinic_Name}; {oops|x}');
    assert.deepEqual(p.fields, ['first_name', 'clinic_name']);
    assert.deepEqual(p.unknown, ['firstname', 'oops']);
    assert.equal(p.tokens[0]!.fallback, 'there');
    assert.match(unknownFieldsMessage(p)!, /Unknown merge fields \{firstname\}, \{oops\}/);
    assert.equal(unknownFieldsMessage(parseTemplate('plain text { not a field } ok')), 'Unknown merge field {not a field}. Use {first_name}, {name}, {service}, {appointment_time}, {appointment_date}, {clinic_name}, {clinic_phone}, {link}; add a fallback after a bar, e.g. {first_name|there}.');
    assert.equal(unknownFieldsMessage(parseTemplate('a lone { brace')), null);
  });

  it('renders values, falls back, and drops the space of an empty field', () => {
    const body = 'Hi {first_name|there}! Your {service} appointment at {clinic_name}.';
    assert.equal(renderTemplate(body, { first_name: 'Ana', service: 'Botox', clinic_name: 'Glow' }), 'Hi Ana! Your Botox appointment at Glow.');
    assert.equal(renderTemplate(body, { first_name: '  ', clinic_name: 'Glow' }), 'Hi there! Your appointment at Glow.');
    assert.equal(renderTemplate('Hi {first_name}!', {}), 'Hi!');
  });

  it('formats appointment times in the given zone', () => {
    const v = mergeValuesFor({
      lead: { name: 'Maria  Lopez', services: ['Laser'] },
      appointment: { scheduledAt: '2026-03-05T19:00:00Z', serviceType: 'Botox consultation' },
      clinic: { name: 'Glow', phone: '+12125550100' },
      timeZone: 'America/New_York',
    });
    assert.equal(v.first_name, 'Maria');
    assert.equal(v.service, 'Botox consultation');
    assert.equal(v.appointment_time, '2:00 PM');
    assert.equal(v.appointment_date, 'Thursday, March 5');
    const la = mergeValuesFor({ lead: { name: 'M', services: ['Laser'] }, appointment: { scheduledAt: '2026-03-05T19:00:00Z' }, clinic: { name: 'G' }, timeZone: 'America/Los_Angeles' });
    assert.equal(la.appointment_time, '11:00 AM');
    assert.equal(la.service, 'Laser', 'the lead service when the appointment names none');
  });

  it('counts segments of rendered texts and warns when recipients differ', () => {
    const body = BUILT_IN_TEMPLATES[0]!.body;
    const short = renderTemplate(body, { first_name: 'Al', clinic_name: 'Glow', clinic_phone: '(212) 555-0100' });
    const long = renderTemplate(body, { first_name: 'Bartholomew-Maximilian', clinic_name: 'Glow Aesthetics Studio', clinic_phone: '(212) 555-0100' });
    const uni = renderTemplate(body, { first_name: 'Zoë😊', clinic_name: 'Glow', clinic_phone: '(212) 555-0100' });
    assert.equal(countSegments(short).segments, 1);
    assert.equal(countSegments(long).segments, 2);
    assert.equal(countSegments(uni).encoding, 'UCS-2');
    const range = segmentRange([short, long, uni].map((t) => countSegments(t).segments));
    assert.equal(range.min, 1);
    assert.equal(range.max, 3);
    assert.match(range.warning!, /1 to 3 segments/);
    assert.equal(segmentRange([1, 1]).warning, null);
  });

  it('ships the guide\'s three campaigns, each using only known fields', () => {
    assert.equal(BUILT_IN_TEMPLATES.length, 3);
    for (const t of BUILT_IN_TEMPLATES) assert.deepEqual(parseTemplate(t.body).unknown, [], t.name);
    assert.match(BUILT_IN_TEMPLATES[1]!.body, /\{appointment_time\}/);
    assert.match(BUILT_IN_TEMPLATES[2]!.body, /\{link\}/);
  });
});
