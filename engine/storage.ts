/**
 * Durability: an append-only journal of BSON records plus periodic snapshots.
 *
 * Files in the data directory:
 *   snapshot.bson        the last complete snapshot (written to snapshot.tmp, fsynced, renamed, directory fsynced)
 *   journal.<gen>.log    records written after the snapshot of generation <gen>
 *   engine.lock          pid of the process that owns the directory
 * Record framing: [u32 LE payload length][u32 LE CRC-32C of payload][payload = one BSON document].
 *
 * fsync policy: a write command is acknowledged only after its records are written and the journal is fdatasync'ed
 * (group commit: records of commands arriving while a sync is in flight share the next sync). Snapshots are fsynced
 * before the rename that publishes them, and the directory is fsynced after it.
 * Recovery: load the snapshot, replay journals of its generation and later; a torn or corrupt tail record (a crash in
 * the middle of an append) ends replay and is truncated away. Replay is idempotent (inserts/updates are puts by _id).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';

const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  let c = ~0;
  for (let i = start; i < end; i++) c = TABLE[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

export function frame(rec: Document): Buffer {
  const payload = BSON.serialize(rec, { ignoreUndefined: true });
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32c(payload), 4);
  out.set(payload, 8);
  return out;
}

const DESER = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false } as const;

/** Reads framed records; returns the byte offset just past the last intact record. */
export function readRecords(buf: Buffer, onRecord: (rec: Document) => void): number {
  let off = 0;
  while (off + 8 <= buf.length) {
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 5 || off + 8 + len > buf.length) break;
    if (crc32c(buf, off + 8, off + 8 + len) !== crc) break;
    let rec: Document;
    try {
      rec = BSON.deserialize(buf.subarray(off + 8, off + 8 + len), DESER);
    } catch {
      break;
    }
    onRecord(rec);
    off += 8 + len;
  }
  return off;
}

export interface StorageLogger {
  (msg: string, extra?: object): void;
}

export class Storage {
  private fd = -1;
  private gen = 0;
  private journalBytes = 0;
  private queue: Array<{ bufs: Buffer[]; resolve: () => void; reject: (e: Error) => void }> = [];
  private flushing: Promise<void> | null = null;
  private closed = false;
  /** Snapshot when the journal grows past this many bytes. */
  compactBytes = 64 * 1024 * 1024;
  snapshotSource: (() => Iterable<Document>) | null = null;

  constructor(
    readonly dir: string,
    private readonly log: StorageLogger,
  ) {}

  private p(name: string): string {
    return path.join(this.dir, name);
  }

  /** Takes the directory lock and replays snapshot + journals into `apply`. */
  recover(apply: (rec: Document) => void): { records: number } {
    fs.mkdirSync(this.dir, { recursive: true });
    this.lock();
    let records = 0;
    let snapGen = 0;
    const snap = this.p('snapshot.bson');
    if (fs.existsSync(snap)) {
      const buf = fs.readFileSync(snap);
      let complete = false;
      readRecords(buf, (rec) => {
        if (rec.o === 'snap') snapGen = rec.gen;
        else if (rec.o === 'end') complete = true;
        else {
          apply(rec);
          records++;
        }
      });
      if (!complete) throw new Error(`embedded engine: snapshot ${snap} is incomplete`);
    }
    fs.rmSync(this.p('snapshot.tmp'), { force: true });
    const journals = fs
      .readdirSync(this.dir)
      .map((f) => /^journal\.(\d+)\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    for (const g of journals) {
      const file = this.p(`journal.${g}.log`);
      if (g < snapGen) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const buf = fs.readFileSync(file);
      const good = readRecords(buf, (rec) => {
        apply(rec);
        records++;
      });
      if (good < buf.length) {
        this.log('embedded engine: journal tail torn, truncating', { file, validBytes: good, fileBytes: buf.length });
        fs.truncateSync(file, good);
      }
    }
    this.gen = Math.max(snapGen, journals.length ? journals[journals.length - 1] : 0, 1);
    const file = this.p(`journal.${this.gen}.log`);
    this.fd = fs.openSync(file, 'a');
    this.journalBytes = fs.fstatSync(this.fd).size;
    fsyncDir(this.dir);
    return { records };
  }

  private lock(): void {
    const lockFile = this.p('engine.lock');
    try {
      const pid = Number(fs.readFileSync(lockFile, 'utf8'));
      if (pid && pid !== process.pid && alive(pid)) throw new Error(`embedded engine: data directory ${this.dir} is in use by process ${pid}`);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
        if ((e as Error).message.startsWith('embedded engine')) throw e;
      }
    }
    fs.writeFileSync(lockFile, String(process.pid));
  }

  /** Appends records durably; resolves once they are on disk. */
  commit(recs: Document[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('storage closed'));
    const bufs = recs.map(frame);
    return new Promise((resolve, reject) => {
      this.queue.push({ bufs, resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        try {
          const buf = Buffer.concat(batch.flatMap((b) => b.bufs));
          writeAll(this.fd, buf);
          this.journalBytes += buf.length;
          await new Promise<void>((res, rej) => fs.fdatasync(this.fd, (err) => (err ? rej(err) : res())));
          for (const b of batch) b.resolve();
        } catch (e) {
          for (const b of batch) b.reject(e as Error);
        }
        if (this.journalBytes > this.compactBytes && !this.queue.length) this.snapshot();
      }
    } finally {
      this.flushing = null;
    }
  }

  /** Writes a full snapshot and starts a new journal generation. Synchronous: no write can interleave. */
  snapshot(): void {
    if (!this.snapshotSource) return;
    const next = this.gen + 1;
    const tmp = this.p('snapshot.tmp');
    const fd = fs.openSync(tmp, 'w');
    try {
      let chunk: Buffer[] = [];
      let size = 0;
      const push = (rec: Document) => {
        const b = frame(rec);
        chunk.push(b);
        size += b.length;
        if (size > 4 * 1024 * 1024) {
          writeAll(fd, Buffer.concat(chunk));
          chunk = [];
          size = 0;
        }
      };
      push({ o: 'snap', gen: next, at: new Date() });
      for (const rec of this.snapshotSource()) push(rec);
      push({ o: 'end' });
      writeAll(fd, Buffer.concat(chunk));
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.p('snapshot.bson'));
    fsyncDir(this.dir);
    const old = this.gen;
    const oldFd = this.fd;
    this.gen = next;
    this.fd = fs.openSync(this.p(`journal.${next}.log`), 'a');
    this.journalBytes = 0;
    fs.closeSync(oldFd);
    fs.rmSync(this.p(`journal.${old}.log`), { force: true });
    fsyncDir(this.dir);
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.fd >= 0) {
      this.snapshot();
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    this.closed = true;
    fs.rmSync(this.p('engine.lock'), { force: true });
  }
}

function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) off += fs.writeSync(fd, buf, off, buf.length - off);
}

function fsyncDir(dir: string): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    /* some platforms cannot fsync a directory */
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
