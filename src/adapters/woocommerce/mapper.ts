import { z } from 'zod';
import type { MapResult, SyncEntityType } from '../types.js';
import {
  address,
  bool,
  gmtDate,
  gmtIso,
  isEmail,
  money,
  quantity,
  rawId,
  refId,
  text,
  zodReason,
} from './mapper-fields.js';
import {
  attributeSchema,
  categorySchema,
  customerSchema,
  EMBEDDED_VARIATIONS,
  inventorySchema,
  orderSchema,
  productSchema,
  variationSchema,
} from './mapper-schemas.js';

export { EMBEDDED_VARIATIONS } from './mapper-schemas.js';

/**
 * WooCommerce raw items → canonical records. Never throws: a record without an
 * id, with a malformed shape or an invalid customer email is reported as
 * `{ ok: false, externalId, reason }`. `sourceUpdatedAt` comes from
 * `date_modified_gmt` (UTC without a zone suffix). Volatile counters
 * (`total_sales`, category `count`) and modification dates stay out of `data`,
 * so its hash changes only when the content does.
 */

type Mapper = (raw: unknown) => MapResult;

function mapper<S extends z.ZodType>(
  schema: S,
  build: (item: z.infer<S>) => { data: Record<string, unknown>; updated?: unknown } | string,
): Mapper {
  return (raw) => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success) return { ok: false, externalId: rawId(raw), reason: zodReason(parsed.error) };
    const built = build(parsed.data);
    if (typeof built === 'string') return { ok: false, externalId: rawId(raw), reason: built };
    return {
      ok: true,
      record: { externalId: rawId(raw), sourceUpdatedAt: gmtDate(built.updated), data: built.data },
    };
  };
}

function stock(item: {
  sku?: string | null;
  manage_stock?: boolean | string | null;
  stock_quantity?: unknown;
  stock_status?: string | null;
}) {
  return {
    sku: text(item.sku),
    manageStock: typeof item.manage_stock === 'boolean' ? item.manage_stock : (item.manage_stock ?? null),
    stockQuantity: quantity(item.stock_quantity),
    stockStatus: text(item.stock_status),
  };
}

function variation(raw: unknown): Record<string, unknown> | string {
  const parsed = variationSchema.safeParse(raw);
  if (!parsed.success) return `variation ${rawId(raw) || '(no id)'}: ${zodReason(parsed.error)}`;
  const v = parsed.data;
  return {
    id: String(v.id),
    status: text(v.status),
    price: money(v.price),
    regularPrice: money(v.regular_price),
    salePrice: money(v.sale_price),
    ...stock(v),
    attributes: (v.attributes ?? []).map((a) => ({ name: text(a.name), option: text(a.option) })),
  };
}

const mappers: Partial<Record<SyncEntityType, Mapper>> = {
  customer: mapper(customerSchema, (c) => {
    const email = c.email.trim();
    if (!isEmail(email)) return 'email is not a valid address';
    return {
      updated: c.date_modified_gmt,
      data: {
        email,
        firstName: text(c.first_name),
        lastName: text(c.last_name),
        username: text(c.username),
        role: text(c.role),
        billing: address(c.billing),
        shipping: address(c.shipping),
        isPayingCustomer: bool(c.is_paying_customer),
        createdAt: gmtIso(c.date_created_gmt),
      },
    };
  }),
  product: mapper(productSchema, (p) => {
    const variations = (p[EMBEDDED_VARIATIONS] ?? []).map(variation);
    const broken = variations.find((v): v is string => typeof v === 'string');
    if (broken) return broken;
    return {
      updated: p.date_modified_gmt,
      data: {
        name: text(p.name),
        slug: text(p.slug),
        type: text(p.type),
        status: text(p.status),
        parentId: refId(p.parent_id),
        price: money(p.price),
        regularPrice: money(p.regular_price),
        salePrice: money(p.sale_price),
        onSale: bool(p.on_sale),
        ...stock(p),
        categoryIds: (p.categories ?? []).map((c) => refId(c.id)).filter((c): c is string => c !== null),
        attributes: (p.attributes ?? []).map((a) => ({
          id: refId(a.id),
          name: text(a.name),
          variation: bool(a.variation),
          options: a.options ?? [],
        })),
        createdAt: gmtIso(p.date_created_gmt),
        variations,
      },
    };
  }),
  order: mapper(orderSchema, (o) => ({
    updated: o.date_modified_gmt,
    data: {
      number: o.number === null || o.number === undefined ? null : String(o.number),
      parentId: refId(o.parent_id),
      status: text(o.status),
      currency: text(o.currency),
      pricesIncludeTax: bool(o.prices_include_tax),
      total: money(o.total),
      totalTax: money(o.total_tax),
      shippingTotal: money(o.shipping_total),
      discountTotal: money(o.discount_total),
      customerId: refId(o.customer_id),
      customerNote: text(o.customer_note),
      billing: address(o.billing),
      shipping: address(o.shipping),
      paymentMethod: text(o.payment_method),
      paymentMethodTitle: text(o.payment_method_title),
      transactionId: text(o.transaction_id),
      createdAt: gmtIso(o.date_created_gmt),
      paidAt: gmtIso(o.date_paid_gmt),
      completedAt: gmtIso(o.date_completed_gmt),
      lineItems: (o.line_items ?? []).map((l) => ({
        id: String(l.id),
        productId: refId(l.product_id),
        variationId: refId(l.variation_id),
        name: text(l.name),
        sku: text(l.sku),
        quantity: quantity(l.quantity),
        price: money(l.price),
        subtotal: money(l.subtotal),
        total: money(l.total),
        totalTax: money(l.total_tax),
      })),
    },
  })),
  category: mapper(categorySchema, (c) => ({
    data: {
      name: text(c.name),
      slug: text(c.slug),
      parentId: refId(c.parent),
      description: text(c.description),
      display: text(c.display),
      menuOrder: c.menu_order ?? null,
      image: text(c.image?.src),
    },
  })),
  attribute: mapper(attributeSchema, (a) => ({
    data: {
      name: text(a.name),
      slug: text(a.slug),
      type: text(a.type),
      orderBy: text(a.order_by),
      hasArchives: bool(a.has_archives),
    },
  })),
  inventory: mapper(inventorySchema, (i) => ({
    updated: i.date_modified_gmt,
    data: { productId: String(i.id), name: text(i.name), ...stock(i) },
  })),
};

/** Maps one raw WooCommerce item of `entity`; never throws. */
export function mapWooItem(entity: SyncEntityType, raw: unknown): MapResult {
  const map = mappers[entity];
  if (!map) return { ok: false, externalId: rawId(raw), reason: `WooCommerce has no "${entity}" records` };
  try {
    return map(raw);
  } catch (err) {
    return {
      ok: false,
      externalId: rawId(raw),
      reason: `mapping failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}
