import { resolveConnection, type ConnectionArgs } from './connection.js';
import type { ShopCustomer, ShopInventoryItem, ShopOrder, ShopProduct, ShopVariant } from './data.js';
import type { FakeShop } from './shop.js';

/**
 * Records → GraphQL objects of the Admin schema (what `execute` resolves).
 * Scalars are strings as Shopify serialises them (DateTime ISO without
 * milliseconds, UnsignedInt64 and Decimal as strings); connections are
 * functions of their arguments. Fields the fake does not model resolve to
 * null (a non-null one then fails the query, as it should for the adapter).
 */
export interface ViewContext {
  shop: FakeShop;
  /** Inside a bulk operation: connections need no `first`. */
  bulk: boolean;
}

export function gid(type: string, id: number): string {
  return `gid://shopify/${type}/${id}`;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

const money = (amount: string | null) => (amount === null ? null : { amount, currencyCode: 'EUR' });
const bag = (amount: string) => ({ shopMoney: money(amount), presentmentMoney: money(amount) });

function address(first: string | null, last: string | null, city: string) {
  return {
    firstName: first,
    lastName: last,
    company: null,
    address1: '1 rue du Port',
    address2: null,
    city,
    province: null,
    provinceCode: null,
    zip: '69001',
    country: 'France',
    countryCodeV2: 'FR',
    phone: null,
  };
}

export function customerView(c: ShopCustomer) {
  return {
    __typename: 'Customer',
    id: gid('Customer', c.id),
    firstName: c.firstName,
    lastName: c.lastName,
    displayName: [c.firstName, c.lastName].filter(Boolean).join(' ') || c.email || '',
    email: c.email, // deprecated, still answered
    phone: c.phone, // deprecated, still answered
    defaultEmailAddress: c.email
      ? { emailAddress: c.email, marketingState: 'NOT_SUBSCRIBED', validFormat: true }
      : null,
    defaultPhoneNumber: c.phone ? { phoneNumber: c.phone } : null,
    state: c.state,
    locale: c.locale,
    note: c.note,
    tags: c.tags,
    verifiedEmail: c.verifiedEmail,
    numberOfOrders: String(c.numberOfOrders),
    amountSpent: money(c.amountSpent),
    defaultAddress: address(c.firstName, c.lastName, c.city),
    createdAt: iso(c.createdAt),
    updatedAt: iso(c.updatedAt),
  };
}

function variantView(v: ShopVariant, product: ShopProduct, ctx: ViewContext): Record<string, unknown> {
  return {
    __typename: 'ProductVariant',
    id: gid('ProductVariant', v.id),
    title: v.title,
    sku: v.sku,
    barcode: v.barcode,
    price: v.price,
    compareAtPrice: v.compareAtPrice,
    position: v.position,
    inventoryQuantity: v.inventoryQuantity,
    taxable: v.taxable,
    availableForSale: product.status === 'ACTIVE',
    selectedOptions: v.options,
    createdAt: iso(product.createdAt),
    updatedAt: iso(product.updatedAt),
    product: () => productView(product, ctx),
  };
}

export function productView(p: ShopProduct, ctx: ViewContext): Record<string, unknown> {
  return {
    __typename: 'Product',
    id: gid('Product', p.id),
    title: p.title,
    handle: p.handle,
    status: p.status,
    vendor: p.vendor,
    productType: p.productType,
    tags: p.tags,
    descriptionHtml: p.descriptionHtml,
    createdAt: iso(p.createdAt),
    updatedAt: iso(p.updatedAt),
    variantsCount: { count: p.variants.length, precision: 'EXACT' },
    variants: (args: ConnectionArgs) =>
      resolveConnection(
        { type: 'ProductVariant', records: p.variants, id: (v) => v.id, view: (v) => variantView(v, p, ctx) },
        args,
        ctx.bulk,
      ),
  };
}

export function orderView(o: ShopOrder, ctx: ViewContext): Record<string, unknown> {
  return {
    __typename: 'Order',
    id: gid('Order', o.id),
    name: `#${o.number}`,
    email: o.email,
    phone: null,
    currencyCode: 'EUR',
    displayFinancialStatus: o.financialStatus,
    displayFulfillmentStatus: o.fulfillmentStatus,
    note: null,
    tags: [],
    test: false,
    createdAt: iso(o.createdAt),
    updatedAt: iso(o.updatedAt),
    processedAt: iso(o.createdAt),
    cancelledAt: null,
    closedAt: null,
    totalPriceSet: bag(o.total),
    subtotalPriceSet: bag(o.total),
    totalTaxSet: bag('0.00'),
    totalShippingPriceSet: bag('0.00'),
    totalDiscountsSet: bag('0.00'),
    customer: o.customerId === null ? null : { __typename: 'Customer', id: gid('Customer', o.customerId) },
    billingAddress: address(null, null, 'Lyon'),
    shippingAddress: address(null, null, 'Lyon'),
    lineItems: (args: ConnectionArgs) =>
      resolveConnection(
        {
          type: 'LineItem',
          records: o.lineItems,
          id: (l) => l.id,
          view: (l) => ({
            __typename: 'LineItem',
            id: gid('LineItem', l.id),
            name: l.name,
            title: l.name,
            sku: l.sku,
            quantity: l.quantity,
            variant:
              l.variantId === null
                ? null
                : { __typename: 'ProductVariant', id: gid('ProductVariant', l.variantId) },
            originalUnitPriceSet: bag(l.price),
          }),
        },
        args,
        ctx.bulk,
      ),
  };
}

export function inventoryItemView(item: ShopInventoryItem, ctx: ViewContext): Record<string, unknown> {
  const locations = new Map(ctx.shop.locations.map((l) => [l.id, l]));
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', item.id),
    sku: item.sku,
    tracked: item.tracked,
    requiresShipping: true,
    createdAt: iso(item.createdAt),
    updatedAt: iso(item.updatedAt),
    unitCost: money(item.unitCost),
    variants: (args: ConnectionArgs) =>
      resolveConnection(
        {
          type: 'ProductVariant',
          records: [item.variantId],
          id: (v) => v,
          view: (v) => ({ __typename: 'ProductVariant', id: gid('ProductVariant', v) }),
        },
        args,
        ctx.bulk,
      ),
    inventoryLevels: (args: ConnectionArgs) =>
      resolveConnection(
        {
          type: 'InventoryLevel',
          records: item.levels,
          id: (l) => l.locationId,
          view: (l) => ({
            __typename: 'InventoryLevel',
            id: `gid://shopify/InventoryLevel/${l.locationId}?inventory_item_id=${item.id}`,
            updatedAt: iso(l.updatedAt),
            location: {
              __typename: 'Location',
              id: gid('Location', l.locationId),
              name: locations.get(l.locationId)?.name ?? null,
            },
            quantities: ({ names }: { names: string[] }) =>
              names.map((name) => ({
                __typename: 'InventoryQuantity',
                id: `gid://shopify/InventoryQuantity/${l.locationId}?inventory_item_id=${item.id}&name=${name}`,
                name,
                quantity:
                  name === 'available'
                    ? l.available
                    : name === 'on_hand'
                      ? l.onHand
                      : name === 'committed'
                        ? l.committed
                        : 0,
                updatedAt: iso(l.updatedAt),
              })),
          }),
        },
        args,
        ctx.bulk,
      ),
  };
}
