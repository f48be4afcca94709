import type { z } from 'zod';
import { AppError } from './errors.js';

/** Parses input with a zod schema; a failure is a 400 VALIDATION_FAILED listing each failing field by path. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const fields = result.error.issues.map((issue) => ({ path: issue.path.join('.') || '(root)', message: issue.message }));
  const summary = fields
    .slice(0, 3)
    .map((f) => `${f.path}: ${f.message}`)
    .join('; ');
  throw new AppError(400, 'VALIDATION_FAILED', `The ${what} is not valid: ${summary}.`, { fields });
}
