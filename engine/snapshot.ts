/**
 * Writing a snapshot in slices. Everything was captured at the cut (see storage.ts); here it is serialised a few
 * milliseconds at a time, yielding to the event loop between slices, so commands keep being served while it runs.
 *
 * Content, each record framed like the journal ([u32 length][u32 CRC-32C][BSON]):
 *   {o:'snap', gen, at}                       header
 *   catalog records (cc, ci, ...)             as the engine yields them (serialised at the cut)
 *   {o:'docs', db, c, n} + n documents        the documents of a collection, each its own frame
 *   {o:'ixo', db, c, name, n, part, order}    an index's entry order: `order` (binary, u32 LE) holds, for each entry
 *                                             in index order, the position of its document in the docs section;
 *                                             recovery then needs no sort (split in parts of at most 1M entries)
 *   {o:'end'}
 */
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import { Binary, BSON, type Document } from 'bson';
import { ridOf, type DocOf, type Entry, type Index } from './indexes.js';

export interface CapturedIndexOrder {
  name: string;
  index: Index;
  entries: Entry[];
  /** Only the first `pendingLength` entries belong to the snapshot (later inserts append). */
  pending: Entry[];
  pendingLength: number;
}

export interface WriterOptions {
  sliceMs: number;
  crc32c: (buf: Uint8Array, start: number, end: number) => number;
  onSlice?: (() => Promise<void> | void) | null;
}

const SER = { ignoreUndefined: true } as const;
/** Write buffer: large enough for one maximal document (16 MB) plus framing. */
const CHUNK_BYTES = 32 * 1024 * 1024;
const FLUSH_AT = CHUNK_BYTES - 16 * 1024 * 1024 - 64 * 1024;
const ORDER_PART = 1 << 20;
const BIG_ENDIAN = os.endianness() === 'BE';

export class SnapshotWriter {
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private pos = 0;
  private sliceStart = performance.now();
  bytes = 0;
  documents = 0;
  maxSliceMs = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly opts: WriterOptions,
  ) {}

  private async writeOut(buf: Buffer): Promise<void> {
    let off = 0;
    while (off < buf.length) off += (await this.fh.write(buf, off, buf.length - off)).bytesWritten;
    this.bytes += buf.length;
  }

  async flush(): Promise<void> {
    if (!this.pos) return;
    const out = this.chunk.subarray(0, this.pos);
    await this.writeOut(out); // nothing is put meanwhile: callers await flush
    this.pos = 0;
  }

  /** Frames one document into the buffer (synchronous; call `tick` after). */
  put(doc: Document): void {
    const start = this.pos + 8;
    const end = BSON.serializeWithBufferAndIndex(doc, this.chunk, { ...SER, index: start });
    const len = end + 1 - start;
    this.chunk.writeUInt32LE(len, this.pos);
    this.chunk.writeUInt32LE(this.opts.crc32c(this.chunk, start, start + len), this.pos + 4);
    this.pos = start + len;
  }

  /** An already framed record. */
  async putFramed(rec: Buffer): Promise<void> {
    if (this.pos + rec.length > CHUNK_BYTES) await this.flush();
    if (rec.length > CHUNK_BYTES) await this.writeOut(rec);
    else {
      rec.copy(this.chunk, this.pos);
      this.pos += rec.length;
    }
    await this.tick();
  }

  /** Yields to the event loop when the slice's time is up; flushes when the buffer is full. Cheap otherwise. */
  async tick(): Promise<void> {
    const now = performance.now();
    if (now - this.sliceStart < this.opts.sliceMs && this.pos < FLUSH_AT) return;
    this.maxSliceMs = Math.max(this.maxSliceMs, now - this.sliceStart);
    if (this.pos >= FLUSH_AT) await this.flush();
    await new Promise<void>((r) => setImmediate(r));
    if (this.opts.onSlice) await this.opts.onSlice();
    this.sliceStart = performance.now();
  }

  /** A collection's documents, then the entry order of each captured index. */
  async putCollection(db: string, c: string, docs: Document[], rids: number[] | undefined, orders: CapturedIndexOrder[] | undefined): Promise<void> {
    this.put({ o: 'docs', db, c, n: docs.length });
    for (let i = 0; i < docs.length; i++) {
      this.put(docs[i]);
      this.documents++;
      if ((i & 31) === 31 || this.pos >= FLUSH_AT) await this.tick();
    }
    await this.tick();
    if (!rids || !orders?.length) return;
    let maxRid = 0;
    for (const r of rids) if (r > maxRid) maxRid = r;
    const posOfRid = new Int32Array(maxRid + 1).fill(-1);
    let ascending = true;
    for (let i = 0; i < rids.length; i++) {
      posOfRid[rids[i]] = i;
      if (i && rids[i] < rids[i - 1]) ascending = false;
    }
    // entries that are bare record ids are compared by the keys of the documents as they were at the cut
    const docOf: DocOf = (r) => docs[posOfRid[r]];
    await this.tick();
    for (const o of orders) {
      // entries of equal keys are ordered by record id; on load record ids follow positions, so when the natural
      // order is not record id order (ids reused after deletes), ties are put in position order here
      const order = await this.entryOrder(o, posOfRid, docOf, !ascending);
      if (!order) continue;
      if (ascending && (o.pendingLength > 0 || o.entries.length !== order.length)) {
        // hand the order back to the index (record ids in index order; ties are in record id order here)
        const ordered: Entry[] = new Array(order.length);
        for (let k = 0; k < order.length; k++) {
          ordered[k] = rids[order[k]];
          if ((k & 65535) === 65535) await this.tick();
        }
        o.index.adoptCaptured(o, ordered);
      }
      const n = order.length;
      for (let part = 0, at = 0; at < n || part === 0; part++, at += ORDER_PART) {
        const slice = order.subarray(at, Math.min(n, at + ORDER_PART));
        const bytes = Buffer.from(slice.buffer, slice.byteOffset, slice.byteLength);
        if (BIG_ENDIAN) bytes.swap32(); // the format is little-endian
        this.put({ o: 'ixo', db, c, name: o.name, n, part, order: new Binary(bytes) });
        await this.tick();
      }
    }
  }

  /** Positions (in the docs section) of the documents of the index's entries in index order; null if one is missing. */
  private async entryOrder(o: CapturedIndexOrder, posOfRid: Int32Array, docOf: DocOf, fixTies: boolean): Promise<Uint32Array | null> {
    const ix = o.index;
    for (let k = 0; k < o.pendingLength; k++) {
      const r = ridOf(o.pending[k]);
      if (r >= posOfRid.length || posOfRid[r] < 0) return null;
    }
    const cmp = (a: Entry, b: Entry) => ix.compareEntry(a, b, docOf);
    // keys read once per pending entry (bare record ids would read their documents at every comparison of the sort)
    const keyed: Array<{ k: unknown[]; r: number; e: Entry }> = new Array(o.pendingLength);
    for (let k = 0; k < o.pendingLength; k++) {
      const e = o.pending[k];
      keyed[k] = { k: ix.keyOf(e, docOf), r: ridOf(e), e };
      if ((k & 4095) === 4095) await this.tick();
    }
    const sortedKeyed = await sortSliced(keyed, ix.compareKeyed, () => this.tick());
    const p: Entry[] = new Array(sortedKeyed.length);
    for (let k = 0; k < p.length; k++) p[k] = sortedKeyed[k].e;
    const a = o.entries;
    const out = new Uint32Array(a.length + p.length);
    let i = 0;
    let j = 0;
    let prev: Entry | null = null;
    let runStart = 0;
    for (let k = 0; k < out.length; k++) {
      const e = j >= p.length || (i < a.length && cmp(a[i], p[j]) <= 0) ? a[i++] : p[j++];
      const r = ridOf(e);
      const pos = r < posOfRid.length ? posOfRid[r] : -1;
      if (pos < 0) return null;
      out[k] = pos;
      if (fixTies) {
        if (prev !== null && ix.compareWith(prev, e, docOf, false) !== 0) {
          if (k - runStart > 1) out.subarray(runStart, k).sort();
          runStart = k;
        }
        prev = e;
      }
      if ((k & 4095) === 4095) await this.tick();
    }
    if (fixTies && out.length - runStart > 1) out.subarray(runStart).sort();
    return out;
  }
}

/** Sorts a copy of `arr` (stable merge sort of natively sorted runs), yielding through `tick` between steps. */
export async function sortSliced<T>(arr: T[], cmp: (a: T, b: T) => number, tick: () => Promise<void>): Promise<T[]> {
  const n = arr.length;
  const RUN = 2048;
  if (n <= RUN) return arr.slice().sort(cmp);
  let src: T[] = new Array(n);
  for (let lo = 0; lo < n; lo += RUN) {
    const run = arr.slice(lo, Math.min(n, lo + RUN)).sort(cmp);
    for (let k = 0; k < run.length; k++) src[lo + k] = run[k];
    await tick();
  }
  let dst: T[] = new Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(n, lo + width);
      const hi = Math.min(n, lo + 2 * width);
      let i = lo;
      let j = mid;
      for (let k = lo; k < hi; k++) {
        dst[k] = j >= hi || (i < mid && cmp(src[i], src[j]) <= 0) ? src[i++] : src[j++];
        if ((k & 4095) === 4095) await tick();
      }
    }
    [src, dst] = [dst, src];
  }
  return src;
}
