import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import type { FakeStoreControl } from '../fakes/fake-store.js';
import { fakeStores } from '../fakes/stores.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { expectResumedExactly } from '../helpers/resume-assertions.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers, spawnWorker } from '../helpers/worker-process.js';

// Over every source's fake store (test/fakes/stores.ts), like the shared sync suite.
let h: SyncHarness;
const fakes = new Map<string, FakeStoreControl>();
const CUSTOMERS = 4000;

beforeAll(async () => {
  h = await createSyncHarness('crash', {
    SYNC_BATCH_SIZE: '100',
    SYNC_PAGE_CONCURRENCY: '1',
    SYNC_JOB_LOCK_DURATION: '2s',
    SYNC_SHUTDOWN_TIMEOUT: '15s',
  });
  for (const factory of fakeStores) {
    const fake = await factory.start({ customers: CUSTOMERS, seed: 3 });
    // Slow pages, so that the worker is surely mid-sync when it is killed.
    fake.latency(60);
    fakes.set(factory.source, fake);
  }
});

// A test that fails leaves no worker behind to take the next test's sync.
afterEach(async () => killAllWorkers());

afterAll(async () => {
  await killAllWorkers();
  await h?.close();
  for (const fake of fakes.values()) await fake.close();
});

async function connect(source: string) {
  const fake = fakes.get(source)!;
  return h.addConnection({
    type: fake.source,
    baseUrl: fake.url,
    credentials: fake.credentials,
    // Request budgets (WooCommerce, Odoo) well above what the slow fake allows anyway: the crash is the subject.
    settings: { ...fake.settings, rateLimitPerSecond: 100 },
  });
}

async function expectExactlyTheSource(syncId: string, connectionId: string) {
  await expectResumedExactly(h, syncId, connectionId, CUSTOMERS);
}

describe.each(fakeStores.map((f) => [f.label, f] as const))('%s', (_label, factory) => {
  test('kill -9 of the worker mid-sync: a new worker resumes and completes with exactly the source', async () => {
    const conn = await connect(factory.source);
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

    const second = spawnWorker(h.env);
    await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
    await expectExactlyTheSource(syncId, conn.id);
    second.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  }, 180_000);

  test('SIGTERM: the batch in flight is checkpointed, the worker exits in bounded time, a restart resumes', async () => {
    const conn = await connect(factory.source);
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    const first = spawnWorker(h.env);
    await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, {
      timeoutMs: 60_000,
      what: 'three batches before SIGTERM',
    });
    const signalledAt = Date.now();
    first.kill('SIGTERM');
    const exit = await first.exited;
    expect(exit.code).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(15_000);
    const stopped = await h.progress(syncId);
    expect(stopped.status).toBe('in_progress');
    expect(stopped.batchNumber).toBeGreaterThanOrEqual(3);
    expect(first.logs()).toMatch(/shutting down/);

    const restarted = spawnWorker(h.env);
    await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
    await expectExactlyTheSource(syncId, conn.id);
    // Stopped, or it would take the next source's sync from the worker that test kills.
    restarted.kill('SIGTERM');
    await restarted.exited;
  }, 180_000);
});
