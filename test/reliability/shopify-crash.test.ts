import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeShopify, type FakeShopifyServer } from '../fakes/shopify/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
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
test.each([['a bulk export', { bulkThreshold: 1, bulkPollIntervalMs: 50 }]] as const)(
  'kill -9 of the worker mid-sync (%s): a new worker resumes from the checkpoint, exact counts, one completion',
  async (_walk, settings) => {
    const conn = await h.addConnection(fake.connection(settings));
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    const first = spawnWorker(h.env);
    await waitFor(async () => (await h.progress(syncId)).batchNumber >= 4, {
      timeoutMs: 60_000,
      what: 'four batches before the crash',
    });
    first.kill('SIGKILL');
    await first.exited;
    expect((await h.progress(syncId)).status).toBe('in_progress');

    const second = spawnWorker(h.env);
    await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
    const row = await h.progress(syncId);
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(CUSTOMERS);
    expect(row.totalItems).toBe(CUSTOMERS);
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM sync_record WHERE connection_id = $1`,
      [conn.id],
    );
    expect(rows[0]).toEqual({ n: CUSTOMERS, d: CUSTOMERS });
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
      expect.objectContaining({ status: 'completed' }),
    ]);
    expect(log.filter((r) => r.action === 'partial_resume').length).toBeGreaterThanOrEqual(1);
    const examined = log
      .filter((r) => r.action === 'batch_process')
      .reduce((s, r) => s + (r.record_count ?? 0), 0);
    expect(examined).toBe(CUSTOMERS);
    second.kill('SIGTERM');
    await second.exited;
  },
);
