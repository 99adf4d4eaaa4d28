import type { WooRecord } from './data.js';
import {
  COLLECTIONS,
  listAnswer,
  trimFields,
  wooError,
  type CollectionSpec,
  type FakeAnswer,
} from './listing.js';
import type { FakeEntity, FakeWooStore } from './store.js';

/** The REST v3 routes of the fake, after authentication. `route` is the path after `/wp-json/wc/v3/`. */
export function routeRequest(
  store: FakeWooStore,
  route: string,
  url: URL,
  options: { unstableTies: boolean; random: () => number },
): FakeAnswer {
  const ctx = { url, ...options };
  const list = (records: WooRecord[], spec: CollectionSpec) =>
    listAnswer(records, url.searchParams, spec, ctx);
  const single = (entity: FakeEntity, id: string) => {
    const record = store.get(entity, Number(id));
    return record
      ? { status: 200, body: trimFields(record, url.searchParams.get('_fields')) }
      : wooError(404, 'woocommerce_rest_invalid_id', 'Invalid ID.');
  };

  let match: RegExpExecArray | null;
  switch (route) {
    case 'customers':
      return list(store.list('customer'), COLLECTIONS.customers);
    case 'products':
      return list(store.list('product'), COLLECTIONS.products);
    case 'orders':
      return list(store.list('order'), COLLECTIONS.orders);
    case 'products/categories':
      return list(store.list('category'), COLLECTIONS.categories);
    case 'products/attributes': {
      // Not paginated: every attribute in one answer, no X-WP-Total.
      const fields = url.searchParams.get('_fields');
      return { status: 200, body: store.list('attribute').map((r) => trimFields(r, fields)) };
    }
  }
  if ((match = /^products\/(\d+)\/variations$/.exec(route))) {
    const variations = store.variationsOf(Number(match[1]));
    if (!store.get('product', Number(match[1])))
      return wooError(404, 'woocommerce_rest_invalid_id', 'Invalid ID.');
    return list(variations ?? [], COLLECTIONS.variations);
  }
  if ((match = /^products\/categories\/(\d+)$/.exec(route))) return single('category', match[1]!);
  if ((match = /^products\/attributes\/(\d+)$/.exec(route))) return single('attribute', match[1]!);
  if ((match = /^products\/(\d+)$/.exec(route))) return single('product', match[1]!);
  if ((match = /^customers\/(\d+)$/.exec(route))) return single('customer', match[1]!);
  if ((match = /^orders\/(\d+)$/.exec(route))) return single('order', match[1]!);
  return wooError(404, 'rest_no_route', 'No route was found matching the URL and request method.');
}
