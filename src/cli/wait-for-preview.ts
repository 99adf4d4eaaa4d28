import { ErrorCodes, SyncWorkerError, type ErrorCode } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { findCachedPreview, previewJobId, type CachedPreview } from '../preview/preview-cache.js';

/**
 * Polls `sync_preview_cache` for the preview with this key until its row is
 * there (or `timeoutMs`, when > 0: then null). A preview job that failed for
 * good throws its error (code and message from the job's failure).
 */
export async function waitForPreview(
  runtime: Runtime,
  pending: { cacheKey: string; queueName: string },
  options: { timeoutMs: number; intervalMs?: number },
): Promise<CachedPreview | null> {
  const deadline = options.timeoutMs > 0 ? Date.now() + options.timeoutMs : Infinity;
  const queue = runtime.queue(pending.queueName);
  for (;;) {
    const preview = await findCachedPreview(runtime.prisma, pending.cacheKey);
    if (preview) return preview;
    const jobId = previewJobId(pending.cacheKey);
    // The state first: a job read before it failed would carry no failedReason.
    if ((await queue.getJobState(jobId)) === 'failed') {
      throw failureOf((await queue.getJob(jobId))?.failedReason);
    }
    if (Date.now() > deadline) return null;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 250));
  }
}

/** `CODE: message` (as the processor fails jobs) → a typed error. */
function failureOf(reason: string | undefined): SyncWorkerError {
  const match = /^([A-Z_]+): (.*)$/s.exec(reason ?? '');
  const code = match && match[1]! in ErrorCodes ? (match[1] as ErrorCode) : ErrorCodes.INTERNAL;
  return new SyncWorkerError(code, `preview failed: ${match ? match[2] : (reason ?? 'unknown reason')}`);
}
