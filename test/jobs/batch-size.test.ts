import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;

beforeAll(async () => {
  // Larger than a WooCommerce page (100): a batch may group up to 2 pages of 95 new records.
  h = await createSyncHarness('batchsize', { SYNC_BATCH_SIZE: '250' });
  fake = await startFakeWooCommerce({ customers: 1000, seed: 21 });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

test('a batch size above the page size groups whole pages into one transaction, up to the cap', async () => {
  const conn = await h.addConnection(fake.connection());
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed']);
  const row = await h.progress(syncId);
  expect(row.status).toBe('completed');
  expect(row.processedCount).toBe(1000);
  const batches = (await h.activity(syncId)).filter((r) => r.action === 'batch_process');
  expect(batches).toHaveLength(row.batchNumber);
  // 95 new records a page (5 re-read for continuity), the last 50. Group commit takes the
  // pages ready when the previous commit ends: each batch is consecutive whole pages, ≤ 250 records.
  const pages = [...Array<number>(10).fill(95), 50];
  for (const batch of batches) {
    expect(batch.record_count).toBeLessThanOrEqual(250);
    let taken = 0;
    while (taken < batch.record_count! && pages.length > 0) taken += pages.shift()!;
    expect(taken).toBe(batch.record_count);
  }
  expect(pages).toEqual([]);
});
