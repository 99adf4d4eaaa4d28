import type { WooRecord } from './data.js';

/** What one WooCommerce collection route accepts. */
export interface CollectionSpec {
  orderby: readonly string[];
  defaultOrderby: string;
  defaultOrder: 'asc' | 'desc';
  /** `modified_after` / `modified_before` (+ `dates_are_gmt`). */
  modifiedFilter: boolean;
  /** `status` (`any` = every status, trash included). */
  statusFilter: boolean;
  /** `role` (default `customer`, `all`). */
  roleFilter?: boolean;
}

const POSTS = ['date', 'id', 'include', 'title', 'slug', 'modified'] as const;

export const COLLECTIONS = {
  customers: {
    orderby: ['id', 'include', 'name', 'registered_date'],
    defaultOrderby: 'name',
    defaultOrder: 'asc',
    modifiedFilter: false,
    statusFilter: false,
    roleFilter: true,
  },
  products: {
    orderby: [...POSTS, 'price', 'popularity', 'rating', 'menu_order'],
    defaultOrderby: 'date',
    defaultOrder: 'desc',
    modifiedFilter: true,
    statusFilter: true,
  },
  variations: {
    orderby: [...POSTS, 'menu_order'],
    defaultOrderby: 'date',
    defaultOrder: 'desc',
    modifiedFilter: true,
    statusFilter: false,
  },
  orders: {
    orderby: POSTS,
    defaultOrderby: 'date',
    defaultOrder: 'desc',
    modifiedFilter: true,
    statusFilter: true,
  },
  categories: {
    orderby: ['id', 'include', 'name', 'slug', 'term_group', 'description', 'count'],
    defaultOrderby: 'name',
    defaultOrder: 'asc',
    modifiedFilter: false,
    statusFilter: false,
  },
} satisfies Record<string, CollectionSpec>;

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface ListContext {
  /** The request URL as the client sent it (for Link headers). */
  url: URL;
  /** Shuffle records that tie on the sort key (MySQL promises no order among them). */
  unstableTies: boolean;
  random: () => number;
}

export function wooError(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): FakeAnswer {
  return { status, body: { code, message, data: { status, ...extra } } };
}

function invalidParam(name: string, reason: string): FakeAnswer {
  return wooError(400, 'rest_invalid_param', `Invalid parameter(s): ${name}`, { params: { [name]: reason } });
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function intParam(
  query: URLSearchParams,
  name: string,
  min: number,
  max = Infinity,
): number | FakeAnswer | undefined {
  const raw = query.get(name);
  if (raw === null) return undefined;
  if (!/^-?\d+$/.test(raw)) return invalidParam(name, `${name} is not of type integer.`);
  const value = Number(raw);
  if (value < min || value > max) {
    return invalidParam(
      name,
      max === Infinity
        ? `${name} must be greater than or equal to ${min}`
        : `${name} must be between ${min} (inclusive) and ${max} (inclusive)`,
    );
  }
  return value;
}

function sortKey(orderby: string, record: WooRecord): string | number {
  switch (orderby) {
    case 'id':
    case 'include':
      return record.id;
    case 'date':
    case 'registered_date':
      return String(record.date_created_gmt ?? '');
    case 'modified':
      return String(record.date_modified_gmt ?? '');
    case 'name':
      return record.first_name !== undefined
        ? `${String(record.first_name)} ${String(record.last_name)}`
        : String(record.name);
    case 'title':
      return String(record.name ?? '');
    case 'price':
      return Number(record.price ?? 0);
    case 'popularity':
      return Number(record.total_sales ?? 0);
    case 'count':
      return Number(record.count ?? 0);
    case 'menu_order':
      return Number(record.menu_order ?? 0);
    default:
      return String(record[orderby] ?? '');
  }
}

/** `_fields=a,b` keeps only those top-level fields. */
export function trimFields(record: WooRecord, fields: string | null): Record<string, unknown> {
  if (!fields) return record;
  const keep = fields
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  return Object.fromEntries(keep.filter((k) => k in record).map((k) => [k, record[k]]));
}

/** A collection GET: validation, filters, order, page/offset, headers — as WooCommerce does it. */
export function listAnswer(
  records: WooRecord[],
  query: URLSearchParams,
  spec: CollectionSpec,
  ctx: ListContext,
): FakeAnswer {
  const perPage = intParam(query, 'per_page', 1, 100) ?? 10;
  if (typeof perPage === 'object') return perPage;
  const page = intParam(query, 'page', 1) ?? 1;
  if (typeof page === 'object') return page;
  const offset = intParam(query, 'offset', 0);
  if (typeof offset === 'object') return offset;
  const order = query.get('order') ?? spec.defaultOrder;
  if (order !== 'asc' && order !== 'desc') return invalidParam('order', 'order is not one of asc and desc.');
  const orderby = query.get('orderby') ?? spec.defaultOrderby;
  if (!spec.orderby.includes(orderby)) {
    return invalidParam('orderby', `orderby is not one of ${spec.orderby.join(', ')}.`);
  }

  let selected = records;
  const status = query.get('status') ?? 'any';
  if (spec.statusFilter && status !== 'any') selected = selected.filter((r) => r.status === status);
  const role = query.get('role') ?? 'customer';
  if (spec.roleFilter && role !== 'all') selected = selected.filter((r) => r.role === role);
  if (spec.modifiedFilter) {
    // Without dates_are_gmt=true the dates are read in the store's local time zone.
    const gmt = ['true', '1'].includes(query.get('dates_are_gmt') ?? '');
    const field = gmt ? 'date_modified_gmt' : 'date_modified';
    for (const [name, keep] of [
      ['modified_after', (v: string, bound: string) => v > bound],
      ['modified_before', (v: string, bound: string) => v < bound],
    ] as const) {
      const bound = query.get(name);
      if (bound === null) continue;
      if (!DATE_TIME.test(bound)) return invalidParam(name, 'Invalid date.');
      selected = selected.filter((r) => keep(String(r[field]).slice(0, 19), bound.slice(0, 19)));
    }
  }

  const direction = order === 'asc' ? 1 : -1;
  const sortedById = orderby === 'id' && order === 'asc';
  // Tie-breakers only when sorting: a store answers a page in O(page), not O(table).
  const ties = sortedById
    ? undefined
    : new Map<number, number>(selected.map((r) => [r.id, ctx.unstableTies ? ctx.random() : r.id]));
  const sorted = sortedById
    ? selected // already ascending by id
    : [...selected].sort((a, b) => {
        const ka = sortKey(orderby, a);
        const kb = sortKey(orderby, b);
        if (ka !== kb) return (ka < kb ? -1 : 1) * direction;
        return (ties!.get(a.id)! - ties!.get(b.id)!) * direction;
      });

  const start = offset ?? (page - 1) * perPage;
  const fields = query.get('_fields');
  const body = sorted.slice(start, start + perPage).map((r) => trimFields(r, fields));
  const total = sorted.length;
  const totalPages = Math.ceil(total / perPage);
  return { status: 200, headers: pagingHeaders(ctx.url, page, total, totalPages), body };
}

function pagingHeaders(url: URL, page: number, total: number, totalPages: number): Record<string, string> {
  const link = (n: number, rel: string) => {
    const target = new URL(url);
    for (const key of [...target.searchParams.keys()]) {
      if (/^(oauth_|consumer_)/.test(key)) target.searchParams.delete(key);
    }
    target.searchParams.set('page', String(n));
    return `<${target.toString()}>; rel="${rel}"`;
  };
  const links = [];
  if (page > 1 && page - 1 <= totalPages) links.push(link(page - 1, 'prev'));
  if (page < totalPages) links.push(link(page + 1, 'next'));
  return {
    'x-wp-total': String(total),
    'x-wp-totalpages': String(totalPages),
    ...(links.length ? { link: links.join(', ') } : {}),
  };
}
