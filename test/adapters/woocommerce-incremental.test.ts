import { describe, expect, test } from 'vitest';
import type { IncrementalCursor, Page, SourceAdapter } from '../../src/adapters/types.js';
import { type FakeWooServer } from '../fakes/woocommerce/server.js';
import { collect, duplicates, pageRequest, wooAdapter, useFakeStore } from './woo-helpers.js';

const start = useFakeStore({ variableShare: 0 });

/** The engine's cursor: the newest (sourceUpdatedAt, id) among mapped records. */
function maxCursor(adapter: SourceAdapter, entity: 'product' | 'order', items: unknown[]): IncrementalCursor {
  let best: { at: number; id: number } | null = null;
  for (const raw of items) {
    const mapped = adapter.map(entity, raw);
    if (!mapped.ok || !mapped.record.sourceUpdatedAt) continue;
    const at = mapped.record.sourceUpdatedAt.getTime();
    const id = Number(mapped.record.externalId);
    if (!best || at > best.at || (at === best.at && id > best.id)) best = { at, id };
  }
  return { updatedAt: new Date(best!.at).toISOString(), id: String(best!.id) };
}

const modifiedOf = (server: FakeWooServer, id: number) =>
  String(server.store.get('product', id)!.date_modified_gmt);

describe('incremental products (modified_after, dates_are_gmt, keyset on date_modified_gmt)', () => {
  test('10 modified + 5 added since the cursor: those 15 (plus the overlap second), count() agrees', async () => {
    const server = await start({ products: 300 });
    const adapter = wooAdapter(server);
    const full = await collect(adapter.pages(pageRequest('product')));
    const since = maxCursor(adapter, 'product', full.items);

    const ids = server.store.ids('product');
    server.store.advance(3600);
    const modified = [ids[3]!, ids[50]!, ids[77]!, ids[120]!];
    for (const id of modified) server.store.modify('product', id, { regular_price: '99.00' });
    server.store.advance(1);
    for (const id of [ids[5]!, ids[6]!, ids[180]!, ids[250]!, ids[260]!, ids[299]!]) {
      modified.push(server.store.modify('product', id, { name: `Renamed ${id}` }).id);
    }
    server.store.advance(1);
    const added = Array.from({ length: 5 }, () => server.store.add('product').id);
    const changed = [...modified, ...added];

    const request = pageRequest('product', { mode: 'incremental', since, pageSize: 4 });
    const walk = await collect(adapter.pages(request));
    expect(duplicates(walk.ids)).toEqual([]);
    expect(walk.pages.every((p) => p.items.length <= 4)).toBe(true);
    expect(walk.ids).toEqual(expect.arrayContaining(changed));
    const overlap = walk.ids.filter((id) => !changed.includes(id));
    expect(overlap.every((id) => `${modifiedOf(server, id)}.000Z` === since.updatedAt)).toBe(true);
    expect(walk.ids).toContain(Number(since.id)); // the cursor record itself is re-read (1 s overlap)
    expect(await adapter.count({ entity: 'product', mode: 'incremental', since })).toBe(walk.ids.length);
    // Emitted in (date_modified_gmt, id) order.
    const keys = walk.ids.map((id) => `${modifiedOf(server, id)}#${String(id).padStart(9, '0')}`);
    expect(keys).toEqual([...keys].sort());

    const filtered = server.requests.filter((r) => r.query.modified_after !== undefined);
    expect(filtered.length).toBeGreaterThan(3);
    expect(filtered.every((r) => r.query.dates_are_gmt === 'true')).toBe(true);
    expect(
      filtered
        .filter((r) => r.query.per_page !== '1')
        .every((r) => ['modified', 'id'].includes(r.query.orderby!)),
    ).toBe(true);
  });

  test('local vs GMT trap: without dates_are_gmt the store reads local time and misses records', async () => {
    const server = await start({ products: 50, timezoneOffsetMinutes: -300 }); // UTC−05:00
    const adapter = wooAdapter(server);
    const after = server.store.now();
    server.store.advance(3600); // one hour later (GMT), i.e. 4 hours *before* `after` in local time
    const changed = [1, 2, 3].map((i) => server.store.modify('product', server.store.ids('product')[i]!).id);
    const since = { updatedAt: after.toISOString(), id: '0' };
    const walk = await collect(adapter.pages(pageRequest('product', { mode: 'incremental', since })));
    expect(walk.ids).toEqual(changed);

    const query = `modified_after=${after.toISOString().slice(0, 19)}&consumer_key=${server.consumerKey}&consumer_secret=${server.consumerSecret}`;
    const total = async (extra: string) =>
      Number(
        (await fetch(`${server.url}/wp-json/wc/v3/products?${query}${extra}`)).headers.get('x-wp-total'),
      );
    expect(await total('&dates_are_gmt=true')).toBe(3);
    expect(await total('')).toBe(0); // the trap the adapter avoids
  });

  test('a bulk edit larger than a page (ties, unstable order among them) is walked by id, each once', async () => {
    const server = await start({ products: 420, unstableTies: true });
    const since = { updatedAt: server.store.now().toISOString(), id: '0' };
    server.store.advance(60);
    const bulk = server.store.ids('product').slice(20, 270);
    for (const id of bulk) server.store.modify('product', id, { stock_status: 'outofstock' });
    server.store.advance(1);
    const after = [server.store.ids('product')[5]!, server.store.ids('product')[400]!];
    for (const id of after) server.store.modify('product', id);

    const adapter = wooAdapter(server);
    const request = pageRequest('product', { mode: 'incremental', since, pageSize: 100 });
    const first: Page[] = [];
    for await (const page of adapter.pages(request)) {
      first.push(page);
      if (first.length === 2) break;
    }
    expect(first[1]!.checkpoint).toMatchObject({ walk: 'modified', tie: { second: expect.any(String) } });
    const rest = await collect(wooAdapter(server).pages({ ...request, checkpoint: first[1]!.checkpoint }));
    const ids = [...first.flatMap((p) => p.items.map((i) => (i as { id: number }).id)), ...rest.ids];
    expect(duplicates(ids)).toEqual([]);
    expect(ids).toEqual([...bulk, ...after.sort((a, b) => a - b)]);
    const tieRequests = server.requests.filter((r) => r.query.modified_before !== undefined);
    expect(tieRequests.length).toBeGreaterThan(0);
    expect(tieRequests.every((r) => r.query.orderby === 'id' && r.query.dates_are_gmt === 'true')).toBe(true);
  });

  test('a record modified during the walk is met again at the end with its new state', async () => {
    const server = await start({ products: 80 });
    const since = { updatedAt: server.store.now().toISOString(), id: '0' };
    const ids = server.store.ids('product').slice(0, 30);
    for (const id of ids) {
      server.store.advance(1);
      server.store.modify('product', id);
    }
    const seen: { id: number; modified: string }[] = [];
    let pages = 0;
    for await (const page of wooAdapter(server).pages(
      pageRequest('product', { mode: 'incremental', since, pageSize: 10 }),
    )) {
      for (const raw of page.items) {
        const item = raw as { id: number; date_modified_gmt: string };
        seen.push({ id: item.id, modified: item.date_modified_gmt });
      }
      if (++pages === 1) {
        server.store.advance(5);
        server.store.modify('product', ids[0]!, { name: 'changed mid-run' });
      }
    }
    expect(seen.filter((s) => s.id === ids[0]).map((s) => s.modified)).toEqual([
      expect.any(String),
      modifiedOf(server, ids[0]!),
    ]);
    expect(new Set(seen.map((s) => s.id))).toEqual(new Set(ids));
  });

  test('orders and inventory are incremental too; customers, categories, attributes are not', async () => {
    const server = await start({ products: 40, orders: 60 });
    const adapter = wooAdapter(server);
    expect(adapter.entities.filter((e) => adapter.supportsIncremental(e))).toEqual([
      'product',
      'order',
      'inventory',
    ]);
    const since = { updatedAt: server.store.now().toISOString(), id: '0' };
    server.store.advance(10);
    const orders = server.store.ids('order').slice(10, 13);
    for (const id of orders) server.store.modify('order', id, { status: 'completed' });
    const product = server.store.ids('product')[7]!;
    server.store.modify('product', product, { stock_quantity: 3, manage_stock: true });

    const orderWalk = await collect(adapter.pages(pageRequest('order', { mode: 'incremental', since })));
    expect(orderWalk.ids).toEqual(orders);
    expect(await adapter.count({ entity: 'order', mode: 'incremental', since })).toBe(3);
    const stock = await collect(adapter.pages(pageRequest('inventory', { mode: 'incremental', since })));
    expect(stock.ids).toEqual([product]);
    expect(adapter.map('inventory', stock.items[0])).toMatchObject({
      ok: true,
      record: { data: { stockQuantity: 3 } },
    });
    // `since` is ignored where there is no server-side filter: a full walk.
    const customers = await collect(adapter.pages(pageRequest('customer', { mode: 'incremental', since })));
    expect(customers.ids).toEqual(server.store.ids('customer'));
  });
});
