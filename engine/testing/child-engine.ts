/** Test helper: runs the engine on a data directory in a child process and prints its URI (for kill -9 recovery tests). */
import { startEngine } from '../index.js';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: child-engine.ts <dataDir>');
const engine = await startEngine({ dataDir, compactBytes: Number(process.env.ENGINE_COMPACT_BYTES ?? 64 * 1024 * 1024) });
process.stdout.write(`URI ${engine.uri}\n`);
setInterval(() => {}, 1 << 30);
