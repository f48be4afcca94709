/**
 * Widget builds.
 *  - `vite build`              the npm library: dist/lib/{index,define}.js, ES modules, every dependency external
 *                              (lit, @lit/context, socket.io-client stay dependencies); types come from tsconfig.widget.json.
 *  - `vite build --mode embed` one self-contained ES module for a script tag: dist/embed/live-leads.js, everything inside,
 *                              production builds of Lit and socket.io-client (browser conditions, no debug), plus the
 *                              lazily loaded dialog chunks next to it (live-leads-*.js), fetched on first use.
 */
import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import pkg from './package.json' with { type: 'json' };

const src = (p: string) => fileURLToPath(new URL(`./widget/src/${p}`, import.meta.url));
const deps = Object.keys(pkg.dependencies ?? {});

/**
 * Minifies the text of Lit `css` templates in the script-tag build (comments and whitespace), which Vite's JS minifier
 * leaves as they are. Only templates without `${}` are touched, and only whitespace that CSS ignores (around braces,
 * semicolons, commas and after a declaration's colon; runs collapsed to one space), so selectors such as `.a :focus` keep their meaning.
 */
export function minifyLitCss(): Plugin {
  const minify = (text: string) =>
    text
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([{};,])\s*/g, '$1')
      .replace(/: /g, ':')
      .replace(/;}/g, '}')
      .trim();
  return {
    name: 'minify-lit-css',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/src\/.*\.ts$/.test(id) || !code.includes('css`')) return null;
      return { code: code.replace(/\bcss`([^`]*)`/g, (all, text: string) => (text.includes('${') ? all : `css\`${minify(text)}\``)), map: null };
    },
  };
}

/**
 * Collapses the indentation of Lit `html` / `svg` templates in the script-tag build: each run of whitespace that holds
 * a line break becomes one space (what the browser renders anyway; no <pre> or pre-wrap text sits in template
 * source). TypeScript's parser finds the template parts, so code inside `${}` is never touched.
 */
export function minifyLitHtml(): Plugin {
  return {
    name: 'minify-lit-html',
    enforce: 'pre',
    transform(code, id) {
      if (!/\/widget\/src\/.*\.ts$/.test(id) || !/\b(html|svg)`/.test(code)) return null;
      const file = ts.createSourceFile(id, code, ts.ScriptTarget.Latest, true);
      const edits: Array<[number, number, string]> = [];
      const text = (node: ts.Node, open: number, close: number) => {
        const start = node.getStart(file) + open;
        const end = node.getEnd() - close;
        const raw = code.slice(start, end);
        const min = raw.replace(/\s*\n\s*/g, ' ');
        if (min !== raw) edits.push([start, end, min]);
      };
      const visit = (node: ts.Node): void => {
        if (ts.isTaggedTemplateExpression(node) && ts.isIdentifier(node.tag) && (node.tag.text === 'html' || node.tag.text === 'svg')) {
          const t = node.template;
          if (ts.isNoSubstitutionTemplateLiteral(t)) text(t, 1, 1);
          else {
            text(t.head, 1, 2);
            t.templateSpans.forEach((span) => text(span.literal, 1, ts.isTemplateTail(span.literal) ? 1 : 2));
          }
        }
        ts.forEachChild(node, visit);
      };
      visit(file);
      if (!edits.length) return null;
      let out = code;
      for (const [start, end, min] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + min + out.slice(end);
      return { code: out, map: null };
    },
  };
}

export default defineConfig(({ mode }) => {
  const shared = {
    publicDir: false as const,
    resolve: { conditions: ['browser', 'production', 'module', 'import', 'default'] },
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  };
  if (mode === 'embed') {
    return {
      ...shared,
      plugins: [minifyLitCss(), minifyLitHtml()],
      build: {
        outDir: 'dist/embed',
        emptyOutDir: true,
        target: 'es2022',
        minify: true,
        sourcemap: true,
        lib: { entry: src('embed.ts'), formats: ['es'], fileName: () => 'live-leads.js' },
        // Rarely used dialogs (the Lost reason, ...) are import()ed on first use: they land in chunks next to
        // live-leads.js (live-leads-<name>-<hash>.js) and load from the same directory (README.md "Script tag").
        // Everything else stays in live-leads.js itself (one file to load; the chunks import from it).
        // (allow-extension lets the bundler merge what the chunks share into the entry instead of a third file).
        rollupOptions: {
          preserveEntrySignatures: 'allow-extension',
          output: { chunkFileNames: 'live-leads-[name]-[hash].js', minify: true },
        },
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
