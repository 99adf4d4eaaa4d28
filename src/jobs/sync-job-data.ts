import { z } from 'zod';
import { entityTypes, parseWith } from '../validation.js';

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

export function parseSyncJobData(value: unknown): SyncJobData {
  return parseWith(syncJobDataSchema, value, 'sync job data');
}
