import { ErrorCodes, SyncWorkerError } from '../../errors.js';
import type { SyncEntityType } from '../types.js';

/** An Odoo domain: prefix-notation operators and `[field, operator, value]` leaves. */
export type OdooDomain = readonly unknown[];

/** Child records read with their parent (`read` of the ids in `field`), embedded under `embedAs`. */
export interface OdooChildren {
  field: string;
  model: string;
  fields: readonly string[];
  embedAs: string;
}

/** How one canonical entity is read from Odoo. */
export interface OdooModelRoute {
  model: string;
  /** The records of this entity among the model's (ANDed with the walk's own terms). */
  domain: OdooDomain;
  /** Fields asked for (those the database lacks are dropped after `fields_get`). */
  fields: readonly string[];
  children?: OdooChildren;
}

/** Where an order's lines and an attribute's values are put in the raw item. */
export const EMBEDDED_LINES = '__lines';
export const EMBEDDED_VALUES = '__values';

const PARTNER_FIELDS = [
  'name',
  'display_name',
  'active',
  'is_company',
  'parent_id',
  'function',
  'email',
  'phone',
  'street',
  'street2',
  'city',
  'zip',
  'state_id',
  'country_id',
  'country_code',
  'vat',
  'ref',
  'website',
  'lang',
  'category_id',
  'customer_rank',
  'supplier_rank',
  'company_id',
  'create_date',
  'write_date',
] as const;

export const ODOO_ROUTES: Readonly<Partial<Record<SyncEntityType, OdooModelRoute>>> = {
  customer: { model: 'res.partner', domain: [['customer_rank', '>', 0]], fields: PARTNER_FIELDS },
  supplier: { model: 'res.partner', domain: [['supplier_rank', '>', 0]], fields: PARTNER_FIELDS },
  product: {
    model: 'product.product',
    domain: [],
    fields: [
      'name',
      'display_name',
      'active',
      'default_code',
      'barcode',
      'type',
      'is_storable',
      'lst_price',
      'standard_price',
      'categ_id',
      'product_tmpl_id',
      'product_template_attribute_value_ids',
      'uom_id',
      'sale_ok',
      'purchase_ok',
      'weight',
      'description_sale',
      'currency_id',
      'company_id',
      'create_date',
      'write_date',
    ],
  },
  order: {
    model: 'sale.order',
    domain: [],
    fields: [
      'name',
      'state',
      'date_order',
      'validity_date',
      'commitment_date',
      'partner_id',
      'partner_invoice_id',
      'partner_shipping_id',
      'user_id',
      'client_order_ref',
      'currency_id',
      'amount_untaxed',
      'amount_tax',
      'amount_total',
      'invoice_status',
      'note',
      'order_line',
      'company_id',
      'create_date',
      'write_date',
    ],
    children: {
      field: 'order_line',
      model: 'sale.order.line',
      fields: [
        'sequence',
        'display_type',
        'product_id',
        'name',
        'product_uom_qty',
        'price_unit',
        'discount',
        'price_subtotal',
        'price_tax',
        'price_total',
      ],
      embedAs: EMBEDDED_LINES,
    },
  },
  invoice: {
    model: 'account.move',
    domain: [['move_type', 'in', ['out_invoice', 'out_refund']]],
    fields: [
      'name',
      'move_type',
      'state',
      'payment_state',
      'partner_id',
      'invoice_date',
      'invoice_date_due',
      'invoice_origin',
      'ref',
      'currency_id',
      'amount_untaxed',
      'amount_tax',
      'amount_total',
      'amount_residual',
      'company_id',
      'create_date',
      'write_date',
    ],
  },
  inventory: {
    model: 'stock.quant',
    // Stock that counts: internal (and transit) locations, not the virtual ones.
    domain: [['location_id.usage', 'in', ['internal', 'transit']]],
    fields: [
      'product_id',
      'location_id',
      'lot_id',
      'quantity',
      'reserved_quantity',
      'in_date',
      'company_id',
      'create_date',
      'write_date',
    ],
  },
  category: {
    model: 'product.category',
    domain: [],
    fields: ['name', 'complete_name', 'parent_id', 'create_date', 'write_date'],
  },
  attribute: {
    model: 'product.attribute',
    domain: [],
    fields: [
      'name',
      'active',
      'sequence',
      'display_type',
      'create_variant',
      'value_ids',
      'create_date',
      'write_date',
    ],
    children: {
      field: 'value_ids',
      model: 'product.attribute.value',
      fields: ['name', 'sequence', 'html_color', 'is_custom', 'default_extra_price'],
      embedAs: EMBEDDED_VALUES,
    },
  },
};

export const ODOO_ENTITIES = Object.keys(ODOO_ROUTES) as SyncEntityType[];

/** The route of `entity`, or ENTITY_NOT_SUPPORTED naming the ones Odoo has. */
export function odooRouteOf(entity: SyncEntityType): OdooModelRoute {
  const route = ODOO_ROUTES[entity];
  if (route) return route;
  throw new SyncWorkerError(
    ErrorCodes.ENTITY_NOT_SUPPORTED,
    `Odoo has no "${entity}" entity; supported: ${ODOO_ENTITIES.join(', ')}`,
    { details: { entity, supported: ODOO_ENTITIES } },
  );
}
