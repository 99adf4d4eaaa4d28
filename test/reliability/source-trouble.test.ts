import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import type { FakeAnswer } from '../fakes/woocommerce/listing.js';
import {
  startFakeWooCommerce,
  type FakeRequest,
  type FakeWooOptions,
  type FakeWooServer,
} from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { killAllWorkers } from '../helpers/worker-process.js';
import { expectExactRound, expectNoSecretInLogs, secretsOf, WorkerPool } from './round.js';

// A source that misbehaves, one store per kind of trouble, all synced at once by one worker
// process: 429 with Retry-After, 5xx (JSON and HTML), requests that hang past the HTTP timeout,
// HTML pages with a 200, truncated JSON, and an empty page whose X-WP-Total promises more. Every
// sync must end completed with exactly the store's records, once, and no log line may carry a
// secret.

const CUSTOMERS = 800;
const HTTP_TIMEOUT_MS = 1000;

let h: SyncHarness;
let workers: WorkerPool;
const fakes: FakeWooServer[] = [];

beforeAll(async () => {
  h = await createSyncHarness('sourcetrouble', {
    SYNC_BATCH_SIZE: '100',
    SYNC_PAGE_CONCURRENCY: '2',
    SYNC_HTTP_TIMEOUT: `${HTTP_TIMEOUT_MS}ms`,
    SYNC_BACKOFF_BASE: '200ms',
    SYNC_MAX_ATTEMPTS: '10',
    SYNC_CONCURRENCY_WOOCOMMERCE: '8',
  });
  workers = new WorkerPool(() => h.env);
});

afterAll(async () => {
  await workers?.stopAll();
  await killAllWorkers();
  await h?.close();
  for (const fake of fakes) await fake.close();
});

/** A page of customers (not the count, not the deletion scan's id pages). */
const isPage = (r: FakeRequest) =>
  r.route === 'customers' && r.query._fields !== 'id' && r.query.per_page !== '1';

/** `answer` for the page requests whose 1-based number `hit` picks; the store answers the others. */
function onPages(
  hit: (page: number) => boolean,
  answer: (r: FakeRequest) => FakeAnswer,
): FakeWooOptions['inject'] {
  let pages = 0;
  return (_n, r) => (isPage(r) && hit(++pages) ? answer(r) : undefined);
}

const html200: FakeAnswer = {
  status: 200,
  headers: { 'content-type': 'text/html; charset=UTF-8' },
  body: '<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>Checking your browser</body></html>',
};

const troubles: [string, FakeWooOptions][] = [
  ['429 with Retry-After', { rateLimit: { every: 4, burst: 2, retryAfterSeconds: 1 } }],
  ['5xx (JSON and HTML)', { failureRate: 0.25 }],
  ['503 as HTML pages', { rateLimit: { every: 5, status: 503, retryAfterSeconds: 1 }, htmlErrors: true }],
  [
    'an HTML page with a 200',
    {
      inject: onPages(
        (p) => p % 3 === 2,
        () => html200,
      ),
    },
  ],
  [
    'truncated JSON',
    {
      inject: onPages(
        (p) => p % 3 === 1,
        () => ({
          status: 200,
          headers: { 'content-type': 'application/json; charset=UTF-8', 'x-wp-total': String(CUSTOMERS) },
          body: '[{"id":1,"first_name":"Ann","email":"ann@exam',
        }),
      ),
    },
  ],
  [
    'an empty page with a wrong total',
    {
      inject: onPages(
        (p) => p === 3 || p === 6,
        () => ({ status: 200, headers: { 'x-wp-total': '99999', 'x-wp-totalpages': '1000' }, body: [] }),
      ),
    },
  ],
];

test('every kind of source trouble: each sync completes once with exactly the store', async () => {
  const rounds = [];
  for (const [i, [label, options]] of troubles.entries()) {
    const fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 20 + i, latencyMs: 5, ...options });
    fakes.push(fake);
    const conn = await h.addConnection(fake.connection({ authMode: 'basic', rateLimitPerSecond: 100 }));
    rounds.push({ label, fake, conn });
  }
  // Requests that hang: the 2nd and 5th page wait past the HTTP timeout.
  const hanging = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 30, latencyMs: 5 });
  fakes.push(hanging);
  let pages = 0;
  hanging.options.onRequest = async (_n, r) => {
    if (isPage(r) && [2, 5].includes(++pages)) await new Promise((x) => setTimeout(x, HTTP_TIMEOUT_MS * 2));
  };
  rounds.push({
    label: 'requests that time out',
    fake: hanging,
    conn: await h.addConnection(hanging.connection({ authMode: 'basic', rateLimitPerSecond: 100 })),
  });

  workers.spawn();
  // One after the other: the test's small Prisma pool, on a busy machine, would time out
  // waiting for seven transactions at once.
  const syncs = [];
  for (const r of rounds) {
    syncs.push({
      ...r,
      ...(await enqueueSync(h.runtime, { connectionId: r.conn.id, entityType: 'customer' })),
    });
  }
  for (const s of syncs) await workers.waitForEnd(h, s.syncId, 180_000);
  for (const s of syncs) {
    const troubled = s.fake.requests.filter((r) => r.trouble || r.status >= 400).length;
    console.log(`${s.label}: ${s.fake.requestCount} requests, ${troubled} refused or injected`);
    await expectExactRound(h, s.syncId, s.conn.id, s.fake.store.ids('customer').map(String));
  }
  // Each kind of trouble did happen.
  for (const s of syncs.filter((x) => x.label !== 'requests that time out')) {
    expect(
      s.fake.requests.some((r) => r.trouble),
      s.label,
    ).toBe(true);
  }
  expect(pages).toBeGreaterThanOrEqual(5);
  const secrets = syncs.flatMap((s) => secretsOf(h.env, s.fake.connection().credentials));
  expectNoSecretInLogs(workers.lines(), secrets);
}, 300_000);
