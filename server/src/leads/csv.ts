import { Readable } from 'node:stream';
import type { FindCursor } from 'mongodb';
import { toLead, type ContactDoc } from './repository.js';

export const CSV_COLUMNS = ['id', 'name', 'phone', 'email', 'leadScore', 'tier', 'leadStatus', 'services', 'lastContactAt', 'externalId', 'createdAt'] as const;

/**
 * One CSV cell: RFC 4180 quoting, and a leading apostrophe on anything a spreadsheet would run as a formula
 * (=, +, -, @, tab, carriage return), per OWASP's CSV-injection advice.
 */
export function csvCell(value: unknown): string {
  let s = value === null || value === undefined ? '' : Array.isArray(value) ? value.join('; ') : String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

export const csvRow = (values: unknown[]) => `${values.map(csvCell).join(',')}\r\n`;

/** Streams the cursor as CSV, one row per lead, without holding the export in memory. */
export function csvStream(cursor: FindCursor<ContactDoc>): Readable {
  async function* rows() {
    yield `\uFEFF${csvRow([...CSV_COLUMNS])}`;
    try {
      for await (const doc of cursor) {
        const lead = toLead(doc);
        yield csvRow(CSV_COLUMNS.map((c) => lead[c]));
      }
    } finally {
      await cursor.close();
    }
  }
  return Readable.from(rows());
}
