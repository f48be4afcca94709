/**
 * The CRM's pages: plain server-rendered HTML with no inline script or style (the pages run under a strict CSP).
 * Every dynamic value goes through `esc`.
 */
import type { EmbedUser, Lead, LeadPage } from '../../core/contracts.js';
import { CRM_USERS } from '../users.js';

export interface PageContext {
  clinicName: string;
  apiUrl: string;
  user: EmbedUser;
  role: 'agent' | 'admin';
  active: 'dashboard' | 'leads' | 'patients' | 'settings' | 'react' | '';
}

export const esc = (value: unknown): string =>
  String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const ICONS = {
  dashboard: '<path d="M3 13h8V3H3zm0 8h8v-6H3zm10 0h8V11h-8zm0-18v6h8V3z"/>',
  leads: '<path d="M16 11c1.66 0 2.99-1.34 2.99-3S17.66 5 16 5s-3 1.34-3 3 1.34 3 3 3zm-8 0c1.66 0 2.99-1.34 2.99-3S9.66 5 8 5 5 6.34 5 8s1.34 3 3 3zm0 2c-2.33 0-7 1.17-7 3.5V19h14v-2.5C15 14.17 10.33 13 8 13zm8 0c-.29 0-.62.02-.97.05 1.16.84 1.97 1.97 1.97 3.45V19h6v-2.5c0-2.33-4.67-3.5-7-3.5z"/>',
  patients: '<path d="M19 3h-4.18C14.4 1.84 13.3 1 12 1s-2.4.84-2.82 2H5c-1.1 0-2 .9-2 2v14c0 1.1.9 2 2 2h14c1.1 0 2-.9 2-2V5c0-1.1-.9-2-2-2zm-7 0c.55 0 1 .45 1 1s-.45 1-1 1-1-.45-1-1 .45-1 1-1zm2 14H7v-2h7v2zm3-4H7v-2h10v2zm0-4H7V7h10v2z"/>',
  settings: '<path d="M19.14 12.94c.04-.3.06-.61.06-.94 0-.32-.02-.64-.07-.94l2.03-1.58a.49.49 0 0 0 .12-.61l-1.92-3.32a.488.488 0 0 0-.59-.22l-2.39.96c-.5-.38-1.03-.7-1.62-.94l-.36-2.54a.484.484 0 0 0-.48-.41h-3.84c-.24 0-.43.17-.47.41l-.36 2.54c-.59.24-1.13.57-1.62.94l-2.39-.96c-.22-.08-.47 0-.59.22L2.74 8.87c-.12.21-.08.47.12.61l2.03 1.58c-.05.3-.09.63-.09.94s.02.64.07.94l-2.03 1.58a.49.49 0 0 0-.12.61l1.92 3.32c.12.22.37.29.59.22l2.39-.96c.5.38 1.03.7 1.62.94l.36 2.54c.05.24.24.41.48.41h3.84c.24 0 .44-.17.47-.41l.36-2.54c.59-.24 1.13-.56 1.62-.94l2.39.96c.22.08.47 0 .59-.22l1.92-3.32c.12-.22.07-.47-.12-.61l-2.01-1.58zM12 15.6c-1.98 0-3.6-1.62-3.6-3.6s1.62-3.6 3.6-3.6 3.6 1.62 3.6 3.6-1.62 3.6-3.6 3.6z"/>',
  react: '<path d="M12 10.11c1.03 0 1.87.84 1.87 1.89 0 1-.84 1.85-1.87 1.85S10.13 13 10.13 12c0-1.05.84-1.89 1.87-1.89M7.37 20c.63.38 2.01-.2 3.6-1.7-.52-.59-1.03-1.23-1.51-1.9a22.7 22.7 0 0 1-2.4-.36c-.51 2.14-.32 3.61.31 3.96m.71-5.74-.29-.51c-.11.29-.22.58-.29.86.27.06.57.11.88.16l-.3-.51m6.54-.76.81-1.5-.81-1.5c-.3-.53-.62-1-.91-1.47C13.17 9 12.6 9 12 9s-1.17 0-1.71.03c-.29.47-.61.94-.91 1.47L8.57 12l.81 1.5c.3.53.62 1 .91 1.47.54.03 1.11.03 1.71.03s1.17 0 1.71-.03c.29-.47.61-.94.91-1.47M12 6.78c-.19.22-.39.45-.59.72h1.18c-.2-.27-.4-.5-.59-.72m0 10.44c.19-.22.39-.45.59-.72h-1.18c.2.27.4.5.59.72M16.62 4c-.62-.38-2 .2-3.59 1.7.52.59 1.03 1.23 1.51 1.9.82.08 1.63.2 2.4.36.51-2.14.32-3.61-.32-3.96m-.7 5.74.29.51c.11-.29.22-.58.29-.86-.27-.06-.57-.11-.88-.16l.3.51m1.45-7.05c1.47.84 1.63 3.05 1.01 5.63 2.54.75 4.37 1.99 4.37 3.68s-1.83 2.93-4.37 3.68c.62 2.58.46 4.79-1.01 5.63-1.46.84-3.45-.12-5.37-1.95-1.92 1.83-3.91 2.79-5.38 1.95-1.46-.84-1.62-3.05-1-5.63-2.54-.75-4.37-1.99-4.37-3.68s1.83-2.93 4.37-3.68c-.62-2.58-.46-4.79 1-5.63 1.47-.84 3.46.12 5.38 1.95 1.92-1.83 3.91-2.79 5.37-1.95M17.08 12c.34.75.64 1.5.89 2.26 2.1-.63 3.28-1.53 3.28-2.26s-1.18-1.63-3.28-2.26c-.25.76-.55 1.51-.89 2.26M6.92 12c-.34-.75-.64-1.5-.89-2.26-2.1.63-3.28 1.53-3.28 2.26s1.18 1.63 3.28 2.26c.25-.76.55-1.51.89-2.26m9 2.26-.3.51c.31-.05.61-.1.88-.16-.07-.28-.18-.57-.29-.86l-.29.51m-2.89 4.04c1.59 1.5 2.97 2.08 3.59 1.7.64-.35.83-1.82.32-3.96-.77.16-1.58.28-2.4.36-.48.67-.99 1.31-1.51 1.9M8.08 9.74l.3-.51c-.31.05-.61.1-.88.16.07.28.18.57.29.86l.29-.51m2.89-4.04C9.38 4.2 8 3.62 7.37 4c-.63.35-.82 1.82-.31 3.96a22.7 22.7 0 0 1 2.4-.36c.48-.67.99-1.31 1.51-1.9z"/>',
} as const;

const icon = (name: keyof typeof ICONS) => `<svg class="icon" viewBox="0 0 24 24" aria-hidden="true" focusable="false">${ICONS[name]}</svg>`;

function navItem(ctx: PageContext, key: PageContext['active'] & keyof typeof ICONS, href: string, label: string): string {
  const current = ctx.active === key;
  return `<li><a href="${href}" class="nav-link${current ? ' is-active' : ''}"${current ? ' aria-current="page"' : ''}>${icon(key)}<span>${esc(label)}</span></a></li>`;
}

const initials = (name: string) =>
  name
    .replace(/^Dr\.\s*/, '')
    .split(/\s+/)
    .map((w) => w[0])
    .join('')
    .slice(0, 2)
    .toUpperCase();

interface LayoutOptions {
  title: string;
  heading: string;
  subtitle?: string;
  scripts?: string[];
  body: string;
  bodyClass?: string;
}

function layout(ctx: PageContext, o: LayoutOptions): string {
  const scripts = ['/assets/crm.js', ...(o.scripts ?? [])].map((src) => `<script type="module" src="${esc(src)}"></script>`).join('\n    ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${esc(o.title)} · ${esc(ctx.clinicName)} CRM</title>
    <link rel="icon" href="/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/assets/crm.css">
    ${scripts}
  </head>
  <body class="${esc(o.bodyClass ?? '')}" data-api-url="${esc(ctx.apiUrl)}" data-role="${esc(ctx.role)}">
    <a class="skip-link" href="#main">Skip to content</a>
    <div class="app">
      <nav class="sidebar" id="sidebar" aria-label="Main">
        <div class="brand">
          <span class="brand-mark" aria-hidden="true">R</span>
          <span class="brand-name">Radiance<small>CRM</small></span>
        </div>
        <ul class="nav">
          ${navItem(ctx, 'dashboard', '/dashboard', 'Dashboard')}
          ${navItem(ctx, 'leads', '/', 'Leads')}
          ${navItem(ctx, 'patients', '/patients', 'Patients')}
          ${navItem(ctx, 'settings', '/settings', 'Settings')}
        </ul>
        <p class="nav-section">Developer</p>
        <ul class="nav">
          ${navItem(ctx, 'react', '/react', 'React host page')}
        </ul>
        <p class="sidebar-foot">Lead board by <strong>Live Leads</strong></p>
      </nav>
      <div class="main">
        <header class="topbar">
          <button type="button" class="nav-toggle" aria-controls="sidebar" aria-expanded="false" aria-label="Menu">
            <svg viewBox="0 0 24 24" aria-hidden="true"><path d="M3 18h18v-2H3v2zm0-5h18v-2H3v2zm0-7v2h18V6H3z"/></svg>
          </button>
          <div class="clinic">
            <span class="clinic-name">${esc(ctx.clinicName)}</span>
            <span class="clinic-meta">Upper East Side · New York</span>
          </div>
          <div class="user-switcher">
            <span class="avatar" aria-hidden="true">${esc(initials(ctx.user.name))}</span>
            <label class="user-label">
              <span class="visually-hidden">Signed in as</span>
              <select id="user-switch" aria-label="Signed in as">
                <option value="agent"${ctx.role === 'agent' ? ' selected' : ''}>${esc(CRM_USERS.agent.name)} (Agent)</option>
                <option value="admin"${ctx.role === 'admin' ? ' selected' : ''}>${esc(CRM_USERS.admin.name)} (Admin)</option>
              </select>
            </label>
          </div>
        </header>
        <main id="main" tabindex="-1">
          <div class="page-head">
            <h1>${esc(o.heading)}</h1>
            ${o.subtitle ? `<p class="subtitle">${o.subtitle}</p>` : ''}
          </div>
          ${o.body}
        </main>
      </div>
    </div>
  </body>
</html>
`;
}

export function leadsPage(ctx: PageContext): string {
  return layout(ctx, {
    title: 'Leads',
    heading: 'Leads',
    subtitle: 'Hottest first. Scores update live as the AI agent talks to leads.',
    // The page script sets the board's tokenProvider before the bundle upgrades the element (modules run in order).
    scripts: ['/assets/leads-page.js', '/assets/live-leads.js'],
    bodyClass: 'page-leads',
    body: `
          <div class="leads-layout">
            <section class="board-wrap" aria-label="Lead board">
              <leads-board
                api-url="${esc(ctx.apiUrl)}"
                theme="light"
                heading="Today's leads"
                agent-settings-url="/settings#agent"
                phone-settings-url="/settings#twilio"></leads-board>
            </section>
            <aside class="activity" aria-labelledby="activity-title">
              <div class="panel-head">
                <h2 id="activity-title">Activity</h2>
                <button type="button" class="link-button" id="activity-clear">Clear</button>
              </div>
              <p class="activity-empty" id="activity-empty">What happens on the board shows here: calls, texts, status changes and hot leads.</p>
              <ol class="activity-feed" id="activity-feed" aria-live="polite"></ol>
            </aside>
          </div>`,
  });
}

export function settingsPage(ctx: PageContext): string {
  const adminNote =
    ctx.role === 'admin'
      ? ''
      : `<div class="callout callout-warn" role="note"><strong>You are signed in as an agent.</strong> Only an admin can change these settings: switch to ${esc(CRM_USERS.admin.name)} in the top right.</div>`;
  return layout(ctx, {
    title: 'Settings',
    heading: 'Settings',
    subtitle: 'Calling and texting leads from the board: set up the AI agent, then import your Twilio number.',
    scripts: ['/assets/settings-page.js'],
    bodyClass: 'page-settings',
    body: `
          ${adminNote}
          <section class="card status-card" aria-labelledby="status-title">
            <h2 id="status-title">Telephony status</h2>
            <ul class="steps" id="status-list">
              <li class="step" id="status-agent"><span class="step-dot" aria-hidden="true"></span><span class="step-text"><strong>AI agent</strong><span class="step-state">Checking…</span></span></li>
              <li class="step" id="status-twilio"><span class="step-dot" aria-hidden="true"></span><span class="step-text"><strong>Twilio number</strong><span class="step-state">Checking…</span></span></li>
              <li class="step" id="status-mode"><span class="step-dot" aria-hidden="true"></span><span class="step-text"><strong>Mode</strong><span class="step-state">Checking…</span></span></li>
            </ul>
            <p class="form-error" id="status-error" role="alert" hidden></p>
          </section>

          <section class="card" id="agent" aria-labelledby="agent-title">
            <h2 id="agent-title"><span class="step-number" aria-hidden="true">1</span> Outbound AI agent</h2>
            <p class="help">The voice assistant that calls leads when someone presses <em>Call Back</em> on the board.</p>
            <form id="agent-form" novalidate>
              <div class="field">
                <label for="agent-name">Name</label>
                <input id="agent-name" name="name" maxlength="40" required autocomplete="off" placeholder="Ava">
                <p class="field-error" data-for="name"></p>
              </div>
              <div class="field">
                <label for="agent-voice">Voice</label>
                <select id="agent-voice" name="voice">
                  <option value="Elliot">Elliot (warm, male)</option>
                  <option value="Savannah">Savannah (bright, female)</option>
                  <option value="Paige">Paige (calm, female)</option>
                  <option value="Rohan">Rohan (friendly, male)</option>
                  <option value="Hana">Hana (soft, female)</option>
                </select>
                <p class="field-error" data-for="voice"></p>
              </div>
              <div class="field">
                <label for="agent-prompt">System prompt</label>
                <textarea id="agent-prompt" name="systemPrompt" rows="5" required></textarea>
                <p class="hint">What the agent should do, what it may offer, and when to hand over to a person. At least 20 characters.</p>
                <p class="field-error" data-for="systemPrompt"></p>
              </div>
              <div class="field">
                <label for="agent-first">First message</label>
                <input id="agent-first" name="firstMessage" required>
                <p class="hint"><code>{{name}}</code> is replaced by the lead's first name.</p>
                <p class="field-error" data-for="firstMessage"></p>
              </div>
              <p class="form-error" role="alert" hidden></p>
              <div class="form-actions">
                <button type="submit" class="btn btn-primary">Save agent</button>
                <span class="form-ok" role="status"></span>
              </div>
            </form>
          </section>

          <section class="card" id="twilio" aria-labelledby="twilio-title">
            <h2 id="twilio-title"><span class="step-number" aria-hidden="true">2</span> Twilio phone number</h2>
            <p class="help">The number leads see when the agent calls or the team texts. Find these in the Twilio console under <em>Account Info</em> and <em>Phone Numbers</em>.</p>
            <div class="callout callout-info" id="sandbox-hint" hidden>
              <strong>Demo sandbox:</strong> any Account SID of <code>AC</code> + 32 hex characters and any Auth Token of 16+ characters work, with any valid number such as <code>+12125550100</code>.
              <button type="button" class="link-button" id="fill-sandbox">Fill in sandbox values</button>
            </div>
            <form id="twilio-form" novalidate>
              <div class="field">
                <label for="twilio-sid">Account SID</label>
                <input id="twilio-sid" name="accountSid" required autocomplete="off" spellcheck="false" placeholder="AC…">
                <p class="field-error" data-for="accountSid"></p>
              </div>
              <div class="field">
                <label for="twilio-token">Auth token</label>
                <input id="twilio-token" name="authToken" type="password" required autocomplete="off" spellcheck="false">
                <p class="field-error" data-for="authToken"></p>
              </div>
              <div class="field">
                <label for="twilio-number">Phone number</label>
                <input id="twilio-number" name="phoneNumber" type="tel" required autocomplete="off" placeholder="+12125550100">
                <p class="hint">In international format (E.164), as shown in Twilio.</p>
                <p class="field-error" data-for="phoneNumber"></p>
              </div>
              <p class="form-error" role="alert" hidden></p>
              <div class="form-actions">
                <button type="submit" class="btn btn-primary">Import number</button>
                <span class="form-ok" role="status"></span>
              </div>
            </form>
          </section>`,
  });
}

export function reactPage(ctx: PageContext, built: boolean): string {
  return layout(ctx, {
    title: 'React host page',
    heading: 'React host page',
    subtitle: 'The same elements inside a React app: props, refs and event listeners from JSX.',
    scripts: built ? ['/react-app/react-host.js'] : [],
    bodyClass: 'page-react',
    body: built
      ? '<div id="react-root" class="react-root"></div>'
      : `<div class="callout callout-info">The React host page is not built. It is built by <code>npm start</code> when React is installed.</div>`,
  });
}

export function dashboardPage(ctx: PageContext, d: { total: number; hot: number; fresh: number; booked: number; topHot: Lead[] }): string {
  const kpi = (label: string, value: number, note: string, cls: string, href: string) =>
    `<a class="kpi ${cls}" href="${href}"><span class="kpi-label">${esc(label)}</span><span class="kpi-value">${esc(value)}</span><span class="kpi-note">${esc(note)}</span></a>`;
  const rows = d.topHot
    .map(
      (l) => `<tr>
              <td><span class="score score-hot">${esc(l.leadScore)}</span></td>
              <td>${esc(l.name)}</td>
              <td>${esc(l.services.join(', '))}</td>
              <td class="status-cell"><span class="status status-${esc(l.leadStatus)}">${esc(l.leadStatus)}</span></td>
              <td>${l.lastContactAt ? esc(fmtDate(l.lastContactAt)) : '<span class="muted">Never</span>'}</td>
            </tr>`,
    )
    .join('');
  return layout(ctx, {
    title: 'Dashboard',
    heading: `Good ${partOfDay()}, ${ctx.user.name.replace(/^Dr\.\s*/, '').split(' ')[0]}`,
    subtitle: 'Your pipeline at a glance, from Live Leads.',
    bodyClass: 'page-dashboard',
    body: `
          <div class="kpis">
            ${kpi('All leads', d.total, 'in the pipeline', 'kpi-all', '/')}
            ${kpi('Hot', d.hot, 'score 80 or more', 'kpi-hot', '/')}
            ${kpi('New', d.fresh, 'not contacted yet', 'kpi-new', '/')}
            ${kpi('Booked', d.booked, 'appointments ahead', 'kpi-booked', '/')}
          </div>
          <section class="card">
            <div class="panel-head"><h2>Hottest leads</h2><a href="/" class="link">Open the board →</a></div>
            <div class="table-wrap">
              <table class="table">
                <thead><tr><th scope="col">Score</th><th scope="col">Name</th><th scope="col">Interested in</th><th scope="col">Status</th><th scope="col">Last contact</th></tr></thead>
                <tbody>${rows || '<tr><td colspan="5" class="muted">No hot leads right now.</td></tr>'}</tbody>
              </table>
            </div>
          </section>`,
  });
}

export function patientsPage(ctx: PageContext, p: LeadPage): string {
  const rows = p.items
    .map(
      (l) => `<tr>
              <td>${esc(l.externalId ?? '—')}</td>
              <td>${esc(l.name)}</td>
              <td class="nowrap">${esc(formatPhone(l.phone))}</td>
              <td>${esc(l.email ?? '—')}</td>
              <td>${esc(l.services.join(', '))}</td>
              <td class="nowrap">${l.lastContactAt ? esc(fmtDate(l.lastContactAt)) : '—'}</td>
            </tr>`,
    )
    .join('');
  const pager =
    p.totalPages > 1
      ? `<nav class="pager" aria-label="Pages">${p.page > 1 ? `<a class="btn" href="/patients?page=${p.page - 1}">Previous</a>` : ''}<span>Page ${p.page} of ${p.totalPages}</span>${p.page < p.totalPages ? `<a class="btn" href="/patients?page=${p.page + 1}">Next</a>` : ''}</nav>`
      : '';
  return layout(ctx, {
    title: 'Patients',
    heading: 'Patients',
    subtitle: `${esc(p.total)} leads became patients (status <em>converted</em> on the board).`,
    bodyClass: 'page-patients',
    body: `
          <section class="card">
            <div class="table-wrap">
              <table class="table">
                <thead><tr><th scope="col">Chart #</th><th scope="col">Name</th><th scope="col">Phone</th><th scope="col">Email</th><th scope="col">Treatments</th><th scope="col">Last visit</th></tr></thead>
                <tbody>${rows || '<tr><td colspan="6" class="muted">No patients yet.</td></tr>'}</tbody>
              </table>
            </div>
            ${pager}
          </section>`,
  });
}

export function notFoundPage(ctx: PageContext, message: string): string {
  return layout(ctx, { title: 'Not found', heading: 'Not here', body: `<div class="callout callout-warn">${esc(message)} <a href="/">Back to leads</a></div>` });
}

const dateFmt = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const fmtDate = (iso: string) => dateFmt.format(new Date(iso));

/** +12125550134 -> (212) 555-0134; anything else as stored. */
export const formatPhone = (phone: string) => {
  const m = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(phone);
  return m ? `(${m[1]}) ${m[2]}-${m[3]}` : phone;
};

function partOfDay(): string {
  const h = Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(new Date()));
  return h < 12 ? 'morning' : h < 18 ? 'afternoon' : 'evening';
}
