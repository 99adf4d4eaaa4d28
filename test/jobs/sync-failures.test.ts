import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// Engine behaviour met through the WooCommerce fake. The rate-limit storm, wrong credentials,
// cancel and deletion tests run for every source in the shared suite (sync-suite.ts).
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
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

describe('a source without the entity', () => {
  test('an entity the source does not have is refused with ENTITY_NOT_SUPPORTED before anything is written', async () => {
    const fake = await fakeStore({ customers: 5 });
    const conn = await h.addConnection(fake.connection());
    await expect(
      enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'invoice' }),
    ).rejects.toMatchObject({
      code: 'ENTITY_NOT_SUPPORTED',
      message: expect.stringMatching(/WooCommerce connections have no invoice/),
    });
    const { rows } = await h.db.pool.query('SELECT 1 FROM sync_progress WHERE connection_id = $1', [conn.id]);
    expect(rows).toHaveLength(0);
    expect(fake.requests).toHaveLength(0);
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

describe('a long Retry-After', () => {
  test('delays the sync job past the pause without using an attempt; the sync completes', async () => {
    const slow = await createSyncHarness('wooretry', {
      SYNC_BATCH_SIZE: '100',
      SYNC_MAX_INLINE_RETRY_AFTER: '500ms',
      SYNC_PAGE_CONCURRENCY: '1',
    });
    try {
      await slow.startWorkers();
      // Every 5th request: 429 with a 1 s Retry-After, longer than the 500 ms waited in place. The walk
      // is 5 windows of 99 customers (the count is the first): its last window meets it, so the job is
      // delayed and resumes from the checkpoint.
      const fake = await fakeStore({ customers: 400, rateLimit: { every: 5, retryAfterSeconds: 1 } });
      const conn = await slow.addConnection(fake.connection());
      const { syncId } = await enqueueSync(slow.runtime, { connectionId: conn.id, entityType: 'customer' });
      await slow.waitForStatus(syncId, TERMINAL, 120_000);
      const row = await slow.progress(syncId);
      expect(row.status, JSON.stringify(row.metadata)).toBe('completed');
      expect(row.processedCount).toBe(400);
      // The sync completes in Postgres before its job completes in Redis (the job's last log lines
      // are written in between): wait for the job's own end before reading its counters.
      const queue = slow.runtime.queue(QueueNames.woocommerce);
      await waitFor(async () => (await queue.getJobState(syncId)) === 'completed', {
        what: 'the job to complete',
      });
      const job = await queue.getJob(syncId);
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
