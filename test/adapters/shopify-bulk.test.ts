import { describe, expect, test } from 'vitest';
import type { PageCheckpoint } from '../../src/adapters/types.js';
import { collectPages, pageRequest, shopifyAdapter, useFakeShopify } from './shopify-helpers.js';
import { waitFor } from '../helpers/wait-for.js';

const start = useFakeShopify();
const gidOf = (type: string, id: number) => `gid://shopify/${type}/${id}`;

describe('bulk exports', () => {
  test('a full sync above bulkThreshold reads a bulk export: children joined by __parentId, heartbeats while it runs', async () => {
    const fake = await start({ products: 40, variantsPerProduct: 4, bulk: { startupMs: 1000 } });
    const beats: string[] = [];
    const adapter = shopifyAdapter(fake, {
      settings: { bulkThreshold: 10 },
      heartbeat: async (detail) => void beats.push(detail.phase),
    });
    const { pages, ids } = await collectPages(adapter.pages(pageRequest('product', { pageSize: 15 })));
    expect(fake.bulk.started).toHaveLength(1);
    expect(fake.bulk.started[0]!.query).toContain('products(sortKey: ID)');
    expect(fake.requests.some((r) => r.operationName === 'SyncProductsPage')).toBe(false);
    expect(ids).toEqual(fake.shop.ids('product').map((id) => gidOf('Product', id)));
    expect(pages.map((p) => p.items.length)).toEqual([15, 15, 10]);
    expect(pages.at(-1)).toMatchObject({ done: true, complete: true });
    expect(beats.length).toBeGreaterThan(0);
    for (const raw of pages.flatMap((p) => p.items)) {
      const mapped = adapter.map('product', raw);
      if (!mapped.ok) throw new Error(mapped.reason);
      const product = fake.shop.get('product', Number(/(\d+)$/.exec(mapped.record.externalId)![1]))!;
      expect((mapped.record.data.variations as { id: string }[]).map((v) => v.id)).toEqual(
        product.variants.map((v) => gidOf('ProductVariant', v.id)),
      );
    }
  });

  test('bulk and paging give the same canonical records', async () => {
    const fake = await start({
      products: 12,
      variantsPerProduct: 3,
      customers: 30,
      restorePerSecond: 1000,
      bulk: { startupMs: 10 },
    });
    for (const entity of ['product', 'customer', 'inventory', 'order', 'category'] as const) {
      const paged = shopifyAdapter(fake, { settings: { bulkThreshold: 1_000_000 } });
      const bulk = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
      const a = (await collectPages(paged.pages(pageRequest(entity)))).pages
        .flatMap((p) => p.items)
        .map((i) => paged.map(entity, i));
      const b = (await collectPages(bulk.pages(pageRequest(entity)))).pages
        .flatMap((p) => p.items)
        .map((i) => bulk.map(entity, i));
      expect(b).toEqual(a);
    }
    expect(fake.bulk.started).toHaveLength(5);
  });

  test('resumes by line: from each checkpoint, the rest of the export and nothing else; an expired URL is renewed', async () => {
    const fake = await start({ customers: 55, bulk: { startupMs: 10 } });
    const adapter = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
    const { pages, ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 20 })));
    expect(pages.map((p) => (p.checkpoint as { line: number }).line)).toEqual([20, 40, 55]);
    fake.bulk.expireUrls();
    const resumed = await collectPages(
      shopifyAdapter(fake, { settings: { bulkThreshold: 1 } }).pages(
        pageRequest('customer', { pageSize: 20, checkpoint: pages[0]!.checkpoint as PageCheckpoint }),
      ),
    );
    expect([...pages[0]!.items.map((i) => (i as { id: string }).id), ...resumed.ids]).toEqual(ids);
    expect(fake.bulk.started).toHaveLength(1);
  });

  test('another bulk operation running on the shop: the walk pages instead', async () => {
    const fake = await start({ customers: 30, bulk: { startupMs: 60_000 } });
    const other = fake.bulk.run('{ products { edges { node { id } } } }', false);
    expect(other.userErrors).toEqual([]);
    const adapter = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
    const { ids } = await collectPages(adapter.pages(pageRequest('customer')));
    expect(ids).toHaveLength(30);
    expect(fake.requests.some((r) => r.operationName === 'SyncCustomersPage')).toBe(true);
    fake.bulk.finishAll();
  });

  test('an export of this same query left running by a dead attempt is adopted, not duplicated', async () => {
    const fake = await start({ customers: 25, bulk: { startupMs: 60_000 } });
    // The export ends once the second adapter has asked what runs (it is then adopted either way).
    fake.onRequest = (info) => {
      if (info.operationName === 'SyncBulkCurrent') fake.bulk.finishAll();
    };
    const first = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
    const walk = first.pages(pageRequest('customer'));
    const pending = walk.next(); // starts the export, then polls
    await waitFor(() => fake.bulk.started.length === 1 || null, { what: 'the export to start' });
    const second = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
    const { ids } = await collectPages(second.pages(pageRequest('customer')));
    expect(ids).toHaveLength(25);
    expect(fake.bulk.started).toHaveLength(1);
    await pending;
    await walk.return(undefined);
  });

  test('close() cancels the export the adapter started and did not finish', async () => {
    const fake = await start({ customers: 25, bulk: { startupMs: 60_000 } });
    const adapter = shopifyAdapter(fake, { settings: { bulkThreshold: 1 } });
    const abort = new AbortController();
    const walk = collectPages(adapter.pages(pageRequest('customer', { signal: abort.signal })));
    await waitFor(() => fake.requests.some((r) => r.operationName === 'SyncBulkPoll') || null, {
      what: 'the export to be polled',
    });
    abort.abort(new Error('cancelled'));
    await walk.catch(() => undefined);
    await adapter.close();
    expect(fake.bulk.cancelled).toEqual([fake.bulk.started[0]!.id]);
    await adapter.close(); // once only
    expect(fake.bulk.cancelled).toHaveLength(1);
  });

  test('a shop with nothing to export: no file, one empty last page', async () => {
    const fake = await start({ customers: 0, bulk: { startupMs: 10 } });
    const adapter = shopifyAdapter(fake, { settings: { bulkThreshold: 0 + 1 } });
    // count 0 < threshold 1: paging; force the bulk walk through its checkpoint instead
    const id = fake.bulk.run('{ customers { edges { node { id } } } }', false).bulkOperation!.id as string;
    const { pages } = await collectPages(
      adapter.pages(
        pageRequest('customer', { checkpoint: { v: 1, walk: 'bulk', operationId: id, url: null, line: 0 } }),
      ),
    );
    expect(pages).toEqual([expect.objectContaining({ items: [], done: true })]);
  });
});
