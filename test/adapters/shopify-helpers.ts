import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach } from 'vitest';
import { ShopifyAdapter } from '../../src/adapters/shopify/adapter.js';
import type {
  AdapterContext,
  Page,
  PageRequest,
  RateBudget,
  SyncEntityType,
} from '../../src/adapters/types.js';
import { CostRateBudget } from '../../src/sync/rate-budget/index.js';
import {
  startFakeShopify,
  type FakeShopifyOptions,
  type FakeShopifyServer,
} from '../fakes/shopify/server.js';
import { createTestRedis } from '../helpers/redis.js';
import { loopbackEgress } from '../helpers/egress.js';

const testRedis = createTestRedis('shopify-adapter');
let redis: Redis | undefined;
afterAll(async () => {
  redis?.disconnect();
  await testRedis.cleanup();
});

/** The real cost budget (Redis), a bucket of its own, shaped like the fake's until the shop says more. */
export function costBudget(
  fake: FakeShopifyServer,
  shape: { capacity?: number; restorePerSecond?: number } = {},
): RateBudget {
  redis ??= new Redis(testRedis.url, { maxRetriesPerRequest: 3 });
  return new CostRateBudget(redis, `${testRedis.prefix}:budget:${randomBytes(4).toString('hex')}`, {
    capacity: shape.capacity ?? fake.bucket.capacity,
    restorePerSecond: shape.restorePerSecond ?? fake.bucket.restorePerSecond,
  });
}

/** An adapter bound to the fake with a budget of its own (fast retries, fast bulk polls). */
export function shopifyAdapter(
  fake: FakeShopifyServer,
  options: { settings?: Record<string, unknown> } & Partial<Omit<AdapterContext, 'settings'>> = {},
): ShopifyAdapter {
  const { settings, ...rest } = options;
  const connection = fake.connection({ bulkPollIntervalMs: 20, ...settings });
  return new ShopifyAdapter({
    connectionId: 'test-connection',
    baseUrl: connection.baseUrl,
    credentials: connection.credentials,
    settings: connection.settings,
    retryBaseMs: 1,
    requestRetries: 4,
    rateBudget: costBudget(fake),
    dispatcher: loopbackEgress.dispatcher,
    ...rest,
  });
}

export function pageRequest(entity: SyncEntityType, overrides: Partial<PageRequest> = {}): PageRequest {
  return { entity, mode: 'full', since: null, checkpoint: null, pageSize: 100, ...overrides };
}

export async function collectPages(pages: AsyncIterable<Page>): Promise<{ pages: Page[]; ids: string[] }> {
  const all: Page[] = [];
  for await (const page of pages) all.push(page);
  return { pages: all, ids: all.flatMap((p) => p.items.map((i) => (i as { id: string }).id)) };
}

/** A fake shop per test, closed after each. */
export function useFakeShopify(
  defaults: FakeShopifyOptions = {},
): (options?: FakeShopifyOptions) => Promise<FakeShopifyServer> {
  let fake: FakeShopifyServer | undefined;
  afterEach(async () => {
    await fake?.close();
    fake = undefined;
  });
  return async (options = {}) => {
    fake = await startFakeShopify({ ...defaults, ...options });
    return fake;
  };
}
