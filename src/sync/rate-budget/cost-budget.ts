import type { RateBudget, RateObservation } from '../../adapters/types.js';
import { sleep } from '../../sleep.js';
import { grantOf, LUA_NOW_US, OneKeyScript, type RedisLike } from './redis-script.js';
import { pauseBudget } from './request-budget.js';

/**
 * Lua prelude: reads the bucket (one hash per shop) and refills it up to now.
 * Fields: `avail` (points), `ts` (µs of the last refill), `cap` (points),
 * `rate` (points/s), `pending` (points taken and not yet settled), `pause` (µs).
 * ARGV[1], ARGV[2]: the default capacity and restore rate (until the shop's own are known).
 */
const REFILL = `${LUA_NOW_US}
local h = redis.call('HMGET', KEYS[1], 'avail', 'ts', 'cap', 'rate', 'pending', 'pause')
local cap = tonumber(h[3] or ARGV[1])
local rate = tonumber(h[4] or ARGV[2])
local avail = tonumber(h[1] or cap)
local ts = tonumber(h[2] or now)
local pending = tonumber(h[5] or '0')
local pause = tonumber(h[6] or '0')
if now > ts then avail = math.min(cap, avail + (now - ts) / 1000000 * rate) end
local function save()
  redis.call('HSET', KEYS[1], 'avail', tostring(avail), 'ts', string.format('%.0f', now),
    'cap', tostring(cap), 'rate', tostring(rate), 'pending', tostring(pending))
  local idle = math.ceil(math.max(0, cap - avail) / rate * 1000) + 60000
  if pause > now then idle = idle + math.ceil((pause - now) / 1000) end
  redis.call('PEXPIRE', KEYS[1], idle)
end`;

/**
 * Takes ARGV[3] points when the bucket has them (a cost above the bucket's
 * size waits for a full bucket); else answers the wait until it will.
 */
const TAKE = new OneKeyScript(`${REFILL}
if pause > now then return {0, math.ceil((pause - now) / 1000)} end
local units = math.min(tonumber(ARGV[3]), cap)
if avail >= units then
  avail = avail - units
  pending = pending + units
  save()
  return {1, 0}
end
save()
return {0, math.ceil((units - avail) / rate * 1000)}`);

/**
 * Settles ARGV[3] reserved points with the shop's figures (ARGV[4..7]:
 * actual, available, capacity, restore rate; '' when unknown): the shape is
 * the shop's; with `available`, the bucket is what the shop says minus what
 * other requests still hold; else `reserved − actual` is refunded.
 */
const SETTLE = new OneKeyScript(`${REFILL}
local reserved = tonumber(ARGV[3])
local actual = tonumber(ARGV[4])
local available = tonumber(ARGV[5])
local capacity = tonumber(ARGV[6])
local restore = tonumber(ARGV[7])
pending = math.max(0, pending - reserved)
if capacity and capacity > 0 then cap = capacity end
if restore and restore > 0 then rate = restore end
if available then
  avail = available - pending
elseif actual then
  avail = avail + reserved - actual
end
avail = math.min(cap, avail)
save()
return 1`);

export interface CostShape {
  /** Points the bucket holds when full. */
  capacity: number;
  /** Points restored per second. */
  restorePerSecond: number;
}

/**
 * A shop's budget in cost points (Shopify), shared by every job and worker
 * process through one Redis hash: `take(cost)` reserves a query's requested
 * cost before it is sent (waiting while the bucket is short), `settle` hands
 * the shop's `extensions.cost` back. The bucket's size and restore rate are
 * the defaults until the shop's `throttleStatus` says otherwise.
 */
export class CostRateBudget implements RateBudget {
  constructor(
    private readonly redis: RedisLike,
    private readonly key: string,
    private readonly defaults: CostShape,
  ) {}

  async take(units: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const { granted, waitMs } = grantOf(await TAKE.run(this.redis, this.key, [...this.shape(), units]));
      if (granted) return;
      await sleep(Math.max(1, waitMs), signal);
    }
  }

  async settle(reserved: number, observed: RateObservation): Promise<void> {
    const figure = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '' : n);
    await SETTLE.run(this.redis, this.key, [
      ...this.shape(),
      reserved,
      figure(observed.actual),
      figure(observed.available),
      figure(observed.capacity),
      figure(observed.restorePerSecond),
    ]);
  }

  pause(ms: number): Promise<void> {
    return pauseBudget(this.redis, this.key, ms);
  }

  private shape(): [number, number] {
    return [this.defaults.capacity, this.defaults.restorePerSecond];
  }
}
