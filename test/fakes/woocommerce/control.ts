import type { FakeEntity, FakeStoreControl, FakeStoreFactory, FakeStoreRequest } from '../fake-store.js';
import { wooError, type FakeAnswer } from './listing.js';
import { startFakeWooCommerce, type FakeRequest } from './server.js';

/**
 * The WooCommerce fake behind the shared suites' FakeStoreControl. Query
 * keys (`authMode: 'query'`) keep requests cheap; the id scan is what asks
 * for `_fields=id`.
 */
export const wooCommerceFakeStore: FakeStoreFactory = {
  source: 'woocommerce',
  label: 'WooCommerce',
  async start(init = {}) {
    const server = await startFakeWooCommerce({
      customers: init.customers ?? 25,
      products: init.products ?? 20,
      seed: init.seed ?? 1,
    });
    const { store } = server;
    const seen: FakeStoreRequest[] = [];
    const failures: { failure: 'unavailable' | 'rate_limited' | 'bad_body'; retryAfterSeconds: number }[] =
      [];
    let latency: { ms: number; only?: 'idScan' } = { ms: 0 };
    let hook: ((request: FakeStoreRequest) => void | Promise<void>) | undefined;
    let edits = 0;
    const asRequest = (n: number, r: FakeRequest): FakeStoreRequest => ({
      n,
      at: r.at,
      idScan: r.query._fields === 'id',
    });

    server.options.onRequest = async (n, r) => {
      const request = asRequest(n, r);
      seen.push(request);
      await hook?.(request);
      if (latency.ms && (!latency.only || request.idScan))
        await new Promise((x) => setTimeout(x, latency.ms));
    };
    server.options.inject = (): FakeAnswer | undefined => {
      const next = failures.shift();
      if (!next) return undefined;
      if (next.failure === 'unavailable') return wooError(503, 'unavailable', 'Service Unavailable');
      if (next.failure === 'bad_body') return { status: 200, body: { not: 'an array' } };
      const answer = wooError(429, 'too_many_requests', 'Too many requests, slow down.');
      return { ...answer, headers: { ...answer.headers, 'retry-after': String(next.retryAfterSeconds) } };
    };
    const pick = (entity: FakeEntity, n: number, from: number) => store.ids(entity).slice(from, from + n);

    const control: FakeStoreControl = {
      source: 'woocommerce',
      label: 'WooCommerce',
      url: server.url,
      credentials: { key: server.consumerKey, secret: server.consumerSecret },
      badCredentials: { key: server.consumerKey, secret: 'cs_0000000000000000000000000000000000000bad' },
      settings: { authMode: 'query' },
      ids: (entity) => store.ids(entity).map(String),
      add(entity, n) {
        store.advance(60);
        return Array.from({ length: n }, () => String(store.add(entity).id));
      },
      modify(entity, n, from = 0) {
        store.advance(60);
        const ids = pick(entity, n, from);
        edits++;
        for (const id of ids) {
          store.modify(
            entity,
            id,
            entity === 'customer'
              ? { first_name: `Changed-${id}-${edits}` }
              : { name: `Renamed ${id} (${edits})` },
          );
        }
        return ids.map(String);
      },
      remove(entity, n, from = 0) {
        const ids = pick(entity, n, from);
        for (const id of ids) store.delete(entity, id);
        return ids.map(String);
      },
      requests: () => [...seen],
      failNext(failure, count = 1, retryAfterSeconds = 1) {
        for (let i = 0; i < count; i++) failures.push({ failure, retryAfterSeconds });
      },
      storm(storm) {
        server.options.rateLimit = storm
          ? {
              every: storm.rateLimitEvery,
              burst: storm.burst ?? 1,
              retryAfterSeconds: storm.retryAfterSeconds ?? 1,
            }
          : undefined;
        server.options.failureRate = storm?.failureRate ?? 0;
      },
      trouble: () => ({
        rateLimited: server.requests.filter(
          (r) => r.status === 429 || (r.status === 503 && r.trouble === 'rate-limit'),
        ).length,
        failed: server.requests.filter((r) => r.status >= 500 && r.trouble !== 'rate-limit').length,
        authRefused: server.requests.filter((r) => r.status === 401).length,
      }),
      latency(ms, only) {
        latency = { ms, ...(only ? { only } : {}) };
      },
      onRequest(next) {
        hook = next;
      },
      close: () => server.close(),
    };
    return control;
  },
};
