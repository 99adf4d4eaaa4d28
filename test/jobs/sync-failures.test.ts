import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { cancelSync } from '../../src/sync/cancel-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let h: SyncHarness;
const fakes: FakeWooServer[] = [];

async function fakeStore(options: Parameters<typeof startFakeWooCommerce>[0]) {
  const fake = await startFakeWooCommerce(options);
  fakes.push(fake);
  return fake;
}

beforeAll(async () => {
  h = await createSyncHarness('woofail', { SYNC_BATCH_SIZE: '50', SYNC_MAX_ATTEMPTS: '10' });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  for (const f of fakes) await f.close();
});

const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];

async function liveCount(connectionId: string, entity = 'customer'): Promise<number> {
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1 AND entity_type = $2 AND deleted_at IS NULL`,
    [connectionId, entity],
  );
  return rows[0].n;
}

describe('a hostile source', () => {
  test('a 429 storm and 10% 5xx answers: the sync completes with the right counts', async () => {
    const fake = await fakeStore({
      customers: 600,
      seed: 11,
      failureRate: 0.1,
      rateLimit: { every: 7, burst: 2, retryAfterSeconds: 1 },
    });
    const conn = await h.addConnection(fake.connection());
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(syncId, TERMINAL, 120_000);
    const row = await h.progress(syncId);
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(600);
    expect(await liveCount(conn.id)).toBe(600);
    expect(fake.requests.some((r) => r.status === 429)).toBe(true);
    expect(fake.requests.some((r) => r.status >= 500)).toBe(true);
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
  });

  test('wrong credentials: failed at once with a clear message and no retries', async () => {
    const fake = await fakeStore({ customers: 50 });
    const conn = await h.addConnection({
      ...fake.connection(),
      credentials: { key: 'ck_wrong', secret: 'cs_wrong' },
    });
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(syncId, TERMINAL);
    const row = await h.progress(syncId);
    expect(row.status).toBe('failed');
    const meta = row.metadata as { error?: { code: string; message: string } };
    expect(meta.error?.code).toBe('SOURCE_AUTH_FAILED');
    const log = await h.activity(syncId);
    const failed = log.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error_message).toMatch(/401|auth|signature/i);
    expect(failed[0]!.error_message).not.toContain('cs_wrong');
    const job = await h.runtime.queue(QueueNames.woocommerce).getJob(syncId);
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
    expect(await job?.getState()).toBe('failed');
    // one request answered 401, none retried
    expect(fake.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  test('an entity the source does not have fails with ENTITY_NOT_SUPPORTED', async () => {
    const fake = await fakeStore({ customers: 5 });
    const conn = await h.addConnection(fake.connection());
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'invoice' });
    await h.waitForStatus(syncId, TERMINAL);
    const row = await h.progress(syncId);
    expect(row.status).toBe('failed');
    expect((row.metadata as { error: { code: string } }).error.code).toBe('ENTITY_NOT_SUPPORTED');
  });
});

describe('control', () => {
  test('two triggers for the same connection and entity make one sync', async () => {
    const fake = await fakeStore({ customers: 300, latencyMs: 5 });
    const conn = await h.addConnection(fake.connection());
    const [a, b] = await Promise.all([
      enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' }),
      enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' }),
    ]);
    expect(a.syncId).toBe(b.syncId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await h.waitForStatus(a.syncId, TERMINAL);
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM sync_progress WHERE connection_id = $1`,
      [conn.id],
    );
    expect(rows[0].n).toBe(1);
    // once it is over, a new trigger makes a new sync
    const c = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    expect(c.syncId).not.toBe(a.syncId);
    await h.waitForStatus(c.syncId, TERMINAL);
  });

  test('cancel mid-run: cancelled, and no batch is written after it', async () => {
    const fake = await fakeStore({ customers: 3000, latencyMs: 20 });
    const conn = await h.addConnection(fake.connection());
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, { what: 'three batches' });
    await cancelSync(h.runtime, { syncId });
    const atCancel = await h.progress(syncId);
    expect(atCancel.status).toBe('cancelled');
    // the job ends (completed as "cancelled") without writing another batch
    const job = await h.runtime.queue(QueueNames.woocommerce).getJob(syncId);
    await waitFor(async () => ['completed', 'failed'].includes((await job?.getState()) ?? 'gone') || !job, {
      what: 'the job to end',
    });
    const after = await h.progress(syncId);
    expect(after.status).toBe('cancelled');
    expect(after.batchNumber).toBe(atCancel.batchNumber);
    expect(after.completedAt).toBeNull();
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'batch_process')).toHaveLength(atCancel.batchNumber);
    expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
      expect.objectContaining({ status: 'cancelled' }),
    ]);
    expect(await liveCount(conn.id)).toBeLessThan(3000);
  });

  test('invalid job data fails at once as unrecoverable and writes nothing', async () => {
    const queue = new Queue(QueueNames.woocommerce, {
      connection: h.runtime.redis,
      prefix: h.config.QUEUE_PREFIX,
    });
    const job = await queue.add('sync', { syncId: 'x y', orgId: 'not-a-uuid' }, { attempts: 5 });
    await waitFor(async () => (await job.getState()) === 'failed', { what: 'the invalid job to fail' });
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBeLessThanOrEqual(1);
    expect(failed?.failedReason).toMatch(/invalid sync job data/);
    expect(failed?.failedReason).toMatch(/orgId/);
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM sync_progress WHERE sync_id = 'x y'`,
    );
    expect(rows[0].n).toBe(0);
    await queue.close();
  });
});

describe('deletions', () => {
  test('a full sync marks records gone from the source as deleted', async () => {
    const fake = await fakeStore({ customers: 120 });
    const conn = await h.addConnection(fake.connection());
    const first = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(first.syncId, TERMINAL);
    const gone = fake.store.ids('customer').slice(0, 3);
    for (const id of gone) fake.store.delete('customer', id);
    const second = await enqueueSync(h.runtime, {
      connectionId: conn.id,
      entityType: 'customer',
      mode: 'full',
    });
    await h.waitForStatus(second.syncId, TERMINAL);
    const row = await h.progress(second.syncId);
    expect(row.status).toBe('completed');
    expect((row.metadata as { delta: { deleted: number } }).delta.deleted).toBe(3);
    const { rows } = await h.db.pool.query(
      `SELECT external_id FROM sync_record WHERE connection_id = $1 AND deleted_at IS NOT NULL ORDER BY 1`,
      [conn.id],
    );
    expect(rows.map((r) => r.external_id).sort()).toEqual(gone.map(String).sort());
    expect(await liveCount(conn.id)).toBe(117);
  });

  test('the delete guard marks none when more than half would go', async () => {
    const fake = await fakeStore({ customers: 40 });
    const conn = await h.addConnection(fake.connection());
    const first = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(first.syncId, TERMINAL);
    for (const id of fake.store.ids('customer').slice(0, 30)) fake.store.delete('customer', id);
    const second = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(second.syncId, TERMINAL);
    const row = await h.progress(second.syncId);
    expect(row.status).toBe('completed');
    const meta = row.metadata as { delta: { deleted: number }; deleteGuard?: { wouldDelete: number } };
    expect(meta.delta.deleted).toBe(0);
    expect(meta.deleteGuard?.wouldDelete).toBe(30);
    expect(await liveCount(conn.id)).toBe(40);
  });
});

describe('a long Retry-After', () => {
  test('delays the sync job past the pause without using an attempt; the sync completes', async () => {
    const slow = await createSyncHarness('wooretry', {
      SYNC_BATCH_SIZE: '100',
      SYNC_MAX_INLINE_RETRY_AFTER: '500ms',
      SYNC_PAGE_CONCURRENCY: '1',
    });
    try {
      await slow.startWorkers();
      // Every 6th request: 429 with a 1 s Retry-After, longer than the 500 ms waited in place. The last
      // step (last page + a 5-request id scan) always meets one: the scan waits it out and resumes.
      const fake = await fakeStore({ customers: 400, rateLimit: { every: 6, retryAfterSeconds: 1 } });
      const conn = await slow.addConnection(fake.connection());
      const { syncId } = await enqueueSync(slow.runtime, { connectionId: conn.id, entityType: 'customer' });
      await slow.waitForStatus(syncId, TERMINAL, 120_000);
      const row = await slow.progress(syncId);
      expect(row.status, JSON.stringify(row.metadata)).toBe('completed');
      expect(row.processedCount).toBe(400);
      const job = await slow.runtime.queue(QueueNames.woocommerce).getJob(syncId);
      expect(job?.attemptsMade).toBe(1); // BullMQ counts the finishing attempt; the delays did not count
      expect(job?.attemptsStarted).toBeGreaterThan(1); // but the job did come back
      const log = await slow.activity(syncId);
      expect(log.some((r) => r.action === 'partial_resume')).toBe(true);
      expect(log.some((r) => r.action === 'error_recovery')).toBe(false);
      expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
    } finally {
      await slow.close();
    }
  });
});
