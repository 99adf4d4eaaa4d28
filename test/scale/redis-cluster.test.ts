import { Cluster } from 'ioredis';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkRedis } from '../../src/queues/check-redis.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { scheduleSync, unscheduleSync } from '../../src/queues/schedulers.js';
import { rateBudgetKey } from '../../src/sync/rate-budget/store-key.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * The production shape of Redis: a real Redis Cluster (3 masters, 3
 * replicas) from Debian's redis-server. Syncs, a job scheduler and the
 * cleanup job go through it; then the master of the queues' slot is killed
 * mid-sync and its replica takes over.
 */
let cluster: RedisCluster;
let h: SyncHarness;
let fake: FakeWooServer;
let small: FakeWooServer;
const CUSTOMERS = 1500;

beforeAll(async () => {
  cluster = await startRedisCluster();
  h = await createSyncHarness('rcluster', {
    REDIS_CLUSTER_NODES: cluster.nodes,
    SYNC_BATCH_SIZE: '100',
    SYNC_PAGE_CONCURRENCY: '1',
    SYNC_JOB_LOCK_DURATION: '5s',
  });
  fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 11, latencyMs: 30 });
  small = await startFakeWooCommerce({ customers: 40, seed: 12 });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await fake?.close();
  await small?.close();
  await cluster?.stop();
});

async function recordCounts(connectionId: string): Promise<{ n: number; d: number }> {
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM sync_record WHERE connection_id = $1`,
    [connectionId],
  );
  return rows[0];
}

test('the runtime talks to the cluster: an ioredis Cluster, and the up-front check passes', async () => {
  expect(h.runtime.redis).toBeInstanceOf(Cluster);
  await checkRedis(h.config, 5000);
  // Every key the queues and the rate budgets use hashes to the prefix's one slot.
  const slot = (key: string) => (h.runtime.redis as Cluster).cluster('KEYSLOT', key);
  const queueSlot = await slot(`${h.config.QUEUE_PREFIX}:${QueueNames.woocommerce}:wait`);
  expect(await slot(`${h.config.QUEUE_PREFIX}:${QueueNames.maintenance}:events`)).toBe(queueSlot);
  expect(await slot(rateBudgetKey(h.config.QUEUE_PREFIX, fake.connection().baseUrl))).toBe(queueSlot);
});

test('a cluster that cannot be reached fails the up-front check with REDIS_UNREACHABLE naming REDIS_CLUSTER_NODES', async () => {
  const config = loadConfig({ ...h.env, REDIS_CLUSTER_NODES: '127.0.0.1:1' });
  await expect(checkRedis(config, 2000)).rejects.toMatchObject({
    code: 'REDIS_UNREACHABLE',
    details: { variable: 'REDIS_CLUSTER_NODES' },
  });
});

test('syncs, a job scheduler and the cleanup job run through the cluster', async () => {
  await h.startWorkers();
  const conn = await h.addConnection(small.connection());
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await h.waitForStatus(syncId, ['completed']);
  expect(await recordCounts(conn.id)).toEqual({ n: 40, d: 40 });

  // The CLI producer (`sync-worker sync`, a short-lived process) enqueues through the cluster too.
  const cli = await runCli(['sync', '--connection', conn.id, '--entity', 'customer', '--json'], h.env);
  expect(cli.code, cli.stderr).toBe(0);
  const viaCli = parseJsonOutput(cli) as { syncId: string };
  await h.waitForStatus(viaCli.syncId, ['completed']);

  // A schedule firing every second enqueues a sync through the maintenance queue.
  await scheduleSync(h.runtime, { connectionId: conn.id, entityType: 'customer', cron: '* * * * * *' });
  const scheduled = await waitFor(
    async () => {
      const row = await h.runtime.prisma.syncProgress.findFirst({
        where: { connectionId: conn.id, syncId: { notIn: [syncId, viaCli.syncId] }, status: 'completed' },
      });
      return row?.syncId;
    },
    { what: 'a scheduled sync to complete', timeoutMs: 60_000 },
  );
  expect(scheduled).toBeTruthy();
  await unscheduleSync(h.runtime, conn.id, 'customer');

  // The maintenance schedulers are on the cluster; the cleanup job runs through a worker.
  const maintenance = h.runtime.queue(QueueNames.maintenance);
  const schedulers = await maintenance.getJobSchedulers();
  expect(schedulers.map((s) => s.key)).toEqual(
    expect.arrayContaining(['cleanup-preview-cache', 'maintain-partitions', 'sweep-stalled']),
  );
  const job = await maintenance.add('cleanup-preview-cache', {});
  const result = await waitFor(async () => {
    const j = await maintenance.getJob(job.id!);
    return (await j?.getState()) === 'completed' ? j!.returnvalue : null;
  });
  expect(result).toEqual({ deletedCount: 0, errorMessage: null });
});

test("the queues' master is killed mid-sync: its replica takes over and the sync completes exactly once", async () => {
  const conn = await h.addConnection(fake.connection());
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, { what: 'three batches' });

  const key = `${h.config.QUEUE_PREFIX}:${QueueNames.woocommerce}:wait`;
  const master = await cluster.masterOf(key);
  await cluster.kill(master);
  const promoted = await cluster.waitForFailover(key, master);
  expect(promoted).not.toBe(master);

  await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
  const row = await h.progress(syncId);
  expect(row.status).toBe('completed');
  expect(row.processedCount).toBe(CUSTOMERS);
  expect(await recordCounts(conn.id)).toEqual({ n: CUSTOMERS, d: CUSTOMERS });
  const log = await h.activity(syncId);
  expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
  const examined = log
    .filter((r) => r.action === 'batch_process')
    .reduce((s, r) => s + (r.record_count ?? 0), 0);
  expect(examined).toBe(CUSTOMERS);

  // The cluster, one master down, still takes new syncs.
  const again = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await h.waitForStatus(again.syncId, ['completed'], 120_000);
  // The maintenance worker, idle through the failover, takes jobs again too.
  const maintenance = h.runtime.queue(QueueNames.maintenance);
  const job = await maintenance.add('cleanup-preview-cache', {});
  await waitFor(async () => (await (await maintenance.getJob(job.id!))?.getState()) === 'completed', {
    what: 'the cleanup job after the failover',
    timeoutMs: 60_000,
  });
}, 180_000);
