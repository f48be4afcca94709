/**
 * Secondary indexes: a sorted array of entries kept in MongoDB key order (binary search for range scans, lazily merged
 * bulk inserts), plus a hash of canonical key strings for unique indexes. Multikey on arrays.
 *
 * Compact entries: a document with one key in this index (every document of a non-multikey index) is entered as its
 * bare record id (a small integer, no allocation); its key is read from the document when compared (`docOf`, set by
 * the collection). Only documents with several keys (array values) get `{k, r}` objects. An object plus a key array
 * per entry cost ~130 bytes and most of the garbage collection time of a 1M-document recovery across 18 indexes.
 * Invariant this relies on: while an index changes, `docOf(r)` is the document whose keys are in it (the collection
 * replaces its record after updating the indexes), and documents are never mutated in place.
 */
import type { Document } from 'bson';
import { Query } from 'mingo';
import { Codes, ServerError } from './errors.js';
import { compareValues, fixTypeOperator, keyString, MAX_BOUND, MIN_BOUND, pathValues } from './values.js';

/** An entry of a document with several keys in the index. */
export interface KeyEntry {
  k: unknown[];
  r: number;
}

/** A record id (the document's only key, read from the document) or a KeyEntry. */
export type Entry = number | KeyEntry;

/** Reads the document of a record id (the collection's, or a snapshot's captured one). */
export type DocOf = (rid: number) => Document | undefined;

export const ridOf = (e: Entry): number => (typeof e === 'number' ? e : e.r);

export interface IndexSpec {
  v?: number;
  key: Document;
  name: string;
  unique?: boolean;
  sparse?: boolean;
  partialFilterExpression?: Document;
  [opt: string]: unknown;
}

/** A key range in index order: entries e with start <= e.k <= end (strictness per side). */
export interface KeyRange {
  start: unknown[];
  startStrict: boolean;
  end: unknown[];
  endStrict: boolean;
}

export class Index {
  readonly name: string;
  readonly fields: string[];
  readonly paths: string[][];
  readonly dirs: number[];
  readonly unique: boolean;
  readonly sparse: boolean;
  readonly partial: Query | null;
  /** True once any document produced more than one key (array values) or indexed a path through an array. */
  multikey = false;
  /**
   * Which key fields (positions) are multikey, like mongod's multiKeyPaths: an index whose multikey fields are all pinned
   * to one value by equality still gives the order of the fields after them (each document has one entry per value).
   */
  readonly multikeyFields = new Set<number>();
  /** Unique indexes: canonical key string -> record id. */
  readonly uniqueMap: Map<string, number> | null;
  private entries: Entry[] = [];
  private pending: Entry[] = [];
  /** The collection's documents by record id (see the file comment). */
  docOf: DocOf = () => undefined;

  constructor(readonly spec: IndexSpec) {
    this.name = spec.name;
    this.fields = Object.keys(spec.key);
    this.paths = this.fields.map((f) => f.split('.'));
    this.dirs = this.fields.map((f) => {
      const d = spec.key[f];
      if (d === 1 || d === -1) return d;
      if (typeof d === 'number' && d !== 0) return d > 0 ? 1 : -1;
      throw new ServerError(Codes.BadValue, `Values in the index key pattern can only be 1 or -1 for this engine, got ${JSON.stringify(d)} for ${f}`);
    });
    this.unique = spec.unique === true;
    this.sparse = spec.sparse === true;
    this.partial = spec.partialFilterExpression ? new Query(fixTypeOperator(spec.partialFilterExpression), {}) : null;
    this.uniqueMap = this.unique ? new Map() : null;
  }

  get size(): number {
    return this.entries.length + this.pending.length;
  }

  /** Key tuples of a document (deduplicated); [] when the document is not in this index (sparse/partial). */
  keysFor(doc: Document): unknown[][] {
    if (this.partial && !this.partial.test(doc)) return [];
    const perField: unknown[][] = [];
    let anyPresent = false;
    let arrayField = -1;
    for (let i = 0; i < this.paths.length; i++) {
      const vals = pathValues(doc, this.paths[i]);
      if (vals.length === 0) perField.push([null]);
      else {
        anyPresent = true;
        if (vals.length > 1) {
          if (arrayField >= 0)
            throw new ServerError(Codes.CannotIndexParallelArrays, `cannot index parallel arrays [${this.fields[i]}] [${this.fields[arrayField]}]`);
          arrayField = i;
          this.multikey = true;
          this.multikeyFields.add(i);
        } else if (pathThroughArray(doc, this.paths[i])) {
          this.multikey = true;
          this.multikeyFields.add(i);
        }
        perField.push(vals.map((v) => (v === undefined ? null : v)));
      }
    }
    if (this.sparse && !anyPresent) return [];
    if (arrayField < 0) return [perField.map((v) => v[0])];
    const out: unknown[][] = [];
    const seen = new Set<string>();
    for (const v of perField[arrayField]) {
      const ks = keyString(v);
      if (seen.has(ks)) continue;
      seen.add(ks);
      out.push(perField.map((vals, i) => (i === arrayField ? v : vals[0])));
    }
    return out;
  }

  static tupleString(k: unknown[]): string {
    // join builds one flat string; `+=` would leave a rope of concatenated-string cells (~300 bytes per document
    // across the unique maps, which keep these strings as keys)
    const parts = new Array<string>(k.length * 2);
    for (let i = 0; i < k.length; i++) {
      parts[2 * i] = keyString(k[i]);
      parts[2 * i + 1] = '|';
    }
    return parts.join('');
  }

  /** Throws E11000 when one of the keys is held by another record. */
  checkUnique(keys: unknown[][], rid: number, ns: string, pending?: Map<string, number>): void {
    if (!this.uniqueMap) return;
    for (const k of keys) {
      const ks = Index.tupleString(k);
      const holder = this.uniqueMap.get(ks) ?? pending?.get(ks);
      if (holder !== undefined && holder !== rid) throw this.dupError(ns, k);
    }
  }

  dupError(ns: string, k: unknown[]): ServerError {
    const keyPattern: Document = {};
    const keyValue: Document = {};
    this.fields.forEach((f, i) => {
      keyPattern[f] = this.spec.key[f];
      keyValue[f] = k[i] === undefined ? null : k[i];
    });
    const shown = this.fields.map((f, i) => `${f}: ${showValue(k[i])}`).join(', ');
    return new ServerError(Codes.DuplicateKey, `E11000 duplicate key error collection: ${ns} index: ${this.name} dup key: { ${shown} }`, {
      keyPattern,
      keyValue,
    });
  }

  add(keys: unknown[][], rid: number): void {
    if (keys.length === 1) {
      // the document's single key equals what fieldOf reads from it (first value per field)
      this.pending.push(rid);
      if (this.uniqueMap) this.uniqueMap.set(Index.tupleString(keys[0]), rid);
      return;
    }
    for (const k of keys) {
      this.pending.push({ k, r: rid });
      if (this.uniqueMap) this.uniqueMap.set(Index.tupleString(k), rid);
    }
  }

  /**
   * Recovery (documents known to satisfy the index): like add(keysFor(doc), rid) without building key tuples when every
   * key field is top-level and no value is an array (then the document has exactly one key).
   */
  addLoaded(doc: Document, rid: number): void {
    const paths = this.paths;
    let present = false;
    for (let i = 0; i < paths.length; i++) {
      if (paths[i].length !== 1) return this.add(this.keysFor(doc), rid);
      const v = doc[paths[i][0]];
      if (Array.isArray(v)) return this.add(this.keysFor(doc), rid); // sets the multikey flags
      if (v !== undefined) present = true;
    }
    if (this.sparse && !present) return;
    if (this.partial && !this.partial.test(doc)) return;
    this.pending.push(rid);
    if (this.uniqueMap) {
      const k = new Array<unknown>(paths.length);
      for (let i = 0; i < paths.length; i++) k[i] = this.fieldOf(doc, i);
      this.uniqueMap.set(Index.tupleString(k), rid);
    }
  }

  /** Field i of the key of a document entered by record id: keysFor's first value (null when missing). */
  fieldOf(doc: Document, i: number): unknown {
    const path = this.paths[i];
    if (path.length === 1) {
      const v = doc[path[0]];
      if (v === undefined) return null;
      if (!Array.isArray(v)) return v;
    }
    const vals = pathValues(doc, path);
    return vals.length === 0 || vals[0] === undefined ? null : vals[0];
  }

  /** The key tuple of an entry (bare record ids: read from the document). */
  keyOf(e: Entry, docOf: DocOf = this.docOf): unknown[] {
    if (typeof e !== 'number') return e.k;
    const d = docOf(e)!;
    const k = new Array<unknown>(this.paths.length);
    for (let i = 0; i < k.length; i++) k[i] = this.fieldOf(d, i);
    return k;
  }

  /** Orders keyed copies of entries (see sortEntries). */
  readonly compareKeyed = (a: KeyEntry, b: KeyEntry): number => this.compareKeys(a.k, b.k) || a.r - b.r;

  /**
   * Sorts entries in place reading each key once: comparing bare record ids reads the documents at every comparison,
   * which a sort of many entries (n log n comparisons) should not do.
   */
  sortEntries(arr: Entry[], docOf: DocOf = this.docOf): Entry[] {
    if (arr.length < 64) return arr.sort((a, b) => this.compareWith(a, b, docOf));
    const keyed: Array<KeyEntry & { e: Entry }> = new Array(arr.length);
    for (let i = 0; i < arr.length; i++) keyed[i] = { k: this.keyOf(arr[i], docOf), r: ridOf(arr[i]), e: arr[i] };
    keyed.sort(this.compareKeyed);
    for (let i = 0; i < arr.length; i++) arr[i] = keyed[i].e;
    return arr;
  }

  /** Key field i of an entry. */
  keyAt(e: Entry, i: number, docOf: DocOf = this.docOf): unknown {
    return typeof e === 'number' ? this.fieldOf(docOf(e)!, i) : e.k[i];
  }

  /** Entries compared by key only, then (`withRid`) by record id; keys of bare record ids read through `docOf`. */
  compareWith(a: Entry, b: Entry, docOf: DocOf, withRid = true): number {
    const da = typeof a === 'number' ? docOf(a)! : null;
    const db = typeof b === 'number' ? docOf(b)! : null;
    for (let i = 0; i < this.paths.length; i++) {
      const x = da ? this.fieldOf(da, i) : (a as KeyEntry).k[i];
      const y = db ? this.fieldOf(db, i) : (b as KeyEntry).k[i];
      const c = compareValues(x, y);
      if (c !== 0) return this.dirs[i] > 0 ? c : -c;
    }
    return withRid ? ridOf(a) - ridOf(b) : 0;
  }

  remove(keys: unknown[][], rid: number): void {
    for (const k of keys) {
      if (this.uniqueMap) {
        const ks = Index.tupleString(k);
        if (this.uniqueMap.get(ks) === rid) this.uniqueMap.delete(ks);
      }
      this.removeEntry({ k, r: rid });
    }
  }

  clear(): void {
    this.entries = [];
    this.pending = [];
    this.sharedEntries = this.sharedPending = false;
    this.uniqueMap?.clear();
    this.multikey = false;
    this.multikeyFields.clear();
  }

  compareKeys(a: unknown[], b: unknown[]): number {
    for (let i = 0; i < a.length; i++) {
      const c = compareValues(a[i], b[i]);
      if (c !== 0) return this.dirs[i] > 0 ? c : -c;
    }
    return 0;
  }

  private compareEntries = (a: Entry, b: Entry): number => this.compareWith(a, b, this.docOf);

  private sameEntry(p: Entry, e: KeyEntry): boolean {
    return ridOf(p) === e.r && this.compareWith(p, e, this.docOf, false) === 0;
  }

  private removeEntry(e: KeyEntry): void {
    const pi = this.pending.findIndex((p) => this.sameEntry(p, e));
    if (pi >= 0) {
      this.ownPending();
      this.pending.splice(pi, 1);
      return;
    }
    this.ownEntries();
    const arr = this.entries;
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.compareEntries(arr[mid], e) < 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo < arr.length && this.sameEntry(arr[lo], e)) arr.splice(lo, 1);
    else {
      const j = arr.findIndex((p) => this.sameEntry(p, e));
      if (j >= 0) arr.splice(j, 1);
    }
  }

  /** Sorted view of all entries (merges pending inserts first). */
  sorted(): Entry[] {
    if (this.pending.length) {
      this.ownPending();
      const p = this.sortEntries(this.pending);
      this.pending = [];
      if (p.length < 16 && this.entries.length > 0) this.ownEntries(); // spliced in place below
      const a = this.entries;
      this.sharedEntries = false; // the other paths build a new array
      if (p.length < 16 && a.length > 0) {
        for (const e of p) {
          let lo = 0;
          let hi = a.length;
          while (lo < hi) {
            const mid = (lo + hi) >>> 1;
            if (this.compareEntries(a[mid], e) < 0) lo = mid + 1;
            else hi = mid;
          }
          a.splice(lo, 0, e);
        }
      } else if (a.length === 0) this.entries = p;
      else {
        const out: Entry[] = new Array(a.length + p.length);
        let i = 0;
        let j = 0;
        let o = 0;
        if (p.length * Math.log2(a.length) < a.length) {
          // few pending entries (a batch of inserts into a large index): binary-search each one's place and copy the
          // runs between them, ~p log n comparisons instead of one per entry (1M entries: ~20k instead of 1M)
          for (; j < p.length; j++) {
            const e = p[j];
            let lo = i;
            let hi = a.length;
            while (lo < hi) {
              const mid = (lo + hi) >>> 1;
              if (this.compareEntries(a[mid], e) <= 0) lo = mid + 1;
              else hi = mid;
            }
            while (i < lo) out[o++] = a[i++];
            out[o++] = e;
          }
        } else while (i < a.length && j < p.length) out[o++] = this.compareEntries(a[i], p[j]) <= 0 ? a[i++] : p[j++];
        while (i < a.length) out[o++] = a[i++];
        while (j < p.length) out[o++] = p[j++];
        this.entries = out;
      }
    }
    return this.entries;
  }

  /**
   * Snapshot support: the entries as they are now, in index order once `pending` is sorted and merged in (entries
   * themselves are never mutated). Captured at a snapshot's cut in O(1), ordered later in slices.
   */
  capture(): { entries: Entry[]; pending: Entry[]; pendingLength: number } {
    // copy-on-write: the arrays are handed over as they are and copied by the first change after this (ownEntries /
    // ownPending), so the cut costs nothing per entry; pushes to `pending` only append past the captured length
    this.sharedEntries = this.sharedPending = true;
    return { entries: this.entries, pending: this.pending, pendingLength: this.pending.length };
  }

  /**
   * After a snapshot ordered what capture() handed over: when the index is still exactly as captured (no entry removed
   * or merged since, later inserts only appended to `pending`), the snapshot's ordered entries replace the captured ones,
   * so the next query or snapshot does not sort the same pending entries again (during a bulk load, every compaction
   * would otherwise re-sort all entries inserted since the index was last queried).
   */
  adoptCaptured(captured: { entries: Entry[]; pending: Entry[]; pendingLength: number }, ordered: Entry[]): boolean {
    if (this.entries !== captured.entries || this.pending !== captured.pending || !this.sharedEntries || !this.sharedPending) return false;
    if (ordered.length !== captured.entries.length + captured.pendingLength) return false;
    this.entries = ordered;
    this.pending = captured.pending.slice(captured.pendingLength);
    this.sharedEntries = this.sharedPending = false;
    return true;
  }

  /** Set by capture(): the arrays are referenced by a snapshot being written; copy before changing them in place. */
  private sharedEntries = false;
  private sharedPending = false;

  private ownEntries(): void {
    if (this.sharedEntries) {
      this.entries = this.entries.slice();
      this.sharedEntries = false;
    }
  }

  private ownPending(): void {
    if (this.sharedPending) {
      this.pending = this.pending.slice();
      this.sharedPending = false;
    }
  }

  compareEntry(a: Entry, b: Entry, docOf: DocOf = this.docOf): number {
    return this.compareWith(a, b, docOf);
  }

  /**
   * Recovery: puts the pending entries of a bulk load (documents loaded with consecutive record ids from `base`, at
   * most one entry each) in the order a snapshot saved (`order[i]` = position of the document of the i-th entry; ties
   * by position, which is record id order here), so no sort is needed. A sample of neighbours is checked; if one is out
   * of order the entries are sorted after all. Returns false (nothing changed; sorted lazily as usual) when the order
   * does not fit the pending entries.
   */
  adoptOrder(order: ArrayLike<number>, base: number): boolean {
    const p = this.pending;
    if (this.entries.length || this.multikey || p.length !== order.length) return false;
    let max = -1;
    for (const e of p) {
      if (typeof e !== 'number') return false;
      if (e - base > max) max = e - base;
    }
    // every pending record id exactly once among the saved positions (a byte per document, no entry objects)
    const mark = new Uint8Array(max + 1);
    for (const e of p) {
      const i = e as number - base;
      if (i < 0 || mark[i]) return false;
      mark[i] = 1;
    }
    const out: Entry[] = new Array(p.length);
    for (let i = 0; i < order.length; i++) {
      const pos = order[i];
      if (pos > max || mark[pos] !== 1) return false;
      mark[pos] = 2;
      out[i] = base + pos;
    }
    for (let i = 1; i < out.length; i += 61)
      if (this.compareEntries(out[i - 1], out[i]) >= 0) {
        this.sortEntries(out);
        break;
      }
    this.entries = out;
    this.pending = [];
    return true;
  }

  /**
   * Recovery: fills an empty index from a snapshot's saved order alone (documents loaded with record ids from `base` to
   * `end`, none entered here yet): the i-th entry is the document at position order[i], no key is computed. Positions
   * must be distinct and in range (and cover every document unless the index is sparse or partial); a sample of
   * neighbours is compared and the entries are sorted if one is out of order. False (nothing changed) otherwise.
   */
  adoptSavedOrder(order: ArrayLike<number>, base: number, end: number): boolean {
    const n = end - base;
    if (this.entries.length || this.pending.length || this.multikey || this.unique || order.length > n) return false;
    if (!this.sparse && !this.partial && order.length !== n) return false;
    const seen = new Uint8Array(n);
    const out: Entry[] = new Array(order.length);
    for (let i = 0; i < order.length; i++) {
      const pos = order[i];
      if (pos >= n || seen[pos]) return false;
      seen[pos] = 1;
      out[i] = base + pos;
    }
    for (let i = 0; i < out.length; i++) if (!this.docOf(out[i] as number)) return false;
    for (let i = 1; i < out.length; i += 61)
      if (this.compareEntries(out[i - 1], out[i]) >= 0) {
        this.sortEntries(out);
        break;
      }
    this.entries = out;
    return true;
  }

  /** [lo, hi) positions in sorted() of the entries inside the range. */
  rangePositions(range: KeyRange): [number, number] {
    return this.positionsIn(this.sorted(), range);
  }

  /**
   * Entries inside the range (the planner's tie-break between equal plans), without merging a modest pending list:
   * during a bulk load every count would otherwise merge each tied index (a copy of all its entries) per query.
   */
  countInRange(range: KeyRange): number {
    // a few waiting entries are checked one by one; beyond that, merging once is cheaper than a scan per query (4,000
    // waiting entries scanned in each of the tied indexes cost a board count 12 ms at 1k leads)
    if (this.pending.length > 256) {
      const [lo, hi] = this.rangePositions(range);
      return hi - lo;
    }
    const [lo, hi] = this.positionsIn(this.entries, range);
    let n = hi - lo;
    for (const e of this.pending) {
      const [a, b] = this.positionsIn([e], range);
      n += b - a;
    }
    return n;
  }

  private positionsIn(arr: Entry[], range: KeyRange): [number, number] {
    const n = range.start.length;
    const docOf = this.docOf;
    const cmpPrefix = (e: Entry, b: unknown[]) => {
      const d = typeof e === 'number' ? docOf(e)! : null;
      for (let i = 0; i < n; i++) {
        const c = compareValues(d ? this.fieldOf(d, i) : (e as KeyEntry).k[i], b[i]);
        if (c !== 0) return this.dirs[i] > 0 ? c : -c;
      }
      return 0;
    };
    let lo = 0;
    let hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmpPrefix(arr[mid], range.start);
      if (range.startStrict ? c <= 0 : c < 0) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = arr.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = cmpPrefix(arr[mid], range.end);
      if (range.endStrict ? c < 0 : c <= 0) lo = mid + 1;
      else hi = mid;
    }
    return [first, lo];
  }

  /** Sentinel that sorts first (which=-1) or last (which=1) in this index's order for field i. */
  orderSentinel(i: number, which: -1 | 1): unknown {
    return which * this.dirs[i] > 0 ? MAX_BOUND : MIN_BOUND;
  }
}

function pathThroughArray(doc: unknown, path: string[]): boolean {
  let cur: unknown = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) return true;
    if (cur === null || typeof cur !== 'object') return false;
    cur = (cur as Document)[seg];
  }
  return Array.isArray(cur);
}

/** Renders a key value like mongod's error messages: strings quoted, ObjectId('...'), dates as new Date(ms). */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (Array.isArray(v)) return '[ ' + v.map(showValue).join(', ') + ' ]';
  const t = (v as { _bsontype?: string })._bsontype;
  if (t === 'ObjectId') return `ObjectId('${(v as { toHexString(): string }).toHexString()}')`;
  if (t) return String(v);
  const parts = Object.entries(v as Document).map(([k, x]) => `${k}: ${showValue(x)}`);
  return '{ ' + parts.join(', ') + ' }';
}
