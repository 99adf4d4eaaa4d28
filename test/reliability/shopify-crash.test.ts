import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeShopify, type FakeShopifyServer } from '../fakes/shopify/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { expectResumedExactly } from '../helpers/resume-assertions.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers, spawnWorker } from '../helpers/worker-process.js';

let h: SyncHarness;
let fake: FakeShopifyServer;
const CUSTOMERS = 1500;

beforeAll(async () => {
  h = await createSyncHarness('shopcrash', {
    SYNC_BATCH_SIZE: '50',
    SYNC_JOB_LOCK_DURATION: '2s',
    SYNC_SHUTDOWN_TIMEOUT: '15s',
  });
  // Slow answers and a roomy bucket: the worker is surely mid-walk when it is killed.
  fake = await startFakeShopify({
    customers: CUSTOMERS,
    seed: 9,
    latencyMs: 80,
    bucketCapacity: 20_000,
    restorePerSecond: 10_000,
  });
});

afterAll(async () => {
  await killAllWorkers();
  await h?.close();
  await fake?.close();
});

// Paging is crashed in worker-crash.test.ts, over every source; this is the bulk export's resume by line.
test('kill -9 of the worker mid bulk export: a new worker resumes by line, exact counts, one completion', async () => {
  const conn = await h.addConnection(fake.connection({ bulkThreshold: 1, bulkPollIntervalMs: 50 }));
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  const first = spawnWorker(h.env);
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 4, {
    timeoutMs: 60_000,
    what: 'four batches before the crash',
  });
  const checkpoint = ((await h.progress(syncId)).metadata as { checkpoint?: { walk?: string } }).checkpoint;
  expect(checkpoint?.walk).toBe('bulk');
  first.kill('SIGKILL');
  await first.exited;
  expect((await h.progress(syncId)).status).toBe('in_progress');

  const second = spawnWorker(h.env);
  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
  await expectResumedExactly(h, syncId, conn.id, CUSTOMERS);
  expect(fake.bulk.started).toHaveLength(1); // resumed from its file, not exported again
  second.kill('SIGTERM');
  await second.exited;
}, 240_000); // two worker start-ups and two walks: as long as its own waits allow
