import { databaseErrorOf } from '../db/database-errors.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { SyncCancelledError, SyncInterruptedError, ValidationError, classify } from '../errors.js';
import type { PreviewResult } from '../jobs/run-preview.js';
import { runSync, type RunSyncDeps, type SyncResult } from '../jobs/run-sync.js';
import { syncJobDataSchema } from '../jobs/sync-job-data.js';
import { isPreviewJob } from '../queues/job-label.js';
import { endSync } from '../sync/sync-lifecycle.js';
import { JobReporter } from './job-reporter.js';
import { createPreviewProcessor } from './preview-processor.js';

/**
 * The BullMQ processor of the source queues: runs the sync and turns its
 * outcome into BullMQ terms, telling its story to Bull Board on the way
 * (JobReporter: progress after each batch, log lines).
 * - invalid job data: fails at once (UnrecoverableError), writes nothing;
 *   an invalid stored connection (its settings or credentials no longer
 *   validate): the sync is marked `failed` (VALIDATION_FAILED), the job fails;
 * - cancelled / taken over: the job completes, its return value and last
 *   log line saying `cancelled` (a user's decision is not a failure: it
 *   does not count in the failed jobs nor invite a "Retry");
 * - worker shutdown: the job goes back to the queue without using an attempt;
 * - a long rate-limit pause asked by the source: the job is delayed by it,
 *   without using an attempt (bounded by 4 × attempts starts);
 * - fatal error, or the last attempt: the sync is marked `failed` with one
 *   activity row, and the job fails without retry, with the error as its
 *   reason; "Retry" on it reopens the sync and resumes it (runSync);
 * - other errors: rethrown, BullMQ retries with our backoff (Retry-After aware).
 */
export function createSyncProcessor(deps: RunSyncDeps) {
  const preview = createPreviewProcessor(deps);
  return async (
    job: Job,
    token?: string,
  ): Promise<SyncResult | PreviewResult | { syncId: string; status: string }> => {
    // `preview` jobs share the source queues (and their concurrency) with syncs.
    if (isPreviewJob(job.name)) return preview(job, token);
    const log = deps.runtime.logger.child({
      jobId: job.id,
      syncId: (job.data as { syncId?: string })?.syncId,
    });
    const reporter = new JobReporter(job, { logger: log });
    try {
      const result = await runSync(
        deps,
        {
          id: job.id!,
          data: job.data,
          attemptsMade: job.attemptsMade,
          ...(token
            ? { extendLock: () => job.extendLock(token, deps.runtime.config.SYNC_JOB_LOCK_DURATION) }
            : {}),
        },
        reporter,
      );
      await reporter.onEnd({
        status: result.status,
        counts: { processed: result.processedCount, failed: result.failedCount, total: result.totalItems },
        delta: result.delta,
        ...(result.deleteGuard ? { deleteGuard: result.deleteGuard } : {}),
      });
      return result;
    } catch (err) {
      if (err instanceof ValidationError) {
        // Invalid job data names no sync; valid data with an invalid stored connection does: it fails.
        const data = syncJobDataSchema.safeParse(job.data);
        log.error({ err: err.message }, 'invalid sync job or connection; failing it without retry');
        if (data.success) {
          await endSync(deps.runtime.prisma, {
            syncId: data.data.syncId,
            orgId: data.data.orgId,
            status: 'failed',
            errorMessage: err.message,
            errorCode: err.code,
          });
        }
        await reporter.onEnd({ status: 'failed', error: { code: err.code, message: err.message } });
        throw new UnrecoverableError(err.message);
      }
      if (err instanceof SyncCancelledError) {
        log.info({ status: err.status }, 'sync ended elsewhere (cancel, timeout, takeover); this job stops');
        await reporter.onEnd({ status: err.status });
        return { syncId: job.data.syncId, status: err.status };
      }
      if (err instanceof SyncInterruptedError || deps.shutdown.aborted) {
        log.info('worker shutting down; sync returns to the queue and resumes from its checkpoint');
        await reporter.onEnd({ status: 'in_progress', continues: 'requeued' });
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      // A database failure as its typed error (with its hint), never Prisma's text.
      const typed = classify(databaseErrorOf(err) ?? err);
      const error = { code: typed.code, message: typed.message };
      const attempts = job.opts.attempts ?? 1;
      if (typed.retry === 'rate_limited' && typed.retryAfterMs && job.attemptsStarted <= attempts * 4) {
        // The store asked for a pause longer than a request waits in place:
        // come back after it, from the checkpoint, without using an attempt.
        log.warn({ code: typed.code, retryAfterMs: typed.retryAfterMs }, 'source rate limit: sync delayed');
        reporter.onRateLimitWait({ waitMs: typed.retryAfterMs, how: 'job_delayed' });
        await reporter.onEnd({ status: 'in_progress', continues: 'delayed', error });
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
        await reporter.onEnd({ status: 'failed', error });
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
      await reporter.onEnd({ status: 'in_progress', continues: 'retry', error });
      throw typed;
    }
  };
}
