/**
 * Views (`create` with `viewOn` + `pipeline`): a view is a catalog entry (a Collection object without documents whose
 * options hold `viewOn`/`pipeline`, so the existing `cc`/`dc` journal records and snapshots carry it). Reads on a view
 * (find, aggregate, count, distinct) run the resolved pipeline on the backing collection; writes are refused with
 * CommandNotSupportedOnView (166) as mongod does.
 */
import type { Document } from 'bson';
import type { Collection } from './collection.js';
import { Codes, ServerError } from './errors.js';
import { isPlainObject } from './values.js';

/** mongod's maximum view nesting depth (ViewGraph::kMaxViewDepth). */
const MAX_VIEW_DEPTH = 20;

export function isView(c: Collection | undefined): boolean {
  return !!c && typeof c.options.viewOn === 'string';
}

export function notACollection(ns: string): ServerError {
  return new ServerError(Codes.CommandNotSupportedOnView, `Namespace ${ns} is a view, not a collection`);
}

export interface ResolvedView {
  /** The backing collection name (not a view). */
  source: string;
  /** The concatenated pipelines, innermost view first. */
  pipeline: Document[];
  collation?: Document;
}

/** Follows viewOn links down to a collection (or a missing namespace). */
export function resolveView(lookup: (name: string) => Collection | undefined, db: string, name: string): ResolvedView {
  let cur = lookup(name);
  let pipeline: Document[] = [];
  let collation: Document | undefined;
  let depth = 0;
  let source = name;
  while (isView(cur)) {
    if (++depth > MAX_VIEW_DEPTH) throw new ServerError(Codes.ViewDepthLimitExceeded, `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
    const opts = cur!.options;
    pipeline = [...((opts.pipeline as Document[]) ?? []), ...pipeline];
    collation ??= isPlainObject(opts.collation) ? opts.collation : undefined;
    source = opts.viewOn as string;
    cur = lookup(source);
  }
  void db;
  return { source, pipeline, collation };
}

/** Validates `create` view options; returns the options to store. */
export function viewOptions(cmd: Document, db: string, name: string, lookup: (name: string) => Collection | undefined): Document {
  if (typeof cmd.viewOn !== 'string') throw new ServerError(Codes.TypeMismatch, "BSON field 'create.viewOn' is the wrong type, expected type 'string'");
  if (!cmd.viewOn) throw new ServerError(Codes.BadValue, "'viewOn' cannot be empty");
  const pipeline = cmd.pipeline ?? [];
  if (!Array.isArray(pipeline)) throw new ServerError(Codes.TypeMismatch, "BSON field 'create.pipeline' is the wrong type, expected type 'array'");
  checkViewPipeline(pipeline);
  for (const k of ['capped', 'size', 'max', 'validator', 'validationLevel', 'validationAction', 'indexOptionDefaults', 'storageEngine', 'idIndex', 'clusteredIndex', 'timeseries'])
    if (cmd[k] !== undefined) throw new ServerError(Codes.InvalidOptions, `option not supported on a view: ${k}`);
  const opts: Document = { viewOn: cmd.viewOn, pipeline };
  if (isPlainObject(cmd.collation)) opts.collation = cmd.collation;
  checkCycle(db, name, cmd.viewOn, lookup);
  return opts;
}

export function checkViewPipeline(pipeline: unknown[]): void {
  for (const st of pipeline) {
    if (!isPlainObject(st) || Object.keys(st).length !== 1) throw new ServerError(Codes.TypeMismatch, 'Each element of the view pipeline must be an object with one stage');
    const op = Object.keys(st)[0];
    if (op === '$out' || op === '$merge')
      throw new ServerError(Codes.OptionNotSupportedOnView, `${op} cannot be used in a view definition`);
  }
}

/** A view may not (transitively) depend on itself. */
export function checkCycle(db: string, name: string, viewOn: string, lookup: (name: string) => Collection | undefined): void {
  let cur = viewOn;
  for (let depth = 0; depth <= MAX_VIEW_DEPTH + 1; depth++) {
    if (cur === name) throw new ServerError(Codes.GraphContainsCycle, `View cycle detected: ${db}.${name} => ${db}.${viewOn} => ${db}.${name}`);
    const c = lookup(cur);
    if (!isView(c)) return;
    cur = c!.options.viewOn as string;
  }
  throw new ServerError(Codes.ViewDepthLimitExceeded, `View depth too deep or view cycle detected; maximum depth is ${MAX_VIEW_DEPTH}`);
}

/** The aggregation pipeline equivalent to a find on a view (applied after the view's own pipeline). */
export function findAsPipeline(cmd: Document): Document[] {
  const p: Document[] = [];
  if (isPlainObject(cmd.filter) && Object.keys(cmd.filter).length) p.push({ $match: cmd.filter });
  if (isPlainObject(cmd.sort) && Object.keys(cmd.sort).length) p.push({ $sort: cmd.sort });
  if (typeof cmd.skip === 'number' && cmd.skip > 0) p.push({ $skip: cmd.skip });
  if (typeof cmd.limit === 'number' && cmd.limit !== 0) p.push({ $limit: Math.abs(cmd.limit) });
  if (isPlainObject(cmd.projection) && Object.keys(cmd.projection).length) p.push({ $project: cmd.projection });
  return p;
}

/** Write-like commands refused on a view, with the field holding the target name. */
export const REFUSED_ON_VIEW: Record<string, 'write' | 'command'> = {
  insert: 'write',
  update: 'write',
  delete: 'write',
  findandmodify: 'command',
  createindexes: 'command',
  listindexes: 'command',
  dropindexes: 'command',
  deleteindexes: 'command',
  collstats: 'command',
};

/** mongod's answer to a write command on a view: the first (ordered) or every (unordered) statement fails with 166. */
export function refusedWrite(cmd: Document, kind: string, ns: string): Document {
  const ops = (kind === 'insert' ? cmd.documents : kind === 'update' ? cmd.updates : cmd.deletes) as unknown[] | undefined;
  const n = Array.isArray(ops) ? ops.length : 0;
  const err = notACollection(ns);
  const count = cmd.ordered === false ? n : Math.min(1, n);
  const reply: Document = { n: 0 };
  if (kind === 'update') reply.nModified = 0;
  if (count) reply.writeErrors = Array.from({ length: count }, (_, i) => err.toWriteError(i));
  reply.ok = 1;
  return reply;
}
