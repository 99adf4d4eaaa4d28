import type {
  FakeEntity,
  FakeFailure,
  FakeStoreControl,
  FakeStoreFactory,
  FakeStoreRequest,
} from '../fake-store.js';
import { startFakeShopify, type InjectedAnswer } from './server.js';

const GID_TYPE: Record<FakeEntity, string> = { customer: 'Customer', product: 'Product' };

/**
 * The Shopify fake behind the shared suites' FakeStoreControl. The bucket is
 * roomy (the suites test paging, resume and errors, not the cost budget:
 * shopify-sync.test.ts runs the 1,000-point bucket) and full syncs page
 * (bulk exports are a snapshot, tested in shopify-bulk.test.ts); the id scan
 * is the query that selects ids only.
 */
export const shopifyFakeStore: FakeStoreFactory = {
  source: 'shopify',
  label: 'Shopify',
  async start(init = {}) {
    const server = await startFakeShopify({
      customers: init.customers ?? 25,
      products: init.products ?? 20,
      seed: init.seed ?? 1,
      bucketCapacity: 50_000,
      restorePerSecond: 50_000,
    });
    const { shop } = server;
    const seen: FakeStoreRequest[] = [];
    const failures: { failure: FakeFailure; retryAfterSeconds: number }[] = [];
    let latency: { ms: number; only?: 'idScan' } = { ms: 0 };
    let hook: ((request: FakeStoreRequest) => void | Promise<void>) | undefined;
    let storm: Parameters<FakeStoreControl['storm']>[0] = null;
    let calm = 0;
    const gid = (entity: FakeEntity, id: number) => `gid://shopify/${GID_TYPE[entity]}/${id}`;
    const pick = (entity: FakeEntity, n: number, from: number) => shop.ids(entity).slice(from, from + n);

    server.onRequest = async (info) => {
      const request: FakeStoreRequest = {
        n: info.n,
        at: Date.now(),
        idScan: /Ids$/.test(info.operationName ?? ''),
      };
      seen.push(request);
      await hook?.(request);
      if (latency.ms && (!latency.only || request.idScan))
        await new Promise((r) => setTimeout(r, latency.ms));
    };
    server.inject = (info) => {
      const next = failures.shift();
      if (next) return answerFor(next.failure, next.retryAfterSeconds);
      if (!storm) return undefined;
      if (info.n % storm.rateLimitEvery < (storm.burst ?? 1))
        return answerFor('rate_limited', storm.retryAfterSeconds ?? 1);
      // `failureRate` of the other requests, evenly spread: a shop sync makes few requests (250 records each).
      calm += 1;
      const every = storm.failureRate ? Math.max(1, Math.round(1 / storm.failureRate)) : 0;
      return every && calm % every === 0 ? answerFor('unavailable', 0) : undefined;
    };

    const control: FakeStoreControl = {
      source: 'shopify',
      label: 'Shopify',
      url: server.url,
      credentials: { token: server.token },
      badCredentials: { token: 'shpat_00000000000000000000000000000bad' },
      settings: { bulkThreshold: 1_000_000 },
      ids: (entity) => shop.ids(entity).map((id) => gid(entity, id)),
      add(entity, n) {
        shop.advance(60);
        return Array.from({ length: n }, () => gid(entity, shop.add(entity)));
      },
      modify(entity, n, from = 0) {
        shop.advance(60);
        const ids = pick(entity, n, from);
        for (const id of ids) shop.modify(entity, id);
        return ids.map((id) => gid(entity, id));
      },
      remove(entity, n, from = 0) {
        const ids = pick(entity, n, from);
        for (const id of ids) shop.remove(entity, id);
        return ids.map((id) => gid(entity, id));
      },
      requests: () => [...seen],
      failNext(failure, count = 1, retryAfterSeconds = 1) {
        for (let i = 0; i < count; i++) failures.push({ failure, retryAfterSeconds });
      },
      storm(next) {
        storm = next;
      },
      trouble: () => ({
        rateLimited: server.requests.filter((r) => r.status === 429).length,
        failed: server.requests.filter((r) => r.status >= 500).length,
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

/** What Shopify says for each failure the suites ask for. */
function answerFor(failure: FakeFailure, retryAfterSeconds: number): InjectedAnswer {
  switch (failure) {
    case 'unavailable':
      return { status: 503, body: { errors: 'Service Unavailable' } };
    case 'rate_limited':
      return {
        status: 429,
        body: {
          errors:
            'Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service.',
        },
        headers: { 'retry-after': String(retryAfterSeconds) },
      };
    case 'bad_body':
      // HTTP 200, JSON, but neither data nor errors: a proxy's answer, not Shopify's.
      return { status: 200, body: { ok: true } };
  }
}
