import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { cancelSync } from '../../src/sync/cancel-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let h: SyncHarness;
let fake: FakeWooServer;
const SCAN_LATENCY_MS = 400;

beforeAll(async () => {
  h = await createSyncHarness('cancelscan', {
    SYNC_PAGE_CONCURRENCY: '4',
    // The id scan after the walk, as a source whose walk is not trusted gets it (the default skips it here).
    SYNC_ID_SCAN: 'always',
  });
  // 6,000 customers: a 64-request id scan, each answered after 400 ms (≈ 6.4 s at 4 in flight).
  fake = await startFakeWooCommerce({ customers: 6000, seed: 9 });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

test('a cancel during the id scan of a slow store stops the scan at once (counted at the fake)', async () => {
  const scanArrivals: number[] = [];
  fake.options.onRequest = async (_n, request) => {
    if (request.query._fields !== 'id') return;
    scanArrivals.push(Date.now());
    await new Promise((r) => setTimeout(r, SCAN_LATENCY_MS));
  };
  const conn = await h.addConnection(fake.connection({ authMode: 'query', rateLimitPerSecond: 1000 }));
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await waitFor(() => scanArrivals.length >= 2, { timeoutMs: 60_000, what: 'the id scan to start' });
  const atCancel = await h.progress(syncId);
  const cancelledAt = Date.now();
  await cancelSync(h.runtime, { syncId });

  const job = await h.runtime.queue(QueueNames.woocommerce).getJob(syncId);
  await waitFor(async () => ['completed', 'failed'].includes((await job?.getState()) ?? 'gone'), {
    timeoutMs: 20_000,
    what: 'the job to end',
  });
  expect(job && (await job.getState())).toBe('completed');
  const afterCancel = scanArrivals.filter((t) => t > cancelledAt).length;
  // What was in flight or prefetched while the watch noticed (≤ 1 s poll): a handful, not the
  // ~60 requests the rest of the scan needs.
  expect(afterCancel).toBeLessThanOrEqual(12);
  expect(scanArrivals.length).toBeLessThan(40);

  const after = await h.progress(syncId);
  expect(after.status).toBe('cancelled');
  expect(after.batchNumber).toBe(atCancel.batchNumber); // the final batch never committed
  const log = await h.activity(syncId);
  expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
    expect.objectContaining({ status: 'cancelled' }),
  ]);
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1 AND deleted_at IS NOT NULL`,
    [conn.id],
  );
  expect(rows[0].n).toBe(0);
});
