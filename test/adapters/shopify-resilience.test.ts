import { describe, expect, test } from 'vitest';
import { rejection } from './woo-helpers.js';
import { collectPages, costBudget, pageRequest, shopifyAdapter, useFakeShopify } from './shopify-helpers.js';

const start = useFakeShopify();

describe('the cost bucket', () => {
  test('a budget that learns the shop from its answers never meets THROTTLED', async () => {
    const fake = await start({ customers: 300, bucketCapacity: 600, restorePerSecond: 400 });
    // The adapter starts believing in a bigger bucket than the shop has; the first answer corrects it.
    const adapter = shopifyAdapter(fake, {
      rateBudget: costBudget(fake, { capacity: 5000, restorePerSecond: 5000 }),
    });
    const { ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toHaveLength(300);
    expect(fake.throttledCount).toBeLessThanOrEqual(1);
  });

  test('THROTTLED (HTTP 200, no data) is waited out, never a failure, whatever the number of them', async () => {
    const fake = await start({ customers: 150, bucketCapacity: 1000, restorePerSecond: 1000 });
    // A budget that believes anything goes: every THROTTLED must be survived by waiting.
    const adapter = shopifyAdapter(fake, { rateBudget: { take: async () => {}, pause: async () => {} } });
    // Another client drains the shop's bucket just as the first page is asked for.
    let drained = false;
    fake.onRequest = (info) => {
      if (info.operationName !== 'SyncCustomersPage' || drained) return;
      drained = fake.bucket.charge(fake.bucket.available());
    };
    const { ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 99 })));
    expect(ids).toHaveLength(150);
    expect(fake.throttledCount).toBeGreaterThan(0);
    expect(adapter.throttledCount).toBe(fake.throttledCount);
  });
});

describe('errors', () => {
  test('a wrong token: 401 fails at once with a clear credentials message, no retry, no token in it', async () => {
    const fake = await start({ customers: 5 });
    const adapter = shopifyAdapter(fake, { credentials: { token: 'shpat_wrong_token_123' } });
    const err = await rejection(adapter.count({ entity: 'customer', mode: 'full', since: null }));
    expect(err).toMatchObject({ code: 'SOURCE_AUTH_FAILED', retry: 'fatal' });
    expect(err.message).toMatch(/Invalid API key or access token/);
    expect(err.message).toMatch(/credentials\.token/);
    expect(err.message).not.toContain('shpat_wrong_token_123');
    expect(fake.requestCount).toBe(1);
  });

  test.each([
    [402, 'SOURCE_FORBIDDEN'],
    [403, 'SOURCE_FORBIDDEN'],
    [404, 'SOURCE_NOT_FOUND'],
  ])('HTTP %i is fatal (%s)', async (status, code) => {
    const fake = await start({ customers: 5 });
    fake.failNext({ status, body: { errors: status === 404 ? 'Not Found' : 'Unavailable Shop' } });
    const err = await rejection(
      shopifyAdapter(fake).count({ entity: 'customer', mode: 'full', since: null }),
    );
    expect(err).toMatchObject({ code, retry: 'fatal' });
    expect(fake.requestCount).toBe(1);
  });

  test('429 with Retry-After and 5xx (JSON or HTML) are retried in place', async () => {
    const fake = await start({ customers: 40 });
    fake.failNext(
      {
        status: 429,
        body: { errors: 'Exceeded 2 calls per second for api client.' },
        headers: { 'retry-after': '0.05' },
      },
      { status: 502, body: '<html><body>Bad Gateway</body></html>' },
      { status: 503, body: { errors: 'Service Unavailable' } },
    );
    const { ids } = await collectPages(shopifyAdapter(fake).pages(pageRequest('customer')));
    expect(ids).toHaveLength(40);
  });

  test('ACCESS_DENIED on a field (partial data with errors) is fatal and names the missing scope', async () => {
    const fake = await start({ customers: 5 });
    fake.trouble.denied.add('Customer.defaultAddress');
    const err = await rejection(collectPages(shopifyAdapter(fake).pages(pageRequest('customer'))));
    expect(err).toMatchObject({ code: 'SOURCE_FORBIDDEN', retry: 'fatal' });
    expect(err.message).toMatch(/ACCESS_DENIED.*defaultAddress.*scope/);
    expect(err.message).toMatch(/partial data discarded/);
  });

  test('INTERNAL_SERVER_ERROR with HTTP 200 is retried; the page then arrives whole', async () => {
    const fake = await start({ customers: 30 });
    fake.trouble.internalErrors.set('QueryRoot.customers', 2);
    const { ids } = await collectPages(shopifyAdapter(fake).pages(pageRequest('customer')));
    expect(ids).toHaveLength(30);
    expect(fake.trouble.internalErrors.get('QueryRoot.customers')).toBe(0);
  });

  test('MAX_COST_EXCEEDED is fatal with a message saying what to change', async () => {
    const fake = await start({ products: 3 });
    // A cost ceiling above what Shopify allows in one query cannot be set…
    expect(() => shopifyAdapter(fake, { settings: { maxQueryCost: 5000 } })).toThrow(/maxQueryCost/);
    // …but a shop that refuses a query anyway fails the sync with Shopify's wording.
    fake.failNext({
      status: 200,
      body: {
        errors: [
          {
            message: 'Query cost is 1204, which exceeds the single query max cost limit (1000).',
            extensions: { code: 'MAX_COST_EXCEEDED' },
          },
        ],
      },
    });
    const err = await rejection(collectPages(shopifyAdapter(fake).pages(pageRequest('product'))));
    expect(err).toMatchObject({ code: 'SOURCE_BAD_REQUEST', retry: 'fatal' });
    expect(err.message).toMatch(/MAX_COST_EXCEEDED.*exceeds the single query max cost.*maxQueryCost/);
  });

  test('an API version the shop does not serve is a clear 404', async () => {
    const fake = await start({ customers: 2 });
    const err = await rejection(
      shopifyAdapter(fake, { settings: { apiVersion: '2024-01' } }).count({
        entity: 'customer',
        mode: 'full',
        since: null,
      }),
    );
    expect(err).toMatchObject({ code: 'SOURCE_NOT_FOUND', retry: 'fatal' });
    expect(err.message).toMatch(/apiVersion/);
  });
});
