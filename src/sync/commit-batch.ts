import type { CanonicalRecord, IncrementalCursor, PageCheckpoint } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import { LostOwnershipError, SyncCancelledError, type StoppedStatus } from '../errors.js';
import type { SyncStatusType } from '../generated/prisma/enums.js';
import { PhaseTimer, recordsWritten } from './batch-metrics.js';
import { loadSql } from '../db/sql/load-sql.js';
import { recordDelta, recordsParameter, type BatchTarget, type RecordDelta } from './batch-writer.js';
import { applyDeletions, type DeletionOutcome } from './deletion-scan.js';
import { FAILURE_SAMPLE_SIZE, readMetadata, type ItemFailure, type SyncMetadata } from './sync-metadata.js';

/**
 * What the worker knows of its sync between batches. Read once when the walk
 * starts (or resumes); each committed batch returns the next one. The
 * `batchNumber` doubles as the optimistic-lock version of the progress row.
 */
export interface WalkState {
  progressId: string;
  batchNumber: number;
  processedCount: number;
  failedCount: number;
  totalItems: number;
  metadata: SyncMetadata;
}

export async function readWalkState(prisma: PrismaClient, progressId: string): Promise<WalkState> {
  const row = await prisma.syncProgress.findUniqueOrThrow({ where: { id: progressId } });
  return {
    progressId,
    batchNumber: row.batchNumber,
    processedCount: row.processedCount,
    failedCount: row.failedCount,
    totalItems: row.totalItems,
    metadata: readMetadata(row.metadata),
  };
}

export interface BatchInput {
  target: BatchTarget;
  state: WalkState;
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
  /** With `sourceIds`: the live mirror's ids read when the walk started (else read in the transaction). */
  liveIds?: readonly string[];
  /** Share of the live mirror a deletion scan may mark deleted. */
  deleteGuard: number;
}

export interface BatchOutcome {
  state: WalkState;
  /** What the triggers computed on this batch's progress update (read back, never computed here). */
  figures: { etaSeconds: number | null; speedItemsPerMin: number | null };
  written: RecordDelta;
  deletion?: DeletionOutcome;
  /** Milliseconds per phase of the transaction. */
  phases: PhaseTimer['phases'];
}

/**
 * One batch, one transaction: the records, the progress row (through the
 * Prisma client) and its `batch_process` log row commit together, so a crash
 * never loses or double-counts a batch. The progress row only moves while the
 * sync is `in_progress` at the batch number this worker last wrote; otherwise
 * (cancel, sweeper, another worker after a stalled-job recovery) nothing of
 * the batch is written and SyncCancelledError stops the walk.
 *
 * A batch before the last is one statement (commit-batch.sql: records,
 * progress and log row in data-modifying CTEs behind the ownership guard),
 * sent by `$queryRawUnsafe` outside any interactive transaction: a statement
 * is its own transaction, and the interactive one's BEGIN and COMMIT round
 * trips were most of what a batch paid besides its records. The final batch
 * sends the same statement inside an interactive transaction: it also applies
 * the deletion scan (read the live mirror, diff, mark) and advances the
 * per-connection sync state.
 */
export async function commitBatch(prisma: PrismaClient, input: BatchInput): Promise<BatchOutcome> {
  try {
    const outcome = input.final ? await commitFinal(prisma, input) : await commitOne(prisma, input);
    countRecords(outcome, input.failures.length);
    return outcome;
  } catch (err) {
    if (err instanceof LostOwnershipError) throw await whyLost(prisma, input);
    throw err;
  }
}

const NOTHING_WRITTEN: RecordDelta = { created: 0, updated: 0, unchanged: 0 };

/** A batch before the last: one statement. */
async function commitOne(prisma: PrismaClient, input: BatchInput): Promise<BatchOutcome> {
  const timer = new PhaseTimer();
  const { row, written, next } = await writeRecordsAndProgress(prisma, input, undefined);
  timer.mark('write');
  return { state: next, figures: figuresOf(row), written, phases: timer.phases };
}

/**
 * The batch's statement (commit-batch.sql) and the state after it: the
 * statement adds its own records' outcome to the delta it is given, so it is
 * sent the state before them, and what it wrote makes the state after.
 */
async function writeRecordsAndProgress(
  db: PrismaClient | PrismaTx,
  input: BatchInput,
  deletion: DeletionOutcome | undefined,
): Promise<{ row: WriteRow; written: RecordDelta; next: WalkState }> {
  const before = nextState(input, NOTHING_WRITTEN, deletion);
  const row = await writeBatch(db, input, recordsParameter(input.records), input.records.length, before);
  const written = recordDelta(input.records.length, row.created, row.updated);
  return { row, written, next: nextState(input, written, deletion) };
}

/**
 * The last batch, in one interactive transaction: the deletion diff (the live
 * mirror as the walk started, `liveIds`, or read here; mark what the source no
 * longer has), then the same statement as
 * every batch (records, progress + log row), then the sync state. The diff
 * runs before this batch's records are written: they are all in the source,
 * so the diff has nothing to say of them, and a record of this batch that an
 * id scan missed (created after the scan passed it) is written live whatever
 * the diff decided.
 */
async function commitFinal(prisma: PrismaClient, input: BatchInput): Promise<BatchOutcome> {
  const timer = new PhaseTimer();
  const outcome = await prisma.$transaction(
    async (tx) => {
      timer.mark('begin');
      let deletion: DeletionOutcome | undefined;
      if (input.sourceIds) {
        deletion = await applyDeletions(tx, input.target, input.sourceIds, input.deleteGuard, input.liveIds);
        timer.mark('deletions');
      }
      const { row, written, next } = await writeRecordsAndProgress(tx, input, deletion);
      timer.mark('write');
      await advanceSyncState(tx, input.target, next.metadata);
      timer.mark('state');
      return { state: next, figures: figuresOf(row), written, deletion, phases: timer.phases };
    },
    { timeout: 120_000, maxWait: 30_000 },
  );
  timer.mark('commit');
  return outcome;
}

interface WriteRow {
  created: number;
  updated: number;
  eta_seconds: number | null;
  speed_items_per_min: number | null;
}

/**
 * commit-batch.sql: `recordsJson`'s records, the progress row moved to `next`
 * (whose delta does not yet count those records) and the log row. Throws
 * LostOwnershipError, having written nothing, when the guard does not match.
 */
async function writeBatch(
  db: PrismaClient | PrismaTx,
  input: BatchInput,
  recordsJson: string,
  examined: number,
  next: WalkState,
): Promise<WriteRow> {
  const { target, state } = input;
  const rows = await db.$queryRawUnsafe<WriteRow[]>(
    loadSql('commit-batch'),
    recordsJson,
    target.connectionId,
    target.entityType,
    target.orgId,
    target.syncId,
    state.progressId,
    state.batchNumber,
    next.processedCount,
    next.failedCount,
    next.totalItems,
    JSON.stringify(next.metadata),
    examined,
    input.records.length + input.failures.length,
    input.userId,
  );
  if (rows.length !== 1) throw new LostOwnershipError(target.syncId);
  return rows[0]!;
}

/** What the triggers computed on the batch's progress update (read back, never computed here). */
function figuresOf(row: WriteRow): BatchOutcome['figures'] {
  return {
    etaSeconds: row.eta_seconds,
    speedItemsPerMin: row.speed_items_per_min === null ? null : Number(row.speed_items_per_min),
  };
}

function nextState(
  input: BatchInput,
  written: RecordDelta,
  deletion: DeletionOutcome | undefined,
): WalkState {
  const { state } = input;
  const processed = state.processedCount + input.records.length;
  const failed = state.failedCount + input.failures.length;
  const delta = state.metadata.delta!;
  return {
    progressId: state.progressId,
    batchNumber: state.batchNumber + 1,
    processedCount: processed,
    failedCount: failed,
    // Until the final batch, keep total ahead of processed + failed so the
    // trigger cannot complete the sync early (the source may have grown).
    totalItems: input.final ? processed + failed : Math.max(state.totalItems, processed + failed + 1),
    metadata: {
      ...state.metadata,
      phase: 'fetching',
      checkpoint: input.checkpoint,
      maxSeen: input.maxSeen ?? state.metadata.maxSeen ?? null,
      delta: {
        created: delta.created + written.created,
        updated: delta.updated + written.updated,
        unchanged: delta.unchanged + written.unchanged,
        deleted: delta.deleted + (deletion?.deleted ?? 0),
      },
      failures: [...(state.metadata.failures ?? []), ...input.failures].slice(0, FAILURE_SAMPLE_SIZE),
      ...(deletion?.guarded ? { deleteGuard: deletion.guarded } : {}),
    },
  };
}

async function whyLost(prisma: PrismaClient, input: BatchInput): Promise<SyncCancelledError> {
  const row = await prisma.syncProgress.findUnique({
    where: { id: input.state.progressId },
    select: { status: true },
  });
  const status: SyncStatusType = row?.status ?? 'cancelled';
  // Still in progress but at another batch number: another worker owns it now.
  const reported = status === 'in_progress' ? 'paused' : status;
  return new SyncCancelledError(input.target.syncId, reported as StoppedStatus);
}

function countRecords(outcome: BatchOutcome, failed: number): void {
  recordsWritten.labels('created').inc(outcome.written.created);
  recordsWritten.labels('updated').inc(outcome.written.updated);
  recordsWritten.labels('unchanged').inc(outcome.written.unchanged);
  recordsWritten.labels('failed').inc(failed);
  recordsWritten.labels('deleted').inc(outcome.deletion?.deleted ?? 0);
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
