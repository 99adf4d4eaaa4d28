import '../adapters/index.js';
import { createAdapter } from '../adapters/registry.js';
import type { CanonicalRecord, IncrementalCursor, SourceAdapter } from '../adapters/types.js';
import { loadConnection } from '../connections/connection-repository.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { logActivity } from '../sync/activity-log.js';
import { commitBatch } from '../sync/commit-batch.js';
import { collectSourceIds } from '../sync/deletion-scan.js';
import { RedisRateGate, rateGateKey } from '../sync/rate-gate.js';
import { beginSync } from '../sync/sync-lifecycle.js';
import { readMetadata, type DeltaCounts, type ItemFailure } from '../sync/sync-metadata.js';
import { parseSyncJobData, type SyncJobData } from './sync-job-data.js';

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
}

export interface RunSyncDeps {
  runtime: Runtime;
  encryptionKey: CredentialsKey;
  /** Aborted on SIGTERM: the sync stops after the batch in flight. */
  shutdown: AbortSignal;
}

/** Thrown when a worker shutdown interrupts a sync between batches. */
export class SyncInterruptedError extends Error {
  constructor(readonly syncId: string) {
    super(`sync ${syncId} interrupted by worker shutdown; it resumes from its checkpoint`);
  }
}

function newer(a: IncrementalCursor | null, r: CanonicalRecord): IncrementalCursor | null {
  if (!r.sourceUpdatedAt) return a;
  const candidate = { updatedAt: r.sourceUpdatedAt.toISOString(), id: r.externalId };
  if (!a) return candidate;
  if (candidate.updatedAt > a.updatedAt) return candidate;
  if (candidate.updatedAt === a.updatedAt && compareIds(candidate.id, a.id) > 0) return candidate;
  return a;
}

function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Runs (or resumes) one sync: count, then page by page map → upsert →
 * progress in one transaction, the last batch with the deletion scan. The
 * completion, speed and ETA come from the database triggers.
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

  const connection = await loadConnection(runtime.prisma, deps.encryptionKey, data.connectionId);
  const adapter = createAdapter(connection.type, {
    connectionId: connection.id,
    baseUrl: connection.baseUrl,
    credentials: connection.credentials,
    settings: connection.settings,
    rateGate: new RedisRateGate(runtime.redis, rateGateKey(runtime.config.QUEUE_PREFIX, connection.id)),
    pageConcurrency: runtime.config.SYNC_PAGE_CONCURRENCY,
    httpTimeoutMs: runtime.config.SYNC_HTTP_TIMEOUT,
    logger: log,
  });
  if (!adapter.entities.includes(data.entityType)) {
    throw new SyncWorkerError(
      ErrorCodes.ENTITY_NOT_SUPPORTED,
      `${connection.type} has no "${data.entityType}" entity (supported: ${adapter.entities.join(', ')})`,
    );
  }

  if (progress.status === 'pending') {
    await start(deps, adapter, data, progress.id, job.id, log);
  } else {
    await logResume(deps, data, progress.batchNumber, job.attemptsMade, log);
  }
  await walk(deps, adapter, data, progress.id, log);

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
  log: Logger,
): Promise<void> {
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
  const total = await adapter.count({ entity: data.entityType, mode, since, signal: deps.shutdown });
  await beginSync(prisma, {
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
  log.info({ mode, requestedMode: data.mode, total, since }, 'sync started');
}

async function logResume(
  deps: RunSyncDeps,
  data: SyncJobData,
  batchNumber: number,
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
  await logActivity(deps.runtime.prisma, { ...common, action: 'partial_resume', recordCount: batchNumber });
  log.info({ batchNumber, attemptsMade }, 'resuming sync from its checkpoint');
}

async function walk(
  deps: RunSyncDeps,
  adapter: SourceAdapter,
  data: SyncJobData,
  progressId: string,
  log: Logger,
): Promise<void> {
  const { runtime } = deps;
  const row = await runtime.prisma.syncProgress.findUniqueOrThrow({ where: { id: progressId } });
  const meta = readMetadata(row.metadata);
  const mode = meta.mode ?? 'full';
  let batchNumber = row.batchNumber;
  let maxSeen = meta.maxSeen ?? null;
  const target = {
    orgId: data.orgId,
    connectionId: data.connectionId,
    entityType: data.entityType,
    syncId: data.syncId,
  };
  const fetchAbort = new AbortController();
  const onShutdown = () => fetchAbort.abort(new SyncInterruptedError(data.syncId));
  deps.shutdown.addEventListener('abort', onShutdown, { once: true });
  try {
    const pages = adapter.pages({
      entity: data.entityType,
      mode,
      since: meta.since ?? null,
      checkpoint: meta.checkpoint ?? null,
      pageSize: runtime.config.SYNC_BATCH_SIZE,
      signal: fetchAbort.signal,
    });
    let committedFinal = false;
    for await (const page of pages) {
      if (deps.shutdown.aborted) throw new SyncInterruptedError(data.syncId);
      const records: CanonicalRecord[] = [];
      const failures: ItemFailure[] = [];
      for (const raw of page.items) {
        const mapped = adapter.map(data.entityType, raw);
        if (mapped.ok) {
          records.push(mapped.record);
          maxSeen = newer(maxSeen, mapped.record);
        } else failures.push({ externalId: mapped.externalId, reason: mapped.reason });
      }
      const sourceIds =
        page.done && mode === 'full'
          ? await collectSourceIds(adapter, data.entityType, fetchAbort.signal)
          : undefined;
      const outcome = await commitBatch(runtime.prisma, {
        target,
        progressId,
        expectedBatch: batchNumber,
        userId: data.initiatedBy,
        records,
        failures,
        checkpoint: page.checkpoint,
        maxSeen,
        final: page.done,
        ...(sourceIds ? { sourceIds } : {}),
        deleteGuard: runtime.config.SYNC_DELETE_GUARD,
      });
      batchNumber = outcome.batchNumber;
      if (outcome.deletion?.guarded) {
        log.warn(
          outcome.deletion.guarded,
          'deletion scan skipped: it would delete more than SYNC_DELETE_GUARD allows',
        );
      }
      log.debug(
        {
          batch: batchNumber,
          processed: outcome.processedCount,
          failed: outcome.failedCount,
          total: outcome.totalItems,
        },
        'batch committed',
      );
      if (page.done) {
        committedFinal = true;
        break;
      }
    }
    if (!committedFinal) {
      throw new SyncWorkerError(
        ErrorCodes.SOURCE_BAD_RESPONSE,
        `the ${data.entityType} page walk ended without a last page`,
        { retry: 'retryable' },
      );
    }
  } catch (err) {
    if (deps.shutdown.aborted) throw new SyncInterruptedError(data.syncId);
    throw err;
  } finally {
    deps.shutdown.removeEventListener('abort', onShutdown);
    fetchAbort.abort();
  }
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
