/**
 * Update application on top of mingo's updater, with the parts mingo lacks or does differently:
 * $setOnInsert (applied only when an upsert inserts), the upsert seed document built from the filter's equalities,
 * replacement documents, pipeline updates, _id immutability and MongoDB's error codes.
 */
import { ObjectId, type Document } from 'bson';
import { Aggregator, update as mingoUpdate } from 'mingo';
import { Codes, ServerError } from './errors.js';
import { applyCollation, MINGO_OPTS, type Collation } from './collection.js';
import { checkOperands, prepareOperators } from './update-ops.js';
import { cloneDeep, fixTypeOperator, isPlainObject, keyString, normalizeNumbers } from './values.js';

const KNOWN_OPS = new Set([
  '$set',
  '$unset',
  '$inc',
  '$mul',
  '$min',
  '$max',
  '$rename',
  '$push',
  '$pull',
  '$pullAll',
  '$addToSet',
  '$pop',
  '$currentDate',
  '$bit',
  '$setOnInsert',
]);

/** A key no document has: disables mingo's own `_id` immutability check (see applyUpdate). */
const NO_ID_KEY = '\u0000_id';

export function isOperatorUpdate(u: unknown): boolean {
  return isPlainObject(u) && Object.keys(u).length > 0 && Object.keys(u).every((k) => k.startsWith('$'));
}

export function validateUpdate(u: unknown): void {
  if (Array.isArray(u)) return;
  if (!isPlainObject(u)) throw new ServerError(Codes.FailedToParse, 'Update argument must be either an object or an array');
  const keys = Object.keys(u);
  const ops = keys.filter((k) => k.startsWith('$'));
  if (ops.length && ops.length !== keys.length)
    throw new ServerError(Codes.FailedToParse, `Unknown modifier: ${keys.find((k) => !k.startsWith('$'))}. Expected a valid update modifier or pipeline-style update specified as an array`);
  for (const op of ops) {
    if (!KNOWN_OPS.has(op))
      throw new ServerError(Codes.FailedToParse, `Unknown modifier: ${op}. Expected a valid update modifier or pipeline-style update specified as an array`);
    if (!isPlainObject(u[op])) throw new ServerError(Codes.FailedToParse, `Modifiers operate on fields but we found type ${typeof u[op]} instead.`);
  }
  checkOperands(normalizeNumbers(u));
  // Conflicting paths like {$set: {a: 1}, $inc: {a: 1}}
  const paths: string[] = [];
  for (const op of ops) for (const p of Object.keys(u[op])) {
    for (const q of paths)
      if (p === q || p.startsWith(q + '.') || q.startsWith(p + '.'))
        throw new ServerError(40, `Updating the path '${p}' would create a conflict at '${q}'`);
    paths.push(p);
    if (op === '$rename') paths.push(String(u[op][p]));
  }
}

/**
 * Returns the updated copy of `doc` (never mutates it). `inserting` enables $setOnInsert.
 * `filter` is used for the positional `$` operator.
 */
export interface ApplyOptions {
  arrayFilters?: Document[];
  /** The statement's filter: used for the positional `$` operator. */
  filter?: Document;
  inserting?: boolean;
  collation?: Collation | null;
  /** The command's `let` variables (already evaluated), for pipeline updates. */
  variables?: Document;
}

export function applyUpdate(doc: Document, u: Document | Document[], opts: ApplyOptions): Document {
  let next: Document;
  if (Array.isArray(u)) {
    const out = new Aggregator(u, { ...MINGO_OPTS, variables: opts.variables }).run([cloneDeep(doc)]);
    next = out[0] as Document;
    if (!next) throw new ServerError(Codes.BadValue, 'pipeline update produced no document');
    // like mongod (ObjectReplaceExecutor): a result without _id keeps the original one
    if (next._id === undefined && doc._id !== undefined) next = { _id: doc._id, ...next };
  } else if (!isOperatorUpdate(u)) {
    if (u._id !== undefined && doc._id !== undefined && keyString(u._id) !== keyString(doc._id)) throw immutableId(u._id);
    next = doc._id !== undefined ? { _id: doc._id, ...cloneDeep(u) } : cloneDeep(u);
  } else {
    next = cloneDeep(doc);
    const ops: Document = {};
    for (const [op, spec] of Object.entries(u)) {
      if (op === '$setOnInsert') {
        if (opts.inserting) ops.$set = { ...(ops.$set ?? {}), ...spec };
      } else if (op === '$set' && ops.$set) ops.$set = { ...ops.$set, ...spec };
      else ops[op] = spec;
    }
    if (Object.keys(ops).length) {
      try {
        // mingo refuses every update path under `_id`; mongod refuses only a change of an existing _id (an upsert may
        // create it, and setting it to its current value is a no-op). The check after this block enforces that rule.
        const prepared = prepareOperators(next, normalizeNumbers(cloneDeep(ops)));
        // mingo applies the update only to a document matching `condition`: give it the filter (with the collation
        // applied, as the engine matched it) only when a positional `$` needs it.
        const positional = Object.values(prepared).some((spec) => isPlainObject(spec) && Object.keys(spec).some((p) => p.split('.').includes('$')));
        const condition = positional && opts.filter ? fixTypeOperator(applyCollation(opts.filter, opts.collation)) : undefined;
        mingoUpdate(next, prepared, opts.arrayFilters, condition, { cloneMode: 'deep', queryOptions: { ...MINGO_OPTS, idKey: NO_ID_KEY } });
      } catch (e) {
        if (e instanceof ServerError) throw e;
        const msg = (e as Error).message;
        if (/immutable/i.test(msg)) throw immutableId(undefined);
        throw new ServerError(/type|numeric|apply/i.test(msg) ? Codes.TypeMismatch : Codes.BadValue, msg);
      }
    }
  }
  if (doc._id !== undefined && (next._id === undefined || keyString(next._id) !== keyString(doc._id))) throw immutableId(next._id);
  if (next._id !== undefined && Object.keys(next)[0] !== '_id') next = { _id: next._id, ...next };
  return next;
}

function immutableId(v: unknown): ServerError {
  return new ServerError(Codes.ImmutableField, `Performing an update on the path '_id' would modify the immutable field '_id'`, v === undefined ? {} : {});
}

/** The document an upsert starts from: the filter's equality predicates (plain values and $eq, also inside $and). */
export function upsertSeed(filter: Document): Document {
  const seed: Document = {};
  const setPath = (path: string, v: unknown) => {
    const parts = path.split('.');
    let cur: Document = seed;
    for (let i = 0; i < parts.length - 1; i++) {
      if (!isPlainObject(cur[parts[i]])) cur[parts[i]] = {};
      cur = cur[parts[i]] as Document;
    }
    cur[parts[parts.length - 1]] = cloneDeep(v);
  };
  const visit = (f: Document) => {
    for (const [k, v] of Object.entries(f)) {
      if (k === '$and' && Array.isArray(v)) v.forEach((x) => isPlainObject(x) && visit(x));
      else if (k.startsWith('$')) continue;
      else if (isPlainObject(v) && Object.keys(v).some((o) => o.startsWith('$'))) {
        if ('$eq' in v) setPath(k, v.$eq);
        else if (Array.isArray(v.$in) && v.$in.length === 1 && !(v.$in[0] instanceof RegExp)) setPath(k, v.$in[0]);
      } else if (!(v instanceof RegExp)) setPath(k, v);
    }
  };
  visit(filter);
  return seed;
}

/** Builds the document an upsert inserts. */
export function buildUpsert(filter: Document, u: Document | Document[], arrayFilters?: Document[], variables?: Document): Document {
  const seed = upsertSeed(filter);
  let doc: Document;
  if (!Array.isArray(u) && !isOperatorUpdate(u)) {
    doc = cloneDeep(u);
    if (doc._id === undefined && seed._id !== undefined) doc = { _id: seed._id, ...doc };
  } else {
    doc = applyUpdate(seed, u, { arrayFilters, inserting: true, variables });
  }
  if (doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
  else if (Object.keys(doc)[0] !== '_id') doc = { _id: doc._id, ...doc };
  return doc;
}
