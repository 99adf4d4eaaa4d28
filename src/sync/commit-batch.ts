import type { CanonicalRecord, IncrementalCursor, PageCheckpoint } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import { SyncCancelledError } from '../errors.js';
import { logActivity } from './activity-log.js';
import { upsertRecords, type BatchTarget, type RecordDelta } from './batch-writer.js';
import { PhaseTimer, recordsWritten } from './batch-metrics.js';
import { applyDeletions, type DeletionOutcome } from './deletion-scan.js';
import { FAILURE_SAMPLE_SIZE, readMetadata, type ItemFailure, type SyncMetadata } from './sync-metadata.js';

export interface BatchInput {
  target: BatchTarget;
  /** `sync_progress.id`. */
  progressId: string;
  /** `batch_number` this worker last wrote: the optimistic-lock version. */
  expectedBatch: number;
  userId: string | null;
  records: CanonicalRecord[];
  failures: ItemFailure[];
  checkpoint: PageCheckpoint;
  maxSeen: IncrementalCursor | null;
  /**
   * The last batch: total_items becomes processed + failed, so the
   * completion trigger fires on this very update. Nothing is written after it.
   */
  final: boolean;
  /** Full scans only, on the final batch: every id the source has now. */
  sourceIds?: string[];
  /** Share of the live mirror a deletion scan may mark deleted. */
  deleteGuard: number;
}

export interface BatchOutcome {
  batchNumber: number;
  processedCount: number;
  failedCount: number;
  totalItems: number;
  deletion?: DeletionOutcome;
  metadata: SyncMetadata;
  /** Milliseconds per phase of the transaction. */
  phases: PhaseTimer['phases'];
  written: RecordDelta;
}

interface LockedProgress {
  status: string;
  batch_number: number;
  processed_count: number;
  failed_count: number;
  total_items: number;
  metadata: unknown;
}

async function lockProgress(tx: PrismaTx, input: BatchInput): Promise<LockedProgress> {
  const rows = await tx.$queryRawUnsafe<LockedProgress[]>(loadSql('lock-progress'), input.progressId);
  const row = rows[0];
  if (!row || row.status !== 'in_progress') {
    throw new SyncCancelledError(
      input.target.syncId,
      (row?.status as 'cancelled' | 'paused' | 'timeout' | 'failed' | undefined) ?? 'cancelled',
    );
  }
  if (row.batch_number !== input.expectedBatch) {
    // Another worker advanced this sync (e.g. after a stalled-job recovery):
    // this one must not write over its checkpoint.
    throw new SyncCancelledError(input.target.syncId, 'paused');
  }
  return row;
}

/**
 * One batch, one transaction: the records, the progress row (through Prisma)
 * and its `batch_process` log row commit together, so a crash never loses or
 * double-counts a batch. The final batch also applies the deletion scan and
 * advances the per-connection sync state.
 */
export async function commitBatch(prisma: PrismaClient, input: BatchInput): Promise<BatchOutcome> {
  const timer = new PhaseTimer();
  const outcome = await prisma.$transaction(
    async (tx) => {
      const locked = await lockProgress(tx, input);
      timer.mark('lock');
      const meta = readMetadata(locked.metadata);
      const written = await upsertRecords(tx, input.target, input.records);
      timer.mark('records');

      let deletion: DeletionOutcome | undefined;
      if (input.final && input.sourceIds) {
        deletion = await applyDeletions(tx, input.target, input.sourceIds, input.deleteGuard);
        timer.mark('deletions');
      }

      const processed = locked.processed_count + input.records.length;
      const failed = locked.failed_count + input.failures.length;
      // Until the final batch, keep total ahead of processed + failed so the
      // trigger cannot complete the sync early (the source may have grown).
      const total = input.final ? processed + failed : Math.max(locked.total_items, processed + failed + 1);
      const batchNumber = input.expectedBatch + 1;
      const delta = meta.delta!;
      const metadata: SyncMetadata = {
        ...meta,
        checkpoint: input.checkpoint,
        maxSeen: input.maxSeen ?? meta.maxSeen ?? null,
        delta: {
          created: delta.created + written.created,
          updated: delta.updated + written.updated,
          unchanged: delta.unchanged + written.unchanged,
          deleted: delta.deleted + (deletion?.deleted ?? 0),
        },
        failures: [...(meta.failures ?? []), ...input.failures].slice(0, FAILURE_SAMPLE_SIZE),
        ...(deletion?.guarded ? { deleteGuard: deletion.guarded } : {}),
      };

      await tx.syncProgress.update({
        where: { id: input.progressId },
        data: {
          processedCount: processed,
          failedCount: failed,
          totalItems: total,
          currentItem: processed + failed,
          batchNumber,
          metadata: metadata as object,
        },
      });
      timer.mark('progress');
      await logActivity(tx, {
        orgId: input.target.orgId,
        syncId: input.target.syncId,
        entityType: input.target.entityType,
        action: 'batch_process',
        status: 'in_progress',
        recordCount: input.records.length + input.failures.length,
        userId: input.userId,
      });
      timer.mark('log');
      if (input.final) {
        await advanceSyncState(tx, input.target, metadata);
        timer.mark('state');
      }
      return {
        batchNumber,
        processedCount: processed,
        failedCount: failed,
        totalItems: total,
        deletion,
        metadata,
        phases: timer.phases,
        written,
      };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  timer.mark('commit');
  recordsWritten.labels('created').inc(outcome.written.created);
  recordsWritten.labels('updated').inc(outcome.written.updated);
  recordsWritten.labels('unchanged').inc(outcome.written.unchanged);
  recordsWritten.labels('failed').inc(input.failures.length);
  recordsWritten.labels('deleted').inc(outcome.deletion?.deleted ?? 0);
  return outcome;
}

/** The next incremental run starts from this run's newest record. */
async function advanceSyncState(tx: PrismaTx, target: BatchTarget, meta: SyncMetadata): Promise<void> {
  const now = new Date();
  const full = meta.mode === 'full';
  const cursor = meta.maxSeen ?? meta.since ?? null;
  const key = {
    connectionId_entityType: { connectionId: target.connectionId, entityType: target.entityType },
  };
  const values = {
    cursor: cursor ? (cursor as object) : undefined,
    updatedAt: now,
    ...(full ? { lastFullScanAt: now, lastFullSyncId: target.syncId } : { lastIncrementalAt: now }),
  };
  await tx.syncState.upsert({
    where: key,
    create: {
      orgId: target.orgId,
      connectionId: target.connectionId,
      entityType: target.entityType,
      ...values,
    },
    update: values,
  });
}
