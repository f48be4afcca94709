/**
 * sandbox/ imitates Twilio and Vapi; it must not import the product it is used to test (see docs/architecture.md).
 * Every relative import in a .ts file under sandbox/ has to resolve inside sandbox/; packages (node:*, twilio) are fine.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = dirname(fileURLToPath(import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? (e.name === 'node_modules' ? [] : tsFiles(join(dir, e.name))) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Specifiers of static imports/exports (`import x from '…'`, `import '…'`, `export … from '…'`) and dynamic `import('…')`. */
export function importSpecifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [/\b(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]/g, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

describe('sandbox/ boundary', () => {
  it('finds imports of every form', () => {
    // Written with Q for the quote so that this file's own scan does not see these samples as imports.
    const src = `import a from Q../x.jsQ;\nimport type { B } from Q../../y.jsQ;\nimport Q./z.jsQ;\nexport { c } from Q../w.jsQ;\nconst d = await import(Q../v.jsQ);\nimport {\n  e,\n} from Qnode:fsQ;`.replaceAll('Q', "'");
    assert.deepEqual(importSpecifiers(src).sort(), ['../../y.js', '../v.js', '../w.js', '../x.js', './z.js', 'node:fs'].sort());
  });

  it('no file under sandbox/ imports anything outside it by a relative path', () => {
    const files = tsFiles(ROOT);
    assert.ok(files.length > 5, `expected the sandbox's files, found ${files.length}`);
    const escaping: string[] = [];
    for (const file of files) {
      for (const spec of importSpecifiers(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.') && !spec.startsWith('/')) continue; // a package: fine
        const target = resolve(dirname(file), spec);
        if (target !== ROOT && !target.startsWith(ROOT + sep)) escaping.push(`${relative(ROOT, file)}: '${spec}'`);
      }
    }
    assert.deepEqual(escaping, [], `sandbox/ must not import product code:\n${escaping.join('\n')}`);
  });
});
