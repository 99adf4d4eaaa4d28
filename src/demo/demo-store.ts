import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateCatalogue, seededRandom, type CatalogueOptions, type DemoRecord } from './demo-catalogue.js';
import { DEMO_COLLECTIONS, listCollection, wooErrorAnswer, type DemoAnswer } from './demo-listing.js';

/**
 * The demo store: a small WooCommerce-compatible server (REST v3 customers
 * and products) on 127.0.0.1, shipped with the package for `sync-worker demo`
 * and `start --demo`. It answers like a real store on a modest host: a few
 * tens of milliseconds per request, and now and then a 429 with
 * `Retry-After: 1` (the worker waits it out, and Bull Board's log says so).
 * Authentication: the consumer key and secret in HTTP Basic or in the query
 * string (`consumer_key` / `consumer_secret`).
 */

export interface DemoStoreOptions extends CatalogueOptions {
  /** Port on 127.0.0.1. @defaultValue 0 (any free port) */
  port?: number;
  /** Each answer waits between these many milliseconds (seeded). @defaultValue [15, 45] */
  latencyMs?: readonly [number, number];
  /** Every Nth request is answered 429 with `Retry-After: 1`; 0 never. @defaultValue 25 */
  rateLimitEvery?: number;
}

export interface DemoStore {
  /** The store root, e.g. `http://127.0.0.1:41234` (API under `/wp-json/wc/v3`). */
  url: string;
  /** As `connection add` stores them. */
  credentials: { key: string; secret: string };
  customers: number;
  products: number;
  /** Requests answered so far. */
  readonly requests: number;
  close(): Promise<void>;
}

/** The demo store's keys: fixed, so that a stored demo connection works again after a restart. */
export const DEMO_STORE_KEY = 'ck_demo_0123456789abcdef0123456789abcdef01234567';
export const DEMO_STORE_SECRET = 'cs_demo_fedcba9876543210fedcba9876543210fedcba98';

const API_PREFIX = '/wp-json/wc/v3/';

export async function startDemoStore(options: DemoStoreOptions = {}): Promise<DemoStore> {
  const catalogue = generateCatalogue(options);
  const collections: Record<
    string,
    { records: DemoRecord[]; rules: (typeof DEMO_COLLECTIONS)[keyof typeof DEMO_COLLECTIONS] }
  > = {
    customers: { records: catalogue.customers, rules: DEMO_COLLECTIONS.customers },
    products: { records: catalogue.products, rules: DEMO_COLLECTIONS.products },
  };
  const [fastest, slowest] = options.latencyMs ?? [15, 45];
  const jitter = seededRandom((options.seed ?? 2026) ^ 0x1a7e);
  const rateLimitEvery = options.rateLimitEvery ?? 25;
  let count = 0;

  const answer = (req: IncomingMessage, n: number): DemoAnswer => {
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    if (req.method !== 'GET' || !url.pathname.startsWith(API_PREFIX)) {
      return wooErrorAnswer(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    if (rateLimitEvery > 0 && n % rateLimitEvery === 0) {
      return {
        ...wooErrorAnswer(
          429,
          'too_many_requests',
          'Too many requests: the demo store asks you to slow down.',
        ),
        headers: { 'retry-after': '1' },
      };
    }
    const denied = authenticate(req, url.searchParams);
    if (denied) return denied;
    const collection = collections[url.pathname.slice(API_PREFIX.length).replace(/\/+$/, '')];
    if (!collection) {
      return wooErrorAnswer(404, 'rest_no_route', 'No route was found matching the URL and request method.');
    }
    return listCollection(collection.records, url.searchParams, collection.rules);
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const n = ++count;
    const reply = answer(req, n);
    const delay = fastest + Math.floor(jitter() * Math.max(0, slowest - fastest));
    setTimeout(() => {
      res.writeHead(reply.status, { 'content-type': 'application/json; charset=UTF-8', ...reply.headers });
      res.end(JSON.stringify(reply.body));
    }, delay);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    credentials: { key: DEMO_STORE_KEY, secret: DEMO_STORE_SECRET },
    customers: catalogue.customers.length,
    products: catalogue.products.length,
    get requests() {
      return count;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

const same = (given: string | null | undefined, expected: string): boolean => {
  const a = Buffer.from(given ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** HTTP Basic or query-string keys, as WooCommerce checks them; undefined when they match. */
function authenticate(req: IncomingMessage, query: URLSearchParams): DemoAnswer | undefined {
  let key: string | null = query.get('consumer_key');
  let secret: string | null = query.get('consumer_secret');
  const basic = /^Basic +(\S+)$/i.exec(req.headers.authorization ?? '');
  if (key === null && basic) {
    const decoded = Buffer.from(basic[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    key = decoded.slice(0, colon);
    secret = decoded.slice(colon + 1);
  }
  if (key === null) {
    return wooErrorAnswer(401, 'woocommerce_rest_cannot_view', 'Sorry, you cannot list resources.');
  }
  if (!same(key, DEMO_STORE_KEY)) {
    return wooErrorAnswer(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.');
  }
  if (!same(secret, DEMO_STORE_SECRET)) {
    return wooErrorAnswer(401, 'woocommerce_rest_authentication_error', 'Consumer secret is invalid.');
  }
  return undefined;
}
