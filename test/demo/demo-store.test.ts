import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { WooCommerceAdapter } from '../../src/adapters/woocommerce/adapter.js';
import { generateCatalogue } from '../../src/demo/demo-catalogue.js';
import { startDemoStore, type DemoStore } from '../../src/demo/demo-store.js';
import { loopbackEgress } from '../helpers/egress.js';

/**
 * The demo store speaks enough WooCommerce REST v3 for the adapter (which is
 * built to the vendor's contract, not to this store): counts, id walks,
 * `_fields`, both key transports, and WooCommerce's errors.
 */

let store: DemoStore;
const api = (path: string) => `${store.url}/wp-json/wc/v3/${path}`;
const basic = () => ({
  authorization: `Basic ${Buffer.from(`${store.credentials.key}:${store.credentials.secret}`).toString('base64')}`,
});

beforeAll(async () => {
  store = await startDemoStore({ customers: 230, products: 120, latencyMs: [0, 1], rateLimitEvery: 7 });
});

afterAll(async () => {
  await store?.close();
});

describe('the demo store', () => {
  test('the same seed makes the same catalogue; customers and products map without failures', async () => {
    expect(generateCatalogue({ customers: 5, products: 5 })).toEqual(
      generateCatalogue({ customers: 5, products: 5 }),
    );
    const adapter = new WooCommerceAdapter({
      connectionId: 'demo',
      baseUrl: store.url,
      credentials: store.credentials,
      settings: { authMode: 'basic' },
      retryBaseMs: 1,
      dispatcher: loopbackEgress.dispatcher,
    });
    for (const [entity, size] of [
      ['customer', 230],
      ['product', 120],
    ] as const) {
      expect(await adapter.count({ entity, mode: 'full', since: null })).toBe(size);
      const ids: string[] = [];
      for await (const page of adapter.pages({
        entity,
        mode: 'full',
        since: null,
        checkpoint: null,
        pageSize: 50,
      })) {
        for (const raw of page.items) {
          const mapped = adapter.map(entity, raw);
          expect(mapped.ok, JSON.stringify(mapped)).toBe(true);
          if (mapped.ok) ids.push(mapped.record.externalId);
        }
      }
      expect(new Set(ids).size).toBe(size);
      const scanned: string[] = [];
      for await (const chunk of adapter.scanIds(entity)) scanned.push(...chunk.ids);
      expect(scanned.sort()).toEqual([...ids].sort());
    }
  });

  test('answers like WooCommerce: headers, _fields, offset, query keys, and its error bodies', async () => {
    const first = await retryOn429(() =>
      fetch(`${api('customers')}?per_page=3&orderby=id&order=asc&_fields=id,email`, { headers: basic() }),
    );
    expect(first.status).toBe(200);
    expect(first.headers.get('x-wp-total')).toBe('230');
    expect(first.headers.get('x-wp-totalpages')).toBe('77');
    const items = (await first.json()) as Record<string, unknown>[];
    expect(items.map((i) => Object.keys(i).sort())).toEqual([
      ['email', 'id'],
      ['email', 'id'],
      ['email', 'id'],
    ]);
    expect(items.map((i) => i.id)).toEqual([2, 3, 4]);

    const query = `consumer_key=${store.credentials.key}&consumer_secret=${store.credentials.secret}`;
    const offset = await retryOn429(() =>
      fetch(`${api('customers')}?per_page=2&offset=5&orderby=id&order=asc&${query}`),
    );
    expect(((await offset.json()) as { id: number }[]).map((i) => i.id)).toEqual([7, 8]);

    const cases: [string, RequestInit, number, string][] = [
      [`${api('customers')}?per_page=101`, { headers: basic() }, 400, 'rest_invalid_param'],
      [`${api('customers')}?orderby=price`, { headers: basic() }, 400, 'rest_invalid_param'],
      [api('customers'), {}, 401, 'woocommerce_rest_cannot_view'],
      [
        `${api('customers')}?consumer_key=ck_nope&consumer_secret=cs_nope`,
        {},
        401,
        'woocommerce_rest_authentication_error',
      ],
      [api('orders'), { headers: basic() }, 404, 'rest_no_route'],
    ];
    for (const [url, init, status, code] of cases) {
      const res = await retryOn429(() => fetch(url, init));
      expect([url, res.status]).toEqual([url, status]);
      expect(await res.json()).toMatchObject({ code, data: { status } });
    }
  });

  test('now and then a 429 with Retry-After: 1', async () => {
    const answers = await Promise.all(
      Array.from({ length: 14 }, () => fetch(`${api('products')}?per_page=1`, { headers: basic() })),
    );
    const limited = answers.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThanOrEqual(2);
    expect(limited.every((r) => r.headers.get('retry-after') === '1')).toBe(true);
  });
});

/** The store answers every 7th request 429 here: ask again (once is enough, the next one passes). */
async function retryOn429(send: () => Promise<Response>): Promise<Response> {
  const res = await send();
  return res.status === 429 ? send() : res;
}
