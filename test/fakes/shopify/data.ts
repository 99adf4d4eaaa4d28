import { seededRandom } from '../woocommerce/data.js';

export { seededRandom };

/** The fake shop's records, stored in Shopify's terms (ids numeric, times epoch ms). */
export interface ShopCustomer {
  id: number;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  phone: string | null;
  state: string;
  locale: string;
  note: string | null;
  tags: string[];
  verifiedEmail: boolean;
  numberOfOrders: number;
  amountSpent: string;
  city: string;
  createdAt: number;
  updatedAt: number;
}

export interface ShopVariant {
  id: number;
  title: string;
  sku: string | null;
  barcode: string | null;
  price: string;
  compareAtPrice: string | null;
  position: number;
  inventoryQuantity: number;
  taxable: boolean;
  options: { name: string; value: string }[];
  inventoryItemId: number;
}

export interface ShopProduct {
  id: number;
  title: string;
  handle: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  vendor: string;
  productType: string;
  tags: string[];
  descriptionHtml: string;
  variants: ShopVariant[];
  createdAt: number;
  updatedAt: number;
}

export interface ShopLineItem {
  id: number;
  name: string;
  sku: string | null;
  quantity: number;
  variantId: number | null;
  price: string;
}

export interface ShopOrder {
  id: number;
  number: number;
  email: string | null;
  customerId: number | null;
  financialStatus: string;
  fulfillmentStatus: string;
  total: string;
  lineItems: ShopLineItem[];
  createdAt: number;
  updatedAt: number;
}

export interface ShopCollection {
  id: number;
  title: string;
  handle: string;
  descriptionHtml: string;
  sortOrder: string;
  updatedAt: number;
}

export interface ShopInventoryLevel {
  locationId: number;
  available: number;
  onHand: number;
  committed: number;
  updatedAt: number;
}

export interface ShopInventoryItem {
  id: number;
  sku: string | null;
  variantId: number;
  tracked: boolean;
  unitCost: string | null;
  levels: ShopInventoryLevel[];
  createdAt: number;
  updatedAt: number;
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const CITIES = ['Lyon', 'Ghent', 'Porto', 'Turin', 'Leeds', 'Basel'];
const WORDS = ['Linen', 'Oak', 'Copper', 'Wool', 'Slate', 'Cedar', 'Amber', 'Indigo'];

export function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)]!;
}

export function money(random: () => number, max = 200): string {
  return (Math.round(random() * max * 100) / 100 + 1).toFixed(2);
}

export function customerData(random: () => number, id: number, at: number): ShopCustomer {
  const firstName = pick(random, FIRST);
  const lastName = pick(random, LAST);
  const phoneOnly = random() < 0.05;
  return {
    id,
    firstName,
    lastName,
    email: phoneOnly ? null : `${firstName}.${lastName}.${id}@example.com`.toLowerCase(),
    phone: random() < 0.5 || phoneOnly ? `+3361234${String(id).slice(-4).padStart(4, '0')}` : null,
    state: 'ENABLED',
    locale: 'en',
    note: random() < 0.2 ? 'prefers email' : null,
    tags: random() < 0.3 ? ['vip'] : [],
    verifiedEmail: !phoneOnly,
    numberOfOrders: Math.floor(random() * 20),
    amountSpent: money(random, 2000),
    city: pick(random, CITIES),
    createdAt: at,
    updatedAt: at,
  };
}

export function productData(
  random: () => number,
  id: number,
  at: number,
  variants: ShopVariant[],
): ShopProduct {
  const title = `${pick(random, WORDS)} ${pick(random, ['Chair', 'Lamp', 'Scarf', 'Mug', 'Desk'])} ${id}`;
  return {
    id,
    title,
    handle: title.toLowerCase().replace(/\s+/g, '-'),
    status: random() < 0.9 ? 'ACTIVE' : 'DRAFT',
    vendor: pick(random, ['Atelier', 'Nordic Goods', 'Maison']),
    productType: pick(random, ['Furniture', 'Textile', 'Kitchen']),
    tags: random() < 0.5 ? ['new'] : [],
    descriptionHtml: `<p>${title}</p>`,
    variants,
    createdAt: at,
    updatedAt: at,
  };
}

export function variantData(
  random: () => number,
  id: number,
  position: number,
  inventoryItemId: number,
): ShopVariant {
  const size = ['S', 'M', 'L', 'XL'][position % 4]!;
  return {
    id,
    title: size,
    sku: `SKU-${id}`,
    barcode: random() < 0.5 ? String(400000000000 + id) : null,
    price: money(random),
    compareAtPrice: random() < 0.3 ? money(random, 300) : null,
    position: position + 1,
    inventoryQuantity: Math.floor(random() * 50),
    taxable: true,
    options: [{ name: 'Size', value: size }],
    inventoryItemId,
  };
}
