import type { MapResult, SyncEntityType } from '../types.js';
import { EMBEDDED_LINES, EMBEDDED_VALUES } from './entities.js';
import {
  bool,
  day,
  idList,
  money,
  num,
  rawOdooId,
  ref,
  str,
  utcDate,
  utcIso,
  type OdooRaw,
} from './mapper-fields.js';

/**
 * Odoo records → canonical records (the README's mapping table). Field names
 * follow the WooCommerce mapper where they mean the same (`email`, `sku`,
 * `price`, `total`, `lineItems`, `categoryIds`, `createdAt`…); many2one
 * values are kept as `xId` + `xName`. `sourceUpdatedAt` is `write_date`.
 * Non-stored, volatile values (`qty_available`) stay out, so the hash
 * changes only when the record does. Never throws.
 */

type Build = (r: OdooRaw) => Record<string, unknown>;

const partner: Build = (p) => ({
  name: str(p.name),
  displayName: str(p.display_name),
  email: str(p.email)?.trim() ?? null,
  phone: str(p.phone),
  isCompany: bool(p.is_company),
  ...ref('parent', p.parent_id),
  jobTitle: str(p.function),
  address: {
    address1: str(p.street),
    address2: str(p.street2),
    city: str(p.city),
    postcode: str(p.zip),
    ...ref('state', p.state_id),
    country: str(p.country_code),
    ...ref('country', p.country_id),
  },
  vat: str(p.vat),
  ref: str(p.ref),
  website: str(p.website),
  lang: str(p.lang),
  categoryIds: idList(p.category_id),
  customerRank: num(p.customer_rank),
  supplierRank: num(p.supplier_rank),
  active: bool(p.active),
  ...ref('company', p.company_id),
  createdAt: utcIso(p.create_date),
});

const line = (l: OdooRaw) => ({
  id: rawOdooId(l),
  sequence: num(l.sequence),
  displayType: str(l.display_type),
  ...ref('product', l.product_id),
  name: str(l.name),
  quantity: num(l.product_uom_qty),
  price: money(l.price_unit),
  discountPercent: num(l.discount),
  total: money(l.price_subtotal),
  totalTax: money(l.price_tax),
  totalWithTax: money(l.price_total),
});

const value = (v: OdooRaw) => ({
  id: rawOdooId(v),
  name: str(v.name),
  sequence: num(v.sequence),
  htmlColor: str(v.html_color),
  isCustom: bool(v.is_custom),
  extraPrice: money(v.default_extra_price),
});

const BUILDERS: Partial<Record<SyncEntityType, Build>> = {
  customer: partner,
  supplier: partner,
  product: (p) => ({
    name: str(p.name),
    displayName: str(p.display_name),
    sku: str(p.default_code),
    barcode: str(p.barcode),
    type: str(p.type),
    isStorable: bool(p.is_storable),
    price: money(p.lst_price),
    cost: money(p.standard_price),
    ...currency(p.currency_id),
    categoryIds: refIds(p.categ_id),
    ...ref('category', p.categ_id),
    ...ref('template', p.product_tmpl_id),
    attributeValueIds: idList(p.product_template_attribute_value_ids),
    ...ref('uom', p.uom_id),
    saleOk: bool(p.sale_ok),
    purchaseOk: bool(p.purchase_ok),
    weight: num(p.weight),
    description: str(p.description_sale),
    active: bool(p.active),
    ...ref('company', p.company_id),
    createdAt: utcIso(p.create_date),
  }),
  order: (o) => ({
    number: str(o.name),
    status: str(o.state),
    ...ref('customer', o.partner_id),
    ...ref('invoiceAddress', o.partner_invoice_id),
    ...ref('shippingAddress', o.partner_shipping_id),
    ...ref('salesperson', o.user_id),
    customerReference: str(o.client_order_ref),
    ...currency(o.currency_id),
    subtotal: money(o.amount_untaxed),
    totalTax: money(o.amount_tax),
    total: money(o.amount_total),
    invoiceStatus: str(o.invoice_status),
    note: str(o.note),
    orderedAt: utcIso(o.date_order),
    validUntil: day(o.validity_date),
    deliveryAt: utcIso(o.commitment_date),
    ...ref('company', o.company_id),
    createdAt: utcIso(o.create_date),
    lineItems: embedded(o, EMBEDDED_LINES).map(line),
  }),
  invoice: (m) => ({
    number: str(m.name) === '/' ? null : str(m.name),
    moveType: str(m.move_type),
    status: str(m.state),
    paymentStatus: str(m.payment_state),
    ...ref('customer', m.partner_id),
    invoiceDate: day(m.invoice_date),
    dueDate: day(m.invoice_date_due),
    origin: str(m.invoice_origin),
    reference: str(m.ref),
    ...currency(m.currency_id),
    subtotal: money(m.amount_untaxed),
    totalTax: money(m.amount_tax),
    total: money(m.amount_total),
    amountDue: money(m.amount_residual),
    ...ref('company', m.company_id),
    createdAt: utcIso(m.create_date),
  }),
  inventory: (q) => ({
    ...ref('product', q.product_id),
    ...ref('location', q.location_id),
    ...ref('lot', q.lot_id),
    stockQuantity: num(q.quantity),
    reservedQuantity: num(q.reserved_quantity),
    incomingAt: utcIso(q.in_date),
    ...ref('company', q.company_id),
  }),
  category: (c) => ({
    name: str(c.name),
    fullName: str(c.complete_name),
    ...ref('parent', c.parent_id),
    createdAt: utcIso(c.create_date),
  }),
  attribute: (a) => ({
    name: str(a.name),
    type: str(a.display_type),
    createVariant: str(a.create_variant),
    sequence: num(a.sequence),
    active: bool(a.active),
    createdAt: utcIso(a.create_date),
    values: embedded(a, EMBEDDED_VALUES).map(value),
  }),
};

/** Maps one raw Odoo record of `entity`; never throws. */
export function mapOdooRecord(entity: SyncEntityType, raw: unknown): MapResult {
  const externalId = rawOdooId(raw);
  const build = BUILDERS[entity];
  if (!build) return { ok: false, externalId, reason: `Odoo has no "${entity}" records` };
  if (!externalId) return { ok: false, externalId, reason: 'the record has no integer id' };
  const record = raw as OdooRaw;
  try {
    return {
      ok: true,
      record: { externalId, sourceUpdatedAt: utcDate(record.write_date), data: build(record) },
    };
  } catch (err) {
    return {
      ok: false,
      externalId,
      reason: `mapping failed: ${err instanceof Error ? err.message : String(err)}`,
    };
  }
}

/** Child records embedded by the adapter (order lines, attribute values), in their sequence order. */
function embedded(raw: OdooRaw, key: string): OdooRaw[] {
  const list = raw[key];
  if (!Array.isArray(list)) return [];
  return (list as OdooRaw[]).filter((r) => r && typeof r === 'object');
}

/** `currency_id` `[1, "EUR"]` → `{ currencyId: "1", currency: "EUR" }` (WooCommerce's `currency` is the code too). */
function currency(value: unknown): { currencyId: string | null; currency: string | null } {
  const { currencyId, currencyName } = ref('currency', value);
  return { currencyId: currencyId ?? null, currency: currencyName ?? null };
}

function refIds(value: unknown): string[] {
  return Array.isArray(value) && typeof value[0] === 'number' ? [String(value[0])] : [];
}
