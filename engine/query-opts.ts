/**
 * Query options handled like mongod 7.0: `hint` (must name an existing index, or `{$natural: 1|-1}`), natural order
 * (`sort`/`hint` `{$natural: -1}` = reverse insertion order), and collation-aware value equality for `distinct`.
 */
import type { Document } from 'bson';
import { collator, type Collation, type Collection } from './collection.js';
import { ServerError } from './errors.js';
import { formatBson, formatValue } from './format.js';
import { isPlainObject, keyString, normalizeNumbers } from './values.js';

export interface HintContext {
  ns: string;
  filter: Document;
  sort?: Document | null;
  projection?: Document | null;
  limit?: number;
  skip?: number;
}

/** A {$natural: 1|-1} sort or hint, as its direction (0 when it is neither). */
export function naturalDirection(spec: unknown): 1 | -1 | 0 {
  if (!isPlainObject(spec)) return 0;
  const keys = Object.keys(spec);
  if (keys.length !== 1 || keys[0] !== '$natural') return 0;
  return Number(normalizeNumbers(spec.$natural)) < 0 ? -1 : 1;
}

function treeString(filter: Document): string {
  const leaves: string[] = [];
  for (const [k, v] of Object.entries(filter)) {
    if (isPlainObject(v) && Object.keys(v).length && Object.keys(v).every((o) => o.startsWith('$')))
      for (const [op, x] of Object.entries(v)) leaves.push(`${k} ${op} ${formatValue(x)}`);
    else if (k.startsWith('$')) leaves.push(`${k} ${formatValue(v)}`);
    else leaves.push(`${k} $eq ${formatValue(v)}`);
  }
  if (leaves.length === 1) return `${leaves[0]}\n`;
  return `$and\n${leaves.map((l) => `    ${l}\n`).join('')}`;
}

/**
 * Throws mongod's planner error when `hint` names no index of the collection (BadValue 2, "error processing query:
 * ... planner returned error :: caused by :: hint provided does not correspond to an existing index"). A missing
 * collection accepts any hint (mongod plans nothing for it). Returns the natural-order direction of a $natural hint.
 */
export function checkHint(c: Collection | undefined, hint: unknown, ctx: HintContext): 1 | -1 | 0 {
  if (hint === undefined || hint === null) return 0;
  if (typeof hint !== 'string' && !isPlainObject(hint)) throw new ServerError(9, 'hint must be either a string or nested object');
  if (isPlainObject(hint) && Object.keys(hint).length === 0) return 0;
  const natural = naturalDirection(hint);
  if (natural || !c) return natural;
  const found =
    typeof hint === 'string'
      ? c.indexes.some((ix) => ix.name === hint && ix.spec.hidden !== true)
      : c.indexes.some((ix) => ix.spec.hidden !== true && keyString(normalizeNumbers({ ...ix.spec.key })) === keyString(normalizeNumbers({ ...hint })));
  if (found) return 0;
  let q = `ns=${ctx.ns}`;
  if (ctx.limit) q += ` limit=${ctx.limit}`;
  if (ctx.skip) q += ` skip=${ctx.skip}`;
  q += `Tree: ${treeString(ctx.filter)}Sort: ${formatBson(ctx.sort ?? {})}\nProj: ${formatBson(ctx.projection ?? {})}\n`;
  throw new ServerError(2, `error processing query: ${q} planner returned error :: caused by :: hint provided does not correspond to an existing index`);
}

/** Rows reordered by natural (insertion) order, reversed for -1. */
export function naturalOrder<T extends { rid: number }>(c: Collection, rows: T[], dir: 1 | -1): T[] {
  const pos = new Map<number, number>();
  let i = 0;
  for (const rid of c.docs.keys()) pos.set(rid, i++);
  return rows.slice().sort((a, b) => (pos.get(a.rid)! - pos.get(b.rid)!) * dir);
}

/**
 * Distinct values with strings equal under a non-simple collation merged (mongod returns one representative, the
 * first one met), e.g. "Ann" and "ANN" at strength 2.
 */
export function dedupeUnderCollation(values: unknown[], collation: Collation | null | undefined): unknown[] {
  const cmp = collator(collation);
  if (!cmp) return values;
  const out: unknown[] = [];
  const strings: string[] = [];
  for (const v of values) {
    if (typeof v === 'string') {
      if (strings.some((s) => cmp(s, v) === 0)) continue;
      strings.push(v);
    }
    out.push(v);
  }
  return out;
}
