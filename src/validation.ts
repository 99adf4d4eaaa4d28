import { z } from 'zod';
import { ValidationError } from './errors.js';
import { SyncEntityType } from './generated/prisma/enums.js';

/** zod helpers shared by every boundary (job data, producers, schedules, CLI input). */

/** Entity types, in the order of the `sync_entity_type` enum (from the generated Prisma client). */
export const entityTypes = Object.values(SyncEntityType) as [SyncEntityType, ...SyncEntityType[]];

/** Describes zod issues as `path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

/** Parses `value` with `schema`, or throws ValidationError `invalid <what>: …` listing every issue. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}
