/**
 * Deterministic WooCommerce records for the fake server: the shapes of REST
 * v3 (ids integers, money strings, `date_x` local and `date_x_gmt` UTC, both
 * without a zone suffix, `meta_data` arrays).
 */

export type WooRecord = Record<string, unknown> & { id: number };

/** mulberry32: a small seeded PRNG, so the same seed gives the same store. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `YYYY-MM-DDTHH:MM:SS` of a UTC instant shifted by `offsetMinutes`. */
export function wooTime(at: Date, offsetMinutes = 0): string {
  return new Date(at.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 19);
}

/** Sets `field` (local) and `field_gmt` on a record. */
export function stamp(
  record: Record<string, unknown>,
  field: string,
  at: Date | null,
  offsetMinutes: number,
): void {
  record[field] = at ? wooTime(at, offsetMinutes) : null;
  record[`${field}_gmt`] = at ? wooTime(at) : null;
}

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
const CITIES = ['Lyon', 'Porto', 'Gent', 'Bergen', 'Graz', 'Turku', 'Cork', 'Brno'];
const NOUNS = ['Mug', 'Shirt', 'Poster', 'Cap', 'Hoodie', 'Sticker', 'Notebook', 'Bag'];
const SIZES = ['S', 'M', 'L', 'XL', 'XXL'];
const COLOURS = ['Red', 'Blue', 'Green', 'Black'];

export interface RecordContext {
  random: () => number;
  offsetMinutes: number;
}

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

function price(random: () => number): string {
  return (Math.floor(random() * 9000) / 100 + 1).toFixed(2);
}

function addressOf(random: () => number, first: string, last: string, email?: string) {
  return {
    first_name: first,
    last_name: last,
    company: random() < 0.2 ? `${last} & Co` : '',
    address_1: `${Math.floor(random() * 200) + 1} Main Street`,
    address_2: '',
    city: pick(random, CITIES),
    state: '',
    postcode: String(10000 + Math.floor(random() * 89999)),
    country: pick(random, ['FR', 'PT', 'BE', 'NO', 'AT', 'FI', 'IE', 'CZ']),
    ...(email === undefined ? {} : { email }),
    phone: random() < 0.5 ? `+33 6 ${Math.floor(random() * 1e8)}` : '',
  };
}

export function customerRecord(ctx: RecordContext, id: number, created: Date, modified: Date): WooRecord {
  const first = pick(ctx.random, FIRST);
  const last = pick(ctx.random, LAST);
  const email = `${first}.${last}.${id}@example.com`.toLowerCase();
  const record: WooRecord = {
    id,
    email,
    first_name: first,
    last_name: last,
    role: 'customer',
    username: `${first}${id}`.toLowerCase(),
    billing: addressOf(ctx.random, first, last, email),
    shipping: addressOf(ctx.random, first, last),
    is_paying_customer: ctx.random() < 0.6,
    avatar_url: `https://secure.gravatar.com/avatar/${id}?s=96&d=mm&r=g`,
    meta_data: [],
  };
  stamp(record, 'date_created', created, ctx.offsetMinutes);
  stamp(record, 'date_modified', modified, ctx.offsetMinutes);
  return record;
}

export interface ProductRefs {
  categories: WooRecord[];
  variable: boolean;
}

export function productRecord(
  ctx: RecordContext,
  id: number,
  refs: ProductRefs,
  created: Date,
  modified: Date,
): WooRecord {
  const name = `${pick(ctx.random, COLOURS)} ${pick(ctx.random, NOUNS)} ${id}`;
  const regular = price(ctx.random);
  const onSale = ctx.random() < 0.2;
  const manage = !refs.variable && ctx.random() < 0.7;
  const category = refs.categories.length ? pick(ctx.random, refs.categories) : undefined;
  const record: WooRecord = {
    id,
    name,
    slug: name.toLowerCase().replace(/\s+/g, '-'),
    permalink: `https://shop.example.com/product/${id}/`,
    type: refs.variable ? 'variable' : 'simple',
    status: ctx.random() < 0.9 ? 'publish' : 'draft',
    featured: false,
    catalog_visibility: 'visible',
    description: `<p>${name}</p>`,
    short_description: '',
    sku: `SKU-${id}`,
    price: onSale ? (Number(regular) * 0.8).toFixed(2) : regular,
    regular_price: regular,
    sale_price: onSale ? (Number(regular) * 0.8).toFixed(2) : '',
    on_sale: onSale,
    purchasable: true,
    total_sales: Math.floor(ctx.random() * 500),
    manage_stock: manage,
    stock_quantity: manage ? Math.floor(ctx.random() * 100) : null,
    stock_status: ctx.random() < 0.9 ? 'instock' : 'outofstock',
    parent_id: 0,
    categories: category ? [{ id: category.id, name: category.name, slug: category.slug }] : [],
    tags: [],
    attributes: refs.variable
      ? [{ id: 1, name: 'Size', position: 0, visible: true, variation: true, options: SIZES.slice(0, 3) }]
      : [],
    variations: [],
    meta_data: [{ id: id * 10, key: '_origin', value: 'fake' }],
  };
  stamp(record, 'date_created', created, ctx.offsetMinutes);
  stamp(record, 'date_modified', modified, ctx.offsetMinutes);
  return record;
}

export function variationRecord(
  ctx: RecordContext,
  id: number,
  product: WooRecord,
  index: number,
  at: Date,
): WooRecord {
  const regular = price(ctx.random);
  const record: WooRecord = {
    id,
    description: '',
    permalink: `https://shop.example.com/product/${product.id}/?attribute_size=${index}`,
    sku: `SKU-${product.id}-${index}`,
    price: regular,
    regular_price: regular,
    sale_price: '',
    on_sale: false,
    status: 'publish',
    manage_stock: true,
    stock_quantity: Math.floor(ctx.random() * 50),
    stock_status: 'instock',
    attributes: [{ id: 1, name: 'Size', option: SIZES[index % SIZES.length] }],
    menu_order: index,
    meta_data: [],
  };
  stamp(record, 'date_created', at, ctx.offsetMinutes);
  stamp(record, 'date_modified', at, ctx.offsetMinutes);
  return record;
}

export function orderRecord(
  ctx: RecordContext,
  id: number,
  refs: { customers: WooRecord[]; products: WooRecord[] },
  created: Date,
  modified: Date,
): WooRecord {
  const customer = refs.customers.length && ctx.random() < 0.8 ? pick(ctx.random, refs.customers) : undefined;
  const first = (customer?.first_name as string | undefined) ?? pick(ctx.random, FIRST);
  const last = (customer?.last_name as string | undefined) ?? pick(ctx.random, LAST);
  const lines = refs.products.length ? 1 + Math.floor(ctx.random() * 3) : 0;
  const lineItems = Array.from({ length: lines }, (_, i) => {
    const product = pick(ctx.random, refs.products);
    const quantity = 1 + Math.floor(ctx.random() * 3);
    const unit = Number(product.price || '1');
    return {
      id: id * 10 + i,
      name: product.name,
      product_id: product.id,
      variation_id: 0,
      quantity,
      tax_class: '',
      subtotal: (unit * quantity).toFixed(2),
      subtotal_tax: '0.00',
      total: (unit * quantity).toFixed(2),
      total_tax: '0.00',
      taxes: [],
      meta_data: [],
      sku: product.sku,
      price: unit,
    };
  });
  const total = lineItems.reduce((sum, l) => sum + Number(l.total), 0);
  const status = pick(ctx.random, ['pending', 'processing', 'completed', 'completed', 'cancelled']);
  const record: WooRecord = {
    id,
    parent_id: 0,
    number: String(id),
    order_key: `wc_order_${id.toString(36)}`,
    created_via: 'checkout',
    version: '9.4.0',
    status,
    currency: 'EUR',
    discount_total: '0.00',
    discount_tax: '0.00',
    shipping_total: '4.90',
    shipping_tax: '0.00',
    cart_tax: '0.00',
    total: (total + 4.9).toFixed(2),
    total_tax: '0.00',
    prices_include_tax: true,
    customer_id: customer?.id ?? 0,
    customer_note: '',
    billing: addressOf(ctx.random, first, last, customer ? (customer.email as string) : ''),
    shipping: addressOf(ctx.random, first, last),
    payment_method: 'bacs',
    payment_method_title: 'Direct bank transfer',
    transaction_id: '',
    line_items: lineItems,
    meta_data: [],
  };
  stamp(record, 'date_created', created, ctx.offsetMinutes);
  stamp(record, 'date_modified', modified, ctx.offsetMinutes);
  stamp(record, 'date_paid', status === 'pending' ? null : created, ctx.offsetMinutes);
  stamp(record, 'date_completed', status === 'completed' ? modified : null, ctx.offsetMinutes);
  return record;
}

const CATEGORY_NAMES = ['Clothing &amp; Accessories', 'Posters', 'Music', 'Home', 'Stationery', 'Gifts'];

export function categoryRecord(id: number, index: number, parent: number): WooRecord {
  const name = `${CATEGORY_NAMES[index % CATEGORY_NAMES.length]}${index >= CATEGORY_NAMES.length ? ` ${index}` : ''}`;
  return {
    id,
    name,
    slug: name.toLowerCase().replace(/&amp;/g, 'and').replace(/\s+/g, '-'),
    parent,
    description: '',
    display: 'default',
    image: null,
    menu_order: index,
    count: 0,
  };
}

export function attributeRecord(id: number, index: number): WooRecord {
  const name = ['Size', 'Colour', 'Material', 'Fit'][index % 4]! + (index >= 4 ? ` ${index}` : '');
  return {
    id,
    name,
    slug: `pa_${name.toLowerCase().replace(/\s+/g, '-')}`,
    type: 'select',
    order_by: 'menu_order',
    has_archives: false,
  };
}
