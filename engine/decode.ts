/**
 * Fast BSON decoding for recovery, and compact in-memory document shapes.
 *
 * js-bson builds documents by keyed stores, which puts any document with more than ~16 fields into V8's dictionary
 * mode (a hash table per document: ~1.6 KB for a 26-field lead) and decodes every key and repeated value anew.
 * Here objects are built by one compiled object literal per key sequence ("shape"), so documents with the same fields
 * share one hidden class and store their values in-object; keys and short ASCII values (statuses, org ids, time zones)
 * come from a small cache instead of being decoded each time. Types decoded here: double, string, document, array,
 * ObjectId, boolean, date, null, int32, int64 (a number within 2^53, like js-bson's promoteLongs). A document with any
 * other type (binary, regex, decimal, timestamp, ...), a `$`-prefixed key (DBRef) or a `__proto__` key is handed to
 * js-bson whole, so the result is always what `BSON.deserialize` (promoteValues, promoteLongs) returns.
 */
import { BSON, ObjectId, type DeserializeOptions, type Document } from 'bson';

/** Node's Buffer has these (undocumented but stable) slicers; they skip toString's argument handling. */
type Slicer = { latin1Slice(start: number, end: number): string; utf8Slice(start: number, end: number): string };
const OID = ObjectId as unknown as new (buf: Buffer, offset: number) => ObjectId;

const DESER = { promoteLongs: true, promoteValues: true, promoteBuffers: false, bsonRegExp: false } as const;

class Unsupported extends Error {}
const UNSUPPORTED = new Unsupported('unsupported BSON element');

// ---- shapes ----

interface ShapeNode {
  next: Map<string, ShapeNode>;
  make: ((v: unknown[]) => Document) | null;
  keys: string[];
}
const root: ShapeNode = { next: new Map(), make: null, keys: [] };
let shapeCount = 0;
const MAX_SHAPES = 4096;
const MAX_SHAPE_KEYS = 64;

/** Shape tree nodes at most (documents with ever-new key sets, such as maps keyed by ids, stop growing it). */
const MAX_NODES = 65536;
let nodeCount = 0;
/** Stands for "no shape": objects past the caps are built by plain stores. */
const NONE: ShapeNode = { next: new Map(), make: null, keys: [] };

function child(node: ShapeNode, key: string): ShapeNode {
  if (node === NONE) return NONE;
  let n = node.next.get(key);
  if (!n) {
    if (nodeCount >= MAX_NODES || node.keys.length >= MAX_SHAPE_KEYS) return NONE;
    nodeCount++;
    node.next.set(key, (n = { next: new Map(), make: null, keys: [...node.keys, key] }));
  }
  return n;
}

function maker(node: ShapeNode): ((v: unknown[]) => Document) | null {
  if (node.make) return node.make;
  if (node === NONE || shapeCount >= MAX_SHAPES) return null;
  shapeCount++;
  const body = node.keys.map((k, i) => `${JSON.stringify(k)}: v[${i}]`).join(', ');
  node.make = new Function('v', `return { ${body} };`) as (v: unknown[]) => Document;
  return node.make;
}

function build(node: ShapeNode, keys: string[], vals: unknown[]): Document {
  const make = maker(node);
  if (make) return make(vals);
  const o: Document = {};
  for (let i = 0; i < keys.length; i++) o[keys[i]] = vals[i];
  return o;
}

function isPlain(v: object): boolean {
  return Object.getPrototypeOf(v) === Object.prototype;
}

/**
 * A copy of a document built with shared shapes (see the file comment): same keys, order and values; plain objects
 * and arrays are rebuilt, BSON values, dates and other instances are shared. Documents that cannot be shaped
 * (a `__proto__` key, more than 64 fields) keep their plain-object form.
 */
export function reshape<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = reshape(v[i]);
    return out as T;
  }
  if (!isPlain(v)) return v;
  const keys = Object.keys(v);
  const vals = new Array(keys.length);
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === '__proto__') return v;
    node = child(node, k);
    vals[i] = reshape((v as Document)[k]);
  }
  return build(node, keys, vals) as T;
}

// ---- decoding ----

const CACHE_SLOTS = 8192;
const cache: Array<string | undefined> = new Array(CACHE_SLOTS);
const MAX_CACHED = 40;

/** Decodes a string of n bytes at p: short ASCII strings through the cache. */
function str(buf: Buffer, p: number, n: number): string {
  if (n <= MAX_CACHED) {
    let h = 0x811c9dc5;
    let ascii = true;
    for (let i = 0; i < n; i++) {
      const b = buf[p + i];
      if (b >= 0x80) {
        ascii = false;
        break;
      }
      h = Math.imul(h ^ b, 0x01000193);
    }
    if (ascii) {
      const slot = (h ^ (h >>> 15)) & (CACHE_SLOTS - 1);
      const s = cache[slot];
      if (s !== undefined && s.length === n) {
        let same = true;
        for (let i = 0; i < n; i++)
          if (s.charCodeAt(i) !== buf[p + i]) {
            same = false;
            break;
          }
        if (same) return s;
      }
      const out = (buf as unknown as Slicer).latin1Slice(p, p + n);
      cache[slot] = out;
      return out;
    }
  }
  return (buf as unknown as Slicer).utf8Slice(p, p + n);
}

function cstringEnd(buf: Buffer, p: number, end: number): number {
  let q = p;
  while (q < end && buf[q] !== 0) q++;
  if (q >= end) throw UNSUPPORTED;
  return q;
}

let pos = 0;
/**
 * Keys and values of the object being decoded at each nesting depth: reused, so decoding allocates only the result
 * (two temporary arrays per embedded object were a good part of a recovery's garbage collection).
 */
const scratchKeys: string[][] = [];
const scratchVals: unknown[][] = [];
let depth = 0;
/**
 * The last date decoded in the current document: equal instants in one document (a lead's updatedAt, lastContactAt and
 * lastAttemptAt are often the same) share one Date (~96 bytes each). Stored documents are never mutated in place.
 */
let lastDate: Date | null = null;

function decodeObject(buf: Buffer, start: number, asArray: boolean): unknown {
  const size = buf.readInt32LE(start);
  const end = start + size - 1; // the terminating 0
  if (size < 5 || end >= buf.length || buf[end] !== 0) throw UNSUPPORTED;
  let p = start + 4;
  const d = depth++;
  const keys = (scratchKeys[d] ??= []);
  const vals = (scratchVals[d] ??= []);
  let n = 0;
  let node = root;
  while (p < end) {
    const type = buf[p++];
    const kEnd = cstringEnd(buf, p, end);
    if (!asArray) {
      if (buf[p] === 0x24 /* $ */) throw UNSUPPORTED;
      const k = str(buf, p, kEnd - p);
      if (k === '__proto__') throw UNSUPPORTED;
      keys[n] = k;
      node = child(node, k);
    }
    p = kEnd + 1;
    let v: unknown;
    switch (type) {
      case 1:
        v = buf.readDoubleLE(p);
        p += 8;
        break;
      case 2: {
        const n = buf.readInt32LE(p);
        if (n < 1 || p + 4 + n > end) throw UNSUPPORTED;
        v = str(buf, p + 4, n - 1);
        p += 4 + n;
        break;
      }
      case 3:
        v = decodeObject(buf, p, false);
        p = pos;
        break;
      case 4:
        v = decodeObject(buf, p, true);
        p = pos;
        break;
      case 7:
        v = new OID(buf, p);
        p += 12;
        break;
      case 8:
        v = buf[p] === 1;
        p += 1;
        break;
      case 9: {
        const lo = buf.readUInt32LE(p);
        const hi = buf.readInt32LE(p + 4);
        const ms = hi * 4294967296 + lo;
        v = lastDate !== null && lastDate.getTime() === ms ? lastDate : (lastDate = new Date(ms));
        p += 8;
        break;
      }
      case 10:
        v = null;
        break;
      case 16:
        v = buf.readInt32LE(p);
        p += 4;
        break;
      case 18: {
        const lo = buf.readUInt32LE(p);
        const hi = buf.readInt32LE(p + 4);
        const n = hi * 4294967296 + lo;
        if (n > Number.MAX_SAFE_INTEGER || n < Number.MIN_SAFE_INTEGER) throw UNSUPPORTED;
        v = n;
        p += 8;
        break;
      }
      default:
        throw UNSUPPORTED;
    }
    vals[n++] = v;
  }
  if (p !== end) throw UNSUPPORTED;
  pos = end + 1;
  depth = d;
  if (asArray) return vals.slice(0, n);
  const make = maker(node);
  if (make) return make(vals); // reads exactly the shape's n values
  const o: Document = {};
  for (let i = 0; i < n; i++) o[keys[i]] = vals[i];
  return o;
}

/** Decodes the BSON document of `len` bytes at `start` (see the file comment for what is decoded here). */
export function decodeDocument(buf: Buffer, start = 0, len = buf.readInt32LE(start), fallback: DeserializeOptions = DESER): Document {
  if (buf.readInt32LE(start) === len) {
    depth = 0; // a failed decode leaves it anywhere
    lastDate = null;
    try {
      const d = decodeObject(buf, start, false) as Document;
      if (pos === start + len) return d;
    } catch (e) {
      if (!(e instanceof Unsupported) && !(e instanceof RangeError)) throw e;
    }
  }
  return BSON.deserialize(buf.subarray(start, start + len), fallback);
}
