import type { IncrementalCursor, SourceAdapter } from '../adapters/types.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { ErrorCodes, SyncInterruptedError, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { logActivity } from '../sync/activity-log.js';
import type { CancelWatch } from '../sync/cancel-watch.js';
import { readWalkState } from '../sync/commit-batch.js';
import { createHeartbeat } from '../sync/heartbeat.js';
import { beginSync } from '../sync/sync-lifecycle.js';
import { readMetadata, type DeltaCounts } from '../sync/sync-metadata.js';
import { walkPages } from '../sync/walk-pages.js';
import { parseSyncJobData, type SyncJobData } from './sync-job-data.js';
import { withSourceAdapter } from './with-source-adapter.js';

/** What a sync job returns (also the shape `sync --wait --json` builds on). */
export interface SyncResult {
  syncId: string;
  status: string;
  totalItems: number;
  processedCount: number;
  failedCount: number;
  delta: DeltaCounts;
}

/** The part of a BullMQ job the sync needs (so tests can drive it directly). */
export interface SyncJobInfo {
  id: string;
  data: unknown;
  /** Failed attempts so far (0 on the first run). */
  attemptsMade: number;
  /** Renews the job's BullMQ lock (heartbeats of long server-side steps call it). */
  extendLock?: () => Promise<unknown>;
}

export interface RunSyncDeps {
  runtime: Runtime;
  encryptionKey: CredentialsKey;
  /** Aborted on SIGTERM: the sync stops after the batch in flight. */
  shutdown: AbortSignal;
  /**
   * Aborts the sync's work at once when it is cancelled, timed out or ended
   * from any process (the worker set's one watch). Without it, such a sync
   * stops at its next batch boundary only.
   */
  cancelWatch?: CancelWatch;
}

/**
 * Runs (or resumes) one sync: count, then page by page map → upsert →
 * progress in one transaction, the last batch with the deletion scan. The
 * completion, speed and ETA come from the database triggers.
 *
 * The sync has one signal, given to the adapter and to every request, the
 * page prefetch and the id scan: aborted by a cancel or timeout seen by the
 * cancel watch (SyncCancelledError) or by a worker shutdown
 * (SyncInterruptedError); the job then throws that reason.
 */
export async function runSync(deps: RunSyncDeps, job: SyncJobInfo): Promise<SyncResult> {
  const { runtime } = deps;
  const data = parseSyncJobData(job.data);
  const log = runtime.logger.child({ jobId: job.id, syncId: data.syncId, connectionId: data.connectionId });

  const progress = await runtime.prisma.syncProgress.findUnique({
    where: { orgId_syncId: { orgId: data.orgId, syncId: data.syncId } },
  });
  if (!progress) {
    throw new SyncWorkerError(ErrorCodes.SYNC_NOT_FOUND, `sync ${data.syncId} has no sync_progress row`);
  }
  if (progress.status !== 'pending' && progress.status !== 'in_progress') {
    log.info({ status: progress.status }, 'sync is not live; nothing to do');
    return resultOf(progress);
  }

  const watched = deps.cancelWatch?.watch(data.syncId);
  const abort = new AbortController();
  const signal = abort.signal;
  const onShutdown = () => abort.abort(new SyncInterruptedError(data.syncId));
  const onCancel = () => abort.abort(watched!.signal.reason);
  if (deps.shutdown.aborted) onShutdown();
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  watched?.signal.addEventListener('abort', onCancel, { once: true });
  const heartbeat = createHeartbeat({
    prisma: runtime.prisma,
    progressId: progress.id,
    minIntervalMs: Math.min(5000, runtime.config.SYNC_STALL_TIMEOUT / 4),
    ...(job.extendLock ? { extendLock: job.extendLock } : {}),
    log,
  });
  try {
    const ran = await withSourceAdapter(
      runtime,
      deps.encryptionKey,
      data,
      log,
      { signal, heartbeat },
      async ({ adapter }) => {
        if (progress.status === 'pending') {
          const started = await start(deps, adapter, data, progress.id, job.id, signal, log);
          if (!started) return false;
        } else {
          await logResume(deps, data, progress.processedCount + progress.failedCount, job.attemptsMade, log);
        }
        await walk(deps, adapter, data, progress.id, signal, log);
        return true;
      },
    );
    if (!ran) {
      // Cancelled (or started by another worker) while this one was counting.
      const now = await runtime.prisma.syncProgress.findUniqueOrThrow({ where: { id: progress.id } });
      log.info({ status: now.status }, 'sync left pending before it could start; nothing to do');
      return resultOf(now);
    }
  } catch (err) {
    // Whatever the abort broke on its way out, the job ends for the abort's reason.
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    deps.shutdown.removeEventListener('abort', onShutdown);
    watched?.signal.removeEventListener('abort', onCancel);
    watched?.release();
    abort.abort();
  }

  const final = await runtime.prisma.syncProgress.findUniqueOrThrow({ where: { id: progress.id } });
  log.info(
    {
      status: final.status,
      processed: final.processedCount,
      failed: final.failedCount,
      delta: readMetadata(final.metadata).delta,
    },
    'sync finished',
  );
  return resultOf(final);
}

async function start(
  deps: RunSyncDeps,
  adapter: SourceAdapter,
  data: SyncJobData,
  progressId: string,
  jobId: string,
  signal: AbortSignal,
  log: Logger,
): Promise<boolean> {
  const { prisma } = deps.runtime;
  const state = await prisma.syncState.findUnique({
    where: { connectionId_entityType: { connectionId: data.connectionId, entityType: data.entityType } },
  });
  // The first incremental run of a connection is a full one.
  const mode = data.mode === 'incremental' && state?.lastFullScanAt ? 'incremental' : 'full';
  const since =
    mode === 'incremental' && adapter.supportsIncremental(data.entityType)
      ? ((state?.cursor as IncrementalCursor | null) ?? null)
      : null;
  const total = await adapter.count({ entity: data.entityType, mode, since, signal });
  const started = await beginSync(prisma, {
    progressId,
    orgId: data.orgId,
    syncId: data.syncId,
    entityType: data.entityType,
    jobId,
    userId: data.initiatedBy,
    total,
    mode,
    since,
  });
  if (started) log.info({ mode, requestedMode: data.mode, total, since }, 'sync started');
  return started;
}

async function logResume(
  deps: RunSyncDeps,
  data: SyncJobData,
  /** Items already done (they are not fetched again). */
  done: number,
  attemptsMade: number,
  log: Logger,
): Promise<void> {
  const common = {
    orgId: data.orgId,
    syncId: data.syncId,
    entityType: data.entityType,
    status: 'in_progress' as const,
    userId: data.initiatedBy,
  };
  if (attemptsMade > 0) await logActivity(deps.runtime.prisma, { ...common, action: 'error_recovery' });
  await logActivity(deps.runtime.prisma, { ...common, action: 'partial_resume', recordCount: done });
  log.info({ done, attemptsMade }, 'resuming sync from its checkpoint');
}

async function walk(
  deps: RunSyncDeps,
  adapter: SourceAdapter,
  data: SyncJobData,
  progressId: string,
  signal: AbortSignal,
  log: Logger,
): Promise<void> {
  const { runtime } = deps;
  await walkPages({
    prisma: runtime.prisma,
    adapter,
    target: {
      orgId: data.orgId,
      connectionId: data.connectionId,
      entityType: data.entityType,
      syncId: data.syncId,
    },
    userId: data.initiatedBy,
    state: await readWalkState(runtime.prisma, progressId),
    batchSize: runtime.config.SYNC_BATCH_SIZE,
    deleteGuard: runtime.config.SYNC_DELETE_GUARD,
    signal,
    log,
  });
}

function resultOf(row: {
  syncId: string;
  status: string;
  totalItems: number;
  processedCount: number;
  failedCount: number;
  metadata: unknown;
}): SyncResult {
  return {
    syncId: row.syncId,
    status: row.status,
    totalItems: row.totalItems,
    processedCount: row.processedCount,
    failedCount: row.failedCount,
    delta: readMetadata(row.metadata).delta!,
  };
}
