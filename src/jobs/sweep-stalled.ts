import { ErrorCodes } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { endSync } from '../sync/sync-lifecycle.js';

/**
 * Marks running syncs with no progress update for SYNC_STALL_TIMEOUT as
 * `timeout` (one activity row each, code SYNC_STALLED). A job still running
 * for such a sync is aborted by its process's cancel watch within a second
 * (and its next batch would find the sync no longer in progress anyway).
 */
export async function sweepStalled(runtime: Runtime, now = new Date()): Promise<string[]> {
  const before = new Date(now.getTime() - runtime.config.SYNC_STALL_TIMEOUT);
  const stale = await runtime.prisma.syncProgress.findMany({
    where: { status: 'in_progress', updatedAt: { lt: before } },
    select: { syncId: true, orgId: true, updatedAt: true },
    take: 1000,
  });
  const swept: string[] = [];
  for (const s of stale) {
    const message = `no progress since ${s.updatedAt.toISOString()} (SYNC_STALL_TIMEOUT ${runtime.config.SYNC_STALL_TIMEOUT / 1000} s)`;
    const ended = await endSync(runtime.prisma, {
      syncId: s.syncId,
      orgId: s.orgId,
      status: 'timeout',
      errorMessage: message,
      errorCode: ErrorCodes.SYNC_STALLED,
      staleBefore: before,
    });
    if (ended) {
      swept.push(s.syncId);
      runtime.logger.warn({ syncId: s.syncId }, `sync timed out: ${message}`);
    }
  }
  return swept;
}
