import type { JobsOptions } from 'bullmq';
import type { Config } from '../config.js';

/** The backoff type our workers implement (exponential, jitter, Retry-After). */
export const SYNC_BACKOFF = 'sync-backoff';

export function syncJobOptions(config: Config): JobsOptions {
  return {
    attempts: config.SYNC_MAX_ATTEMPTS,
    backoff: { type: SYNC_BACKOFF, delay: config.SYNC_BACKOFF_BASE },
    removeOnComplete: { age: 7 * 24 * 3600, count: 10_000 },
    removeOnFail: { age: 30 * 24 * 3600 },
    // Log lines kept per job (Bull Board; BullMQ trims the oldest): start, tenths, deletion scan, rate limits, end.
    keepLogs: 500,
  };
}

/**
 * Delay before retry `attemptsMade`: the source's Retry-After when it gave
 * one, else base × 2^(attempt-1) with equal jitter (half fixed, half random), capped at 10 minutes.
 */
export function retryDelayMs(
  attemptsMade: number,
  baseMs: number,
  retryAfterMs?: number,
  random = Math.random,
): number {
  if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs, 600_000);
  const ceiling = Math.min(baseMs * 2 ** Math.max(attemptsMade - 1, 0), 600_000);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
