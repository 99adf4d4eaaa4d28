import { describe, expect, test } from 'vitest';
import { mapWooItem } from '../../src/adapters/woocommerce/mapper.js';
import { ErrorCodes } from '../../src/errors.js';
import { collect, collectIds, pageRequest, rejection, wooAdapter, useFakeStore } from './woo-helpers.js';

const start = useFakeStore();

describe('products with variations', () => {
  test('variations of variable products are embedded (all pages) and mapped', async () => {
    const server = await start({ products: 60, variableShare: 0.5, variationsPerProduct: 3 });
    const big = server.store.list('product').find((p) => p.type === 'variable')!;
    for (let i = 0; i < 127; i++) server.store.addVariation(big.id);
    const adapter = wooAdapter(server);
    const { items, ids } = await collect(adapter.pages(pageRequest('product', { pageSize: 25 })));
    expect(ids).toEqual(server.store.ids('product'));
    const variable = server.store.list('product').filter((p) => p.type === 'variable');
    expect(variable.length).toBeGreaterThan(10);
    for (const raw of items) {
      const mapped = adapter.map('product', raw);
      if (!mapped.ok) throw new Error(mapped.reason);
      const expected = server.store.variationsOf(Number(mapped.record.externalId)) ?? [];
      const variations = mapped.record.data.variations as { id: string; sku: string; price: string }[];
      expect(variations.map((v) => v.id)).toEqual(expected.map((v) => String(v.id)));
      expect(variations.every((v) => typeof v.price === 'string')).toBe(true);
    }
    const bigRequests = server.requests.filter((r) => r.route === `products/${big.id}/variations`);
    expect(bigRequests.map((r) => r.query.page)).toEqual(['1', '2']);
    expect(bigRequests.every((r) => r.query.per_page === '100' && r.query.orderby === 'id')).toBe(true);
    expect(server.requests.filter((r) => r.route === 'products').every((r) => r.query.status === 'any')).toBe(
      true,
    );
  });

  test('a product deleted while its variations are read is dropped, not an error', async () => {
    const server = await start({ products: 30, variableShare: 0.5 });
    const victim = server.store.list('product').find((p) => p.type === 'variable')!.id;
    server.options.onRequest = (_n, request) => {
      if (request.route === `products/${victim}/variations`) server.store.delete('product', victim);
    };
    const { ids } = await collect(wooAdapter(server).pages(pageRequest('product', { pageSize: 50 })));
    expect(ids).toEqual(server.store.ids('product'));
    expect(ids).not.toContain(victim);
  });
});

describe('mapping', () => {
  test('inventory: trimmed product fields → stock records', async () => {
    const server = await start({ products: 30 });
    const adapter = wooAdapter(server);
    const { items } = await collect(adapter.pages(pageRequest('inventory')));
    expect(items).toHaveLength(30);
    const fields = 'id,sku,name,manage_stock,stock_quantity,stock_status,date_modified_gmt';
    expect(server.requests.every((r) => r.query._fields === fields)).toBe(true);
    expect(Object.keys(items[0] as object).sort()).toEqual(fields.split(',').sort());
    const source = server.store.list('product').find((p) => p.manage_stock === true)!;
    const mapped = adapter.map(
      'inventory',
      items.find((i) => (i as { id: number }).id === source.id),
    );
    expect(mapped).toEqual({
      ok: true,
      record: {
        externalId: String(source.id),
        sourceUpdatedAt: new Date(`${String(source.date_modified_gmt)}Z`),
        data: {
          productId: String(source.id),
          name: source.name,
          sku: source.sku,
          manageStock: true,
          stockQuantity: source.stock_quantity,
          stockStatus: source.stock_status,
        },
      },
    });
  });

  test('customers: canonical fields; malformed emails are reported, not thrown', async () => {
    const server = await start({ customers: 40, malformedCustomerIndexes: [2, 31] });
    const adapter = wooAdapter(server);
    const { items } = await collect(adapter.pages(pageRequest('customer')));
    const results = items.map((raw) => adapter.map('customer', raw));
    const failed = results.filter((r) => !r.ok);
    expect(failed).toEqual(
      server.store.malformedCustomerIds.map((id) => ({
        ok: false,
        externalId: String(id),
        reason: 'email is not a valid address',
      })),
    );
    const first = results.find((r) => r.ok);
    const raw = server.store.list('customer')[0]!;
    expect(first).toMatchObject({
      ok: true,
      record: {
        externalId: String(raw.id),
        sourceUpdatedAt: new Date(`${String(raw.date_modified_gmt)}Z`),
        data: {
          email: raw.email,
          firstName: raw.first_name,
          lastName: raw.last_name,
          username: raw.username,
          isPayingCustomer: raw.is_paying_customer,
          createdAt: `${String(raw.date_created_gmt)}.000Z`,
          billing: { city: expect.any(String), email: raw.email },
        },
      },
    });
  });

  test('orders: money as strings, ids as strings, GMT dates, line items', async () => {
    const server = await start({ orders: 10, customers: 5, products: 5 });
    const adapter = wooAdapter(server);
    const { items } = await collect(adapter.pages(pageRequest('order')));
    for (const raw of items) {
      const mapped = adapter.map('order', raw);
      if (!mapped.ok) throw new Error(mapped.reason);
      const data = mapped.record.data as Record<string, unknown> & { lineItems: Record<string, unknown>[] };
      expect(data.total).toMatch(/^\d+\.\d{2}$/);
      expect(data.customerId === null || /^\d+$/.test(String(data.customerId))).toBe(true);
      expect(data.lineItems.every((l) => typeof l.price === 'string' && typeof l.quantity === 'number')).toBe(
        true,
      );
      expect(String(data.createdAt)).toMatch(/Z$/);
    }
  });

  test('dates without a zone are UTC; entities decode HTML entities; bad shapes are failures', () => {
    const product = mapWooItem('product', {
      id: 5,
      name: 'A &amp; B',
      date_modified_gmt: '2025-03-01T10:00:00',
    });
    expect(product).toMatchObject({
      ok: true,
      record: {
        sourceUpdatedAt: new Date('2025-03-01T10:00:00.000Z'),
        data: { name: 'A & B', variations: [] },
      },
    });
    expect(mapWooItem('category', { id: 3, name: 'Clothing &amp; Accessories', parent: 0 })).toMatchObject({
      ok: true,
      record: {
        externalId: '3',
        sourceUpdatedAt: null,
        data: { name: 'Clothing & Accessories', parentId: null },
      },
    });
    expect(mapWooItem('customer', { email: 'a@b.co' })).toMatchObject({ ok: false, externalId: '' });
    expect(mapWooItem('customer', null)).toMatchObject({ ok: false, externalId: '' });
    expect(mapWooItem('order', { id: 9, line_items: 'nope' })).toMatchObject({ ok: false, externalId: '9' });
    expect(mapWooItem('invoice', { id: 1 })).toMatchObject({
      ok: false,
      reason: expect.stringContaining('invoice'),
    });
  });
});

describe('unsupported entities', () => {
  test('invoice and supplier: ENTITY_NOT_SUPPORTED naming the supported ones', async () => {
    const server = await start({});
    const adapter = wooAdapter(server);
    for (const attempt of [
      collect(adapter.pages(pageRequest('invoice'))),
      adapter.count({ entity: 'supplier', mode: 'full', since: null }),
      collectIds(adapter.scanIds('invoice')),
    ]) {
      const err = await rejection(attempt);
      expect(err).toMatchObject({ code: ErrorCodes.ENTITY_NOT_SUPPORTED, retry: 'fatal' });
      expect(err.message).toContain('customer, product, order, category, attribute, inventory');
    }
    expect(adapter.supportsIncremental('invoice')).toBe(false);
    expect(server.requestCount).toBe(0);
  });
});
