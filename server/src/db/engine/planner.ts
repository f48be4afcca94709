/**
 * Query planning: picks an index whose leading fields are bound by equality (or $in) predicates, optionally followed by a
 * range on the next field, and notices when the index order also satisfies the requested sort so the executor can walk
 * entries in order and stop after skip+limit. Every candidate is still checked against the full filter unless the plan
 * proves the bounds express the whole filter exactly ("covered", used to count without reading documents).
 */
import type { Document } from 'bson';
import type { Index, KeyRange } from './indexes.js';
import { isPlainObject, keyString, RankBound, typeRank } from './values.js';

interface FieldConstraint {
  points?: unknown[];
  lo?: unknown;
  loInc?: boolean;
  hi?: unknown;
  hiInc?: boolean;
}

interface Extracted {
  fields: Map<string, FieldConstraint>;
  /** Parts of the filter not expressed by `fields` (other operators, $or, regexes...). */
  residual: boolean;
}

function pointable(v: unknown): boolean {
  if (v === undefined || Array.isArray(v) || v instanceof RegExp) return false;
  if ((v as { _bsontype?: string })?._bsontype === 'BSONRegExp') return false;
  if (isPlainObject(v)) return !Object.keys(v).some((k) => k.startsWith('$'));
  return true;
}

function rangeable(v: unknown): boolean {
  const r = typeRank(v);
  return r === 3 || r === 4 || r === 8 || r === 9 || r === 10;
}

/** Extracts per-field equality / range constraints from the top level of a filter (and its top-level $and). */
export function extractConstraints(filter: Document, stringsUsable: boolean): Extracted {
  const out: Extracted = { fields: new Map(), residual: false };
  const visit = (f: Document) => {
    for (const [key, v] of Object.entries(f)) {
      if (key.startsWith('$')) {
        if (key === '$and' && Array.isArray(v)) for (const sub of v) isPlainObject(sub) ? visit(sub) : (out.residual = true);
        else if (key !== '$comment') out.residual = true;
        continue;
      }
      const usable = (x: unknown) => stringsUsable || typeRank(x) !== 4;
      const add = (c: FieldConstraint) => {
        if (out.fields.has(key)) {
          out.residual = true;
          return;
        }
        out.fields.set(key, c);
      };
      if (isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) {
        const c: FieldConstraint = {};
        let used = false;
        for (const [op, x] of Object.entries(v)) {
          if (op === '$eq' && pointable(x) && usable(x) && !c.points) {
            c.points = [x];
            used = true;
          } else if (op === '$in' && Array.isArray(x) && x.length > 0 && x.every((e) => pointable(e) && usable(e)) && !c.points) {
            const seen = new Set<string>();
            c.points = x.filter((e) => {
              const ks = keyString(e);
              if (seen.has(ks)) return false;
              seen.add(ks);
              return true;
            });
            used = true;
          } else if ((op === '$gt' || op === '$gte') && rangeable(x) && usable(x) && c.lo === undefined) {
            c.lo = x;
            c.loInc = op === '$gte';
            used = true;
          } else if ((op === '$lt' || op === '$lte') && rangeable(x) && usable(x) && c.hi === undefined) {
            c.hi = x;
            c.hiInc = op === '$lte';
            used = true;
          } else out.residual = true;
        }
        if (c.points && (c.lo !== undefined || c.hi !== undefined)) {
          // keep the points, let the filter check the range
          delete c.lo;
          delete c.hi;
          out.residual = true;
        }
        if (c.lo !== undefined && c.hi !== undefined && typeRank(c.lo) !== typeRank(c.hi)) {
          delete c.hi;
          out.residual = true;
        }
        if (used) add(c);
      } else if (pointable(v) && usable(v)) add({ points: [v] });
      else out.residual = true;
    }
  };
  visit(filter);
  return out;
}

export interface Plan {
  index: Index | null;
  ranges: KeyRange[];
  /** Index order equals the requested sort (walk forward) or its reverse. */
  sortedBy: 'none' | 'forward' | 'reverse';
  /** The ranges express the whole filter: matches are exactly the entries in range (non-multikey index). */
  covered: boolean;
  /** Number of fields bound (for tests/diagnostics). */
  boundFields: number;
}

const MAX_COMBINATIONS = 256;

export function planQuery(indexes: Index[], filter: Document, sort: Document | null, stringsUsable: boolean): Plan {
  const ex = extractConstraints(filter, stringsUsable);
  const sortEntries = sort ? Object.entries(sort).map(([f, d]) => [f, Number(d) < 0 ? -1 : 1] as [string, number]) : [];
  // Sort fields pinned to one value by the filter do not affect the order.
  const remainingSort = sortEntries.filter(([f]) => {
    const c = ex.fields.get(f);
    return !(c?.points && c.points.length === 1);
  });
  let best: Plan = { index: null, ranges: [], sortedBy: 'none', covered: false, boundFields: 0 };
  let bestScore = 0;
  for (const idx of indexes) {
    if (idx.partial && !partialImplied(idx, ex)) continue;
    if (idx.sparse && !sparseSafe(idx, ex)) continue;
    const pointLists: unknown[][] = [];
    let combos = 1;
    let i = 0;
    for (; i < idx.fields.length; i++) {
      const c = ex.fields.get(idx.fields[i]);
      if (!c?.points) break;
      if (combos * c.points.length > MAX_COMBINATIONS) break;
      combos *= c.points.length;
      pointLists.push(c.points);
    }
    const eqLen = i;
    const rc = eqLen < idx.fields.length ? ex.fields.get(idx.fields[eqLen]) : undefined;
    const useRange = !!rc && !rc.points && (rc.lo !== undefined || rc.hi !== undefined) && !(idx.multikey && rc.lo !== undefined && rc.hi !== undefined);
    // Does the index order give the sort?
    let sortedBy: Plan['sortedBy'] = 'none';
    if (sortEntries.length && !idx.multikey && combos === 1) {
      let sign = 0;
      let ok = true;
      for (let s = 0; s < remainingSort.length; s++) {
        const pos = eqLen + s;
        if (pos >= idx.fields.length || idx.fields[pos] !== remainingSort[s][0]) {
          ok = false;
          break;
        }
        const sg = idx.dirs[pos] * remainingSort[s][1];
        if (sign === 0) sign = sg;
        else if (sign !== sg) {
          ok = false;
          break;
        }
      }
      // a pinned sort field that sits after the walked part would still be fine; remainingSort must be a prefix of the rest
      if (ok) sortedBy = sign < 0 ? 'reverse' : 'forward';
    }
    const bound = eqLen + (useRange ? 1 : 0);
    if (bound === 0 && sortedBy === 'none') continue;
    const score = bound * 10 + (sortedBy !== 'none' ? 5 : 0) - idx.fields.length * 0.01 + (idx.unique && bound === idx.fields.length ? 3 : 0);
    if (score <= bestScore) continue;
    // Build the ranges.
    let prefixes: unknown[][] = [[]];
    for (const pl of pointLists) prefixes = prefixes.flatMap((p) => pl.map((v) => [...p, v]));
    const ranges: KeyRange[] = prefixes.map((p) => {
      const start = [...p];
      const end = [...p];
      let startStrict = false;
      let endStrict = false;
      if (useRange && rc) {
        const f = eqLen;
        const loRank = typeRank(rc.lo !== undefined ? rc.lo : rc.hi);
        const lo = rc.lo !== undefined ? rc.lo : new RankBound(loRank, false);
        const hi = rc.hi !== undefined ? rc.hi : new RankBound(loRank, true);
        const loInc = rc.lo !== undefined ? !!rc.loInc : true;
        const hiInc = rc.hi !== undefined ? !!rc.hiInc : true;
        if (idx.dirs[f] > 0) {
          start.push(lo);
          end.push(hi);
          startStrict = !loInc;
          endStrict = !hiInc;
        } else {
          start.push(hi);
          end.push(lo);
          startStrict = !hiInc;
          endStrict = !loInc;
        }
      }
      return { start, startStrict, end, endStrict };
    });
    const consumed = new Set(idx.fields.slice(0, bound));
    const covered =
      !ex.residual && !idx.multikey && [...ex.fields.keys()].every((f) => consumed.has(f)) && idx.fields.slice(0, bound).every((f) => consumed.has(f));
    best = { index: idx, ranges, sortedBy, covered, boundFields: bound };
    bestScore = score;
  }
  return best;
}

/** A partial index may serve a query only when the query pins every field of the partial filter to a value that passes it. */
function partialImplied(idx: Index, ex: Extracted): boolean {
  const pfe = idx.spec.partialFilterExpression ?? {};
  const doc: Document = {};
  for (const key of Object.keys(pfe)) {
    if (key.startsWith('$')) return false;
    const c = ex.fields.get(key);
    if (!c?.points || c.points.length !== 1) return false;
    let cur = doc;
    const parts = key.split('.');
    for (let i = 0; i < parts.length - 1; i++) cur = (cur[parts[i]] ??= {}) as Document;
    cur[parts[parts.length - 1]] = c.points[0];
  }
  return idx.partial!.test(doc);
}

/** A sparse index lacks documents missing all its fields: usable when the query requires one of them to be non-null. */
function sparseSafe(idx: Index, ex: Extracted): boolean {
  return idx.fields.some((f) => {
    const c = ex.fields.get(f);
    if (!c) return false;
    if (c.points) return c.points.every((p) => p !== null);
    return true;
  });
}
