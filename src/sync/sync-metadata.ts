import type { IncrementalCursor, PageCheckpoint } from '../adapters/types.js';

export interface DeltaCounts {
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
}

export interface ItemFailure {
  externalId: string;
  reason: string;
}

/** Failures kept per sync (the count is exact; the sample is bounded). */
export const FAILURE_SAMPLE_SIZE = 50;

/**
 * `sync_progress.metadata`: what the worker needs to resume and report.
 * Written in the same transaction as each batch.
 */
export interface SyncMetadata {
  /** Mode asked for by the trigger. */
  requestedMode: 'full' | 'incremental';
  /** Mode actually run (the first incremental run of a connection is full). */
  mode?: 'full' | 'incremental';
  trigger: 'manual' | 'scheduled';
  /** Incremental lower bound (the cursor at the start of the run). */
  since?: IncrementalCursor | null;
  /** Where the page walk stands; null before the first batch. */
  checkpoint?: PageCheckpoint | null;
  /** Newest (updatedAt, id) seen in this run; becomes the next cursor. */
  maxSeen?: IncrementalCursor | null;
  delta?: DeltaCounts;
  failures?: ItemFailure[];
  /** Set when a full scan's deletions were skipped by the delete guard. */
  deleteGuard?: { wouldDelete: number; live: number; limit: number };
  error?: { code: string; message: string };
  /** Errors a failed sync was reopened after (its job retried), oldest first. */
  recoveredErrors?: { code: string; message: string }[];
  /**
   * What the engine is doing when it is not plain batches: `deletion scan`
   * while a full sync lists the source's ids before its last batch; each
   * batch sets `fetching`. Read by the CLI's progress bar and `status`.
   */
  phase?: 'fetching' | 'deletion scan';
}

export const zeroDelta = (): DeltaCounts => ({ created: 0, updated: 0, unchanged: 0, deleted: 0 });

export function readMetadata(value: unknown): SyncMetadata {
  const m = (value && typeof value === 'object' ? value : {}) as Partial<SyncMetadata>;
  return {
    requestedMode: m.requestedMode ?? 'full',
    trigger: m.trigger ?? 'manual',
    ...m,
    delta: { ...zeroDelta(), ...m.delta },
    failures: m.failures ?? [],
  };
}
