import { describe, expect, test } from 'vitest';
import type { Page } from '../../src/adapters/types.js';
import { type FakeWooServer } from '../fakes/woocommerce/server.js';
import { collect, collectIds, duplicates, pageRequest, wooAdapter, useFakeStore } from './woo-helpers.js';

const start = useFakeStore();

function expectPageContract(pages: Page[]): void {
  expect(pages.at(-1)?.done).toBe(true);
  expect(pages.slice(0, -1).every((p) => !p.done && p.items.length > 0)).toBe(true);
}

/** Offsets the walk asked for, in order. */
function offsets(server: FakeWooServer, route = 'customers'): number[] {
  return server.requests
    .filter((r) => r.route === route && r.query.offset !== undefined)
    .map((r) => Number(r.query.offset));
}

describe('full walk by id', () => {
  test('1,050 customers: each exactly once, in id order, ordered by id asc', async () => {
    const server = await start({ customers: 1050 });
    const { pages, ids } = await collect(
      wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 })),
    );
    expect(ids).toEqual(server.store.ids('customer'));
    expectPageContract(pages);
    expect(pages.every((p) => p.items.length <= 100)).toBe(true); // a page never exceeds the batch size
    // Id-walk checkpoints (resuming from each one: the shared contract, test/adapters/contract.ts).
    expect(pages[0]!.checkpoint).toMatchObject({ v: 1, walk: 'id' });
    // Nothing changed under the walk: its continuity checks held, so it is complete.
    expect(pages.at(-1)!.complete).toBe(true);
    const requests = server.requests.filter((r) => r.route === 'customers');
    expect(requests.every((r) => r.query.orderby === 'id' && r.query.order === 'asc')).toBe(true);
  });

  test("a full count is the walk's first window: no request twice, none past the reported total", async () => {
    const server = await start({ customers: 1050 });
    const adapter = wooAdapter(server);
    expect(await adapter.count({ entity: 'customer', mode: 'full', since: null })).toBe(1050);
    const { ids } = await collect(adapter.pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toEqual(server.store.ids('customer'));
    const asked = offsets(server).sort((a, b) => a - b); // concurrent requests may arrive in any order
    // 99 new customers a window (one re-read before the position): offsets 0, 99, …, 1039 once each.
    expect(asked).toEqual(Array.from({ length: 11 }, (_, i) => (i === 0 ? 0 : i * 99 - 1)));
    expect(server.requests.filter((r) => r.route === 'customers')).toHaveLength(11);
  });

  test('an empty first window whose X-WP-Total promises more is a bad response, never the end of the set', async () => {
    const server = await start({
      customers: 300,
      // A cache's stale page, on the walk's first request only.
      inject: (n) =>
        n === 1
          ? { status: 200, headers: { 'x-wp-total': '99999', 'x-wp-totalpages': '1000' }, body: [] }
          : undefined,
    });
    await expect(
      collect(wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 }))),
    ).rejects.toMatchObject({ code: 'SOURCE_BAD_RESPONSE', retry: 'retryable' });
    // The next attempt, answered by the store, walks every customer.
    const { ids } = await collect(wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toEqual(server.store.ids('customer'));
  });

  test('per_page is clamped to 100 (the fake answers 400 above it)', async () => {
    const server = await start({ customers: 450 });
    const { ids } = await collect(wooAdapter(server).pages(pageRequest('customer', { pageSize: 500 })));
    expect(ids).toHaveLength(450);
    expect(server.requests.every((r) => Number(r.query.per_page) <= 100)).toBe(true);
    const res = await fetch(`${server.url}/wp-json/wc/v3/customers?per_page=101&${keys(server)}`);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'rest_invalid_param', data: { status: 400 } });
  });

  test('records deleted behind the cursor mid-walk: no surviving record is lost', async () => {
    const server = await start({ customers: 1050 });
    const original = server.store.ids('customer');
    const deleted = new Set<number>();
    server.options.onRequest = (n) => {
      if (n !== 5) return;
      for (const id of original.slice(0, 230)) {
        deleted.add(id);
        server.store.delete('customer', id);
      }
    };
    const { ids, pages } = await collect(
      wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 })),
    );
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const survivors = server.store.ids('customer');
    expect(survivors).toHaveLength(1050 - 230);
    expect(ids.filter((id) => !deleted.has(id))).toEqual(survivors);
    expectPageContract(pages);
    // Records deleted behind the cursor: the walk is not a snapshot, and says so.
    expect(pages.at(-1)!.complete).toBe(false);
    // The continuity check had to step back at least once.
    const asked = offsets(server);
    expect(asked.some((o, i) => i > 0 && o < Math.max(...asked.slice(0, i)))).toBe(true);
  });

  test('deletions behind and ahead of the cursor while the consumer is between pages', async () => {
    const server = await start({ customers: 600 });
    const original = server.store.ids('customer');
    const seen: number[] = [];
    let pagesSeen = 0;
    let cursorAtDeletion = 0;
    for await (const page of wooAdapter(server, { pageConcurrency: 2 }).pages(
      pageRequest('customer', { pageSize: 50 }),
    )) {
      seen.push(...page.items.map((i) => (i as { id: number }).id));
      if (++pagesSeen === 3) {
        const lastId = (cursorAtDeletion = seen.at(-1)!);
        for (const id of original.filter((id) => id <= lastId).slice(10, 140))
          server.store.delete('customer', id);
        for (const id of original.filter((id) => id > lastId).slice(40, 60))
          server.store.delete('customer', id);
      }
    }
    expect(duplicates(seen)).toEqual([]);
    const survivors = server.store.ids('customer');
    expect(survivors.every((id) => seen.includes(id))).toBe(true);
    const gone = seen.filter((id) => !survivors.includes(id));
    expect(gone.every((id) => id <= cursorAtDeletion)).toBe(true); // only records emitted before their deletion
  });

  test('records added mid-walk are included', async () => {
    const server = await start({ customers: 1050 });
    const added: number[] = [];
    server.options.onRequest = (n) => {
      if (n === 3) for (let i = 0; i < 40; i++) added.push(server.store.add('customer').id);
    };
    const { ids } = await collect(wooAdapter(server).pages(pageRequest('customer', { pageSize: 100 })));
    expect(ids).toEqual(server.store.ids('customer'));
    expect(ids.slice(-40)).toEqual(added);
  });

  test('categories by id; attributes (not paginated) in one page', async () => {
    const server = await start({ categories: 23, attributes: 5 });
    const categories = await collect(wooAdapter(server).pages(pageRequest('category', { pageSize: 10 })));
    expect(categories.ids).toEqual(server.store.ids('category'));
    const attributes = await collect(wooAdapter(server).pages(pageRequest('attribute', { pageSize: 2 })));
    expect(attributes.pages).toHaveLength(1);
    expect(attributes.pages[0]).toMatchObject({ done: true, checkpoint: { walk: 'single' } });
    expect(attributes.ids).toEqual(server.store.ids('attribute'));
    const adapter = wooAdapter(server);
    expect(await adapter.count({ entity: 'attribute', mode: 'full', since: null })).toBe(5);
    expect(await adapter.count({ entity: 'category', mode: 'full', since: null })).toBe(23);
  });
});

describe('scanIds (deletion scans)', () => {
  test('every live id, even with deletions behind the scan', async () => {
    const server = await start({ customers: 1200 });
    const original = server.store.ids('customer');
    const deletedBehind = new Set(original.slice(0, 180));
    const deletedAhead = new Set(original.slice(900, 920));
    server.options.onRequest = (n) => {
      if (n !== 5) return;
      for (const id of [...deletedBehind, ...deletedAhead]) server.store.delete('customer', id);
    };
    const scanned = (await collectIds(wooAdapter(server).scanIds('customer'))).map(Number);
    expect(duplicates(scanned)).toEqual([]);
    const live = server.store.ids('customer');
    expect(live.filter((id) => !scanned.includes(id))).toEqual([]); // none missed: none wrongly deleted
    expect(scanned.filter((id) => !live.includes(id)).every((id) => deletedBehind.has(id))).toBe(true);
    const scans = server.requests.filter((r) => r.route === 'customers');
    expect(scans.slice(1).every((r) => r.query.per_page === '100')).toBe(true); // 99 new + 1 overlap
    expect(
      scans.every(
        (r) => r.query._fields === 'id' && r.query.orderby === 'id' && Number(r.query.per_page) <= 100,
      ),
    ).toBe(true);
  });

  test('products include trashed ones (status=any); attributes in one request', async () => {
    const server = await start({ products: 140, attributes: 4 });
    const trashed = server.store.ids('product')[7]!;
    server.store.trash(trashed);
    const ids = await collectIds(wooAdapter(server).scanIds('product'));
    expect(ids).toEqual(server.store.ids('product').map(String));
    expect(await collectIds(wooAdapter(server).scanIds('attribute'))).toEqual(
      server.store.ids('attribute').map(String),
    );
  });
});

function keys(server: FakeWooServer): string {
  return `consumer_key=${server.consumerKey}&consumer_secret=${server.consumerSecret}`;
}
