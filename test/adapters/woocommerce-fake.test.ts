import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseLinkHeader } from '../../src/adapters/woocommerce/client.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';

/** The fake must behave like the contract (API_CONTRACTS.md §WooCommerce), or the adapter tests prove nothing. */
let fake: FakeWooServer;
beforeAll(async () => {
  fake = await startFakeWooCommerce({ customers: 35, products: 25, orders: 12, seed: 3 });
});
afterAll(async () => fake?.close());

async function get(route: string, query = '') {
  const auth = `consumer_key=${fake.consumerKey}&consumer_secret=${fake.consumerSecret}`;
  const res = await fetch(`${fake.url}/wp-json/wc/v3/${route}?${auth}${query ? `&${query}` : ''}`);
  return { res, body: (await res.json()) as Record<string, unknown>[] & Record<string, unknown> };
}

describe('fake WooCommerce follows the contract', () => {
  test('defaults: per_page 10, products by date desc, customers by name asc', async () => {
    const { res, body } = await get('products');
    expect(body).toHaveLength(10);
    expect(res.headers.get('x-wp-total')).toBe('25');
    expect(res.headers.get('x-wp-totalpages')).toBe('3');
    const dates = body.map((p) => String(p.date_created_gmt));
    expect(dates).toEqual([...dates].sort().reverse());
    const customers = (await get('customers', 'per_page=100')).body;
    const names = customers.map((c) => `${String(c.first_name)} ${String(c.last_name)}`);
    expect(names).toEqual([...names].sort());
  });

  test('Link rel=next/prev; page past the end is 200 []; offset overrides page', async () => {
    const { res } = await get('customers', 'per_page=10&page=2');
    const links = parseLinkHeader(res.headers.get('link'));
    expect(new URL(links.next!).searchParams.get('page')).toBe('3');
    expect(new URL(links.prev!).searchParams.get('page')).toBe('1');
    expect(links.next).not.toContain('consumer_secret');
    const past = await get('customers', 'page=99');
    expect(past.res.status).toBe(200);
    expect(past.body).toEqual([]);
    const byOffset = await get('customers', 'orderby=id&order=asc&per_page=5&offset=7&page=3');
    expect(byOffset.body.map((c) => c.id)).toEqual(fake.store.ids('customer').slice(7, 12));
  });

  test('orderby is validated per route; per_page above 100 is refused', async () => {
    expect((await get('customers', 'orderby=date')).res.status).toBe(400);
    expect((await get('customers', 'orderby=registered_date')).res.status).toBe(200);
    expect((await get('orders', 'orderby=modified&order=asc')).res.status).toBe(200);
    const bad = await get('products', 'orderby=bogus');
    expect(bad.body).toMatchObject({
      code: 'rest_invalid_param',
      data: { status: 400, params: { orderby: expect.any(String) } },
    });
    expect((await get('products', 'order=sideways')).res.status).toBe(400);
    expect((await get('products', 'per_page=0')).res.status).toBe(400);
  });

  test('_fields trims; dates are local and GMT without zone; money strings; meta_data arrays', async () => {
    const trimmed = await get('products', '_fields=id,date_modified_gmt');
    expect(Object.keys(trimmed.body[0]!).sort()).toEqual(['date_modified_gmt', 'id']);
    const [product] = (await get('products', 'per_page=1')).body;
    expect(product!.date_modified_gmt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    const local = Date.parse(`${String(product!.date_modified)}Z`);
    const gmt = Date.parse(`${String(product!.date_modified_gmt)}Z`);
    expect(local - gmt).toBe(fake.store.timezoneOffsetMinutes * 60_000);
    expect(typeof product!.price).toBe('string');
    expect(Array.isArray(product!.meta_data)).toBe(true);
  });

  test('errors: unknown route, unknown id, outside the API (HTML)', async () => {
    expect((await get('coupons/nope/x')).body).toMatchObject({
      code: 'rest_no_route',
      data: { status: 404 },
    });
    expect((await get('products/999999')).body).toMatchObject({
      code: 'woocommerce_rest_invalid_id',
      data: { status: 404 },
    });
    const html = await fetch(`${fake.url}/shop/page`);
    expect(html.status).toBe(404);
    expect(html.headers.get('content-type')).toContain('text/html');
  });

  test('status=any includes trash; attributes answer everything at once without paging headers', async () => {
    const id = fake.store.ids('product')[0]!;
    fake.store.trash(id);
    const all = await get('products', 'per_page=100&status=any');
    expect(all.body.map((p) => p.id)).toContain(id);
    const published = await get('products', 'per_page=100&status=publish');
    expect(published.body.map((p) => p.id)).not.toContain(id);
    const attributes = await get('products/attributes', 'per_page=1');
    expect(attributes.body.length).toBe(fake.store.list('attribute').length);
    expect(attributes.res.headers.get('x-wp-total')).toBeNull();
  });
});
