import { seededRandom } from '../woocommerce/data.js';
import type { FakeOdooDatabase } from './database.js';
import { REF } from './reference.js';
import type { Row } from './values.js';

/**
 * Deterministic Odoo records for the eight synced models, in Odoo's stored
 * shapes: empty values are null (read out as `false`), many2one values are
 * ids (read out as `[id, display_name]`), amounts are floats. A fair share of
 * every optional field is empty, so the `false` trap is everywhere.
 */

export type OdooEntity =
  'customer' | 'supplier' | 'product' | 'order' | 'invoice' | 'inventory' | 'category' | 'attribute';

/** The model each entity lives in. */
export const ENTITY_MODELS: Record<OdooEntity, string> = {
  customer: 'res.partner',
  supplier: 'res.partner',
  product: 'product.product',
  order: 'sale.order',
  invoice: 'account.move',
  inventory: 'stock.quant',
  category: 'product.category',
  attribute: 'product.attribute',
};

const FIRST = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Ken', 'Frances', 'Dennis', 'Radia'];
const LAST = [
  'Lovelace',
  'Hopper',
  'Torvalds',
  'Hamilton',
  'Turing',
  'Liskov',
  'Thompson',
  'Allen',
  'Ritchie',
];
const SUFFIX = ['SARL', 'GmbH', 'Lda', 'NV', 'Inc.'];
const CITIES = ['Lyon', 'Porto', 'Gent', 'Bergen', 'Graz', 'Turku', 'Cork', 'Brno'];
const NOUNS = ['Desk', 'Chair', 'Lamp', 'Cabinet', 'Shelf', 'Drawer', 'Table', 'Stool'];
const ADJECTIVES = ['Large', 'Compact', 'Oak', 'Steel', 'Corner', 'Customizable', 'Acoustic'];
const CATEGORY_NAMES = ['Office Furniture', 'Lamps', 'Storage', 'Seating', 'Outdoor', 'Services', 'Parts'];
const ATTRIBUTES: [string, string, string[]][] = [
  ['Color', 'color', ['White', 'Black', 'Red', 'Blue']],
  ['Size', 'pills', ['S', 'M', 'L', 'XL']],
  ['Material', 'radio', ['Wood', 'Steel', 'Aluminium']],
  ['Legs', 'select', ['Steel', 'Wood']],
  ['Duration', 'radio', ['1 year', '2 years', '3 years']],
];
const DAY_MICROS = 86_400_000_000;

export class OdooDataGenerator {
  private readonly random: () => number;
  private orderSeq = 0;
  private readonly moveSeq = new Map<string, number>();

  constructor(
    private readonly db: FakeOdooDatabase,
    seed: number,
    private readonly options: { contacts: boolean } = { contacts: true },
  ) {
    this.random = seededRandom(seed);
  }

  /** A creation stamp up to a year before the clock (seeded data), with microseconds. */
  past(): number {
    const now = this.db.now().getTime() * 1000;
    return this.db.transaction(
      new Date(Math.floor((now - Math.floor(this.random() * 365 * DAY_MICROS)) / 1000)),
    );
  }

  /** Creates one record of `entity`; `at` stamps it in the past (seeding), otherwise now. */
  create(entity: OdooEntity, at?: number): Row {
    switch (entity) {
      case 'customer':
        return this.partner({ customer_rank: 1 + this.int(5), supplier_rank: this.chance(0.1) ? 1 : 0 }, at);
      case 'supplier':
        return this.partner({ supplier_rank: 1 + this.int(3), customer_rank: 0, is_company: true }, at);
      case 'product':
        return this.product(at);
      case 'order':
        return this.order(at);
      case 'invoice':
        return this.invoice(at, this.chance(0.85) ? 'out_invoice' : 'out_refund');
      case 'inventory':
        return this.quant(REF.locations.stock, at);
      case 'category':
        return this.category(at);
      case 'attribute':
        return this.attribute(at);
    }
  }

  /** Records that exist next to the synced ones and must not be synced (vendor bills, misc entries, virtual stock). */
  noise(at?: number): void {
    this.invoice(at, 'in_invoice');
    this.invoice(at, 'entry');
    const product = this.anyOf('product.product') ?? this.product(at);
    this.db.create(
      'stock.quant',
      { product_id: product.id, location_id: REF.locations.adjustment, quantity: -this.int(20) - 1 },
      at,
    );
  }

  /** A content change of the kind a merchant makes (one transaction: `write_date` moves). */
  change(entity: OdooEntity, id: number): Row {
    const model = ENTITY_MODELS[entity];
    const stamp = this.int(1e6);
    const patch: Record<OdooEntity, Record<string, unknown>> = {
      customer: { phone: `+32 470 ${stamp}`, street2: `Box ${stamp}` },
      supplier: { phone: `+32 2 ${stamp}` },
      product: { list_price: 10 + this.int(500) + 0.5, description_sale: `Revised ${stamp}` },
      order: { client_order_ref: `PO-${stamp}` },
      invoice: { ref: `REF-${stamp}` },
      inventory: { quantity: this.int(500) },
      category: { name: `${this.pick(CATEGORY_NAMES)} ${stamp}` },
      attribute: { name: `${this.pick(ATTRIBUTES)[0]} ${stamp}` },
    };
    return this.db.write(model, [id], patch[entity])[0]!;
  }

  private partner(values: Record<string, unknown>, at?: number): Row {
    const company = values.is_company === true || this.chance(0.2);
    const first = this.pick(FIRST);
    const last = this.pick(LAST);
    const parent =
      !company && this.options.contacts && this.chance(0.3)
        ? this.anyOf('res.partner', (r) => r.is_company === true && r.id !== REF.companyPartner)
        : undefined;
    const country = this.pick(Object.keys(REF.countries));
    const email = this.chance(0.8) ? `${first}.${last}.${this.int(1e6)}@example.com`.toLowerCase() : null;
    return this.db.create(
      'res.partner',
      {
        name: company ? `${last} ${this.pick(SUFFIX)}` : `${first} ${last}`,
        is_company: company,
        parent_id: parent?.id ?? null,
        function: !company && this.chance(0.3) ? 'Purchasing Manager' : null,
        email,
        phone: this.chance(0.5) ? `+33 6 ${10_000_000 + this.int(89_999_999)}` : null,
        street: this.chance(0.9) ? `${1 + this.int(200)} Main Street` : null,
        street2: this.chance(0.2) ? `Floor ${1 + this.int(9)}` : null,
        city: this.chance(0.9) ? this.pick(CITIES) : null,
        zip: this.chance(0.85) ? String(10000 + this.int(89999)) : null,
        country_id: this.chance(0.9) ? REF.countries[country] : null,
        state_id: country === 'US' && this.chance(0.8) ? this.pick(REF.usStates) : null,
        vat: company && this.chance(0.5) ? `BE0${400_000_000 + this.int(99_999_999)}` : null,
        ref: this.chance(0.1) ? `C${this.int(99999)}` : null,
        website: company && this.chance(0.3) ? `https://www.${last.toLowerCase()}.example.com` : null,
        lang: this.pick(['en_US', 'en_US', 'fr_FR', 'nl_BE']),
        comment: this.chance(0.1) ? '<p>Prefers delivery in the morning.</p>' : null,
        category_id: this.chance(0.2) ? [this.pick(REF.tags)] : [],
        company_id: this.chance(0.5) ? REF.company : null,
        ...values,
      },
      at,
    );
  }

  private product(at?: number): Row {
    const name = `${this.pick(ADJECTIVES)} ${this.pick(NOUNS)}`;
    const service = this.chance(0.15);
    const price = Math.round((5 + this.random() * 900) * 100) / 100;
    const template = this.db.create('product.template', { name, list_price: price }, at);
    const category = this.anyOf('product.category') ?? this.category(at);
    return this.db.create(
      'product.product',
      {
        name,
        default_code: this.chance(0.8) ? `FURN_${1000 + this.int(9000)}` : null,
        barcode: this.chance(0.4) ? String(5_400_000_000_000 + this.int(999_999_999)) : null,
        type: service ? 'service' : 'consu',
        is_storable: !service && this.chance(0.8),
        list_price: price,
        standard_price: Math.round(price * 0.6 * 100) / 100,
        categ_id: category.id,
        product_tmpl_id: template.id,
        uom_id: REF.uom,
        sale_ok: true,
        purchase_ok: this.chance(0.9),
        weight: service ? 0 : Math.round(this.random() * 4000) / 100,
        description_sale: this.chance(0.3) ? `${name}, assembled on delivery.` : null,
        currency_id: REF.currencies.EUR,
        company_id: null,
      },
      at,
    );
  }

  private category(at?: number): Row {
    const table = this.db.table('product.category');
    if (table.size === 0) return this.db.create('product.category', { name: 'All' }, at);
    const parent = this.anyOf('product.category')!;
    return this.db.create(
      'product.category',
      {
        name: `${this.pick(CATEGORY_NAMES)}${table.size > CATEGORY_NAMES.length ? ` ${table.size}` : ''}`,
        parent_id: parent.id,
      },
      at,
    );
  }

  private attribute(at?: number): Row {
    const count = this.db.table('product.attribute').size;
    const [name, displayType, values] = ATTRIBUTES[count % ATTRIBUTES.length]!;
    const stamp = at ?? this.db.transaction();
    const attribute = this.db.create(
      'product.attribute',
      {
        name: count < ATTRIBUTES.length ? name : `${name} ${count}`,
        sequence: count + 1,
        display_type: displayType,
        create_variant: this.pick(['always', 'always', 'dynamic', 'no_variant']),
      },
      stamp,
    );
    const valueIds = values.map(
      (value, i) =>
        this.db.create(
          'product.attribute.value',
          {
            name: value,
            sequence: i + 1,
            attribute_id: attribute.id,
            html_color:
              displayType === 'color' ? `#${this.int(0xffffff).toString(16).padStart(6, '0')}` : null,
            is_custom: false,
            default_extra_price: this.chance(0.2) ? 10 : 0,
          },
          stamp,
        ).id,
    );
    attribute.value_ids = valueIds;
    return attribute;
  }

  private order(at?: number): Row {
    const partner =
      this.anyOf('res.partner', (r) => (r.customer_rank as number) > 0) ?? this.create('customer', at);
    const stamp = at ?? this.db.transaction();
    const order = this.db.create(
      'sale.order',
      {
        name: `S${String(++this.orderSeq).padStart(5, '0')}`,
        state: this.pick(['draft', 'sent', 'sale', 'sale', 'sale', 'cancel']),
        date_order: stamp,
        validity_date: this.chance(0.5) ? dateOf(stamp + 30 * DAY_MICROS) : null,
        partner_id: partner.id,
        partner_invoice_id: partner.id,
        partner_shipping_id: partner.id,
        user_id: this.chance(0.8) ? this.pick(REF.users) : null,
        client_order_ref: this.chance(0.2) ? `PO-${this.int(99999)}` : null,
        currency_id: REF.currencies.EUR,
        invoice_status: this.pick(['no', 'to invoice', 'invoiced']),
        note: this.chance(0.3) ? '<p>Payment terms: 30 days.</p>' : null,
        company_id: REF.company,
      },
      stamp,
    );
    let untaxed = 0;
    let tax = 0;
    const lines: number[] = [];
    if (this.chance(0.2)) {
      lines.push(
        this.db.create(
          'sale.order.line',
          { order_id: order.id, sequence: 1, display_type: 'line_section', name: 'Furniture' },
          stamp,
        ).id,
      );
    }
    for (let i = 0, n = 1 + this.int(4); i < n; i++) {
      const product = this.anyOf('product.product') ?? this.product(stamp);
      const qty = 1 + this.int(10);
      const price = product.list_price as number;
      const discount = this.chance(0.2) ? 10 : 0;
      const subtotal = round2(qty * price * (1 - discount / 100));
      const lineTax = this.chance(0.7) ? round2(subtotal * 0.15) : 0;
      untaxed += subtotal;
      tax += lineTax;
      lines.push(
        this.db.create(
          'sale.order.line',
          {
            order_id: order.id,
            sequence: 10 + i,
            display_type: null,
            product_id: product.id,
            name: this.db.displayName('product.product', product),
            product_uom_qty: qty,
            price_unit: price,
            discount,
            price_subtotal: subtotal,
            price_tax: lineTax,
            price_total: round2(subtotal + lineTax),
            tax_id: lineTax > 0 ? [REF.tax] : [],
          },
          stamp,
        ).id,
      );
    }
    Object.assign(order, {
      order_line: lines,
      amount_untaxed: round2(untaxed),
      amount_tax: round2(tax),
      amount_total: round2(untaxed + tax),
    });
    return order;
  }

  private invoice(at: number | undefined, moveType: string): Row {
    const customerMove = moveType === 'out_invoice' || moveType === 'out_refund';
    const partner = customerMove
      ? (this.anyOf('res.partner', (r) => (r.customer_rank as number) > 0) ?? this.create('customer', at))
      : this.db.row('res.partner', REF.companyPartner)!;
    const stamp = at ?? this.db.transaction();
    const state = this.pick(['draft', 'posted', 'posted', 'posted', 'cancel']);
    const prefix =
      { out_invoice: 'INV', out_refund: 'RINV', in_invoice: 'BILL', entry: 'MISC' }[moveType] ?? 'MISC';
    const seq = (this.moveSeq.get(prefix) ?? 0) + 1;
    this.moveSeq.set(prefix, seq);
    const untaxed = round2(20 + this.random() * 2000);
    const tax = round2(untaxed * 0.15);
    const total = round2(untaxed + tax);
    const paid = state === 'posted' ? this.pick(['not_paid', 'paid', 'partial', 'in_payment']) : 'not_paid';
    return this.db.create(
      'account.move',
      {
        name: state === 'draft' ? '/' : `${prefix}/2025/${String(seq).padStart(5, '0')}`,
        move_type: moveType,
        state,
        payment_state: paid,
        partner_id: moveType === 'entry' ? null : partner.id,
        date: dateOf(stamp),
        invoice_date: state === 'draft' && this.chance(0.5) ? null : dateOf(stamp),
        invoice_date_due: state === 'draft' ? null : dateOf(stamp + 30 * DAY_MICROS),
        invoice_origin: this.chance(0.5) ? `S${String(1 + this.int(999)).padStart(5, '0')}` : null,
        ref: this.chance(0.2) ? `REF-${this.int(99999)}` : null,
        currency_id: this.chance(0.9) ? REF.currencies.EUR : REF.currencies.USD,
        amount_untaxed: untaxed,
        amount_tax: tax,
        amount_total: total,
        amount_residual: paid === 'paid' ? 0 : paid === 'partial' ? round2(total / 2) : total,
        company_id: REF.company,
      },
      at,
    );
  }

  private quant(location: number, at?: number): Row {
    const product =
      this.anyOf('product.product', (r) => r.is_storable === true) ??
      this.db.write('product.product', [this.product(at).id], { is_storable: true, type: 'consu' }, at)[0]!;
    const quantity = this.int(200);
    return this.db.create(
      'stock.quant',
      {
        product_id: product.id,
        location_id: location,
        lot_id: this.chance(0.1) ? 1 : null,
        quantity,
        reserved_quantity: this.chance(0.3) ? this.int(quantity + 1) : 0,
        in_date: at ?? this.db.transaction(),
        company_id: REF.company,
      },
      at,
    );
  }

  /** A random record of `model` passing `filter`: a few random draws, then a scan. */
  private anyOf(model: string, filter: (r: Row) => boolean = () => true): Row | undefined {
    const ids = this.db.ids(model);
    for (let i = 0; i < 16 && ids.length > 0; i++) {
      const row = this.db.row(model, ids[this.int(ids.length)]!);
      if (row && filter(row)) return row;
    }
    const rows = [...this.db.table(model).values()].filter(filter);
    return rows.length ? rows[this.int(rows.length)] : undefined;
  }

  private int(n: number): number {
    return Math.floor(this.random() * n);
  }

  private chance(p: number): boolean {
    return this.random() < p;
  }

  private pick<T>(list: readonly T[]): T {
    return list[this.int(list.length)]!;
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function dateOf(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);
}
