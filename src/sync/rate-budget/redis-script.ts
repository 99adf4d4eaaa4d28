import { createHash } from 'node:crypto';
import type { Cluster, Redis } from 'ioredis';

/** A Redis or a Redis Cluster client: every budget script touches exactly one key, so both work. */
export type RedisLike = Redis | Cluster;

/**
 * A Lua script run by its sha (EVALSHA), loaded on first use or after a
 * server restart (NOSCRIPT → EVAL). Always exactly one key.
 */
export class OneKeyScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: RedisLike, key: string, args: (string | number)[]): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 1, key, ...args);
    } catch (err) {
      if (!String((err as Error)?.message).startsWith('NOSCRIPT')) throw err;
      return redis.eval(this.lua, 1, key, ...args);
    }
  }
}

/** Lua: `now` in microseconds from the Redis server's clock (one clock for every process). */
export const LUA_NOW_US = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])`;

/** `[granted (0|1), waitMs]` from a budget script's reply. */
export function grantOf(reply: unknown): { granted: boolean; waitMs: number } {
  const [granted, waitMs] = reply as [number, number];
  return { granted: granted === 1, waitMs: Math.max(0, Number(waitMs)) };
}
