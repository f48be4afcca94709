/**
 * `npm run db`: runs the embedded engine with data in $LEADS_DATA_DIR (default .data/ at the repo root) on
 * $LEADS_DB_PORT (default 27017; an ephemeral port when that one is busy), prints the URI, and snapshots on Ctrl-C.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngine } from './index.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = path.resolve(repoRoot, process.env.LEADS_DATA_DIR ?? '.data');
const wanted = Number(process.env.LEADS_DB_PORT ?? 27017);
const logger = (msg: string, extra?: object) => console.error(msg, extra ? JSON.stringify(extra) : '');

async function main() {
  let engine;
  try {
    engine = await startEngine({ dataDir, port: wanted, logger });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
    console.error(`port ${wanted} is busy, using an ephemeral port`);
    engine = await startEngine({ dataDir, port: 0, logger });
  }
  console.log(`embedded MongoDB-compatible engine, data in ${dataDir}`);
  console.log(engine.uri);
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    console.error('closing (final snapshot)...');
    await engine.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
