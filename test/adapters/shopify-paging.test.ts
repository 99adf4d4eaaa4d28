import { describe, expect, test } from 'vitest';
import { ShopifyAdapter } from '../../src/adapters/shopify/adapter.js';
import type { PageCheckpoint } from '../../src/adapters/types.js';
import { rejection } from './woo-helpers.js';
import { collectPages, pageRequest, shopifyAdapter, useFakeShopify } from './shopify-helpers.js';

const start = useFakeShopify();
/** An adapter that sends nothing (mapping and id order only). */
const offlineAdapter = () =>
  new ShopifyAdapter({
    connectionId: 'c',
    baseUrl: 'http://127.0.0.1:9',
    credentials: { token: 't' },
    settings: {},
  });
const gidOf = (type: string, id: number) => `gid://shopify/${type}/${id}`;

describe('mapping', () => {
  test('customers: email and phone from the default address fields, numberOfOrders a number, phone-only customers kept', async () => {
    const fake = await start({ customers: 40, seed: 3 });
    const adapter = shopifyAdapter(fake);
    const { pages } = await collectPages(adapter.pages(pageRequest('customer')));
    const mapped = pages.flatMap((p) => p.items).map((raw) => adapter.map('customer', raw));
    expect(mapped.every((m) => m.ok)).toBe(true);
    const records = mapped.map((m) => (m.ok ? m.record : null)!);
    const sample = fake.shop.list('customer')[0]!;
    const first = records.find((r) => r.externalId === gidOf('Customer', sample.id))!;
    expect(first.data).toMatchObject({
      email: sample.email,
      phone: sample.phone,
      firstName: sample.firstName,
      ordersCount: sample.numberOfOrders,
      amountSpent: sample.amountSpent,
      defaultAddress: { city: sample.city, country: 'FR', postcode: '69001' },
    });
    expect(first.sourceUpdatedAt?.getTime()).toBe(sample.updatedAt);
    const phoneOnly = fake.shop.list('customer').find((c) => c.email === null);
    if (phoneOnly) {
      expect(records.find((r) => r.externalId === gidOf('Customer', phoneOnly.id))!.data.email).toBeNull();
    }
  });

  test('a node without its gid or timestamps fails to map with a reason; other entities are not supported', () => {
    const adapter = offlineAdapter();
    expect(adapter.map('customer', { id: 'gid://shopify/Customer/1' })).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/createdAt|updatedAt/),
    });
    expect(adapter.map('invoice', { id: 'x' })).toMatchObject({ ok: false });
    expect(adapter.entities).not.toContain('invoice');
  });

  test('gids are ordered by their number, not as strings', () => {
    const adapter = offlineAdapter();
    expect(adapter.compareIds('gid://shopify/Customer/99', 'gid://shopify/Customer/100')).toBeLessThan(0);
    expect(adapter.compareIds('gid://shopify/Customer/10000', 'gid://shopify/Customer/9999')).toBeGreaterThan(
      0,
    );
    expect(adapter.compareIds('gid://shopify/Customer/7', 'gid://shopify/Customer/7')).toBe(0);
  });

  test('products with more variants than fit in the page query get them all (follow-up queries)', async () => {
    const fake = await start({ products: 14, variantsPerProduct: 23 }); // 1 … 14 variants, 10 fit in a page
    const adapter = shopifyAdapter(fake);
    const { pages } = await collectPages(adapter.pages(pageRequest('product')));
    for (const raw of pages.flatMap((p) => p.items)) {
      const mapped = adapter.map('product', raw);
      if (!mapped.ok) throw new Error(mapped.reason);
      const id = Number(/(\d+)$/.exec(mapped.record.externalId)![1]);
      const variants = fake.shop.get('product', id)!.variants.map((v) => gidOf('ProductVariant', v.id));
      expect((mapped.record.data.variations as { id: string }[]).map((v) => v.id)).toEqual(variants);
    }
    expect(fake.requests.some((r) => r.operationName === 'SyncProductsNested')).toBe(true);
  });
});

describe('paging', () => {
  test('a full walk by id is complete and in gid-number order across the 9,999 → 10,000 boundary', async () => {
    const fake = await start({ customers: 130 });
    const adapter = shopifyAdapter(fake);
    const { pages, ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 25 })));
    expect(ids).toEqual(fake.shop.ids('customer').map((id) => gidOf('Customer', id)));
    expect(pages.at(-1)).toMatchObject({ done: true, complete: true });
    expect(pages.filter((p) => p.done)).toHaveLength(1);
  });

  test('records added, changed and deleted mid-walk: every record present throughout is met once', async () => {
    const fake = await start({ customers: 100 });
    const adapter = shopifyAdapter(fake);
    const before = fake.shop.ids('customer');
    let added: number[] = [];
    fake.onRequest = (info) => {
      if (info.operationName === 'SyncCustomersPage' && info.variables.after && added.length === 0) {
        fake.shop.advance(5);
        fake.shop.modify('customer', before[3]!);
        fake.shop.modify('customer', before[90]!);
        fake.shop.remove('customer', before[95]!);
        added = [fake.shop.add('customer'), fake.shop.add('customer')];
      }
    };
    const { ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 30 })));
    const survivors = before.filter((id) => id !== before[95]).map((id) => gidOf('Customer', id));
    expect(ids.filter((id) => survivors.includes(id))).toEqual(survivors);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of added) expect(ids).toContain(gidOf('Customer', id));
  });

  test('resume from every checkpoint of a walk gives the rest of it', async () => {
    const fake = await start({ customers: 70 });
    const adapter = shopifyAdapter(fake);
    const { pages, ids } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 20 })));
    for (let i = 0; i < pages.length - 1; i++) {
      const rest = await collectPages(
        adapter.pages(
          pageRequest('customer', { pageSize: 20, checkpoint: pages[i]!.checkpoint as PageCheckpoint }),
        ),
      );
      expect([
        ...pages.slice(0, i + 1).flatMap((p) => p.items.map((x) => (x as { id: string }).id)),
        ...rest.ids,
      ]).toEqual(ids);
    }
  });

  test('incremental: 120 customers tied on one updatedAt across page boundaries are all synced, and the cursor second is re-read', async () => {
    const fake = await start({ customers: 200, tiedCustomers: 0 });
    const adapter = shopifyAdapter(fake);
    fake.shop.advance(3600);
    const tied = fake.shop.ids('customer').slice(20, 140);
    for (const id of tied) fake.shop.modify('customer', id); // one second for all 120
    const since = { updatedAt: new Date(fake.shop.now()).toISOString(), id: gidOf('Customer', tied[60]!) };
    const { ids } = await collectPages(
      adapter.pages(pageRequest('customer', { mode: 'incremental', since, pageSize: 50 })),
    );
    expect([...ids].sort()).toEqual(tied.map((id) => gidOf('Customer', id)).sort());
    expect(await adapter.count({ entity: 'customer', mode: 'incremental', since })).toBe(120);
    const walk = fake.requests.filter((r) => r.operationName === 'SyncCustomersPage');
    expect(walk.length).toBeGreaterThanOrEqual(3);
    expect(walk[0]!.query).toContain('sortKey: UPDATED_AT');
    expect(
      walk.every(
        (r) =>
          r.variables.query ===
          `updated_at:>='${new Date(fake.shop.now()).toISOString().replace('.000Z', 'Z')}'`,
      ),
    ).toBe(true);
  });

  test('a cursor is refused once the query string changes (Shopify: cursors belong to their query)', async () => {
    const fake = await start({ customers: 30 });
    const adapter = shopifyAdapter(fake);
    const { pages } = await collectPages(adapter.pages(pageRequest('customer', { pageSize: 10 })));
    const checkpoint = {
      ...(pages[0]!.checkpoint as Record<string, unknown>),
      filter: "updated_at:>='2020-01-01T00:00:00Z'",
    };
    const err = await rejection(collectPages(adapter.pages(pageRequest('customer', { checkpoint }))));
    expect(err).toMatchObject({ code: 'SOURCE_BAD_REQUEST', retry: 'fatal' });
    expect(err.message).toMatch(/cursor/i);
  });

  test('counts: AT_LEAST above the limit (the engine corrects the total as the run goes), exact below', async () => {
    const fake = await start({ customers: 10_004, products: 3 });
    const adapter = shopifyAdapter(fake);
    expect(await adapter.count({ entity: 'customer', mode: 'full', since: null })).toBe(10_000);
    const answer = fake.requests.at(-1)!;
    expect(answer.operationName).toBe('SyncCustomersCount');
    expect(await adapter.count({ entity: 'inventory', mode: 'full', since: null })).toBe(
      fake.shop.size('inventory'),
    );
  });

  test('an entity Shopify does not have fails with ENTITY_NOT_SUPPORTED', async () => {
    const fake = await start({});
    const err = await rejection(collectPages(shopifyAdapter(fake).pages(pageRequest('attribute'))));
    expect(err).toMatchObject({ code: 'ENTITY_NOT_SUPPORTED' });
  });
});
