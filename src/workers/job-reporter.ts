import type { Job } from 'bullmq';
import { formatDuration, formatEta } from '../format-duration.js';
import type { Logger } from '../logger.js';
import type {
  BatchProgress,
  RateLimitWait,
  SyncEnd,
  SyncObserver,
  SyncPhase,
  SyncStart,
} from '../sync/sync-observer.js';

/**
 * What a sync job's `progress` holds (Bull Board shows it on the job's
 * Progress tab). Counts are the progress row's; `etaSeconds` and
 * `speedItemsPerMin` are the database triggers' own figures, never computed
 * here.
 */
export interface JobProgress {
  /** Percent of `total` done, 0-100: the key Bull Board 9 draws its progress circle from. */
  progress: number;
  /** The same percent, under the name the API and CLI use. */
  percent: number;
  processed: number;
  failed: number;
  total: number;
  batch: number;
  etaSeconds: number | null;
  speedItemsPerMin: number | null;
  /** Where the run stands: a SyncPhase while it runs, then how this run ended. */
  phase: SyncPhase | 'starting' | 'retrying' | 'requeued' | 'delayed' | (string & {});
}

export interface JobReporterOptions {
  logger: Logger;
  /** A batch line is logged each time the run crosses another step of its items, in percent. @defaultValue 10 */
  batchLineStepPercent?: number;
  /** Shortest gap between two rate-limit lines; the waits in between are counted in the next. @defaultValue 10000 */
  rateLimitLineIntervalMs?: number;
  /** Clock (tests). @defaultValue Date.now */
  now?: () => number;
}

const count = new Intl.NumberFormat('en-US');

/**
 * Tells the story of one sync run in Bull Board: `job.updateProgress` after
 * each batch and a `job.log` line for the start or resume, every tenth of the
 * items, the deletion scan, the rate-limit waits and the end. It is the sync
 * engine's SyncObserver for a BullMQ job: the engine calls it without waiting;
 * its Redis writes run one after the other behind the sync (progress updates
 * coalesced: only the newest is written), and a failed write is logged, never
 * thrown — Bull Board's view must not fail a sync. `onEnd` waits for them all.
 */
export class JobReporter implements SyncObserver {
  private readonly logger: Logger;
  private readonly step: number;
  private readonly rateLineMs: number;
  private readonly now: () => number;
  private writes: Promise<void> = Promise.resolve();
  private pendingProgress: JobProgress | undefined;
  private last: JobProgress = {
    progress: 0,
    percent: 0,
    processed: 0,
    failed: 0,
    total: 0,
    batch: 0,
    etaSeconds: null,
    speedItemsPerMin: null,
    phase: 'starting',
  };
  private loggedStep = -1;
  private lastRateLineAt = -Infinity;
  private waitsSinceLine = 0;
  private warned = false;

  constructor(
    private readonly job: Pick<Job, 'updateProgress' | 'log' | 'attemptsMade' | 'opts'>,
    options: JobReporterOptions,
  ) {
    this.logger = options.logger;
    this.step = options.batchLineStepPercent ?? 10;
    this.rateLineMs = options.rateLimitLineIntervalMs ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  onStart(start: SyncStart): void {
    this.report({ processed: start.done, total: start.total, phase: 'fetching' });
    this.loggedStep = this.stepOf(this.last.percent);
    const of = `${count.format(start.total)} items`;
    switch (start.kind) {
      case 'start':
        this.line(`started: ${start.mode} sync of ${of} (${start.trigger} trigger)`);
        break;
      case 'resume':
        this.line(
          `resumed at its checkpoint: ${count.format(start.done)} of ${of} already done` +
            ` (attempt ${this.job.attemptsMade + 1} of ${this.job.opts.attempts ?? 1})`,
        );
        break;
      case 'user_retry':
        this.line(
          `retried after it failed: reopened, resuming at its checkpoint with ` +
            `${count.format(start.done)} of ${of} already done`,
        );
        break;
    }
  }

  onBatch(batch: BatchProgress): void {
    const phase = this.last.phase === 'starting' ? 'fetching' : this.last.phase;
    this.report({
      processed: batch.processed,
      failed: batch.failed,
      total: batch.total,
      batch: batch.batchNumber,
      etaSeconds: batch.etaSeconds,
      speedItemsPerMin: batch.speedItemsPerMin,
      phase,
    });
    const reached = this.stepOf(this.last.percent);
    if (batch.final || (reached <= this.loggedStep && batch.batchNumber > 1)) return;
    this.loggedStep = reached;
    const speed =
      batch.speedItemsPerMin === null ? '' : ` · ${count.format(Math.round(batch.speedItemsPerMin))}/min`;
    const eta = batch.etaSeconds === null ? '' : ` · ETA ${formatEta(batch.etaSeconds)}`;
    this.line(
      `batch ${batch.batchNumber}: ${count.format(batch.processed + batch.failed)} of ` +
        `${count.format(batch.total)} (${this.last.percent}%)${speed}${eta}`,
    );
  }

  onPhase(phase: SyncPhase, detail?: { ids?: number; from?: 'walk' | 'scan' }): void {
    this.report({ phase });
    if (phase === 'deletion scan') this.line('deletion scan: reading every id the source has now');
    if (phase === 'finishing') {
      this.line(
        detail?.ids === undefined
          ? 'last page read: the last batch commits'
          : detail.from === 'walk'
            ? `last page read: the walk met all ${count.format(detail.ids)} ids at the source (no id scan needed); the last batch commits`
            : `deletion scan done: ${count.format(detail.ids)} ids at the source; the last batch commits`,
      );
    }
  }

  onRateLimitWait(wait: RateLimitWait): void {
    const at = this.now();
    if (wait.how === 'in_place' && at - this.lastRateLineAt < this.rateLineMs) {
      this.waitsSinceLine += 1;
      return;
    }
    const others = this.waitsSinceLine
      ? ` (and ${this.waitsSinceLine} shorter notice(s) since the last line)`
      : '';
    this.lastRateLineAt = at;
    this.waitsSinceLine = 0;
    this.line(
      wait.how === 'in_place'
        ? `rate limited: the store asked to wait ${formatDuration(wait.waitMs / 1000)} (Retry-After); ` +
            `every worker holds its requests to it${others}`
        : `rate limited for ${formatDuration(wait.waitMs / 1000)}: the job is delayed and resumes at its ` +
            `checkpoint without using an attempt${others}`,
    );
  }

  async onEnd(end: SyncEnd): Promise<void> {
    const phase = end.continues
      ? { retry: 'retrying', requeued: 'requeued', delayed: 'delayed' }[end.continues]
      : end.status;
    this.report({ phase, ...end.counts });
    this.line(endLine(end, this.last, this.job));
    await this.flush();
  }

  /** Resolves once every write queued so far is done (or failed and logged). */
  flush(): Promise<void> {
    return this.writes;
  }

  private stepOf(percent: number): number {
    return Math.floor(percent / this.step);
  }

  private report(change: Partial<JobProgress>): void {
    const next = { ...this.last, ...change };
    const percent =
      next.total > 0 ? Math.min(100, Math.floor(((next.processed + next.failed) * 100) / next.total)) : 0;
    this.last = { ...next, progress: percent, percent };
    const queued = this.pendingProgress !== undefined;
    this.pendingProgress = this.last;
    if (queued) return;
    this.enqueue(async () => {
      const progress = this.pendingProgress!;
      this.pendingProgress = undefined;
      await this.job.updateProgress(progress);
    });
  }

  private line(text: string): void {
    const stamp = new Date(this.now()).toISOString().slice(11, 19);
    this.enqueue(() => this.job.log(`${stamp}Z ${text}`));
  }

  private enqueue(write: () => Promise<unknown>): void {
    this.writes = this.writes.then(write).then(
      () => undefined,
      (err: unknown) => {
        if (this.warned) return;
        this.warned = true;
        this.logger.warn({ err }, 'could not write the job progress or log for Bull Board; the sync goes on');
      },
    );
  }
}

function endLine(end: SyncEnd, last: JobProgress, job: Pick<Job, 'attemptsMade' | 'opts'>): string {
  const counts =
    `${count.format(last.processed)} processed, ${count.format(last.failed)} failed` +
    (end.delta
      ? ` · created ${count.format(end.delta.created)}, updated ${count.format(end.delta.updated)}, ` +
        `unchanged ${count.format(end.delta.unchanged)}, deleted ${count.format(end.delta.deleted)}`
      : '');
  const error = end.error ? `${end.error.code}: ${end.error.message}` : '';
  const guard = end.deleteGuard
    ? ` · deletions skipped: ${count.format(end.deleteGuard.wouldDelete)} of ${count.format(end.deleteGuard.live)}` +
      ` would go, over SYNC_DELETE_GUARD (${count.format(end.deleteGuard.limit)})`
    : '';
  switch (end.continues) {
    case 'retry':
      return (
        `attempt ${job.attemptsMade + 1} of ${job.opts.attempts ?? 1} failed (${error}); ` +
        `BullMQ retries it, resuming at its checkpoint (${counts})`
      );
    case 'requeued':
      return `worker shutting down: the job goes back to the queue and resumes at its checkpoint (${counts})`;
    case 'delayed':
      return `delayed by the source's rate limit; it resumes at its checkpoint (${counts})`;
  }
  switch (end.status) {
    case 'completed':
    case 'completed_with_errors':
      return `${end.status}: ${counts}${guard}`;
    case 'cancelled':
      return `cancelled by a user: stopped at batch ${last.batch} (${counts}); nothing was written after it`;
    case 'timeout':
      return `timed out (no progress for SYNC_STALL_TIMEOUT): stopped at batch ${last.batch} (${counts})`;
    case 'paused':
      return `taken over by another worker at batch ${last.batch}: this run stops`;
    default:
      return `${end.status}: ${error || 'no error recorded'} (${counts})`;
  }
}
