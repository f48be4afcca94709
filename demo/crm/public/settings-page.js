/**
 * Settings: the guided setup against the Live Leads API, with the signed-in CRM user's embed token.
 * Shows the current state (GET /v1/session), saves the outbound agent (PUT /v1/agents/outbound) and imports the
 * Twilio number (POST /v1/telephony/twilio). Errors are shown from the API's error shape, field by field.
 */
import { getEmbedToken } from './crm-token.js';

const apiUrl = document.body.dataset.apiUrl.replace(/\/+$/, '');

class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `The Live Leads API answered ${status}.`);
    this.status = status;
    this.code = body?.error?.code ?? 'HTTP_' + status;
    this.details = body?.error?.details;
    this.requestId = body?.error?.requestId;
  }
}

let token = null;
async function api(method, path, body, retried = false) {
  token ??= await getEmbedToken();
  let res;
  try {
    res = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
  } catch {
    throw new ApiError(0, { error: { code: 'NETWORK', message: 'The Live Leads API cannot be reached. Is the demo still running?' } });
  }
  if (res.status === 401 && !retried) {
    token = null;
    return api(method, path, body, true);
  }
  if (res.status === 204) return null;
  const json = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
}

// ------------------------------------------------------------------ status

function setStep(id, done, text) {
  const li = document.getElementById(id);
  li.classList.toggle('is-done', done === true);
  li.classList.toggle('is-todo', done === false);
  li.querySelector('.step-state').textContent = text;
}

async function refreshStatus() {
  const errorEl = document.getElementById('status-error');
  try {
    const session = await api('GET', '/v1/session');
    const t = session.telephony;
    setStep('status-agent', t.outboundAgentConfigured, t.outboundAgentConfigured ? 'Configured' : 'Not set up: calls are refused until it is');
    setStep('status-twilio', Boolean(t.twilioNumber), t.twilioNumber ? `${t.twilioNumber}` : 'Not imported: no calls or texts yet');
    setStep('status-mode', null, t.sandbox ? 'Sandbox: calls and texts are simulated, nothing leaves this machine' : 'Live: real calls and texts');
    document.getElementById('sandbox-hint').hidden = !t.sandbox;
    errorEl.hidden = true;
    return session;
  } catch (err) {
    errorEl.textContent = describe(err);
    errorEl.hidden = false;
    return null;
  }
}

function describe(err) {
  if (!(err instanceof ApiError)) return err.message;
  if (err.code === 'FORBIDDEN') return `${err.message} Switch to the admin user (top right) to change settings.`;
  return err.requestId ? `${err.message} (request ${err.requestId})` : err.message;
}

// ------------------------------------------------------------------ forms

function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => (p.textContent = ''));
  form.querySelectorAll('[aria-invalid]').forEach((el) => el.removeAttribute('aria-invalid'));
  const formError = form.querySelector('.form-error');
  formError.hidden = true;
  formError.textContent = '';
  form.querySelector('.form-ok').textContent = '';
}

function showError(form, err) {
  const fields = Array.isArray(err.details?.fields) ? err.details.fields : [];
  let firstInvalid = null;
  for (const f of fields) {
    const key = String(f.path).split('.')[0];
    const p = form.querySelector(`.field-error[data-for="${CSS.escape(key)}"]`);
    const input = form.elements.namedItem(key);
    if (p) p.textContent = f.message;
    if (input) {
      input.setAttribute('aria-invalid', 'true');
      if (p) {
        p.id ||= `${form.id}-${key}-error`;
        input.setAttribute('aria-describedby', p.id);
      }
      firstInvalid ??= input;
    }
  }
  const formError = form.querySelector('.form-error');
  formError.textContent = err.code === 'VALIDATION_FAILED' && fields.length ? 'Not saved: check the highlighted fields.' : describe(err);
  formError.hidden = false;
  (firstInvalid ?? formError).focus?.();
}

function wire(form, submit) {
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    clearErrors(form);
    const button = form.querySelector('button[type="submit"]');
    button.disabled = true;
    const original = button.textContent;
    button.textContent = 'Saving…';
    try {
      const message = await submit(Object.fromEntries(new FormData(form)));
      form.querySelector('.form-ok').textContent = message;
      await refreshStatus();
    } catch (err) {
      showError(form, err);
    } finally {
      button.disabled = false;
      button.textContent = original;
    }
  });
}

const agentForm = document.getElementById('agent-form');
const twilioForm = document.getElementById('twilio-form');

wire(agentForm, async (values) => {
  const { agent } = await api('PUT', '/v1/agents/outbound', values);
  return `Saved. ${agent?.name ?? values.name} will place calls from the board.`;
});

wire(twilioForm, async (values) => {
  const { integration } = await api('POST', '/v1/telephony/twilio', values);
  twilioForm.elements.namedItem('authToken').value = '';
  return `Imported ${integration?.phoneNumber ?? values.phoneNumber}. Calls and texts will come from this number.`;
});

document.getElementById('fill-sandbox')?.addEventListener('click', () => {
  const hex = Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');
  twilioForm.elements.namedItem('accountSid').value = `AC${hex}`;
  twilioForm.elements.namedItem('authToken').value = `sandbox_${hex.slice(0, 16)}`;
  twilioForm.elements.namedItem('phoneNumber').value = '+12125550100';
  twilioForm.elements.namedItem('accountSid').focus();
});

const DEFAULT_PROMPT =
  'You are Ava, the friendly virtual assistant of Radiance Aesthetics, a medical aesthetics clinic in New York. ' +
  'Call leads who asked about a treatment on our website, answer questions about treatments and prices, and offer to book ' +
  'a free consultation. Never give medical advice; offer a call back from a nurse injector instead. Keep it short and warm.';
const DEFAULT_FIRST = "Hi {{name}}, this is Ava from Radiance Aesthetics. You asked about a treatment on our website. Is now a good time?";

async function prefill() {
  try {
    const { agent } = await api('GET', '/v1/agents/outbound');
    const a = agent?.configured ? agent : null;
    agentForm.elements.namedItem('name').value = a?.name ?? 'Ava';
    if (a?.voice) agentForm.elements.namedItem('voice').value = a.voice;
    agentForm.elements.namedItem('systemPrompt').value = a?.systemPrompt ?? DEFAULT_PROMPT;
    agentForm.elements.namedItem('firstMessage').value = a?.firstMessage ?? DEFAULT_FIRST;
  } catch {
    /* the status card shows the error */
  }
  try {
    const { integration } = await api('GET', '/v1/telephony/twilio');
    if (integration) {
      twilioForm.elements.namedItem('phoneNumber').value = integration.phoneNumber;
      twilioForm.elements.namedItem('accountSid').placeholder = `${integration.accountSid} (connected)`;
    }
  } catch {
    /* idem */
  }
}

// Arriving from a call-error guide (/settings#agent, #twilio): bring that step into view and focus its first field.
function focusHash() {
  const target = location.hash && document.querySelector(location.hash);
  if (!target) return;
  target.scrollIntoView({ block: 'start' });
  target.classList.add('is-highlighted');
  target.querySelector('input, select, textarea')?.focus({ preventScroll: true });
}
window.addEventListener('hashchange', focusHash);

await Promise.all([refreshStatus(), prefill()]);
focusHash();
