import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { perCalendarSecond } from '../helpers/per-second.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { killAllWorkers, spawnWorker } from '../helpers/worker-process.js';

let h: SyncHarness;
let fake: FakeWooServer;
const BUDGET = 6;

beforeAll(async () => {
  h = await createSyncHarness('budgetsync');
  // The fake alone in this process (its arrival times are not held up by the workers' work).
  fake = await startFakeWooCommerce({ customers: 700, products: 60, seed: 5 });
});

afterAll(async () => {
  await killAllWorkers();
  await h?.close();
  await fake?.close();
});

test(`three syncs of one store in two worker processes, with a budget of ${BUDGET} requests/s, never exceed it in any calendar second`, async () => {
  const settings = { authMode: 'query', rateLimitPerSecond: BUDGET };
  // Two connections to the same store (the URL spelled differently): one budget.
  const a = await h.addConnection(fake.connection(settings));
  const b = await h.addConnection({ ...fake.connection(settings), baseUrl: `${fake.url}/` });
  // Two processes, two jobs each, pages fetched 4 at a time: without the budget, bursts.
  const env = { ...h.env, SYNC_CONCURRENCY_WOOCOMMERCE: '2', SYNC_PAGE_CONCURRENCY: '4' };
  const workers = [spawnWorker(env, ['--no-maintenance']), spawnWorker(env, ['--no-maintenance'])];
  const syncs = await Promise.all([
    enqueueSync(h.runtime, { connectionId: a.id, entityType: 'customer' }),
    enqueueSync(h.runtime, { connectionId: b.id, entityType: 'customer' }),
    enqueueSync(h.runtime, { connectionId: b.id, entityType: 'product' }),
  ]);
  for (const { syncId } of syncs) {
    expect(await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 150_000)).toBe(
      'completed',
    );
  }
  const arrivals = fake.requests.map((r) => r.at);
  // 3 syncs × (count + pages + id scan) and the products' variations: far more than one second's worth.
  expect(arrivals.length).toBeGreaterThan(4 * BUDGET);
  const seconds = perCalendarSecond(arrivals);
  expect(seconds[0]!.count, JSON.stringify(seconds.slice(0, 3))).toBeLessThanOrEqual(BUDGET);
  for (const worker of workers) worker.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exited));
}, 240_000);
