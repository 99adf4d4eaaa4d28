import { Redis, type RedisOptions } from 'ioredis';

/**
 * An ioredis connection for BullMQ. Workers need `maxRetriesPerRequest: null`
 * (blocking commands must wait out a Redis restart rather than fail).
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}
