/**
 * Test and bench helper: runs the engine on a data directory in a child process and prints its URI (kill -9 recovery
 * tests, bench/engine.bench.ts). Also prints `RECOVERY {json}` (start-up figures); SIGUSR2 starts a compaction and
 * prints `COMPACTED {json}` when it is published; SIGTERM closes cleanly (final snapshot) and exits.
 * ENGINE_COMPACT_BYTES sets the journal size that triggers a compaction; ENGINE_COMPACT_SLICE_MS and
 * ENGINE_COMPACT_PAUSE_MS stretch compactions (slice budget, pause after each slice) so a kill can land inside one;
 * ENGINE_LOG=1 prints the engine's log lines (compactions) as `LOG msg {json}`.
 */
import { startEngine } from '../index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-engine.ts <dataDir>');
const num = (v: string | undefined) => (v === undefined || v === '' ? undefined : Number(v));
const engine = await startEngine({
  dataDir,
  compactBytes: Number(process.env.ENGINE_COMPACT_BYTES ?? 64 * 1024 * 1024),
  compactSliceMs: num(process.env.ENGINE_COMPACT_SLICE_MS),
  compactPauseMs: num(process.env.ENGINE_COMPACT_PAUSE_MS),
  logger: process.env.ENGINE_LOG ? (msg, extra) => process.stdout.write(`LOG ${msg} ${JSON.stringify(extra ?? {})}\n`) : undefined,
});
process.stdout.write(`URI ${engine.uri}\n`);
process.stdout.write(`RECOVERY ${JSON.stringify(engine.recovery)}\n`);
process.on('SIGUSR2', () => {
  void engine.compact().then(() => process.stdout.write(`COMPACTED ${JSON.stringify(engine.lastCompaction())}\n`));
});
process.on('SIGTERM', () => {
  void engine.close().then(() => process.exit(0));
});
setInterval(() => {}, 1 << 30);
