import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { startFakeShopify, type FakeShopifyServer } from '../fakes/shopify/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

/**
 * Issue 6's Shopify acceptance, end to end through BullMQ, the worker, the
 * adapter and the batch writer, against a fake shop whose bucket is 1,000
 * points restoring 50/s.
 */
let h: SyncHarness;
let fake: FakeShopifyServer;
let connection: { id: string; orgId: string };
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];
const CUSTOMERS = 240;
const PRODUCTS = 60;

beforeAll(async () => {
  h = await createSyncHarness('shopsync', { SYNC_BATCH_SIZE: '50' });
  fake = await startFakeShopify({
    customers: CUSTOMERS,
    products: PRODUCTS,
    variantsPerProduct: 4,
    bucketCapacity: 1000,
    restorePerSecond: 50,
    seed: 5,
  });
  connection = await h.addConnection(fake.connection());
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function liveCount(entity: string): Promise<number> {
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1 AND entity_type = $2 AND deleted_at IS NULL`,
    [connection.id, entity],
  );
  return rows[0].n;
}

async function run(
  entityType: 'customer' | 'product',
  mode: 'full' | 'incremental',
  connectionId = connection.id,
) {
  const { syncId } = await enqueueSync(h.runtime, { connectionId, entityType, mode });
  await h.waitForStatus(syncId, TERMINAL, 120_000);
  const row = await h.progress(syncId);
  const log = await h.activity(syncId);
  return { syncId, row, log, meta: row.metadata as { delta: Record<string, number>; mode: string } };
}

// The bucket restores 50 points/s: these runs take real seconds, as long as run()'s own wait allows.
describe('Shopify end to end', { timeout: 180_000 }, () => {
  test('customers and products in parallel from one shop (1,000 points, 50/s): both complete, THROTTLED a handful of times at most', async () => {
    const [customers, products] = await Promise.all([run('customer', 'full'), run('product', 'full')]);
    for (const [result, n] of [
      [customers, CUSTOMERS],
      [products, PRODUCTS],
    ] as const) {
      expect(result.row.status).toBe('completed');
      expect(result.row.processedCount).toBe(n);
      expect(result.row.totalItems).toBe(n);
      expect(result.meta.delta).toMatchObject({ created: n, updated: 0, unchanged: 0, deleted: 0 });
      expect(result.log.filter((r) => r.action === 'sync_complete')).toEqual([
        expect.objectContaining({ status: 'completed', record_count: n }),
      ]);
    }
    expect(await liveCount('customer')).toBe(CUSTOMERS);
    expect(await liveCount('product')).toBe(PRODUCTS);
    expect(fake.throttledCount).toBeLessThanOrEqual(3);
  });

  test('modify 6, add 3 customers: an incremental run creates 3 and updates 6', async () => {
    fake.shop.advance(60);
    const ids = fake.shop.ids('customer');
    for (const id of ids.slice(10, 16)) fake.shop.modify('customer', id);
    for (let i = 0; i < 3; i++) fake.shop.add('customer');
    const { row, meta, log } = await run('customer', 'incremental');
    expect(row.status).toBe('completed');
    expect(meta.mode).toBe('incremental');
    expect(meta.delta).toMatchObject({ created: 3, updated: 6, deleted: 0 });
    expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
    expect(await liveCount('customer')).toBe(CUSTOMERS + 3);
  });

  test('modify 6, add 3, delete 2 products: incremental reports exactly the 9, the next full run exactly the 2 deleted', async () => {
    fake.shop.advance(60);
    const ids = fake.shop.ids('product');
    for (const id of ids.slice(5, 11)) fake.shop.modify('product', id);
    for (let i = 0; i < 3; i++) fake.shop.add('product');
    const incremental = await run('product', 'incremental');
    expect(incremental.row.status).toBe('completed');
    expect(incremental.meta.delta).toMatchObject({ created: 3, updated: 6, deleted: 0 });

    fake.shop.remove('product', ids[0]!);
    fake.shop.remove('product', ids[1]!);
    const full = await run('product', 'full');
    expect(full.row.status).toBe('completed');
    expect(full.meta.delta).toMatchObject({ created: 0, updated: 0, deleted: 2 });
    expect(full.row.processedCount).toBe(PRODUCTS + 3 - 2);
    expect(await liveCount('product')).toBe(PRODUCTS + 3 - 2);
  });

  test('120 customers sharing one updatedAt across page boundaries are all synced by the incremental run', async () => {
    fake.shop.advance(60);
    const tied = fake.shop.ids('customer').slice(50, 170);
    for (const id of tied) fake.shop.modify('customer', id);
    const { row, meta } = await run('customer', 'incremental');
    expect(row.status).toBe('completed');
    expect(meta.delta).toMatchObject({ created: 0, updated: 120, deleted: 0 });
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM sync_record
        WHERE connection_id = $1 AND entity_type = 'customer' AND source_updated_at = $2`,
      [connection.id, new Date(fake.shop.now())],
    );
    expect(rows[0].n).toBe(120);
  });

  test('wrong credentials: failed at once with one clear message, no retry', async () => {
    const wrong = await h.addConnection({
      ...fake.connection(),
      credentials: { token: 'shpat_not_the_token' },
    });
    const before = fake.requestCount;
    const { syncId, row, log } = await run('customer', 'full', wrong.id);
    expect(row.status).toBe('failed');
    expect((row.metadata as { error?: { code: string } }).error?.code).toBe('SOURCE_AUTH_FAILED');
    const failed = log.filter((r) => r.status === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.error_message).toMatch(/Invalid API key or access token.*credentials\.token/);
    expect(failed[0]!.error_message).not.toContain('shpat_not_the_token');
    expect(fake.requestCount - before).toBe(1);
    const job = await h.runtime.queue(QueueNames.shopify).getJob(syncId);
    expect(await job?.getState()).toBe('failed');
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
  });
});
