/**
 * The Leads page: hands the board its token provider (before the bundle upgrades the element: this module runs first),
 * and mirrors the board's DOM events into the CRM's own activity feed.
 */
import { getEmbedToken } from './crm-token.js';

const board = document.querySelector('leads-board');
board.tokenProvider = getEmbedToken;

const feed = document.getElementById('activity-feed');
const empty = document.getElementById('activity-empty');
const KEY = 'radiance-crm-activity';
const MAX = 40;
const timeFmt = new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit' });
const label = (s) => ({ new: 'New', contacted: 'Contacted', qualified: 'Qualified', booked: 'Booked', converted: 'Converted', lost: 'Lost' })[s] ?? s;

/** @type {Array<{kind: string, text: string, at: number, href?: string, linkText?: string}>} */
let items = [];
try {
  items = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
} catch {
  items = [];
}

function render() {
  feed.replaceChildren(
    ...items.map((item) => {
      const li = document.createElement('li');
      li.className = `activity-item activity-${item.kind}`;
      const dot = document.createElement('span');
      dot.className = 'activity-dot';
      dot.setAttribute('aria-hidden', 'true');
      const text = document.createElement('span');
      text.className = 'activity-text';
      text.textContent = item.text;
      if (item.href) {
        const a = document.createElement('a');
        a.href = item.href;
        a.textContent = item.linkText ?? 'Fix';
        text.append(' ', a);
      }
      const time = document.createElement('time');
      time.dateTime = new Date(item.at).toISOString();
      time.textContent = timeFmt.format(item.at);
      li.append(dot, text, time);
      return li;
    }),
  );
  empty.hidden = items.length > 0;
}

function add(kind, text, extra = {}) {
  items = [{ kind, text, at: Date.now(), ...extra }, ...items].slice(0, MAX);
  try {
    sessionStorage.setItem(KEY, JSON.stringify(items));
  } catch {
    /* private mode: keep it in memory */
  }
  render();
}

const name = (detail) => detail?.lead?.name ?? 'A lead';

board.addEventListener('lead-open', (e) => add('open', `Opened ${name(e.detail)}`));
board.addEventListener('lead-status-change', (e) => add('status', `${name(e.detail)}: ${label(e.detail.from)} → ${label(e.detail.to)}`));
board.addEventListener('call-started', (e) => add('call', `Calling ${name(e.detail)}…`));
board.addEventListener('call-failed', (e) => {
  const code = e.detail.error?.code;
  const fix =
    code === 'OUTBOUND_AGENT_NOT_CONFIGURED'
      ? { href: '/settings#agent', linkText: 'Set up the agent' }
      : code === 'NO_PHONE_NUMBER' || code === 'TWILIO_NOT_CONFIGURED'
        ? { href: '/settings#twilio', linkText: 'Import a number' }
        : {};
  add('failed', `Call to ${name(e.detail)} failed: ${e.detail.error?.message ?? 'unknown error'}`, fix);
});
board.addEventListener('sms-sent', (e) =>
  add('sms', e.detail.scheduled ? `Text to ${name(e.detail)} scheduled (quiet hours)` : `Text sent to ${name(e.detail)}`),
);
board.addEventListener('hot-lead', (e) => add('hot', `${name(e.detail)} just turned hot (${e.detail.lead.leadScore})`));

document.getElementById('activity-clear')?.addEventListener('click', () => {
  items = [];
  sessionStorage.removeItem(KEY);
  render();
});

render();
