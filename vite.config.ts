/**
 * Widget builds.
 *  - `vite build`              the npm library: dist/lib/{index,define}.js, ES modules, every dependency external
 *                              (lit, @lit/context, socket.io-client stay dependencies); types come from tsconfig.widget.json.
 *  - `vite build --mode embed` one self-contained ES module for a script tag: dist/embed/live-leads.js, everything inside,
 *                              production builds of Lit and socket.io-client (browser conditions, no debug).
 */
import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';
import pkg from './package.json' with { type: 'json' };

const src = (p: string) => fileURLToPath(new URL(`./widget/src/${p}`, import.meta.url));
const deps = Object.keys(pkg.dependencies ?? {});

export default defineConfig(({ mode }) => {
  const shared = {
    publicDir: false as const,
    resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'] },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  };
  if (mode === 'embed') {
    return {
      ...shared,
      build: {
        outDir: 'dist/embed',
        emptyOutDir: true,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        lib: { entry: src('embed.ts'), formats: ['es'], fileName: () => 'live-leads.js' },
        rollupOptions: { output: { inlineDynamicImports: true, minify: true } },
      },
    };
  }
  return {
    ...shared,
    build: {
      outDir: 'dist/lib',
      emptyOutDir: true,
      target: 'es2022',
      minify: false,
      sourcemap: true,
      lib: { entry: { index: src('index.ts'), define: src('define.ts') }, formats: ['es'] },
      rollupOptions: {
        external: (id: string) => deps.some((d) => id === d || id.startsWith(`${d}/`)),
        output: { preserveModules: true, preserveModulesRoot: 'widget/src', entryFileNames: '[name].js' },
      },
    },
  };
});
