// Widget component tests: mocha in real headless Chromium (Debian's /usr/bin/chromium; CHROME_PATH overrides).
// Flags and versions: ../shared/reference/toolchain.md.
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { summaryReporter, defaultReporter } from '@web/test-runner';
import { Server } from 'socket.io';

const chromeArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];

/**
 * A real Socket.IO server on the test server's origin, so api/socket.test.ts checks MiniSocket against the
 * protocol as socket.io speaks it. Tokens: "good" connects, "expired" is refused with TOKEN_EXPIRED,
 * "drop-once" connects, then the server cuts the transport once (the client must reconnect); "expires-soon" connects, then
 * after 200 ms gets 'session:expired' and a server disconnect, as the API does when a token expires.
 */
function socketIoTestServer() {
  return {
    name: 'socket-io-test-server',
    serverStart({ server }) {
      const io = new Server(server, { path: '/socket.io', serveClient: false, pingInterval: 500, pingTimeout: 500 });
      let dropped = false;
      io.use((socket, next) => {
        const token = socket.handshake.auth?.token;
        if (token === 'expired') return next(Object.assign(new Error('Token expired'), { data: { code: 'TOKEN_EXPIRED' } }));
        if (token !== 'good' && token !== 'drop-once' && token !== 'expires-soon') return next(Object.assign(new Error('No token'), { data: { code: 'UNAUTHENTICATED' } }));
        next();
      });
      io.on('connection', (socket) => {
        socket.emit('lead:updated', { lead: { id: 'l1', name: 'From the server' } });
        // What the widget sends (presence): echoed back as the server's broadcast, so the test sees the server parsed it.
        socket.on('presence:set', (p) => socket.emit('presence:updated', { leadId: p?.leadId, users: [{ id: 'echo', name: 'Echo', activity: p?.activity, since: 'now' }] }));
        socket.on('presence:clear', (p) => socket.emit('presence:updated', { leadId: p?.leadId, users: [] }));
        if (socket.handshake.auth.token === 'drop-once' && !dropped) {
          dropped = true;
          setTimeout(() => socket.conn.close(), 100);
        }
        if (socket.handshake.auth.token === 'expires-soon') {
          setTimeout(() => {
            socket.emit('session:expired', { code: 'TOKEN_EXPIRED', message: 'The token has expired.' });
            socket.disconnect(true);
          }, 200);
        }
      });
    },
  };
}

/** Prints the closing "N passed, N failed" line scripts/test-all.mjs and CI read. */
function totalsReporter() {
  return {
    onTestRunFinished({ sessions }) {
      let passed = 0;
      let failed = 0;
      let skipped = 0;
      const walk = (suite) => {
        for (const t of suite?.tests ?? []) {
          if (t.skipped) skipped++;
          else if (t.passed) passed++;
          else failed++;
        }
        for (const s of suite?.suites ?? []) walk(s);
      };
      let broken = 0;
      for (const s of sessions) {
        walk(s.testResults);
        if (!s.passed && (s.errors?.length ?? 0) > 0) broken++;
      }
      failed += broken;
      console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
    },
  };
}

export default {
  files: ['widget/**/*.test.ts'],
  nodeResolve: { browser: true, exportConditions: ['browser'] },
  // One page at a time: keyboard focus (sendKeys) is unreliable when two pages run side by side.
  concurrency: 1,
  testFramework: { config: { timeout: 10000 } },
  testsFinishTimeout: 120000,
  plugins: [
    socketIoTestServer(),
    esbuildPlugin({
      ts: true,
      target: 'es2022',
      tsconfig: new URL('./tsconfig.json', import.meta.url).pathname,
    }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: chromeArgs,
      },
    }),
  ],
  reporters: [defaultReporter(), summaryReporter({ flatten: false }), totalsReporter()],
};
