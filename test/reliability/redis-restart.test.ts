import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { startPrivateRedis, type PrivateRedis } from '../helpers/private-redis.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let redis: PrivateRedis;
let h: SyncHarness;
let fake: FakeWooServer;
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
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
  await redis?.stop();
});

test('Redis killed and restarted mid-sync: the sync completes with exactly the source, once', async () => {
  const conn = await h.addConnection(fake.connection());
  await h.startWorkers();
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, { what: 'three batches' });

  await redis.kill();
  // Batches go on while Redis is down (they only need Postgres); BullMQ's
  // connections reconnect when it is back.
  await redis.start();

  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
  const row = await h.progress(syncId);
  expect(row.status).toBe('completed');
  expect(row.processedCount).toBe(CUSTOMERS);
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM sync_record WHERE connection_id = $1`,
    [conn.id],
  );
  expect(rows[0]).toEqual({ n: CUSTOMERS, d: CUSTOMERS });
  const log = await h.activity(syncId);
  expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
  expect(log.filter((r) => r.action === 'batch_process')).toHaveLength(row.batchNumber);
  const examined = log
    .filter((r) => r.action === 'batch_process')
    .reduce((s, r) => s + (r.record_count ?? 0), 0);
  expect(examined).toBe(CUSTOMERS);

  // The queue works again: a new sync of the same connection runs to the end.
  const again = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  expect(again.syncId).not.toBe(syncId);
  await h.waitForStatus(again.syncId, ['completed'], 120_000);
});
