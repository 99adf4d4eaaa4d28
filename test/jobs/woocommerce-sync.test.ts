import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { installProgressAudit, progressAudit } from '../helpers/progress-audit.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connection: { id: string; orgId: string };

beforeAll(async () => {
  h = await createSyncHarness('woosync', { SYNC_BATCH_SIZE: '100' });
  await installProgressAudit(h.db.pool);
  fake = await startFakeWooCommerce({ customers: 2500, products: 300, seed: 7 });
  connection = await h.addConnection(fake.connection());
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function recordCount(entity: string, live = true): Promise<number> {
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n FROM sync_record
      WHERE connection_id = $1 AND entity_type = $2 ${live ? 'AND deleted_at IS NULL' : ''}`,
    [connection.id, entity],
  );
  return rows[0].n;
}

async function runToEnd(entityType: 'customer' | 'product', mode: 'full' | 'incremental') {
  const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType, mode });
  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout']);
  const row = await h.progress(syncId);
  return { syncId, row, meta: row.metadata as { delta: Record<string, number>; mode: string } };
}

describe('customers: full then incremental', () => {
  let firstSyncId: string;

  test('a full sync of 2,500 customers in batches of 100 completes through the triggers', async () => {
    const { syncId, row, meta } = await runToEnd('customer', 'full');
    firstSyncId = syncId;
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(2500);
    expect(row.failedCount).toBe(0);
    expect(row.totalItems).toBe(2500);
    expect(row.completedAt).not.toBeNull();
    expect(row.jobId).toBe(syncId);
    expect(row.sourceSystem).toBe('woocommerce');
    expect(meta.delta).toMatchObject({ created: 2500, updated: 0, unchanged: 0, deleted: 0 });

    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'batch_process').length).toBeGreaterThanOrEqual(25);
    expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
      expect.objectContaining({ status: 'completed', record_count: 2500 }),
    ]);
    expect(log.filter((r) => r.action === 'sync_start')).toHaveLength(1);
    expect(log.filter((r) => r.action === 'manual_trigger')).toHaveLength(1);
    expect(await recordCount('customer')).toBe(2500);
  });

  test('no progress update before the last one reaches total_items', async () => {
    const audit = await progressAudit(h.db.pool, firstSyncId);
    const updates = audit.filter((a) => a.status !== 'pending');
    const last = updates.at(-1)!;
    expect(last.completed).toBe(true);
    for (const a of updates.slice(0, -1)) {
      expect(a.completed).toBe(false);
      expect(a.processed + a.failed).toBeLessThan(a.total);
    }
    // one update per batch after the start
    expect(updates.filter((a) => a.batch > 0)).toHaveLength(last.batch);
  });

  test('10 modified and 5 new customers: an incremental run creates 5 and updates 10', async () => {
    const ids = fake.store.ids('customer');
    fake.store.advance(60);
    for (const id of ids.slice(100, 110)) fake.store.modify('customer', id, { first_name: `Changed-${id}` });
    for (let i = 0; i < 5; i++) fake.store.add('customer');

    const { syncId, row, meta } = await runToEnd('customer', 'incremental');
    expect(row.status).toBe('completed');
    expect(meta.mode).toBe('incremental');
    expect(meta.delta).toMatchObject({ created: 5, updated: 10, deleted: 0 });
    expect(row.processedCount).toBe(2505);
    expect(await recordCount('customer')).toBe(2505);
    const audit = await progressAudit(h.db.pool, syncId);
    for (const a of audit.filter((x) => !x.completed && x.status === 'in_progress')) {
      expect(a.processed + a.failed).toBeLessThan(a.total);
    }
  });
});

describe('products: incremental fetches only what changed', () => {
  test('after a full run, 10 modified + 5 new products are the only ones fetched', async () => {
    const full = await runToEnd('product', 'full');
    expect(full.row.status).toBe('completed');
    expect(full.row.processedCount).toBe(300);
    expect(await recordCount('product')).toBe(300);

    fake.store.advance(120);
    const ids = fake.store.ids('product');
    for (const id of ids.slice(10, 20)) fake.store.modify('product', id, { name: `Renamed ${id}` });
    for (let i = 0; i < 5; i++) fake.store.add('product');

    const inc = await runToEnd('product', 'incremental');
    expect(inc.row.status).toBe('completed');
    expect(inc.meta.mode).toBe('incremental');
    expect(inc.row.totalItems).toBeGreaterThanOrEqual(15);
    expect(inc.row.totalItems).toBeLessThanOrEqual(15 + 5);
    expect(inc.meta.delta).toMatchObject({ created: 5, updated: 10 });
    expect(await recordCount('product')).toBe(305);
  });
});
