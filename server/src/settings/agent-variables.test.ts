import assert from 'node:assert/strict';
import { agentVariableValues, AGENT_VARIABLES, checkAgentText } from './agent-variables.js';

describe('agent variables (issue 18, 2)', () => {
  it('accepts our names, Vapi\'s defaults and the default filter; names every unknown variable', () => {
    assert.deepEqual(checkAgentText('Hi {{first_name}} from {{ clinic_name }} on {{date}}, {{customer.number}} {{ name | default: "there" }}'), []);
    assert.deepEqual(checkAgentText('Hi {{leadName}}, {{clinicName}}').map((p) => p.variable), ['leadName', 'clinicName']);
    assert.deepEqual(checkAgentText('{{ now | date: "%Y" }}').map((p) => p.variable), ['now']);
    assert.equal(checkAgentText('{% if x %}hi{% endif %}')[0]!.variable, '{%');
    assert.equal(checkAgentText('Hi {{first_name')[0]!.variable, '{{');
  });

  it('always sends a value for each of our variables, with fallbacks', () => {
    const v = agentVariableValues({ leadName: '  Maria   Lopez ', services: [], clinicName: 'Glow', clinicPhone: '+14155550100' });
    assert.deepEqual(v, { first_name: 'Maria', name: 'Maria', full_name: 'Maria Lopez', clinic_name: 'Glow', clinic_phone: '+14155550100', service: 'our treatments' });
    assert.equal(agentVariableValues({ leadName: '', services: ['Botox'], clinicName: 'G', clinicPhone: 'p' }).first_name, 'there');
    assert.deepEqual(Object.keys(v).sort(), AGENT_VARIABLES.map((x) => x.name).sort());
  });
});
