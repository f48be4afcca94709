/**
 * `let` variables of find, aggregate, update, delete and findAndModify (MongoDB 5.0+): constants (or expressions,
 * evaluated once) referenced as `$$name` in `$expr` and in pipelines. The engine's matcher runs filters without
 * variables, so `$$name` references inside `$expr` are replaced by `{$literal: value}` before matching; pipelines
 * (aggregate stages after the leading $match, pipeline updates) get the variables through mingo's `variables` option.
 */
import type { Document } from 'bson';
import { Aggregator } from 'mingo';
import { MINGO_OPTS } from './collection.js';
import { ServerError } from './errors.js';
import { formatBson } from './format.js';
import { getPath, isPlainObject } from './values.js';

const SYSTEM = new Set(['ROOT', 'CURRENT', 'NOW', 'CLUSTER_TIME', 'REMOVE', 'DESCEND', 'PRUNE', 'KEEP', 'SEARCH_META', 'USER_ROLES']);

/** Evaluates a command's `let` document (each value is an expression); undefined when there is none. */
export function evaluateLet(spec: unknown): Document | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainObject(spec)) throw new ServerError(14, `BSON field 'let' is the wrong type, expected type 'object'`);
  const keys = Object.keys(spec);
  if (!keys.length) return undefined;
  try {
    const [out] = new Aggregator([{ $replaceWith: { $literal: {} } }, { $set: spec }], { ...MINGO_OPTS }).run([{}]) as Document[];
    return out ?? {};
  } catch (e) {
    throw new ServerError(2, `Invalid let: ${formatBson(spec)}: ${(e as Error).message}`);
  }
}

/** The filter with `$$name` references inside `$expr` replaced by their values. */
export function bindLet(filter: Document, vars: Document | undefined): Document {
  if (!vars || !Object.keys(vars).length) return filter;
  const rewriteFilter = (f: Document): Document => {
    const out: Document = {};
    for (const [k, v] of Object.entries(f)) {
      if (k === '$expr') out[k] = substitute(v, vars, new Set());
      else if ((k === '$and' || k === '$or' || k === '$nor') && Array.isArray(v)) out[k] = v.map((x) => (isPlainObject(x) ? rewriteFilter(x) : x));
      else out[k] = v;
    }
    return out;
  };
  return rewriteFilter(filter);
}

function substitute(e: unknown, vars: Document, bound: Set<string>): unknown {
  if (typeof e === 'string') {
    if (!e.startsWith('$$')) return e;
    const [name, ...rest] = e.slice(2).split('.');
    if (SYSTEM.has(name) || bound.has(name) || !Object.hasOwn(vars, name)) return e;
    const value = rest.length ? getPath(vars[name], rest.join('.')) : vars[name];
    return { $literal: value };
  }
  if (Array.isArray(e)) return e.map((x) => substitute(x, vars, bound));
  if (!isPlainObject(e)) return e;
  if ('$literal' in e) return e;
  // operators that bind their own variables: those names are not the command's
  const inner = new Set(bound);
  if (isPlainObject(e.$let) && isPlainObject(e.$let.vars)) {
    const vs = e.$let.vars as Document;
    const newVars: Document = {};
    for (const [k, v] of Object.entries(vs)) newVars[k] = substitute(v, vars, bound);
    for (const k of Object.keys(vs)) inner.add(k);
    return { $let: { vars: newVars, in: substitute(e.$let.in, vars, inner) } };
  }
  for (const op of ['$map', '$filter', '$sortArray']) {
    const spec = e[op];
    if (isPlainObject(spec)) {
      inner.add(typeof spec.as === 'string' ? spec.as : 'this');
      const out: Document = {};
      for (const [k, v] of Object.entries(spec)) out[k] = k === 'input' ? substitute(v, vars, bound) : substitute(v, vars, inner);
      return { [op]: out };
    }
  }
  if (isPlainObject(e.$reduce)) {
    inner.add('value').add('this');
    const out: Document = {};
    for (const [k, v] of Object.entries(e.$reduce as Document)) out[k] = k === 'in' ? substitute(v, vars, inner) : substitute(v, vars, bound);
    return { $reduce: out };
  }
  const out: Document = {};
  for (const [k, v] of Object.entries(e)) out[k] = substitute(v, vars, bound);
  return out;
}
