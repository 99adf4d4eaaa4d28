import { z } from 'zod';
import { ValidationError } from './errors.js';
import { safeExcerpt } from './safe-text.js';
import { SyncEntityType } from './generated/prisma/enums.js';

/** zod helpers shared by every boundary (job data, producers, schedules, CLI input). */

/** Entity types, in the order of the `sync_entity_type` enum (from the generated Prisma client). */
export const entityTypes = Object.values(SyncEntityType) as [SyncEntityType, ...SyncEntityType[]];

/** Describes zod issues as `path: message` lines (`prefix.path` with a prefix). */
export function describeIssues(error: z.ZodError, prefix?: string, root = '(root)'): string[] {
  return error.issues.flatMap((issue) => describeIssue(issue, prefix === undefined ? [] : [prefix], root));
}

/**
 * One issue as `path: message` lines; an unknown field (strict objects) is
 * named, printably and bounded, never with its value: `body.extra: is not a
 * known field`.
 */
export function describeIssue(
  issue: z.core.$ZodIssue,
  prefix: readonly string[] = [],
  root = '(root)',
): string[] {
  const at = [...prefix, ...issue.path.map(String)];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${[...at, safeExcerpt(key, 64)].join('.')}: is not a known field`);
  }
  return [`${at.join('.') || root}: ${issue.message}`];
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
