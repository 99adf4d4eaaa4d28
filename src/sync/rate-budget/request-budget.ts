import type { RateBudget } from '../../adapters/types.js';
import { sleep } from '../../sleep.js';
import { grantOf, LUA_NOW_US, OneKeyScript, type RedisLike } from './redis-script.js';

/**
 * Room between a grant (on Redis' clock) and the request reaching the store
 * (the client's event loop, the socket, the store's own queue): requests are
 * spaced by (1 s + this) / N, so that N + 1 grants span more than a second
 * plus this much and no calendar second *at the store* sees more than N.
 */
export const ARRIVAL_JITTER_ALLOWANCE_MS = 50;

/** How far ahead of its turn a caller may book one (a booking is not given back on abort). */
const BOOK_AHEAD_MS = 1000;

/**
 * A caller that wakes up later than ARRIVAL_JITTER_ALLOWANCE_MS after its
 * slot (its process was busy: a long synchronous task, a GC pause) books a
 * new slot instead of sending late, so that stalled requests do not reach the
 * store in a burst; after this many late wake-ups it sends anyway (a process
 * that is always that busy must still make progress).
 */
const MAX_LATE_REBOOKS = 3;

/** Longest single pause honoured, whatever the source says. */
const MAX_PAUSE_MS = 120_000;

/**
 * One hash per store: `tat` (the theoretical arrival time of the next
 * request, µs, Redis clock) and `pause` (µs until which nobody sends).
 * GCRA without burst: each grant books the slot `max(tat, now)` and moves
 * `tat` one spacing on. A caller more than BOOK_AHEAD_MS from its slot books
 * nothing and asks again later, so aborted waiters waste at most that much.
 * Reply: `{granted, waitMs}` (granted: wait, then send; else: wait, then ask again).
 */
const TAKE = new OneKeyScript(`${LUA_NOW_US}
local spacing = tonumber(ARGV[1])
local ahead = tonumber(ARGV[2])
local pause = tonumber(redis.call('HGET', KEYS[1], 'pause') or '0')
if pause > now then return {0, math.ceil((pause - now) / 1000)} end
local tat = tonumber(redis.call('HGET', KEYS[1], 'tat') or '0')
if tat < now then tat = now end
if tat - now > ahead then return {0, math.ceil((tat - now - ahead) / 1000)} end
local nextTat = tat + spacing
redis.call('HSET', KEYS[1], 'tat', string.format('%.0f', nextTat))
redis.call('PEXPIRE', KEYS[1], math.ceil((nextTat - now) / 1000) + 60000)
return {1, math.floor((tat - now) / 1000)}`);

/**
 * Sets `pause` to now + ARGV[1] ms unless it is already later (a pause is
 * extended, never shortened); the hash lives at least until it ends.
 */
const PAUSE = new OneKeyScript(`${LUA_NOW_US}
local untilUs = now + tonumber(ARGV[1]) * 1000
local pause = tonumber(redis.call('HGET', KEYS[1], 'pause') or '0')
if untilUs > pause then
  redis.call('HSET', KEYS[1], 'pause', string.format('%.0f', untilUs))
  local ttl = redis.call('PTTL', KEYS[1])
  local need = math.ceil((untilUs - now) / 1000) + 60000
  if ttl < need then redis.call('PEXPIRE', KEYS[1], need) end
end
return 1`);

/**
 * A store's budget in requests per second (WooCommerce, Odoo), shared by
 * every job and worker process through one Redis hash: requests are spaced
 * so that no calendar second sees more than `perSecond` of them, whatever
 * the number of jobs and processes. A Retry-After pause holds everyone.
 */
export class RequestRateBudget implements RateBudget {
  /** Microseconds between two grants. */
  private readonly spacingUs: number;

  constructor(
    private readonly redis: RedisLike,
    private readonly key: string,
    readonly perSecond: number,
  ) {
    if (!(perSecond > 0)) throw new RangeError(`a request budget needs a positive rate, got ${perSecond}`);
    this.spacingUs = Math.ceil(((1000 + ARRIVAL_JITTER_ALLOWANCE_MS) * 1000) / perSecond);
  }

  async take(units: number, signal?: AbortSignal): Promise<void> {
    for (let left = Math.max(1, Math.ceil(units)); left > 0; left--) await this.takeOne(signal);
  }

  pause(ms: number): Promise<void> {
    return pauseBudget(this.redis, this.key, ms);
  }

  private async takeOne(signal: AbortSignal | undefined): Promise<void> {
    for (let late = 0; ;) {
      signal?.throwIfAborted();
      const asked = performance.now();
      const { granted, waitMs } = grantOf(
        await TAKE.run(this.redis, this.key, [this.spacingUs, BOOK_AHEAD_MS * 1000]),
      );
      if (waitMs > 0) await sleep(waitMs, signal);
      if (!granted) continue;
      // The slot is at most `asked + waitMs` (local, monotonic): no clock is compared with Redis's.
      const lateMs = performance.now() - (asked + waitMs);
      if (lateMs <= ARRIVAL_JITTER_ALLOWANCE_MS || late >= MAX_LATE_REBOOKS) return;
      late++;
    }
  }
}

/** Holds every request to the store behind `key` for `ms` (bounded by MAX_PAUSE_MS). */
export async function pauseBudget(redis: RedisLike, key: string, ms: number): Promise<void> {
  const bounded = Math.max(1, Math.min(Math.ceil(ms), MAX_PAUSE_MS));
  await PAUSE.run(redis, key, [bounded]);
}
