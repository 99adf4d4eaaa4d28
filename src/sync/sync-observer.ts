/**
 * What the sync engine tells whoever watches one sync run (the BullMQ job
 * reporter: src/workers/job-reporter.ts). The engine only calls these; it
 * never knows who listens, so it stays free of BullMQ. Every method but
 * `onEnd` is fire-and-forget: an observer must never slow down or fail the
 * sync (it queues its own work and swallows its own errors).
 */

/** Where a running sync stands. */
export type SyncPhase =
  /** Pages are fetched and written batch by batch. */
  | 'fetching'
  /** Full syncs, before the last batch: every id of the source is read to find deletions. */
  | 'deletion scan'
  /** The last batch commits (deletions, completion). */
  | 'finishing';

export interface SyncStart {
  mode: 'full' | 'incremental';
  trigger: 'manual' | 'scheduled';
  /** Items the source reported for this run (`total_items`). */
  total: number;
  /** Items already done before this run: 0 on a fresh start. */
  done: number;
  /**
   * How this run began: `start` (pending → in_progress), `resume` (a retry,
   * a stalled job or a restart picks the sync up at its checkpoint),
   * `user_retry` (a failed sync whose job a user retried, reopened).
   */
  kind: 'start' | 'resume' | 'user_retry';
}

/** After each committed batch, the figures of the progress row as the triggers left them. */
export interface BatchProgress {
  batchNumber: number;
  processed: number;
  failed: number;
  /** `total_items` (kept ahead of processed + failed until the last batch). */
  total: number;
  /** The trigger's `eta_seconds` (null until it can tell). */
  etaSeconds: number | null;
  /** The trigger's `speed_items_per_min`. */
  speedItemsPerMin: number | null;
  /** True for the batch that completed the sync. */
  final: boolean;
}

export interface RateLimitWait {
  /** How long the store asked every worker to wait. */
  waitMs: number;
  /** `in_place`: requests wait it out; `job_delayed`: the job comes back after it. */
  how: 'in_place' | 'job_delayed';
}

export interface SyncEnd {
  /** The sync's status when this run stops. */
  status: string;
  /** The progress row's counts when the run read them at its end (else the last batch's are kept). */
  counts?: { processed: number; failed: number; total: number };
  delta?: { created: number; updated: number; unchanged: number; deleted: number };
  /** Deletions the delete guard refused. */
  deleteGuard?: { wouldDelete: number; live: number; limit: number };
  error?: { code: string; message: string };
  /** The run stops without ending the sync: `retry` (BullMQ retries it), `requeued` (shutdown), `delayed`. */
  continues?: 'retry' | 'requeued' | 'delayed';
}

export interface SyncObserver {
  onStart(start: SyncStart): void;
  onBatch(progress: BatchProgress): void;
  /** `finishing` of a full sync: the source's ids for the deletion diff, and whether the walk or an id scan gave them. */
  onPhase(phase: SyncPhase, detail?: { ids?: number; from?: 'walk' | 'scan' }): void;
  onRateLimitWait(wait: RateLimitWait): void;
  /** The run is over (whatever the outcome); resolves once everything reported has been written. */
  onEnd(end: SyncEnd): Promise<void>;
}

/** Watches nothing (tests that drive runSync directly, previews). */
export const silentObserver: SyncObserver = {
  onStart: () => undefined,
  onBatch: () => undefined,
  onPhase: () => undefined,
  onRateLimitWait: () => undefined,
  onEnd: async () => undefined,
};
