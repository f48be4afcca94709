/**
 * Durability: an append-only journal of BSON records plus snapshots written incrementally while serving goes on.
 *
 * Files in the data directory:
 *   snapshot.bson        the last complete snapshot (written to snapshot.tmp, fsynced, renamed, directory fsynced)
 *   journal.<gen>.log    records written after the cut of the snapshot of generation <gen>
 *   engine.lock          pid of the process that owns the directory
 * Record framing: [u32 LE payload length][u32 LE CRC-32C of payload][payload = one BSON document].
 *
 * fsync policy: a write command is acknowledged only after its records are written and the journal is fdatasync'ed
 * (group commit: records of commands arriving while a sync is in flight share the next sync). Snapshots are fsynced
 * before the rename that publishes them, and the directory is fsynced after it.
 *
 * Compaction (snapshot) never stops serving: at the cut (synchronous, between two commands) it captures the catalog
 * and, per collection, the array of document references (documents are replaced on update, never mutated, so this is
 * a consistent view), and starts journal generation gen+1 for every later write. It then serialises the captured view
 * in slices of a few milliseconds, yielding to the event loop between slices, fsyncs and renames it, and only then
 * deletes the journals older than gen+1. Records committed before the cut still go to (and are synced in) the old
 * journal, always before any record of the new one is written, so journal order is command order.
 * Recovery: load the snapshot (generation N), replay journals N and later in order; a torn or corrupt tail record (a
 * crash in the middle of an append) ends replay and is truncated away. Replay is idempotent (inserts/updates are puts by _id).
 */
import fs from 'node:fs';
import path from 'node:path';
import { BSON, type Document } from 'bson';
import { decodeDocument } from './decode.js';
import { SnapshotWriter } from './snapshot.js';

// CRC-32C (Castagnoli), slicing-by-8.
const TABLES = (() => {
  const t = new Int32Array(256 * 8);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) for (let s = 1; s < 8; s++) t[s * 256 + n] = t[(s - 1) * 256 + n] >>> 8 ^ t[t[(s - 1) * 256 + n] & 0xff];
  return t;
})();

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  const t = TABLES;
  let c = ~0;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    c ^= buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24);
    c =
      t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
      t[768 + buf[i + 4]] ^ t[512 + buf[i + 5]] ^ t[256 + buf[i + 6]] ^ t[buf[i + 7]];
  }
  for (; i < end; i++) c = t[(c ^ buf[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

const SER = { ignoreUndefined: true } as const;

export function frame(rec: Document): Buffer {
  const payload = BSON.serialize(rec, SER);
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32c(payload), 4);
  out.set(payload, 8);
  return out;
}

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
      rec = decodeDocument(buf, off + 8, len);
    } catch {
      break;
    }
    onRecord(rec);
    off += 8 + len;
  }
  return off;
}

/**
 * Reads the framed records of a file in chunks (files of any size, bounded memory); returns the offset just past the
 * last intact record (less than the file size when the tail is torn or corrupt).
 */
export function readRecordsFromFile(file: string, onRecord: (rec: Document) => void, chunkBytes = 64 * 1024 * 1024): { good: number; size: number } {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    let buf = Buffer.allocUnsafe(Math.min(chunkBytes, Math.max(size, 8)));
    let filePos = 0; // file offset of buf[0]
    let have = 0; // valid bytes in buf
    let off = 0; // parse position in buf
    for (;;) {
      // refill: keep the unparsed tail, read more behind it
      if (off > 0) {
        buf.copy(buf, 0, off, have);
        filePos += off;
        have -= off;
        off = 0;
      }
      let need = 8;
      if (have >= 8) need = 8 + buf.readUInt32LE(0);
      if (need > buf.length) {
        if (filePos + need > size) return { good: filePos, size };
        const bigger = Buffer.allocUnsafe(need);
        buf.copy(bigger, 0, 0, have);
        buf = bigger;
      }
      while (have < buf.length && filePos + have < size) {
        const n = fs.readSync(fd, buf, have, buf.length - have, filePos + have);
        if (n <= 0) break;
        have += n;
      }
      const view = have === buf.length ? buf : buf.subarray(0, have);
      off = readRecords(view, onRecord);
      if (filePos + have >= size) return { good: filePos + off, size };
      if (off === 0 && have >= 8 && 8 + buf.readUInt32LE(0) <= have) return { good: filePos, size }; // corrupt record
    }
  } finally {
    fs.closeSync(fd);
  }
}

export interface StorageLogger {
  (msg: string, extra?: object): void;
}

/**
 * What a snapshot contains, captured at the cut: catalog records (framed as they are) and, for documents, records
 * `{o: 'docs', db, c, docs}` holding the captured array of document references, written as a header
 * `{o: 'docs', db, c, n}` followed by n framed documents.
 */
export type SnapshotSource = () => Iterable<Document>;

interface Pending {
  bufs: Buffer[];
  fd: number;
  resolve: () => void;
  reject: (e: Error) => void;
  done: Promise<void>;
}

export interface CompactionStats {
  /** Synchronous part: capturing the view and starting the new journal generation. */
  cutMs: number;
  /** Longest single slice of serialisation on the event loop. */
  maxSliceMs: number;
  totalMs: number;
  bytes: number;
  documents: number;
}

/** Time budget of one serialisation slice before yielding to the event loop. */
const SLICE_MS = 8;

export class Storage {
  private fd = -1;
  private gen = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  private queue: Pending[] = [];
  /** The batch the flush loop is writing. */
  private inflight: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private compacting: Promise<void> | null = null;
  private closed = false;
  /** Compact when the journal grows past this many bytes ... */
  compactBytes = 64 * 1024 * 1024;
  /** ... and past this fraction of the last snapshot's size (so compaction work stays proportional to writes). */
  compactRatio = 0.5;
  snapshotSource: SnapshotSource | null = null;
  /** Figures of the last finished compaction (bench and diagnostics). */
  lastCompaction: CompactionStats | null = null;
  /** Time budget of one serialisation slice before yielding to the event loop (ms). */
  sliceMs = SLICE_MS;
  /** Test hook: awaited between serialisation slices of a compaction. */
  onSlice: (() => Promise<void> | void) | null = null;

  constructor(
    readonly dir: string,
    private readonly log: StorageLogger,
  ) {}

  private p(name: string): string {
    return path.join(this.dir, name);
  }

  get generation(): number {
    return this.gen;
  }

  get compactionRunning(): boolean {
    return this.compacting !== null;
  }

  /** Takes the directory lock and replays snapshot + journals into `apply`. */
  recover(apply: (rec: Document) => void): { records: number; snapshotMs: number; journalMs: number } {
    fs.mkdirSync(this.dir, { recursive: true });
    this.lock();
    let records = 0;
    let snapGen = 0;
    const t0 = performance.now();
    const snap = this.p('snapshot.bson');
    if (fs.existsSync(snap)) {
      let complete = false;
      // {o:'docs', n} headers: the next n records are bare documents, applied in batches as {o:'docs', docs}
      let docsHeader: Document | null = null;
      let left = 0;
      let batch: Document[] = [];
      const orders = new Map<string, { order: Uint32Array; at: number }>();
      const flushDocs = () => {
        if (docsHeader && batch.length) apply({ o: 'docs', db: docsHeader.db, c: docsHeader.c, docs: batch });
        batch = [];
      };
      const { good, size } = readRecordsFromFile(snap, (rec) => {
        if (left > 0) {
          batch.push(rec);
          records++;
          if (--left === 0 || batch.length >= 65536) flushDocs();
          return;
        }
        if (rec.o === 'snap') snapGen = rec.gen;
        else if (rec.o === 'end') complete = true;
        else if (rec.o === 'docs') {
          docsHeader = rec;
          left = rec.n;
        } else if (rec.o === 'ixo') {
          // an index's saved entry order, in parts: applied once complete
          const key = `${rec.db}\u0000${rec.c}\u0000${rec.name}`;
          let acc = orders.get(key);
          if (!acc) orders.set(key, (acc = { order: new Uint32Array(rec.n), at: 0 }));
          const b = (rec.order as { buffer: Uint8Array }).buffer;
          const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
          for (let i = 0; i + 4 <= view.length && acc.at < acc.order.length; i += 4) acc.order[acc.at++] = view.readUInt32LE(i);
          if (acc.at === acc.order.length) {
            orders.delete(key);
            apply({ o: 'ixo', db: rec.db, c: rec.c, name: rec.name, order: acc.order });
          }
        } else {
          apply(rec);
          records++;
        }
      });
      if (!complete || left > 0 || good < size) throw new Error(`embedded engine: snapshot ${snap} is incomplete`);
      apply({ o: 'loaded' });
      this.snapshotBytes = size;
    }
    const t1 = performance.now();
    fs.rmSync(this.p('snapshot.tmp'), { force: true });
    const journals = this.journalGens();
    for (const g of journals) {
      const file = this.p(`journal.${g}.log`);
      if (g < snapGen) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const { good, size } = readRecordsFromFile(file, (rec) => {
        apply(rec);
        records++;
      });
      if (good < size) {
        this.log('embedded engine: journal tail torn, truncating', { file, validBytes: good, fileBytes: size });
        fs.truncateSync(file, good);
      }
    }
    this.gen = Math.max(snapGen, journals.length ? journals[journals.length - 1] : 0, 1);
    const file = this.p(`journal.${this.gen}.log`);
    this.fd = fs.openSync(file, 'a');
    this.journalBytes = fs.fstatSync(this.fd).size;
    fsyncDir(this.dir);
    return { records, snapshotMs: t1 - t0, journalMs: performance.now() - t1 };
  }

  private journalGens(): number[] {
    return fs
      .readdirSync(this.dir)
      .map((f) => /^journal\.(\d+)\.log$/.exec(f))
      .filter((m): m is RegExpExecArray => !!m)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
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
    let settle!: () => void;
    const done = new Promise<void>((r) => (settle = r));
    return new Promise((resolve, reject) => {
      this.queue.push({
        bufs,
        fd: this.fd,
        resolve: () => (settle(), resolve()),
        reject: (e) => (settle(), reject(e)),
        done,
      });
      if (!this.flushing) this.flushing = this.flushLoop();
    });
  }

  private async flushLoop(): Promise<void> {
    try {
      while (this.queue.length) {
        const batch = this.queue;
        this.queue = [];
        this.inflight = batch;
        // Records of one journal generation at a time, older first: a later generation's record is written only after
        // the earlier ones are synced, so whatever survives a crash is a prefix of the command order.
        for (let i = 0; i < batch.length; ) {
          let j = i;
          while (j < batch.length && batch[j].fd === batch[i].fd) j++;
          const group = batch.slice(i, j);
          i = j;
          try {
            const fd = group[0].fd;
            const buf = Buffer.concat(group.flatMap((b) => b.bufs));
            writeAll(fd, buf);
            if (fd === this.fd) this.journalBytes += buf.length;
            await new Promise<void>((res, rej) => fs.fdatasync(fd, (err) => (err ? rej(err) : res())));
            for (const b of group) b.resolve();
          } catch (e) {
            for (const b of group) b.reject(e as Error);
          }
        }
        this.inflight = [];
        if (this.shouldCompact()) void this.compact().catch(() => {});
      }
    } finally {
      this.inflight = [];
      this.flushing = null;
    }
  }

  private shouldCompact(): boolean {
    return !this.compacting && !this.closed && this.journalBytes > Math.max(this.compactBytes, this.snapshotBytes * this.compactRatio);
  }

  /**
   * Writes a snapshot of the state at this moment (the cut) and starts a new journal generation; serialisation runs
   * in slices while commands go on. A call while a compaction runs gets the next one, cut after that one ends (the
   * running one's cut may be long before this call); calls meanwhile share that next one.
   */
  compact(): Promise<void> {
    if (!this.snapshotSource || this.fd < 0) return Promise.resolve();
    if (this.compacting) {
      this.compactNext ??= this.compacting
        .catch(() => {})
        .then(() => {
          this.compactNext = null;
          return this.compact();
        });
      return this.compactNext;
    }
    this.compacting = this.runCompaction().finally(() => (this.compacting = null));
    return this.compacting;
  }

  private compactNext: Promise<void> | null = null;

  private async runCompaction(): Promise<void> {
    const started = performance.now();
    // ---- the cut: synchronous, between two commands ----
    // catalog records are serialised now (options and index specs may change later); documents are captured by reference
    const recs = [...this.snapshotSource!()].map((r) => (r.o === 'docs' ? r : frame(r)));
    const prevFd = this.fd;
    const prevGen = this.gen;
    const next = prevGen + 1;
    const newFd = fs.openSync(this.p(`journal.${next}.log`), 'a');
    fsyncDir(this.dir); // the new journal's directory entry is durable before any record acknowledged in it
    this.fd = newFd;
    this.gen = next;
    this.journalBytes = 0;
    const olderPending = [...this.inflight, ...this.queue].map((q) => q.done);
    const cutMs = performance.now() - started;
    // ---- serialise in slices ----
    const tmp = this.p('snapshot.tmp');
    const fh = await fs.promises.open(tmp, 'w');
    const w = new SnapshotWriter(fh, { sliceMs: this.sliceMs, crc32c, onSlice: this.onSlice });
    try {
      w.put({ o: 'snap', gen: next, at: new Date() });
      for (const rec of recs) {
        if (Buffer.isBuffer(rec)) await w.putFramed(rec);
        else await w.putCollection(rec.db, rec.c, rec.docs, rec.rids, rec.orders);
      }
      w.put({ o: 'end' });
      await w.flush();
      await fh.sync();
    } catch (e) {
      await fh.close().catch(() => {});
      fs.rmSync(tmp, { force: true });
      await Promise.all(olderPending);
      closeQuietly(prevFd); // its journal file stays: the next snapshot covers it
      this.log('embedded engine: snapshot failed, journals kept', { error: (e as Error).message });
      throw e;
    }
    const bytes = w.bytes;
    const documents = w.documents;
    const maxSliceMs = Math.max(cutMs, w.maxSliceMs);
    await fh.close();
    fs.renameSync(tmp, this.p('snapshot.bson'));
    fsyncDir(this.dir);
    this.snapshotBytes = bytes;
    // records committed before the cut are in the snapshot; wait until their own syncs finished before closing
    await Promise.all(olderPending);
    closeQuietly(prevFd);
    for (const g of this.journalGens()) if (g < next) fs.rmSync(this.p(`journal.${g}.log`), { force: true });
    fsyncDir(this.dir);
    this.lastCompaction = { cutMs, maxSliceMs, totalMs: performance.now() - started, bytes, documents };
    this.log('embedded engine: snapshot written', { gen: next, ...this.lastCompaction });
  }

  async close(): Promise<void> {
    while (this.flushing || this.compacting) {
      await this.flushing;
      await this.compacting?.catch(() => {});
    }
    if (this.fd >= 0) {
      await this.compact();
      while (this.flushing) await this.flushing;
      fs.closeSync(this.fd);
      this.fd = -1;
    }
    this.closed = true;
    fs.rmSync(this.p('engine.lock'), { force: true });
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    /* already closed */
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
