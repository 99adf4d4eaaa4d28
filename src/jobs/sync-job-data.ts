import { z } from 'zod';
import { ValidationError } from '../errors.js';
import { SyncEntityType } from '../generated/prisma/enums.js';

/** Entity types, in the order of the `sync_entity_type` enum (from the generated Prisma client). */
export const entityTypes = Object.values(SyncEntityType) as [SyncEntityType, ...SyncEntityType[]];

/**
 * What a sync job carries in Redis: ids only. Credentials are loaded from
 * Postgres (encrypted at rest) when the job runs, never put in job data.
 */
export const syncJobDataSchema = z
  .object({
    syncId: z.string().regex(/^[A-Za-z0-9_.-]{1,255}$/, 'must be 1-255 characters of [A-Za-z0-9_.-]'),
    orgId: z.uuid(),
    connectionId: z.uuid(),
    entityType: z.enum(entityTypes),
    mode: z.enum(['full', 'incremental']),
    trigger: z.enum(['manual', 'scheduled']),
    initiatedBy: z.uuid().nullable().default(null),
  })
  .strict();

export type SyncJobData = z.infer<typeof syncJobDataSchema>;

/** Describes zod issues as `path: message` lines. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ValidationError(`invalid ${what}: ${issues.join('; ')}`, issues);
  }
  return parsed.data;
}

export function parseSyncJobData(value: unknown): SyncJobData {
  return parseWith(syncJobDataSchema, value, 'sync job data');
}
