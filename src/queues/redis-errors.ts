import { DependencyError, ErrorCodes, SyncWorkerError, errorMessage } from '../errors.js';
import type { RedisTarget } from './redis-connection.js';

export function redisUnreachable(
  target: RedisTarget | undefined,
  reason: string,
  cause?: unknown,
): DependencyError {
  const variable = target?.variable ?? 'REDIS_URL';
  return new DependencyError(
    ErrorCodes.REDIS_UNREACHABLE,
    `cannot reach Redis${target ? ` at ${target.where}` : ''} (${reason}): check ${variable} and that the server is running`,
    variable,
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
    /^(Connection is closed|Stream isn't writeable|Reached the max retries per request limit|Failed to refresh slots cache|None of startup nodes is available|Too many Cluster redirections)/.test(
      err.message,
    )
  ) {
    return redisUnreachable(undefined, errorMessage(err).replace(/\.$/, ''), err);
  }
  return null;
}
