import type { Redis } from 'ioredis';
import type { RateGate } from '../adapters/types.js';
import { sleep } from '../sleep.js';

/**
 * One store's pacing, shared by every job and worker through Redis: when any
 * worker is told to back off (429/503 with Retry-After, Shopify THROTTLED),
 * it sets a key that expires when requests may resume, and every worker waits
 * it out before its next request to that store.
 */
export class RedisRateGate implements RateGate {
  constructor(
    private readonly redis: Redis,
    private readonly key: string,
    /** Longest single pause honoured, whatever the source says. @defaultValue 120000 */
    private readonly maxPauseMs = 120_000,
  ) {}

  async waitTurn(signal?: AbortSignal): Promise<void> {
    for (;;) {
      const ttl = await this.redis.pttl(this.key);
      if (ttl <= 0) return;
      await sleep(Math.min(ttl, this.maxPauseMs), signal);
    }
  }

  async pause(ms: number): Promise<void> {
    const bounded = Math.max(1, Math.min(Math.ceil(ms), this.maxPauseMs));
    // Extend an existing pause, never shorten it.
    await this.redis.set(this.key, '1', 'PX', bounded, 'NX');
    await this.redis.pexpire(this.key, bounded, 'GT');
  }
}

export function rateGateKey(prefix: string, connectionId: string): string {
  return `${prefix}:rate-gate:${connectionId}`;
}
