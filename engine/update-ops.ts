/**
 * Update operators where mingo differs from mongod 7.0, checked or applied before mingo's updater runs:
 * - operand checks at parse time ($inc/$mul arguments, $push clauses), with mongod's codes and messages;
 * - type checks against the document: $inc/$mul on a non-numeric field (14), $push/$addToSet/$pull/$pullAll on a
 *   non-array (2), $pop on a non-array (14) — mingo silently skips these, mongod fails the statement;
 * - $push with $each/$slice/$sort/$position computed like push_node.cpp (insert at position, then sort, then slice)
 *   and handed to mingo as a $set of the resulting array (mingo sorts by one key only, and treats a document with
 *   $slice but no $each as modifiers).
 * Paths with positional parts (`$`, `$[]`, `$[id]`) are left to mingo.
 */
import type { Document } from 'bson';
import { ServerError } from './errors.js';
import { formatElement } from './format.js';
import { cloneDeep, compareValues, getPath, isPlainObject } from './values.js';

const BSON_NUMERIC = new Set(['Long', 'Int32', 'Double', 'Decimal128']);

function isNumeric(v: unknown): boolean {
  return typeof v === 'number' || typeof v === 'bigint' || BSON_NUMERIC.has((v as { _bsontype?: string })?._bsontype ?? '');
}

/** mongod's typeName() of a value. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) <= 0x7fffffff ? 'int' : 'double';
  if (Array.isArray(v)) return 'array';
  if (v instanceof Date) return 'date';
  if (v instanceof RegExp) return 'regex';
  switch ((v as { _bsontype?: string })._bsontype) {
    case 'ObjectId':
      return 'objectId';
    case 'Long':
      return 'long';
    case 'Int32':
      return 'int';
    case 'Double':
      return 'double';
    case 'Decimal128':
      return 'decimal';
    case 'Binary':
      return 'binData';
    case 'Timestamp':
      return 'timestamp';
    case 'MinKey':
      return 'minKey';
    case 'MaxKey':
      return 'maxKey';
    case 'BSONRegExp':
      return 'regex';
    default:
      return 'object';
  }
}

function isInteger(v: unknown): boolean {
  if (typeof v === 'number') return Number.isInteger(v);
  const t = (v as { _bsontype?: string })?._bsontype;
  return t === 'Long' || t === 'Int32';
}

const isPositional = (path: string) => path.split('.').some((p) => p.startsWith('$'));

/** Parse-time checks of operator arguments (mongod fails the statement before touching any document). */
export function checkOperands(u: Document): void {
  for (const [op, name] of [['$inc', 'increment'], ['$mul', 'multiply']] as const) {
    const spec = u[op];
    if (!isPlainObject(spec)) continue;
    for (const [path, v] of Object.entries(spec))
      if (!isNumeric(v)) throw new ServerError(14, `Cannot ${name} with non-numeric argument: {${formatElement(path, v)}}`);
  }
  if (isPlainObject(u.$push)) for (const v of Object.values(u.$push)) parsePush(v);
  if (isPlainObject(u.$addToSet))
    for (const v of Object.values(u.$addToSet)) {
      if (!isPlainObject(v) || Object.keys(v)[0] !== '$each') continue;
      if (!Array.isArray(v.$each)) throw new ServerError(14, `The argument to $each in $addToSet must be an array but it was of type ${typeName(v.$each)}`);
    }
}

interface PushSpec {
  values: unknown[];
  slice?: number;
  sort?: { whole: number } | { pattern: Array<[string, number]> };
  position?: number;
}

/** push_node.cpp PushNode::init. */
function parsePush(v: unknown): PushSpec {
  if (!isPlainObject(v) || !('$each' in v)) return { values: [v] };
  const seen = new Set<string>();
  for (const k of Object.keys(v)) {
    if (!['$each', '$slice', '$sort', '$position'].includes(k)) throw new ServerError(2, `Unrecognized clause in $push: ${k}`);
    if (seen.has(k)) throw new ServerError(2, `Only one ${k} is supported.`);
    seen.add(k);
  }
  if (!Array.isArray(v.$each)) throw new ServerError(2, `The argument to $each in $push must be an array but it was of type: ${typeName(v.$each)}`);
  const spec: PushSpec = { values: v.$each };
  if ('$slice' in v) {
    if (!isInteger(v.$slice)) throw new ServerError(2, `The value for $slice must be an integer value but was given type: ${typeName(v.$slice)}`);
    spec.slice = Number(v.$slice);
  }
  if ('$sort' in v) {
    const s = v.$sort;
    if (isPlainObject(s)) {
      const keys = Object.keys(s);
      if (!keys.length) throw new ServerError(2, 'The $sort pattern is empty when it should be a set of fields.');
      const pattern: Array<[string, number]> = [];
      for (const k of keys) {
        const d = typeof s[k] === 'number' ? s[k] : Number.NaN;
        if (d !== 1 && d !== -1) throw new ServerError(2, 'The $sort element value must be either 1 or -1');
        if (k.split('.').some((p) => p === '')) throw new ServerError(2, `The $sort field is a dotted field but has an empty part: ${k}`);
        pattern.push([k, d]);
      }
      spec.sort = { pattern };
    } else if (typeof s === 'number') {
      if (s !== 1 && s !== -1) throw new ServerError(2, 'The $sort element value must be either 1 or -1');
      spec.sort = { whole: s };
    } else throw new ServerError(2, 'The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields');
  }
  if ('$position' in v) {
    if (!isInteger(v.$position)) throw new ServerError(2, `The value for $position must be an integer value, not of type: ${typeName(v.$position)}`);
    spec.position = Number(v.$position);
  }
  return spec;
}

/** push_node.cpp performPush: insert at position, sort, then trim to |slice| (from the back, or the front if < 0). */
function performPush(current: unknown[], spec: PushSpec): unknown[] {
  const arr = current.slice();
  const values = spec.values.map((x) => cloneDeep(x));
  const size = arr.length;
  const pos = spec.position;
  if (values.length) {
    if (size === 0 || pos === undefined || pos > size) arr.push(...values);
    else if (pos > 0) arr.splice(pos, 0, ...values);
    else if (pos < 0 && -pos < size) arr.splice(size + pos, 0, ...values);
    else arr.unshift(...values);
  }
  if (spec.sort) {
    const sort = spec.sort;
    const cmp =
      'whole' in sort
        ? (a: unknown, b: unknown) => compareValues(a, b) * sort.whole
        : (a: unknown, b: unknown) => {
            for (const [f, d] of sort.pattern) {
              const va = isPlainObject(a) ? getPath(a, f) : undefined;
              const vb = isPlainObject(b) ? getPath(b, f) : undefined;
              const c = compareValues(va ?? null, vb ?? null);
              if (c) return c * d;
            }
            return 0;
          };
    arr.sort(cmp);
  }
  if (spec.slice !== undefined) {
    const n = Math.abs(spec.slice);
    if (arr.length > n) return spec.slice >= 0 ? arr.slice(0, n) : arr.slice(arr.length - n);
  }
  return arr;
}

/** Resolves a plain dotted path; `blocked` when a part cannot be traversed (left to mingo). */
function lookup(doc: Document, path: string): { found: boolean; value?: unknown; blocked?: boolean } {
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (isPlainObject(cur)) {
      if (!(part in cur)) return { found: false };
      cur = cur[part];
    } else if (Array.isArray(cur) && /^\d+$/.test(part)) {
      const i = Number(part);
      if (i >= cur.length) return { found: false };
      cur = cur[i];
    } else if (cur === undefined) return { found: false };
    else return { found: false, blocked: true };
  }
  return { found: true, value: cur };
}

function idText(doc: Document): string {
  return doc._id === undefined ? 'no id' : formatElement('_id', doc._id);
}

/**
 * Checks the operators against the document like mongod and rewrites `$push` on plain paths into a `$set` of the
 * pushed array. Returns the operator document mingo should apply.
 */
export function prepareOperators(doc: Document, ops: Document): Document {
  const out: Document = { ...ops };
  for (const op of ['$inc', '$mul'])
    for (const path of Object.keys(ops[op] ?? {})) {
      if (isPositional(path)) continue;
      const r = lookup(doc, path);
      if (r.found && !isNumeric(r.value)) {
        const field = path.split('.').pop();
        throw new ServerError(14, `Cannot apply ${op} to a value of non-numeric type. {${idText(doc)}} has the field '${field}' of non-numeric type ${typeName(r.value)}`);
      }
    }
  for (const path of Object.keys(ops.$addToSet ?? {})) {
    if (isPositional(path)) continue;
    const r = lookup(doc, path);
    if (r.found && !Array.isArray(r.value))
      throw new ServerError(2, `Cannot apply $addToSet to non-array field. Field named '${path.split('.').pop()}' has non-array type ${typeName(r.value)}`);
  }
  for (const op of ['$pull', '$pullAll'])
    for (const path of Object.keys(ops[op] ?? {})) {
      if (isPositional(path)) continue;
      const r = lookup(doc, path);
      if (r.found && !Array.isArray(r.value)) throw new ServerError(2, 'Cannot apply $pull to a non-array value');
    }
  for (const path of Object.keys(ops.$pop ?? {})) {
    if (isPositional(path)) continue;
    const r = lookup(doc, path);
    if (r.found && !Array.isArray(r.value)) throw new ServerError(14, `Path '${path}' contains an element of non-array type '${typeName(r.value)}'`);
  }
  if (isPlainObject(ops.$push)) {
    const rest: Document = {};
    const sets: Document = {};
    for (const [path, v] of Object.entries(ops.$push)) {
      const r = isPositional(path) || path.split('.').some((p) => /^\d+$/.test(p)) ? { found: false, blocked: true } : lookup(doc, path);
      if (r.blocked) {
        rest[path] = v;
        continue;
      }
      if (r.found && !Array.isArray(r.value))
        throw new ServerError(2, `The field '${path}' must be an array but is of type ${typeName(r.value)} in document {${idText(doc)}}`);
      sets[path] = performPush(r.found ? (r.value as unknown[]) : [], parsePush(v));
    }
    if (Object.keys(rest).length) out.$push = rest;
    else delete out.$push;
    if (Object.keys(sets).length) out.$set = { ...(out.$set ?? {}), ...sets };
  }
  return out;
}
