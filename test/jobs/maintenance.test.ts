import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cleanupPreviewCache } from '../../src/jobs/cleanup-preview-cache.js';
import { maintainPartitions } from '../../src/jobs/maintain-partitions.js';
import { sweepStalled } from '../../src/jobs/sweep-stalled.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { scheduleSync, unscheduleSync } from '../../src/queues/schedulers.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let h: SyncHarness;
let fake: FakeWooServer;

beforeAll(async () => {
  h = await createSyncHarness('maint', { SYNC_STALL_TIMEOUT: '10m' });
  fake = await startFakeWooCommerce({ customers: 30 });
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function insertExpiredCacheRows(n: number): Promise<void> {
  const client = await h.db.pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('ALTER TABLE sync_preview_cache DISABLE TRIGGER sync_preview_cache_reject_expired');
    for (let i = 0; i < n; i++) {
      await client.query(
        `INSERT INTO sync_preview_cache (org_id, cache_key, computed_at, expires_at)
         VALUES (gen_random_uuid(), $1, now() - interval '2 hours', now() - interval '1 hour')`,
        [`expired-${i}-${Math.random()}`],
      );
    }
    await client.query('ALTER TABLE sync_preview_cache ENABLE TRIGGER sync_preview_cache_reject_expired');
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  } finally {
    client.release();
  }
}

describe('maintenance schedulers', () => {
  test('the cleanup scheduler exists once after two worker restarts, and its job deletes expired rows', async () => {
    for (let i = 0; i < 3; i++) {
      const workers = await h.startWorkers();
      await workers.close();
    }
    const queue = h.runtime.queue(QueueNames.maintenance);
    const schedulers = await queue.getJobSchedulers();
    expect(schedulers.filter((s) => s.key === 'cleanup-preview-cache')).toHaveLength(1);
    expect(schedulers.map((s) => s.key).sort()).toEqual([
      'cleanup-preview-cache',
      'maintain-partitions',
      'sweep-stalled',
    ]);
    const cleanup = schedulers.find((s) => s.key === 'cleanup-preview-cache')!;
    expect(cleanup.pattern).toBe('*/15 * * * *');

    await insertExpiredCacheRows(4);
    await h.db.pool.query(
      `INSERT INTO sync_preview_cache (org_id, cache_key) VALUES (gen_random_uuid(), 'fresh')`,
    );
    // Run the scheduler's job now, through the worker, as the scheduler would.
    const workers = await h.startWorkers();
    const job = await queue.add(cleanup.name, {});
    const result = await waitFor(async () => {
      const j = await queue.getJob(job.id!);
      return (await j?.getState()) === 'completed' ? j!.returnvalue : null;
    });
    expect(result).toEqual({ deletedCount: 4, errorMessage: null });
    const { rows } = await h.db.pool.query(`SELECT cache_key FROM sync_preview_cache`);
    expect(rows.map((r) => r.cache_key)).toEqual(['fresh']);
    await workers.close();
  });

  test('cleanupPreviewCache returns 0 when nothing expired', async () => {
    expect(await cleanupPreviewCache(h.runtime)).toEqual({ deletedCount: 0, errorMessage: null });
  });

  test('partition maintenance is idempotent and drops months past retention', async () => {
    const first = await maintainPartitions(h.runtime);
    expect(first.dropped).toEqual([]);
    const again = await maintainPartitions(h.runtime);
    expect(again.created).toEqual([]);
    await h.db.pool.query(`
      CREATE TABLE sync_activity_log_2020_01 PARTITION OF sync_activity_log
        FOR VALUES FROM ('2020-01-01 00:00:00+00') TO ('2020-02-01 00:00:00+00')`);
    const third = await maintainPartitions(h.runtime);
    expect(third.dropped).toEqual(['sync_activity_log_2020_01']);
  });
});

describe('stall sweeper', () => {
  test('marks a sync without update for SYNC_STALL_TIMEOUT as timeout, with one log row', async () => {
    const conn = await h.addConnection(fake.connection());
    const { rows } = await h.db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, connection_id, status)
       VALUES ($1, 'stalled-1', 'customer', 10, $2, 'in_progress') RETURNING id`,
      [conn.orgId, conn.id],
    );
    await h.db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, status)
                           VALUES ($1, 'fresh-1', 'order', 10, 'in_progress')`,
      [conn.orgId],
    );
    // updated_at is set by a trigger on UPDATE: move the clock by asking the sweeper about the future.
    const swept = await sweepStalled(h.runtime, new Date(Date.now() + 11 * 60_000));
    expect(swept.sort()).toEqual(['fresh-1', 'stalled-1']);
    expect(await sweepStalled(h.runtime, new Date(Date.now() + 11 * 60_000))).toEqual([]);
    const row = await h.progress('stalled-1');
    expect(row.status).toBe('timeout');
    expect(row.completedAt).toBeNull();
    const log = await h.activity('stalled-1');
    expect(log).toEqual([expect.objectContaining({ action: 'sync_complete', status: 'timeout' })]);
    expect(log[0]!.error_message).toMatch(/no progress since/);
    expect(rows).toHaveLength(1);
  });

  test('a sync updated recently is left alone', async () => {
    await h.db.pool.query(`INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, status)
                           VALUES (gen_random_uuid(), 'recent-1', 'order', 10, 'in_progress')`);
    expect(await sweepStalled(h.runtime)).toEqual([]);
  });
});

describe('sync schedules', () => {
  test('schedule creates one scheduler per (connection, entity) whose job enqueues a scheduled sync', async () => {
    const conn = await h.addConnection(fake.connection());
    await scheduleSync(h.runtime, {
      connectionId: conn.id,
      entityType: 'customer',
      cron: '0 * * * *',
      mode: 'full',
    });
    await scheduleSync(h.runtime, {
      connectionId: conn.id,
      entityType: 'customer',
      cron: '30 * * * *',
      mode: 'full',
    });
    const queue = h.runtime.queue(QueueNames.maintenance);
    const mine = (await queue.getJobSchedulers()).filter((s) => s.key.includes(conn.id));
    expect(mine).toHaveLength(1);
    expect(mine[0]!.pattern).toBe('30 * * * *');

    const workers = await h.startWorkers();
    const job = await queue.add(mine[0]!.name, {
      connectionId: conn.id,
      entityType: 'customer',
      mode: 'full',
    });
    const enqueued = await waitFor(async () => {
      const j = await queue.getJob(job.id!);
      return (await j?.getState()) === 'completed' ? (j!.returnvalue as { syncId: string }) : null;
    });
    await h.waitForStatus(enqueued.syncId, ['completed']);
    const log = await h.activity(enqueued.syncId);
    expect(log.map((r) => r.action)).toContain('scheduled_run');
    expect(log.map((r) => r.action)).not.toContain('manual_trigger');
    await workers.close();

    expect(await unscheduleSync(h.runtime, conn.id, 'customer')).toMatchObject({ removed: true });
    expect((await queue.getJobSchedulers()).filter((s) => s.key.includes(conn.id))).toHaveLength(0);
  });

  test('a bad cron expression is refused with a clear message', async () => {
    await expect(
      scheduleSync(h.runtime, {
        connectionId: '00000000-0000-4000-8000-000000000000',
        entityType: 'customer',
        cron: '99 * * * *',
      }),
    ).rejects.toThrow(/cron expression: Constraint error/);
    await expect(
      scheduleSync(h.runtime, {
        connectionId: '00000000-0000-4000-8000-000000000000',
        entityType: 'customer',
        cron: 'every hour',
      }),
    ).rejects.toThrow(/cron/);
  });
});
