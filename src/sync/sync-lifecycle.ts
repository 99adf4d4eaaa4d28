import { randomBytes } from 'node:crypto';
import type { IncrementalCursor, SyncEntityType, SyncType } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { SyncProgress } from '../generated/prisma/client.js';
import type { SyncStatusType } from '../generated/prisma/enums.js';
import { logActivity } from './activity-log.js';
import { readMetadata, type SyncMetadata } from './sync-metadata.js';

/** Statuses of a sync that is not over. */
export const LIVE_STATUSES = ['pending', 'in_progress', 'paused'] as const satisfies SyncStatusType[];

/** `sync-woocommerce-20261126T221900-a1b2c3`: sortable, readable, unique. */
export function newSyncId(type: SyncType, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').slice(0, 15);
  return `sync-${type}-${stamp}-${randomBytes(3).toString('hex')}`;
}

export interface PendingSyncInput {
  orgId: string;
  connectionId: string;
  sourceType: SyncType;
  entityType: SyncEntityType;
  initiatedBy: string | null;
  metadata: SyncMetadata;
}

export interface PendingSync {
  syncId: string;
  status: SyncStatusType;
  /** False when a live sync already existed and is returned instead. */
  created: boolean;
}

/**
 * Registers a sync as `pending`, or returns the live sync of the same
 * (connection, entity): at most one runs at a time.
 */
export async function createPendingSync(prisma: PrismaTx, input: PendingSyncInput): Promise<PendingSync> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const syncId = newSyncId(input.sourceType);
    const inserted = await prisma.$queryRawUnsafe<{ sync_id: string }[]>(
      loadSql('insert-pending-sync'),
      input.orgId,
      syncId,
      input.entityType,
      input.sourceType,
      input.initiatedBy,
      JSON.stringify(input.metadata),
      input.connectionId,
    );
    if (inserted.length) return { syncId, status: 'pending', created: true };
    const live = await prisma.syncProgress.findFirst({
      where: {
        connectionId: input.connectionId,
        entityType: input.entityType,
        status: { in: [...LIVE_STATUSES] },
      },
      select: { syncId: true, status: true },
    });
    // The live sync may have ended between the two statements: try again.
    if (live) return { syncId: live.syncId, status: live.status, created: false };
  }
  throw new Error('could not register the sync: the live sync kept changing');
}

export interface BeginInput {
  progressId: string;
  orgId: string;
  syncId: string;
  entityType: SyncEntityType;
  jobId: string;
  userId: string | null;
  /** Items the source reports for this run. */
  total: number;
  mode: 'full' | 'incremental';
  since: IncrementalCursor | null;
}

/**
 * pending → in_progress with the counted total; logs `sync_start` and how it
 * was triggered, in one transaction. total_items stays at least 1 until the
 * final batch so that the completion trigger only fires at the end.
 */
export async function beginSync(prisma: PrismaClient, input: BeginInput): Promise<boolean> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.syncProgress.findUnique({ where: { id: input.progressId } });
    if (!row || row.status !== 'pending') return false;
    const meta = readMetadata(row.metadata);
    await tx.syncProgress.update({
      where: { id: input.progressId },
      data: {
        status: 'in_progress',
        jobId: input.jobId,
        totalItems: Math.max(input.total, 1),
        startedAt: new Date(),
        metadata: { ...meta, mode: input.mode, since: input.since, checkpoint: null } as object,
      },
    });
    const common = {
      orgId: input.orgId,
      syncId: input.syncId,
      entityType: input.entityType,
      status: 'in_progress' as const,
      userId: input.userId,
    };
    await logActivity(tx, { ...common, action: 'sync_start', recordCount: input.total });
    await logActivity(tx, {
      ...common,
      action: meta.trigger === 'scheduled' ? 'scheduled_run' : 'manual_trigger',
      recordCount: input.total,
    });
    return true;
  });
}

export interface EndInput {
  syncId: string;
  orgId?: string;
  status: Extract<SyncStatusType, 'failed' | 'cancelled' | 'timeout'>;
  errorMessage: string | null;
  errorCode?: string;
  /** Only when the sync made no progress since this time (the stall sweeper). */
  staleBefore?: Date;
}

/**
 * Ends a live sync that did not complete (failed, cancelled, timed out) and
 * writes its one `sync_complete` row with that status and the error message.
 * Returns false when the sync was not live any more.
 */
export async function endSync(prisma: PrismaClient, input: EndInput): Promise<boolean> {
  return prisma.$transaction((tx) => endSyncIn(tx, input));
}

/** endSync inside the caller's transaction (e.g. the API's RLS transaction). */
export async function endSyncIn(tx: PrismaTx, input: EndInput): Promise<boolean> {
  const row = await tx.syncProgress.findFirst({
    where: { syncId: input.syncId, ...(input.orgId ? { orgId: input.orgId } : {}) },
  });
  if (!row) return false;
  const ended = await tx.syncProgress.updateMany({
    where: {
      id: row.id,
      status: { in: [...LIVE_STATUSES] },
      ...(input.staleBefore ? { updatedAt: { lt: input.staleBefore } } : {}),
    },
    data: {
      status: input.status,
      metadata: {
        ...readMetadata(row.metadata),
        ...(input.errorMessage
          ? { error: { code: input.errorCode ?? input.status.toUpperCase(), message: input.errorMessage } }
          : {}),
      } as object,
    },
  });
  if (ended.count === 0) return false;
  await logActivity(tx, {
    orgId: row.orgId,
    syncId: row.syncId,
    entityType: row.entityType,
    action: 'sync_complete',
    status: input.status,
    recordCount: row.processedCount + row.failedCount,
    durationSeconds: (Date.now() - row.startedAt.getTime()) / 1000,
    errorMessage: input.errorMessage,
    userId: row.initiatedBy,
  });
  return true;
}

/**
 * Failures that running the same job again cannot fix: its data or the
 * connection's stored settings are invalid, or the source has no such
 * entity. Such a sync stays failed when its job is retried; fix the cause
 * and trigger a new sync.
 */
export const NOT_RESUMABLE_CODES: readonly string[] = [
  ErrorCodes.VALIDATION_FAILED,
  ErrorCodes.ENTITY_NOT_SUPPORTED,
];

/**
 * A failed sync whose job was retried goes back to work: `in_progress` when
 * it had started (it resumes at its checkpoint), `pending` when it failed
 * before its first batch (it starts over). Its error moves to
 * `metadata.recoveredErrors` and one `error_recovery` row (with that error)
 * is logged, in one transaction. Throws SYNC_NOT_RESUMABLE when the failure
 * is one a retry cannot fix (NOT_RESUMABLE_CODES) or when another sync of
 * the same connection and entity is live. A sync that is no longer `failed`
 * is returned as it is.
 */
export async function reopenFailedSync(prisma: PrismaClient, progressId: string): Promise<SyncProgress> {
  return prisma.$transaction(async (tx) => {
    const row = await tx.syncProgress.findUniqueOrThrow({ where: { id: progressId } });
    if (row.status !== 'failed') return row;
    const { error, ...meta } = readMetadata(row.metadata);
    if (error && NOT_RESUMABLE_CODES.includes(error.code)) {
      throw notResumable(
        row.syncId,
        `it failed with ${error.code} (${error.message}), which a retry cannot fix`,
      );
    }
    const live =
      row.connectionId &&
      (await tx.syncProgress.findFirst({
        where: {
          connectionId: row.connectionId,
          entityType: row.entityType,
          status: { in: [...LIVE_STATUSES] },
          id: { not: row.id },
        },
        select: { syncId: true },
      }));
    if (live)
      throw notResumable(row.syncId, `sync ${live.syncId} of the same connection and entity is running`);
    const reopened = await tx.syncProgress.update({
      where: { id: row.id },
      data: {
        status: meta.mode ? 'in_progress' : 'pending',
        metadata: {
          ...meta,
          recoveredErrors: [...(meta.recoveredErrors ?? []), ...(error ? [error] : [])],
        } as object,
      },
    });
    await logActivity(tx, {
      orgId: row.orgId,
      syncId: row.syncId,
      entityType: row.entityType,
      action: 'error_recovery',
      status: 'in_progress',
      recordCount: row.processedCount + row.failedCount,
      errorMessage: error ? `retried after: ${error.code}: ${error.message}` : 'retried',
      userId: row.initiatedBy,
    });
    return reopened;
  });
}

function notResumable(syncId: string, why: string): SyncWorkerError {
  return new SyncWorkerError(
    ErrorCodes.SYNC_NOT_RESUMABLE,
    `sync ${syncId} stays failed: ${why}; trigger a new sync instead`,
  );
}

/**
 * Records what a running sync is doing (`metadata.phase`) without touching
 * its counts or batch number (so the batches' optimistic lock is unaffected).
 */
export async function markPhase(
  prisma: PrismaClient,
  progressId: string,
  phase: NonNullable<SyncMetadata['phase']>,
): Promise<void> {
  await prisma.$executeRaw`
    UPDATE sync_progress SET metadata = jsonb_set(coalesce(metadata, '{}'::jsonb), '{phase}', to_jsonb(${phase}::text))
     WHERE id = ${progressId}::uuid AND status = 'in_progress'`;
}
