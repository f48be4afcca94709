/**
 * Diagnostics commands with mongod 7.0's reply shapes: dbStats, collStats (the deprecated command; `$collStats` is in
 * stages.ts), serverStatus, hostInfo, getCmdLineOpts, getParameter, getLog. Sizes are computed from the documents in
 * memory (BSON sizes); there is no compression, so storageSize equals the data size.
 */
import fs from 'node:fs';
import os from 'node:os';
import { Double, Long, type Document } from 'bson';
import type { Collection } from './collection.js';
import { Codes, ServerError } from './errors.js';
import { isView, notACollection } from './views.js';

export const SERVER_VERSION = '7.0.0';
/** mongod's default connection limit on Linux (80% of the default open-file limit). */
const MAX_CONNECTIONS = 838_860;

/** Counters that serverStatus reports, updated by the engine and the wire server. */
export class ServerCounters {
  readonly startedAt = Date.now();
  connectionsCurrent = 0;
  connectionsTotal = 0;
  requests = 0;
  bytesIn = 0;
  bytesOut = 0;
  readonly opcounters = { insert: 0, query: 0, update: 0, delete: 0, getmore: 0, command: 0 };

  /** Counts a command the way mongod's opcounters do (inserts/updates/deletes per statement). */
  record(cmd: Document): void {
    const name = Object.keys(cmd)[0]?.toLowerCase();
    this.requests++;
    const oc = this.opcounters;
    if (name === 'insert') oc.insert += Array.isArray(cmd.documents) ? cmd.documents.length : 0;
    else if (name === 'update') oc.update += Array.isArray(cmd.updates) ? cmd.updates.length : 0;
    else if (name === 'delete') oc.delete += Array.isArray(cmd.deletes) ? cmd.deletes.length : 0;
    else if (name === 'find') oc.query++;
    else if (name === 'getmore') oc.getmore++;
    else oc.command++;
  }
}

/** Approximate bytes of an index: per entry, the key values plus a record id. */
export function indexSize(c: Collection, i: number): number {
  const ix = c.indexes[i];
  return ix.size * (16 + 12 * ix.fields.length);
}

export function scaleArg(v: unknown): number {
  if (v === undefined || v === null) return 1;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ServerError(Codes.TypeMismatch, 'scale has to be a number >= 1');
  if (v < 1) throw new ServerError(Codes.BadValue, 'scale has to be >= 1');
  return Math.floor(v);
}

/** The collStats reply of one collection (also the `storageStats` of `$collStats`). */
export function collStatsDoc(c: Collection, scale: number): Document {
  const size = c.dataSize();
  const count = c.docs.size;
  const indexSizes: Document = {};
  let totalIndexSize = 0;
  c.indexes.forEach((ix, i) => {
    const s = indexSize(c, i);
    totalIndexSize += s;
    indexSizes[ix.name] = Math.floor(s / scale);
  });
  const out: Document = { ns: c.ns, size: Math.floor(size / scale), count };
  if (count) out.avgObjSize = Math.floor(size / count);
  Object.assign(out, {
    numOrphanDocs: 0,
    storageSize: Math.floor(size / scale),
    freeStorageSize: 0,
    capped: false,
    nindexes: c.indexes.length,
    indexBuilds: [],
    totalIndexSize: Math.floor(totalIndexSize / scale),
    totalSize: Math.floor((size + totalIndexSize) / scale),
    indexSizes,
    scaleFactor: scale,
    ok: 1,
  });
  return out;
}

/** `collStats` command: ok with zero sizes for a missing collection (as mongod 7), 166 for a view. */
export function collStats(colls: Map<string, Collection> | undefined, db: string, cmd: Document): Document {
  const name = cmd.collStats ?? cmd.collstats;
  if (typeof name !== 'string' || !name) throw new ServerError(Codes.InvalidNamespace, `collection name has invalid type ${typeof name}`);
  const scale = scaleArg(cmd.scale);
  const c = colls?.get(name);
  if (!c)
    return { ns: `${db}.${name}`, size: 0, count: 0, numOrphanDocs: 0, storageSize: 0, totalSize: 0, nindexes: 0, totalIndexSize: 0, indexSizes: {}, scaleFactor: scale, ok: 1 };
  if (isView(c)) throw notACollection(c.ns);
  return collStatsDoc(c, scale);
}

function fsSizes(dir: string | undefined): { fsUsedSize: number; fsTotalSize: number } {
  try {
    const st = fs.statfsSync(dir ?? os.tmpdir());
    return { fsUsedSize: (st.blocks - st.bfree) * st.bsize, fsTotalSize: st.blocks * st.bsize };
  } catch {
    return { fsUsedSize: 0, fsTotalSize: 0 };
  }
}

export function dbStats(colls: Map<string, Collection> | undefined, db: string, cmd: Document, dataDir: string | undefined): Document {
  const scale = scaleArg(cmd.scale);
  let collections = 0;
  let views = 0;
  let objects = 0;
  let dataSize = 0;
  let indexes = 0;
  let indexBytes = 0;
  for (const c of colls?.values() ?? []) {
    if (isView(c)) {
      views++;
      continue;
    }
    collections++;
    objects += c.docs.size;
    dataSize += c.dataSize();
    indexes += c.indexes.length;
    c.indexes.forEach((_ix, i) => (indexBytes += indexSize(c, i)));
  }
  const fsz = colls ? fsSizes(dataDir) : { fsUsedSize: 0, fsTotalSize: 0 };
  return {
    db,
    collections,
    views,
    objects,
    avgObjSize: objects ? dataSize / objects : 0,
    dataSize: dataSize / scale,
    storageSize: dataSize / scale,
    indexes,
    indexSize: indexBytes / scale,
    totalSize: (dataSize + indexBytes) / scale,
    scaleFactor: scale,
    fsUsedSize: fsz.fsUsedSize / scale,
    fsTotalSize: fsz.fsTotalSize / scale,
    ok: 1,
  };
}

export interface ServerInfo {
  host: string;
  port: number;
  dataDir?: string;
}

export function hostName(info: ServerInfo): string {
  return `${os.hostname()}:${info.port}`;
}

export function serverStatus(counters: ServerCounters, info: ServerInfo): Document {
  const upMs = Date.now() - counters.startedAt;
  const mem = process.memoryUsage();
  const oc = counters.opcounters;
  return {
    host: hostName(info),
    version: SERVER_VERSION,
    process: 'mongod',
    pid: Long.fromNumber(process.pid),
    uptime: new Double(Math.floor(upMs / 1000)),
    uptimeMillis: Long.fromNumber(upMs),
    uptimeEstimate: Long.fromNumber(Math.floor(upMs / 1000)),
    localTime: new Date(),
    asserts: { regular: 0, warning: 0, msg: 0, user: 0, tripwire: 0, rollovers: 0 },
    connections: {
      current: counters.connectionsCurrent,
      available: MAX_CONNECTIONS - counters.connectionsCurrent,
      totalCreated: counters.connectionsTotal,
      rejected: 0,
      active: Math.min(1, counters.connectionsCurrent),
      threaded: counters.connectionsCurrent,
      exhaustIsMaster: 0,
      exhaustHello: 0,
      awaitingTopologyChanges: 0,
    },
    mem: { bits: 64, resident: Math.round(mem.rss / 1048576), virtual: Math.round((mem.rss + mem.external) / 1048576), supported: true },
    network: {
      bytesIn: Long.fromNumber(counters.bytesIn),
      bytesOut: Long.fromNumber(counters.bytesOut),
      numRequests: Long.fromNumber(counters.requests),
    },
    opcounters: {
      insert: Long.fromNumber(oc.insert),
      query: Long.fromNumber(oc.query),
      update: Long.fromNumber(oc.update),
      delete: Long.fromNumber(oc.delete),
      getmore: Long.fromNumber(oc.getmore),
      command: Long.fromNumber(oc.command),
    },
    storageEngine: { name: 'embedded', supportsCommittedReads: false, readOnly: false, persistent: !!info.dataDir },
    ok: 1,
  };
}

export function hostInfo(): Document {
  const cpus = os.cpus();
  return {
    system: {
      currentTime: new Date(),
      hostname: os.hostname(),
      cpuAddrSize: 64,
      memSizeMB: Long.fromNumber(Math.round(os.totalmem() / 1048576)),
      memLimitMB: Long.fromNumber(Math.round(os.totalmem() / 1048576)),
      numCores: cpus.length,
      numPhysicalCores: cpus.length,
      numCpuSockets: 1,
      cpuArch: os.arch() === 'x64' ? 'x86_64' : os.arch(),
      numaEnabled: false,
      numNumaNodes: 1,
    },
    os: { type: os.type(), name: os.type(), version: os.release() },
    extra: { versionString: `${os.type()} ${os.release()}`, pageSize: Long.fromNumber(4096), numPages: 0, maxOpenFiles: 0 },
    ok: 1,
  };
}

export function getCmdLineOpts(info: ServerInfo): Document {
  const argv = ['mongod', '--port', String(info.port), '--bind_ip', info.host];
  const parsed: Document = { net: { bindIp: info.host, port: info.port } };
  if (info.dataDir) {
    argv.push('--dbpath', info.dataDir);
    parsed.storage = { dbPath: info.dataDir };
  }
  return { argv, parsed, ok: 1 };
}

/** The server parameters getParameter knows (the ones drivers, mongosh and tools ask for). */
function parameters(testCommands: boolean): Document {
  return {
    featureCompatibilityVersion: { version: '7.0' },
    enableTestCommands: testCommands,
    authenticationMechanisms: ['SCRAM-SHA-1', 'SCRAM-SHA-256'],
    maxBSONDepth: 200,
    internalQueryMaxBlockingSortMemoryUsageBytes: 104857600,
    internalQueryFrameworkControl: 'trySbeRestricted',
    transactionLifetimeLimitSeconds: 60,
    logLevel: 0,
    quiet: false,
  };
}

export function getParameter(cmd: Document, testCommands: boolean): Document {
  const all = parameters(testCommands);
  const arg = cmd.getParameter;
  if (arg === '*' || (typeof arg === 'object' && arg && (arg as Document).allParameters)) return { ...all, ok: 1 };
  const out: Document = {};
  for (const k of Object.keys(cmd)) {
    if (k === 'getParameter' || k.startsWith('$') || k === 'lsid' || k === 'comment') continue;
    if (k in all) out[k] = all[k];
  }
  if (!Object.keys(out).length) throw new ServerError(Codes.InvalidOptions, 'no option found to get');
  return { ...out, ok: 1 };
}

export function getLog(cmd: Document): Document {
  const which = cmd.getLog;
  if (which === '*') return { names: ['global', 'startupWarnings'], ok: 1 };
  if (which === 'global' || which === 'startupWarnings') return { totalLinesWritten: 0, log: [], ok: 1 };
  if (typeof which !== 'string') throw new ServerError(Codes.TypeMismatch, "Argument to getLog must be of type String; found " + JSON.stringify(which));
  throw new ServerError(Codes.BadValue, `no RamLog named: ${which}`);
}
