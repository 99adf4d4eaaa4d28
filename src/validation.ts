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

/** How deep a JSON value from outside may nest (settings are free-form, never this deep). */
export const MAX_INPUT_DEPTH = 64;

/** One thing Postgres could not store in a value: where, and what. */
export interface UnstorableProblem {
  path: string[];
  message: string;
}

/**
 * What Postgres cannot store or a recursive validator cannot walk, found
 * before any schema runs: a NUL character in a string or a key (text and
 * jsonb refuse U+0000: 22021 / 22P05), and nesting deeper than
 * {@link MAX_INPUT_DEPTH} (zod recursion would overflow the stack). The walk
 * itself is iterative and stops at the limit. At most one problem of each
 * kind; keys are shown bounded and printable.
 */
export function unstorableProblems(value: unknown): UnstorableProblem[] {
  const problems: UnstorableProblem[] = [];
  let nul = false;
  let deep = false;
  const stack: { value: unknown; path: string[]; depth: number }[] = [{ value, path: [], depth: 0 }];
  while (stack.length && !(nul && deep)) {
    const { value: node, path, depth } = stack.pop()!;
    if (typeof node === 'string') {
      if (!nul && node.includes('\u0000')) {
        nul = true;
        problems.push({ path, message: 'must not contain the NUL character (U+0000)' });
      }
      continue;
    }
    if (node === null || typeof node !== 'object') continue;
    if (depth >= MAX_INPUT_DEPTH) {
      if (!deep) {
        const short = path.length > 4 ? [...path.slice(0, 4), '…'] : path;
        problems.push({ path: short, message: `is nested too deeply (more than ${MAX_INPUT_DEPTH} levels)` });
      }
      deep = true;
      continue;
    }
    for (const [key, child] of Object.entries(node)) {
      if (!nul && key.includes('\u0000')) {
        nul = true;
        problems.push({ path, message: 'must not contain a key with the NUL character (U+0000)' });
      }
      const step = Array.isArray(node) ? key : safeExcerpt(key, 64);
      stack.push({ value: child, path: [...path, step], depth: depth + 1 });
    }
  }
  return problems;
}

/** {@link unstorableProblems} as `prefix.path: message` issues. */
export function unstorableIssues(value: unknown, prefix: readonly string[] = []): string[] {
  return unstorableProblems(value).map(
    (p) => `${[...prefix, ...p.path].join('.') || '(root)'}: ${p.message}`,
  );
}

/** Throws ValidationError `invalid <what>: …` when {@link unstorableIssues} finds any. */
export function refuseUnstorable(value: unknown, what: string, prefix: readonly string[] = []): void {
  const issues = unstorableIssues(value, prefix);
  if (issues.length) throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
}

/** Parses `value` with `schema`, or throws ValidationError `invalid <what>: …` listing every issue. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  refuseUnstorable(value, what);
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

/**
 * An ISO-8601 date-time whose date is a real calendar day of years 1-9999
 * and whose time is in range: what Postgres' timestamptz input accepts
 * (`0000-01-01` or `2026-02-30` would be 22008 there). Only the leading
 * `YYYY-MM-DDTHH:MM:SS` is checked; the format itself is the caller's schema.
 */
export function isCalendarInstant(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}
