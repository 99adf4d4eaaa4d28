import type { DemoRecord } from './demo-catalogue.js';

/**
 * One collection GET of WooCommerce REST v3, as much of it as the adapter
 * uses: `per_page` (1-100), `page` or `offset`, `orderby` / `order`,
 * `_fields`, `modified_after` / `modified_before` with `dates_are_gmt`
 * (products), and the `X-WP-Total` / `X-WP-TotalPages` headers. Bad values
 * get WooCommerce's 400 `rest_invalid_param`.
 */

export interface DemoAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface CollectionRules {
  orderby: readonly string[];
  defaultOrderby: string;
  defaultOrder: 'asc' | 'desc';
  /** `modified_after` / `modified_before` are honoured. */
  modifiedFilter: boolean;
}

export const DEMO_COLLECTIONS = {
  customers: {
    orderby: ['id', 'include', 'name', 'registered_date'],
    defaultOrderby: 'name',
    defaultOrder: 'asc',
    modifiedFilter: false,
  },
  products: {
    orderby: ['date', 'id', 'include', 'title', 'slug', 'modified'],
    defaultOrderby: 'date',
    defaultOrder: 'desc',
    modifiedFilter: true,
  },
} as const satisfies Record<string, CollectionRules>;

export function wooErrorAnswer(
  status: number,
  code: string,
  message: string,
  params?: Record<string, string>,
): DemoAnswer {
  return { status, body: { code, message, data: { status, ...(params ? { params } : {}) } } };
}

const invalid = (name: string, why: string) =>
  wooErrorAnswer(400, 'rest_invalid_param', `Invalid parameter(s): ${name}`, { [name]: why });

function integer(
  query: URLSearchParams,
  name: string,
  min: number,
  max: number,
  fallback: number,
): number | DemoAnswer {
  const raw = query.get(name);
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    return invalid(name, `${name} must be between ${min} (inclusive) and ${max} (inclusive)`);
  }
  return value;
}

function sortKey(orderby: string, record: DemoRecord): string | number {
  switch (orderby) {
    case 'id':
    case 'include':
      return record.id;
    case 'name':
    case 'title':
      return String(record.name ?? `${String(record.first_name)} ${String(record.last_name)}`);
    case 'modified':
      return String(record.date_modified_gmt);
    case 'slug':
      return String(record.slug ?? '');
    default: // date, registered_date
      return String(record.date_created_gmt);
  }
}

/** `_fields=a,b`: only those top-level fields. */
function fieldsOf(record: DemoRecord, fields: string | null): Record<string, unknown> {
  if (!fields) return record;
  const keep = new Set(fields.split(',').map((f) => f.trim()));
  return Object.fromEntries(Object.entries(record).filter(([key]) => keep.has(key)));
}

const SECOND = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/;

export function listCollection(
  records: readonly DemoRecord[],
  query: URLSearchParams,
  rules: CollectionRules,
): DemoAnswer {
  const perPage = integer(query, 'per_page', 1, 100, 10);
  if (typeof perPage !== 'number') return perPage;
  const page = integer(query, 'page', 1, Number.MAX_SAFE_INTEGER, 1);
  if (typeof page !== 'number') return page;
  const offset = query.has('offset') ? integer(query, 'offset', 0, Number.MAX_SAFE_INTEGER, 0) : undefined;
  if (offset !== undefined && typeof offset !== 'number') return offset;
  const orderby = query.get('orderby') ?? rules.defaultOrderby;
  if (!rules.orderby.includes(orderby))
    return invalid('orderby', `orderby is not one of ${rules.orderby.join(', ')}.`);
  const order = query.get('order') ?? rules.defaultOrder;
  if (order !== 'asc' && order !== 'desc') return invalid('order', 'order is not one of asc and desc.');

  let selected = records.slice();
  if (rules.modifiedFilter) {
    const field = ['1', 'true'].includes(query.get('dates_are_gmt') ?? '')
      ? 'date_modified_gmt'
      : 'date_modified';
    for (const [name, keep] of [
      ['modified_after', (value: string, bound: string) => value > bound],
      ['modified_before', (value: string, bound: string) => value < bound],
    ] as const) {
      const bound = query.get(name);
      if (bound === null) continue;
      if (!SECOND.test(bound)) return invalid(name, 'Invalid date.');
      selected = selected.filter((r) => keep(String(r[field]), bound.slice(0, 19)));
    }
  }
  const direction = order === 'asc' ? 1 : -1;
  // The records are kept in id order: the walks' `orderby=id&order=asc` needs no sort.
  if (orderby !== 'id' || order !== 'asc')
    selected.sort((a, b) => {
      const ka = sortKey(orderby, a);
      const kb = sortKey(orderby, b);
      return (ka < kb ? -1 : ka > kb ? 1 : a.id - b.id) * direction;
    });

  const start = offset ?? (page - 1) * perPage;
  const fields = query.get('_fields');
  return {
    status: 200,
    headers: {
      'x-wp-total': String(selected.length),
      'x-wp-totalpages': String(Math.ceil(selected.length / perPage)),
    },
    body: selected.slice(start, start + perPage).map((r) => fieldsOf(r, fields)),
  };
}
