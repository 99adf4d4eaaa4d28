import type { PageCheckpoint, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import type { PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import type { BatchTarget } from './batch-writer.js';
import { sleep } from '../sleep.js';

export interface DeletionOutcome {
  deleted: number;
  /** Set when the guard refused to mark anything. */
  guarded?: { wouldDelete: number; live: number; limit: number };
}

/** How many times a deletion scan waits out a long rate-limit pause before it gives up. */
const SCAN_RATE_LIMIT_WAITS = 10;

/**
 * Every external id the source has now (the id scan of a full sync). The scan
 * is the last step before a full sync completes and has no checkpoint in the
 * database, so a rate-limit pause longer than a request waits in place is
 * waited out here and the scan resumes after its last chunk (up to
 * SCAN_RATE_LIMIT_WAITS times) instead of failing the attempt and starting over.
 */
export async function collectSourceIds(
  adapter: SourceAdapter,
  entity: SyncEntityType,
  signal?: AbortSignal,
): Promise<string[]> {
  const ids: string[] = [];
  let from: PageCheckpoint | null = null;
  for (let waits = 0; ; waits++) {
    try {
      for await (const chunk of adapter.scanIds(entity, signal, from)) {
        ids.push(...chunk.ids);
        from = chunk.checkpoint;
      }
      return ids;
    } catch (err) {
      const typed = adapter.classifyError(err);
      if (typed.retry !== 'rate_limited' || !typed.retryAfterMs || waits >= SCAN_RATE_LIMIT_WAITS) throw err;
      await sleep(typed.retryAfterMs, signal);
    }
  }
}

/**
 * Marks mirror rows missing from the source as deleted, unless that would
 * delete more than `guard` (a share) of the live mirror: then a source that
 * answers a partial list by mistake cannot wipe the mirror, and nothing is
 * marked. The difference is computed here, over the live ids read through
 * the unique index: one pass, whatever the sizes (an anti-join against a
 * 50,000-element array parameter is planned as a nested loop).
 */
export async function applyDeletions(
  tx: PrismaTx,
  target: BatchTarget,
  sourceIds: string[],
  guard: number,
): Promise<DeletionOutcome> {
  const live = await tx.$queryRawUnsafe<{ external_id: string }[]>(
    loadSql('live-external-ids'),
    target.connectionId,
    target.entityType,
  );
  const inSource = new Set(sourceIds);
  const vanished = live.map((r) => r.external_id).filter((id) => !inSource.has(id));
  if (vanished.length === 0) return { deleted: 0 };
  const limit = Math.floor(live.length * guard);
  if (vanished.length > limit) {
    return { deleted: 0, guarded: { wouldDelete: vanished.length, live: live.length, limit } };
  }
  const deleted = await tx.$executeRawUnsafe(
    loadSql('mark-deleted'),
    target.connectionId,
    target.entityType,
    vanished,
    target.syncId,
  );
  return { deleted };
}
