/**
 * The variables an AI agent's first message and system prompt may use, filled per call through Vapi's
 * `assistantOverrides.variableValues` (https://docs.vapi.ai/assistants/dynamic-variables). Vapi renders `{{...}}` with
 * LiquidJS, and an unknown name renders as nothing ("Hi {{leadName}}," says "Hi ,"), so every name is checked when the
 * agent is saved: only ours, Vapi's documented defaults, and the `default` filter are accepted.
 */

export interface AgentVariable {
  name: string;
  description: string;
  example: string;
}

/** Ours, always sent with a value (never empty, so nothing renders as a gap). */
export const AGENT_VARIABLES: readonly AgentVariable[] = [
  { name: 'first_name', description: "The lead's first name (\"there\" when the lead has no name)", example: 'Maria' },
  { name: 'name', description: 'Same as first_name (kept for greetings written as "Hi {{name}}")', example: 'Maria' },
  { name: 'full_name', description: "The lead's full name (\"there\" when the lead has no name)", example: 'Maria Lopez' },
  { name: 'clinic_name', description: "The clinic's name", example: 'Glow Aesthetics' },
  { name: 'clinic_phone', description: "The clinic's phone number (the imported Twilio number)", example: '+14155550100' },
  { name: 'service', description: 'The first service the lead asked about ("our treatments" when none)', example: 'Botox' },
];

/** Vapi's default variables (UTC time, and the call's customer: we send customer.number and customer.name). */
export const VAPI_DEFAULT_VARIABLES: readonly string[] = ['now', 'date', 'time', 'month', 'day', 'year', 'customer.number', 'customer.name'];

const KNOWN = new Set([...AGENT_VARIABLES.map((v) => v.name), ...VAPI_DEFAULT_VARIABLES]);
const TAG = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
const DEFAULT_FILTER = /^default\s*:\s*(?:"[^"{}]*"|'[^'{}]*')$/;

export interface VariableProblem {
  /** The variable as written, e.g. "leadName". */
  variable: string;
  message: string;
}

/** The problems of one text: unknown variables, unsupported filters or Liquid tags, unclosed braces. */
export function checkAgentText(text: string): VariableProblem[] {
  const problems: VariableProblem[] = [];
  const allowed = `use ${AGENT_VARIABLES.map((v) => `{{${v.name}}}`).join(', ')} or Vapi's ${VAPI_DEFAULT_VARIABLES.map((v) => `{{${v}}}`).join(', ')}`;
  for (const m of text.matchAll(TAG)) {
    const [path = '', ...filters] = m[1]!.split('|').map((s) => s.trim());
    if (!KNOWN.has(path)) {
      problems.push({ variable: path, message: `{{${path}}} is not a variable we fill, so the agent would say nothing there: ${allowed}.` });
      continue;
    }
    for (const f of filters) {
      if (!DEFAULT_FILTER.test(f)) problems.push({ variable: path, message: `"| ${f}" is not supported: only a fallback such as {{${path} | default: "there"}}.` });
    }
  }
  const rest = text.replace(TAG, '');
  if (/\{%/.test(rest)) problems.push({ variable: '{%', message: 'Liquid tags ({% ... %}) are not supported: use plain {{variables}}.' });
  else if (/\{\{|\}\}/.test(rest)) problems.push({ variable: '{{', message: 'A variable is not closed: write it as {{first_name}}.' });
  return problems;
}

/** The values of our variables for one call. */
export function agentVariableValues(input: {
  leadName: string | null | undefined;
  services: readonly string[];
  clinicName: string;
  clinicPhone: string;
}): Record<string, string> {
  const full = (input.leadName ?? '').trim().replace(/\s+/g, ' ');
  const first = full.split(' ')[0] ?? '';
  return {
    first_name: first || 'there',
    name: first || 'there',
    full_name: full || 'there',
    clinic_name: input.clinicName,
    clinic_phone: input.clinicPhone,
    service: input.services[0] ?? 'our treatments',
  };
}
