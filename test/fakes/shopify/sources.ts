import type { ConnectionSource } from './connection.js';
import type { ShopCollection, ShopCustomer, ShopInventoryItem, ShopOrder, ShopProduct } from './data.js';
import {
  customerView,
  gid,
  inventoryItemView,
  iso,
  orderView,
  productView,
  type ViewContext,
} from './views.js';

/** The shop's lists as connection sources: ids, sort values (UPDATED_AT, CREATED_AT), search fields. */

/** Search fields every listed resource has. */
function stamped(r: { id: number; updatedAt: number; createdAt?: number }) {
  return (field: string) =>
    field === 'updated_at'
      ? r.updatedAt
      : field === 'created_at'
        ? r.createdAt
        : field === 'id'
          ? r.id
          : undefined;
}

const byUpdated = (r: { updatedAt: number; createdAt?: number }, sortKey: string) =>
  sortKey === 'UPDATED_AT' ? r.updatedAt : sortKey === 'CREATED_AT' ? (r.createdAt ?? 0) : 0;

export function customerSource(ctx: ViewContext): ConnectionSource<ShopCustomer> {
  return {
    type: 'Customer',
    records: ctx.shop.list('customer'),
    id: (r) => r.id,
    sortValue: byUpdated,
    searchable: stamped,
    view: (r) => customerView(r),
  };
}

export function productSource(ctx: ViewContext): ConnectionSource<ShopProduct> {
  return {
    type: 'Product',
    records: ctx.shop.list('product'),
    id: (r) => r.id,
    sortValue: byUpdated,
    searchable: stamped,
    view: (r) => productView(r, ctx),
  };
}

export function orderSource(records: ShopOrder[], ctx: ViewContext): ConnectionSource<ShopOrder> {
  return {
    type: 'Order',
    records,
    id: (r) => r.id,
    sortValue: byUpdated,
    searchable: stamped,
    view: (r) => orderView(r, ctx),
  };
}

export function collectionSource(ctx: ViewContext): ConnectionSource<ShopCollection> {
  return {
    type: 'Collection',
    records: ctx.shop.list('category'),
    id: (r) => r.id,
    sortValue: byUpdated,
    searchable: stamped,
    view: (c) => ({
      __typename: 'Collection',
      id: gid('Collection', c.id),
      title: c.title,
      handle: c.handle,
      descriptionHtml: c.descriptionHtml,
      sortOrder: c.sortOrder,
      templateSuffix: null,
      updatedAt: iso(c.updatedAt),
    }),
  };
}

export function inventorySource(ctx: ViewContext): ConnectionSource<ShopInventoryItem> {
  return {
    type: 'InventoryItem',
    records: ctx.shop.list('inventory'),
    id: (r) => r.id,
    searchable: stamped,
    view: (r) => inventoryItemView(r, ctx),
  };
}

/** Variants across products (`productVariantsCount`), searchable by their product's times. */
export function variantSource(ctx: ViewContext) {
  const rows = ctx.shop
    .list('product')
    .flatMap((p) => p.variants.map((v) => ({ id: v.id, createdAt: p.createdAt, updatedAt: p.updatedAt })));
  return {
    type: 'ProductVariant',
    records: rows,
    id: (r: { id: number }) => r.id,
    searchable: stamped,
    view: () => ({}),
  };
}
