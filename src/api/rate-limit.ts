import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Config } from '../config.js';
import { RateLimitedError } from '../errors.js';
import type { Logger } from '../logger.js';
import { OneKeyScript, type RedisLike } from '../sync/rate-budget/redis-script.js';
import { withTimeout } from '../with-timeout.js';

/**
 * Per-user request limit of /api/v1 with @fastify/rate-limit: a fixed window
 * per user (the token's `sub`, set by the auth hook that runs first), counted
 * in Redis so every API process shares it (one key per user: a single Redis or
 * a Cluster alike). Over the limit: 429 RATE_LIMITED in the one error shape,
 * with `Retry-After` (seconds). When Redis does not answer within
 * REDIS_TIMEOUT_MS the request goes through (the limit fails open; the
 * routes that need Redis report it themselves).
 */
export const REDIS_TIMEOUT_MS = 1000;

/** INCR the user's counter; the first request of a window sets its expiry. `[count, ttlMs]`. */
const INCR = new OneKeyScript(`local n = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if n == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {n, ttl}`);

type IncrCallback = (err: Error | null, result?: { current: number; ttl: number }) => void;

/** A @fastify/rate-limit store over INCR, bounded in time. */
function redisStore(redis: RedisLike, keyPrefix: string, windowMs: number) {
  return class BoundedRedisStore {
    incr(key: string, cb: IncrCallback): void {
      withTimeout(INCR.run(redis, `${keyPrefix}${key}`, [windowMs]), REDIS_TIMEOUT_MS, 'Redis')
        .then((reply) => {
          const [current, ttl] = reply as [number, number];
          cb(null, { current: Number(current), ttl: Math.max(0, Number(ttl)) });
        })
        .catch((err: Error) => cb(err));
    }

    child(): BoundedRedisStore {
      return this;
    }
  };
}

export async function registerRateLimit(
  api: FastifyInstance,
  redis: RedisLike,
  config: Pick<Config, 'API_RATE_LIMIT' | 'API_RATE_LIMIT_WINDOW' | 'QUEUE_PREFIX'>,
  logger: Logger,
): Promise<void> {
  const limit = config.API_RATE_LIMIT;
  if (limit === 0) return;
  const windowMs = config.API_RATE_LIMIT_WINDOW;
  await api.register(rateLimit, {
    max: limit,
    timeWindow: windowMs,
    // The auth hook (registered before) has set request.userId.
    keyGenerator: (request: FastifyRequest) => request.userId || request.ip,
    store: redisStore(redis, `${config.QUEUE_PREFIX}:api-rate:`, windowMs),
    skipOnError: true,
    onExceeded: (request: FastifyRequest) =>
      logger.info({ userId: request.userId, limit, windowMs }, 'API rate limit reached'),
    addHeadersOnExceeding: {
      'x-ratelimit-limit': true,
      'x-ratelimit-remaining': true,
      'x-ratelimit-reset': true,
    },
    errorResponseBuilder: (_request, context) => new RateLimitedError(limit, windowMs, context.ttl),
  });
}
