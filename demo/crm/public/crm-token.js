/**
 * The CRM's token provider for the Live Leads elements. The secret key stays on the CRM's server: the browser asks its
 * own backend, which mints a short-lived embed token for the signed-in CRM user with POST /v1/embed-tokens.
 */
let pending = null;

export function getEmbedToken() {
  pending ??= fetch('/crm-api/embed-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    credentials: 'same-origin',
  })
    .then(async (res) => {
      const body = await res.json().catch(() => null);
      if (!res.ok || !body?.token) throw new Error(body?.error?.message ?? `The CRM could not get a Live Leads token (${res.status}).`);
      return body.token;
    })
    .finally(() => {
      pending = null;
    });
  return pending;
}
