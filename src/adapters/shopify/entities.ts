import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { SyncEntityType } from '../types.js';

/**
 * How each canonical entity is read from the Admin GraphQL API. Selections
 * are written once here and assembled into queries by `queries.ts`; every
 * query built from them is validated against the pinned schema in the tests.
 *
 * Costs (Shopify's rule: object 1, scalar/enum 0, connection 2 + first ×
 * node) decide the page sizes, so selections keep objects few: money as
 * `shopMoney { amount currencyCode }` only, references as `{ id }`.
 */
export interface NestedConnection {
  /** Field on the node (`variants`). */
  field: 'variants' | 'lineItems' | 'inventoryLevels';
  /** Selection of one child node. */
  fields: string;
  /** Children fetched with their parent; more are read by follow-up queries. */
  first: number;
  /** QueryRoot field that reads one parent by id, for the follow-ups (`product(id:)`). */
  single: 'product' | 'order' | 'inventoryItem';
}

export interface ShopifyEntity {
  entity: SyncEntityType;
  /** Connection on QueryRoot. */
  root: 'customers' | 'products' | 'orders' | 'collections' | 'inventoryItems';
  /**
   * Count on QueryRoot (`Count { count precision }`). Inventory items have
   * none: one item per variant, so `productVariantsCount` counts them.
   */
  count: 'customersCount' | 'productsCount' | 'ordersCount' | 'collectionsCount' | 'productVariantsCount';
  /** Selection of one node (without the nested connection). */
  fields: string;
  nested?: NestedConnection;
  /** The connection takes `sortKey: UPDATED_AT` (inventoryItems takes no sortKey: it lists by id). */
  sortByUpdated: boolean;
}

const MONEY = 'shopMoney { amount currencyCode }';
const ADDRESS =
  'firstName lastName company address1 address2 city province provinceCode zip country countryCodeV2 phone';

export const SHOPIFY_ENTITIES: Readonly<Partial<Record<SyncEntityType, ShopifyEntity>>> = {
  customer: {
    entity: 'customer',
    root: 'customers',
    count: 'customersCount',
    // `email` and `phone` on Customer are deprecated: the default email address and phone number replace them.
    fields: `id firstName lastName displayName state locale note tags verifiedEmail numberOfOrders
      amountSpent { amount currencyCode }
      defaultEmailAddress { emailAddress marketingState }
      defaultPhoneNumber { phoneNumber }
      defaultAddress { ${ADDRESS} }
      createdAt updatedAt`,
    sortByUpdated: true,
  },
  product: {
    entity: 'product',
    root: 'products',
    count: 'productsCount',
    fields: 'id title handle status vendor productType tags descriptionHtml createdAt updatedAt',
    nested: {
      field: 'variants',
      fields:
        'id title sku barcode price compareAtPrice position inventoryQuantity taxable selectedOptions { name value }',
      first: 10,
      single: 'product',
    },
    sortByUpdated: true,
  },
  order: {
    entity: 'order',
    root: 'orders',
    count: 'ordersCount',
    fields: `id name email phone currencyCode displayFinancialStatus displayFulfillmentStatus note tags test
      createdAt updatedAt processedAt cancelledAt closedAt
      totalPriceSet { ${MONEY} } subtotalPriceSet { ${MONEY} } totalTaxSet { ${MONEY} }
      totalShippingPriceSet { ${MONEY} } totalDiscountsSet { ${MONEY} }
      customer { id }
      billingAddress { ${ADDRESS} }
      shippingAddress { ${ADDRESS} }`,
    nested: {
      field: 'lineItems',
      fields: `id name sku quantity variant { id } originalUnitPriceSet { ${MONEY} }`,
      first: 5,
      single: 'order',
    },
    sortByUpdated: true,
  },
  category: {
    entity: 'category',
    root: 'collections',
    count: 'collectionsCount',
    fields: 'id title handle descriptionHtml sortOrder templateSuffix updatedAt',
    sortByUpdated: true,
  },
  inventory: {
    entity: 'inventory',
    root: 'inventoryItems',
    count: 'productVariantsCount',
    fields: `id sku tracked requiresShipping createdAt updatedAt
      unitCost { amount currencyCode }
      variants(first: 1) { nodes { id } }`,
    nested: {
      field: 'inventoryLevels',
      fields:
        'id updatedAt location { id name } quantities(names: ["available", "on_hand", "committed"]) { name quantity }',
      first: 5,
      single: 'inventoryItem',
    },
    sortByUpdated: false,
  },
};

export const SHOPIFY_ENTITY_TYPES = Object.keys(SHOPIFY_ENTITIES) as SyncEntityType[];

/** The spec of `entity`, or ENTITY_NOT_SUPPORTED naming the ones Shopify has. */
export function shopifyEntity(entity: SyncEntityType): ShopifyEntity {
  const spec = SHOPIFY_ENTITIES[entity];
  if (spec) return spec;
  throw new SyncWorkerError(
    ErrorCodes.ENTITY_NOT_SUPPORTED,
    `Shopify has no "${entity}" entity; supported: ${SHOPIFY_ENTITY_TYPES.join(', ')}`,
    { details: { entity, supported: SHOPIFY_ENTITY_TYPES } },
  );
}
