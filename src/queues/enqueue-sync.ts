import { z } from 'zod';
import { clientScope, type DbScope } from '../db/db-scope.js';
import { producerConnection } from './producer-connection.js';
import type { SyncJobData } from '../jobs/sync-job-data.js';
import { entityTypes, parseWith } from '../validation.js';
import type { Runtime } from '../runtime.js';
import { createPendingSync } from '../sync/sync-lifecycle.js';
import type { SyncStatusType } from '../generated/prisma/enums.js';
import { JobNames } from './queue-names.js';
import { syncJobOptions } from './sync-job-options.js';

export const enqueueSyncInputSchema = z
  .object({
    connectionId: z.uuid(),
    entityType: z.enum(entityTypes),
    mode: z.enum(['full', 'incremental']).default('full'),
    trigger: z.enum(['manual', 'scheduled']).default('manual'),
    initiatedBy: z.uuid().nullable().default(null),
    /** When given (the API), the connection must belong to this org. */
    orgId: z.uuid().optional(),
  })
  .strict();

export type EnqueueSyncInput = z.input<typeof enqueueSyncInputSchema>;

export interface EnqueuedSync {
  syncId: string;
  status: SyncStatusType;
  /** False when a live sync of the same (connection, entity) was returned instead. */
  created: boolean;
}

/**
 * THE producer: the CLI, the HTTP API and the schedulers all enqueue syncs
 * through here. It registers the sync as `pending` in Postgres (or finds the
 * live one for the same connection and entity) and adds its job, with the
 * sync id as BullMQ job id, so a repeated call never makes a second job.
 * `scope` runs its queries (the API passes the user's RLS transaction).
 */
export async function enqueueSync(
  runtime: Runtime,
  raw: EnqueueSyncInput,
  scope: DbScope = clientScope(runtime.prisma),
): Promise<EnqueuedSync> {
  const input = parseWith(enqueueSyncInputSchema, raw, 'sync request');
  // Committed before the job exists, so the worker always finds its row.
  const { connection, pending } = await scope(async (db) => {
    const connection = await producerConnection(db, input.connectionId, input.orgId);
    const pending = await createPendingSync(db, {
      orgId: connection.orgId,
      connectionId: connection.id,
      sourceType: connection.type,
      entityType: input.entityType,
      initiatedBy: input.initiatedBy,
      metadata: { requestedMode: input.mode, trigger: input.trigger },
    });
    return { connection, pending };
  });
  const data: SyncJobData = {
    syncId: pending.syncId,
    orgId: connection.orgId,
    connectionId: connection.id,
    entityType: input.entityType,
    mode: input.mode,
    trigger: input.trigger,
    initiatedBy: input.initiatedBy,
  };
  // For an existing live sync this is a no-op while its job exists, and
  // re-creates the job if Redis lost it (the job resumes from its checkpoint).
  const queue = runtime.queue(runtime.sources.get(connection.type).queueName);
  await queue.add(JobNames.sync, data, { ...syncJobOptions(runtime.config), jobId: pending.syncId });
  runtime.logger.info(
    {
      syncId: pending.syncId,
      connectionId: connection.id,
      entityType: input.entityType,
      created: pending.created,
    },
    pending.created ? 'sync enqueued' : 'sync already running; returning it',
  );
  return pending;
}
