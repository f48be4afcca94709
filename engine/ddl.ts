/**
 * `collMod` (a view's viewOn/pipeline; an index's hidden/expireAfterSeconds) and `renameCollection` (admin command:
 * `to`, `dropTarget`; within or across databases).
 *
 * Journal: a view change is `dc` + `cc` (a view holds no documents); an index change is `mi` {db, c, name, spec}
 * (replace the options of an index in place); a rename is `rn` {db, c, toDb, toC} (move the collection with its
 * documents and indexes).
 */
import type { Document } from 'bson';
import { Collection } from './collection.js';
import type { Engine } from './engine.js';
import { Codes, ServerError } from './errors.js';
import { checkCycle, checkViewPipeline, isView, notACollection } from './views.js';
import { isPlainObject } from './values.js';

const GENERIC = new Set(['collMod', '$db', 'lsid', '$clusterTime', '$readPreference', 'writeConcern', 'comment', 'maxTimeMS', 'txnNumber', 'apiVersion', 'apiStrict', 'apiDeprecationErrors']);
/** collMod options mongod knows that the engine does not implement. */
const KNOWN_UNSUPPORTED = new Set([
  'validator',
  'validationLevel',
  'validationAction',
  'expireAfterSeconds',
  'timeseries',
  'changeStreamPreAndPostImages',
  'cappedSize',
  'cappedMax',
  'clusteredIndex',
  'recordPreImages',
  'dryRun',
  'collectionUUID',
  'timeseriesBucketsMayHaveMixedSchemaData',
]);

export function collMod(engine: Engine, cmd: Document, db: string): Document {
  const name = cmd.collMod;
  if (typeof name !== 'string' || !name) throw new ServerError(Codes.InvalidNamespace, `collection name has invalid type ${typeof name}`);
  const opts = Object.keys(cmd).filter((k) => !GENERIC.has(k));
  for (const k of opts) {
    if (KNOWN_UNSUPPORTED.has(k)) throw new ServerError(Codes.InvalidOptions, `collMod option '${k}' is not supported by the embedded engine`);
    if (!['viewOn', 'pipeline', 'index'].includes(k)) throw new ServerError(Codes.IDLUnknownField, `BSON field 'collMod.${k}' is an unknown field.`);
  }
  const c = engine.coll(db, name);
  if (!c) throw new ServerError(Codes.NamespaceNotFound, 'ns does not exist');
  if (isView(c)) {
    if (cmd.index !== undefined) throw new ServerError(Codes.InvalidOptions, 'option not supported on a view: index');
    if (cmd.viewOn === undefined && cmd.pipeline === undefined) return { ok: 1 };
    const viewOn = cmd.viewOn ?? c.options.viewOn;
    if (typeof viewOn !== 'string' || !viewOn) throw new ServerError(Codes.InvalidOptions, "'viewOn' option must be a non-empty string");
    const pipeline = cmd.pipeline ?? c.options.pipeline ?? [];
    if (!Array.isArray(pipeline)) throw new ServerError(Codes.InvalidOptions, "'pipeline' option must be an array");
    checkViewPipeline(pipeline);
    checkCycle(db, name, viewOn, (n) => engine.coll(db, n));
    const options = c.options as Document;
    options.viewOn = viewOn;
    options.pipeline = pipeline;
    engine.journal({ o: 'dc', db, c: name });
    engine.journal({ o: 'cc', db, c: name, opts: options, uuid: c.uuid });
    return { ok: 1 };
  }
  if (cmd.viewOn !== undefined || cmd.pipeline !== undefined)
    throw new ServerError(Codes.InvalidOptions, `option only supported on a view: ${cmd.viewOn !== undefined ? 'viewOn' : 'pipeline'}`);
  const reply: Document = {};
  if (cmd.index !== undefined) Object.assign(reply, modifyIndex(engine, c, cmd.index));
  reply.ok = 1;
  return reply;
}

function modifyIndex(engine: Engine, c: Collection, spec: unknown): Document {
  if (!isPlainObject(spec)) throw new ServerError(Codes.TypeMismatch, "BSON field 'collMod.index' is the wrong type, expected type 'object'");
  for (const k of Object.keys(spec))
    if (!['keyPattern', 'name', 'hidden', 'expireAfterSeconds', 'unique', 'prepareUnique', 'forceNonUnique'].includes(k))
      throw new ServerError(Codes.IDLUnknownField, `BSON field 'collMod.index.${k}' is an unknown field.`);
  if (spec.unique !== undefined || spec.prepareUnique !== undefined || spec.forceNonUnique !== undefined)
    throw new ServerError(Codes.InvalidOptions, 'collMod index options unique/prepareUnique/forceNonUnique are not supported by the embedded engine');
  if ((spec.keyPattern === undefined) === (spec.name === undefined))
    throw new ServerError(Codes.InvalidOptions, 'Must specify either index name or key pattern.');
  if (spec.hidden === undefined && spec.expireAfterSeconds === undefined)
    throw new ServerError(Codes.InvalidOptions, 'no expireAfterSeconds or hidden field');
  const ix =
    spec.name !== undefined
      ? c.indexes.find((i) => i.name === spec.name)
      : c.indexes.find((i) => JSON.stringify(i.spec.key) === JSON.stringify(spec.keyPattern));
  if (!ix)
    throw new ServerError(
      Codes.IndexNotFound,
      spec.name !== undefined ? `cannot find index ${spec.name} for ns ${c.ns}` : `cannot find index ${JSON.stringify(spec.keyPattern)} for ns ${c.ns}`,
    );
  const out: Document = {};
  const next: Document = { ...ix.spec };
  if (spec.expireAfterSeconds !== undefined) {
    const v = spec.expireAfterSeconds;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new ServerError(Codes.TypeMismatch, 'expireAfterSeconds must be a number >= 0');
    if (ix.spec.expireAfterSeconds === undefined) throw new ServerError(Codes.InvalidOptions, 'no expireAfterSeconds field to update');
    if (ix.spec.expireAfterSeconds !== v) {
      out.expireAfterSeconds_old = ix.spec.expireAfterSeconds;
      out.expireAfterSeconds_new = v;
      next.expireAfterSeconds = v;
    }
  }
  if (spec.hidden !== undefined) {
    if (typeof spec.hidden !== 'boolean') throw new ServerError(Codes.TypeMismatch, "BSON field 'collMod.index.hidden' is the wrong type, expected type 'bool'");
    if (ix.name === '_id_') throw new ServerError(Codes.BadValue, "can't hide _id index");
    const was = ix.spec.hidden === true;
    if (was !== spec.hidden) {
      out.hidden_old = was;
      out.hidden_new = spec.hidden;
      if (spec.hidden) next.hidden = true;
      else delete next.hidden;
    }
  }
  if (Object.keys(out).length) {
    setIndexOptions(c, ix.name, next);
    engine.journal({ o: 'mi', db: c.db, c: c.name, name: ix.name, spec: next });
  }
  return out;
}

/** Replaces an index's options (hidden, expireAfterSeconds) in place; the key and name never change here. */
export function setIndexOptions(c: Collection, name: string, spec: Document): void {
  const ix = c.indexes.find((i) => i.name === name);
  if (!ix) return;
  const target = ix.spec as Document;
  for (const k of Object.keys(target)) if (k !== 'key' && k !== 'name' && k !== 'v' && !(k in spec)) delete target[k];
  for (const [k, v] of Object.entries(spec)) if (k !== 'key' && k !== 'name') target[k] = v;
}

function splitNs(v: unknown, field: string): { db: string; coll: string } {
  if (typeof v !== 'string') throw new ServerError(Codes.TypeMismatch, `BSON field 'renameCollection.${field}' is the wrong type, expected type 'string'`);
  const dot = v.indexOf('.');
  if (dot <= 0 || dot === v.length - 1) throw new ServerError(Codes.InvalidNamespace, `Invalid ${field === 'to' ? 'target' : 'source'} namespace: ${v}`);
  return { db: v.slice(0, dot), coll: v.slice(dot + 1) };
}

export function renameCollection(engine: Engine, cmd: Document, db: string): Document {
  if (db !== 'admin') throw new ServerError(Codes.Unauthorized, 'renameCollection may only be run against the admin database.');
  const from = splitNs(cmd.renameCollection, 'renameCollection');
  const to = splitNs(cmd.to, 'to');
  if (to.coll.includes('$') || to.coll.startsWith('system.') || /[/\\ "$]/.test(to.db)) throw new ServerError(Codes.InvalidNamespace, `Invalid target namespace: ${cmd.to}`);
  const src = engine.coll(from.db, from.coll);
  if (!src) throw new ServerError(Codes.NamespaceNotFound, `Source collection ${from.db}.${from.coll} does not exist`);
  if (isView(src)) throw notACollection(src.ns);
  if (from.db === to.db && from.coll === to.coll) throw new ServerError(Codes.IllegalOperation, "Can't rename a collection to itself");
  const existing = engine.coll(to.db, to.coll);
  if (existing) {
    if (cmd.dropTarget !== true && !(cmd.dropTarget && typeof cmd.dropTarget === 'object'))
      throw new ServerError(Codes.NamespaceExists, 'target namespace exists');
    engine.dropColl(to.db, to.coll);
  }
  moveCollection(engine, from.db, from.coll, to.db, to.coll);
  engine.journal({ o: 'rn', db: from.db, c: from.coll, toDb: to.db, toC: to.coll });
  return { ok: 1 };
}

/** Moves a collection to a new namespace (no journal: the caller records `rn`). Same database keeps the UUID. */
export function moveCollection(engine: Engine, db: string, name: string, toDb: string, toC: string): void {
  const src = engine.coll(db, name);
  if (!src) return;
  const moved = new Collection(toDb, toC, src.options, engine.journal, db === toDb ? src.uuid : undefined);
  for (const ix of src.indexes.slice(1)) moved.createIndex(ix.spec, false);
  for (const d of src.docs.values()) moved.insert(d, false);
  engine.dropColl(db, name, false);
  engine.installColl(moved);
}
