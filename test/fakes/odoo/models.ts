/**
 * The fake Odoo's models: field names, types and relations as Odoo 17/18
 * define them (only the fields a sync reads, plus the ones a domain or an
 * order may name). `store: false` marks computed fields that cannot be
 * searched or sorted on, as in Odoo.
 */

export type FieldType =
  | 'char'
  | 'text'
  | 'html'
  | 'selection'
  | 'integer'
  | 'float'
  | 'monetary'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'many2one'
  | 'one2many'
  | 'many2many';

export interface FieldSpec {
  type: FieldType;
  string: string;
  relation?: string;
  /** @defaultValue true */
  store?: boolean;
  required?: boolean;
}

export interface ModelSpec {
  name: string;
  description: string;
  fields: Record<string, FieldSpec>;
  /** The default order of `search` when none is given. */
  order: string;
  /** Builds the display name of a record (many2one values, `display_name`). */
  recName: string;
}

const f = (type: FieldType, string: string, extra: Partial<FieldSpec> = {}): FieldSpec => ({
  type,
  string,
  ...extra,
});
const m2o = (relation: string, string: string): FieldSpec => f('many2one', string, { relation });
const x2m = (type: 'one2many' | 'many2many', relation: string, string: string): FieldSpec =>
  f(type, string, { relation });

/** Every model has these (`_log_access`). */
const magic: Record<string, FieldSpec> = {
  id: f('integer', 'ID'),
  display_name: f('char', 'Display Name', { store: false }),
  create_date: f('datetime', 'Created on'),
  write_date: f('datetime', 'Last Updated on'),
  create_uid: m2o('res.users', 'Created by'),
  write_uid: m2o('res.users', 'Last Updated by'),
};

function model(
  name: string,
  description: string,
  fields: Record<string, FieldSpec>,
  options: { order?: string; recName?: string } = {},
): ModelSpec {
  return {
    name,
    description,
    fields: { ...magic, ...fields },
    order: options.order ?? 'id',
    recName: options.recName ?? 'name',
  };
}

export const MODELS: Record<string, ModelSpec> = Object.fromEntries(
  [
    model(
      'res.partner',
      'Contact',
      {
        name: f('char', 'Name'),
        complete_name: f('char', 'Complete Name'),
        active: f('boolean', 'Active'),
        is_company: f('boolean', 'Is a Company'),
        parent_id: m2o('res.partner', 'Related Company'),
        commercial_company_name: f('char', 'Company Name Entity', { store: false }),
        function: f('char', 'Job Position'),
        email: f('char', 'Email'),
        phone: f('char', 'Phone'),
        street: f('char', 'Street'),
        street2: f('char', 'Street2'),
        city: f('char', 'City'),
        zip: f('char', 'Zip'),
        state_id: m2o('res.country.state', 'State'),
        country_id: m2o('res.country', 'Country'),
        country_code: f('char', 'Country Code', { store: false }),
        vat: f('char', 'Tax ID'),
        ref: f('char', 'Reference'),
        website: f('char', 'Website Link'),
        lang: f('selection', 'Language'),
        comment: f('html', 'Notes'),
        category_id: x2m('many2many', 'res.partner.category', 'Tags'),
        customer_rank: f('integer', 'Customer Rank'),
        supplier_rank: f('integer', 'Supplier Rank'),
        company_id: m2o('res.company', 'Company'),
      },
      { order: 'complete_name ASC, id DESC', recName: 'complete_name' },
    ),
    model(
      'product.product',
      'Product Variant',
      {
        name: f('char', 'Name'),
        active: f('boolean', 'Active'),
        default_code: f('char', 'Internal Reference'),
        barcode: f('char', 'Barcode'),
        type: f('selection', 'Product Type'),
        is_storable: f('boolean', 'Track Inventory'),
        list_price: f('float', 'Sales Price'),
        lst_price: f('float', 'Sales Price', { store: false }),
        standard_price: f('float', 'Cost'),
        categ_id: m2o('product.category', 'Product Category'),
        product_tmpl_id: m2o('product.template', 'Product Template'),
        product_template_attribute_value_ids: x2m(
          'many2many',
          'product.template.attribute.value',
          'Attribute Values',
        ),
        uom_id: m2o('uom.uom', 'Unit'),
        sale_ok: f('boolean', 'Can be Sold'),
        purchase_ok: f('boolean', 'Can be Purchased'),
        weight: f('float', 'Weight'),
        description_sale: f('text', 'Sales Description'),
        qty_available: f('float', 'Quantity On Hand', { store: false }),
        currency_id: m2o('res.currency', 'Currency'),
        company_id: m2o('res.company', 'Company'),
      },
      { order: 'default_code, name, id' },
    ),
    model(
      'product.template',
      'Product',
      { name: f('char', 'Name'), active: f('boolean', 'Active'), list_price: f('float', 'Sales Price') },
      { order: 'name' },
    ),
    model(
      'product.category',
      'Product Category',
      {
        name: f('char', 'Name'),
        complete_name: f('char', 'Complete Name'),
        parent_id: m2o('product.category', 'Parent Category'),
        parent_path: f('char', 'Parent Path'),
        child_id: x2m('one2many', 'product.category', 'Child Categories'),
      },
      { order: 'complete_name', recName: 'complete_name' },
    ),
    model(
      'product.attribute',
      'Product Attribute',
      {
        name: f('char', 'Attribute'),
        active: f('boolean', 'Active'),
        sequence: f('integer', 'Sequence'),
        display_type: f('selection', 'Display Type'),
        create_variant: f('selection', 'Variant Creation'),
        value_ids: x2m('one2many', 'product.attribute.value', 'Values'),
      },
      { order: 'sequence, id' },
    ),
    model(
      'product.attribute.value',
      'Attribute Value',
      {
        name: f('char', 'Value'),
        active: f('boolean', 'Active'),
        sequence: f('integer', 'Sequence'),
        attribute_id: m2o('product.attribute', 'Attribute'),
        html_color: f('char', 'Color'),
        is_custom: f('boolean', 'Free text'),
        default_extra_price: f('float', 'Default Extra Price'),
      },
      { order: 'attribute_id, sequence, id' },
    ),
    model('product.template.attribute.value', 'Product Template Attribute Value', {
      name: f('char', 'Value'),
      product_attribute_value_id: m2o('product.attribute.value', 'Value'),
    }),
    model(
      'sale.order',
      'Sales Order',
      {
        name: f('char', 'Order Reference'),
        state: f('selection', 'Status'),
        date_order: f('datetime', 'Order Date'),
        validity_date: f('date', 'Expiration'),
        commitment_date: f('datetime', 'Delivery Date'),
        partner_id: m2o('res.partner', 'Customer'),
        partner_invoice_id: m2o('res.partner', 'Invoice Address'),
        partner_shipping_id: m2o('res.partner', 'Delivery Address'),
        user_id: m2o('res.users', 'Salesperson'),
        client_order_ref: f('char', 'Customer Reference'),
        currency_id: m2o('res.currency', 'Currency'),
        amount_untaxed: f('monetary', 'Untaxed Amount'),
        amount_tax: f('monetary', 'Taxes'),
        amount_total: f('monetary', 'Total'),
        invoice_status: f('selection', 'Invoice Status'),
        note: f('html', 'Terms and conditions'),
        order_line: x2m('one2many', 'sale.order.line', 'Order Lines'),
        company_id: m2o('res.company', 'Company'),
      },
      { order: 'date_order desc, id desc' },
    ),
    model(
      'sale.order.line',
      'Sales Order Line',
      {
        name: f('text', 'Description'),
        order_id: m2o('sale.order', 'Order Reference'),
        sequence: f('integer', 'Sequence'),
        display_type: f('selection', 'Display Type'),
        product_id: m2o('product.product', 'Product'),
        product_uom_qty: f('float', 'Quantity'),
        price_unit: f('float', 'Unit Price'),
        discount: f('float', 'Discount (%)'),
        price_subtotal: f('monetary', 'Subtotal'),
        price_tax: f('float', 'Total Tax'),
        price_total: f('monetary', 'Total'),
        tax_id: x2m('many2many', 'account.tax', 'Taxes'),
      },
      { order: 'order_id, sequence, id' },
    ),
    model(
      'account.move',
      'Journal Entry',
      {
        name: f('char', 'Number'),
        move_type: f('selection', 'Type'),
        date: f('date', 'Date'),
        state: f('selection', 'Status'),
        payment_state: f('selection', 'Payment Status'),
        partner_id: m2o('res.partner', 'Partner'),
        invoice_date: f('date', 'Invoice/Bill Date'),
        invoice_date_due: f('date', 'Due Date'),
        invoice_origin: f('char', 'Origin'),
        ref: f('char', 'Reference'),
        currency_id: m2o('res.currency', 'Currency'),
        amount_untaxed: f('monetary', 'Untaxed Amount'),
        amount_tax: f('monetary', 'Tax'),
        amount_total: f('monetary', 'Total'),
        amount_residual: f('monetary', 'Amount Due'),
        company_id: m2o('res.company', 'Company'),
      },
      { order: 'date desc, name desc, id desc' },
    ),
    model(
      'stock.quant',
      'Quants',
      {
        product_id: m2o('product.product', 'Product'),
        location_id: m2o('stock.location', 'Location'),
        lot_id: m2o('stock.lot', 'Lot/Serial Number'),
        quantity: f('float', 'Quantity'),
        reserved_quantity: f('float', 'Reserved Quantity'),
        in_date: f('datetime', 'Incoming Date'),
        company_id: m2o('res.company', 'Company'),
      },
      { recName: 'product_id' },
    ),
    model(
      'stock.location',
      'Inventory Locations',
      {
        name: f('char', 'Location Name'),
        complete_name: f('char', 'Full Location Name'),
        usage: f('selection', 'Location Type'),
        active: f('boolean', 'Active'),
      },
      { order: 'complete_name, id', recName: 'complete_name' },
    ),
    model('stock.lot', 'Lot/Serial', { name: f('char', 'Lot/Serial Number') }),
    model('res.country', 'Country', { name: f('char', 'Country Name'), code: f('char', 'Country Code') }),
    model(
      'res.country.state',
      'Country state',
      {
        name: f('char', 'State Name'),
        code: f('char', 'State Code'),
        country_id: m2o('res.country', 'Country'),
      },
      { recName: 'display' },
    ),
    model('res.currency', 'Currency', { name: f('char', 'Currency'), active: f('boolean', 'Active') }),
    model('res.company', 'Companies', { name: f('char', 'Company Name') }),
    model('res.users', 'User', { name: f('char', 'Name'), login: f('char', 'Login') }),
    model('res.partner.category', 'Partner Tags', { name: f('char', 'Tag Name') }),
    model('uom.uom', 'Product Unit of Measure', { name: f('char', 'Unit') }),
    model('account.tax', 'Tax', { name: f('char', 'Tax Name'), amount: f('float', 'Amount') }),
  ].map((spec) => [spec.name, spec]),
);

/** A model's spec, or undefined when the database has no such model. */
export function modelSpec(name: string): ModelSpec | undefined {
  return Object.hasOwn(MODELS, name) ? MODELS[name] : undefined;
}

/** Models that have an `active` field (archived records hidden unless `active_test` is false). */
export function hasActive(spec: ModelSpec): boolean {
  return spec.fields.active?.type === 'boolean';
}
