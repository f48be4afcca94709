/**
 * Aggregation stages that mingo does not run for us: `$out` and `$merge` (writes into a collection of the engine,
 * journaled like every other write), `$documents` (collection-less `aggregate: 1`) and `$collStats`.
 */
import { ObjectId, type Document } from 'bson';
import { Aggregator } from 'mingo';
import { Collection, MINGO_OPTS } from './collection.js';
import type { Engine } from './engine.js';
import { Codes, ServerError } from './errors.js';
import { collStatsDoc } from './stats.js';
import { isView, notACollection } from './views.js';
import { cloneDeep, isPlainObject, keyString, pathValues } from './values.js';

/** Removes a trailing $out/$merge from the pipeline (and refuses one anywhere else). */
export function splitOutputStage(pipeline: Document[]): { pipeline: Document[]; output: Document | null } {
  let output: Document | null = null;
  pipeline.forEach((st, i) => {
    const op = Object.keys(st)[0];
    if (op === '$out' || op === '$merge') {
      if (i !== pipeline.length - 1) throw new ServerError(40601, `${op} can only be the final stage in the pipeline`);
      output = st;
    }
  });
  return { pipeline: output ? pipeline.slice(0, -1) : pipeline, output };
}

function target(spec: unknown, db: string, stage: string, field: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db, coll: spec };
  if (isPlainObject(spec) && typeof spec.coll === 'string') return { db: typeof spec.db === 'string' ? spec.db : db, coll: spec.coll };
  throw new ServerError(Codes.FailedToParse, `${stage} ${field} must be a string or an object with a 'coll' field`);
}

/** Writes the documents of a pipeline into the target of its $out/$merge stage. */
export function writeOutput(engine: Engine, db: string, stage: Document, docs: Document[]): void {
  if (stage.$out !== undefined) return runOut(engine, db, stage.$out, docs);
  return runMerge(engine, db, stage.$merge, docs);
}

/**
 * $out: replaces the target collection's documents, keeping its options and indexes. The new contents are built aside
 * first, so a duplicate key (11000) leaves the target unchanged, like mongod's temporary-collection rename.
 */
function runOut(engine: Engine, db: string, spec: unknown, docs: Document[]): void {
  const t = target(spec, db, '$out', 'target');
  if (t.coll.startsWith('system.') || t.coll.includes('$') || !t.coll) throw new ServerError(Codes.InvalidNamespace, `Invalid $out target namespace, ${t.db}.${t.coll}`);
  const old = engine.coll(t.db, t.coll);
  if (isView(old)) throw notACollection(`${t.db}.${t.coll}`);
  const options = old ? old.options : {};
  const fresh = new Collection(t.db, t.coll, options, engine.journal);
  const specs = old ? old.indexes.slice(1).map((ix) => ix.spec) : [];
  for (const s of specs) fresh.createIndex(s, false);
  for (const d of docs) fresh.insert(cloneDeep(d), false);
  if (old) engine.dropColl(t.db, t.coll);
  engine.installColl(fresh);
  engine.journal({ o: 'cc', db: t.db, c: t.coll, opts: options, uuid: fresh.uuid });
  for (const s of specs) engine.journal({ o: 'ci', db: t.db, c: t.coll, spec: s });
  for (const d of fresh.docs.values()) engine.journal({ o: 'i', db: t.db, c: t.coll, d });
}

const MATCHED = new Set(['replace', 'keepExisting', 'merge', 'fail']);
const NOT_MATCHED = new Set(['insert', 'discard', 'fail']);

function runMerge(engine: Engine, db: string, raw: unknown, docs: Document[]): void {
  const spec: Document = typeof raw === 'string' ? { into: raw } : isPlainObject(raw) ? raw : {};
  if (spec.into === undefined) throw new ServerError(Codes.IDLFailedToParse, "BSON field '$merge.into' is missing but a required field");
  for (const k of Object.keys(spec))
    if (!['into', 'on', 'let', 'whenMatched', 'whenNotMatched', 'targetCollectionVersion'].includes(k))
      throw new ServerError(Codes.IDLUnknownField, `BSON field '$merge.${k}' is an unknown field.`);
  const t = target(spec.into, db, '$merge', 'into');
  const whenMatched = spec.whenMatched ?? 'merge';
  const whenNotMatched = spec.whenNotMatched ?? 'insert';
  const pipelineMode = Array.isArray(whenMatched);
  if (!pipelineMode && !MATCHED.has(whenMatched))
    throw new ServerError(Codes.BadValue, `Enumeration value '${whenMatched}' for field '$merge.whenMatched' is not a valid value.`);
  if (!NOT_MATCHED.has(whenNotMatched))
    throw new ServerError(Codes.BadValue, `Enumeration value '${whenNotMatched}' for field '$merge.whenNotMatched' is not a valid value.`);
  if ((whenMatched === 'fail' || whenMatched === 'keepExisting') && whenNotMatched !== 'insert')
    throw new ServerError(51181, `Combination of $merge modes 'whenMatched: ${whenMatched}' and 'whenNotMatched: ${whenNotMatched}' is not supported`);
  if (spec.let !== undefined && !pipelineMode)
    throw new ServerError(51199, "Cannot use 'let' variables with 'whenMatched: " + whenMatched + "' mode");
  const on: string[] = spec.on === undefined ? ['_id'] : typeof spec.on === 'string' ? [spec.on] : Array.isArray(spec.on) ? spec.on.map(String) : [];
  if (!on.length) throw new ServerError(51186, "$merge 'on' field must be a string or an array of strings");
  const existing = engine.coll(t.db, t.coll);
  if (isView(existing)) throw notACollection(`${t.db}.${t.coll}`);
  const onId = on.length === 1 && on[0] === '_id';
  if (!onId) {
    const wanted = [...on].sort().join('\0');
    const ok = existing?.indexes.some((ix) => ix.unique && !ix.partial && [...ix.fields].sort().join('\0') === wanted);
    if (!ok) throw new ServerError(51183, 'Cannot find index to verify that join fields will be unique');
  }
  const c = existing ?? engine.ensureColl(t.db, t.coll);
  let unmatched = false;
  for (const input of docs) {
    let doc = cloneDeep(input);
    if (onId && doc._id === undefined) doc = { _id: new ObjectId(), ...doc };
    const filter: Document = {};
    for (const f of on) {
      const vals = pathValues(doc, f.split('.'));
      const v = f.includes('.') ? vals[0] : doc[f];
      if (v === undefined || v === null || Array.isArray(v) || vals.length > 1)
        throw new ServerError(51132, "$merge write error: 'on' field cannot be missing, null, undefined or an array");
      filter[f] = v;
    }
    const match = c.find(filter, { limit: 1 })[0];
    if (!match) {
      if (whenNotMatched === 'insert') c.insert(doc);
      else if (whenNotMatched === 'fail') unmatched = true;
      continue;
    }
    if (whenMatched === 'keepExisting') continue;
    if (whenMatched === 'fail') {
      c.insert(doc); // the unique index answers E11000, as mongod's insert does
      continue;
    }
    let next: Document;
    if (pipelineMode) {
      const vars: Document = { new: doc };
      if (isPlainObject(spec.let))
        for (const [k, expr] of Object.entries(spec.let)) {
          const [r] = new Aggregator([{ $project: { _id: 0, v: { $let: { vars: {}, in: expr } } } }], { ...MINGO_OPTS }).run([doc]) as Document[];
          vars[k] = r?.v;
        }
      const [r] = new Aggregator(whenMatched as Document[], { ...MINGO_OPTS, variables: vars }).run([cloneDeep(match.doc)]) as Document[];
      next = r;
    } else if (whenMatched === 'replace') next = { ...doc };
    else next = { ...match.doc, ...doc };
    if (next._id === undefined) next = { _id: match.doc._id, ...next };
    if (keyString(next._id) !== keyString(match.doc._id))
      throw new ServerError(Codes.ImmutableField, "$merge failed to update the matching document, did you attempt to modify the _id or the shard key? :: caused by :: Performing an update on the path '_id' would modify the immutable field '_id'");
    if (keyString(next) !== keyString(match.doc)) c.replace(match.rid, next);
  }
  if (unmatched)
    throw new ServerError(Codes.MergeStageNoMatchingDocument, '$merge could not find a matching document in the target collection for at least one document in the source collection');
}

/** `$documents` (only as the first stage of `aggregate: 1`): the documents it yields. */
export function documentsStage(expr: unknown, variables?: Document): Document[] {
  const [r] = new Aggregator([{ $project: { _id: 0, docs: { $let: { vars: {}, in: expr } } } }], { ...MINGO_OPTS, variables }).run([{}]) as Document[];
  const docs = r?.docs;
  if (!Array.isArray(docs) || !docs.every(isPlainObject)) throw new ServerError(5858203, 'an array is expected');
  return docs.map(cloneDeep);
}

/** `$collStats` as the first stage: one document with the requested sections. */
export function collStatsStage(engine: Engine, db: string, name: string, spec: unknown): Document {
  if (!isPlainObject(spec)) throw new ServerError(Codes.FailedToParse, '$collStats must take a nested object but found: ' + JSON.stringify(spec));
  for (const k of Object.keys(spec))
    if (!['latencyStats', 'storageStats', 'count', 'queryExecStats'].includes(k))
      throw new ServerError(Codes.IDLUnknownField, `BSON field '$collStats.${k}' is an unknown field.`);
  const c = engine.coll(db, name);
  const out: Document = { ns: `${db}.${name}`, host: engine.hostName(), localTime: new Date() };
  if (spec.latencyStats !== undefined) {
    const zero = { latency: 0, ops: 0 };
    out.latencyStats = { reads: zero, writes: zero, commands: zero, transactions: zero };
  }
  if (spec.storageStats !== undefined) {
    if (!isPlainObject(spec.storageStats)) throw new ServerError(Codes.TypeMismatch, "BSON field '$collStats.storageStats' is the wrong type, expected type 'object'");
    if (!c) throw new ServerError(Codes.NamespaceNotFound, `Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [${db}.${name}] not found.`);
    if (isView(c)) throw notACollection(`${db}.${name}`);
    const scale = typeof spec.storageStats.scale === 'number' && spec.storageStats.scale > 0 ? spec.storageStats.scale : 1;
    const { ns: _ns, ok: _ok, ...stats } = collStatsDoc(c, scale);
    void _ns;
    void _ok;
    out.storageStats = stats;
  }
  if (spec.count !== undefined) {
    if (!isPlainObject(spec.count)) throw new ServerError(Codes.TypeMismatch, "BSON field '$collStats.count' is the wrong type, expected type 'object'");
    if (!c) throw new ServerError(Codes.NamespaceNotFound, `Unable to retrieve count in $collStats stage :: caused by :: Collection [${db}.${name}] not found.`);
    out.count = c.docs.size;
  }
  if (spec.queryExecStats !== undefined) out.queryExecStats = { collectionScans: { total: 0, nonTailable: 0 } };
  return out;
}
