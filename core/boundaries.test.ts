/**
 * The architecture, checked (docs/architecture.md): which folder may import which. A relative import that crosses a
 * boundary, or a package core must not use, fails the suite with the file and the import.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Rule {
  folder: string;
  /** Top-level folders this one's relative imports may reach (itself always). */
  may: string[];
  /** Bare packages allowed (undefined: any). */
  packages?: (spec: string) => boolean;
  /** Files exempt (tests may reach further where said). */
  skip?: (file: string) => boolean;
}

const RULES: Rule[] = [
  // Pure rules: no DOM, no node, only zod; imports neither widget nor server.
  { folder: 'core', may: [], packages: (p) => p === 'zod' || p.startsWith('zod/'), skip: (f) => f.endsWith('.test.ts') },
  { folder: 'widget', may: ['core'] },
  { folder: 'engine', may: [] },
  { folder: 'sandbox', may: [] },
  // The product reaches the engine only through server/src/db/mongo.ts and the sandbox only where sandbox mode starts.
  { folder: 'server', may: ['core', 'engine', 'sandbox'] },
];

const ALLOWED_CROSSINGS: Record<string, string[]> = {
  engine: ['server/src/db/mongo.ts'],
  sandbox: ['server/src/main.ts', 'server/src/testing/harness.ts'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    return statSync(full).isDirectory() ? files(full) : /\.(ts|tsx|mjs)$/.test(name) ? [full] : [];
  });
}

function importsOf(source: string): string[] {
  const specs: string[] = [];
  for (const m of source.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g)) {
    specs.push(m[1] ?? m[2] ?? m[3]);
  }
  return specs;
}

describe('architecture boundaries', () => {
  for (const rule of RULES) {
    it(`${rule.folder}/ imports only ${rule.may.length ? rule.may.map((m) => `${m}/`).join(', ') : 'itself'}${rule.packages ? ' and its allowed packages' : ''}`, () => {
      const problems: string[] = [];
      for (const file of files(path.join(root, rule.folder))) {
        const rel = path.relative(root, file).split(path.sep).join('/');
        if (rule.skip?.(rel)) continue;
        for (const spec of importsOf(readFileSync(file, 'utf8'))) {
          if (spec.startsWith('.')) {
            const target = path.relative(root, path.resolve(path.dirname(file), spec)).split(path.sep).join('/');
            const top = target.split('/')[0];
            if (top === rule.folder) continue;
            const allowedFolder = rule.may.includes(top);
            const gate = ALLOWED_CROSSINGS[top];
            if (!allowedFolder || (gate && !gate.includes(rel) && !rel.endsWith('.test.ts'))) problems.push(`${rel} imports ${spec}`);
          } else if (rule.packages && !rule.packages(spec)) {
            problems.push(`${rel} imports the package ${spec}`);
          }
        }
      }
      assert.deepEqual(problems, []);
    });
  }

  it('core/ compiles with no DOM and no node types (its own tsconfig)', function () {
    this.timeout(120_000);
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const run = spawnSync(process.execPath, [tsc, '-p', path.join(root, 'core', 'tsconfig.json')], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });

  it('the check itself catches a crossing (widget -> server)', () => {
    const specs = importsOf("import { x } from '../../server/src/app.js';\nimport type { Lead } from '../../core/contracts.js';");
    assert.deepEqual(specs, ['../../server/src/app.js', '../../core/contracts.js']);
  });
});
