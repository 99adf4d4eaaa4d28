import { databaseErrorOf } from '../db/database-errors.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { SyncCancelledError, SyncInterruptedError, ValidationError, classify } from '../errors.js';
import type { PreviewResult } from '../jobs/run-preview.js';
import { runSync, type RunSyncDeps, type SyncResult } from '../jobs/run-sync.js';
import { JobNames } from '../queues/queue-names.js';
import { endSync } from '../sync/sync-lifecycle.js';
import { createPreviewProcessor } from './preview-processor.js';

/**
 * The BullMQ processor of the source queues: runs the sync and turns its
 * outcome into BullMQ terms.
 * - invalid job data: fails at once (UnrecoverableError), writes nothing;
 * - cancelled / taken over: returns (the job is done, not failed);
 * - worker shutdown: the job goes back to the queue without using an attempt;
 * - a long rate-limit pause asked by the source: the job is delayed by it,
 *   without using an attempt (bounded by 4 × attempts starts);
 * - fatal error, or the last attempt: the sync is marked `failed` with one
 *   activity row, and the job fails without retry;
 * - other errors: rethrown, BullMQ retries with our backoff (Retry-After aware).
 */
export function createSyncProcessor(deps: RunSyncDeps) {
  const preview = createPreviewProcessor(deps);
  return async (
    job: Job,
    token?: string,
  ): Promise<SyncResult | PreviewResult | { syncId: string; status: string }> => {
    // `preview` jobs share the source queues (and their concurrency) with syncs.
    if (job.name === JobNames.preview) return preview(job, token);
    const log = deps.runtime.logger.child({
      jobId: job.id,
      syncId: (job.data as { syncId?: string })?.syncId,
    });
    try {
      return await runSync(deps, {
        id: job.id!,
        data: job.data,
        attemptsMade: job.attemptsMade,
        ...(token
          ? { extendLock: () => job.extendLock(token, deps.runtime.config.SYNC_JOB_LOCK_DURATION) }
          : {}),
      });
    } catch (err) {
      if (err instanceof ValidationError) {
        log.error({ err: err.message }, 'invalid sync job; failing it without retry');
        throw new UnrecoverableError(err.message);
      }
      if (err instanceof SyncCancelledError) {
        log.info({ status: err.status }, 'sync ended elsewhere (cancel, timeout, takeover); this job stops');
        return { syncId: job.data.syncId, status: err.status };
      }
      if (err instanceof SyncInterruptedError || deps.shutdown.aborted) {
        log.info('worker shutting down; sync returns to the queue and resumes from its checkpoint');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      // A database failure as its typed error (with its hint), never Prisma's text.
      const typed = classify(databaseErrorOf(err) ?? err);
      const attempts = job.opts.attempts ?? 1;
      if (typed.retry === 'rate_limited' && typed.retryAfterMs && job.attemptsStarted <= attempts * 4) {
        // The store asked for a pause longer than a request waits in place:
        // come back after it, from the checkpoint, without using an attempt.
        log.warn({ code: typed.code, retryAfterMs: typed.retryAfterMs }, 'source rate limit: sync delayed');
        await job.moveToDelayed(Date.now() + typed.retryAfterMs, token);
        throw new DelayedError();
      }
      const lastAttempt = job.attemptsMade + 1 >= attempts;
      if (typed.retry === 'fatal' || lastAttempt) {
        log.error(
          { code: typed.code, err: typed.message, attempt: job.attemptsMade + 1 },
          'sync failed for good',
        );
        await endSync(deps.runtime.prisma, {
          syncId: job.data.syncId,
          orgId: job.data.orgId,
          status: 'failed',
          errorMessage: typed.message,
          errorCode: typed.code,
        });
        throw new UnrecoverableError(`${typed.code}: ${typed.message}`);
      }
      log.warn(
        {
          code: typed.code,
          err: typed.message,
          attempt: job.attemptsMade + 1,
          retryAfterMs: typed.retryAfterMs,
        },
        'sync attempt failed; it will retry from its checkpoint',
      );
      throw typed;
    }
  };
}
