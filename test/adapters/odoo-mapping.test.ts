import { describe, expect, test } from 'vitest';
import { mapOdooRecord } from '../../src/adapters/odoo/mapper.js';
import type { SyncEntityType } from '../../src/adapters/types.js';
import { collect, pageRequest } from './woo-helpers.js';
import { odooAdapter, useFakeOdoo } from './odoo-helpers.js';

/** Records as Odoo puts them on the wire: `false` for empty, `[id, name]` many2one, naive UTC datetimes. */
const partner = {
  id: 14,
  name: 'Brandon Freeman',
  display_name: 'Azure Interior, Brandon Freeman',
  active: true,
  is_company: false,
  parent_id: [9, 'Azure Interior'],
  function: 'Creative Director',
  email: ' brandon.freeman55@example.com ',
  phone: false,
  street: '4557 De Silva St',
  street2: false,
  city: 'Fremont',
  zip: '94538',
  state_id: [13, 'California (US)'],
  country_id: [233, 'United States'],
  country_code: 'US',
  vat: false,
  ref: false,
  website: false,
  lang: 'en_US',
  category_id: [1, 2],
  customer_rank: 3,
  supplier_rank: 0,
  company_id: false,
  create_date: '2025-01-31 23:30:00',
  write_date: '2025-06-01 08:15:42',
};

function mapped(entity: SyncEntityType, raw: unknown) {
  const result = mapOdooRecord(entity, raw);
  if (!result.ok) throw new Error(result.reason);
  return result.record;
}

describe('Odoo records → canonical records', () => {
  test('a partner: false → null, many2one kept as id and name, naive datetimes read as UTC', () => {
    const record = mapped('customer', partner);
    expect(record.externalId).toBe('14');
    expect(record.sourceUpdatedAt).toEqual(new Date('2025-06-01T08:15:42Z'));
    expect(record.data).toEqual({
      name: 'Brandon Freeman',
      displayName: 'Azure Interior, Brandon Freeman',
      email: 'brandon.freeman55@example.com',
      phone: null,
      isCompany: false,
      parentId: '9',
      parentName: 'Azure Interior',
      jobTitle: 'Creative Director',
      address: {
        address1: '4557 De Silva St',
        address2: null,
        city: 'Fremont',
        postcode: '94538',
        stateId: '13',
        stateName: 'California (US)',
        country: 'US',
        countryId: '233',
        countryName: 'United States',
      },
      vat: null,
      ref: null,
      website: null,
      lang: 'en_US',
      categoryIds: ['1', '2'],
      customerRank: 3,
      supplierRank: 0,
      active: true,
      companyId: null,
      companyName: null,
      createdAt: '2025-01-31T23:30:00.000Z',
    });
    // suppliers share the partner shape
    expect(mapped('supplier', { ...partner, supplier_rank: 2 }).data).toMatchObject({ supplierRank: 2 });
  });

  test('an archived partner with every optional field false maps, with nothing "false" in it', () => {
    const empty = Object.fromEntries(
      Object.entries(partner).map(([k, v]) => [k, typeof v === 'string' ? false : v]),
    );
    const record = mapped('customer', {
      ...empty,
      id: 15,
      active: false,
      parent_id: false,
      state_id: false,
      country_id: false,
    });
    expect(record.sourceUpdatedAt).toBeNull();
    expect(record.data).toMatchObject({
      name: null,
      email: null,
      active: false,
      parentId: null,
      parentName: null,
    });
    // only the boolean fields may be false
    expect(Object.keys(record.data).filter((k) => record.data[k] === false)).toEqual(['isCompany', 'active']);
    expect(Object.values(record.data.address as object).every((v) => v === null)).toBe(true);
  });

  test('a product: sku, price as a decimal string, category as id and name', () => {
    const record = mapped('product', {
      id: 23,
      name: 'Large Cabinet',
      display_name: '[E-COM07] Large Cabinet',
      active: true,
      default_code: 'E-COM07',
      barcode: false,
      type: 'consu',
      is_storable: true,
      lst_price: 320,
      standard_price: 800.1,
      categ_id: [8, 'All / Saleable / Office Furniture'],
      product_tmpl_id: [12, 'Large Cabinet'],
      product_template_attribute_value_ids: [],
      uom_id: [1, 'Units'],
      sale_ok: true,
      purchase_ok: true,
      weight: 0,
      description_sale: false,
      currency_id: [1, 'EUR'],
      company_id: false,
      create_date: '2025-03-01 10:00:00',
      write_date: '2025-03-02 10:00:00',
    });
    expect(record.data).toMatchObject({
      name: 'Large Cabinet',
      sku: 'E-COM07',
      barcode: null,
      price: '320',
      cost: '800.1',
      currency: 'EUR',
      currencyId: '1',
      categoryIds: ['8'],
      categoryId: '8',
      categoryName: 'All / Saleable / Office Furniture',
      templateId: '12',
      uomName: 'Units',
      description: null,
      isStorable: true,
      active: true,
    });
  });

  test('an order with its lines; a section line has no product', () => {
    const record = mapped('order', {
      id: 7,
      name: 'S00007',
      state: 'sale',
      date_order: '2025-05-30 16:45:03',
      validity_date: false,
      commitment_date: false,
      partner_id: [14, 'Azure Interior, Brandon Freeman'],
      partner_invoice_id: [14, 'Azure Interior, Brandon Freeman'],
      partner_shipping_id: [9, 'Azure Interior'],
      user_id: false,
      client_order_ref: false,
      currency_id: [1, 'EUR'],
      amount_untaxed: 1799.0,
      amount_tax: 269.85,
      amount_total: 2068.85,
      invoice_status: 'to invoice',
      note: false,
      order_line: [31, 32],
      create_date: '2025-05-30 16:45:03',
      write_date: '2025-05-30 16:46:00',
      __lines: [
        {
          id: 31,
          sequence: 9,
          display_type: 'line_section',
          product_id: false,
          name: 'Desks',
          product_uom_qty: 0,
          price_unit: 0,
          discount: 0,
          price_subtotal: 0,
          price_tax: 0,
          price_total: 0,
        },
        {
          id: 32,
          sequence: 10,
          display_type: false,
          product_id: [23, '[E-COM07] Large Cabinet'],
          name: 'Large Cabinet',
          product_uom_qty: 5.0,
          price_unit: 359.8,
          discount: 0,
          price_subtotal: 1799,
          price_tax: 269.85,
          price_total: 2068.85,
        },
      ],
    });
    expect(record.data).toMatchObject({
      number: 'S00007',
      status: 'sale',
      customerId: '14',
      shippingAddressName: 'Azure Interior',
      salespersonId: null,
      currency: 'EUR',
      subtotal: '1799',
      totalTax: '269.85',
      total: '2068.85',
      orderedAt: '2025-05-30T16:45:03.000Z',
      validUntil: null,
      note: null,
    });
    expect(record.data.lineItems).toEqual([
      {
        id: '31',
        sequence: 9,
        displayType: 'line_section',
        productId: null,
        productName: null,
        name: 'Desks',
        quantity: 0,
        price: '0',
        discountPercent: 0,
        total: '0',
        totalTax: '0',
        totalWithTax: '0',
      },
      {
        id: '32',
        sequence: 10,
        displayType: null,
        productId: '23',
        productName: '[E-COM07] Large Cabinet',
        name: 'Large Cabinet',
        quantity: 5,
        price: '359.8',
        discountPercent: 0,
        total: '1799',
        totalTax: '269.85',
        totalWithTax: '2068.85',
      },
    ]);
  });

  test('an invoice, a quant, a category and an attribute with its values', () => {
    expect(
      mapped('invoice', {
        id: 3,
        name: '/',
        move_type: 'out_refund',
        state: 'draft',
        payment_state: 'not_paid',
        partner_id: [14, 'Brandon Freeman'],
        invoice_date: false,
        invoice_date_due: '2025-07-01',
        invoice_origin: false,
        ref: false,
        currency_id: [2, 'USD'],
        amount_untaxed: 100,
        amount_tax: 15,
        amount_total: 115,
        amount_residual: 115,
        company_id: [1, 'My Company'],
        create_date: '2025-06-01 00:00:00',
        write_date: '2025-06-01 00:00:01',
      }).data,
    ).toMatchObject({
      number: null,
      moveType: 'out_refund',
      invoiceDate: null,
      dueDate: '2025-07-01',
      currency: 'USD',
      total: '115',
      amountDue: '115',
    });
    expect(
      mapped('inventory', {
        id: 40,
        product_id: [23, '[E-COM07] Large Cabinet'],
        location_id: [8, 'WH/Stock'],
        lot_id: false,
        quantity: 12.5,
        reserved_quantity: 2,
        in_date: '2025-04-01 09:00:00',
        company_id: [1, 'My Company'],
        write_date: '2025-04-01 09:00:00',
      }).data,
    ).toMatchObject({
      productId: '23',
      locationName: 'WH/Stock',
      lotId: null,
      lotName: null,
      stockQuantity: 12.5,
      reservedQuantity: 2,
      incomingAt: '2025-04-01T09:00:00.000Z',
    });
    expect(
      mapped('category', {
        id: 8,
        name: 'Office Furniture',
        complete_name: 'All / Saleable / Office Furniture',
        parent_id: [2, 'All / Saleable'],
        write_date: '2025-01-01 00:00:00',
      }).data,
    ).toMatchObject({
      name: 'Office Furniture',
      fullName: 'All / Saleable / Office Furniture',
      parentId: '2',
      parentName: 'All / Saleable',
    });
    expect(
      mapped('attribute', {
        id: 1,
        name: 'Legs',
        active: true,
        sequence: 1,
        display_type: 'radio',
        create_variant: 'always',
        value_ids: [1, 2],
        write_date: '2025-01-01 00:00:00',
        __values: [
          { id: 1, name: 'Steel', sequence: 1, html_color: false, is_custom: false, default_extra_price: 0 },
          {
            id: 2,
            name: 'Aluminium',
            sequence: 2,
            html_color: false,
            is_custom: false,
            default_extra_price: 50.4,
          },
        ],
      }).data,
    ).toMatchObject({
      name: 'Legs',
      type: 'radio',
      createVariant: 'always',
      values: [
        { id: '1', name: 'Steel', sequence: 1, htmlColor: null, isCustom: false, extraPrice: '0' },
        { id: '2', name: 'Aluminium', sequence: 2, htmlColor: null, isCustom: false, extraPrice: '50.4' },
      ],
    });
  });

  test('a record without an id, or an entity Odoo lacks, is a failure with a reason, never a throw', () => {
    expect(mapOdooRecord('customer', { name: 'x' })).toEqual({
      ok: false,
      externalId: '',
      reason: 'the record has no integer id',
    });
    expect(mapOdooRecord('customer', null)).toMatchObject({ ok: false });
  });
});

const start = useFakeOdoo();

describe('every entity from the fake maps without a failure, the same over both protocols', () => {
  const entities: SyncEntityType[] = [
    'customer',
    'supplier',
    'product',
    'order',
    'invoice',
    'inventory',
    'category',
    'attribute',
  ];
  test.each(entities)('%s', async (entity) => {
    const fake = await start({ seed: 8 });
    const results = [];
    for (const protocol of ['jsonrpc', 'json2'] as const) {
      const adapter = odooAdapter(fake, { protocol });
      const { items } = await collect(adapter.pages(pageRequest(entity)));
      expect(items.length).toBeGreaterThan(0);
      results.push(items.map((i) => adapter.map(entity, i)));
    }
    expect(results[0]!.filter((r) => !r.ok)).toEqual([]);
    expect(results[1]).toEqual(results[0]);
  });
});
