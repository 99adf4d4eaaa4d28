import type { OdooDataGenerator, OdooEntity } from './data.js';
import type { FakeOdooClockOptions, FakeOdooDatabase } from './database.js';
import { createReferenceData } from './reference.js';

export interface FakeOdooSeedOptions extends FakeOdooClockOptions {
  /** Seed of every generated value. @defaultValue 1 */
  seed?: number;
  /** Partners with `customer_rank > 0`. @defaultValue 25 */
  customers?: number;
  /** Partners with `supplier_rank > 0` only. @defaultValue 5 */
  suppliers?: number;
  /** @defaultValue 20 */
  products?: number;
  /** @defaultValue 10 */
  orders?: number;
  /** Customer invoices and refunds (vendor bills and misc entries are added beside them). @defaultValue 10 */
  invoices?: number;
  /** Quants in WH/Stock (a virtual-location quant is added beside them). @defaultValue 10 */
  quants?: number;
  /** @defaultValue 6 */
  categories?: number;
  /** @defaultValue 3 */
  attributes?: number;
  /** The first N seeded customers share one `write_date` (one bulk write). @defaultValue 0 */
  tiedCustomers?: number;
  /** Seeded customers archived (`active = false`). @defaultValue 0 */
  archivedCustomers?: number;
  /** Some persons are contacts of a company (`parent_id`). @defaultValue true */
  contacts?: boolean;
  /** Records beside the synced ones that must not be synced (a vendor bill, a misc entry, a virtual-location quant). @defaultValue true */
  noise?: boolean;
}

export function seedOdoo(db: FakeOdooDatabase, data: OdooDataGenerator, options: FakeOdooSeedOptions): void {
  createReferenceData(db);
  const counts: [OdooEntity, number][] = [
    ['category', options.categories ?? 6],
    ['attribute', options.attributes ?? 3],
    ['customer', options.customers ?? 25],
    ['supplier', options.suppliers ?? 5],
    ['product', options.products ?? 20],
    ['order', options.orders ?? 10],
    ['invoice', options.invoices ?? 10],
    ['inventory', options.quants ?? 10],
  ];
  const created = new Map<OdooEntity, number[]>();
  for (const [entity, n] of counts) {
    const ids: number[] = [];
    for (let i = 0; i < n; i++) ids.push(data.create(entity, data.past()).id);
    created.set(entity, ids);
  }
  if (options.noise !== false) data.noise(data.past());
  const customers = created.get('customer')!;
  const tied = customers.slice(0, options.tiedCustomers ?? 0);
  // A bulk edit an hour ago: one transaction, one write_date for all of them.
  const hourAgo = () => db.transaction(new Date(db.now().getTime() - 3_600_000));
  if (tied.length > 0) db.write('res.partner', tied, { lang: 'en_US' }, hourAgo());
  const archived = options.archivedCustomers ?? 0;
  if (archived > 0) db.write('res.partner', customers.slice(-archived), { active: false }, hourAgo());
}
