import { transactionScope, type DbScope } from '../db/db-scope.js';
import { ErrorCodes, NotFoundError, SyncWorkerError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import type { SyncType } from '../adapters/types.js';
import { endSyncIn } from './sync-lifecycle.js';

/**
 * Cancels a live sync: status `cancelled` with its activity row at once; a
 * queued job is removed, a running one stops at its next batch boundary
 * (its batch transaction finds the sync no longer in progress). The database
 * work runs in one transaction of `scope`: the application's client by
 * default, the user's RLS transaction from the API (another org's sync is
 * then SYNC_NOT_FOUND).
 */
export async function cancelSync(
  runtime: Runtime,
  input: { syncId: string; orgId?: string },
  scope: DbScope = transactionScope(runtime.prisma),
): Promise<{ syncId: string; status: 'cancelled' }> {
  const row = await scope(async (tx) => {
    const found = await tx.syncProgress.findFirst({
      where: { syncId: input.syncId, ...(input.orgId ? { orgId: input.orgId } : {}) },
    });
    if (!found) throw new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${input.syncId} not found`);
    const ended = await endSyncIn(tx, {
      syncId: found.syncId,
      orgId: found.orgId,
      status: 'cancelled',
      errorMessage: null,
    });
    if (!ended) {
      throw new SyncWorkerError(
        ErrorCodes.SYNC_NOT_RUNNING,
        `sync ${input.syncId} is not running (status ${found.status}); nothing to cancel`,
      );
    }
    return found;
  });
  if (row.sourceSystem && runtime.sources.has(row.sourceSystem as SyncType)) {
    const queueName = runtime.sources.get(row.sourceSystem as SyncType).queueName;
    const job = await runtime.queue(queueName).getJob(row.syncId);
    // A waiting or delayed job is removed; an active one is locked and stops by itself.
    await job?.remove().catch(() => undefined);
  }
  runtime.logger.info({ syncId: row.syncId }, 'sync cancelled');
  return { syncId: row.syncId, status: 'cancelled' };
}
