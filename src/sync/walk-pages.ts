import type { CanonicalRecord, SourceAdapter } from '../adapters/types.js';
import type { PrismaClient } from '../db/prisma.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BatchTarget } from './batch-writer.js';
import { commitBatch, type BatchOutcome, type WalkState } from './commit-batch.js';
import { mapPage } from './map-page.js';
import { markPhase } from './sync-lifecycle.js';
import { silentObserver, type SyncObserver } from './sync-observer.js';
import type { ItemFailure } from './sync-metadata.js';
import { WalkIds } from './walk-ids.js';

export interface WalkOptions {
  prisma: PrismaClient;
  adapter: SourceAdapter;
  target: BatchTarget;
  userId: string | null;
  state: WalkState;
  /** Records per batch transaction (SYNC_BATCH_SIZE). */
  batchSize: number;
  deleteGuard: number;
  /** SYNC_ID_SCAN: `always` reads every id again after the walk (walk-ids.ts). @defaultValue 'auto' */
  idScan?: 'auto' | 'always';
  /**
   * The sync's signal (cancel, timeout, shutdown): aborts page fetches and
   * the id scan at once; checked between pages, where the walk lets the
   * batch in flight commit and then throws the signal's reason.
   */
  signal: AbortSignal;
  log: Logger;
  /** Told of each committed batch and of the phases (the job's progress and log). */
  observer?: SyncObserver;
}

/**
 * Pages → batches, one transaction each, in order. A batch is one page, or
 * ⌈batchSize / adapter.maxPageSize⌉ pages when the batch size is larger than
 * what the source returns per request. The next page is mapped while the
 * previous batch commits (never more than one commit in flight, so the
 * progress row still advances batch by batch). The last batch of a full
 * sync carries the source's ids for the deletion diff (walk-ids.ts: the
 * walk's own ids when it saw a consistent snapshot, else an id scan run
 * alongside the walk) and completes the sync. Page mapping
 * (map-page.ts) and the deletion check (deletion-scan.ts) are shared with the
 * preview, which computes the same delta without writing.
 */
export async function walkPages(options: WalkOptions): Promise<WalkState> {
  const { adapter, target, log } = options;
  const observer = options.observer ?? silentObserver;
  const meta = options.state.metadata;
  const mode = meta.mode ?? 'full';
  let state = options.state;
  let maxSeen = meta.maxSeen ?? null;
  let inFlight: Promise<BatchOutcome> | undefined;
  // The deletion diff's ids (issue 7: no serial second pass when the walk can vouch for them).
  const walkIds = new WalkIds(adapter, target.entityType, options.signal, {
    full: mode === 'full',
    resumed: meta.checkpoint != null,
    alwaysScan: options.idScan === 'always',
  });

  const settle = async (): Promise<void> => {
    if (!inFlight) return;
    const outcome = await inFlight;
    inFlight = undefined;
    state = outcome.state;
    observer.onBatch({
      batchNumber: state.batchNumber,
      processed: state.processedCount,
      failed: state.failedCount,
      total: state.totalItems,
      ...outcome.figures,
      final: state.totalItems === state.processedCount + state.failedCount,
    });
    if (outcome.deletion?.guarded) {
      log.warn(
        outcome.deletion.guarded,
        'deletion scan skipped: it would delete more than SYNC_DELETE_GUARD allows',
      );
    }
    log.debug(
      {
        batch: state.batchNumber,
        processed: state.processedCount,
        total: state.totalItems,
        phasesMs: outcome.phases,
      },
      'batch committed',
    );
  };

  try {
    const pages = adapter.pages({
      entity: target.entityType,
      mode,
      since: meta.since ?? null,
      checkpoint: meta.checkpoint ?? null,
      pageSize: Math.min(options.batchSize, adapter.maxPageSize),
      signal: options.signal,
    });
    const pagesPerBatch = Math.max(1, Math.ceil(options.batchSize / adapter.maxPageSize));
    let group: { pages: number; records: CanonicalRecord[]; failures: ItemFailure[] } = {
      pages: 0,
      records: [],
      failures: [],
    };
    for await (const page of pages) {
      if (options.signal.aborted) {
        await settle();
        throw options.signal.reason;
      }
      const mapped = mapPage(adapter, target.entityType, page.items, maxSeen);
      maxSeen = mapped.maxSeen;
      walkIds.see(page, idsOf(mapped.records, mapped.failures));
      group.pages += 1;
      group.records.push(...mapped.records);
      group.failures.push(...mapped.failures);
      if (group.pages < pagesPerBatch && !page.done) continue;
      const batch = group;
      group = { pages: 0, records: [], failures: [] };
      let sourceIds: string[] | undefined;
      let idsFrom: 'walk' | 'scan' | undefined;
      if (page.done && mode === 'full') {
        idsFrom = walkIds.sourceOf(page);
        if (idsFrom === 'scan') {
          // The scan may still run: say so on the progress row (after the batch in flight).
          await settle();
          await markPhase(options.prisma, state.progressId, 'deletion scan');
          observer.onPhase('deletion scan');
        }
        sourceIds = await walkIds.idsFor(page);
      }
      if (page.done) {
        observer.onPhase('finishing', sourceIds ? { ids: sourceIds.length, from: idsFrom! } : undefined);
      }
      await settle();
      inFlight = commitBatch(options.prisma, {
        target,
        state,
        userId: options.userId,
        records: batch.records,
        failures: batch.failures,
        checkpoint: page.checkpoint,
        maxSeen,
        final: page.done,
        ...(sourceIds ? { sourceIds } : {}),
        deleteGuard: options.deleteGuard,
      });
      // Keep a rejection handled until settle() awaits it.
      inFlight.catch(() => undefined);
      if (page.done) {
        await settle();
        return state;
      }
    }
  } finally {
    walkIds.close();
    // Never leave a commit running behind the caller's back.
    if (inFlight) await inFlight.catch(() => undefined);
  }
  throw new SyncWorkerError(
    ErrorCodes.SOURCE_BAD_RESPONSE,
    `the ${target.entityType} page walk ended without a last page`,
    { retry: 'retryable' },
  );
}

function* idsOf(records: readonly CanonicalRecord[], failures: readonly ItemFailure[]): Iterable<string> {
  for (const r of records) yield r.externalId;
  for (const f of failures) yield f.externalId;
}
