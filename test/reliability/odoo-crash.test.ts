import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeOdoo, type FakeOdooServer } from '../fakes/odoo/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers, spawnWorker } from '../helpers/worker-process.js';

let h: SyncHarness;
let fake: FakeOdooServer;
const CUSTOMERS = 3000;

beforeAll(async () => {
  h = await createSyncHarness('odoocrash', {
    SYNC_BATCH_SIZE: '100',
    SYNC_JOB_LOCK_DURATION: '2s',
    SYNC_SHUTDOWN_TIMEOUT: '15s',
  });
  // Slow answers, so that the worker is surely mid-sync when it is killed; a 300-record
  // write_date tie, so that the kill may land inside the by-id walk of one second.
  fake = await startFakeOdoo({ customers: CUSTOMERS, tiedCustomers: 300, seed: 13, latencyMs: 40 });
});

afterAll(async () => {
  await killAllWorkers();
  await h?.close();
  await fake?.close();
});

test('kill -9 of the worker mid-sync (Odoo): a new worker resumes from the keyset checkpoint, exact counts', async () => {
  const conn = await h.addConnection({ type: 'odoo', ...fake.connection() });
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  const first = spawnWorker(h.env);
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 5, {
    timeoutMs: 60_000,
    what: 'five batches before the crash',
  });
  first.kill('SIGKILL');
  await first.exited;
  const atCrash = await h.progress(syncId);
  expect(atCrash.status).toBe('in_progress');
  expect((atCrash.metadata as { checkpoint?: { walk?: string } }).checkpoint?.walk).toBe('keyset');

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
  const batches = log.filter((r) => r.action === 'batch_process');
  expect(batches).toHaveLength(row.batchNumber);
  expect(batches.reduce((s, r) => s + (r.record_count ?? 0), 0)).toBe(CUSTOMERS);
  second.kill('SIGTERM');
  expect((await second.exited).code).toBe(0);
});
