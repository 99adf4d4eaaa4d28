import type { FakeFailure, FakeStoreControl, FakeStoreFactory, FakeStoreRequest } from '../fake-store.js';
import { ENTITY_MODELS, type OdooEntity } from './data.js';
import { hasActive } from './models.js';
import { REF } from './reference.js';
import { startFakeOdoo, type FakeOdooServer } from './server.js';
import type { OdooTrouble } from './trouble.js';
import type { Row } from './values.js';

/**
 * The fake Odoo behind the shared suites' FakeStoreControl (and Odoo's own
 * tests: every entity, archiving, the server itself). Records are picked by
 * index in id order; each change is its own transaction (its own
 * `write_date`), after the clock moved one second. The deletion scan is what
 * calls `search` (pages use `search_read`).
 */
export interface OdooStoreControl extends FakeStoreControl {
  readonly server: FakeOdooServer;
  ids(entity: OdooEntity): string[];
  add(entity: OdooEntity, n: number): string[];
  modify(entity: OdooEntity, n: number, from?: number): string[];
  remove(entity: OdooEntity, n: number, from?: number): string[];
  /** `n` records of `entity` dated in the past (before any sync). */
  seed(entity: OdooEntity, n: number): string[];
  /** Archives `n` records (`active = false`: an update for the mirror, never a deletion). */
  archive(entity: OdooEntity, n: number, from?: number): string[];
}

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

const FAILURES: Record<FakeFailure, (retryAfterSeconds: number) => OdooTrouble> = {
  unavailable: () => ({ kind: 'http', status: 502 }),
  rate_limited: (retryAfterSeconds) => ({ kind: 'http', status: 429, retryAfterSeconds }),
  bad_body: () => ({ kind: 'bad-body' }),
};

/** A shared-suite factory for the fake Odoo over `protocol`. */
export function odooFakeStore(protocol: 'jsonrpc' | 'json2' = 'jsonrpc'): FakeStoreFactory {
  const label = protocol === 'jsonrpc' ? 'Odoo' : 'Odoo (JSON-2)';
  return {
    source: 'odoo',
    label,
    start: (init = {}) =>
      startOdooStore({
        protocol,
        customers: init.customers ?? 25,
        products: init.products ?? 20,
        seed: init.seed ?? 1,
      }),
  };
}

/** A fake Odoo with `customers` and `products` (and a couple of categories), as a store control. */
export async function startOdooStore(
  options: { protocol?: 'jsonrpc' | 'json2'; customers?: number; products?: number; seed?: number } = {},
): Promise<OdooStoreControl> {
  const { protocol = 'jsonrpc' } = options;
  const server = await startFakeOdoo({
    seed: options.seed ?? 1,
    customers: options.customers ?? 0,
    // An eighth of the customers (up to 300) share one write_date, as after a bulk import:
    // every shared suite then meets a tie across page boundaries.
    tiedCustomers: Math.min(300, Math.floor((options.customers ?? 0) / 8)),
    products: options.products ?? 0,
    categories: 2,
    suppliers: 0,
    orders: 0,
    invoices: 0,
    quants: 0,
    attributes: 0,
    noise: false,
    // No company contacts: unlinking a company would change its contacts too (ON DELETE SET NULL),
    // and the shared suites count the records they touch.
    contacts: false,
  });
  const { db, data } = server;
  // Small id-scan chunks, so that the suites see the scan resume between chunks.
  const connection = server.connection({ protocol, idScanChunk: 100 });
  const seen: FakeStoreRequest[] = [];
  let latency: { ms: number; only?: 'idScan' } = { ms: 0 };
  let hook: ((request: FakeStoreRequest) => void | Promise<void>) | undefined;
  server.behaviour.onRequest = async (r) => {
    const request: FakeStoreRequest = { n: r.n, at: r.at, idScan: r.method === 'search' };
    seen.push(request);
    await hook?.(request);
    if (latency.ms && (!latency.only || request.idScan)) await new Promise((x) => setTimeout(x, latency.ms));
  };

  const rows = (entity: OdooEntity) =>
    [...db.table(ENTITY_MODELS[entity]).values()].filter(ENTITY_FILTERS[entity]).sort((a, b) => a.id - b.id);
  const pick = (entity: OdooEntity, n: number, from: number) =>
    rows(entity)
      .slice(from, from + n)
      .map((r) => r.id);
  const create = (entity: OdooEntity, n: number, at?: () => number) =>
    Array.from({ length: n }, () => String(data.create(entity, at?.()).id));

  return {
    source: 'odoo',
    label: protocol === 'jsonrpc' ? 'Odoo' : 'Odoo (JSON-2)',
    url: server.url,
    credentials: connection.credentials,
    badCredentials: { ...connection.credentials, password: 'not-the-password-0dd0' },
    settings: connection.settings,
    server,
    ids: (entity) => rows(entity).map((r) => String(r.id)),
    seed: (entity, n) => create(entity, n, () => data.past()),
    add(entity, n) {
      db.advance(1);
      return create(entity, n);
    },
    modify(entity, n, from = 0) {
      db.advance(1);
      return pick(entity, n, from).map((id) => String(data.change(entity, id).id));
    },
    remove(entity, n, from = 0) {
      const ids = pick(entity, n, from);
      db.unlink(ENTITY_MODELS[entity], ids);
      return ids.map(String);
    },
    archive(entity, n, from = 0) {
      if (!hasActive(db.spec(ENTITY_MODELS[entity])))
        throw new Error(`fake odoo: ${entity} cannot be archived`);
      db.advance(1);
      const ids = pick(entity, n, from);
      db.write(ENTITY_MODELS[entity], ids, { active: false });
      return ids.map(String);
    },
    requests: () => [...seen],
    failNext(failure, count = 1, retryAfterSeconds = 1) {
      server.failNext(count, FAILURES[failure](retryAfterSeconds));
    },
    storm(storm) {
      server.behaviour.proxyStorm = storm
        ? {
            every: storm.rateLimitEvery,
            burst: storm.burst ?? 1,
            retryAfterSeconds: storm.retryAfterSeconds ?? 1,
            failureRate: storm.failureRate ?? 0,
          }
        : undefined;
    },
    trouble: () => ({
      rateLimited: server.requests.filter((r) => r.status === 429).length,
      failed: server.requests.filter((r) => r.status >= 500).length,
      authRefused: server.requests.filter((r) => r.authRefused).length,
    }),
    latency(ms, only) {
      latency = { ms, ...(only ? { only } : {}) };
    },
    onRequest(next) {
      hook = next;
    },
    close: () => server.close(),
  };
}
