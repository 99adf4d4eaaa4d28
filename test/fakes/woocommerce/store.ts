import {
  attributeRecord,
  categoryRecord,
  customerRecord,
  orderRecord,
  productRecord,
  seededRandom,
  stamp,
  variationRecord,
  type RecordContext,
  type WooRecord,
} from './data.js';

export type FakeEntity = 'customer' | 'product' | 'order' | 'category' | 'attribute';

export interface FakeStoreOptions {
  /** Seed of every generated value. @defaultValue 1 */
  seed?: number;
  /** @defaultValue 25 */
  customers?: number;
  /** @defaultValue 20 */
  products?: number;
  /** Fraction of products that are `variable`. @defaultValue 0.25 */
  variableShare?: number;
  /** Variations per variable product. @defaultValue 3 */
  variationsPerProduct?: number;
  /** @defaultValue 20 */
  orders?: number;
  /** @defaultValue 6 */
  categories?: number;
  /** @defaultValue 3 */
  attributes?: number;
  /** Customers (by creation index, 0-based) whose email is malformed. @defaultValue [] */
  malformedCustomerIndexes?: number[];
  /** The first N products share one modification second (a bulk edit). @defaultValue 0 */
  bulkEditedProducts?: number;
  /** The store's clock at start; generated records are older. @defaultValue 2025-06-01T12:00:00Z */
  now?: Date;
  /** The store's local time zone offset (WordPress setting), minutes east of UTC. @defaultValue 120 */
  timezoneOffsetMinutes?: number;
}

const DAY = 86_400_000;

/**
 * The fake store's data and its clock. Products, variations and orders share
 * one id sequence (WordPress posts), customers another (users); ids only grow.
 * Mutations stamp `date_modified` with the store clock (`now()`), which moves
 * only when a test says so (`advance`, `setNow`), so ties are easy to make.
 */
export class FakeWooStore {
  readonly timezoneOffsetMinutes: number;
  /** Customer ids whose email is malformed. */
  readonly malformedCustomerIds: number[] = [];
  private clock: number;
  private readonly ctx: RecordContext;
  private readonly tables: Record<FakeEntity, Map<number, WooRecord>> = {
    customer: new Map(),
    product: new Map(),
    order: new Map(),
    category: new Map(),
    attribute: new Map(),
  };
  private readonly variations = new Map<number, Map<number, WooRecord>>();
  private readonly sorted = new Map<FakeEntity, WooRecord[]>();
  private nextPost = 100;
  private nextUser = 2;
  private nextTerm = 15;
  private nextAttribute = 1;

  constructor(options: FakeStoreOptions = {}) {
    this.timezoneOffsetMinutes = options.timezoneOffsetMinutes ?? 120;
    this.clock = (options.now ?? new Date('2025-06-01T12:00:00Z')).getTime();
    this.ctx = { random: seededRandom(options.seed ?? 1), offsetMinutes: this.timezoneOffsetMinutes };
    this.generate(options);
  }

  now(): Date {
    return new Date(this.clock);
  }

  /** Moves the store clock forward (whole seconds). */
  advance(seconds = 1): Date {
    this.clock += seconds * 1000;
    return this.now();
  }

  setNow(at: Date): void {
    this.clock = at.getTime();
  }

  /** Live records of `entity`, ascending by id (a cached array: do not mutate). */
  list(entity: FakeEntity): WooRecord[] {
    let list = this.sorted.get(entity);
    if (!list) {
      list = [...this.tables[entity].values()].sort((a, b) => a.id - b.id);
      this.sorted.set(entity, list);
    }
    return list;
  }

  ids(entity: FakeEntity): number[] {
    return this.list(entity).map((r) => r.id);
  }

  get(entity: FakeEntity, id: number): WooRecord | undefined {
    return this.tables[entity].get(id);
  }

  variationsOf(productId: number): WooRecord[] | undefined {
    const map = this.variations.get(productId);
    return map && [...map.values()].sort((a, b) => a.id - b.id);
  }

  /** Creates a record stamped `now()`, with a new id; `patch` overrides generated fields. */
  add(entity: FakeEntity, patch: Record<string, unknown> = {}): WooRecord {
    const now = this.now();
    const record = this.build(entity, now, now);
    Object.assign(record, patch, { id: record.id });
    this.put(entity, record);
    return record;
  }

  /** Applies `patch` and stamps `date_modified` with `now()`. */
  modify(entity: FakeEntity, id: number, patch: Record<string, unknown> = {}): WooRecord {
    const record = this.tables[entity].get(id);
    if (!record) throw new Error(`fake store: no ${entity} ${id}`);
    Object.assign(record, patch, { id });
    if (entity === 'customer' || entity === 'product' || entity === 'order') {
      stamp(record, 'date_modified', this.now(), this.timezoneOffsetMinutes);
    }
    return record;
  }

  /** Deletes for good (a product takes its variations along). */
  delete(entity: FakeEntity, id: number): boolean {
    const deleted = this.tables[entity].delete(id);
    if (deleted) this.sorted.delete(entity);
    if (entity === 'product') this.variations.delete(id);
    return deleted;
  }

  /** Moves a product to the trash (still listed with status=any). */
  trash(productId: number): WooRecord {
    return this.modify('product', productId, { status: 'trash' });
  }

  addVariation(productId: number): WooRecord {
    const product = this.tables.product.get(productId);
    if (!product) throw new Error(`fake store: no product ${productId}`);
    return this.addVariationAt(product, this.now());
  }

  private put(entity: FakeEntity, record: WooRecord): void {
    this.tables[entity].set(record.id, record);
    this.sorted.delete(entity);
  }

  private build(entity: FakeEntity, created: Date, modified: Date): WooRecord {
    switch (entity) {
      case 'customer':
        return customerRecord(this.ctx, this.nextUser++, created, modified);
      case 'product':
        return productRecord(
          this.ctx,
          this.nextPost++,
          { categories: this.list('category'), variable: false },
          created,
          modified,
        );
      case 'order':
        return orderRecord(
          this.ctx,
          this.nextPost++,
          { customers: this.list('customer'), products: this.list('product') },
          created,
          modified,
        );
      case 'category':
        return categoryRecord(this.nextTerm++, this.tables.category.size, 0);
      case 'attribute':
        return attributeRecord(this.nextAttribute++, this.tables.attribute.size);
    }
  }

  private generate(options: FakeStoreOptions): void {
    const random = this.ctx.random;
    const past = (index: number, count: number) => {
      // creation times ascend with ids, spread over the last 400 days; modified a little later
      const created = new Date(this.clock - 400 * DAY + Math.floor(((index + random()) / count) * 399 * DAY));
      const modified = new Date(
        Math.min(created.getTime() + Math.floor(random() * 5 * DAY), this.clock - DAY),
      );
      return { created, modified: new Date(Math.floor(modified.getTime() / 1000) * 1000) };
    };
    for (let i = 0; i < (options.categories ?? 6); i++) {
      const parents = this.list('category');
      this.put('category', categoryRecord(this.nextTerm++, i, i > 2 && parents.length ? parents[0]!.id : 0));
    }
    for (let i = 0; i < (options.attributes ?? 3); i++)
      this.put('attribute', attributeRecord(this.nextAttribute++, i));
    const customers = options.customers ?? 25;
    for (let i = 0; i < customers; i++) {
      const { created, modified } = past(i, customers);
      const record = customerRecord(this.ctx, this.nextUser++, created, modified);
      if (options.malformedCustomerIndexes?.includes(i)) {
        record.email = `not-an-email-${record.id}`;
        this.malformedCustomerIds.push(record.id);
      }
      this.put('customer', record);
    }
    const products = options.products ?? 20;
    const share = options.variableShare ?? 0.25;
    const bulkAt = new Date(this.clock - 2 * DAY);
    for (let i = 0; i < products; i++) {
      const { created, modified } = past(i, products);
      const variable = random() < share;
      const at = i < (options.bulkEditedProducts ?? 0) ? bulkAt : modified;
      const record = productRecord(
        this.ctx,
        this.nextPost++,
        { categories: this.list('category'), variable },
        created,
        at,
      );
      this.put('product', record);
      if (variable)
        for (let v = 0; v < (options.variationsPerProduct ?? 3); v++) this.addVariationAt(record, created);
    }
    const orders = options.orders ?? 20;
    for (let i = 0; i < orders; i++) {
      const { created, modified } = past(i, orders);
      const refs = { customers: this.list('customer'), products: this.list('product') };
      this.put('order', orderRecord(this.ctx, this.nextPost++, refs, created, modified));
    }
  }

  private addVariationAt(product: WooRecord, at: Date): WooRecord {
    const map = this.variations.get(product.id) ?? new Map<number, WooRecord>();
    this.variations.set(product.id, map);
    const variation = variationRecord(this.ctx, this.nextPost++, product, map.size, at);
    map.set(variation.id, variation);
    product.variations = [...map.keys()];
    return variation;
  }
}
