/**
 * Command parsing checks done like mongod 7.0's IDL parsers: per-command field allowlists (unknown fields are refused
 * with 40415 "BSON field 'find.bogus' is an unknown field."), statement-level allowlists for `updates[]`/`deletes[]`,
 * write concern validation for a standalone, and collation locale validation.
 *
 * The allowlists come from mongod 7.0's IDL files (find_command.idl, write_ops.idl, aggregate_command.idl,
 * count_command.idl, distinct_command.idl) plus the generic arguments every command accepts (generic_argument.idl).
 * Internal and unstable fields are kept: mongod accepts them, so refusing them would be a difference.
 */
import type { Document } from 'bson';
import { ServerError } from './errors.js';
import { formatBson } from './format.js';
import { isPlainObject } from './values.js';

/** generic_argument.idl: accepted by every command (api v1 and unstable lists). */
const GENERIC = [
  'apiVersion', 'apiStrict', 'apiDeprecationErrors', '$db', 'maxTimeMS', 'readConcern', 'writeConcern', 'lsid',
  'clientOperationKey', 'txnNumber', 'autocommit', 'startTransaction', 'stmtId', 'comment', '$readPreference',
  '$clusterTime', '$audit', '$client', '$configServerState', 'allowImplicitCollectionCreation', '$oplogQueryData',
  '$queryOptions', '$replData', 'databaseVersion', 'shardVersion', 'tracking_info', 'coordinator', 'maxTimeMSOpOnly',
  '$configTime', '$topologyTime', 'txnRetryCounter', 'mayBypassWriteBlocking', '$tenant',
];

/** WriteCommandRequestBase (write_ops.idl), chained into insert/update/delete. */
const WRITE_BASE = ['bypassDocumentValidation', 'ordered', 'stmtId', 'stmtIds', 'isTimeseriesNamespace', 'collectionUUID', 'encryptionInformation'];

const COMMAND_FIELDS: Record<string, string[]> = {
  find: [
    'filter', 'projection', 'sort', 'hint', 'collation', 'skip', 'limit', 'batchSize', 'ntoreturn', 'singleBatch',
    'allowDiskUse', 'min', 'max', 'returnKey', 'showRecordId', '$queryOptions', 'tailable', 'oplogReplay',
    'noCursorTimeout', 'awaitData', 'allowPartialResults', 'let', 'options', 'term', 'readOnce',
    'allowSpeculativeMajorityRead', '$_requestResumeToken', '$_resumeAfter', '$_startAt', 'maxTimeMS', 'readConcern',
    'runtimeConstants', 'collectionUUID', 'encryptionInformation', 'mirrored', 'sampleId',
  ],
  insert: [...WRITE_BASE, 'documents'],
  update: [...WRITE_BASE, 'updates', 'let', 'runtimeConstants', 'mirrored'],
  delete: [...WRITE_BASE, 'deletes', 'let', 'runtimeConstants'],
  findAndModify: [
    'query', 'fields', 'sort', 'batchSize', 'singleBatch', 'hint', 'collation', 'arrayFilters', 'remove', 'update',
    'upsert', 'new', 'stmtId', 'bypassDocumentValidation', 'let', 'runtimeConstants', 'writeConcern',
    'encryptionInformation', 'mirrored', 'sampleId', '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery',
  ],
  aggregate: [
    'pipeline', 'explain', 'allowDiskUse', 'cursor', 'maxTimeMS', 'bypassDocumentValidation', 'readConcern',
    'collation', 'hint', 'writeConcern', 'let', 'needsMerge', 'fromMongos', '$queryOptions',
    '$_requestReshardingResumeToken', 'exchange', 'runtimeConstants', 'isMapReduceCommand', 'collectionUUID',
    '$_passthroughToShard', 'encryptionInformation', '$_externalDataSources', 'sampleId', 'stmtId',
    '$_isClusterQueryWithoutShardKeyCmd', '$_requestResumeToken', '$_resumeAfter', '$_generateV2ResumeTokens',
  ],
  count: ['query', 'limit', 'skip', 'hint', 'collation', 'fields', 'readConcern', 'maxTimeMS', '$queryOptions', 'encryptionInformation', 'mirrored', 'sampleId'],
  // `hint` on distinct is new in 7.1: mongod 7.0 refuses it as an unknown field.
  distinct: ['key', 'query', 'collation', 'mirrored', 'sampleId', '$queryOptions'],
};

/** UpdateOpEntry / DeleteOpEntry (write_ops.idl, 7.0). `sort` in an update statement is new in 8.0. */
const UPDATE_STATEMENT = new Set(['q', 'u', 'c', 'arrayFilters', 'hint', 'multi', 'upsert', 'upsertSupplied', 'collation', 'sampleId', '$_allowShardKeyUpdatesWithoutFullShardKeyInQuery']);
const DELETE_STATEMENT = new Set(['q', 'limit', 'hint', 'collation', 'sampleId']);

const ALLOWED: Record<string, Set<string>> = Object.fromEntries(
  Object.entries(COMMAND_FIELDS).map(([name, fields]) => [name, new Set([...GENERIC, ...fields])]),
);

/** Canonical command name (findandmodify is an alias of findAndModify). */
function canonical(name: string): string {
  return name.toLowerCase() === 'findandmodify' ? 'findAndModify' : name;
}

export function unknownField(path: string): ServerError {
  return new ServerError(40415, `BSON field '${path}' is an unknown field.`);
}

/**
 * Refuses fields mongod 7.0's parser for this command does not know (top level, then statements), like mongod:
 * the first unknown field in document order fails the whole command with 40415.
 */
export function checkCommandFields(name: string, cmd: Document): void {
  const cmdName = canonical(name);
  const allowed = ALLOWED[cmdName];
  if (!allowed) return;
  const keys = Object.keys(cmd);
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    if (allowed.has(k)) continue;
    if (k === 'jsonSchema') throw new ServerError(4662500, `BSON field '${cmdName}.${k}' is an unknown field. This command may be meant for a mongocryptd process.`);
    throw unknownField(`${cmdName}.${k}`);
  }
  const statements = cmdName === 'update' ? cmd.updates : cmdName === 'delete' ? cmd.deletes : undefined;
  if (Array.isArray(statements)) {
    const field = cmdName === 'update' ? 'updates' : 'deletes';
    const set = cmdName === 'update' ? UPDATE_STATEMENT : DELETE_STATEMENT;
    for (const st of statements) {
      if (!isPlainObject(st)) continue;
      for (const k of Object.keys(st)) if (!set.has(k)) throw unknownField(`${cmdName}.${field}.${k}`);
    }
  }
}

/**
 * Write concern on a standalone (write_concern.cpp validateWriteConcern): `w` > 1 and custom `w` modes cannot be
 * satisfied, so mongod refuses the command before running it (BadValue, nothing applied).
 */
export function checkWriteConcern(cmd: Document): void {
  const wc = cmd.writeConcern;
  if (!isPlainObject(wc)) return;
  const w = wc.w;
  if (typeof w === 'number' && w > 1) throw new ServerError(2, "cannot use 'w' > 1 when a host is not replicated");
  if (typeof w === 'string' && w !== 'majority')
    throw new ServerError(2, `cannot use non-majority 'w' mode "${w}" when a host is not a member of a replica set`);
}

// ---- collation ----

/**
 * The locales of "Collation Locales and Default Parameters" (MongoDB 7.0 manual), as ICU locale ids, with the
 * `@collation=` variants the table lists. mongod accepts a locale only when ICU's collator reports the very same id
 * (collator_factory_icu.cpp validateLocaleID): ids are case-sensitive and written with underscores.
 */
const LOCALES: Record<string, string[]> = {
  af: [], sq: [], am: [], ar: ['compat'], hy: [], as: [], az: ['search'], bn: ['traditional'], be: [], bs: ['search'],
  bs_Cyrl: [], bg: [], my: [], ca: ['search'], chr: [], zh: ['big5han', 'gb2312han', 'unihan', 'zhuyin'], zh_Hant: [],
  hr: ['search'], cs: ['search'], da: ['search'], nl: [], dz: [], en: [], en_US: [], en_US_POSIX: [], eo: [], et: [],
  ee: [], fo: [], fil: [], fi: ['search', 'traditional'], fr: [], fr_CA: [], gl: ['search'], ka: [],
  de: ['search', 'eor', 'phonebook'], de_AT: ['phonebook'], el: [], gu: [], ha: [], haw: [], he: ['search'], hi: [],
  hu: [], is: ['search'], ig: [], smn: ['search'], id: [], ga: [], it: [], ja: ['unihan'], kl: ['search'],
  kn: ['traditional'], kk: [], km: [], kok: [], ko: ['search', 'searchjl', 'unihan'], ky: [], lkt: [], lo: [], lv: [],
  ln: ['phonetic'], lt: [], dsb: [], lb: [], mk: [], ms: [], ml: [], mt: [], mr: [], mn: [], ne: [], se: ['search'],
  nb: ['search'], nn: ['search'], or: [], om: [], ps: [], fa: [], fa_AF: [], pl: [], pt: [], pa: [], ro: [], ru: [],
  sr: [], sr_Latn: ['search'], si: ['dictionary'], sk: ['search'], sl: [], es: ['search', 'traditional'], sw: [],
  sv: ['search'], ta: [], te: [], th: [], bo: [], to: [], tr: ['search'], uk: [], hsb: [], ur: [], ug: [],
  vi: ['traditional'], wae: [], cy: [], yi: ['search'], yo: [], zu: [],
};

/** ICU's canonical spelling of an id (what mongod suggests with "Did you mean"): `en-us` -> `en_US`. */
function icuName(id: string): string | null {
  const [base, variant] = id.split('@');
  const parts = base.split(/[-_]/).filter(Boolean);
  if (!parts.length) return null;
  const out = [parts[0].toLowerCase()];
  for (const p of parts.slice(1)) out.push(p.length === 4 ? p[0].toUpperCase() + p.slice(1).toLowerCase() : p.toUpperCase());
  const name = out.join('_');
  return variant === undefined ? name : `${name}@${variant.toLowerCase()}`;
}

function knownLocale(id: string): boolean {
  const [base, variant, ...rest] = id.split('@');
  if (rest.length || !Object.hasOwn(LOCALES, base)) return false;
  if (variant === undefined) return true;
  const m = /^collation=([a-z0-9]+)$/.exec(variant);
  return !!m && LOCALES[base].includes(m[1]);
}

/** Validates a collation document like mongod (locale, known fields); throws mongod's errors. */
export function checkCollation(spec: unknown): void {
  if (spec === undefined || spec === null) return;
  if (!isPlainObject(spec)) throw new ServerError(14, `BSON field 'collation' is the wrong type '${typeof spec}', expected type 'object'`);
  const locale = spec.locale;
  if (locale === undefined) throw new ServerError(40414, "BSON field 'locale' is missing but a required field");
  if (typeof locale !== 'string') throw new ServerError(14, `BSON field 'locale' is the wrong type, expected type 'string'`);
  if (locale === 'simple') {
    if (Object.keys(spec).length > 1) throw new ServerError(9, `If locale=simple, no other fields should be present in: ${formatBson(spec)}`);
    return;
  }
  if (locale === '') throw new ServerError(2, `Field 'locale' cannot be the empty string in: ${formatBson(spec)}`);
  if (knownLocale(locale)) return;
  const suggestion = icuName(locale);
  let msg = `Field 'locale' is invalid in: ${formatBson(spec)}`;
  if (suggestion && suggestion !== locale && knownLocale(suggestion)) msg += `. Did you mean '${suggestion}'?`;
  throw new ServerError(2, msg);
}

/** The BCP 47 tag Intl.Collator understands for an (accepted) ICU locale id: `en_US` -> `en-US`, variants as -u-co-. */
export function intlLocale(id: string): string {
  const [base, variant] = id.split('@');
  const tag = base.replace(/_/g, '-').replace(/-POSIX$/, '');
  const co = variant?.replace(/^collation=/, '');
  const map: Record<string, string> = { phonebook: 'phonebk', traditional: 'trad', dictionary: 'dict', gb2312han: 'gb2312' };
  return co ? `${tag}-u-co-${map[co] ?? co}` : tag;
}

const COLLATION_COMMANDS = new Set(['find', 'aggregate', 'count', 'distinct', 'findAndModify']);

/** Everything mongod checks while parsing a command, before running it (see the functions above). */
export function checkCommand(name: string, cmd: Document): void {
  checkCommandFields(name, cmd);
  checkWriteConcern(cmd);
  if (COLLATION_COMMANDS.has(canonical(name))) checkCollation(cmd.collation);
}
