/**
 * The React host page (/react): the Live Leads elements from the npm build, inside a small React 19 app.
 * React 19 passes JSX props to custom elements as properties (tokenProvider is a function) and strings as attributes;
 * the board's DOM events are bubbling, composed CustomEvents, listened to through a ref.
 */
import { StrictMode, useCallback, useEffect, useRef, useState, version } from 'react';
import { createRoot } from 'react-dom/client';
import 'live-leads/widget/define';

const apiUrl = document.body.dataset.apiUrl;

/** The host's token provider: its own backend mints the embed token (the secret key never reaches the browser). */
async function getEmbedToken() {
  const res = await fetch('/crm-api/embed-token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const body = await res.json().catch(() => null);
  if (!res.ok || !body?.token) throw new Error(body?.error?.message ?? `token request failed (${res.status})`);
  return body.token;
}

const EVENTS = ['lead-open', 'lead-status-change', 'call-started', 'call-failed', 'sms-sent', 'hot-lead'];

/** Subscribes to the board's events for the lifetime of the component. */
function useBoardEvents(ref, onEvent) {
  useEffect(() => {
    const board = ref.current;
    if (!board) return undefined;
    const handler = (e) => onEvent(e.type, e.detail);
    for (const name of EVENTS) board.addEventListener(name, handler);
    return () => {
      for (const name of EVENTS) board.removeEventListener(name, handler);
    };
  }, [ref, onEvent]);
}

function describe(type, detail) {
  const name = detail?.lead?.name ?? 'A lead';
  switch (type) {
    case 'lead-open':
      return `Opened ${name}`;
    case 'lead-status-change':
      return `${name}: ${detail.from} → ${detail.to}`;
    case 'call-started':
      return `Calling ${name}`;
    case 'call-failed':
      return `Call to ${name} failed (${detail.error?.code ?? 'error'})`;
    case 'sms-sent':
      return `Text to ${name} ${detail.scheduled ? 'scheduled' : 'sent'}`;
    case 'hot-lead':
      return `${name} turned hot (${detail.lead.leadScore})`;
    default:
      return type;
  }
}

function App() {
  const board = useRef(null);
  const [theme, setTheme] = useState('light');
  const [pageSize, setPageSize] = useState(12);
  const [log, setLog] = useState([]);
  const [selected, setSelected] = useState(null);

  const onEvent = useCallback((type, detail) => {
    if (type === 'lead-open') setSelected(detail.lead);
    setLog((items) => [{ id: `${Date.now()}-${Math.random()}`, type, text: describe(type, detail) }, ...items].slice(0, 12));
  }, []);
  useBoardEvents(board, onEvent);

  return (
    <div className={`react-host react-host-${theme}`}>
      <div className="react-toolbar" role="group" aria-label="React state passed to the board">
        <label>
          Theme{' '}
          <select value={theme} onChange={(e) => setTheme(e.target.value)}>
            <option value="light">Light</option>
            <option value="dark">Dark</option>
          </select>
        </label>
        <label>
          Leads per page{' '}
          <select value={pageSize} onChange={(e) => setPageSize(Number(e.target.value))}>
            <option value={6}>6</option>
            <option value={12}>12</option>
            <option value={20}>20</option>
          </select>
        </label>
        <span className="react-badge">React {version}</span>
      </div>
      <div className="react-columns">
        <leads-board
          ref={board}
          api-url={apiUrl}
          heading="Leads (in React)"
          theme={theme}
          page-size={String(pageSize)}
          agent-settings-url="/settings#agent"
          phone-settings-url="/settings#twilio"
          tokenProvider={getEmbedToken}
        />
        <aside className="activity" aria-label="Events seen by React">
          <div className="panel-head">
            <h2>React state</h2>
          </div>
          <p className="react-selected">
            {selected ? (
              <>
                Last opened: <strong>{selected.name}</strong> ({selected.tier}, {selected.leadScore})
              </>
            ) : (
              'Open a lead to see it here.'
            )}
          </p>
          <ol className="activity-feed">
            {log.map((item) => (
              <li key={item.id} className={`activity-item activity-${item.type}`}>
                <span className="activity-dot" aria-hidden="true" />
                <span className="activity-text">{item.text}</span>
                <span />
              </li>
            ))}
          </ol>
        </aside>
      </div>
    </div>
  );
}

createRoot(document.getElementById('react-root')).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
