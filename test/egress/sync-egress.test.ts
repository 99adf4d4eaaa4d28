import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

// Syncs of connections already stored (before the policy, or resolving elsewhere when added): the
// worker checks at connect time. The allow list names only `store.localhost` (which resolves to
// loopback without DNS), so the fake is reachable under that name and under no other spelling.

let h: SyncHarness;
let fake: FakeWooServer;
let port: number;
const TERMINAL = ['completed', 'completed_with_errors', 'failed', 'cancelled', 'timeout'];

beforeAll(async () => {
  h = await createSyncHarness('egress_sync', { SYNC_EGRESS_ALLOW: 'store.localhost' });
  fake = await startFakeWooCommerce({ customers: 12 });
  port = Number(new URL(fake.url).port);
  await h.startWorkers();
});
afterAll(async () => {
  await h?.close();
  await fake?.close();
});

async function syncOf(baseUrl: string) {
  const connection = await h.addConnection({ ...fake.connection(), baseUrl });
  const { syncId } = await enqueueSync(h.runtime, { connectionId: connection.id, entityType: 'customer' });
  const status = await h.waitForStatus(syncId, TERMINAL);
  const row = await h.progress(syncId);
  const job = await h.runtime.queue(QueueNames.woocommerce).getJob(syncId);
  return {
    syncId,
    status,
    row,
    job,
    error: (row.metadata as { error?: { code: string; message: string } }).error,
  };
}

describe('a sync refuses loopback targets in every spelling', () => {
  test.each([
    ['127.0.0.1', () => `http://127.0.0.1:${port}`],
    ['localhost', () => `http://localhost:${port}`],
    ['0x7f000001', () => `http://0x7f000001:${port}`],
    ['2130706433', () => `http://2130706433:${port}`],
    ['[::1]', () => `http://[::1]:${port}`],
    ['a name resolving to 127.0.0.1 that the list does not name', () => `http://shop.localhost:${port}`],
  ])('%s: failed at once with EGRESS_DENIED, no request reached the store', async (_label, url) => {
    const before = fake.requestCount;
    const { status, error, job, syncId } = await syncOf(url());
    expect(status).toBe('failed');
    expect(error?.code).toBe('EGRESS_DENIED');
    expect(error?.message).toMatch(/^egress denied: .* a loopback address; .*SYNC_EGRESS_ALLOW/);
    expect(job?.attemptsMade).toBeLessThanOrEqual(1);
    expect(fake.requestCount).toBe(before);
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
      expect.objectContaining({ status: 'failed', error_message: expect.stringMatching(/egress denied/) }),
    ]);
  });

  test('the host the list names syncs as usual', async () => {
    const { status, row } = await syncOf(`http://store.localhost:${port}`);
    expect(status).toBe('completed');
    expect(row.processedCount).toBe(12);
  });

  test('a redirect from the allowed host to a refused one fails the sync; the target is never asked', async () => {
    const target = await startFakeWooCommerce({ customers: 1 });
    fake.options.inject = () => ({
      status: 302,
      headers: { location: `${target.url}/wp-json/wc/v3/customers` },
      body: '',
    });
    try {
      const { status, error } = await syncOf(`http://store.localhost:${port}`);
      expect(status).toBe('failed');
      expect(error?.code).toBe('EGRESS_DENIED');
      expect(error?.message).toMatch(/redirects to another origin/);
      expect(target.requestCount).toBe(0);
    } finally {
      fake.options.inject = undefined;
      await target.close();
    }
  });
});
