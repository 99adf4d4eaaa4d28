import { databaseErrorOf } from '../db/database-errors.js';
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { ValidationError, classify } from '../errors.js';
import {
  parsePreviewJobData,
  runPreview,
  type PreviewResult,
  type RunPreviewDeps,
} from '../jobs/run-preview.js';
import { logActivity } from '../sync/activity-log.js';

/**
 * The processor of `preview` jobs (on the source queues, dispatched by name
 * from the sync processor). Errors are classified as for syncs:
 * - invalid job data: fails at once (UnrecoverableError), writes nothing;
 * - worker shutdown: back to the queue without using an attempt (it reruns
 *   from the start: a preview writes nothing until it is complete);
 * - fatal error, or the last attempt: one failed `preview_delta` row, and the
 *   job fails without retry;
 * - other errors: rethrown, BullMQ retries with the sync backoff.
 * A preview never touches `sync_progress` nor `sync_record`.
 */
export function createPreviewProcessor(deps: RunPreviewDeps) {
  return async (job: Job, token?: string): Promise<PreviewResult> => {
    const log = deps.runtime.logger.child({ jobId: job.id, preview: true });
    try {
      return await runPreview(deps, { id: job.id!, data: job.data });
    } catch (err) {
      if (err instanceof ValidationError) {
        log.error({ err: err.message }, 'invalid preview job; failing it without retry');
        throw new UnrecoverableError(err.message);
      }
      if (deps.shutdown.aborted) {
        log.info('worker shutting down; the preview returns to the queue');
        await job.moveToDelayed(Date.now(), token);
        throw new DelayedError();
      }
      // A database failure as its typed error (with its hint), never Prisma's text.
      const typed = classify(databaseErrorOf(err) ?? err);
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (typed.retry === 'fatal' || lastAttempt) {
        log.error({ code: typed.code, err: typed.message }, 'preview failed for good');
        const data = parsePreviewJobData(job.data);
        await logActivity(deps.runtime.prisma, {
          orgId: data.orgId,
          syncId: job.id!,
          entityType: data.entityType,
          action: 'preview_delta',
          status: 'failed',
          errorMessage: `${typed.code}: ${typed.message}`,
          userId: data.initiatedBy,
        }).catch((e: unknown) => log.warn({ err: e }, 'could not log the failed preview'));
        throw new UnrecoverableError(`${typed.code}: ${typed.message}`);
      }
      log.warn(
        { code: typed.code, err: typed.message, attempt: job.attemptsMade + 1 },
        'preview attempt failed; it will retry',
      );
      throw typed;
    }
  };
}
