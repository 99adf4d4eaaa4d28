import type { OdooEntity } from './data.js';
import { ENTITY_MODELS } from './data.js';
import { startFakeOdoo, type FakeOdooOptions, type FakeOdooServer, type OdooTrouble } from './server.js';
import { hasActive } from './models.js';
import { REF } from './reference.js';
import type { Row } from './values.js';

/**
 * The fake Odoo as the shared suites drive every fake store: seed, change,
 * count requests, inject trouble. Records are picked evenly across the id
 * range, so tests are deterministic; each change is its own transaction
 * (its own `write_date`), after the clock moved one second.
 */

/** Which records of the model are the entity's (the adapter's domains, for the fake's own picks). */
const ENTITY_FILTERS: Record<OdooEntity, (r: Row) => boolean> = {
  customer: (r) => (r.customer_rank as number) > 0,
  supplier: (r) => (r.supplier_rank as number) > 0,
  product: () => true,
  order: () => true,
  invoice: (r) => r.move_type === 'out_invoice' || r.move_type === 'out_refund',
  inventory: (r) => r.location_id === REF.locations.stock,
  category: () => true,
  attribute: () => true,
};

export interface OdooStoreControl {
  readonly source: 'odoo';
  readonly url: string;
  readonly credentials: Record<string, string>;
  readonly badCredentials: Record<string, string>;
  readonly settings: Record<string, unknown>;
  readonly server: FakeOdooServer;
  /** `n` records of `entity`, dated in the past (before any sync). */
  seed(entity: OdooEntity, n: number): string[];
  /** Changes `n` existing records (one transaction each); their ids. */
  modify(entity: OdooEntity, n: number): string[];
  /** Creates `n` records now; their ids. */
  add(entity: OdooEntity, n: number): string[];
  /** Unlinks `n` records; their ids. */
  remove(entity: OdooEntity, n: number): string[];
  /** Archives `n` records (`active = false`: an update for the mirror, never a deletion). */
  archive(entity: OdooEntity, n: number): string[];
  /** Ids of the entity's records now (archived included), ascending. */
  ids(entity: OdooEntity): string[];
  requestCount(): number;
  /** The next `count` requests meet `trouble` (a proxy status, an Odoo fault, a hang). */
  failNext(count: number, trouble: OdooTrouble): void;
  close(): Promise<void>;
}

/** A fake Odoo holding only its reference data (plus `options`' seeds), as a store control. */
export async function startOdooStore(
  options: FakeOdooOptions & { protocol?: 'jsonrpc' | 'json2' } = {},
): Promise<OdooStoreControl> {
  const { protocol = 'jsonrpc', ...rest } = options;
  const server = await startFakeOdoo({
    customers: 0,
    suppliers: 0,
    products: 0,
    orders: 0,
    invoices: 0,
    quants: 0,
    categories: 0,
    attributes: 0,
    noise: false,
    ...rest,
  });
  const { db, data } = server;
  const connection = server.connection({ protocol });
  const rows = (entity: OdooEntity) =>
    [...db.table(ENTITY_MODELS[entity]).values()].filter(ENTITY_FILTERS[entity]).sort((a, b) => a.id - b.id);
  const pick = (entity: OdooEntity, n: number): Row[] => {
    const all = rows(entity);
    if (n > all.length) throw new Error(`fake odoo: only ${all.length} ${entity} records, ${n} asked`);
    const step = all.length / n;
    return Array.from({ length: n }, (_, i) => all[Math.floor(i * step)]!);
  };
  const created = (entity: OdooEntity, n: number, at?: () => number) =>
    Array.from({ length: n }, () => String(data.create(entity, at?.()).id));

  return {
    source: 'odoo',
    url: server.url,
    credentials: connection.credentials,
    badCredentials: { ...connection.credentials, password: 'not-the-password' },
    settings: connection.settings,
    server,
    seed: (entity, n) => created(entity, n, () => data.past()),
    modify(entity, n) {
      db.advance(1);
      return pick(entity, n).map((r) => String(data.change(entity, r.id).id));
    },
    add(entity, n) {
      db.advance(1);
      return created(entity, n);
    },
    remove(entity, n) {
      const ids = pick(entity, n).map((r) => r.id);
      db.unlink(ENTITY_MODELS[entity], ids);
      return ids.map(String);
    },
    archive(entity, n) {
      if (!hasActive(db.spec(ENTITY_MODELS[entity])))
        throw new Error(`fake odoo: ${entity} cannot be archived`);
      db.advance(1);
      const ids = pick(entity, n).map((r) => r.id);
      db.write(ENTITY_MODELS[entity], ids, { active: false });
      return ids.map(String);
    },
    ids: (entity) => rows(entity).map((r) => String(r.id)),
    requestCount: () => server.requestCount,
    failNext: (count, trouble) => server.failNext(count, trouble),
    close: () => server.close(),
  };
}
