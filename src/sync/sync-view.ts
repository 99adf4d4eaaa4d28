import type { SyncProgress } from '../generated/prisma/client.js';
import { readMetadata } from './sync-metadata.js';

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
  etaSeconds: number | null;
  elapsedSeconds: number | null;
  startedAt: string;
  updatedAt: string;
  completedAt: string | null;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  error: { code: string; message: string } | null;
}

export function syncView(row: SyncProgress): SyncView {
  const meta = readMetadata(row.metadata);
  const delta = meta.delta!;
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
    etaSeconds: row.etaSeconds,
    elapsedSeconds: row.elapsedSeconds,
    startedAt: row.startedAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
    created: delta.created,
    updated: delta.updated,
    unchanged: delta.unchanged,
    deleted: delta.deleted,
    error: meta.error ?? null,
  };
}

export const TERMINAL_STATUSES = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];
