#!/usr/bin/env node
// `npm start` and `npm test` on a fresh clone: install what is missing first.
// - npm dependencies (npm ci) when node_modules is missing;
// - with --system (npm test): Debian's chromium (browser tests) and redis-server (realtime tests) when they are missing,
//   through apt-get when running as root, otherwise a message naming the command to run.
import { existsSync } from 'node:fs';
import { execSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'node_modules', '.package-lock.json')) || !existsSync(join(root, 'node_modules', 'tsx'))) {
  console.log('Installing dependencies (npm ci) ...');
  execSync('npm ci --no-audit --no-fund', { cwd: root, stdio: 'inherit' });
}

if (process.argv.includes('--system')) {
  const has = (cmd) => {
    try {
      execSync(`command -v ${cmd}`, { stdio: 'ignore', shell: '/bin/sh' });
      return true;
    } catch {
      return false;
    }
  };
  const missing = [];
  if (!process.env.CHROME_PATH && !has('chromium')) missing.push('chromium');
  if (!process.env.REDIS_SERVER_BIN && !has('redis-server')) missing.push('redis-server');
  if (missing.length) {
    const command = `apt-get install -y ${missing.join(' ')}`;
    if (process.getuid?.() === 0 && has('apt-get')) {
      console.log(`Installing ${missing.join(' and ')} from Debian (${command}) ...`);
      execSync(`apt-get update -qq && DEBIAN_FRONTEND=noninteractive ${command} -qq`, { stdio: 'inherit', shell: '/bin/sh' });
    } else {
      console.error(`The tests need ${missing.join(' and ')}: run \`sudo ${command}\` (Debian/Ubuntu), or set CHROME_PATH / REDIS_SERVER_BIN.`);
      process.exit(1);
    }
  }
}
