import type { Dice } from './dice.js';
import type { FakeOdooDatabase } from './database.js';
import { REF } from './reference.js';
import type { Row } from './values.js';

export const DAY_MICROS = 86_400_000_000;

/**
 * Sales orders with their lines, invoices (and the moves that are not
 * customer invoices) and stock quants, with amounts that add up: the records
 * of the fake Odoo that point at partners and products.
 */
export class SalesDocuments {
  private orderSeq = 0;
  private readonly moveSeq = new Map<string, number>();

  constructor(
    private readonly db: FakeOdooDatabase,
    private readonly dice: Dice,
    /** A new customer, when a document needs one and there is none. */
    private readonly newCustomer: (at?: number) => Row,
    /** A new product, when a document needs one and there is none. */
    private readonly newProduct: (at?: number) => Row,
  ) {}

  order(at?: number): Row {
    const partner =
      this.dice.anyOf('res.partner', (r) => (r.customer_rank as number) > 0) ?? this.newCustomer(at);
    const stamp = at ?? this.db.transaction();
    const order = this.db.create(
      'sale.order',
      {
        name: `S${String(++this.orderSeq).padStart(5, '0')}`,
        state: this.dice.pick(['draft', 'sent', 'sale', 'sale', 'sale', 'cancel']),
        date_order: stamp,
        validity_date: this.dice.chance(0.5) ? dateOf(stamp + 30 * DAY_MICROS) : null,
        partner_id: partner.id,
        partner_invoice_id: partner.id,
        partner_shipping_id: partner.id,
        user_id: this.dice.chance(0.8) ? this.dice.pick(REF.users) : null,
        client_order_ref: this.dice.chance(0.2) ? `PO-${this.dice.int(99999)}` : null,
        currency_id: REF.currencies.EUR,
        invoice_status: this.dice.pick(['no', 'to invoice', 'invoiced']),
        note: this.dice.chance(0.3) ? '<p>Payment terms: 30 days.</p>' : null,
        company_id: REF.company,
      },
      stamp,
    );
    let untaxed = 0;
    let tax = 0;
    const lines: number[] = [];
    if (this.dice.chance(0.2)) {
      lines.push(
        this.db.create(
          'sale.order.line',
          { order_id: order.id, sequence: 1, display_type: 'line_section', name: 'Furniture' },
          stamp,
        ).id,
      );
    }
    for (let i = 0, n = 1 + this.dice.int(4); i < n; i++) {
      const product = this.dice.anyOf('product.product') ?? this.newProduct(stamp);
      const qty = 1 + this.dice.int(10);
      const price = product.list_price as number;
      const discount = this.dice.chance(0.2) ? 10 : 0;
      const subtotal = round2(qty * price * (1 - discount / 100));
      const lineTax = this.dice.chance(0.7) ? round2(subtotal * 0.15) : 0;
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

  invoice(at: number | undefined, moveType: string): Row {
    const customerMove = moveType === 'out_invoice' || moveType === 'out_refund';
    const partner = customerMove
      ? (this.dice.anyOf('res.partner', (r) => (r.customer_rank as number) > 0) ?? this.newCustomer(at))
      : this.db.row('res.partner', REF.companyPartner)!;
    const stamp = at ?? this.db.transaction();
    const state = this.dice.pick(['draft', 'posted', 'posted', 'posted', 'cancel']);
    const prefix =
      { out_invoice: 'INV', out_refund: 'RINV', in_invoice: 'BILL', entry: 'MISC' }[moveType] ?? 'MISC';
    const seq = (this.moveSeq.get(prefix) ?? 0) + 1;
    this.moveSeq.set(prefix, seq);
    const untaxed = round2(20 + this.dice.next() * 2000);
    const tax = round2(untaxed * 0.15);
    const total = round2(untaxed + tax);
    const paid =
      state === 'posted' ? this.dice.pick(['not_paid', 'paid', 'partial', 'in_payment']) : 'not_paid';
    return this.db.create(
      'account.move',
      {
        name: state === 'draft' ? '/' : `${prefix}/2025/${String(seq).padStart(5, '0')}`,
        move_type: moveType,
        state,
        payment_state: paid,
        partner_id: moveType === 'entry' ? null : partner.id,
        date: dateOf(stamp),
        invoice_date: state === 'draft' && this.dice.chance(0.5) ? null : dateOf(stamp),
        invoice_date_due: state === 'draft' ? null : dateOf(stamp + 30 * DAY_MICROS),
        invoice_origin: this.dice.chance(0.5) ? `S${String(1 + this.dice.int(999)).padStart(5, '0')}` : null,
        ref: this.dice.chance(0.2) ? `REF-${this.dice.int(99999)}` : null,
        currency_id: this.dice.chance(0.9) ? REF.currencies.EUR : REF.currencies.USD,
        amount_untaxed: untaxed,
        amount_tax: tax,
        amount_total: total,
        amount_residual: paid === 'paid' ? 0 : paid === 'partial' ? round2(total / 2) : total,
        company_id: REF.company,
      },
      at,
    );
  }

  quant(location: number, at?: number): Row {
    const product =
      this.dice.anyOf('product.product', (r) => r.is_storable === true) ??
      this.db.write(
        'product.product',
        [this.newProduct(at).id],
        { is_storable: true, type: 'consu' },
        at,
      )[0]!;
    const quantity = this.dice.int(200);
    return this.db.create(
      'stock.quant',
      {
        product_id: product.id,
        location_id: location,
        lot_id: this.dice.chance(0.1) ? 1 : null,
        quantity,
        reserved_quantity: this.dice.chance(0.3) ? this.dice.int(quantity + 1) : 0,
        in_date: at ?? this.db.transaction(),
        company_id: REF.company,
      },
      at,
    );
  }
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

export function dateOf(micros: number): string {
  return new Date(Math.floor(micros / 1000)).toISOString().slice(0, 10);
}
