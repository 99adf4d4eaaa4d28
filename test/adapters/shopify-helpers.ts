import { afterEach } from 'vitest';
import { ShopifyAdapter, type ShopifyAdapterContext } from '../../src/adapters/shopify/adapter.js';
import { LocalCostBudget } from '../../src/adapters/shopify/cost-budget.js';
import type { Page, PageRequest, SyncEntityType } from '../../src/adapters/types.js';
import { startFakeShopify, type FakeShopifyOptions, type FakeShopifyServer } from '../fakes/shopify/server.js';

/** An adapter bound to the fake with a budget of its own (fast retries, fast bulk polls). */
export function shopifyAdapter(
  fake: FakeShopifyServer,
  options: { settings?: Record<string, unknown> } & Partial<Omit<ShopifyAdapterContext, 'settings'>> = {},
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
    rateBudget: new LocalCostBudget(fake.bucket.capacity, fake.bucket.restorePerSecond),
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
