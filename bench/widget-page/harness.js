// A page for the widget bench and screenshots: the built script-tag bundle with an in-page fake API (no server),
// loaded under a strict Content-Security-Policy (no inline script or style).
import { ApiError } from '/live-leads.js';

const NAMES = ['Maria Lopez', 'James Carter', 'Aisha Khan', 'Tom Becker', 'Lena Novak', 'Priya Shah', 'Diego Ruiz', 'Emma Wilson',
  'Noah Kim', 'Olivia Brown', 'Liam Chen', 'Sofia Rossi', 'Lucas Martin', 'Chloe Dubois', 'Ethan Park', 'Mia Jensen',
  'Jack Murphy', 'Zara Ali', 'Leo Fischer', 'Ava Costa'];
const SERVICES = ['Botox', 'Lip filler', 'Laser hair removal', 'Chemical peel', 'Consultation', 'Microneedling'];
const STATUSES = ['new', 'contacted', 'qualified', 'booked', 'new', 'lost', 'converted'];
const now = Date.now();
export const leads = NAMES.map((name, i) => {
  const score = Math.max(5, 98 - i * 5);
  return {
    id: `lead-${i + 1}`, name, phone: i === 7 ? '212 555 0199' : `+1212555${String(1000 + i * 37).padStart(4, '0')}`, phoneValid: i !== 7,
    email: null, services: SERVICES.slice(i % 3, (i % 3) + 1 + (i % 5)), leadScore: score, tier: score >= 80 ? 'hot' : score >= 50 ? 'warm' : 'cold',
    leadStatus: STATUSES[i % STATUSES.length], lastContactAt: i % 4 === 0 ? null : new Date(now - [0, 30e3, 5 * 60e3, 2 * 3600e3, 3 * 86400e3][i % 5]).toISOString(),
    lastAttemptAt: null,
    scoreBreakdown: i === 0 ? { score, raw: 120, services: ['Botox'], scoredAt: new Date().toISOString(), callId: 'c1', rules: [
      { rule: 'base', points: 50, matches: [], quotes: [] },
      { rule: 'high_value_keywords', points: 20, matches: ['botox', 'consultation'], quotes: ['I would love a botox consultation'] },
      { rule: 'urgency', points: 30, matches: ['this week'], quotes: ['Can I come in this week?'] },
      { rule: 'positive_sentiment', points: 30, matches: ['love'], quotes: ['I would love a botox consultation'] }] } : null,
    smsOptOut: null, consent: null, externalId: null, timezone: null, lostFrom: null, lostBy: null, lostAt: null, activeCallId: null,
    createdAt: new Date().toISOString(), updatedAt: new Date().toISOString(), version: 1,
  };
});

export const fakeApi = {
  baseUrl: 'http://fake',
  getToken: async () => 't', refreshToken: async () => 't',
  session: async () => ({ user: { id: 'u1', name: 'Ann', role: 'admin' }, org: { id: 'o1', name: 'Radiance', timezone: 'UTC' }, telephony: { outboundAgentConfigured: false, twilioNumber: null, sandbox: true } }),
  listLeads: async (q = {}) => ({ items: leads.slice(0, q.pageSize ?? 20), page: q.page ?? 1, pageSize: 20, total: 57, totalPages: 3 }),
  getLead: async (id) => ({ ...leads.find((l) => l.id === id), calls: [], appointments: [], notes: [], timeline: [], allowedTransitions: ['booked', 'lost'], canUndoLost: false, canRevertLost: false }),
  changeStatus: async (id, c) => ({ ...leads.find((l) => l.id === id), leadStatus: c.status }),
  revert: async (id) => ({ ...leads.find((l) => l.id === id) }),
  startCall: async () => { throw new ApiError(422, 'OUTBOUND_AGENT_NOT_CONFIGURED', 'No outbound agent is set up for this clinic.'); },
  getCall: async () => { throw new Error('none'); },
  exportCsv: async () => new Blob(['']),
};
export const fakeLive = { status: 'connected', on: () => () => {} };

window.__widget = { leads, fakeApi, fakeLive };

// Bench: first render of 20 cards by leads-board vs plain DOM (medians).
window.__bench = async (runs) => {
      const w = window.__widget;
      const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
      const board = [];
      const plain = [];
      const host = document.createElement('div');
      document.body.append(host);
      for (let i = 0; i < runs + 3; i++) {
        // Board: element created -> 20 lead-cards rendered and laid out.
        const t0 = performance.now();
        const el = document.createElement('leads-board');
        el.api = w.fakeApi;
        el.live = w.fakeLive;
        host.append(el);
        await el.updateComplete;
        while (el.shadowRoot.querySelectorAll('lead-card').length < 20) await new Promise((r) => setTimeout(r, 0));
        await Promise.all([...el.shadowRoot.querySelectorAll('lead-card')].map((c) => c.updateComplete));
        void host.offsetHeight;
        const t1 = performance.now();
        el.remove();
        // Plain DOM: the same 20 cards' markup built with createElement.
        const t2 = performance.now();
        const list = document.createElement('ul');
        for (const lead of w.leads) {
          const li = document.createElement('li');
          const art = document.createElement('article');
          const head = document.createElement('header');
          for (const t of [`${lead.tier} ${lead.leadScore}`, lead.leadStatus]) {
            const b = document.createElement('span');
            b.textContent = t;
            head.append(b);
          }
          const h = document.createElement('h3');
          h.textContent = lead.name;
          const p = document.createElement('p');
          p.textContent = lead.phone;
          const tags = document.createElement('ul');
          for (const s of lead.services.slice(0, 3)) {
            const tag = document.createElement('li');
            tag.textContent = s;
            tags.append(tag);
          }
          const last = document.createElement('p');
          last.textContent = `Last contact: ${lead.lastContactAt ?? 'Never'}`;
          const foot = document.createElement('footer');
          for (const label of ['Call Back', 'SMS', 'Book', 'Lost']) {
            const b = document.createElement('button');
            b.textContent = label;
            foot.append(b);
          }
          art.append(head, h, p, tags, last, foot);
          li.append(art);
          list.append(li);
        }
        host.append(list);
        void host.offsetHeight;
        const t3 = performance.now();
        list.remove();
        if (i >= 3) {
          board.push(t1 - t0);
          plain.push(t3 - t2);
        }
      }
      return { board: median(board), plain: median(plain) };
};

window.__ready = true;
