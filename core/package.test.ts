/** What the npm package ships: the widget builds and the manifest, never server, engine or sandbox code. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the npm package', () => {
  before(function () {
    this.timeout(240_000);
    // `npm run build` also checks the script-tag bundle against its 40 KB gzip budget.
    if (!existsSync(path.join(root, 'dist/lib/index.js')) || !existsSync(path.join(root, 'dist/embed/live-leads.js'))) {
      const build = spawnSync(npm, ['run', 'build'], { cwd: root, encoding: 'utf8' });
      assert.equal(build.status, 0, build.stdout + build.stderr);
    }
  });

  it('lists the widget library, the embed bundle and the manifest, and no server, engine or sandbox file', function () {
    this.timeout(60_000);
    const pack = spawnSync(npm, ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    assert.equal(pack.status, 0, pack.stderr);
    const files: string[] = JSON.parse(pack.stdout)[0].files.map((f: { path: string }) => f.path);
    for (const required of ['dist/lib/index.js', 'dist/lib/define.js', 'dist/lib/index.d.ts', 'dist/embed/live-leads.js', 'custom-elements.json']) {
      assert.ok(files.includes(required), `${required} is in the package`);
    }
    const leaks = files.filter((f) => /(^|\/)(server|engine|sandbox|demo|e2e|bench)\//.test(f) || f.endsWith('.test.js'));
    assert.deepEqual(leaks, []);
  });
});
