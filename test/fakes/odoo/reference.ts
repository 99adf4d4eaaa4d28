import type { FakeOdooDatabase } from './database.js';

/**
 * The records every Odoo database has before a merchant adds anything:
 * the company (and its partner, which is no customer), users, countries and
 * states, currencies, units, taxes, partner tags and the stock locations
 * (only `internal` ones hold stock that counts).
 */

export const REF = {
  company: 1,
  companyPartner: 1,
  adminPartner: 3,
  users: [2, 6],
  countries: { BE: 21, FR: 75, PT: 183, DE: 57, US: 233 } as Record<string, number>,
  usStates: [13, 27],
  currencies: { EUR: 1, USD: 2 },
  uom: 1,
  tax: 1,
  tags: [1, 2],
  locations: { stock: 8, customers: 5, adjustment: 14 },
} as const;

export function createReferenceData(db: FakeOdooDatabase): void {
  const at = db.transaction(new Date('2024-01-02T08:00:00Z'));
  db.create('res.company', { id: REF.company, name: 'My Company (San Francisco)' }, at);
  db.create(
    'res.partner',
    {
      id: REF.companyPartner,
      name: 'My Company (San Francisco)',
      is_company: true,
      email: 'info@yourcompany.com',
      country_id: REF.countries.US,
    },
    at,
  );
  db.create(
    'res.partner',
    { id: REF.adminPartner, name: 'Mitchell Admin', email: 'admin@yourcompany.example.com' },
    at,
  );
  db.create('res.users', { id: 2, name: 'Mitchell Admin', login: 'admin' }, at);
  db.create('res.users', { id: 6, name: 'Marc Demo', login: 'demo' }, at);
  const countries: [string, string][] = [
    ['BE', 'Belgium'],
    ['FR', 'France'],
    ['PT', 'Portugal'],
    ['DE', 'Germany'],
    ['US', 'United States'],
  ];
  for (const [code, name] of countries) {
    db.create('res.country', { id: REF.countries[code], name, code }, at);
  }
  db.create(
    'res.country.state',
    { id: 13, name: 'California', code: 'CA', country_id: REF.countries.US },
    at,
  );
  db.create('res.country.state', { id: 27, name: 'New York', code: 'NY', country_id: REF.countries.US }, at);
  db.create('res.currency', { id: REF.currencies.EUR, name: 'EUR' }, at);
  db.create('res.currency', { id: REF.currencies.USD, name: 'USD' }, at);
  db.create('uom.uom', { id: REF.uom, name: 'Units' }, at);
  db.create('account.tax', { id: REF.tax, name: '15%', amount: 15 }, at);
  db.create('res.partner.category', { id: 1, name: 'VIP' }, at);
  db.create('res.partner.category', { id: 2, name: 'Wholesale' }, at);
  db.create(
    'stock.location',
    { id: REF.locations.stock, name: 'Stock', complete_name: 'WH/Stock', usage: 'internal' },
    at,
  );
  db.create(
    'stock.location',
    {
      id: REF.locations.customers,
      name: 'Customers',
      complete_name: 'Partners/Customers',
      usage: 'customer',
    },
    at,
  );
  db.create(
    'stock.location',
    {
      id: REF.locations.adjustment,
      name: 'Inventory adjustment',
      complete_name: 'Virtual Locations/Inventory adjustment',
      usage: 'inventory',
    },
    at,
  );
  db.create('stock.lot', { id: 1, name: 'LOT-0001' }, at);
}
