import type { PageCheckpoint, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
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

/** What a deletion scan finds: the live mirror ids gone from the source, and what the guard says of them. */
export interface DeletionCheck {
  vanished: string[];
  live: number;
  /** Most rows the guard lets one full sync mark deleted: ⌊live × guard⌋. */
  limit: number;
  /** More would go than `limit`: then nothing is marked. */
  blocked: boolean;
}

/**
 * The live mirror ids missing from the source, and whether the delete guard
 * refuses them (more than `guard`, a share, of the live mirror would go: a
 * source that answers a partial list by mistake cannot wipe the mirror). The
 * difference is computed here, in one pass whatever the sizes (an anti-join
 * against a 50,000-element array parameter is planned as a nested loop).
 * The sync's last batch and the preview both decide with it.
 */
export function checkDeletions(
  liveIds: readonly string[],
  sourceIds: Iterable<string>,
  guard: number,
): DeletionCheck {
  const inSource = sourceIds instanceof Set ? (sourceIds as Set<string>) : new Set(sourceIds);
  const vanished = liveIds.filter((id) => !inSource.has(id));
  const limit = Math.floor(liveIds.length * guard);
  return { vanished, live: liveIds.length, limit, blocked: vanished.length > limit };
}

/** The live (not deleted) external ids of the mirror, read through the unique index. */
export async function liveExternalIds(
  db: PrismaTx | PrismaClient,
  connectionId: string,
  entityType: SyncEntityType,
): Promise<string[]> {
  const rows = await db.$queryRawUnsafe<{ external_id: string }[]>(
    loadSql('live-external-ids'),
    connectionId,
    entityType,
  );
  return rows.map((r) => r.external_id);
}

/**
 * Marks mirror rows missing from the source as deleted, unless the guard refuses (`checkDeletions`).
 * `liveIds`: the live mirror read before the transaction (`LiveIdsAtStart`); read here when absent.
 */
export async function applyDeletions(
  tx: PrismaTx,
  target: BatchTarget,
  sourceIds: string[],
  guard: number,
  liveIds?: readonly string[],
): Promise<DeletionOutcome> {
  const live = liveIds ?? (await liveExternalIds(tx, target.connectionId, target.entityType));
  const check = checkDeletions(live, sourceIds, guard);
  if (check.vanished.length === 0) return { deleted: 0 };
  if (check.blocked) {
    return {
      deleted: 0,
      guarded: { wouldDelete: check.vanished.length, live: check.live, limit: check.limit },
    };
  }
  const deleted = await tx.$executeRawUnsafe(
    loadSql('mark-deleted'),
    target.connectionId,
    target.entityType,
    check.vanished,
    target.syncId,
  );
  return { deleted };
}

/**
 * The live mirror's ids, read when a full sync's walk starts, so that its last
 * batch does not read them inside its transaction after the last answer (about
 * 50 ms for 20,000 records: the time between the source's last page and the
 * sync's end, issue 7). The same diff as a read at the end: one live sync per
 * (connection, entity) (the unique index sync_progress_one_live_per_connection_entity)
 * and the sync's batches write only records the source has, so between the two
 * reads the live mirror gains only ids of the source and loses none; the guard's
 * share is of the mirror as the walk found it. A failed read leaves it to the
 * last batch (`ids()` is then undefined).
 */
export class LiveIdsAtStart {
  private readonly read: Promise<string[] | undefined>;

  constructor(db: PrismaClient, target: Pick<BatchTarget, 'connectionId' | 'entityType'>) {
    this.read = liveExternalIds(db, target.connectionId, target.entityType).catch(() => undefined);
  }

  ids(): Promise<string[] | undefined> {
    return this.read;
  }
}
