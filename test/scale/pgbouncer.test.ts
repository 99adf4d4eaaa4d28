import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { SignJWT } from 'jose';
import pLimit from 'p-limit';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { migrationUrl } from '../../src/cli/commands/migrate.js';
import { loadConfig } from '../../src/config.js';
import { createPrisma } from '../../src/db/prisma.js';
import { migrateUp } from '../../src/db/migrate/migrator.js';
import { defaultMigrationsDir } from '../../src/db/migrate/migration-files.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { JobNames, QueueNames } from '../../src/queues/queue-names.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { authenticatorUrlFor } from '../helpers/env.js';
import { PGBOUNCER_BIN, startPgBouncer, type PgBouncer } from '../helpers/pgbouncer.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Postgres behind Debian's PgBouncer in transaction pooling mode: the worker,
 * the API under RLS (as the authenticator), the maintenance jobs and 50
 * concurrent syncs all go through it. PgBouncer 1.18 (Debian bookworm) keeps
 * no prepared statement across transactions and no session state, so a named
 * prepared statement, a session `SET` or a `LISTEN` on this path would break
 * here. Migrations take a session advisory lock: they use DATABASE_DIRECT_URL.
 */
if (!PGBOUNCER_BIN) {
  console.warn(
    'pgbouncer.test.ts skipped: Debian package pgbouncer is not installed (apt-get install pgbouncer)',
  );
}

const JWT_SECRET = 'pgbouncer-test-secret-0123456789abcdef0123';

describe.skipIf(!PGBOUNCER_BIN)('through PgBouncer (pool_mode = transaction)', () => {
  let bouncer: PgBouncer;
  let h: SyncHarness;
  let pooled: Runtime;
  let fake: FakeWooServer;
  let dbName: string;
  let bouncedUrl: string;

  beforeAll(async () => {
    // A small pool: 50 syncs and the API share 8 server connections.
    bouncer = await startPgBouncer({ poolSize: 8 });
    h = await createSyncHarness('pgbouncer');
    dbName = new URL(h.db.url).pathname.slice(1);
    bouncedUrl = bouncer.urlFor(h.db.url);
    pooled = createRuntime(loadConfig({ ...h.env, DATABASE_URL: bouncedUrl }), { poolSize: 10 });
    fake = await startFakeWooCommerce({ customers: 350, seed: 21 });
  });

  afterAll(async () => {
    await pooled?.close();
    await h?.close();
    await fake?.close();
    await bouncer?.stop();
  });

  async function recordCount(connectionId: string): Promise<number> {
    const { rows } = await h.db.pool.query(
      `SELECT count(DISTINCT external_id)::int AS n FROM sync_record WHERE connection_id = $1`,
      [connectionId],
    );
    return rows[0].n;
  }

  test('migrate goes to DATABASE_DIRECT_URL (its advisory lock is session-level); the rest to PgBouncer', async () => {
    const config = loadConfig({ ...h.env, DATABASE_URL: bouncedUrl, DATABASE_DIRECT_URL: h.db.url });
    expect(migrationUrl(config)).toBe(h.db.url);
    expect(migrationUrl(loadConfig({ ...h.env, DATABASE_URL: bouncedUrl }))).toBe(bouncedUrl);
    const result = await migrateUp({
      databaseUrl: migrationUrl(config),
      migrationsDir: defaultMigrationsDir,
    });
    expect(result.applied).toEqual([]);
  });

  test('a full sync through PgBouncer: exact counts, one sync_complete', async () => {
    const before = await bouncer.stats(dbName);
    await h.startWorkers({ DATABASE_URL: bouncedUrl });
    const conn = await h.addConnection({ ...fake.connection(), settings: { rateLimitPerSecond: 1000 } });
    const { syncId } = await enqueueSync(pooled, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed']);
    expect((await h.progress(syncId)).status).toBe('completed');
    expect(await recordCount(conn.id)).toBe(350);
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
    // It really went through PgBouncer.
    const after = await bouncer.stats(dbName);
    expect(after.xacts).toBeGreaterThan(before.xacts);
  });

  test('the API under RLS, as the authenticator through PgBouncer: each user sees its own org only', async () => {
    const apiConfig = loadConfig({
      ...h.env,
      DATABASE_URL: bouncedUrl,
      API_DATABASE_URL: authenticatorUrlFor(bouncedUrl),
      SYNC_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: 'silent',
    });
    const serverRuntime = createRuntime(apiConfig, {
      prisma: createPrisma(authenticatorUrlFor(bouncedUrl), { poolSize: 4 }),
    });
    let app: FastifyInstance | undefined;
    try {
      app = await buildServer(serverRuntime, { poolSize: 6 });
      await app.ready(); // the start-up role check runs through PgBouncer too
      const orgs = [randomUUID(), randomUUID()];
      const users = [randomUUID(), randomUUID()];
      for (let i = 0; i < 2; i++) {
        await h.db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [
          users[i],
          orgs[i],
        ]);
      }
      const mine = await h.addConnection({ ...fake.connection(), orgId: orgs[0] });
      const theirs = await h.addConnection({ ...fake.connection(), orgId: orgs[1] });
      const token = (sub: string) =>
        new SignJWT({})
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(sub)
          .setIssuedAt()
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JWT_SECRET));
      const as = async (i: number, url: string, method: 'GET' | 'POST' = 'GET', payload?: object) =>
        app!.inject({ method, url, payload, headers: { authorization: `Bearer ${await token(users[i]!)}` } });

      // Many requests in parallel over few server connections: a role or a claim left on a
      // server connection by one request would show up in another's answer.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, k) => as(k % 2, '/api/v1/connections')),
      );
      answers.forEach((res, k) => {
        expect(res.statusCode).toBe(200);
        const ids = (res.json().connections as { id: string }[]).map((c) => c.id);
        expect(ids).toContain(k % 2 === 0 ? mine.id : theirs.id);
        expect(ids).not.toContain(k % 2 === 0 ? theirs.id : mine.id);
      });

      // A sync requested through the API runs through the pooled worker.
      const started = await as(0, '/api/v1/syncs', 'POST', { connectionId: mine.id, entityType: 'customer' });
      expect(started.statusCode).toBe(202);
      const { syncId } = started.json() as { syncId: string };
      await h.waitForStatus(syncId, ['completed']);
      expect((await as(0, `/api/v1/syncs/${syncId}`)).json()).toMatchObject({ status: 'completed' });
      expect((await as(1, `/api/v1/syncs/${syncId}`)).statusCode).toBe(404);

      // Nothing of a request's settings stays on PgBouncer's server connections.
      const client = new pg.Client({ connectionString: bouncedUrl });
      await client.connect();
      try {
        for (let i = 0; i < 10; i++) {
          const { rows } = await client.query(
            `SELECT current_user AS who, coalesce(current_setting('request.jwt.claim.sub', true), '') AS sub`,
          );
          expect(rows[0]).toEqual({ who: 'postgres', sub: '' });
        }
      } finally {
        await client.end();
      }
    } finally {
      await app?.close();
      await serverRuntime.close();
    }
  });

  test('the maintenance jobs run through PgBouncer', async () => {
    const maintenance = pooled.queue(QueueNames.maintenance);
    for (const name of [JobNames.cleanupPreviewCache, JobNames.maintainPartitions, JobNames.sweepStalled]) {
      const job = await maintenance.add(name, {});
      const state = await waitFor(
        async () => {
          const j = await maintenance.getJob(job.id!);
          const s = await j?.getState();
          return s === 'completed' || s === 'failed' ? { s, reason: j?.failedReason } : null;
        },
        { what: `${name} to finish` },
      );
      expect({ name, ...state }).toEqual({ name, s: 'completed', reason: undefined });
    }
  });

  test('50 concurrent syncs through PgBouncer, each complete with exact counts', async () => {
    const small = await startFakeWooCommerce({ customers: 30, seed: 22 });
    try {
      const more = await h.startWorkers({ DATABASE_URL: bouncedUrl, SYNC_CONCURRENCY_WOOCOMMERCE: '50' });
      expect(more.workers.length).toBeGreaterThan(0);
      const conns = [];
      for (let i = 0; i < 50; i++) {
        conns.push(await h.addConnection({ ...small.connection(), settings: { rateLimitPerSecond: 1000 } }));
      }
      // Enqueued a few at a time (a burst of 50 interactive transactions on one producer's pool of
      // 10 can wait past Prisma's 2 s maxWait on this loaded machine); the workers then run them
      // together (concurrency 50).
      const enqueue = pLimit(5);
      const syncs = await Promise.all(
        conns.map((c) => enqueue(() => enqueueSync(pooled, { connectionId: c.id, entityType: 'customer' }))),
      );
      for (const { syncId } of syncs) {
        await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'], 120_000);
      }
      const { rows } = await h.db.pool.query(
        `SELECT p.status::text AS status, count(*)::int AS n
           FROM sync_progress p WHERE p.sync_id = ANY($1) GROUP BY 1`,
        [syncs.map((s) => s.syncId)],
      );
      expect(rows).toEqual([{ status: 'completed', n: 50 }]);
      for (const c of conns) expect(await recordCount(c.id)).toBe(30);
      const complete = await h.db.pool.query(
        `SELECT count(*)::int AS n FROM sync_activity_log WHERE sync_id = ANY($1) AND action = 'sync_complete'`,
        [syncs.map((s) => s.syncId)],
      );
      expect(complete.rows[0].n).toBe(50);
    } finally {
      await small.close();
    }
  }, 180_000);
});
