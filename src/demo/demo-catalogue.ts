/**
 * The demo store's data: customers and simple products in the shape of
 * WooCommerce REST v3 (integer ids, money as strings, `date_x` in the store's
 * local time and `date_x_gmt` in UTC, both without a zone suffix), generated
 * from a seed so that every run of the demo serves the same store.
 */

export type DemoRecord = Record<string, unknown> & { id: number };

export interface DemoCatalogue {
  customers: DemoRecord[];
  products: DemoRecord[];
}

export interface CatalogueOptions {
  /** @defaultValue 2400 */
  customers?: number;
  /** @defaultValue 1200 */
  products?: number;
  /** @defaultValue 2026 */
  seed?: number;
}

/** The store's clock: records were created in the two years before it. */
const STORE_NOW_MS = Date.UTC(2026, 10, 1, 9, 0, 0);
const TWO_YEARS_MS = 2 * 365 * 86_400_000;
/** The store's time zone (a WordPress setting): UTC+1. */
const LOCAL_OFFSET_MS = 3_600_000;

const GIVEN = [
  'Amara',
  'Bruno',
  'Chiara',
  'Dmitri',
  'Elif',
  'Farah',
  'Goran',
  'Hana',
  'Ines',
  'Jonas',
  'Keiko',
  'Lars',
];
const FAMILY = [
  'Okafor',
  'Lindqvist',
  'Moreau',
  'Novak',
  'Pereira',
  'Quist',
  'Rossi',
  'Sato',
  'Tanaka',
  'Weber',
];
const TOWNS: readonly (readonly [string, string])[] = [
  ['Lisbon', 'PT'],
  ['Ghent', 'BE'],
  ['Tampere', 'FI'],
  ['Ljubljana', 'SI'],
  ['Utrecht', 'NL'],
  ['Bologna', 'IT'],
  ['Kraków', 'PL'],
  ['Aarhus', 'DK'],
];
const ADJECTIVES = ['Linen', 'Walnut', 'Enamel', 'Woollen', 'Ceramic', 'Copper', 'Recycled', 'Cotton'];
const THINGS = ['Tote Bag', 'Mug', 'Notebook', 'Scarf', 'Lamp', 'Planter', 'Apron', 'Blanket', 'Teapot'];
const CATEGORIES = [
  { id: 15, name: 'Home', slug: 'home' },
  { id: 16, name: 'Kitchen', slug: 'kitchen' },
  { id: 17, name: 'Stationery', slug: 'stationery' },
  { id: 18, name: 'Accessories', slug: 'accessories' },
];

/** sfc32: a small, fast seeded generator (numbers in [0, 1)). */
export function seededRandom(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next(); // mix the seed in
  return next;
}

/** `2026-03-04T05:06:07` (WooCommerce writes dates without a zone). */
function wooDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

function dates(record: DemoRecord, field: string, ms: number): void {
  record[field] = wooDate(ms + LOCAL_OFFSET_MS);
  record[`${field}_gmt`] = wooDate(ms);
}

export function generateCatalogue(options: CatalogueOptions = {}): DemoCatalogue {
  const random = seededRandom(options.seed ?? 2026);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const when = (): { created: number; modified: number } => {
    const created = STORE_NOW_MS - Math.floor(random() * TWO_YEARS_MS);
    return { created, modified: created + Math.floor(random() * (STORE_NOW_MS - created)) };
  };

  const customers: DemoRecord[] = [];
  for (let i = 0; i < (options.customers ?? 2400); i++) {
    const id = i + 2; // user 1 is the shop's admin
    const first = pick(GIVEN);
    const last = pick(FAMILY);
    const [city, country] = pick(TOWNS);
    const email = `${first}.${last}.${id}@example.org`.toLowerCase();
    const address = {
      first_name: first,
      last_name: last,
      company: random() < 0.15 ? `${last} Studio` : '',
      address_1: `${1 + Math.floor(random() * 180)} Harbour Road`,
      address_2: '',
      city,
      state: '',
      postcode: String(1000 + Math.floor(random() * 8999)),
      country,
    };
    const customer: DemoRecord = {
      id,
      email,
      first_name: first,
      last_name: last,
      role: 'customer',
      username: `${first}${id}`.toLowerCase(),
      billing: { ...address, email, phone: `+351 21 ${String(Math.floor(random() * 1e7)).padStart(7, '0')}` },
      shipping: address,
      is_paying_customer: random() < 0.7,
      meta_data: [],
    };
    const at = when();
    dates(customer, 'date_created', at.created);
    dates(customer, 'date_modified', at.modified);
    customers.push(customer);
  }

  const products: DemoRecord[] = [];
  for (let i = 0; i < (options.products ?? 1200); i++) {
    const id = 100 + i * 3; // posts share one id sequence with orders and pages
    const name = `${pick(ADJECTIVES)} ${pick(THINGS)} No. ${i + 1}`;
    const regular = (5 + Math.floor(random() * 9500) / 100).toFixed(2);
    const onSale = random() < 0.2;
    const managed = random() < 0.8;
    const product: DemoRecord = {
      id,
      name,
      slug: name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
      type: 'simple',
      status: random() < 0.95 ? 'publish' : 'draft',
      sku: `DEMO-${String(i + 1).padStart(5, '0')}`,
      price: onSale ? (Number(regular) * 0.85).toFixed(2) : regular,
      regular_price: regular,
      sale_price: onSale ? (Number(regular) * 0.85).toFixed(2) : '',
      on_sale: onSale,
      manage_stock: managed,
      stock_quantity: managed ? Math.floor(random() * 250) : null,
      stock_status: random() < 0.93 ? 'instock' : 'outofstock',
      parent_id: 0,
      categories: [pick(CATEGORIES)],
      attributes: [],
      variations: [],
      meta_data: [],
    };
    const at = when();
    dates(product, 'date_created', at.created);
    dates(product, 'date_modified', at.modified);
    products.push(product);
  }
  return { customers, products };
}
