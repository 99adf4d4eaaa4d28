import type { RedisOptions } from 'ioredis';
import { loadConfig, type Config } from '../config.js';
import { createRuntime, type Runtime } from '../runtime.js';
import { withTimeout } from '../with-timeout.js';
import { preflight, PREFLIGHT_TIMEOUT_MS, type Needs } from './preflight.js';

/**
 * Redis for a short command: connects on first use only, gives a command up
 * after one retry and stops reconnecting after a few tries, so a Redis that
 * goes away mid-command fails it (REDIS_UNREACHABLE) instead of hanging it.
 */
export const CLI_REDIS_OPTIONS: RedisOptions = {
  lazyConnect: true,
  connectTimeout: PREFLIGHT_TIMEOUT_MS,
  maxRetriesPerRequest: 1,
  retryStrategy: (times) => (times > 3 ? null : 200 * times),
};

/**
 * Runs `fn` with a runtime built from the environment, after the up-front
 * checks of what it needs (Postgres, and Redis when asked), and closes it
 * after.
 */
export async function withRuntime<T>(
  needs: Needs,
  fn: (runtime: Runtime) => Promise<T>,
  config: Config = loadConfig(),
): Promise<T> {
  await preflight(config, needs);
  const runtime = createRuntime(config, { poolSize: 4, redisOptions: CLI_REDIS_OPTIONS });
  try {
    return await fn(runtime);
  } finally {
    await withTimeout(runtime.close(), PREFLIGHT_TIMEOUT_MS, 'closing connections').catch(() => undefined);
  }
}
