import type { z } from 'zod';
import type { MapResult, SyncEntityType } from '../types.js';
import {
  address,
  count,
  date,
  iso,
  lowerEnum,
  money,
  rawGid,
  ref,
  shopAmount,
  text,
  zodReason,
} from './mapper-fields.js';
import {
  collectionSchema,
  customerSchema,
  inventorySchema,
  levelSchema,
  orderSchema,
  productSchema,
} from './mapper-schemas.js';

/**
 * Shopify nodes → canonical records, with the WooCommerce mappers' names
 * where a field means the same (`email`, `firstName`, `variations`,
 * `lineItems`, `total`…). Never throws. `sourceUpdatedAt` is `updatedAt`.
 * Shopify's traps: the customer's email and phone come from
 * `defaultEmailAddress` / `defaultPhoneNumber` (Customer.email/phone are
 * deprecated); `numberOfOrders` is an UnsignedInt64 string; money a Decimal
 * string.
 */

type Built = { updated: unknown; data: Record<string, unknown> };

function mapper<S extends z.ZodType>(schema: S, build: (item: z.infer<S>) => Built) {
  return (raw: unknown): MapResult => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { ok: false, externalId: rawGid(raw), reason: zodReason(parsed.error) };
    const built = build(parsed.data);
    return {
      ok: true,
      record: { externalId: rawGid(raw), sourceUpdatedAt: date(built.updated), data: built.data },
    };
  };
}

function quantityOf(level: z.infer<typeof levelSchema>, name: string): number | null {
  return level.quantities?.find((q) => q.name === name)?.quantity ?? null;
}

/** The newest of the item's and its levels' modification times (a stock move touches the level). */
function newest(...stamps: (string | null | undefined)[]): string | null {
  return stamps.map(iso).reduce<string | null>((a, b) => (b !== null && (a === null || b > a) ? b : a), null);
}

const mappers: Partial<Record<SyncEntityType, (raw: unknown) => MapResult>> = {
  customer: mapper(customerSchema, (c) => ({
    updated: c.updatedAt,
    data: {
      email: text(c.defaultEmailAddress?.emailAddress),
      firstName: text(c.firstName),
      lastName: text(c.lastName),
      displayName: text(c.displayName),
      phone: text(c.defaultPhoneNumber?.phoneNumber),
      state: lowerEnum(c.state),
      locale: text(c.locale),
      note: text(c.note),
      tags: c.tags ?? [],
      verifiedEmail: c.verifiedEmail ?? null,
      emailMarketingState: lowerEnum(c.defaultEmailAddress?.marketingState),
      ordersCount: count(c.numberOfOrders),
      amountSpent: money(c.amountSpent?.amount),
      currency: text(c.amountSpent?.currencyCode),
      defaultAddress: address(c.defaultAddress),
      createdAt: iso(c.createdAt),
    },
  })),
  product: mapper(productSchema, (p) => ({
    updated: p.updatedAt,
    data: {
      name: text(p.title),
      slug: text(p.handle),
      status: lowerEnum(p.status),
      vendor: text(p.vendor),
      productType: text(p.productType),
      tags: p.tags ?? [],
      description: text(p.descriptionHtml),
      createdAt: iso(p.createdAt),
      variations: (p.variants?.nodes ?? []).map((v) => ({
        id: v.id,
        title: text(v.title),
        sku: text(v.sku),
        barcode: text(v.barcode),
        price: money(v.price),
        compareAtPrice: money(v.compareAtPrice),
        position: v.position ?? null,
        stockQuantity: v.inventoryQuantity ?? null,
        taxable: v.taxable ?? null,
        attributes: (v.selectedOptions ?? []).map((o) => ({ name: o.name, option: o.value })),
      })),
    },
  })),
  order: mapper(orderSchema, (o) => ({
    updated: o.updatedAt,
    data: {
      number: text(o.name),
      financialStatus: lowerEnum(o.displayFinancialStatus),
      fulfillmentStatus: lowerEnum(o.displayFulfillmentStatus),
      currency: text(o.currencyCode),
      total: shopAmount(o.totalPriceSet),
      subtotal: shopAmount(o.subtotalPriceSet),
      totalTax: shopAmount(o.totalTaxSet),
      shippingTotal: shopAmount(o.totalShippingPriceSet),
      discountTotal: shopAmount(o.totalDiscountsSet),
      customerId: ref(o.customer),
      customerNote: text(o.note),
      email: text(o.email),
      phone: text(o.phone),
      tags: o.tags ?? [],
      test: o.test ?? null,
      billing: address(o.billingAddress),
      shipping: address(o.shippingAddress),
      createdAt: iso(o.createdAt),
      processedAt: iso(o.processedAt),
      cancelledAt: iso(o.cancelledAt),
      closedAt: iso(o.closedAt),
      lineItems: (o.lineItems?.nodes ?? []).map((l) => ({
        id: l.id,
        variationId: ref(l.variant),
        name: text(l.name),
        sku: text(l.sku),
        quantity: l.quantity ?? null,
        price: shopAmount(l.originalUnitPriceSet),
      })),
    },
  })),
  category: mapper(collectionSchema, (c) => ({
    updated: c.updatedAt,
    data: {
      name: text(c.title),
      slug: text(c.handle),
      description: text(c.descriptionHtml),
      sortOrder: lowerEnum(c.sortOrder),
      templateSuffix: text(c.templateSuffix),
    },
  })),
  inventory: mapper(inventorySchema, (i) => {
    const levels = i.inventoryLevels?.nodes ?? [];
    const available = levels.map((l) => quantityOf(l, 'available'));
    return {
      updated: newest(i.updatedAt, ...levels.map((l) => l.updatedAt)),
      data: {
        sku: text(i.sku),
        variationId: i.variants?.nodes[0]?.id ?? null,
        manageStock: i.tracked ?? null,
        requiresShipping: i.requiresShipping ?? null,
        unitCost: money(i.unitCost?.amount),
        stockQuantity: available.every((q) => q === null)
          ? null
          : available.reduce<number>((s, q) => s + (q ?? 0), 0),
        levels: levels.map((l) => ({
          id: l.id,
          locationId: l.location?.id ?? null,
          locationName: text(l.location?.name),
          available: quantityOf(l, 'available'),
          onHand: quantityOf(l, 'on_hand'),
          committed: quantityOf(l, 'committed'),
        })),
        createdAt: iso(i.createdAt),
      },
    };
  }),
};

/** Maps one raw Shopify node of `entity`; never throws. */
export function mapShopifyNode(entity: SyncEntityType, raw: unknown): MapResult {
  const map = mappers[entity];
  if (!map) return { ok: false, externalId: rawGid(raw), reason: `Shopify has no "${entity}" records` };
  try {
    return map(raw);
  } catch (err) {
    return {
      ok: false,
      externalId: rawGid(raw),
      reason: `mapping failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
