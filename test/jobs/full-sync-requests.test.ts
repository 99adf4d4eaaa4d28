import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

/**
 * Issue 7: a full sync asks the store for about what a plain walk of its
 * pages needs — no second id pass when the walk saw a consistent snapshot,
 * a one-record overlap between pages — and still finds the deletions.
 */

const CUSTOMERS = 20_000;
const PER_PAGE = 100;
/** A plain walk: one request per page of 100, plus the count. */
const PLAIN_WALK = Math.ceil(CUSTOMERS / PER_PAGE) + 1;

let h: SyncHarness;
let fake: FakeWooServer;
let connection: { id: string; orgId: string };

beforeAll(async () => {
  h = await createSyncHarness('fullrequests', { SYNC_BATCH_SIZE: String(PER_PAGE) });
  fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 21 });
  connection = await h.addConnection(fake.connection({ authMode: 'query', rateLimitPerSecond: 10_000 }));
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function fullSync(): Promise<{ requests: number; row: Awaited<ReturnType<SyncHarness['progress']>> }> {
  const before = fake.requestCount;
  const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType: 'customer' });
  await h.waitForStatus(
    syncId,
    ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'],
    120_000,
  );
  return { requests: fake.requestCount - before, row: await h.progress(syncId) };
}

async function deletedIds(): Promise<string[]> {
  const { rows } = await h.db.pool.query<{ external_id: string }>(
    `SELECT external_id FROM sync_record
      WHERE connection_id = $1 AND entity_type = 'customer' AND deleted_at IS NOT NULL ORDER BY 1`,
    [connection.id],
  );
  return rows.map((r) => r.external_id);
}

describe(`a full sync of ${CUSTOMERS.toLocaleString('en')} customers, ${PER_PAGE} a page`, () => {
  test(`makes at most 1.1 × the ${PLAIN_WALK} requests of a plain walk, and still marks deletions`, async () => {
    const first = await fullSync();
    expect(first.row.status).toBe('completed');
    expect(first.row.processedCount).toBe(CUSTOMERS);
    expect(first.requests).toBeLessThanOrEqual(Math.floor(PLAIN_WALK * 1.1));
    // No id scan: every request of the walk asked for whole records.
    expect(fake.requests.filter((r) => r.query._fields === 'id')).toEqual([]);

    const ids = fake.store.ids('customer');
    const gone = [ids[17]!, ids[9_000]!, ids.at(-1)!];
    for (const id of gone) fake.store.delete('customer', id);
    const second = await fullSync();
    expect(second.row.status).toBe('completed');
    expect(second.row.processedCount).toBe(CUSTOMERS - gone.length);
    expect(second.requests).toBeLessThanOrEqual(Math.floor(PLAIN_WALK * 1.1));
    expect((second.row.metadata as { delta: { deleted: number } }).delta.deleted).toBe(gone.length);
    expect(await deletedIds()).toEqual(gone.map(String).sort());
  }, 240_000); // two syncs of 20,000 records: about 30 s alone, several times that on a loaded machine
});

describe('a walk that cannot vouch for the source ids', () => {
  test('records deleted behind the cursor mid-walk: the id scan runs alongside the walk and finds them', async () => {
    const small = await startFakeWooCommerce({ customers: 2000, seed: 22 });
    try {
      const conn = await h.addConnection(small.connection({ authMode: 'query', rateLimitPerSecond: 10_000 }));
      const run = async () => {
        const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
        await h.waitForStatus(syncId, [
          'completed',
          'completed_with_errors',
          'failed',
          'cancelled',
          'timeout',
        ]);
        return h.progress(syncId);
      };
      expect((await run()).status).toBe('completed');

      const ids = small.store.ids('customer');
      const gone = ids.slice(0, 3);
      let walkRequests = 0;
      let scanStartedAt: number | undefined;
      let lastWalkAt = 0;
      small.options.onRequest = (_n, request) => {
        if (request.route !== 'customers' || request.query.offset === undefined) return;
        if (request.query._fields === 'id') {
          scanStartedAt ??= walkRequests;
          return;
        }
        lastWalkAt = ++walkRequests;
        // Deleted behind the cursor: the next window starts past its overlap, the walk steps back.
        if (walkRequests === 6) for (const id of gone) small.store.delete('customer', id);
      };
      const row = await run();
      expect(row.status).toBe('completed');
      expect((row.metadata as { delta: { deleted: number } }).delta.deleted).toBe(gone.length);
      const { rows } = await h.db.pool.query<{ external_id: string }>(
        `SELECT external_id FROM sync_record WHERE connection_id = $1 AND deleted_at IS NOT NULL ORDER BY 1`,
        [conn.id],
      );
      expect(rows.map((r) => r.external_id)).toEqual(gone.map(String).sort());
      // The scan began while the walk still had pages to read, not after it.
      expect(scanStartedAt).toBeDefined();
      expect(scanStartedAt!).toBeLessThan(lastWalkAt);
    } finally {
      small.options.onRequest = undefined;
      await small.close();
    }
  });
});
