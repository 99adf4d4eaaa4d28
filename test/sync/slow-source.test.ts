import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { installProgressAudit, progressAudit } from '../helpers/progress-audit.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;

beforeAll(async () => {
  // The default SYNC_BATCH_SIZE (a cap of 1,000 records, ten pages), one page at a time.
  h = await createSyncHarness('slowsource', { SYNC_PAGE_CONCURRENCY: '1' });
  await installProgressAudit(h.db.pool);
  // A slow source: every answer takes 2 s, so one page arrives every 2 s.
  fake = await startFakeWooCommerce({ customers: 200, seed: 5, latencyMs: 2000 });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

test('on a source answering one page every 2 s, the progress row advances with every page', async () => {
  const conn = await h.addConnection(fake.connection());
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 60_000);
  const row = await h.progress(syncId);
  expect(row.status).toBe('completed');
  expect(row.processedCount).toBe(200);
  // Pages of 95 new records (5 re-read for continuity), the last 10: a batch never waits
  // for more pages while one is ready, so each page is its own batch.
  const batches = (await progressAudit(h.db.pool, syncId)).filter(
    (a, i, all) => a.batch > 0 && a.batch !== all[i - 1]?.batch,
  );
  expect(batches.map((a) => [a.batch, a.processed])).toEqual([
    [1, 95],
    [2, 190],
    [3, 200],
  ]);
  expect(batches.at(-1)!.completed).toBe(true);
  const log = (await h.activity(syncId)).filter((r) => r.action === 'batch_process');
  expect(log.map((r) => r.record_count)).toEqual([95, 95, 10]);
});
