import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { SyncEntityType } from '../types.js';
import type { WooQuery } from './client.js';

/** How one canonical entity is read from the WooCommerce REST API. */
export interface EntityRoute {
  /** Route under `/wp-json/wc/v3`. */
  path: string;
  /** Filters sent with every list request of this entity (walks, counts, id scans). */
  filters: WooQuery;
  /** `_fields` for the page walk (undefined: whole items). */
  fields?: string;
  /** Server-side `modified_after` / `modified_before` / `orderby=modified` exist. */
  incremental: boolean;
  /** Paged (`page`/`per_page`/`offset`, `X-WP-Total`); false: one answer with everything. */
  paginated: boolean;
  /** Variable products get their variations embedded. */
  embedVariations?: boolean;
}

export const WOO_ROUTES: Readonly<Partial<Record<SyncEntityType, EntityRoute>>> = {
  customer: { path: 'customers', filters: {}, incremental: false, paginated: true },
  product: {
    path: 'products',
    filters: { status: 'any' }, // trashed products included
    incremental: true,
    paginated: true,
    embedVariations: true,
  },
  order: { path: 'orders', filters: { status: 'any' }, incremental: true, paginated: true },
  category: { path: 'products/categories', filters: {}, incremental: false, paginated: true },
  attribute: { path: 'products/attributes', filters: {}, incremental: false, paginated: false },
  inventory: {
    path: 'products',
    filters: { status: 'any' },
    fields: 'id,sku,name,manage_stock,stock_quantity,stock_status,date_modified_gmt',
    incremental: true,
    paginated: true,
  },
};

export const WOO_ENTITIES = Object.keys(WOO_ROUTES) as SyncEntityType[];

/** The route of `entity`, or ENTITY_NOT_SUPPORTED naming the ones WooCommerce has. */
export function routeOf(entity: SyncEntityType): EntityRoute {
  const route = WOO_ROUTES[entity];
  if (route) return route;
  throw new SyncWorkerError(
    ErrorCodes.ENTITY_NOT_SUPPORTED,
    `WooCommerce has no "${entity}" entity; supported: ${WOO_ENTITIES.join(', ')}`,
    { details: { entity, supported: WOO_ENTITIES } },
  );
}
