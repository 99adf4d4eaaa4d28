import type { SyncProgress } from '../generated/prisma/client.js';
import { readMetadata, type SyncMetadata } from './sync-metadata.js';

/**
 * Where a sync stands, for people: `queued` (pending), `fetching` (batches),
 * `deletion scan` (a full sync listing the source's ids before its last
 * batch), `finishing` (the counted items are done, the last batch is due),
 * `paused`, `done` (any terminal status).
 */
export type SyncPhase = 'queued' | 'fetching' | 'deletion scan' | 'finishing' | 'paused' | 'done';

/** How a sync is shown by the CLI and the API (camelCase, ETA from the triggers). */
export interface SyncView {
  syncId: string;
  status: string;
  connectionId: string | null;
  entityType: string | null;
  sourceSystem: string | null;
  mode: string | null;
  totalItems: number;
  processedCount: number;
  failedCount: number;
  currentItem: number;
  batchNumber: number;
  speedItemsPerMin: number | null;
  /** Null once the sync has ended, and while the phase is not `fetching`. */
  etaSeconds: number | null;
  elapsedSeconds: number | null;
  phase: SyncPhase;
  startedAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** When it ended, whatever the outcome (`completedAt` is set for completions only); null while live. */
  endedAt: string | null;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  error: { code: string; message: string } | null;
}

function phaseOf(row: SyncProgress, meta: SyncMetadata): SyncPhase {
  if (TERMINAL_STATUSES.includes(row.status)) return 'done';
  if (row.status === 'pending') return 'queued';
  if (row.status === 'paused') return 'paused';
  if (meta.phase === 'deletion scan') return meta.phase;
  // Until the last batch, total_items stays one ahead of the items done.
  return row.batchNumber > 0 && row.processedCount + row.failedCount >= row.totalItems - 1
    ? 'finishing'
    : 'fetching';
}

export function syncView(row: SyncProgress): SyncView {
  const meta = readMetadata(row.metadata);
  const delta = meta.delta!;
  const phase = phaseOf(row, meta);
  const ended = phase === 'done';
  return {
    syncId: row.syncId,
    status: row.status,
    connectionId: row.connectionId,
    entityType: row.entityType,
    sourceSystem: row.sourceSystem,
    mode: meta.mode ?? null,
    totalItems: row.totalItems,
    processedCount: row.processedCount,
    failedCount: row.failedCount,
    currentItem: row.currentItem,
    batchNumber: row.batchNumber,
    speedItemsPerMin: row.speedItemsPerMin === null ? null : Number(row.speedItemsPerMin),
    etaSeconds: phase === 'fetching' ? row.etaSeconds : null,
    elapsedSeconds: row.elapsedSeconds,
    phase,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    endedAt: ended ? (row.completedAt ?? row.updatedAt).toISOString() : null,
    created: delta.created,
    updated: delta.updated,
    unchanged: delta.unchanged,
    deleted: delta.deleted,
    error: meta.error ?? null,
  };
}

export const TERMINAL_STATUSES: readonly string[] = [
  'completed',
  'completed_with_errors',
  'failed',
  'cancelled',
  'timeout',
];
