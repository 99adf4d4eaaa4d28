import { GraphQLError } from 'graphql';
import type { FakeBulkOperations } from './bulk.js';
import { resolveConnection, resolveCount, type ConnectionArgs, type ConnectionSource } from './connection.js';
import type { FakeShop } from './shop.js';
import {
  collectionSource,
  customerSource,
  inventorySource,
  orderSource,
  productSource,
  variantSource,
} from './sources.js';
import { customerView, inventoryItemView, orderView, productView, type ViewContext } from './views.js';

/**
 * The root value `execute` runs queries and mutations on: the QueryRoot
 * fields the adapter uses (connections, counts, single reads, `node(id:)`,
 * bulk operations) and the two bulk mutations.
 */
export function rootValue(shop: FakeShop, bulkOps: () => FakeBulkOperations, bulk: boolean) {
  const ctx: ViewContext = { shop, bulk };
  // Sources are built when a field is asked for: a request reads only the tables it names.
  const count =
    <R>(source: () => ConnectionSource<R>) =>
    (args: { query?: string | null; limit?: number | null }) =>
      resolveCount(source(), args);
  const connection =
    <R>(source: () => ConnectionSource<R>) =>
    (args: ConnectionArgs) =>
      resolveConnection(source(), args, bulk);
  const byId = (value: string, type: string) => {
    const match = new RegExp(`^gid://shopify/${type}/(\\d+)`).exec(value);
    if (!match)
      throw new GraphQLError(`Invalid global id '${value}'`, {
        extensions: { code: 'argumentLiteralsIncompatible' },
      });
    return Number(match[1]);
  };
  const node = ({ id }: { id: string }) => {
    const type = /^gid:\/\/shopify\/(\w+)\//.exec(id)?.[1];
    switch (type) {
      case 'Customer': {
        const c = shop.get('customer', byId(id, type));
        return c ? customerView(c) : null;
      }
      case 'Product': {
        const p = shop.get('product', byId(id, type));
        return p ? productView(p, ctx) : null;
      }
      case 'Order': {
        const o = shop.get('order', byId(id, type));
        return o ? orderView(o, ctx) : null;
      }
      case 'InventoryItem': {
        const i = shop.get('inventory', byId(id, type));
        return i ? inventoryItemView(i, ctx) : null;
      }
      case 'BulkOperation':
        return bulkOps().get(byId(id, type));
      default:
        return null;
    }
  };
  return {
    customers: connection(() => customerSource(ctx)),
    products: connection(() => productSource(ctx)),
    orders: connection(() => orderSource(shop.list('order'), ctx)),
    collections: connection(() => collectionSource(ctx)),
    inventoryItems: connection(() => inventorySource(ctx)),
    customersCount: count(() => customerSource(ctx)),
    productsCount: count(() => productSource(ctx)),
    ordersCount: count(() => orderSource(shop.list('order'), ctx)),
    collectionsCount: count(() => collectionSource(ctx)),
    productVariantsCount: count(() => variantSource(ctx)),
    customer: node,
    product: node,
    order: node,
    inventoryItem: node,
    node,
    nodes: ({ ids }: { ids: string[] }) => ids.map((id) => node({ id })),
    bulkOperation: node,
    currentBulkOperation: () => bulkOps().current(),
    bulkOperationRunQuery: ({ query, groupObjects }: { query: string; groupObjects: boolean }) =>
      bulkOps().run(query, groupObjects),
    bulkOperationCancel: ({ id }: { id: string }) => bulkOps().cancel(id),
  };
}
