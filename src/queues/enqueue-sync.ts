import { z } from 'zod';
import { transactionScope, type DbScope } from '../db/db-scope.js';
import { checkEntity, producerConnection } from './producer-connection.js';
import type { SyncJobData } from '../jobs/sync-job-data.js';
import { entityTypes, parseWith } from '../validation.js';
import type { Runtime } from '../runtime.js';
import { errorMessage, SyncWorkerError } from '../errors.js';
import { createPendingSync, endSyncIn } from '../sync/sync-lifecycle.js';
import { withTimeout } from '../with-timeout.js';
import { redisTargetOf } from './redis-connection.js';
import { redisUnreachable } from './redis-errors.js';
import type { SyncStatusType } from '../generated/prisma/enums.js';
import { syncJobName } from './job-label.js';
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

/** Bound on adding the job once the sync is registered. @defaultValue 10 s */
export const ENQUEUE_TIMEOUT_MS = 10_000;

/**
 * Redis failed between the sync's registration and its job: a sync this call
 * registered is ended as `failed` (with its one activity row), never left
 * `pending` with no job; should the job reach Redis after all, the worker
 * finds the sync ended and does nothing. Returns the error to throw.
 */
async function notQueued(
  runtime: Runtime,
  scope: DbScope,
  pending: EnqueuedSync,
  orgId: string,
  err: unknown,
): Promise<SyncWorkerError> {
  const reason = err instanceof Error && /did not answer/.test(err.message) ? err.message : errorMessage(err);
  const typed = redisUnreachable(redisTargetOf(runtime.config), reason.replace(/\.$/, ''), err);
  if (!pending.created) return typed;
  await scope((db) =>
    endSyncIn(db, {
      syncId: pending.syncId,
      orgId,
      status: 'failed',
      errorMessage: `not queued: ${typed.message}`,
      errorCode: typed.code,
    }),
  ).catch((endErr) =>
    runtime.logger.error({ err: endErr, syncId: pending.syncId }, 'could not mark the unqueued sync failed'),
  );
  runtime.logger.warn(
    { syncId: pending.syncId, err: reason },
    'sync not queued: Redis failed; marked failed',
  );
  return new SyncWorkerError(
    typed.code,
    `${typed.message}; sync ${pending.syncId} was not queued (marked failed)`,
    {
      retry: typed.retry,
      details: { ...typed.details, syncId: pending.syncId },
      cause: err,
    },
  );
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
  scope: DbScope = transactionScope(runtime.prisma),
): Promise<EnqueuedSync> {
  const input = parseWith(enqueueSyncInputSchema, raw, 'sync request');
  // Committed before the job exists, so the worker always finds its row.
  const { connection, pending } = await scope(async (db) => {
    const connection = await producerConnection(db, input.connectionId, input.orgId);
    checkEntity(runtime.sources, connection.type, input.entityType);
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
  try {
    await withTimeout(
      queue.add(syncJobName(input.entityType, connection.name), data, {
        ...syncJobOptions(runtime.config),
        jobId: pending.syncId,
      }),
      ENQUEUE_TIMEOUT_MS,
      'Redis',
    );
  } catch (err) {
    throw await notQueued(runtime, scope, pending, connection.orgId, err);
  }
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
