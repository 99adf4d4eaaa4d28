import type { FakeOdooDatabase } from './database.js';
import { Dice } from './dice.js';
import { DAY_MICROS, SalesDocuments } from './documents.js';
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

// Names in the spirit of Odoo's demo data.
const FIRST = [
  'Brandon',
  'Colleen',
  'Nicole',
  'Jesse',
  'Oscar',
  'Lorraine',
  'Toni',
  'Travis',
  'Edwin',
  'Kim',
];
const LAST = ['Freeman', 'Diaz', 'Ford', 'Brown', 'Morgan', 'Douglas', 'Jimenez', 'Mendoza', 'Hansen'];
const SUFFIX = ['Interior', 'Addict', 'Furniture', 'Design', 'Office'];
const CITIES = ['Fremont', 'Tracy', 'Pleasant Hill', 'Namur', 'Leuven', 'Lille', 'Braga', 'Aachen'];
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

export class OdooDataGenerator {
  private readonly dice: Dice;
  private readonly documents: SalesDocuments;

  constructor(
    private readonly db: FakeOdooDatabase,
    seed: number,
    private readonly options: { contacts: boolean } = { contacts: true },
  ) {
    this.dice = new Dice(seed, db);
    this.documents = new SalesDocuments(
      db,
      this.dice,
      (at) => this.create('customer', at),
      (at) => this.product(at),
    );
  }

  /** A creation stamp up to a year before the clock (seeded data), with microseconds. */
  past(): number {
    const now = this.db.now().getTime() * 1000;
    return this.db.transaction(
      new Date(Math.floor((now - Math.floor(this.dice.next() * 365 * DAY_MICROS)) / 1000)),
    );
  }

  /** Creates one record of `entity`; `at` stamps it in the past (seeding), otherwise now. */
  create(entity: OdooEntity, at?: number): Row {
    switch (entity) {
      case 'customer':
        return this.partner(
          { customer_rank: 1 + this.dice.int(5), supplier_rank: this.dice.chance(0.1) ? 1 : 0 },
          at,
        );
      case 'supplier':
        return this.partner({ supplier_rank: 1 + this.dice.int(3), customer_rank: 0, is_company: true }, at);
      case 'product':
        return this.product(at);
      case 'order':
        return this.documents.order(at);
      case 'invoice':
        return this.documents.invoice(at, this.dice.chance(0.85) ? 'out_invoice' : 'out_refund');
      case 'inventory':
        return this.documents.quant(REF.locations.stock, at);
      case 'category':
        return this.category(at);
      case 'attribute':
        return this.attribute(at);
    }
  }

  /** Records that exist next to the synced ones and must not be synced (vendor bills, misc entries, virtual stock). */
  noise(at?: number): void {
    this.documents.invoice(at, 'in_invoice');
    this.documents.invoice(at, 'entry');
    const product = this.dice.anyOf('product.product') ?? this.product(at);
    this.db.create(
      'stock.quant',
      { product_id: product.id, location_id: REF.locations.adjustment, quantity: -this.dice.int(20) - 1 },
      at,
    );
  }

  /** A content change of the kind a merchant makes (one transaction: `write_date` moves). */
  change(entity: OdooEntity, id: number): Row {
    const model = ENTITY_MODELS[entity];
    const stamp = this.dice.int(1e6);
    const patch: Record<OdooEntity, Record<string, unknown>> = {
      customer: { phone: `+32 470 ${stamp}`, street2: `Box ${stamp}` },
      supplier: { phone: `+32 2 ${stamp}` },
      product: { list_price: 10 + this.dice.int(500) + 0.5, description_sale: `Revised ${stamp}` },
      order: { client_order_ref: `PO-${stamp}` },
      invoice: { ref: `REF-${stamp}` },
      inventory: { quantity: this.dice.int(500) },
      category: { name: `${this.dice.pick(CATEGORY_NAMES)} ${stamp}` },
      attribute: { name: `${this.dice.pick(ATTRIBUTES)[0]} ${stamp}` },
    };
    return this.db.write(model, [id], patch[entity])[0]!;
  }

  private partner(values: Record<string, unknown>, at?: number): Row {
    const company = values.is_company === true || this.dice.chance(0.2);
    const first = this.dice.pick(FIRST);
    const last = this.dice.pick(LAST);
    const parent =
      !company && this.options.contacts && this.dice.chance(0.3)
        ? this.dice.anyOf('res.partner', (r) => r.is_company === true && r.id !== REF.companyPartner)
        : undefined;
    const country = this.dice.pick(Object.keys(REF.countries));
    const email = this.dice.chance(0.8)
      ? `${first}.${last}.${this.dice.int(1e6)}@example.com`.toLowerCase()
      : null;
    return this.db.create(
      'res.partner',
      {
        name: company ? `${last} ${this.dice.pick(SUFFIX)}` : `${first} ${last}`,
        is_company: company,
        parent_id: parent?.id ?? null,
        function: !company && this.dice.chance(0.3) ? 'Purchasing Manager' : null,
        email,
        phone: this.dice.chance(0.5) ? `+33 6 ${10_000_000 + this.dice.int(89_999_999)}` : null,
        street: this.dice.chance(0.9) ? `${1 + this.dice.int(200)} Main Street` : null,
        street2: this.dice.chance(0.2) ? `Floor ${1 + this.dice.int(9)}` : null,
        city: this.dice.chance(0.9) ? this.dice.pick(CITIES) : null,
        zip: this.dice.chance(0.85) ? String(10000 + this.dice.int(89999)) : null,
        country_id: this.dice.chance(0.9) ? REF.countries[country] : null,
        state_id: country === 'US' && this.dice.chance(0.8) ? this.dice.pick(REF.usStates) : null,
        vat: company && this.dice.chance(0.5) ? `BE0${400_000_000 + this.dice.int(99_999_999)}` : null,
        ref: this.dice.chance(0.1) ? `C${this.dice.int(99999)}` : null,
        website: company && this.dice.chance(0.3) ? `https://www.${last.toLowerCase()}.example.com` : null,
        lang: this.dice.pick(['en_US', 'en_US', 'fr_FR', 'nl_BE']),
        comment: this.dice.chance(0.1) ? '<p>Prefers delivery in the morning.</p>' : null,
        category_id: this.dice.chance(0.2) ? [this.dice.pick(REF.tags)] : [],
        company_id: this.dice.chance(0.5) ? REF.company : null,
        ...values,
      },
      at,
    );
  }

  private product(at?: number): Row {
    const name = `${this.dice.pick(ADJECTIVES)} ${this.dice.pick(NOUNS)}`;
    const service = this.dice.chance(0.15);
    const price = Math.round((5 + this.dice.next() * 900) * 100) / 100;
    const template = this.db.create('product.template', { name, list_price: price }, at);
    const category = this.dice.anyOf('product.category') ?? this.category(at);
    return this.db.create(
      'product.product',
      {
        name,
        default_code: this.dice.chance(0.8) ? `FURN_${1000 + this.dice.int(9000)}` : null,
        barcode: this.dice.chance(0.4) ? String(5_400_000_000_000 + this.dice.int(999_999_999)) : null,
        type: service ? 'service' : 'consu',
        is_storable: !service && this.dice.chance(0.8),
        list_price: price,
        standard_price: Math.round(price * 0.6 * 100) / 100,
        categ_id: category.id,
        product_tmpl_id: template.id,
        uom_id: REF.uom,
        sale_ok: true,
        purchase_ok: this.dice.chance(0.9),
        weight: service ? 0 : Math.round(this.dice.next() * 4000) / 100,
        description_sale: this.dice.chance(0.3) ? `${name}, assembled on delivery.` : null,
        currency_id: REF.currencies.EUR,
        company_id: null,
      },
      at,
    );
  }

  private category(at?: number): Row {
    const table = this.db.table('product.category');
    if (table.size === 0) return this.db.create('product.category', { name: 'All' }, at);
    const parent = this.dice.anyOf('product.category')!;
    return this.db.create(
      'product.category',
      {
        name: `${this.dice.pick(CATEGORY_NAMES)}${table.size > CATEGORY_NAMES.length ? ` ${table.size}` : ''}`,
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
        create_variant: this.dice.pick(['always', 'always', 'dynamic', 'no_variant']),
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
              displayType === 'color' ? `#${this.dice.int(0xffffff).toString(16).padStart(6, '0')}` : null,
            is_custom: false,
            default_extra_price: this.dice.chance(0.2) ? 10 : 0,
          },
          stamp,
        ).id,
    );
    attribute.value_ids = valueIds;
    return attribute;
  }
}
