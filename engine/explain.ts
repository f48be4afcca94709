/**
 * `explain` for find, aggregate, count, distinct, update, delete and findAndModify, in the shape of mongod 7.0's classic
 * engine (explainVersion "1"). The winning plan is the engine's real planner choice (planner.ts): IXSCAN (+ FETCH when
 * documents are read), COLLSCAN, SORT (in-memory sort), SKIP, LIMIT, PROJECTION_*, COUNT/COUNT_SCAN, UPDATE/DELETE.
 * executionStats come from running the query (never the write): nReturned, totalKeysExamined, totalDocsExamined,
 * executionTimeMillis.
 */
import { createHash } from 'node:crypto';
import type { Document } from 'bson';
import { performance } from 'node:perf_hooks';
import { flattenAnd, type Collation, type Collection } from './collection.js';
import type { Engine } from './engine.js';
import { Codes, ServerError } from './errors.js';
import { pipelinePrefix, type Plan } from './planner.js';
import { SERVER_VERSION } from './stats.js';
import { findAsPipeline, isView, resolveView } from './views.js';
import { isPlainObject, normalizeNumbers, RankBound } from './values.js';

type Verbosity = 'queryPlanner' | 'executionStats' | 'allPlansExecution';

const SERVER_PARAMETERS = {
  internalQueryFacetBufferSizeBytes: 104857600,
  internalQueryFacetMaxOutputDocSizeBytes: 104857600,
  internalLookupStageIntermediateDocumentMaxSizeBytes: 104857600,
  internalDocumentSourceGroupMaxMemoryBytes: 104857600,
  internalQueryMaxBlockingSortMemoryUsageBytes: 104857600,
  internalQueryProhibitBlockingMergeOnMongoS: 0,
  internalQueryMaxAddToSetBytes: 104857600,
  internalDocumentSourceSetWindowFieldsMaxMemoryBytes: 104857600,
  internalQueryFrameworkControl: 'trySbeRestricted',
};

export function parseVerbosity(v: unknown): Verbosity {
  if (v === undefined) return 'allPlansExecution';
  if (v === 'queryPlanner' || v === 'executionStats' || v === 'allPlansExecution') return v;
  throw new ServerError(Codes.FailedToParse, `verbosity string must be one of {'queryPlanner', 'executionStats', 'allPlansExecution'}`);
}

// ---- plan rendering ----

function fmt(v: unknown): string {
  if (v instanceof RankBound) return v.end ? (v.rank >= 100 ? 'MaxKey' : 'MaxKey') : 'MinKey';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(v);
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (typeof v === 'boolean') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function indexBounds(plan: Plan): Document {
  const ix = plan.index!;
  const out: Document = {};
  ix.fields.forEach((f, i) => {
    const seen = new Set<string>();
    const list: string[] = [];
    for (const r of plan.ranges) {
      let s: string;
      if (i < r.start.length) {
        const lo = r.start[i];
        const hi = r.end[i];
        const last = i === r.start.length - 1;
        s = `${last && r.startStrict ? '(' : '['}${fmt(lo)}, ${fmt(hi)}${last && r.endStrict ? ')' : ']'}`;
      } else s = (ix.dirs[i] > 0) === (plan.sortedBy !== 'reverse') ? '[MinKey, MaxKey]' : '[MaxKey, MinKey]';
      if (!seen.has(s)) {
        seen.add(s);
        list.push(s);
      }
    }
    out[f] = list.length ? list : ['[MinKey, MaxKey]'];
  });
  return out;
}

function ixscan(plan: Plan, stage = 'IXSCAN'): Document {
  const ix = plan.index!;
  const multiKeyPaths: Document = {};
  ix.fields.forEach((f, i) => (multiKeyPaths[f] = ix.multikeyFields.has(i) ? [f] : []));
  return {
    stage,
    keyPattern: ix.spec.key,
    indexName: ix.name,
    isMultiKey: ix.multikey,
    multiKeyPaths,
    isUnique: ix.unique,
    isSparse: ix.sparse,
    isPartial: !!ix.partial,
    indexVersion: 2,
    direction: plan.sortedBy === 'reverse' ? 'backward' : 'forward',
    indexBounds: indexBounds(plan),
  };
}

/** mongod's parsedQuery: every predicate as an operator ({a: 1} -> {a: {$eq: 1}}), several under $and. */
function parsedQuery(filter: Document): Document {
  const parts: Document[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (k.startsWith('$')) parts.push({ [k]: v });
    else if (isPlainObject(v) && Object.keys(v).some((o) => o.startsWith('$'))) for (const [op, x] of Object.entries(v)) parts.push({ [k]: { [op]: x } });
    else parts.push({ [k]: { $eq: v } });
  }
  if (parts.length === 0) return {};
  if (parts.length === 1) return parts[0];
  return { $and: parts };
}

function residualFilter(filter: Document, plan: Plan): Document | null {
  if (plan.covered) return null;
  const rest: Document = {};
  for (const k of Object.keys(filter)) if (!plan.exactFields.includes(k)) rest[k] = filter[k];
  return Object.keys(rest).length ? parsedQuery(rest) : null;
}

function accessStage(c: Collection | undefined, plan: Plan | null, filter: Document): Document {
  if (!c || !plan) return { stage: 'EOF' };
  if (!plan.index) {
    const s: Document = { stage: 'COLLSCAN' };
    if (Object.keys(filter).length) s.filter = parsedQuery(filter);
    s.direction = 'forward';
    return s;
  }
  const fetch: Document = { stage: 'FETCH' };
  const rf = residualFilter(filter, plan);
  if (rf) fetch.filter = rf;
  fetch.inputStage = ixscan(plan);
  return fetch;
}

function projectionStage(projection: Document): string {
  const vals = Object.entries(projection);
  const simple = vals.every(([k, v]) => !k.includes('.') && (v === 1 || v === true || v === 0 || v === false));
  return simple ? 'PROJECTION_SIMPLE' : 'PROJECTION_DEFAULT';
}

interface QueryShape {
  filter: Document;
  sort: Document | null;
  skip: number;
  limit: number;
  projection: Document | null;
  collation?: Collation | null;
}

function findTree(c: Collection | undefined, plan: Plan | null, q: QueryShape): Document {
  let tree = accessStage(c, plan, q.filter);
  if (tree.stage === 'EOF') return tree;
  const memSort = !!q.sort && plan!.sortedBy === 'none';
  if (memSort) {
    const s: Document = { stage: 'SORT', sortPattern: q.sort, memLimit: 104857600 };
    if (q.limit) s.limitAmount = q.limit + q.skip;
    s.type = 'simple';
    s.inputStage = tree;
    tree = s;
  }
  if (q.skip) tree = { stage: 'SKIP', skipAmount: q.skip, inputStage: tree };
  if (q.limit && !memSort) tree = { stage: 'LIMIT', limitAmount: q.limit, inputStage: tree };
  if (q.projection) tree = { stage: projectionStage(q.projection), transformBy: q.projection, inputStage: tree };
  return tree;
}

/** Adds execution counters to a plan tree (bottom-up). */
function withStats(tree: Document, ex: { keys: number; docs: number; returned: number; ms: number; seeks: number }): Document {
  const common = (n: number, works: number) => ({
    nReturned: n,
    executionTimeMillisEstimate: Math.round(ex.ms),
    works,
    advanced: n,
    needTime: Math.max(0, works - n - 1),
    needYield: 0,
    saveState: 0,
    restoreState: 0,
    isEOF: 1,
  });
  const walk = (t: Document): Document => {
    const { inputStage, ...rest } = t;
    const child = inputStage ? walk(inputStage) : undefined;
    let n = ex.returned;
    let works = ex.returned + 1;
    const out: Document = { ...rest };
    switch (t.stage) {
      case 'IXSCAN':
      case 'COUNT_SCAN':
      case 'DISTINCT_SCAN':
        n = t.stage === 'IXSCAN' ? ex.keys : ex.keys;
        works = ex.keys + 1;
        Object.assign(out, common(n, works), { keyPattern: t.keyPattern, indexName: t.indexName, keysExamined: ex.keys, seeks: ex.seeks, dupsTested: t.isMultiKey ? ex.keys : 0, dupsDropped: 0 });
        return reorder(out, rest);
      case 'COLLSCAN':
        n = ex.docs;
        works = ex.docs + 1;
        Object.assign(out, common(Math.min(n, Math.max(ex.returned, 0)), works), { docsExamined: ex.docs });
        return reorder(out, rest);
      case 'FETCH':
        Object.assign(out, common(ex.returned, ex.keys + 1), { docsExamined: ex.docs, alreadyHasObj: 0 });
        break;
      case 'SORT':
        Object.assign(out, common(ex.returned, (child?.works ?? 0) + ex.returned + 1), { totalDataSizeSorted: 0, usedDisk: false, spills: 0 });
        break;
      case 'EOF':
        Object.assign(out, common(0, 1));
        break;
      default:
        Object.assign(out, common(t.stage === 'COUNT' || t.stage === 'UPDATE' || t.stage === 'DELETE' ? 0 : ex.returned, (child?.works ?? 0) + 1));
    }
    if (child) out.inputStage = child;
    return out;
  };
  return walk(tree);
}

function reorder(out: Document, planFields: Document): Document {
  // stage first, as mongod prints it
  return { stage: out.stage, ...out, ...Object.fromEntries(Object.entries(planFields).filter(([k]) => k !== 'stage')) };
}

function queryHash(ns: string, shape: unknown): string {
  return createHash('sha256').update(ns + JSON.stringify(shape)).digest('hex').slice(0, 8).toUpperCase();
}

function queryShapeOf(filter: Document): unknown {
  const s: Document = {};
  for (const [k, v] of Object.entries(filter)) s[k] = isPlainObject(v) ? Object.keys(v) : typeof v;
  return s;
}

export class Explainer {
  constructor(private readonly engine: Engine) {}

  run(cmd: Document, db: string): Document {
    const inner = cmd.explain;
    if (!isPlainObject(inner)) throw new ServerError(Codes.TypeMismatch, "BSON field 'explain.explain' is the wrong type, expected type 'object'");
    const verbosity = parseVerbosity(cmd.verbosity);
    const name = Object.keys(inner)[0]?.toLowerCase();
    const innerDb = typeof inner.$db === 'string' ? inner.$db : db;
    let body: Document;
    switch (name) {
      case 'find':
        body = this.find(inner, innerDb, verbosity);
        break;
      case 'aggregate':
        body = this.aggregate(inner, innerDb, verbosity);
        break;
      case 'count':
        body = this.count(inner, innerDb, verbosity);
        break;
      case 'distinct':
        body = this.distinct(inner, innerDb, verbosity);
        break;
      case 'update':
        body = this.update(inner, innerDb, verbosity);
        break;
      case 'delete':
        body = this.remove(inner, innerDb, verbosity);
        break;
      case 'findandmodify':
        body = this.findAndModify(inner, innerDb, verbosity);
        break;
      default:
        throw new ServerError(Codes.CommandNotFound, `Explain failed due to unknown command: ${Object.keys(inner)[0]}`);
    }
    const { lsid: _l, $clusterTime: _c, $readPreference: _r, ...command } = inner;
    void _l;
    void _c;
    void _r;
    return { ...body, command: { ...command, $db: innerDb }, serverInfo: this.serverInfo(), serverParameters: { ...SERVER_PARAMETERS }, ok: 1 };
  }

  private serverInfo(): Document {
    const host = this.engine.hostName();
    return { host: host.split(':')[0], port: this.engine.info.port, version: SERVER_VERSION, gitVersion: 'live-leads-embedded' };
  }

  /** queryPlanner + executionStats of one query over a collection. */
  private explainQuery(db: string, name: string, q: QueryShape, verbosity: Verbosity, wrap?: (t: Document) => Document, exec?: (c: Collection) => { returned: number }): Document {
    const c = this.engine.coll(db, name);
    const filter = flattenAnd(normalizeNumbers(q.filter));
    const plan = c ? c.plan(filter, q.sort, q.collation) : null;
    let tree = findTree(c, plan, { ...q, filter });
    if (wrap) tree = wrap(tree);
    const ns = `${db}.${name}`;
    const qp: Document = {
      namespace: ns,
      indexFilterSet: false,
      parsedQuery: parsedQuery(filter),
      queryHash: queryHash(ns, queryShapeOf(filter)),
      planCacheKey: queryHash(ns + '#key', queryShapeOf(filter)),
      maxIndexedOrSolutionsReached: false,
      maxIndexedAndSolutionsReached: false,
      maxScansToExplodeReached: false,
      winningPlan: tree,
      rejectedPlans: [],
    };
    const out: Document = { explainVersion: '1', queryPlanner: qp };
    if (verbosity === 'queryPlanner') return out;
    let returned = 0;
    let keys = 0;
    let docs = 0;
    const t0 = performance.now();
    if (c) {
      returned = exec ? exec(c).returned : c.find(filter, { sort: q.sort, skip: q.skip, limit: q.limit, collation: q.collation }).length;
      const examined = c.lastExamined;
      if (plan?.index) {
        keys = examined;
        docs = tree.stage === 'COUNT' && tree.inputStage?.stage === 'COUNT_SCAN' ? 0 : examined;
      } else docs = examined;
    }
    const ms = performance.now() - t0;
    const stats: Document = {
      executionSuccess: true,
      nReturned: returned,
      executionTimeMillis: Math.round(ms),
      totalKeysExamined: keys,
      totalDocsExamined: docs,
      executionStages: withStats(tree, { keys, docs, returned, ms, seeks: plan?.ranges.length ? plan.ranges.length : 1 }),
    };
    if (verbosity === 'allPlansExecution') stats.allPlansExecution = [];
    out.executionStats = stats;
    return out;
  }

  private find(cmd: Document, db: string, verbosity: Verbosity): Document {
    const name = String(cmd.find);
    const c = this.engine.coll(db, name);
    if (isView(c)) return this.aggregate({ aggregate: name, pipeline: findAsPipeline(cmd), cursor: {} }, db, verbosity);
    const limit = typeof cmd.limit === 'number' ? Math.abs(cmd.limit) : 0;
    const projection = isPlainObject(cmd.projection) && Object.keys(cmd.projection).length ? cmd.projection : null;
    const q: QueryShape = {
      filter: isPlainObject(cmd.filter) ? cmd.filter : {},
      sort: isPlainObject(cmd.sort) && Object.keys(cmd.sort).length ? cmd.sort : null,
      skip: typeof cmd.skip === 'number' ? cmd.skip : 0,
      limit,
      projection,
      collation: cmd.collation,
    };
    return this.explainQuery(db, name, q, verbosity);
  }

  private count(cmd: Document, db: string, verbosity: Verbosity): Document {
    const name = String(cmd.count);
    const c = this.engine.coll(db, name);
    if (isView(c)) {
      const p = findAsPipeline({ filter: cmd.query, skip: cmd.skip, limit: cmd.limit });
      return this.aggregate({ aggregate: name, pipeline: [...p, { $count: 'count' }], cursor: {} }, db, verbosity);
    }
    const filter = isPlainObject(cmd.query) ? cmd.query : {};
    const q: QueryShape = { filter, sort: null, skip: 0, limit: 0, projection: null, collation: cmd.collation };
    const opts = { skip: cmd.skip, limit: Math.abs(cmd.limit ?? 0), collation: cmd.collation };
    if (c && Object.keys(filter).length === 0) {
      const out = this.explainQuery(db, name, q, verbosity, () => ({ stage: 'RECORD_STORE_FAST_COUNT' }), (cc) => {
        cc.count({}, opts);
        return { returned: 0 };
      });
      return out;
    }
    return this.explainQuery(
      db,
      name,
      q,
      verbosity,
      (t) => {
        if (t.stage === 'FETCH' && !t.filter && t.inputStage?.stage === 'IXSCAN') {
          const { stage: _s, direction: _d, ...scan } = t.inputStage;
          void _s;
          void _d;
          return { stage: 'COUNT', inputStage: { stage: 'COUNT_SCAN', ...scan } };
        }
        return t.stage === 'EOF' ? t : { stage: 'COUNT', inputStage: t };
      },
      (cc) => {
        cc.count(normalizeNumbers(filter), opts);
        return { returned: 0 };
      },
    );
  }

  private distinct(cmd: Document, db: string, verbosity: Verbosity): Document {
    const name = String(cmd.distinct);
    const c = this.engine.coll(db, name);
    if (isView(c))
      return this.aggregate(
        { aggregate: name, pipeline: [...findAsPipeline({ filter: cmd.query }), { $group: { _id: null, distinct: { $addToSet: `$${cmd.key}` } } }], cursor: {} },
        db,
        verbosity,
      );
    const q: QueryShape = { filter: isPlainObject(cmd.query) ? cmd.query : {}, sort: null, skip: 0, limit: 0, projection: null, collation: cmd.collation };
    return this.explainQuery(db, name, q, verbosity, (t) => (t.stage === 'EOF' ? t : { stage: 'PROJECTION_DEFAULT', transformBy: { _id: 0, [String(cmd.key)]: 1 }, inputStage: t }));
  }

  private writeExplain(db: string, name: string, filter: unknown, sort: unknown, multi: boolean, collation: Collation | undefined, stage: 'UPDATE' | 'DELETE', verbosity: Verbosity, upsert = false): Document {
    const c = this.engine.coll(db, name);
    if (isView(c)) throw new ServerError(Codes.CommandNotSupportedOnView, `Namespace ${db}.${name} is a view, not a collection`);
    const q: QueryShape = {
      filter: isPlainObject(filter) ? filter : {},
      sort: isPlainObject(sort) && Object.keys(sort).length ? sort : null,
      skip: 0,
      limit: multi ? 0 : 1,
      projection: null,
      collation,
    };
    let matched = 0;
    const out = this.explainQuery(
      db,
      name,
      q,
      verbosity,
      (t) => {
        // the write stage reads its input until done (multi) or after one document: no LIMIT stage
        const input = t.stage === 'LIMIT' ? t.inputStage : t;
        return { stage, inputStage: input };
      },
      (cc) => {
        matched = cc.find(flattenAnd(normalizeNumbers(q.filter)), { sort: q.sort, limit: q.limit, collation }).length;
        return { returned: 0 };
      },
    );
    if (out.executionStats) {
      const es = out.executionStats.executionStages;
      if (stage === 'UPDATE') Object.assign(es, { nMatched: matched, nWouldModify: matched, nWouldUpsert: upsert && !matched ? 1 : 0 });
      else es.nWouldDelete = matched;
    }
    return out;
  }

  private update(cmd: Document, db: string, verbosity: Verbosity): Document {
    const st = Array.isArray(cmd.updates) ? (cmd.updates[0] as Document) : undefined;
    if (!st || cmd.updates.length !== 1) throw new ServerError(16, 'explained write batches must be of size 1');
    return this.writeExplain(db, String(cmd.update), st.q, st.sort, !!st.multi, st.collation, 'UPDATE', verbosity, !!st.upsert);
  }

  private remove(cmd: Document, db: string, verbosity: Verbosity): Document {
    const st = Array.isArray(cmd.deletes) ? (cmd.deletes[0] as Document) : undefined;
    if (!st || cmd.deletes.length !== 1) throw new ServerError(16, 'explained write batches must be of size 1');
    return this.writeExplain(db, String(cmd.delete), st.q, null, st.limit !== 1, st.collation, 'DELETE', verbosity);
  }

  private findAndModify(cmd: Document, db: string, verbosity: Verbosity): Document {
    const name = String(cmd.findAndModify ?? cmd.findandmodify);
    return this.writeExplain(db, name, cmd.query, cmd.sort, false, cmd.collation, cmd.remove ? 'DELETE' : 'UPDATE', verbosity, !!cmd.upsert);
  }

  /**
   * Aggregate: when the pipeline is only what the query layer absorbs (leading $match, then $sort/$skip/$limit), the
   * reply is the find shape; otherwise `stages` with a `$cursor` stage (the query) followed by the remaining stages.
   */
  aggregate(cmd: Document, db: string, verbosity: Verbosity): Document {
    if (!Array.isArray(cmd.pipeline)) throw new ServerError(Codes.TypeMismatch, "'pipeline' option must be specified as an array");
    if (cmd.aggregate === 1) {
      const stages = (cmd.pipeline as Document[]).map((st) => ({ ...st }));
      return { explainVersion: '1', stages, ...(verbosity !== 'queryPlanner' ? {} : {}) };
    }
    let name = String(cmd.aggregate);
    let pipeline = normalizeNumbers(cmd.pipeline as Document[]);
    const c0 = this.engine.coll(db, name);
    if (isView(c0)) {
      const v = resolveView((n) => this.engine.coll(db, n), db, name);
      name = v.source;
      pipeline = [...v.pipeline, ...pipeline];
    }
    const { filter, sort, skip, limit, rest } = pipelinePrefix(pipeline);
    const q: QueryShape = { filter, sort, skip, limit, projection: null, collation: cmd.collation };
    const query = this.explainQuery(db, name, q, verbosity);
    if (!rest.length) return query;
    const { explainVersion, ...cursorPart } = query;
    let finalCount: number | undefined;
    if (verbosity !== 'queryPlanner') {
      const noOut = rest.filter((st) => !('$out' in st) && !('$merge' in st));
      finalCount = this.engine.pipelineDocs({ ...cmd, aggregate: cmd.aggregate, pipeline: [...pipeline.slice(0, pipeline.length - rest.length), ...noOut], explain: undefined, cursor: {} }, db).length;
    }
    const stages: Document[] = [{ $cursor: cursorPart }];
    rest.forEach((st, k) => {
      const s: Document = { ...st };
      if (finalCount !== undefined) {
        s.nReturned = k === rest.length - 1 ? finalCount : finalCount;
        s.executionTimeMillisEstimate = 0;
      }
      stages.push(s);
    });
    return { explainVersion, stages };
  }
}
