import type { CanonicalRecord, Page, SourceAdapter } from '../adapters/types.js';
import type { PrismaClient } from '../db/prisma.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { BatchTarget } from './batch-writer.js';
import { commitBatch, type BatchOutcome, type WalkState } from './commit-batch.js';
import { LiveIdsAtStart } from './deletion-scan.js';
import { mapPage } from './map-page.js';
import { markPhase } from './sync-lifecycle.js';
import { ReadyPages } from './ready-pages.js';
import { silentObserver, type SyncObserver } from './sync-observer.js';
import type { ItemFailure } from './sync-metadata.js';
import { WalkIds } from './walk-ids.js';
import { yieldToIo } from './yield-to-io.js';

export interface WalkOptions {
  prisma: PrismaClient;
  adapter: SourceAdapter;
  target: BatchTarget;
  userId: string | null;
  state: WalkState;
  /** Most records per batch transaction (SYNC_BATCH_SIZE): whole pages, at least one. */
  batchSize: number;
  deleteGuard: number;
  /** SYNC_ID_SCAN: `always` reads every id again after the walk (walk-ids.ts). @defaultValue 'auto' */
  idScan?: 'auto' | 'always';
  /**
   * The sync's signal (cancel, timeout, shutdown): aborts page fetches and
   * the id scan at once; checked between batches, where the walk lets the
   * batch in flight commit and then throws the signal's reason.
   */
  signal: AbortSignal;
  log: Logger;
  /** Told of each committed batch and of the phases (the job's progress and log). */
  observer?: SyncObserver;
}

/**
 * Pages → batches, one transaction each, in order, by group commit
 * (ready-pages.ts): pages are fetched (SYNC_PAGE_CONCURRENCY ahead) and
 * mapped as they come, also while a batch commits; each batch takes the
 * pages ready when the previous commit ends, up to `batchSize` records
 * (whole pages, at least one), and never waits for more while a page is
 * ready. A fast source makes few large batches; a slow one commits, and so
 * moves the progress row, page by page. The last batch of a full sync
 * carries the source's ids for the deletion diff (walk-ids.ts: the walk's
 * own ids when it saw a consistent snapshot, else an id scan run alongside
 * the walk) and completes the sync. Page mapping (map-page.ts) and
 * the deletion check (deletion-scan.ts) are shared with the preview, which
 * computes the same delta without writing.
 */
export async function walkPages(options: WalkOptions): Promise<WalkState> {
  const { adapter, target, log } = options;
  const observer = options.observer ?? silentObserver;
  const meta = options.state.metadata;
  const mode = meta.mode ?? 'full';
  let state = options.state;
  // The deletion diff's ids (issue 7: no serial second pass when the walk can vouch for them).
  const walkIds = new WalkIds(adapter, target.entityType, options.signal, {
    full: mode === 'full',
    resumed: meta.checkpoint != null,
    alwaysScan: options.idScan === 'always',
  });
  const liveIds = mode === 'full' ? new LiveIdsAtStart(options.prisma, target) : undefined;

  const report = (outcome: BatchOutcome): void => {
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

  const pageSize = Math.min(options.batchSize, adapter.maxPageSize);
  // Room for two full batches of pages: the walk keeps fetching while one commits.
  const ready = new ReadyPages(2 * Math.max(1, Math.ceil(options.batchSize / pageSize)), options.signal);
  // Stops the page walk's requests when the walk ends early (a failed commit).
  const stop = new AbortController();
  const fetching = fetchPages(
    options,
    mode,
    pageSize,
    AbortSignal.any([options.signal, stop.signal]),
    ready,
    walkIds,
  );
  try {
    for (;;) {
      const batch = await ready.take(options.batchSize);
      if (!batch) break;
      await yieldToIo(); // replies in flight (grants, answers) before the statement is built
      const { page, maxSeen } = batch.last;
      let sourceIds: string[] | undefined;
      let live: string[] | undefined;
      let idsFrom: 'walk' | 'scan' | undefined;
      if (page.done && mode === 'full') {
        idsFrom = walkIds.sourceOf(page);
        if (idsFrom === 'scan') {
          // The scan may still run: say so on the progress row.
          await markPhase(options.prisma, state.progressId, 'deletion scan');
          observer.onPhase('deletion scan');
        }
        sourceIds = await walkIds.idsFor(page);
        live = await liveIds?.ids();
      }
      if (page.done) {
        observer.onPhase('finishing', sourceIds ? { ids: sourceIds.length, from: idsFrom! } : undefined);
      }
      report(
        await commitBatch(options.prisma, {
          target,
          state,
          userId: options.userId,
          records: batch.records,
          failures: batch.failures,
          checkpoint: page.checkpoint,
          maxSeen,
          final: page.done,
          ...(sourceIds ? { sourceIds } : {}),
          ...(live ? { liveIds: live } : {}),
          deleteGuard: options.deleteGuard,
        }),
      );
      if (page.done) return state;
    }
  } finally {
    // Never leave the page walk running behind the caller's back.
    ready.close();
    stop.abort();
    walkIds.close();
    await fetching;
  }
  throw new SyncWorkerError(
    ErrorCodes.SOURCE_BAD_RESPONSE,
    `the ${target.entityType} page walk ended without a last page`,
    { retry: 'retryable' },
  );
}

/** The page walk: fetches and maps pages into `ready` until the last one, or the walk fails. Never throws. */
async function fetchPages(
  options: WalkOptions,
  mode: 'full' | 'incremental',
  pageSize: number,
  signal: AbortSignal,
  ready: ReadyPages,
  walkIds: WalkIds,
): Promise<void> {
  const { adapter, target } = options;
  const meta = options.state.metadata;
  let maxSeen = meta.maxSeen ?? null;
  let pages: AsyncIterator<Page> | undefined;
  try {
    const walk = adapter.pages({
      entity: target.entityType,
      mode,
      since: meta.since ?? null,
      checkpoint: meta.checkpoint ?? null,
      pageSize,
      signal,
    });
    pages = walk[Symbol.asyncIterator]();
    let next: Promise<IteratorResult<Page>> | undefined = pages.next();
    while (next) {
      const result: IteratorResult<Page> = await next;
      next = undefined;
      if (result.done) break;
      const page = result.value;
      if (!page.done) {
        // Ask for the following page before mapping this one, so the walk's next requests go out now.
        next = pages.next();
        next.catch(() => undefined); // awaited on the next turn, or dropped when the walk stops
      }
      await yieldToIo(); // the next request's rate-budget grant is read before the mapping
      const mapped = mapPage(adapter, target.entityType, page.items, maxSeen);
      maxSeen = mapped.maxSeen;
      walkIds.see(page, idsOf(mapped.records, mapped.failures));
      const pushed = await ready.push({ page, records: mapped.records, failures: mapped.failures, maxSeen });
      if (!pushed || page.done) break;
    }
    ready.end();
  } catch (err) {
    ready.fail(err);
  } finally {
    // Ends the adapter's walk (its own cleanup: speculative requests aborted), once its step in flight has settled.
    await pages?.return?.(undefined).catch(() => undefined);
  }
}

function* idsOf(records: readonly CanonicalRecord[], failures: readonly ItemFailure[]): Iterable<string> {
  for (const r of records) yield r.externalId;
  for (const f of failures) yield f.externalId;
}
