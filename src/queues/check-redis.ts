import { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import { withTimeout } from '../with-timeout.js';
import { redisUnreachable } from './redis-errors.js';

/**
 * Connects once to REDIS_URL and PINGs, within `timeoutMs`; REDIS_UNREACHABLE
 * (naming REDIS_URL) when it cannot. No retries: this is the up-front check.
 */
export async function checkRedis(url: string, timeoutMs: number): Promise<void> {
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  let lastError: unknown;
  redis.on('error', (err) => (lastError = err));
  try {
    await withTimeout(
      redis.connect().then(() => redis.ping()),
      timeoutMs + 1000,
      'Redis',
    );
  } catch (err) {
    const reason =
      (lastError as { code?: string } | undefined)?.code ??
      (err as { code?: string }).code ??
      errorMessage(err);
    throw redisUnreachable(url, reason, err);
  } finally {
    redis.disconnect();
    // A server that accepted and stays silent would keep the socket (and the process) for connectTimeout.
    redis.stream?.destroy();
  }
}
