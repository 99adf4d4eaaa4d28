import type { SourceAdapter, SyncEntityType } from '../adapters/types.js';
import type { PrismaTx } from '../db/prisma.js';
import { loadSql } from '../db/sql/load-sql.js';
import type { BatchTarget } from './batch-writer.js';

export interface DeletionOutcome {
  deleted: number;
  /** Set when the guard refused to mark anything. */
  guarded?: { wouldDelete: number; live: number; limit: number };
}

/** Every external id the source has now (the id scan of a full sync). */
export async function collectSourceIds(
  adapter: SourceAdapter,
  entity: SyncEntityType,
  signal?: AbortSignal,
): Promise<string[]> {
  const ids: string[] = [];
  for await (const chunk of adapter.scanIds(entity, signal)) ids.push(...chunk);
  return ids;
}

/**
 * Marks mirror rows missing from the source as deleted, unless that would
 * delete more than `guard` (a share) of the live mirror: then a source that
 * answers a partial list by mistake cannot wipe the mirror, and nothing is
 * marked.
 */
export async function applyDeletions(
  tx: PrismaTx,
  target: BatchTarget,
  sourceIds: string[],
  guard: number,
): Promise<DeletionOutcome> {
  const [counts] = await tx.$queryRawUnsafe<{ vanished: number; live: number }[]>(
    loadSql('count-vanished'),
    target.connectionId,
    target.entityType,
    sourceIds,
  );
  const vanished = counts?.vanished ?? 0;
  const live = counts?.live ?? 0;
  if (vanished === 0) return { deleted: 0 };
  const limit = Math.floor(live * guard);
  if (vanished > limit) return { deleted: 0, guarded: { wouldDelete: vanished, live, limit } };
  const deleted = await tx.$executeRawUnsafe(
    loadSql('mark-deleted'),
    target.connectionId,
    target.entityType,
    sourceIds,
    target.syncId,
  );
  return { deleted };
}
