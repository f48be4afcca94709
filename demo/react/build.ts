/**
 * The React host page (/react): demo/react/main.jsx built with Vite's own JSX transform (no React plugin) into
 * dist/demo-react/react-host.js, when `react` and `react-dom` are installed. Without them the page says so and the rest
 * of the demo runs as usual.
 *
 * The elements come from the npm build (`live-leads/widget/define` -> dist/lib/define.js); before that build exists,
 * from the widget's sources.
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ROOT_DIR } from '../../server/src/config.js';
import { isStale, keepNodeEnv, REACT_OUT_DIR } from '../build.js';

export interface ReactHostOptions {
  /** Where to resolve react and react-dom from (default: the project's node_modules). */
  resolveFrom?: string;
  /** Build even when the output looks fresh. */
  force?: boolean;
}

export async function ensureReactHost(log: (msg: string) => void, opts: ReactHostOptions = {}): Promise<string | null> {
  const require = createRequire(join(opts.resolveFrom ?? ROOT_DIR, 'package.json'));
  let reactDir: string;
  let reactDomDir: string;
  try {
    reactDir = dirname(require.resolve('react/package.json'));
    reactDomDir = dirname(require.resolve('react-dom/package.json'));
  } catch {
    return null;
  }
  const out = join(REACT_OUT_DIR, 'react-host.js');
  const libDefine = join(ROOT_DIR, 'dist/lib/define.js');
  const widgetEntry = existsSync(libDefine) ? libDefine : join(ROOT_DIR, 'widget/src/define.ts');
  if (!opts.force && !isStale(out, [join(ROOT_DIR, 'demo/react'), join(ROOT_DIR, 'widget/src')])) return REACT_OUT_DIR;
  log('Building the React host page…');
  const { build } = await import('vite');
  await keepNodeEnv(() =>
    build({
      configFile: false,
      root: ROOT_DIR,
      logLevel: 'warn',
      define: { 'process.env.NODE_ENV': JSON.stringify('production') },
      resolve: {
        alias: [
          { find: /^live-leads\/widget\/define$/, replacement: widgetEntry },
          { find: /^react-dom(\/.*)?$/, replacement: `${reactDomDir}$1` },
          { find: /^react(\/.*)?$/, replacement: `${reactDir}$1` },
        ],
      },
      build: {
        outDir: REACT_OUT_DIR,
        emptyOutDir: true,
        lib: { entry: join(ROOT_DIR, 'demo/react/main.jsx'), formats: ['es'], fileName: () => 'react-host.js' },
      },
    }),
  );
  return existsSync(out) ? REACT_OUT_DIR : null;
}
