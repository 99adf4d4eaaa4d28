import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueuePreview } from '../../src/queues/enqueue-preview.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { JobNames, QueueNames } from '../../src/queues/queue-names.js';
import { findCachedPreview, previewCacheKey, previewJobId } from '../../src/preview/preview-cache.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { expirePreviewRow } from '../helpers/preview-cache.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connection: { id: string; orgId: string };

beforeAll(async () => {
  h = await createSyncHarness('preview', { SYNC_BATCH_SIZE: '50' });
  fake = await startFakeWooCommerce({ customers: 230, products: 40, seed: 11 });
  connection = await h.addConnection(fake.connection());
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function fullSync(entityType: 'customer' | 'product'): Promise<string> {
  const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType, mode: 'full' });
  const status = await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed']);
  expect(status).toBe('completed');
  return syncId;
}

/** Row count and a checksum of every column a preview could touch. */
async function snapshot(table: 'sync_record' | 'sync_progress'): Promise<{ n: number; sum: string }> {
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) AS sum FROM ${table} t`,
  );
  return rows[0];
}

async function previewRows(jobId: string) {
  const { rows } = await h.db.pool.query(
    `SELECT status::text, record_count, error_message, entity_type::text
       FROM sync_activity_log WHERE action = 'preview_delta' AND sync_id = $1`,
    [jobId],
  );
  return rows as { status: string; record_count: number | null; error_message: string | null }[];
}

async function waitForPreview(cacheKey: string) {
  return waitFor(() => findCachedPreview(h.runtime.prisma, cacheKey), {
    timeoutMs: 60_000,
    what: `preview ${cacheKey}`,
  });
}

describe('preview of customers after a full sync and 3 modified + 2 new + 1 deleted', () => {
  let cacheKey: string;
  let modified: number[];
  let added: number[];
  let deleted: number;

  test('exact statistics and items, nothing written to sync_record or sync_progress', async () => {
    await fullSync('customer');
    const ids = fake.store.ids('customer');
    fake.store.advance(60);
    modified = ids.slice(10, 13);
    for (const id of modified) fake.store.modify('customer', id, { first_name: `Preview-${id}` });
    added = [fake.store.add('customer').id, fake.store.add('customer').id];
    deleted = ids[100]!;
    fake.store.delete('customer', deleted);

    const records = await snapshot('sync_record');
    const progress = await snapshot('sync_progress');

    const first = await enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'customer' });
    expect(first.cached).toBe(false);
    cacheKey = first.cacheKey;
    expect(cacheKey).toMatch(/^[0-9a-f]{64}$/);
    const preview = await waitForPreview(cacheKey);

    expect(preview.delta.statistics).toEqual({
      new_count: 2,
      updated_count: 3,
      deleted_count: 1,
      total_affected: 6,
      unchanged_count: 230 - 3 - 1,
      failed_count: 0,
      examined_count: 231,
    });
    expect(preview.delta.new.map((r) => r.id).sort()).toEqual(added.map(String).sort());
    expect(preview.delta.new[0]).toHaveProperty('email');
    expect(preview.delta.updated.map((u) => u.id).sort()).toEqual(modified.map(String).sort());
    for (const u of preview.delta.updated) {
      expect(u.new_data).toEqual({ firstName: `Preview-${u.id}` });
      expect(Object.keys(u.old_data)).toEqual(['firstName']);
      expect(u.old_data.firstName).not.toBe(u.new_data.firstName);
    }
    expect(preview.delta.deleted).toEqual([expect.objectContaining({ id: String(deleted) })]);
    expect(preview.delta.deleted[0]).toHaveProperty('email');
    expect(preview.delta).toMatchObject({
      truncated: false,
      item_limit: 100,
      // 1 of 230 live rows would go: well within SYNC_DELETE_GUARD (50 %)
      delete_guard: { live: 230, limit: 115, blocked: false },
      connection_id: connection.id,
      entity_type: 'customer',
    });
    expect(preview).toMatchObject({
      orgId: connection.orgId,
      syncType: 'woocommerce',
      syncId: previewJobId(cacheKey),
    });
    expect(Date.parse(preview.expiresAt) - Date.parse(preview.computedAt)).toBe(3_600_000);

    expect(await snapshot('sync_record')).toEqual(records);
    expect(await snapshot('sync_progress')).toEqual(progress);
    expect(await previewRows(previewJobId(cacheKey))).toEqual([
      expect.objectContaining({ status: 'completed', record_count: 6, entity_type: 'customer' }),
    ]);
  });

  test('a second request returns the cached preview at once, without a new job', async () => {
    const job = await h.runtime.queue(QueueNames.woocommerce).getJob(previewJobId(cacheKey));
    const second = await enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'customer' });
    expect(second).toMatchObject({ cached: true, cacheKey });
    if (second.cached) expect(second.preview.delta.statistics.total_affected).toBe(6);
    const again = await h.runtime.queue(QueueNames.woocommerce).getJob(previewJobId(cacheKey));
    expect(again?.timestamp).toBe(job?.timestamp);
    expect(await previewRows(previewJobId(cacheKey))).toHaveLength(1);
  });

  test('an expired row is not returned: the next request recomputes', async () => {
    await expirePreviewRow(h.db.pool, cacheKey);
    expect(await findCachedPreview(h.runtime.prisma, cacheKey)).toBeNull();
    const again = await enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'customer' });
    expect(again).toMatchObject({ cached: false, cacheKey });
    const preview = await waitForPreview(cacheKey);
    expect(preview.delta.statistics.total_affected).toBe(6);
    expect(await previewRows(previewJobId(cacheKey))).toHaveLength(2);
  });

  test('after a real sync the cache key changes, and the new preview is empty', async () => {
    await fullSync('customer');
    const key = await previewCacheKey(h.runtime.prisma, connection.id, 'customer');
    expect(key).not.toBe(cacheKey);
    const next = await enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'customer' });
    expect(next).toMatchObject({ cached: false, cacheKey: key });
    const preview = await waitForPreview(key);
    expect(preview.delta.statistics).toMatchObject({ total_affected: 0, unchanged_count: 231 });
    expect(preview.delta).toMatchObject({ new: [], updated: [], deleted: [] });
  });
});

describe('one job per key, failures', () => {
  test('two identical requests at once make one job', async () => {
    const [a, b] = await Promise.all([
      enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'product' }),
      enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'product' }),
    ]);
    expect(a.cacheKey).toBe(b.cacheKey);
    const preview = await waitForPreview(a.cacheKey);
    // Nothing synced yet: every product is new.
    expect(preview.delta.statistics.new_count).toBe(preview.delta.statistics.examined_count);
    expect(preview.delta.new).toHaveLength(Math.min(100, preview.delta.statistics.new_count));
    expect(await previewRows(previewJobId(a.cacheKey))).toHaveLength(1);
  });

  test('an entity the source does not have is refused before any job', async () => {
    await expect(
      enqueuePreview(h.runtime, { connectionId: connection.id, entityType: 'invoice' }),
    ).rejects.toMatchObject({ code: 'ENTITY_NOT_SUPPORTED' });
  });

  test('a fatal source error fails the job at once, with a failed preview_delta row', async () => {
    const progress = await snapshot('sync_progress');
    const wrong = await h.addConnection({
      ...fake.connection(),
      credentials: { key: fake.consumerKey, secret: 'cs_wrong' },
    });
    const res = await enqueuePreview(h.runtime, { connectionId: wrong.id, entityType: 'customer' });
    expect(res.cached).toBe(false);
    const job = await waitFor(
      async () => {
        const queue = h.runtime.queue(QueueNames.woocommerce);
        const id = previewJobId(res.cacheKey);
        // The state first: a job read before it failed would carry no failedReason.
        return (await queue.getJobState(id)) === 'failed' ? queue.getJob(id) : null;
      },
      { what: 'the preview job to fail' },
    );
    expect(job.attemptsMade).toBe(1);
    expect(job.failedReason).toMatch(/^SOURCE_AUTH_FAILED/);
    expect(await previewRows(previewJobId(res.cacheKey))).toEqual([
      expect.objectContaining({
        status: 'failed',
        error_message: expect.stringMatching(/SOURCE_AUTH_FAILED/),
      }),
    ]);
    expect(await snapshot('sync_progress')).toEqual(progress);
    expect(await findCachedPreview(h.runtime.prisma, res.cacheKey)).toBeNull();
  });

  test('invalid job data fails as unrecoverable and writes nothing', async () => {
    const queue = h.runtime.queue(QueueNames.woocommerce);
    const job = await queue.add(JobNames.preview, { orgId: 'nope', connectionId: connection.id });
    const failed = await waitFor(
      async () => {
        return (await queue.getJobState(job.id!)) === 'failed' ? queue.getJob(job.id!) : null;
      },
      { what: 'the invalid preview job to fail' },
    );
    expect(failed.failedReason).toMatch(/invalid preview job data/);
    expect(failed.attemptsMade).toBe(1);
    expect(await previewRows(job.id!)).toEqual([]);
  });
});

describe('the delete guard', () => {
  test('a preview says when a full sync would refuse its deletions', async () => {
    const small = await startFakeWooCommerce({ customers: 40, seed: 12 });
    try {
      const conn = await h.addConnection(small.connection());
      const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
      expect(await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'])).toBe(
        'completed',
      );
      for (const id of small.store.ids('customer').slice(0, 30)) small.store.delete('customer', id);
      const { cacheKey } = await enqueuePreview(h.runtime, { connectionId: conn.id, entityType: 'customer' });
      const preview = await waitForPreview(cacheKey);
      expect(preview.delta.statistics.deleted_count).toBe(30);
      expect(preview.delta.delete_guard).toEqual({ live: 40, limit: 20, blocked: true });
    } finally {
      await small.close();
    }
  });
});
