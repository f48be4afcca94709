/**
 * Builds what the demo serves when it is missing or older than its sources: the script-tag bundle
 * (dist/embed/live-leads.js, by `vite build --mode embed`) and, when React is installed, the React host page.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT_DIR } from '../server/src/config.js';

export const WIDGET_BUNDLE = join(ROOT_DIR, 'dist/embed/live-leads.js');
export const REACT_OUT_DIR = join(ROOT_DIR, 'dist/demo-react');

/** Newest modification time under `dir` (tests and stories excluded), in ms. */
export function newestSource(dir: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'test') newest = Math.max(newest, newestSource(path));
    } else if (!/\.(test|spec|stories)\.[cm]?[jt]sx?$/.test(entry.name)) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

export function isStale(output: string, sources: string[]): boolean {
  if (!existsSync(output)) return true;
  const built = statSync(output).mtimeMs;
  return sources.some((s) => newestSource(s) > built);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: ROOT_DIR, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')} failed (${code}):\n${output.slice(-4000)}`))));
  });
}

/** The widget bundle, rebuilt when missing or older than widget/ or core/ (or the Vite config). Returns its path. */
export async function ensureWidgetBundle(log: (msg: string) => void): Promise<string> {
  const viteConfig = join(ROOT_DIR, 'vite.config.ts');
  const sources = [join(ROOT_DIR, 'widget/src'), join(ROOT_DIR, 'core')];
  const configNewer = existsSync(viteConfig) && existsSync(WIDGET_BUNDLE) && statSync(viteConfig).mtimeMs > statSync(WIDGET_BUNDLE).mtimeMs;
  if (!isStale(WIDGET_BUNDLE, sources) && !configNewer) return WIDGET_BUNDLE;
  log(`Building the widget bundle (${relative(ROOT_DIR, WIDGET_BUNDLE)})…`);
  if (existsSync(viteConfig)) {
    await run(process.execPath, [join(ROOT_DIR, 'node_modules/vite/bin/vite.js'), 'build', '--mode', 'embed']);
  } else {
    // No project Vite config yet: the same single-file ES module through Vite's API.
    const { build } = await import('vite');
    await keepNodeEnv(() => build({
      configFile: false,
      root: ROOT_DIR,
      logLevel: 'warn',
      build: {
        outDir: join(ROOT_DIR, 'dist/embed'),
        emptyOutDir: false,
        lib: { entry: join(ROOT_DIR, 'widget/src/embed.ts'), formats: ['es'], fileName: () => 'live-leads.js' },
      },
    }));
  }
  if (!existsSync(WIDGET_BUNDLE)) throw new Error(`The widget build did not produce ${WIDGET_BUNDLE}`);
  return WIDGET_BUNDLE;
}

/** Vite's build sets NODE_ENV=production in this process; the API started afterwards must not inherit it. */
export async function keepNodeEnv<T>(fn: () => Promise<T>): Promise<T> {
  const before = process.env.NODE_ENV;
  try {
    return await fn();
  } finally {
    if (before === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = before;
  }
}
