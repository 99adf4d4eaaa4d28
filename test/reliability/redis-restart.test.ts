import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers } from '../helpers/worker-process.js';
import { expectExactRound, expectNoSecretInLogs, secretsOf, TERMINAL, WorkerPool } from './round.js';

let redis: PrivateRedis;
let h: SyncHarness;
let fake: FakeWooServer;
let workers: WorkerPool;
const CUSTOMERS = 2000;

beforeAll(async () => {
  redis = await startPrivateRedis();
  h = await createSyncHarness('redisrestart', {
    REDIS_URL: redis.url,
    SYNC_BATCH_SIZE: '100',
    SYNC_PAGE_CONCURRENCY: '1',
    SYNC_JOB_LOCK_DURATION: '2s',
  });
  fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 9, latencyMs: 40 });
  workers = new WorkerPool(() => h.env);
});

afterAll(async () => {
  await workers?.stopAll();
  await killAllWorkers();
  await h?.close();
  await fake?.close();
  await redis?.stop();
});

test('Redis killed and restarted mid-sync: the worker process reconnects, the sync completes exactly once', async () => {
  const conn = await h.addConnection(fake.connection());
  workers.spawn();
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, {
    timeoutMs: 120_000,
    what: 'three batches',
  });

  await redis.kill();
  // Batches go on while Redis is down (they only need Postgres); BullMQ's
  // connections reconnect when it is back.
  await redis.start();

  await h.waitForStatus(syncId, TERMINAL, 120_000);
  await expectExactRound(h, syncId, conn.id, fake.store.ids('customer').map(String));

  // The queue works again: a new sync of the same connection runs to the end.
  const again = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  expect(again.syncId).not.toBe(syncId);
  await h.waitForStatus(again.syncId, ['completed'], 120_000);
  expectNoSecretInLogs(workers.lines(), secretsOf(h.env, fake.connection().credentials));
});
