import type { CommandStartedEvent, Document } from 'mongodb';
import { INDEXES, MAINTENANCE_SCAN } from '../db/indexes.js';

/**
 * Every query the suite sends is recorded here; after the run, each query shape must be served by a declared index
 * following the equality-sort-range rule. A new query without an index fails the suite.
 */
export interface QueryShape {
  collection: string;
  equality: string[];
  sort: string[];
  range: string[];
}

const shapes = new Map<string, QueryShape & { example: string }>();

const READ_COMMANDS = new Set(['find', 'aggregate', 'count', 'findAndModify', 'update', 'delete', 'distinct']);

export function recordCommand(event: CommandStartedEvent): void {
  const cmd = event.command;
  if (!READ_COMMANDS.has(event.commandName)) return;
  const collection = cmd[event.commandName] as string;
  if (typeof collection !== 'string') return;
  if (cmd.comment === MAINTENANCE_SCAN) return;
  const queries: Array<{ filter: Document; sort?: Document }> = [];
  switch (event.commandName) {
    case 'find':
      queries.push({ filter: cmd.filter ?? {}, sort: cmd.sort });
      break;
    case 'count':
    case 'distinct':
      queries.push({ filter: cmd.query ?? {} });
      break;
    case 'findAndModify':
      queries.push({ filter: cmd.query ?? {}, sort: cmd.sort });
      break;
    case 'aggregate': {
      const match = (cmd.pipeline as Document[] | undefined)?.[0]?.$match;
      if (match) queries.push({ filter: match });
      break;
    }
    case 'update':
      for (const u of (cmd.updates as Document[] | undefined) ?? []) queries.push({ filter: u.q ?? {} });
      break;
    case 'delete':
      for (const d of (cmd.deletes as Document[] | undefined) ?? []) queries.push({ filter: d.q ?? {} });
      break;
  }
  for (const q of queries) {
    const shape = shapeOf(collection, q.filter, q.sort);
    if (!shape) continue;
    const key = JSON.stringify(shape);
    if (!shapes.has(key)) shapes.set(key, { ...shape, example: JSON.stringify({ filter: q.filter, sort: q.sort }).slice(0, 300) });
  }
}

function shapeOf(collection: string, filter: Document, sort?: Document): QueryShape | null {
  const equality: string[] = [];
  const range: string[] = [];
  for (const [field, value] of Object.entries(filter)) {
    if (field.startsWith('$')) {
      // $or / $and of the product are not used; record as a range on a pseudo-field so it must be looked at.
      range.push(field);
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !isBsonValue(value) && Object.keys(value).some((k) => k.startsWith('$'))) {
      const ops = Object.keys(value);
      if (ops.length === 1 && ops[0] === '$in') equality.push(field);
      else range.push(field);
    } else {
      equality.push(field);
    }
  }
  return { collection, equality: equality.sort(), sort: sort ? Object.keys(sort) : [], range: range.sort() };
}

function isBsonValue(v: object): boolean {
  return '_bsontype' in v;
}

/**
 * Whether an index serves the shape by the equality-sort-range rule: a prefix of the index is fixed by equality fields,
 * the sort follows in index order (equality fields may be skipped), and whatever remains (more equality fields, ranges)
 * is filtered inside the bounded scan. A query with no equality must at least walk the index in its sort order.
 */
export function indexServes(key: Record<string, unknown>, shape: QueryShape): boolean {
  if (shape.range.some((r) => r.startsWith('$'))) return false;
  if (shape.equality.includes('_id')) return true; // the primary key
  const fields = Object.keys(key);
  const eq = new Set(shape.equality);
  let i = 0;
  while (i < fields.length && eq.has(fields[i]!)) i++;
  const sort = shape.sort.filter((f) => !fields.slice(0, i).includes(f));
  for (const field of sort) {
    if (fields[i] !== field) return false;
    i++;
  }
  if (i > 0) return true;
  // No equality prefix and no sort: a range on the first index field still bounds the scan.
  return shape.range.includes(fields[0]!);
}

export function uncoveredShapes(): Array<QueryShape & { example: string }> {
  const out: Array<QueryShape & { example: string }> = [];
  for (const shape of shapes.values()) {
    const indexes = (INDEXES as Record<string, Array<{ key: Record<string, unknown> }>>)[shape.collection];
    if (!indexes) continue; // collections of the engine's own conformance tests
    if (shape.equality.length === 0 && shape.sort.length === 0 && shape.range.length === 0) {
      out.push(shape); // a collection scan
      continue;
    }
    if (!indexes.some((ix) => indexServes(ix.key, shape))) out.push(shape);
  }
  return out;
}

export function recordedShapeCount(): number {
  return shapes.size;
}
