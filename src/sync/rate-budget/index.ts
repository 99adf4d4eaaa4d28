import type { RateBudget } from '../../adapters/types.js';
import type { SourceDefinition } from '../../adapters/source-definition.js';
import { CostRateBudget } from './cost-budget.js';
import type { RedisLike } from './redis-script.js';
import { RequestRateBudget } from './request-budget.js';
import { rateBudgetKey } from './store-key.js';

export { CostRateBudget, type CostShape } from './cost-budget.js';
export { ARRIVAL_JITTER_ALLOWANCE_MS, RequestRateBudget } from './request-budget.js';
export { normaliseStoreUrl, rateBudgetKey } from './store-key.js';
export type { RedisLike } from './redis-script.js';

/**
 * The shared budget of the store a connection points at (one per store,
 * whatever the number of connections, jobs and processes): requests per
 * second from the connection's `rateLimitPerSecond` or the source's default,
 * or the shop's cost bucket.
 */
export function rateBudgetFor(
  redis: RedisLike,
  prefix: string,
  definition: Pick<SourceDefinition, 'rateBudget'>,
  connection: { baseUrl: string; settings: Record<string, unknown> },
): RateBudget {
  const key = rateBudgetKey(prefix, connection.baseUrl);
  const spec = definition.rateBudget;
  if (spec.unit === 'cost') {
    return new CostRateBudget(redis, key, {
      capacity: spec.defaultCapacity,
      restorePerSecond: spec.defaultRestorePerSecond,
    });
  }
  const configured = Number(connection.settings.rateLimitPerSecond);
  return new RequestRateBudget(
    redis,
    key,
    Number.isFinite(configured) && configured > 0 ? configured : spec.defaultPerSecond,
  );
}
