import { afterAll, beforeAll, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeRequest, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers } from '../helpers/worker-process.js';
import {
  expectExactRound,
  expectNoSecretInLogs,
  secretsOf,
  seededRandom,
  suiteSeed,
  WorkerPool,
} from './round.js';

// Ten rounds of `kill -9` of a worker process at a batch boundary chosen by a seeded generator
// (printed; RELIABILITY_SEED replays it): either as the k-th page request reaches the store (the
// batch before it committed, the next one not fetched) or as the k-th batch commits. A new worker
// process takes the stalled job over and resumes from the checkpoint; after every round the sync
// completed once with exactly the store's records and no log line carries a secret. The worker
// that finished a round is the next round's victim.

const ROUNDS = Number(process.env.ROUNDS ?? 10);
const CUSTOMERS = 800;
const BATCH = 100;
const AUTH_MODES = ['basic', 'oauth1', 'query'] as const;

let h: SyncHarness;
let fake: FakeWooServer;
let workers: WorkerPool;

beforeAll(async () => {
  h = await createSyncHarness('killrounds', {
    SYNC_BATCH_SIZE: String(BATCH),
    SYNC_PAGE_CONCURRENCY: '1',
    SYNC_JOB_LOCK_DURATION: '2s',
    SYNC_SHUTDOWN_TIMEOUT: '10s',
  });
  fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 11, latencyMs: 10 });
  workers = new WorkerPool(() => h.env);
});

afterAll(async () => {
  await workers?.stopAll();
  await killAllWorkers();
  await h?.close();
  await fake?.close();
});

/** A request for a page of customers (not the count, not the deletion scan's id pages). */
const isPage = (r: FakeRequest) =>
  r.route === 'customers' && r.query._fields !== 'id' && r.query.per_page !== '1';

test(`${ROUNDS} rounds of kill -9 at random batch boundaries: each sync completes once, exactly`, async () => {
  const random = seededRandom(suiteSeed('kill -9 rounds'));
  const sourceIds = fake.store.ids('customer').map(String);
  let victim = workers.spawn();
  for (let round = 1; round <= ROUNDS; round++) {
    const at = 2 + Math.floor(random() * (CUSTOMERS / BATCH - 3)); // batches 2 … 6 of 8
    const when = random() < 0.5 ? 'page-request' : 'batch-commit';
    const authMode = AUTH_MODES[Math.floor(random() * AUTH_MODES.length)]!;
    console.log(`round ${round}: kill -9 at ${when} ${at} (auth ${authMode})`);

    const conn = await h.addConnection(fake.connection({ authMode, rateLimitPerSecond: 100 }));
    const killed = victim;
    let pages = 0;
    fake.options.onRequest = (_n, r) => {
      if (when === 'page-request' && isPage(r) && ++pages === at) killed.kill('SIGKILL');
    };
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    // The next worker starts once the victim holds the job (so that it is the victim that has
    // it), and is up when the kill comes: the round waits on BullMQ's stalled check, not on a start.
    await waitFor(
      async () => (await h.progress(syncId)).status === 'in_progress' || killed.child.exitCode !== null,
      {
        intervalMs: 10,
        what: `round ${round} to start`,
      },
    );
    victim = workers.spawn();
    if (when === 'batch-commit') {
      await waitFor(async () => (await h.progress(syncId)).batchNumber >= at, {
        timeoutMs: 120_000,
        intervalMs: 10,
        what: `batch ${at} of round ${round}`,
      });
      killed.kill('SIGKILL');
    }
    expect((await killed.exited).signal).toBe('SIGKILL');
    fake.options.onRequest = undefined;
    expect((await h.progress(syncId)).status).toBe('in_progress');

    await workers.waitForEnd(h, syncId);
    victim = workers.live() ?? workers.spawn();
    await expectExactRound(h, syncId, conn.id, sourceIds);
    expectNoSecretInLogs(workers.lines(), secretsOf(h.env, fake.connection().credentials));
  }
}, 600_000);
