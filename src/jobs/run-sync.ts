import type { IncrementalCursor, SourceAdapter } from '../adapters/types.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { ErrorCodes, SyncInterruptedError, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { logActivity } from '../sync/activity-log.js';
import type { CancelWatch } from '../sync/cancel-watch.js';
import { readWalkState } from '../sync/commit-batch.js';
import { createHeartbeat } from '../sync/heartbeat.js';
import { beginSync, reopenFailedSync } from '../sync/sync-lifecycle.js';
import { readMetadata, type DeltaCounts } from '../sync/sync-metadata.js';
import { silentObserver, type SyncObserver } from '../sync/sync-observer.js';
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
  /** Set when the delete guard refused a full sync's deletions. */
  deleteGuard?: { wouldDelete: number; live: number; limit: number };
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
 *
 * A `failed` sync whose job runs again was retried (Bull Board's "Retry",
 * `job.retry()`): a failed job runs again only that way. It is reopened and
 * resumes at its checkpoint (see reopenFailedSync for what cannot be).
 * `observer` hears the start, each batch, the phases and the rate-limit waits.
 */
export async function runSync(
  deps: RunSyncDeps,
  job: SyncJobInfo,
  observer: SyncObserver = silentObserver,
): Promise<SyncResult> {
  const { runtime } = deps;
  const data = parseSyncJobData(job.data);
  const log = runtime.logger.child({ jobId: job.id, syncId: data.syncId, connectionId: data.connectionId });

  let found = await runtime.prisma.syncProgress.findUnique({
    where: { orgId_syncId: { orgId: data.orgId, syncId: data.syncId } },
  });
  if (!found) {
    throw new SyncWorkerError(ErrorCodes.SYNC_NOT_FOUND, `sync ${data.syncId} has no sync_progress row`);
  }
  const reopened = found.status === 'failed';
  if (reopened) {
    found = await reopenFailedSync(runtime.prisma, found.id);
    log.info({ status: found.status }, 'failed sync retried: reopened, resuming from its checkpoint');
  }
  const progress = found;
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
      { signal, heartbeat, onRateLimitWait: (wait) => observer.onRateLimitWait(wait) },
      async ({ adapter }) => {
        if (progress.status === 'pending') {
          const started = await start(deps, adapter, data, progress.id, job.id, signal, log);
          if (!started) return false;
          observer.onStart({
            ...started,
            trigger: data.trigger,
            done: 0,
            kind: reopened ? 'user_retry' : 'start',
          });
        } else {
          const done = progress.processedCount + progress.failedCount;
          // A reopened sync logged its error_recovery row when it was reopened.
          await logResume(deps, data, done, job.attemptsMade > 0 && !reopened, log);
          observer.onStart({
            mode: readMetadata(progress.metadata).mode ?? 'full',
            trigger: data.trigger,
            total: progress.totalItems,
            done,
            kind: reopened ? 'user_retry' : 'resume',
          });
        }
        await walk(deps, adapter, data, progress.id, signal, log, observer);
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
): Promise<{ mode: 'full' | 'incremental'; total: number } | null> {
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
  if (!started) return null;
  log.info({ mode, requestedMode: data.mode, total, since }, 'sync started');
  return { mode, total };
}

async function logResume(
  deps: RunSyncDeps,
  data: SyncJobData,
  /** Items already done (they are not fetched again). */
  done: number,
  /** A retry after a failed attempt (logs `error_recovery` too). */
  recovering: boolean,
  log: Logger,
): Promise<void> {
  const common = {
    orgId: data.orgId,
    syncId: data.syncId,
    entityType: data.entityType,
    status: 'in_progress' as const,
    userId: data.initiatedBy,
  };
  if (recovering) await logActivity(deps.runtime.prisma, { ...common, action: 'error_recovery' });
  await logActivity(deps.runtime.prisma, { ...common, action: 'partial_resume', recordCount: done });
  log.info({ done, recovering }, 'resuming sync from its checkpoint');
}

async function walk(
  deps: RunSyncDeps,
  adapter: SourceAdapter,
  data: SyncJobData,
  progressId: string,
  signal: AbortSignal,
  log: Logger,
  observer: SyncObserver,
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
    idScan: runtime.config.SYNC_ID_SCAN,
    signal,
    log,
    observer,
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
  const meta = readMetadata(row.metadata);
  return {
    syncId: row.syncId,
    status: row.status,
    totalItems: row.totalItems,
    processedCount: row.processedCount,
    failedCount: row.failedCount,
    delta: meta.delta!,
    ...(meta.deleteGuard ? { deleteGuard: meta.deleteGuard } : {}),
  };
}
