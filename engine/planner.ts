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
  /** A case-insensitive string equality expressed as a range (see caseRange). */
  caseFold?: boolean;
}

interface Extracted {
  fields: Map<string, FieldConstraint>;
  /** Parts of the filter not expressed by `fields` (other operators, $or, regexes...). */
  residual: boolean;
  /** Top-level fields whose whole predicate is the constraint in `fields` (bounds on them need no per-document check). */
  exact: Set<string>;
}

/**
 * The tenant key of the product's collections. When a filter pins it and an index starting with it can serve the
 * query, candidates come only from indexes that bind it (or from a unique point lookup: at most one document per
 * value), so a query scoped to one organisation never scans another organisation's documents.
 */
export const TENANT_FIELD = 'orgId';

/** JS case-insensitive regexes (no `u` flag) match an ASCII-only string only with ASCII case variants of it. */
const ASCII = /^[\x00-\x7f]*$/;
const MAX_CASE_LETTERS = 8;

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
export function extractConstraints(filter: Document, stringsUsable: boolean, caseFold = true): Extracted {
  const out: Extracted = { fields: new Map(), residual: false, exact: new Set() };
  const ors: Document[][] = [];
  const seenKeys = new Set<string>();
  const visit = (f: Document, top: boolean) => {
    for (const [key, v] of Object.entries(f)) {
      if (key.startsWith('$')) {
        if (key === '$and' && Array.isArray(v)) for (const sub of v) isPlainObject(sub) ? visit(sub, false) : (out.residual = true);
        else if (key === '$or' && Array.isArray(v) && v.length > 0 && v.every(isPlainObject)) {
          ors.push(v as Document[]);
          out.residual = true;
        } else if (key !== '$comment') out.residual = true;
        continue;
      }
      const dup = seenKeys.has(key);
      seenKeys.add(key);
      if (dup) out.exact.delete(key);
      const residualBefore = out.residual;
      out.residual = false;
      const usable = (x: unknown) => stringsUsable || typeRank(x) !== 4;
      let added = false;
      const add = (c: FieldConstraint) => {
        if (out.fields.has(key)) {
          out.residual = true;
          return;
        }
        out.fields.set(key, c);
        added = true;
      };
      // Under a case-insensitive collation a string equality still binds the index: an ASCII string matches exactly its
      // ASCII case variants (up to 2^8 of them; each is a point, and the filter is still checked per document).
      const caseRange = (x: unknown): FieldConstraint | null => {
        if (stringsUsable || !caseFold || typeof x !== 'string' || !ASCII.test(x)) return null;
        const cased = x.replace(/[^A-Za-z]/g, '').length;
        if (cased > MAX_CASE_LETTERS) return null;
        let points = [''];
        for (const ch of x) {
          const lo = ch.toLowerCase();
          const up = ch.toUpperCase();
          points = lo === up ? points.map((p) => p + ch) : points.flatMap((p) => [p + up, p + lo]);
        }
        return { points, caseFold: true };
      };
      if (isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'))) {
        const c: FieldConstraint = {};
        let used = false;
        for (const [op, x] of Object.entries(v)) {
          const cr = op === '$eq' && Object.keys(v).length === 1 ? caseRange(x) : null;
          if (cr) {
            Object.assign(c, cr);
            used = true;
            out.residual = true;
          } else if (op === '$eq' && pointable(x) && usable(x) && !c.points) {
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
      else {
        const cr = caseRange(v);
        if (cr) add(cr);
        out.residual = true;
      }
      if (top && added && !out.residual && !dup) out.exact.add(key);
      out.residual ||= residualBefore;
    }
  };
  visit(filter, true);
  // A field pinned to values in every branch of an $or is pinned to their union ({$or: [{orgId: 'A', x: 1}, {orgId: 'A', y: 2}]}).
  for (const branches of ors) {
    const subs = branches.map((b) => extractConstraints(b, stringsUsable, caseFold));
    for (const [field, c0] of subs[0].fields) {
      if (out.fields.has(field) || !c0.points) continue;
      if (!subs.every((x) => x.fields.get(field)?.points)) continue;
      const seen = new Set<string>();
      const points: unknown[] = [];
      for (const x of subs)
        for (const p of x.fields.get(field)!.points!) {
          const ks = keyString(p);
          if (!seen.has(ks)) {
            seen.add(ks);
            points.push(p);
          }
        }
      out.fields.set(field, { points });
    }
  }
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
  /** Top-level filter fields that the ranges guarantee for every entry (their predicates need no per-document check). */
  exactFields: string[];
}

const MAX_COMBINATIONS = 256;

/** `caseFold` = false: a collation whose string equality is not just ASCII case folding (strength 1 ignores accents). */
export function planQuery(indexes: Index[], filter: Document, sort: Document | null, stringsUsable: boolean, caseFold = true): Plan {
  const ex = extractConstraints(filter, stringsUsable, caseFold);
  const sortEntries = sort ? Object.entries(sort).map(([f, d]) => [f, Number(d) < 0 ? -1 : 1] as [string, number]) : [];
  // Sort fields pinned to one value by the filter do not affect the order.
  const remainingSort = sortEntries.filter(([f]) => {
    const c = ex.fields.get(f);
    return !(c?.points && c.points.length === 1);
  });
  let best: Plan = { index: null, ranges: [], sortedBy: 'none', covered: false, boundFields: 0, exactFields: [] };
  let bestScore = 0;
  /** Entries in the best plan's ranges, counted only when a tie needs them. */
  let bestCandidates: number | null = null;
  const entriesIn = (idx: Index, ranges: KeyRange[]) => {
    let n = 0;
    for (const r of ranges) n += idx.countInRange(r);
    return n;
  };
  // hidden indexes (collMod index.hidden / createIndexes hidden: true) are maintained but never planned
  const usableIndexes = indexes.filter(
    (idx) => idx.spec.hidden !== true && !(idx.partial && !partialImplied(idx, ex)) && !(idx.sparse && !sparseSafe(idx, ex)),
  );
  const tenant = ex.fields.get(TENANT_FIELD);
  const tenantScoped = !!(tenant?.points || tenant?.caseFold) && usableIndexes.some((idx) => idx.fields[0] === TENANT_FIELD);
  for (const idx of usableIndexes) {
    const pointLists: unknown[][] = [];
    let combos = 1;
    let i = 0;
    for (; i < idx.fields.length; i++) {
      const c = ex.fields.get(idx.fields[i]);
      if (!c?.points) break;
      // the leading field takes any number of values (one range each); combinations beyond it are capped
      if (i > 0 && combos * c.points.length > MAX_COMBINATIONS) break;
      combos *= c.points.length;
      pointLists.push(c.points);
    }
    const eqLen = i;
    const rc = eqLen < idx.fields.length ? ex.fields.get(idx.fields[eqLen]) : undefined;
    const useRange = !!rc && !rc.points && (rc.lo !== undefined || rc.hi !== undefined) && !(idx.multikey && rc.lo !== undefined && rc.hi !== undefined);
    if (tenantScoped) {
      const bindsTenant = idx.fields.slice(0, eqLen + (useRange ? 1 : 0)).includes(TENANT_FIELD);
      const pointLookup = idx.unique && eqLen === idx.fields.length;
      if (!bindsTenant && !pointLookup) continue;
    }
    // Does the index order give the sort?
    let sortedBy: Plan['sortedBy'] = 'none';
    // A multikey index gives order only when every multikey field is pinned to one value (mongod: multiKeyPaths).
    const orderable = !idx.multikey || [...idx.multikeyFields].every((f) => f < eqLen);
    if (sortEntries.length && orderable && combos === 1) {
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
    // Equal scores (e.g. a status index and a search-key index, both bound on two fields and in sort order): the one
    // with fewer entries in range wins, as mongod's trial run would find; otherwise the first index keeps its place.
    if (score < bestScore) continue;
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
    // On a multikey field only an equality to strings or numbers is exact (every entry in range is a document holding
    // that element); single-valued fields of a multikey index are exact as on any index.
    const exactFields = idx.fields
      .slice(0, bound)
      .filter((f, i) => ex.exact.has(f) && (!idx.multikeyFields.has(i) || !!ex.fields.get(f)?.points?.every((x) => typeof x === 'string' || typeof x === 'number')));
    let candidates: number | null = null;
    if (score === bestScore && best.index) {
      bestCandidates ??= entriesIn(best.index, best.ranges);
      candidates = entriesIn(idx, ranges);
      if (candidates >= bestCandidates) continue;
    }
    best = { index: idx, ranges, sortedBy, covered, boundFields: bound, exactFields };
    bestScore = score;
    bestCandidates = candidates;
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

/**
 * The part of an aggregation pipeline the query executor runs itself: its leading `$match` stages (merged into one
 * filter, each passed through `mapMatch` first, e.g. to bind `let` variables), then an optional `$sort`, `$skip` and
 * `$limit`; `rest` is what is left for mingo. The aggregate command and its explain split a pipeline the same way.
 */
export function pipelinePrefix(
  pipeline: Document[],
  mapMatch: (match: Document) => Document = (m) => m,
): { filter: Document; sort: Document | null; skip: number; limit: number; rest: Document[] } {
  let i = 0;
  const matches: Document[] = [];
  while (i < pipeline.length && pipeline[i].$match) matches.push(mapMatch(pipeline[i++].$match));
  const filter = matches.length === 0 ? {} : matches.length === 1 ? matches[0] : { $and: matches };
  let sort: Document | null = null;
  let skip = 0;
  let limit = 0;
  if (pipeline[i]?.$sort) sort = pipeline[i++].$sort;
  if (typeof pipeline[i]?.$skip === 'number' && (sort || i === matches.length)) skip = pipeline[i++].$skip;
  if (typeof pipeline[i]?.$limit === 'number') limit = pipeline[i++].$limit;
  return { filter, sort, skip, limit, rest: pipeline.slice(i) };
}
