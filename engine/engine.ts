/**
 * The engine: catalog of databases and collections, cursors, and one handler per supported command with MongoDB's
 * reply shapes and error codes. Command handlers run synchronously (so each command is atomic with respect to others);
 * the journal records they produce are made durable before the reply is sent.
 */
import { BSON, Long, ObjectId, UUID, type Document } from 'bson';
import { Aggregator, Query } from 'mingo';
import { Collection, MAX_BSON_SIZE, MINGO_OPTS, applyCollation, type Collation } from './collection.js';
import { asServerError, Codes, ServerError } from './errors.js';
import type { IndexSpec } from './indexes.js';
import type { Storage } from './storage.js';
import { applyUpdate, buildUpsert, isOperatorUpdate, validateUpdate } from './update.js';
import { bindLet, evaluateLet } from './let.js';
import { checkHint, dedupeUnderCollation, naturalDirection, naturalOrder } from './query-opts.js';
import { pipelinePrefix } from './planner.js';
import { checkCollation, checkCommand, intlLocale } from './validate.js';
import { collMod, moveCollection, renameCollection, setIndexOptions } from './ddl.js';
import { Explainer } from './explain.js';
import { CLOSE_CONNECTION, FailPoints, TEST_COMMANDS } from './failpoints.js';
import { collStatsStage, documentsStage, splitOutputStage, writeOutput } from './stages.js';
import { collStats, dbStats, getCmdLineOpts, getLog, getParameter, hostInfo, hostName, ServerCounters, serverStatus, type ServerInfo } from './stats.js';
import { findAsPipeline, isView, notACollection, REFUSED_ON_VIEW, refusedWrite, resolveView, viewOptions } from './views.js';
import { cloneDeep, compareValues, isPlainObject, keyString, normalizeNumbers, pathValues } from './values.js';

export const MAX_MESSAGE_SIZE = 48_000_000;
export const MAX_WRITE_BATCH = 100_000;
/** mongod accepts documents up to 16 MB + 16 KB of internal overhead in a message before refusing to parse them. */
export const MAX_BSON_INTERNAL = MAX_BSON_SIZE + 16 * 1024;
const MAX_WIRE_VERSION = 21; // MongoDB 7.0
const DEFAULT_BATCH = 101;

interface CursorState {
  ns: string;
  docs: Document[];
  pos: number;
}

export interface CommandContext {
  connectionId: number;
  /** The request carried a message over 16 MB: check individual document sizes. */
  largeMessage?: boolean;
}

type Handler = (cmd: Document, db: string, ctx: CommandContext) => Document;

const COMMAND_NAMES = new Set([
  'hello', 'isMaster', 'ismaster', 'ping', 'buildInfo', 'buildinfo', 'listDatabases', 'listCollections', 'create', 'drop',
  'dropDatabase', 'insert', 'find', 'getMore', 'killCursors', 'update', 'delete', 'findAndModify', 'findandmodify', 'aggregate',
  'count', 'distinct', 'createIndexes', 'listIndexes', 'dropIndexes', 'deleteIndexes', 'endSessions',
  // diagnostics and catalog commands (stats.ts, explain.ts, ddl.ts)
  'dbStats', 'dbstats', 'collStats', 'collstats', 'serverStatus', 'serverstatus', 'explain', 'hostInfo', 'hostinfo',
  'getCmdLineOpts', 'getParameter', 'getLog', 'collMod', 'renameCollection',
]);

const SAFE_STAGES = new Set(['$match', '$group', '$count', '$sort', '$skip', '$limit', '$sortByCount', '$project', '$facet']);

export class Engine {
  readonly dbs = new Map<string, Map<string, Collection>>();
  private cursors = new Map<string, CursorState>();
  private records: Document[] = [];
  storage: Storage | null = null;
  private handlers: Record<string, Handler>;
  private startedAt = Date.now();
  /** serverStatus counters (the wire server updates the connection counts). */
  readonly counters = new ServerCounters();
  /** Listen address/port and data directory, for serverStatus/getCmdLineOpts/explain (set by startEngine). */
  info: ServerInfo = { host: '127.0.0.1', port: 0 };
  /** mongod's enableTestCommands: configureFailPoint exists only then. */
  testCommands = false;
  readonly failPoints = new FailPoints();
  /** Client application names from the handshake, by connection (failCommand's appName). */
  private appNames = new Map<number, string>();
  private explainer = new Explainer(this);

  constructor() {
    this.handlers = {
      hello: (c, _d, ctx) => this.hello(c, ctx, 'hello'),
      ismaster: (c, _d, ctx) => this.hello(c, ctx, 'ismaster'),
      ping: () => ({ ok: 1 }),
      buildinfo: () => this.buildInfo(),
      listdatabases: (c) => this.listDatabases(c),
      listcollections: (c, d) => this.listCollections(c, d),
      create: (c, d) => this.create(c, d),
      drop: (c, d) => this.drop(c, d),
      dropdatabase: (_c, d) => this.dropDatabase(d),
      insert: (c, d, ctx) => this.insert(c, d, ctx),
      find: (c, d) => this.find(c, d),
      getmore: (c, d) => this.getMore(c, d),
      killcursors: (c, d) => this.killCursors(c, d),
      update: (c, d) => this.update(c, d),
      delete: (c, d) => this.delete(c, d),
      findandmodify: (c, d) => this.findAndModify(c, d),
      aggregate: (c, d) => this.aggregateEntry(c, d),
      count: (c, d) => this.count(c, d),
      distinct: (c, d) => this.distinct(c, d),
      createindexes: (c, d) => this.createIndexes(c, d),
      listindexes: (c, d) => this.listIndexes(c, d),
      dropindexes: (c, d) => this.dropIndexes(c, d),
      deleteindexes: (c, d) => this.dropIndexes(c, d),
      endsessions: () => ({ ok: 1 }),
      dbstats: (c, d) => dbStats(this.dbs.get(d), d, c, this.info.dataDir),
      collstats: (c, d) => collStats(this.dbs.get(d), d, c),
      serverstatus: () => serverStatus(this.counters, this.info),
      explain: (c, d) => this.explainer.run(c, d),
      hostinfo: () => hostInfo(),
      getcmdlineopts: () => getCmdLineOpts(this.info),
      getparameter: (c) => getParameter(c, this.testCommands),
      getlog: (c) => getLog(c),
      collmod: (c, d) => collMod(this, c, d),
      renamecollection: (c, d) => renameCollection(this, c, d),
      configurefailpoint: (c) => this.failPoints.configure(c),
    };
  }

  // ---- entry point ----

  /** Runs one command and returns its reply; durable (when a data directory is used) before it resolves. */
  async run(cmd: Document, ctx: CommandContext): Promise<Document> {
    const db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
    let reply: Document;
    this.counters.record(cmd);
    const name = Object.keys(cmd)[0] ?? '';
    if ((name === 'hello' || name === 'isMaster' || name === 'ismaster') && typeof cmd.client?.application?.name === 'string')
      this.appNames.set(ctx.connectionId, cmd.client.application.name);
    const fail = this.testCommands ? this.failPoints.check(name, cmd, db, this.appNames.get(ctx.connectionId)) : null;
    if (fail?.close) return { [CLOSE_CONNECTION]: true };
    if (fail?.blockMs) await new Promise((r) => setTimeout(r, fail.blockMs));
    if (fail?.error) return fail.error;
    this.records = [];
    try {
      reply = this.dispatch(cmd, db, ctx);
    } catch (e) {
      reply = asServerError(e).toReply();
    }
    if (fail?.writeConcernError) {
      reply.writeConcernError = fail.writeConcernError;
      if (fail.errorLabels) reply.errorLabels = fail.errorLabels;
    }
    const recs = this.records;
    this.records = [];
    if (recs.length && this.storage) {
      try {
        await this.storage.commit(recs);
      } catch (e) {
        return new ServerError(Codes.InternalError, `journal write failed: ${(e as Error).message}`).toReply();
      }
    }
    return reply;
  }

  private dispatch(cmd: Document, db: string, ctx: CommandContext): Document {
    const name = Object.keys(cmd)[0];
    if (!name) throw new ServerError(Codes.FailedToParse, 'empty command');
    if (name === 'commitTransaction' || name === 'abortTransaction' || cmd.txnNumber !== undefined || cmd.startTransaction !== undefined || cmd.autocommit !== undefined)
      throw new ServerError(Codes.IllegalOperation, 'Transaction numbers are only allowed on a replica set member or mongos');
    if (!COMMAND_NAMES.has(name) && !(this.testCommands && TEST_COMMANDS.has(name))) throw new ServerError(Codes.CommandNotFound, `no such command: '${name}'`);
    checkCommand(name, cmd);
    const lower = name.toLowerCase();
    const refused = REFUSED_ON_VIEW[lower];
    if (refused && typeof cmd[name] === 'string' && isView(this.coll(db, cmd[name]))) {
      if (refused === 'write') return refusedWrite(cmd, lower, `${db}.${cmd[name]}`);
      throw notACollection(`${db}.${cmd[name]}`);
    }
    return this.handlers[lower](cmd, db, ctx);
  }

  /** A connection closed: forget its handshake data. */
  connectionClosed(connectionId: number): void {
    this.appNames.delete(connectionId);
  }

  hostName(): string {
    return hostName(this.info);
  }

  /** Puts a collection object into the catalog (replacing one of the same name); no journal record. */
  installColl(c: Collection): void {
    let d = this.dbs.get(c.db);
    if (!d) this.dbs.set(c.db, (d = new Map()));
    d.set(c.name, c);
  }

  journal = (rec: Document): void => {
    if (this.storage) this.records.push(rec);
  };

  // ---- catalog ----

  coll(db: string, name: string): Collection | undefined {
    return this.dbs.get(db)?.get(name);
  }

  ensureColl(db: string, name: string, options: Document = {}, journal = true, uuid?: UUID): Collection {
    validateNs(db, name);
    let d = this.dbs.get(db);
    if (!d) this.dbs.set(db, (d = new Map()));
    let c = d.get(name);
    if (!c) {
      c = new Collection(db, name, options, this.journal, uuid);
      d.set(name, c);
      if (journal) this.journal({ o: 'cc', db, c: name, opts: options, uuid: c.uuid });
    }
    return c;
  }

  dropColl(db: string, name: string, journal = true): Collection | undefined {
    const c = this.coll(db, name);
    if (!c) return undefined;
    this.dbs.get(db)!.delete(name);
    if (this.dbs.get(db)!.size === 0) this.dbs.delete(db);
    for (const [id, cur] of this.cursors) if (cur.ns === c.ns) this.cursors.delete(id);
    if (journal) this.journal({ o: 'dc', db, c: name });
    return c;
  }

  /** Applies a journal/snapshot record (recovery). */
  apply(rec: Document): void {
    switch (rec.o) {
      case 'cc':
        this.ensureColl(rec.db, rec.c, rec.opts ?? {}, false, rec.uuid instanceof UUID ? rec.uuid : undefined);
        break;
      case 'dc':
        this.dropColl(rec.db, rec.c, false);
        break;
      case 'dd':
        this.dbs.delete(rec.db);
        break;
      case 'ci': {
        const c = this.ensureColl(rec.db, rec.c, {}, false);
        if (!c.indexes.some((ix) => ix.name === rec.spec.name)) c.createIndex(rec.spec, false);
        break;
      }
      case 'di':
        try {
          this.coll(rec.db, rec.c)?.dropIndex(rec.name, false);
        } catch {
          /* already gone */
        }
        break;
      case 'i':
      case 'u':
        this.ensureColl(rec.db, rec.c, {}, false).put(rec.d);
        break;
      case 'd':
        this.coll(rec.db, rec.c)?.removeById(rec.id);
        break;
      case 'docs': // snapshot: documents known to satisfy every index of the collection
        this.ensureColl(rec.db, rec.c, {}, false).load(rec.docs);
        break;
      case 'ixo': // snapshot: an index's saved entry order
        this.coll(rec.db, rec.c)?.adoptIndexOrder(rec.name, rec.order);
        break;
      case 'loaded': // end of the snapshot: indexes without a saved order are built now
        for (const colls of this.dbs.values()) for (const c of colls.values()) c.finishLoad();
        break;
      case 'mi': {
        const c = this.coll(rec.db, rec.c);
        if (c) setIndexOptions(c, rec.name, rec.spec);
        break;
      }
      case 'rn':
        moveCollection(this, rec.db, rec.c, rec.toDb, rec.toC);
        break;
    }
  }

  /** Every record needed to rebuild the current state (snapshot content). */
  *snapshotRecords(): Generator<Document> {
    for (const [db, colls] of this.dbs)
      for (const [name, c] of colls) {
        yield { o: 'cc', db, c: name, opts: c.options, uuid: c.uuid };
        for (const ix of c.indexes.slice(1)) yield { o: 'ci', db, c: name, spec: ix.spec };
        // the array of references is the consistent view a compaction writes (documents are replaced, never mutated)
        yield { o: 'docs', db, c: name, ...c.snapshotView() };
      }
  }

  // ---- handshake and info ----

  private hello(cmd: Document, ctx: CommandContext, which: 'hello' | 'ismaster'): Document {
    const reply: Document = {};
    if (cmd.helloOk) reply.helloOk = true;
    if (which === 'hello') reply.isWritablePrimary = true;
    else reply.ismaster = true;
    Object.assign(reply, {
      maxBsonObjectSize: MAX_BSON_SIZE,
      maxMessageSizeBytes: MAX_MESSAGE_SIZE,
      maxWriteBatchSize: MAX_WRITE_BATCH,
      localTime: new Date(),
      logicalSessionTimeoutMinutes: 30,
      connectionId: ctx.connectionId,
      minWireVersion: 0,
      maxWireVersion: MAX_WIRE_VERSION,
      readOnly: false,
      ok: 1,
    });
    return reply;
  }

  private buildInfo(): Document {
    return {
      version: '7.0.0',
      gitVersion: 'live-leads-embedded',
      versionArray: [7, 0, 0, 0],
      bits: 64,
      debug: false,
      maxBsonObjectSize: MAX_BSON_SIZE,
      storageEngines: ['embedded'],
      javascriptEngine: 'none',
      embedded: { uptimeMs: Date.now() - this.startedAt },
      ok: 1,
    };
  }

  private listDatabases(cmd: Document): Document {
    let dbs = [...this.dbs.entries()].map(([name, colls]) => {
      let size = 0;
      for (const c of colls.values()) size += c.docs.size ? c.dataSize() : 0;
      return { name, sizeOnDisk: size, empty: size === 0 };
    });
    if (isPlainObject(cmd.filter)) {
      const q = new Query(cmd.filter, { ...MINGO_OPTS });
      dbs = dbs.filter((d) => q.test(d));
    }
    if (cmd.nameOnly) return { databases: dbs.map((d) => ({ name: d.name })), ok: 1 };
    const total = dbs.reduce((s, d) => s + d.sizeOnDisk, 0);
    return { databases: dbs, totalSize: total, totalSizeMb: Math.floor(total / (1024 * 1024)), ok: 1 };
  }

  private listCollections(cmd: Document, db: string): Document {
    let items: Document[] = [...(this.dbs.get(db)?.values() ?? [])].map((c) =>
      isView(c)
        ? { name: c.name, type: 'view', options: c.options, info: { readOnly: true } }
        : {
            name: c.name,
            type: 'collection',
            options: c.options,
            info: { readOnly: false, uuid: c.uuid },
            idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
          },
    );
    if (isPlainObject(cmd.filter) && Object.keys(cmd.filter).length) {
      const q = new Query(cmd.filter, { ...MINGO_OPTS });
      items = items.filter((d) => q.test(d));
    }
    if (cmd.nameOnly) items = items.map((d) => ({ name: d.name, type: d.type }));
    return this.cursorReply(`${db}.$cmd.listCollections`, items, cmd.cursor?.batchSize, true);
  }

  // ---- DDL ----

  private create(cmd: Document, db: string): Document {
    const name = stringArg(cmd.create, 'create');
    const options: Document = {};
    for (const [k, v] of Object.entries(cmd)) if (!['create', '$db', 'lsid', '$clusterTime', '$readPreference', 'writeConcern', 'comment'].includes(k)) options[k] = v;
    if (options.viewOn !== undefined) {
      validateNs(db, name);
      const viewOpts = viewOptions(cmd, db, name, (n) => this.coll(db, n));
      const existingView = this.coll(db, name);
      if (existingView) {
        if (JSON.stringify(existingView.options) === JSON.stringify(viewOpts)) return { ok: 1 };
        throw new ServerError(Codes.NamespaceExists, `Namespace already exists: ${db}.${name}`);
      }
      this.ensureColl(db, name, viewOpts);
      return { ok: 1 };
    }
    for (const unsupported of ['capped', 'timeseries', 'clusteredIndex'])
      if (options[unsupported]) throw new ServerError(Codes.InvalidOptions, `the embedded engine does not support ${unsupported} collections`);
    const existing = this.coll(db, name);
    if (existing) {
      if (JSON.stringify(existing.options) === JSON.stringify(options)) return { ok: 1 };
      throw new ServerError(Codes.NamespaceExists, `Collection ${db}.${name} already exists.`);
    }
    this.ensureColl(db, name, options);
    return { ok: 1 };
  }

  private drop(cmd: Document, db: string): Document {
    const name = stringArg(cmd.drop, 'drop');
    const c = this.dropColl(db, name);
    if (!c) return { ok: 1 };
    return { ns: c.ns, nIndexesWas: c.indexes.length, ok: 1 };
  }

  private dropDatabase(db: string): Document {
    const colls = this.dbs.get(db);
    if (colls) for (const name of [...colls.keys()]) this.dropColl(db, name, false);
    this.dbs.delete(db);
    this.journal({ o: 'dd', db });
    return { dropped: db, ok: 1 };
  }

  private createIndexes(cmd: Document, db: string): Document {
    const name = stringArg(cmd.createIndexes, 'createIndexes');
    if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw new ServerError(Codes.BadValue, 'Must specify at least one index to create');
    const existed = !!this.coll(db, name);
    const c = this.ensureColl(db, name);
    const before = c.indexes.length;
    let created = 0;
    for (const raw of cmd.indexes as Document[]) {
      if (!isPlainObject(raw.key) || Object.keys(raw.key).length === 0) throw new ServerError(Codes.BadValue, "The 'key' field is a required property of an index specification");
      if (typeof raw.name !== 'string' || !raw.name) throw new ServerError(Codes.BadValue, "The 'name' field is a required property of an index specification");
      const spec: IndexSpec = { v: 2, key: raw.key, name: raw.name };
      for (const [k, v] of Object.entries(raw)) if (k !== 'key' && k !== 'name' && k !== 'v' && k !== 'ns') spec[k] = v;
      if (spec.unique === false) delete spec.unique;
      if (spec.sparse === false) delete spec.sparse;
      if (spec.name === '_id_' || JSON.stringify(spec.key) === '{"_id":1}') {
        if (spec.unique) throw new ServerError(Codes.InvalidOptions, "The field 'unique' is not valid for an _id index specification");
        continue;
      }
      if (c.createIndex(spec)) created++;
    }
    const reply: Document = { numIndexesBefore: before, numIndexesAfter: c.indexes.length, createdCollectionAutomatically: !existed, ok: 1 };
    if (!created) reply.note = 'all indexes already exist';
    return reply;
  }

  private listIndexes(cmd: Document, db: string): Document {
    const name = stringArg(cmd.listIndexes, 'listIndexes');
    const c = this.coll(db, name);
    if (!c) throw new ServerError(Codes.NamespaceNotFound, `ns does not exist: ${db}.${name}`);
    // mongod lists the _id index as { v, key, name } (no `unique`)
    const specs = c.indexes.map((ix) => {
      const { unique: _u, ...rest } = ix.spec;
      return ix.name === '_id_' ? rest : { ...ix.spec };
    });
    return this.cursorReply(c.ns, specs, cmd.cursor?.batchSize, true);
  }

  private dropIndexes(cmd: Document, db: string): Document {
    const name = stringArg(cmd.dropIndexes ?? cmd.deleteIndexes, 'dropIndexes');
    const c = this.coll(db, name);
    if (!c) throw new ServerError(Codes.NamespaceNotFound, `ns not found ${db}.${name}`);
    const was = c.indexes.length;
    const target = cmd.index;
    if (target === '*') for (const ix of c.indexes.slice(1)) c.dropIndex(ix.name);
    else if (typeof target === 'string') {
      if (target === '_id_') throw new ServerError(Codes.InvalidOptions, 'cannot drop _id index');
      c.dropIndex(target);
    } else if (Array.isArray(target)) for (const n of target) c.dropIndex(String(n));
    else if (isPlainObject(target)) {
      const ix = c.indexes.find((i) => JSON.stringify(i.spec.key) === JSON.stringify(target));
      if (!ix) throw new ServerError(Codes.IndexNotFound, `can't find index with key: ${JSON.stringify(target)}`);
      if (ix.name === '_id_') throw new ServerError(Codes.InvalidOptions, 'cannot drop _id index');
      c.dropIndex(ix.name);
    } else throw new ServerError(Codes.BadValue, 'invalid index specification');
    return { nIndexesWas: was, ok: 1 };
  }

  // ---- cursors ----

  private cursorReply(ns: string, docs: Document[], batchSize: unknown, first: boolean, singleBatch = false): Document {
    if (this.capture) {
      this.capture.docs = docs;
      return { ok: 1 };
    }
    const limit = typeof batchSize === 'number' && batchSize >= 0 ? batchSize : first ? DEFAULT_BATCH : Infinity;
    const state: CursorState = { ns, docs, pos: 0 };
    const batch = this.takeBatch(state, limit);
    let id = Long.ZERO;
    if (state.pos < docs.length && !singleBatch) {
      id = newCursorId();
      this.cursors.set(id.toString(), state);
    }
    return { cursor: { firstBatch: batch, id, ns }, ok: 1 };
  }

  private takeBatch(state: CursorState, limit: number): Document[] {
    const out: Document[] = [];
    let bytes = 0;
    while (state.pos < state.docs.length && out.length < limit) {
      const d = state.docs[state.pos];
      const size = BSON.calculateObjectSize(d);
      if (out.length > 0 && bytes + size > MAX_BSON_SIZE) break;
      out.push(d);
      bytes += size;
      state.pos++;
    }
    return out;
  }

  private getMore(cmd: Document, db: string): Document {
    const id = cmd.getMore;
    const key = Long.isLong(id) ? id.toString() : String(id);
    const coll = stringArg(cmd.collection, 'collection');
    const state = this.cursors.get(key);
    if (!state) throw new ServerError(Codes.CursorNotFound, `cursor id ${key} not found`);
    const ns = `${db}.${coll}`;
    if (state.ns !== ns && !state.ns.startsWith(`${db}.$cmd`))
      throw new ServerError(Codes.Unauthorized, `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${state.ns}`);
    const limit = typeof cmd.batchSize === 'number' && cmd.batchSize > 0 ? cmd.batchSize : Infinity;
    const batch = this.takeBatch(state, limit);
    let outId: Long = Long.isLong(id) ? id : Long.fromString(key);
    if (state.pos >= state.docs.length) {
      this.cursors.delete(key);
      outId = Long.ZERO;
    }
    return { cursor: { nextBatch: batch, id: outId, ns: state.ns }, ok: 1 };
  }

  private killCursors(cmd: Document, _db: string): Document {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of (cmd.cursors ?? []) as unknown[]) {
      const l = Long.isLong(id) ? id : Long.fromNumber(Number(id));
      if (this.cursors.delete(l.toString())) killed.push(l);
      else notFound.push(l);
    }
    return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
  }

  // ---- reads ----

  private find(cmd: Document, db: string): Document {
    const name = stringArg(cmd.find, 'find');
    const ns = `${db}.${name}`;
    const filter = bindLet(objArg(cmd.filter ?? {}, 'filter'), evaluateLet(cmd.let));
    const c = this.coll(db, name);
    if (isView(c)) return this.cursorReply(ns, this.viewDocs(db, name, findAsPipeline(cmd), cmd), cmd.batchSize, true, cmd.singleBatch === true || (cmd.limit ?? 0) < 0);
    if (cmd.batchSize !== undefined && (typeof cmd.batchSize !== 'number' || cmd.batchSize < 0))
      throw new ServerError(Codes.BadValue, `BatchSize value must be non-negative, but received: ${cmd.batchSize}`);
    let limit = typeof cmd.limit === 'number' ? cmd.limit : 0;
    let single = cmd.singleBatch === true;
    if (limit < 0) {
      limit = -limit;
      single = true;
    }
    const skip = typeof cmd.skip === 'number' ? cmd.skip : 0;
    if (skip < 0) throw new ServerError(Codes.BadValue, `Skip value must be non-negative, but received: ${skip}`);
    const sortNatural = naturalDirection(cmd.sort);
    const sort = !sortNatural && isPlainObject(cmd.sort) && Object.keys(cmd.sort).length ? cmd.sort : null;
    const hintNatural = checkHint(c, cmd.hint, { ns, filter, sort: cmd.sort, projection: cmd.projection, limit, skip });
    if (!c) {
      // still validate the filter like mongod would
      new Query(normalizeNumbers(filter), { ...MINGO_OPTS });
      return this.cursorReply(ns, [], cmd.batchSize, true);
    }
    const natural = sortNatural || (sort ? 0 : hintNatural);
    const rows = natural
      ? naturalOrder(c, c.find(normalizeNumbers(filter), { collation: cmd.collation }), natural).slice(skip, limit ? skip + limit : undefined)
      : c.find(normalizeNumbers(filter), { sort, skip, limit, collation: cmd.collation });
    let docs = rows.map((r) => r.doc);
    if (isPlainObject(cmd.projection) && Object.keys(cmd.projection).length) docs = project(docs, cmd.projection);
    return this.cursorReply(ns, docs, cmd.batchSize, true, single);
  }

  private count(cmd: Document, db: string): Document {
    const name = stringArg(cmd.count, 'count');
    const c = this.coll(db, name);
    if (isView(c)) return { n: this.viewDocs(db, name, findAsPipeline({ filter: cmd.query, skip: cmd.skip, limit: cmd.limit }), cmd).length, ok: 1 };
    checkHint(c, cmd.hint, { ns: `${db}.${name}`, filter: isPlainObject(cmd.query) ? cmd.query : {} });
    if (!c) return { n: 0, ok: 1 };
    const n = c.count(normalizeNumbers(objArg(cmd.query ?? {}, 'query')), { skip: cmd.skip, limit: Math.abs(cmd.limit ?? 0), collation: cmd.collation });
    return { n, ok: 1 };
  }

  private distinct(cmd: Document, db: string): Document {
    const name = stringArg(cmd.distinct, 'distinct');
    const key = stringArg(cmd.key, 'key');
    const c = this.coll(db, name);
    if (!c) return { values: [], ok: 1 };
    const rows = isView(c)
      ? this.viewDocs(db, name, findAsPipeline({ filter: cmd.query }), cmd).map((doc) => ({ doc }))
      : c.find(normalizeNumbers(objArg(cmd.query ?? {}, 'query')), { collation: cmd.collation });
    const seen = new Map<string, unknown>();
    const path = key.split('.');
    for (const { doc } of rows)
      for (const v of pathValues(doc, path)) {
        if (v === undefined) continue;
        const ks = keyString(v);
        if (!seen.has(ks)) seen.set(ks, v);
      }
    const values = dedupeUnderCollation([...seen.values()], cmd.collation).sort((a, b) => compareValues(a, b));
    return { values, ok: 1 };
  }

  /** Set while pipelineDocs runs: cursorReply hands the documents over instead of opening a cursor. */
  private capture: { docs: Document[] } | null = null;

  /** All result documents of an aggregate command (no cursor), as the aggregate handler computes them. */
  pipelineDocs(cmd: Document, db: string): Document[] {
    const outer = this.capture;
    const cap = { docs: [] as Document[] };
    this.capture = cap;
    try {
      this.aggregate({ ...cmd, cursor: isPlainObject(cmd.cursor) ? cmd.cursor : {} }, db);
    } finally {
      this.capture = outer;
    }
    return cap.docs;
  }

  /** Documents of a view: its resolved pipeline on the backing collection, then `extra`. */
  private viewDocs(db: string, name: string, extra: Document[], cmd: Document): Document[] {
    const v = resolveView((n) => this.coll(db, n), db, name);
    const collation = cmd.collation ?? v.collation;
    return this.pipelineDocs({ aggregate: v.source, pipeline: [...v.pipeline, ...extra], cursor: {}, ...(collation ? { collation } : {}) }, db);
  }

  /**
   * aggregate: explain, `aggregate: 1` with `$documents`, `$collStats`, views and a final `$out`/`$merge` are handled
   * here (stages.ts); everything else runs in `aggregate`.
   */
  private aggregateEntry(cmd: Document, db: string): Document {
    if (!Array.isArray(cmd.pipeline)) throw new ServerError(Codes.TypeMismatch, "'pipeline' option must be specified as an array");
    if (cmd.explain === true) {
      const { explain: _e, cursor: _c, ...inner } = cmd;
      void _e;
      void _c;
      return this.explainer.run({ explain: inner, verbosity: 'queryPlanner' }, db);
    }
    if (!isPlainObject(cmd.cursor))
      throw new ServerError(Codes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    const split = splitOutputStage(cmd.pipeline as Document[]);
    const pipeline = split.pipeline;
    pipeline.forEach((st, i) => {
      const op = Object.keys(st)[0];
      if ((op === '$collStats' || op === '$documents') && i > 0) throw new ServerError(40602, `${op} is only valid as the first stage in a pipeline`);
    });
    const first = pipeline[0] ? Object.keys(pipeline[0])[0] : undefined;
    const runRest = (docs: Document[], rest: Document[]) =>
      rest.length
        ? (new Aggregator(normalizeNumbers(cloneDeep(rest)), {
            ...MINGO_OPTS,
            collectionResolver: (n: string) => [...(this.coll(db, n)?.docs.values() ?? [])].map(cloneDeep),
          }).run(docs) as Document[])
        : docs;
    let ns: string;
    let docs: Document[];
    if (cmd.aggregate === 1) {
      ns = `${db}.$cmd.aggregate`;
      if (first !== '$documents')
        throw new ServerError(Codes.InvalidNamespace, `{aggregate: 1} is not valid for '${first ?? '$match'}'; a collection is required.`);
      docs = runRest(documentsStage(pipeline[0].$documents), pipeline.slice(1));
    } else {
      const name = stringArg(cmd.aggregate, 'aggregate');
      ns = `${db}.${name}`;
      const c = this.coll(db, name);
      if (first === '$documents') throw new ServerError(Codes.InvalidNamespace, `$documents may only be used with a collection-less aggregation ({aggregate: 1})`);
      if (first === '$collStats') docs = runRest([collStatsStage(this, db, name, pipeline[0].$collStats)], pipeline.slice(1));
      else if (isView(c)) {
        const v = resolveView((n) => this.coll(db, n), db, name);
        docs = this.pipelineDocs({ ...cmd, aggregate: v.source, pipeline: [...v.pipeline, ...pipeline], ...(cmd.collation ?? v.collation ? { collation: cmd.collation ?? v.collation } : {}) }, db);
      } else if (!split.output) return this.aggregate(cmd, db);
      else docs = this.pipelineDocs({ ...cmd, pipeline }, db);
    }
    if (split.output) {
      writeOutput(this, db, split.output, docs);
      docs = [];
    }
    return this.cursorReply(ns, docs, cmd.cursor?.batchSize, true);
  }

  private aggregate(cmd: Document, db: string): Document {
    const target = cmd.aggregate;
    if (!Array.isArray(cmd.pipeline)) throw new ServerError(Codes.TypeMismatch, "'pipeline' option must be specified as an array");
    if (!isPlainObject(cmd.cursor) && !cmd.explain)
      throw new ServerError(Codes.FailedToParse, "The 'cursor' option is required, except for aggregate with the explain argument");
    const pipeline = normalizeNumbers(cloneDeep(cmd.pipeline as Document[]));
    for (const st of pipeline) {
      const op = Object.keys(st)[0];
      if (op === '$out' || op === '$merge') throw new ServerError(Codes.IllegalOperation, `${op} is not supported by the embedded engine`);
    }
    if (target === 1) throw new ServerError(Codes.InvalidNamespace, 'collection-less aggregate is not supported by the embedded engine');
    const name = stringArg(target, 'aggregate');
    const ns = `${db}.${name}`;
    const c = this.coll(db, name);
    const collation: Collation | undefined = cmd.collation;
    const letVars = evaluateLet(cmd.let);
    const { filter, sort, skip, limit, rest } = pipelinePrefix(pipeline, (match) => bindLet(match, letVars));
    checkHint(c, cmd.hint, { ns, filter });
    // countDocuments: [$match, ($skip), ($limit), {$group: {_id: 1, n: {$sum: 1}}}]
    if (!sort && c && rest.length === 1 && isCountGroup(rest[0])) {
      const n = c.count(filter, { skip, limit, collation });
      const idVal = rest[0].$group._id;
      const field = Object.keys(rest[0].$group).find((k) => k !== '_id')!;
      return this.cursorReply(ns, n ? [{ _id: idVal, [field]: n }] : [], cmd.cursor?.batchSize, true);
    }
    if (!sort && c && rest.length === 1 && typeof rest[0].$count === 'string') {
      const n = c.count(filter, { skip, limit, collation });
      return this.cursorReply(ns, n ? [{ [rest[0].$count]: n }] : [], cmd.cursor?.batchSize, true);
    }
    let docs = c ? c.find(filter, { sort, skip, limit, collation }).map((r) => r.doc) : [];
    if (rest.length) {
      const safe = rest.every((st) => SAFE_STAGES.has(Object.keys(st)[0]));
      if (!safe) docs = docs.map(cloneDeep);
      const agg = new Aggregator(rest, {
        ...MINGO_OPTS,
        collation: collation && collation.locale !== 'simple' ? ({ ...collation, locale: intlLocale(collation.locale) } as never) : undefined,
        collectionResolver: (n: string) => [...(this.coll(db, n)?.docs.values() ?? [])].map(cloneDeep),
        variables: letVars,
      });
      docs = agg.run(docs) as Document[];
    }
    return this.cursorReply(ns, docs, cmd.cursor?.batchSize, true);
  }

  // ---- writes ----

  private insert(cmd: Document, db: string, ctx: CommandContext): Document {
    const name = stringArg(cmd.insert, 'insert');
    const docs = cmd.documents;
    if (!Array.isArray(docs)) throw new ServerError(Codes.TypeMismatch, "BSON field 'insert.documents' is missing but a required field");
    if (docs.length > MAX_WRITE_BATCH)
      throw new ServerError(Codes.InvalidOptions ?? 2, `Write batch sizes must be between 1 and ${MAX_WRITE_BATCH}. Got ${docs.length} operations.`);
    const ordered = cmd.ordered !== false;
    const c = this.ensureColl(db, name);
    let n = 0;
    const writeErrors: Document[] = [];
    for (let i = 0; i < docs.length; i++) {
      try {
        const doc = docs[i];
        if (!isPlainObject(doc)) throw new ServerError(Codes.TypeMismatch, 'document to insert must be an object');
        if (ctx.largeMessage) {
          const size = BSON.calculateObjectSize(doc);
          if (size > MAX_BSON_SIZE)
            throw new ServerError(Codes.BadValue, `object to insert too large. size in bytes: ${size}, max size: ${MAX_BSON_SIZE}`);
        }
        c.insert(doc);
        n++;
      } catch (e) {
        writeErrors.push(asServerError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    const reply: Document = { n, ok: 1 };
    if (writeErrors.length) reply.writeErrors = writeErrors;
    return reply;
  }

  private update(cmd: Document, db: string): Document {
    const name = stringArg(cmd.update, 'update');
    const updates = cmd.updates;
    if (!Array.isArray(updates)) throw new ServerError(Codes.TypeMismatch, "BSON field 'update.updates' is missing but a required field");
    const ordered = cmd.ordered !== false;
    const variables = evaluateLet(cmd.let);
    let n = 0;
    let nModified = 0;
    const upserted: Document[] = [];
    const writeErrors: Document[] = [];
    for (let i = 0; i < updates.length; i++) {
      const st = updates[i] as Document;
      try {
        const q = bindLet(normalizeNumbers(objArg(st.q ?? {}, 'q')), variables);
        checkCollation(st.collation);
        const u = st.u;
        validateUpdate(u);
        if (st.multi && !Array.isArray(u) && !isOperatorUpdate(u) && Object.keys(u).length)
          throw new ServerError(Codes.FailedToParse, 'multi update is not supported for replacement-style update');
        const arrayFilters = Array.isArray(st.arrayFilters) ? normalizeNumbers(st.arrayFilters) : undefined;
        checkHint(this.coll(db, name), st.hint, { ns: `${db}.${name}`, filter: q });
        const c = st.upsert ? this.ensureColl(db, name) : this.coll(db, name);
        const matches = c ? c.find(q, { limit: st.multi ? 0 : 1, collation: st.collation }) : [];
        if (matches.length) {
          for (const m of matches) {
            const next = applyUpdate(m.doc, u, { arrayFilters, filter: q, collation: st.collation, variables });
            n++;
            if (keyString(next) === keyString(m.doc)) continue;
            checkUpdatedSize(next);
            c!.replace(m.rid, next);
            nModified++;
          }
        } else if (st.upsert) {
          const doc = buildUpsert(q, u, arrayFilters, variables);
          checkUpdatedSize(doc);
          c!.insert(doc);
          n++;
          upserted.push({ index: i, _id: doc._id });
        }
      } catch (e) {
        writeErrors.push(asServerError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    const reply: Document = { n, nModified };
    if (upserted.length) reply.upserted = upserted;
    if (writeErrors.length) reply.writeErrors = writeErrors;
    reply.ok = 1;
    return reply;
  }

  private delete(cmd: Document, db: string): Document {
    const name = stringArg(cmd.delete, 'delete');
    const deletes = cmd.deletes;
    if (!Array.isArray(deletes)) throw new ServerError(Codes.TypeMismatch, "BSON field 'delete.deletes' is missing but a required field");
    const ordered = cmd.ordered !== false;
    let n = 0;
    const writeErrors: Document[] = [];
    const c = this.coll(db, name);
    const variables = evaluateLet(cmd.let);
    for (let i = 0; i < deletes.length; i++) {
      const st = deletes[i] as Document;
      try {
        const q = bindLet(normalizeNumbers(objArg(st.q ?? {}, 'q')), variables);
        if (st.limit !== 0 && st.limit !== 1) throw new ServerError(Codes.FailedToParse, 'The limit field in delete objects must be 0 or 1. Got ' + st.limit);
        checkCollation(st.collation);
        checkHint(c, st.hint, { ns: `${db}.${name}`, filter: q });
        if (!c) continue;
        const matches = c.find(q, { limit: st.limit === 1 ? 1 : 0, collation: st.collation });
        for (const m of matches) {
          c.remove(m.rid);
          n++;
        }
      } catch (e) {
        writeErrors.push(asServerError(e).toWriteError(i));
        if (ordered) break;
      }
    }
    const reply: Document = { n, ok: 1 };
    if (writeErrors.length) reply.writeErrors = writeErrors;
    return reply;
  }

  private findAndModify(cmd: Document, db: string): Document {
    const name = stringArg(cmd.findAndModify ?? cmd.findandmodify, 'findAndModify');
    const variables = evaluateLet(cmd.let);
    const q = bindLet(normalizeNumbers(objArg(cmd.query ?? {}, 'query')), variables);
    const sort = isPlainObject(cmd.sort) && Object.keys(cmd.sort).length ? cmd.sort : null;
    const remove = cmd.remove === true;
    const u = cmd.update;
    if (remove && u !== undefined) throw new ServerError(Codes.FailedToParse, 'Cannot specify both an update and remove=true');
    if (!remove && u === undefined) throw new ServerError(Codes.FailedToParse, 'Either an update or remove=true must be specified');
    if (remove && cmd.upsert) throw new ServerError(Codes.FailedToParse, 'Cannot specify both upsert=true and remove=true');
    if (!remove) validateUpdate(u);
    const fields = isPlainObject(cmd.fields) && Object.keys(cmd.fields).length ? cmd.fields : null;
    const shape = (d: Document | null) => (d && fields ? project([d], fields)[0] : d);
    checkHint(this.coll(db, name), cmd.hint, { ns: `${db}.${name}`, filter: q, sort });
    const c = cmd.upsert ? this.ensureColl(db, name) : this.coll(db, name);
    const match = c ? c.find(q, { sort, limit: 1, collation: cmd.collation })[0] : undefined;
    const arrayFilters = Array.isArray(cmd.arrayFilters) ? normalizeNumbers(cmd.arrayFilters) : undefined;
    if (remove) {
      if (!match) return { lastErrorObject: { n: 0 }, value: null, ok: 1 };
      c!.remove(match.rid);
      return { lastErrorObject: { n: 1 }, value: shape(match.doc), ok: 1 };
    }
    if (match) {
      const next = applyUpdate(match.doc, u, { arrayFilters, filter: q, collation: cmd.collation, variables });
      if (keyString(next) !== keyString(match.doc)) {
        checkUpdatedSize(next);
        c!.replace(match.rid, next);
      }
      return { lastErrorObject: { n: 1, updatedExisting: true }, value: shape(cmd.new ? next : match.doc), ok: 1 };
    }
    if (cmd.upsert) {
      const doc = buildUpsert(q, u, arrayFilters, variables);
      checkUpdatedSize(doc);
      c!.insert(doc);
      return { lastErrorObject: { n: 1, updatedExisting: false, upserted: doc._id }, value: cmd.new ? shape(doc) : null, ok: 1 };
    }
    return { lastErrorObject: { n: 0, updatedExisting: false }, value: null, ok: 1 };
  }
}

function isCountGroup(st: Document): boolean {
  const g = st.$group;
  if (!isPlainObject(g)) return false;
  const keys = Object.keys(g);
  if (keys.length !== 2 || !keys.includes('_id')) return false;
  const idv = g._id;
  if (isPlainObject(idv) || Array.isArray(idv) || (typeof idv === 'string' && idv.startsWith('$'))) return false;
  const acc = g[keys.find((k) => k !== '_id')!];
  return isPlainObject(acc) && Object.keys(acc).length === 1 && acc.$sum === 1;
}

function checkUpdatedSize(doc: Document): void {
  const size = BSON.calculateObjectSize(doc);
  if (size > MAX_BSON_SIZE) throw new ServerError(Codes.Location17419, `Resulting document after update is larger than ${MAX_BSON_SIZE}`);
}

export function project(docs: Document[], projection: Document): Document[] {
  const flat = flatProjection(projection);
  if (flat) return docs.map(flat);
  try {
    return new Query({}, { ...MINGO_OPTS }).find(docs, projection).all() as Document[];
  } catch (e) {
    throw new ServerError(Codes.BadValue, (e as Error).message);
  }
}

/**
 * Projections of top-level fields only (`{a: 1, b: 1}`, `{a: 0}`, with or without `_id`): copied directly, in the
 * document's field order as mongod returns them. Mingo builds a query context per call, a large part of a page's time.
 * Anything else (dotted paths, operators, expressions, mixed inclusion and exclusion): null, for mingo.
 */
function flatProjection(projection: Document): ((doc: Document) => Document) | null {
  const fields = Object.keys(projection);
  let include = 0;
  let exclude = 0;
  for (const f of fields) {
    const v = projection[f];
    if (f.includes('.') || f.startsWith('$')) return null;
    if (v === 1 || v === true) include++;
    else if (v === 0 || v === false) exclude++;
    else return null;
  }
  const idOff = projection._id === 0 || projection._id === false;
  if (include > 0 && exclude > (idOff ? 1 : 0)) return null;
  if (include > 0) {
    const keep = new Set(fields.filter((f) => projection[f] === 1 || projection[f] === true));
    if (!idOff) keep.add('_id');
    return (doc) => {
      const out: Document = {};
      for (const k in doc) if (keep.has(k)) out[k] = doc[k];
      return out;
    };
  }
  const drop = new Set(fields);
  return (doc) => {
    const out: Document = {};
    for (const k in doc) if (!drop.has(k)) out[k] = doc[k];
    return out;
  };
}

function stringArg(v: unknown, field: string): string {
  if (typeof v !== 'string' || !v) throw new ServerError(Codes.InvalidNamespace, `Invalid ${field}: expected a collection name, got ${JSON.stringify(v)}`);
  return v;
}

function objArg(v: unknown, field: string): Document {
  if (!isPlainObject(v)) throw new ServerError(Codes.TypeMismatch, `BSON field '${field}' is the wrong type, expected type 'object'`);
  return v;
}

function validateNs(db: string, name: string): void {
  if (!db || /[/\\. "$]/.test(db)) throw new ServerError(Codes.InvalidNamespace, `Invalid database name: '${db}'`);
  if (!name || name.includes('$') || name.startsWith('.') || name.startsWith('system.'))
    throw new ServerError(Codes.InvalidNamespace, `Invalid collection name: ${name}`);
}

function newCursorId(): Long {
  // positive, non-zero 62-bit id
  const hi = Math.floor(Math.random() * 0x3fffffff) + 1;
  const lo = Math.floor(Math.random() * 0xffffffff);
  return Long.fromBits(lo | 0, hi, false);
}

export { applyCollation, ObjectId };
