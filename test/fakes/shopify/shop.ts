import {
  customerData,
  money,
  pick,
  productData,
  seededRandom,
  variantData,
  type ShopCollection,
  type ShopCustomer,
  type ShopInventoryItem,
  type ShopOrder,
  type ShopProduct,
} from './data.js';

export type ShopEntity = 'customer' | 'product' | 'order' | 'category' | 'inventory';

export interface FakeShopOptions {
  /** Seed of every generated value. @defaultValue 1 */
  seed?: number;
  /** @defaultValue 25 */
  customers?: number;
  /** @defaultValue 10 */
  products?: number;
  /** Variants per product (cycled 1…n, so some products have more than a page of them). @defaultValue 3 */
  variantsPerProduct?: number;
  /** @defaultValue 10 */
  orders?: number;
  /** @defaultValue 4 */
  collections?: number;
  /** @defaultValue 2 */
  locations?: number;
  /** The shop's clock at start (records are older). @defaultValue 2026-06-01T12:00:00Z */
  now?: Date;
  /** The first N customers share one `updatedAt` (a bulk import). @defaultValue 0 */
  tiedCustomers?: number;
}

/** Ids start just below a power of ten, so gids cross a digit boundary: `…/9999` < `…/10000`. */
const FIRST_ID = 9_990;
const DAY = 86_400_000;

type Tables = {
  customer: Map<number, ShopCustomer>;
  product: Map<number, ShopProduct>;
  order: Map<number, ShopOrder>;
  category: Map<number, ShopCollection>;
  inventory: Map<number, ShopInventoryItem>;
};

/**
 * The fake shop's data and clock. Times are whole seconds and move only when
 * a test says so (`advance`), so ties on `updatedAt` are easy to make.
 * Products own their variants and one inventory item per variant.
 */
export class FakeShop {
  readonly locations: { id: number; name: string }[] = [];
  private clock: number;
  private readonly random: () => number;
  private readonly tables: Tables = {
    customer: new Map(),
    product: new Map(),
    order: new Map(),
    category: new Map(),
    inventory: new Map(),
  };
  private readonly next: Record<string, number> = {};
  private readonly variantsPerProduct: number;

  constructor(options: FakeShopOptions = {}) {
    this.clock = Math.floor((options.now ?? new Date('2026-06-01T12:00:00Z')).getTime() / 1000) * 1000;
    this.random = seededRandom(options.seed ?? 1);
    this.variantsPerProduct = Math.max(1, options.variantsPerProduct ?? 3);
    for (let i = 0; i < (options.locations ?? 2); i++) {
      this.locations.push({ id: this.nextId('location'), name: `Warehouse ${i + 1}` });
    }
    const start = this.clock - 300 * DAY;
    const tiedAt = start + 10 * DAY;
    const spread = (i: number, n: number) =>
      start + Math.floor(((i / Math.max(1, n)) * 290 * DAY) / 1000) * 1000;
    const customers = options.customers ?? 25;
    for (let i = 0; i < customers; i++) {
      this.insertCustomer(i < (options.tiedCustomers ?? 0) ? tiedAt : spread(i, customers));
    }
    const products = options.products ?? 10;
    for (let i = 0; i < products; i++)
      this.insertProduct(spread(i, products), (i % this.variantsPerProduct) + 1);
    const orders = options.orders ?? 10;
    for (let i = 0; i < orders; i++) this.insertOrder(spread(i, orders));
    for (let i = 0; i < (options.collections ?? 4); i++) this.insertCollection(spread(i, 4));
  }

  now(): number {
    return this.clock;
  }

  /** Moves the shop clock forward (whole seconds). */
  advance(seconds = 1): number {
    this.clock += seconds * 1000;
    return this.clock;
  }

  /** Live records of `entity`, ascending by id. */
  list<E extends ShopEntity>(entity: E): Tables[E] extends Map<number, infer R> ? R[] : never {
    return [...this.tables[entity].values()].sort((a, b) => a.id - b.id) as never;
  }

  get<E extends ShopEntity>(
    entity: E,
    id: number,
  ): (Tables[E] extends Map<number, infer R> ? R : never) | undefined {
    return this.tables[entity].get(id) as never;
  }

  size(entity: ShopEntity): number {
    return this.tables[entity].size;
  }

  ids(entity: ShopEntity): number[] {
    return this.list(entity).map((r) => r.id);
  }

  /** A new record stamped now. */
  add(entity: ShopEntity): number {
    switch (entity) {
      case 'customer':
        return this.insertCustomer(this.clock);
      case 'product':
        return this.insertProduct(this.clock, this.variantsPerProduct);
      case 'order':
        return this.insertOrder(this.clock);
      case 'category':
        return this.insertCollection(this.clock);
      case 'inventory':
        throw new Error('inventory items come with product variants: add a product');
    }
  }

  /** Changes a record's content and stamps it now. */
  modify(entity: ShopEntity, id: number): void {
    const now = this.clock;
    const suffix = `changed-${now / 1000}`;
    if (entity === 'customer') {
      const c = this.tables.customer.get(id)!;
      c.lastName = `${c.lastName ?? ''} ${suffix}`.trim();
      c.updatedAt = now;
    } else if (entity === 'product') {
      const p = this.tables.product.get(id)!;
      p.title = `${p.title} ${suffix}`;
      p.variants[0]!.price = money(this.random);
      p.updatedAt = now;
    } else if (entity === 'order') {
      const o = this.tables.order.get(id)!;
      o.fulfillmentStatus = o.fulfillmentStatus === 'FULFILLED' ? 'UNFULFILLED' : 'FULFILLED';
      o.updatedAt = now;
    } else if (entity === 'category') {
      const c = this.tables.category.get(id)!;
      c.title = `${c.title} ${suffix}`;
      c.updatedAt = now;
    } else {
      const item = this.tables.inventory.get(id)!;
      item.levels[0]!.available += 1;
      item.levels[0]!.updatedAt = now;
      item.updatedAt = now;
    }
  }

  /** Deletes a record (a product takes its variants' inventory items along). */
  remove(entity: ShopEntity, id: number): void {
    if (entity === 'product') {
      for (const v of this.tables.product.get(id)?.variants ?? [])
        this.tables.inventory.delete(v.inventoryItemId);
    }
    this.tables[entity].delete(id);
  }

  private nextId(kind: string): number {
    this.next[kind] = (this.next[kind] ?? FIRST_ID) + 1;
    return this.next[kind]!;
  }

  private insertCustomer(at: number): number {
    const id = this.nextId('customer');
    this.tables.customer.set(id, customerData(this.random, id, at));
    return id;
  }

  private insertProduct(at: number, variantCount: number): number {
    const id = this.nextId('product');
    const variants = Array.from({ length: variantCount }, (_, position) => {
      const itemId = this.nextId('inventory');
      const variant = variantData(this.random, this.nextId('variant'), position, itemId);
      this.tables.inventory.set(itemId, {
        id: itemId,
        sku: variant.sku,
        variantId: variant.id,
        tracked: true,
        unitCost: this.random() < 0.5 ? money(this.random, 50) : null,
        levels: this.locations.map((l) => ({
          locationId: l.id,
          available: Math.floor(this.random() * 30),
          onHand: 30,
          committed: 0,
          updatedAt: at,
        })),
        createdAt: at,
        updatedAt: at,
      });
      return variant;
    });
    this.tables.product.set(id, productData(this.random, id, at, variants));
    return id;
  }

  private insertOrder(at: number): number {
    const id = this.nextId('order');
    const customers = [...this.tables.customer.keys()];
    const variants = [...this.tables.product.values()].flatMap((p) => p.variants);
    const lines = 1 + Math.floor(this.random() * 7);
    this.tables.order.set(id, {
      id,
      number: 1000 + this.tables.order.size + 1,
      email: null,
      customerId: customers.length ? pick(this.random, customers) : null,
      financialStatus: pick(this.random, ['PAID', 'PENDING', 'REFUNDED']),
      fulfillmentStatus: pick(this.random, ['FULFILLED', 'UNFULFILLED']),
      total: money(this.random, 500),
      lineItems: Array.from({ length: lines }, () => {
        const variant = variants.length ? pick(this.random, variants) : undefined;
        return {
          id: this.nextId('line'),
          name: variant ? `Item ${variant.sku}` : 'Custom item',
          sku: variant?.sku ?? null,
          quantity: 1 + Math.floor(this.random() * 3),
          variantId: variant?.id ?? null,
          price: variant?.price ?? money(this.random),
        };
      }),
      createdAt: at,
      updatedAt: at,
    });
    return id;
  }

  private insertCollection(at: number): number {
    const id = this.nextId('collection');
    const title = `Collection ${id}`;
    this.tables.category.set(id, {
      id,
      title,
      handle: title.toLowerCase().replace(/\s+/g, '-'),
      descriptionHtml: `<p>${title}</p>`,
      sortOrder: 'BEST_SELLING',
      updatedAt: at,
    });
    return id;
  }
}
