/**
 * The React host page (/react): built with Vite's own JSX transform into dist/demo-react/react-host.js when `react` and
 * `react-dom` are installed; without them the page says how to get it, and the rest of the demo runs as usual.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT_DIR } from '../../server/src/config.js';
import { isStale, keepNodeEnv, REACT_OUT_DIR } from '../build.js';

export async function ensureReactHost(log: (msg: string) => void): Promise<string | null> {
  const require = createRequire(join(ROOT_DIR, 'package.json'));
  try {
    require.resolve('react');
    require.resolve('react-dom/client');
  } catch {
    return null;
  }
  const out = join(REACT_OUT_DIR, 'react-host.js');
  if (!isStale(out, [join(ROOT_DIR, 'demo/react'), join(ROOT_DIR, 'widget/src')])) return REACT_OUT_DIR;
  log('Building the React host page…');
  const { build } = await import('vite');
  await keepNodeEnv(() => build({
    configFile: false,
    root: ROOT_DIR,
    logLevel: 'warn',
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    oxc: { jsx: { runtime: 'automatic' } },
    build: {
      outDir: REACT_OUT_DIR,
      emptyOutDir: true,
      lib: { entry: join(ROOT_DIR, 'demo/react/main.tsx'), formats: ['es'], fileName: () => 'react-host.js' },
    },
  } as Parameters<typeof build>[0]));
  return existsSync(out) ? REACT_OUT_DIR : null;
}
