import { DependencyError, ErrorCodes, SyncWorkerError, errorMessage } from '../errors.js';

/** Where a Redis URL points, without its password: `host:port`. */
export function redisTarget(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || 6379}`;
  } catch {
    return 'REDIS_URL';
  }
}

export function redisUnreachable(url: string | undefined, reason: string, cause?: unknown): DependencyError {
  return new DependencyError(
    ErrorCodes.REDIS_UNREACHABLE,
    `cannot reach Redis${url ? ` at ${redisTarget(url)}` : ''} (${reason}): check REDIS_URL and that the server is running`,
    'REDIS_URL',
    { cause },
  );
}

/**
 * ioredis's ways of saying Redis is gone (a command given up after its
 * retries, a closed connection) as REDIS_UNREACHABLE; null for anything else.
 */
export function redisErrorOf(err: unknown): DependencyError | null {
  if (err instanceof SyncWorkerError || !(err instanceof Error)) return null;
  if (
    err.name === 'MaxRetriesPerRequestError' ||
    /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit)/.test(
      err.message,
    )
  ) {
    return redisUnreachable(undefined, errorMessage(err).replace(/\.$/, ''), err);
  }
  return null;
}
