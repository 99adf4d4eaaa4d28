import type { Config } from '../config.js';
import { checkDatabase } from '../db/check-database.js';
import { SyncWorkerError } from '../errors.js';
import { checkRedis } from '../queues/check-redis.js';

/** What a command talks to, checked before it starts. Postgres always. */
export interface Needs {
  /** The command uses the queues (enqueue, cancel a queued job, schedules, workers). */
  redis?: boolean;
  /** The migrations of this build must be applied (all but `migrate`). @defaultValue true */
  migrated?: boolean;
}

/**
 * Bound on each up-front check (connect, then one query or PING). A closed
 * port fails at once; a host that never answers fails after this long.
 */
export const PREFLIGHT_TIMEOUT_MS = 5_000;

/**
 * Checks Postgres (and Redis when needed) at once, in parallel, each within
 * PREFLIGHT_TIMEOUT_MS, before a command writes anything: a failure names the
 * variable to fix (DATABASE_URL, REDIS_URL or REDIS_CLUSTER_NODES). When both fail, the error is
 * Postgres's and its message mentions Redis's too.
 */
export async function preflight(config: Config, needs: Needs): Promise<void> {
  const [postgres, redis] = await Promise.allSettled([
    checkDatabase(config.DATABASE_URL, {
      timeoutMs: PREFLIGHT_TIMEOUT_MS,
      migrated: needs.migrated ?? true,
    }),
    needs.redis ? checkRedis(config, PREFLIGHT_TIMEOUT_MS) : Promise.resolve(),
  ]);
  if (postgres.status === 'rejected') {
    const err: unknown = postgres.reason;
    if (redis.status === 'rejected' && err instanceof SyncWorkerError) {
      throw new SyncWorkerError(err.code, `${err.message}\nalso: ${(redis.reason as Error).message}`, {
        retry: err.retry,
        details: { ...err.details, also: (redis.reason as SyncWorkerError).toJSON?.() },
        cause: err,
      });
    }
    throw err;
  }
  if (redis.status === 'rejected') throw redis.reason;
}
