/**
 * How Vapi fills `{{...}}` in an assistant's firstMessage and system prompt, as its documentation describes it
 * (https://docs.vapi.ai/assistants/dynamic-variables), written here on purpose rather than imported from the product:
 * - LiquidJS syntax: `{{ name }}`, dotted paths (`{{ customer.number }}`), and filters such as `{{ name | default: "there" }}`;
 * - values come from the call's `assistantOverrides.variableValues`, plus Vapi's default variables: `now`, `date`, `time`,
 *   `month`, `day`, `year` (UTC) and `customer.*` (the call's customer: `customer.number`, `customer.name`, ...);
 * - an undefined variable renders as the empty string (Liquid's non-strict mode), which is how "Hi {{name}}," becomes "Hi ,".
 * Only the `default` filter is applied; any other filter leaves the value as it is.
 */
export type VariableScope = Record<string, unknown>;

const TAG = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;

/** Vapi's default variables for a call starting at `now`. */
export function defaultVariables(now: Date, customer: Record<string, unknown>): VariableScope {
  const fmt = (o: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', ...o }).format(now);
  const date = fmt({ month: 'short', day: 'numeric', year: 'numeric' });
  const time = fmt({ hour: 'numeric', minute: '2-digit', hour12: true });
  return {
    now: `${date} ${time}`,
    date,
    time,
    month: fmt({ month: 'long' }),
    day: String(now.getUTCDate()),
    year: String(now.getUTCFullYear()),
    customer,
  };
}

function lookup(scope: VariableScope, path: string): unknown {
  let v: unknown = scope;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

/** Renders every `{{ ... }}` of `text` with `scope` (variableValues win over the defaults). */
export function renderVariables(text: string, scope: VariableScope): string {
  return text.replace(TAG, (_, expr: string) => {
    const [path = '', ...filters] = expr.split('|').map((s) => s.trim());
    let value = lookup(scope, path);
    for (const f of filters) {
      const m = /^default\s*:\s*(?:"([^"]*)"|'([^']*)')$/.exec(f);
      if (m && (value === undefined || value === null || value === '' || value === false)) value = m[1] ?? m[2];
    }
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
