import pg from 'pg';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { defaultMigrationsDir } from '../../src/db/migrate/migration-files.js';
import { migrateUp } from '../../src/db/migrate/migrator.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers } from '../helpers/worker-process.js';
import { expectNoSecretInLogs, secretsOf, WorkerPool } from './round.js';

let postgres: PrivatePostgres;
let h: SyncHarness;
let fake: FakeWooServer;
let db: pg.Pool;
let workers: WorkerPool;
const CUSTOMERS = 2000;

beforeAll(async () => {
  postgres = await startPrivatePostgres();
  const admin = new pg.Client({ connectionString: postgres.url('postgres') });
  await admin.connect();
  await admin.query('CREATE DATABASE sync');
  await admin.end();
  await migrateUp({ databaseUrl: postgres.url('sync'), migrationsDir: defaultMigrationsDir });
  db = new pg.Pool({ connectionString: postgres.url('sync'), max: 2 });
  db.on('error', () => undefined); // the crash below cuts idle clients too
  h = await createSyncHarness('pgrestart', {
    DATABASE_URL: postgres.url('sync'),
    SYNC_BATCH_SIZE: '100',
    SYNC_PAGE_CONCURRENCY: '1',
    SYNC_BACKOFF_BASE: '300ms',
    SYNC_MAX_ATTEMPTS: '10',
  });
  fake = await startFakeWooCommerce({ customers: CUSTOMERS, seed: 4, latencyMs: 40 });
  workers = new WorkerPool(() => h.env);
}, 120_000);

afterAll(async () => {
  await workers?.stopAll();
  await killAllWorkers();
  await h?.close();
  await db?.end();
  await fake?.close();
  await postgres?.stop();
});

test('Postgres crashed and restarted mid-sync: the worker process retries, resumes and completes exactly once', async () => {
  const conn = await h.addConnection(fake.connection());
  workers.spawn();
  const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
  await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, {
    timeoutMs: 120_000,
    what: 'three batches',
  });

  postgres.crash();
  // Postgres stays down until an attempt has failed on it: a crash that falls
  // between two batches would otherwise go unnoticed by a pool that reconnects.
  const queue = h.runtime.queue(h.runtime.sources.get('woocommerce').queueName);
  await waitFor(async () => ((await queue.getJob(syncId))?.attemptsMade ?? 0) >= 1, {
    timeoutMs: 60_000,
    what: 'an attempt to fail while Postgres is down',
  });
  await postgres.start();

  const status = await waitFor(
    async () => {
      const { rows } = await db.query('SELECT status::text FROM sync_progress WHERE sync_id = $1', [syncId]);
      const s = rows[0]?.status as string | undefined;
      return s && !['pending', 'in_progress'].includes(s) ? s : null;
    },
    { timeoutMs: 120_000, what: 'the sync to end after the restart' },
  );
  expect(status).toBe('completed');
  const { rows: progress } = await db.query(
    'SELECT processed_count, total_items, batch_number FROM sync_progress WHERE sync_id = $1',
    [syncId],
  );
  expect(progress[0]).toMatchObject({ processed_count: CUSTOMERS, total_items: CUSTOMERS });
  const { rows: records } = await db.query(
    `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM sync_record WHERE connection_id = $1`,
    [conn.id],
  );
  expect(records[0]).toEqual({ n: CUSTOMERS, d: CUSTOMERS });
  const { rows: log } = await db.query(
    `SELECT action::text, record_count FROM sync_activity_log WHERE sync_id = $1`,
    [syncId],
  );
  expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
  const batches = log.filter((r) => r.action === 'batch_process');
  expect(batches).toHaveLength(progress[0].batch_number);
  expect(batches.reduce((s, r) => s + r.record_count, 0)).toBe(CUSTOMERS);
  expect(log.some((r) => r.action === 'partial_resume')).toBe(true);
  expect(log.some((r) => r.action === 'error_recovery')).toBe(true);
  const { rows: ids } = await db.query<{ external_id: string }>(
    'SELECT external_id FROM sync_record WHERE connection_id = $1',
    [conn.id],
  );
  expect(new Set(ids.map((r) => r.external_id))).toEqual(new Set(fake.store.ids('customer').map(String)));
  expectNoSecretInLogs(workers.lines(), secretsOf(h.env, fake.connection().credentials));
});
