/** Serves dist/embed/live-leads.js and the bench/screenshot harness on 127.0.0.1 with a strict CSP. */
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = join(root, 'dist/embed/live-leads.js');
export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:";

export function ensureBundle(): void {
  if (existsSync(BUNDLE)) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'embed'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('vite build --mode embed failed');
}

export async function startWidgetPage(): Promise<{ url: string; server: Server }> {
  ensureBundle();
  const files: Record<string, [string, string]> = {
    '/live-leads.js': [BUNDLE, 'text/javascript'],
    '/harness.js': [join(root, 'bench/widget-page/harness.js'), 'text/javascript'],
  };
  const page = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Live Leads widget</title>
<script type="module" src="/harness.js"></script></head><body></body></html>`;
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const file = files[path];
    res.setHeader('Content-Security-Policy', CSP);
    if (file) {
      res.writeHead(200, { 'Content-Type': file[1] });
      res.end(readFileSync(file[0]));
    } else if (path === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  return { url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`, server };
}

export const CHROME_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--no-first-run', '--disable-quic', '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
];
