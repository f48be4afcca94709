/**
 * Values printed the way mongod prints them in error messages (BSONElement/BSONObj toString): `{ a: 1, b: "x" }`,
 * `[ 1, 2 ]`, `ObjectId('...')`, `new Date(1700000000000)`; `element('_id', 1)` is `_id: 1`.
 */
import type { Document } from 'bson';

type Bsonish = { _bsontype?: string; toHexString?: () => string; toString(): string };

export function formatValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return Number.isFinite(v) ? String(v) : Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
    case 'boolean':
      return String(v);
    case 'bigint':
      return String(v);
    case 'object':
      break;
    default:
      return String(v);
  }
  if (Array.isArray(v)) return v.length ? `[ ${v.map(formatValue).join(', ')} ]` : '[]';
  if (v instanceof Date) return `new Date(${v.getTime()})`;
  if (v instanceof RegExp) return `/${v.source}/${v.flags}`;
  const b = v as Bsonish;
  switch (b._bsontype) {
    case 'ObjectId':
    case 'ObjectID':
      return `ObjectId('${b.toHexString!()}')`;
    case 'Long':
    case 'Int32':
    case 'Double':
      return b.toString();
    case 'Decimal128':
      return `NumberDecimal("${b.toString()}")`;
    case undefined:
      break;
    default:
      return b.toString();
  }
  return formatBson(v as Document);
}

export function formatBson(doc: Document): string {
  const keys = Object.keys(doc);
  if (!keys.length) return '{}';
  return `{ ${keys.map((k) => `${k}: ${formatValue(doc[k])}`).join(', ')} }`;
}

/** A BSONElement's toString: `name: value`. */
export function formatElement(name: string, v: unknown): string {
  return `${name}: ${formatValue(v)}`;
}
