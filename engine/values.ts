/**
 * BSON value helpers: MongoDB's cross-type sort order, canonical keys for hashing (unique indexes, _id lookups),
 * numeric normalisation (Long/Int32/Double wrappers -> number), deep clone that keeps BSON classes, and dotted-path reads.
 */
import { Long, type Document } from 'bson';

type BsonTyped = { _bsontype?: string };

/** Sentinel bound used by index range scans: sorts before (end=false) or after (end=true) every value of a type rank. */
export class RankBound {
  constructor(
    readonly rank: number,
    readonly end: boolean,
  ) {}
}
export const MIN_BOUND = new RankBound(0, false);
export const MAX_BOUND = new RankBound(100, true);

function bsonType(v: unknown): string | undefined {
  return (v as BsonTyped)?._bsontype;
}

/** MongoDB's comparison/sort order of BSON types. MinKey < null < numbers < strings < objects < arrays < binData < ObjectId < bool < date < timestamp < regex < MaxKey. */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return 3;
    case 'string':
      return 4;
    case 'boolean':
      return 9;
    case 'object':
      break;
    default:
      return 50;
  }
  if (Array.isArray(v)) return 6;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  if (v instanceof Uint8Array) return 7;
  switch (bsonType(v)) {
    case undefined:
      return 5;
    case 'MinKey':
      return 1;
    case 'MaxKey':
      return 13;
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    default:
      return 5;
  }
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v);
  if (t === 'Long') return (v as Long).toNumber();
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  if (t === 'Decimal128') return Number((v as { toString(): string }).toString());
  return NaN;
}

const cmp = (a: number | string, b: number | string) => (a < b ? -1 : a > b ? 1 : 0);

function cmpBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export type StringCompare = (a: string, b: string) => number;

/** Compares two BSON values the way MongoDB orders them. An optional collator is used for strings. */
export function compareValues(a: unknown, b: unknown, strCmp?: StringCompare): number {
  // fast paths for the common index key types (same results as the general code below; NaN goes the long way)
  const ta = typeof a;
  if (ta === typeof b) {
    if (ta === 'number') {
      if ((a as number) < (b as number)) return -1;
      if ((a as number) > (b as number)) return 1;
      if (a === b) return 0;
    } else if (ta === 'string' && !strCmp) return (a as string) < (b as string) ? -1 : (a as string) > (b as string) ? 1 : 0;
    else if (a instanceof Date && b instanceof Date) return cmp(a.getTime(), b.getTime());
  }
  if (a instanceof RankBound || b instanceof RankBound) {
    const ra = a instanceof RankBound ? a.rank : typeRank(a);
    const rb = b instanceof RankBound ? b.rank : typeRank(b);
    if (ra !== rb) return ra - rb;
    const ea = a instanceof RankBound ? (a.end ? 1 : -1) : 0;
    const eb = b instanceof RankBound ? (b.end ? 1 : -1) : 0;
    return ea - eb;
  }
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 2:
    case 1:
    case 13:
      return 0;
    case 3: {
      const x = typeof a === 'number' ? a : toNumber(a);
      const y = typeof b === 'number' ? b : toNumber(b);
      if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
      if (Number.isNaN(y)) return 1;
      return cmp(x, y);
    }
    case 4: {
      const x = typeof a === 'string' ? a : String((a as { value: string }).value);
      const y = typeof b === 'string' ? b : String((b as { value: string }).value);
      return strCmp ? strCmp(x, y) : cmp(x, y);
    }
    case 5: {
      const ka = Object.keys(a as object);
      const kb = Object.keys(b as object);
      const n = Math.min(ka.length, kb.length);
      for (let i = 0; i < n; i++) {
        const va = (a as Document)[ka[i]];
        const vb = (b as Document)[kb[i]];
        const tr = typeRank(va) - typeRank(vb);
        if (tr) return tr;
        const kc = cmp(ka[i], kb[i]);
        if (kc) return kc;
        const vc = compareValues(va, vb, strCmp);
        if (vc) return vc;
      }
      return ka.length - kb.length;
    }
    case 6: {
      const xa = a as unknown[];
      const xb = b as unknown[];
      const n = Math.min(xa.length, xb.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(xa[i], xb[i], strCmp);
        if (c) return c;
      }
      return xa.length - xb.length;
    }
    case 7: {
      const ba = a instanceof Uint8Array ? a : (a as { buffer: Uint8Array }).buffer;
      const bb = b instanceof Uint8Array ? b : (b as { buffer: Uint8Array }).buffer;
      if (ba.length !== bb.length) return ba.length - bb.length;
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa - sb;
      return cmpBytes(ba, bb);
    }
    case 8: {
      // js-bson 7 keeps an ObjectId as four 24-bit integers (i0..i3, big-endian order): compare without hex strings
      const x = a as { i0?: number; i1: number; i2: number; i3: number; toHexString(): string };
      const y = b as typeof x;
      if (typeof x.i0 === 'number' && typeof y.i0 === 'number') return x.i0 - y.i0 || x.i1 - y.i1 || x.i2 - y.i2 || x.i3 - y.i3;
      return cmp(x.toHexString(), y.toHexString());
    }
    case 9:
      return (a ? 1 : 0) - (b ? 1 : 0);
    case 10:
      return cmp((a as Date).getTime(), (b as Date).getTime());
    case 11:
      return (a as Long).compare(b as Long);
    case 12: {
      const sa = (a as RegExp).source ?? (a as { pattern: string }).pattern;
      const sb = (b as RegExp).source ?? (b as { pattern: string }).pattern;
      return cmp(sa, sb) || cmp(String((a as RegExp).flags ?? ''), String((b as RegExp).flags ?? ''));
    }
    default:
      return cmp(String(a), String(b));
  }
}

/** A canonical string for a value: equal (as MongoDB compares them, numbers across types) values give equal strings. */
export function keyString(v: unknown): string {
  if (v === null || v === undefined) return 'N';
  switch (typeof v) {
    case 'number':
      return 'n' + (Object.is(v, -0) ? 0 : v);
    case 'string':
      return 's' + JSON.stringify(v);
    case 'boolean':
      return v ? 'b1' : 'b0';
    case 'bigint':
      return 'n' + Number(v);
    case 'object':
      break;
    default:
      return 'u' + String(v);
  }
  if (Array.isArray(v)) return '[' + v.map(keyString).join(',') + ']';
  if (v instanceof Date) return 'd' + v.getTime();
  if (v instanceof RegExp) return 'r' + v.source + '/' + v.flags;
  const t = bsonType(v);
  switch (t) {
    case undefined: {
      let s = '{';
      for (const k of Object.keys(v as object)) s += JSON.stringify(k) + ':' + keyString((v as Document)[k]) + ',';
      return s + '}';
    }
    case 'ObjectId':
      return 'o' + (v as { toHexString(): string }).toHexString();
    case 'Long':
    case 'Int32':
    case 'Double':
    case 'Decimal128': {
      const n = toNumber(v);
      return 'n' + (Object.is(n, -0) ? 0 : n);
    }
    case 'Binary':
      return 'x' + (v as { sub_type: number }).sub_type + ':' + Buffer.from((v as { buffer: Uint8Array }).buffer).toString('base64');
    case 'Timestamp':
      return 't' + (v as Long).toString();
    case 'MinKey':
      return 'm';
    case 'MaxKey':
      return 'M';
    default:
      return 'u' + t + ':' + JSON.stringify(v);
  }
}

/** Replaces numeric wrappers (Int32, Double, Long within 2^53) by plain numbers, deeply, in place where possible; returns the value. */
export function normalizeNumbers<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = normalizeNumbers(v[i]);
    return v;
  }
  const t = bsonType(v);
  if (t === 'Int32' || t === 'Double') return (v as unknown as { value: number }).value as unknown as T;
  if (t === 'Long') {
    const l = v as unknown as Long;
    if (l.lessThanOrEqual(Long.fromNumber(Number.MAX_SAFE_INTEGER)) && l.greaterThanOrEqual(Long.fromNumber(Number.MIN_SAFE_INTEGER)))
      return l.toNumber() as unknown as T;
    return v;
  }
  if (t !== undefined || v instanceof Date || v instanceof RegExp) return v;
  const o = v as Document;
  for (const k of Object.keys(o)) {
    const x = o[k];
    if (x !== null && typeof x === 'object') o[k] = normalizeNumbers(x);
  }
  return v;
}

/** Deep clone of plain objects and arrays; BSON class instances (immutable in practice) are shared, Dates copied. */
export function cloneDeep<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(cloneDeep) as unknown as T;
  if (v instanceof Date) return new Date(v.getTime()) as unknown as T;
  if (bsonType(v) !== undefined || v instanceof RegExp || v instanceof Uint8Array) return v;
  const out: Document = {};
  for (const k of Object.keys(v as object)) out[k] = cloneDeep((v as Document)[k]);
  return out as T;
}

export function isPlainObject(v: unknown): v is Document {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Date) && !(v instanceof RegExp) && bsonType(v) === undefined && !(v instanceof Uint8Array);
}

/**
 * Every value reachable at a dotted path, expanding arrays the way index keys do (multikey).
 * Returns [] when the path is missing. Arrays at the end of the path are expanded into their elements
 * (an empty array yields `undefined`), and `expandedArray` reports whether any array was traversed.
 */
export function pathValues(doc: unknown, path: string[], out: unknown[] = [], i = 0): unknown[] {
  if (i === path.length) {
    if (Array.isArray(doc)) {
      if (doc.length === 0) out.push(undefined);
      else for (const el of doc) out.push(el);
    } else out.push(doc);
    return out;
  }
  if (Array.isArray(doc)) {
    const seg = path[i];
    if (/^\d+$/.test(seg) && Number(seg) < doc.length) pathValues(doc[Number(seg)], path, out, i + 1);
    for (const el of doc) if (isPlainObject(el)) pathValues(el, path, out, i);
    return out;
  }
  if (!isPlainObject(doc)) return out;
  const next = doc[path[i]];
  if (next === undefined) return out;
  return pathValues(next, path, out, i + 1);
}

/** Single value at a dotted path without array expansion (undefined when missing). */
export function getPath(doc: unknown, path: string): unknown {
  let cur: unknown = doc;
  for (const seg of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Document)[seg];
  }
  return cur;
}

/** Sort key of a document for one field: ascending uses the smallest element of arrays, descending the largest. Missing = null. */
export function sortKeyValue(doc: unknown, path: string[], dir: number, strCmp?: StringCompare): unknown {
  const vals = pathValues(doc, path);
  if (vals.length === 0) return null;
  let best = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const c = compareValues(vals[i], best, strCmp);
    if (dir > 0 ? c < 0 : c > 0) best = vals[i];
  }
  return best === undefined ? null : best;
}

/**
 * mingo's $type does not look inside arrays, MongoDB's does ({tags: {$type: 'string'}} matches ['a']).
 * Rewrites {f: {$type: T, ...}} into {$and: [{f: {...}}, {$or: [{f: {$type: T}}, {f: {$elemMatch: {$type: T}}}]}]}.
 */
export function fixTypeOperator(filter: Document): Document {
  let changed = false;
  const out: Document = {};
  const extra: Document[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) {
      out[k] = v.map((x) => (isPlainObject(x) ? fixTypeOperator(x) : x));
      changed = true;
    } else if (!k.startsWith('$') && isPlainObject(v) && '$type' in v) {
      const { $type, ...rest } = v;
      if (Object.keys(rest).length) out[k] = rest;
      extra.push({ $or: [{ [k]: { $type } }, { [k]: { $elemMatch: { $type } } }] });
      changed = true;
    } else out[k] = v;
  }
  if (!changed) return filter;
  if (extra.length) out.$and = [...(Array.isArray(out.$and) ? out.$and : []), ...extra];
  return out;
}
