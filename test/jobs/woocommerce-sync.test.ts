import { afterAll, beforeAll, describe, expect, test } from 'vitest';

// WooCommerce-only: what an incremental product run asks the store for. The generic full and
// incremental runs of customers and products are in the shared suite (sync-suite.ts).
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connection: { id: string; orgId: string };

beforeAll(async () => {
  h = await createSyncHarness('woosync', { SYNC_BATCH_SIZE: '100' });
  fake = await startFakeWooCommerce({ customers: 5, products: 300, seed: 7 });
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
