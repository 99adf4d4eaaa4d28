import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError, inTransaction } from '../helpers/pg-assert.js';

/**
 * The sync_progress triggers of migration 0024: derived metrics (elapsed,
 * speed, ETA), validation of the counts, updated_at, and completion (once,
 * with exactly one sync_complete row in sync_activity_log).
 *
 * Time: rows are inserted with started_at in the past (now() - interval …),
 * so no test sleeps; values derived from "now" are asserted with tolerance.
 */

let db: TestDatabase;
let prisma: PrismaClient;
const orgId = randomUUID();
const userId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('progress_triggers');
  prisma = createPrisma(db.url, { poolSize: 2 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

interface ProgressRow {
  sync_id: string;
  status: string;
  total_items: number;
  processed_count: number;
  failed_count: number;
  current_item: number;
  elapsed_seconds: number | null;
  speed: number | null;
  eta_seconds: number | null;
  started_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

let seq = 0;
function newSyncId(label: string): string {
  seq += 1;
  return `sync-${label}-${seq}-${randomUUID().slice(0, 8)}`;
}

async function insertProgress(
  syncId: string,
  opts: { total: number; startedSecondsAgo?: number; processed?: number; failed?: number; status?: string },
): Promise<void> {
  await db.pool.query(
    `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, processed_count, failed_count,
                                status, initiated_by, source_system, started_at)
     VALUES ($1, $2, 'customer', $3, $4, $5, $6::sync_status_type, $7, 'woocommerce',
             now() - make_interval(secs => $8))`,
    [
      orgId,
      syncId,
      opts.total,
      opts.processed ?? 0,
      opts.failed ?? 0,
      opts.status ?? 'in_progress',
      userId,
      opts.startedSecondsAgo ?? 0,
    ],
  );
}

async function update(syncId: string, set: string, params: unknown[] = []): Promise<void> {
  await db.pool.query(`UPDATE sync_progress SET ${set} WHERE org_id = $1 AND sync_id = $2`, [
    orgId,
    syncId,
    ...params,
  ]);
}

async function progress(syncId: string): Promise<ProgressRow> {
  const { rows } = await db.pool.query<ProgressRow>(
    `SELECT sync_id, status, total_items, processed_count, failed_count, current_item, elapsed_seconds,
            speed_items_per_min::float8 AS speed, eta_seconds, started_at, updated_at, completed_at
       FROM sync_progress WHERE org_id = $1 AND sync_id = $2`,
    [orgId, syncId],
  );
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

async function completionRows(syncId: string) {
  const { rows } = await db.pool.query<{
    org_id: string;
    entity_type: string;
    status: string;
    record_count: number;
    duration_ok: boolean;
    duration_seconds: number;
    user_id: string | null;
    error_message: string | null;
  }>(
    `SELECT l.org_id, l.entity_type, l.status, l.record_count, l.user_id, l.error_message,
            l.duration_seconds::float8 AS duration_seconds,
            l.duration_seconds = EXTRACT(EPOCH FROM (p.completed_at - p.started_at)) AS duration_ok
       FROM sync_activity_log l
       LEFT JOIN sync_progress p ON p.org_id = l.org_id AND p.sync_id = l.sync_id
      WHERE l.sync_id = $1 AND l.action = 'sync_complete'`,
    [syncId],
  );
  return rows;
}

describe('derived metrics', () => {
  test("seed's worked example: 1000 of 5000 after 100 s → elapsed 100, speed 600/min, ETA 400 s", async () => {
    const syncId = newSyncId('example');
    await insertProgress(syncId, { total: 5000, startedSecondsAgo: 100 });
    await update(syncId, 'processed_count = 1000, updated_at = now()');

    const row = await progress(syncId);
    // A few hundred milliseconds pass between the INSERT and the UPDATE.
    expect(row.elapsed_seconds).toBeGreaterThanOrEqual(100);
    expect(row.elapsed_seconds).toBeLessThanOrEqual(102);
    expect(row.speed).toBeGreaterThan(585); // 1000 / 102 s * 60
    expect(row.speed).toBeLessThanOrEqual(600);
    expect(row.eta_seconds).toBeGreaterThanOrEqual(400); // 4000 remaining at 600/min
    expect(row.eta_seconds).toBeLessThanOrEqual(411);
    expect(row.completed_at).toBeNull();
    expect(row.status).toBe('in_progress');
  });

  test('the same example inside one transaction (one now()) gives the exact figures', async () => {
    const syncId = newSyncId('exact');
    const row = await inTransaction(db.pool, async (c) => {
      await c.query(
        `INSERT INTO sync_progress (org_id, sync_id, total_items, started_at)
         VALUES ($1, $2, 5000, now() - interval '100 seconds')`,
        [orgId, syncId],
      );
      const { rows } = await c.query(
        `UPDATE sync_progress SET processed_count = 1000 WHERE org_id = $1 AND sync_id = $2
         RETURNING elapsed_seconds, speed_items_per_min::text AS speed, eta_seconds`,
        [orgId, syncId],
      );
      return rows[0] as { elapsed_seconds: number; speed: string; eta_seconds: number };
    });
    expect(row).toEqual({ elapsed_seconds: 100, speed: '600.00', eta_seconds: 400 });
  });

  test('speed and ETA stay NULL while processed_count = 0 (even with failures and elapsed time)', async () => {
    const syncId = newSyncId('zero');
    await insertProgress(syncId, { total: 100, startedSecondsAgo: 100 });
    let row = await progress(syncId);
    expect(row.speed).toBeNull();
    expect(row.eta_seconds).toBeNull();
    expect(row.elapsed_seconds).toBeGreaterThanOrEqual(100);

    await update(syncId, 'failed_count = 10, current_item = 10');
    row = await progress(syncId);
    expect(row.elapsed_seconds).toBeGreaterThanOrEqual(100);
    expect(row.elapsed_seconds).toBeLessThanOrEqual(102);
    expect(row.speed).toBeNull();
    expect(row.eta_seconds).toBeNull();
  });

  test('speed and ETA stay NULL when no time has elapsed yet', async () => {
    const syncId = newSyncId('no-time');
    const row = await inTransaction(db.pool, async (c) => {
      await c.query(`INSERT INTO sync_progress (org_id, sync_id, total_items) VALUES ($1, $2, 10)`, [
        orgId,
        syncId,
      ]);
      const { rows } = await c.query(
        `UPDATE sync_progress SET processed_count = 5 WHERE org_id = $1 AND sync_id = $2
         RETURNING elapsed_seconds, speed_items_per_min, eta_seconds`,
        [orgId, syncId],
      );
      return rows[0];
    });
    expect(row).toEqual({ elapsed_seconds: 0, speed_items_per_min: null, eta_seconds: null });
  });

  test('updated_at is set to now() on every UPDATE, whatever the statement writes', async () => {
    const syncId = newSyncId('updated-at');
    await db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, total_items, started_at, updated_at)
       VALUES ($1, $2, 10, now() - interval '1 hour', now() - interval '1 hour')`,
      [orgId, syncId],
    );
    const before = await progress(syncId);
    await update(syncId, `batch_number = 1, updated_at = now() - interval '1 day'`);
    const { rows } = await db.pool.query<{ lag: number }>(
      `SELECT EXTRACT(EPOCH FROM (now() - updated_at))::float8 AS lag
         FROM sync_progress WHERE org_id = $1 AND sync_id = $2`,
      [orgId, syncId],
    );
    const after = await progress(syncId);
    expect(after.updated_at.getTime()).toBeGreaterThan(before.updated_at.getTime() + 3_500_000);
    expect(rows[0]!.lag).toBeGreaterThanOrEqual(0);
    expect(rows[0]!.lag).toBeLessThan(30);
  });
});

describe('validation', () => {
  test('processed + failed > total_items is rejected on UPDATE, with an error naming it', async () => {
    const syncId = newSyncId('over');
    await insertProgress(syncId, { total: 10 });
    const err = await expectPgError(update(syncId, 'processed_count = 8, failed_count = 3'), {
      code: '23514',
      message: /processed_count \(8\) \+ failed_count \(3\) exceeds total_items \(10\)/,
    });
    expect(err.message).toContain(syncId);
    const row = await progress(syncId);
    expect([row.processed_count, row.failed_count]).toEqual([0, 0]);
  });

  test('processed + failed > total_items is rejected on INSERT', async () => {
    await expectPgError(insertProgress(newSyncId('over-insert'), { total: 5, processed: 4, failed: 2 }), {
      code: '23514',
      message: /exceeds total_items/,
    });
  });

  test('current_item > total_items is rejected', async () => {
    const syncId = newSyncId('current');
    await insertProgress(syncId, { total: 10 });
    await expectPgError(update(syncId, 'current_item = 11'), {
      code: '23514',
      message: /current_item \(11\) exceeds total_items \(10\)/,
    });
    await update(syncId, 'current_item = 10');
    expect((await progress(syncId)).current_item).toBe(10);
  });

  test('raising total_items first lets the counts grow past the old total', async () => {
    const syncId = newSyncId('grow');
    await insertProgress(syncId, { total: 10 });
    await update(syncId, 'processed_count = 9');
    await update(syncId, 'total_items = 20, processed_count = 15');
    const row = await progress(syncId);
    expect([row.total_items, row.processed_count, row.completed_at]).toEqual([20, 15, null]);
  });
});

describe('completion', () => {
  test('the UPDATE reaching the total completes the sync once, with one sync_complete row', async () => {
    const syncId = newSyncId('complete');
    await insertProgress(syncId, { total: 5000, startedSecondsAgo: 120 });
    await update(syncId, 'processed_count = 1000');
    expect((await progress(syncId)).completed_at).toBeNull();
    expect(await completionRows(syncId)).toHaveLength(0);

    await update(syncId, 'processed_count = 5000, failed_count = 0');
    const done = await progress(syncId);
    expect(done.status).toBe('completed');
    expect(done.completed_at).toBeInstanceOf(Date);
    expect(done.eta_seconds).toBe(0);
    expect(done.elapsed_seconds).toBeGreaterThanOrEqual(120);

    const logs = await completionRows(syncId);
    expect(logs).toHaveLength(1);
    const log = logs[0]!;
    expect(log).toMatchObject({
      org_id: orgId,
      entity_type: 'customer',
      status: 'completed',
      record_count: 5000,
      user_id: userId,
      error_message: null,
      duration_ok: true,
    });
    expect(log.duration_seconds).toBeGreaterThanOrEqual(120);
    expect(log.duration_seconds).toBeLessThan(150);
  });

  test('failures make it completed_with_errors; record_count = processed + failed', async () => {
    const syncId = newSyncId('errors');
    await insertProgress(syncId, { total: 10, startedSecondsAgo: 30 });
    await update(syncId, 'processed_count = 7, failed_count = 3');
    expect((await progress(syncId)).status).toBe('completed_with_errors');
    const logs = await completionRows(syncId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 'completed_with_errors', record_count: 10, duration_ok: true });
  });

  test('later updates do not move completed_at, change the outcome, or log again', async () => {
    const syncId = newSyncId('final');
    await insertProgress(syncId, { total: 3, startedSecondsAgo: 60 });
    await update(syncId, 'processed_count = 3');
    const done = await progress(syncId);

    await update(syncId, `batch_number = 9, metadata = '{"after": true}'`);
    await update(syncId, `completed_at = now() + interval '1 day', status = 'in_progress'`);
    await update(syncId, `completed_at = NULL`);
    await update(syncId, 'total_items = 4, processed_count = 4');
    await update(syncId, 'processed_count = 3, failed_count = 1');

    const after = await progress(syncId);
    expect(after.completed_at).toEqual(done.completed_at);
    expect(after.status).toBe('completed');
    expect(after.elapsed_seconds).toBe(done.elapsed_seconds);
    expect(await completionRows(syncId)).toHaveLength(1);
  });

  test('a row inserted with 0 of 0 is not complete until its first UPDATE, which completes and logs it', async () => {
    const syncId = newSyncId('empty');
    await insertProgress(syncId, { total: 0, startedSecondsAgo: 5 });
    let row = await progress(syncId);
    expect(row.completed_at).toBeNull();
    expect(row.status).toBe('in_progress');
    expect(await completionRows(syncId)).toHaveLength(0);

    await update(syncId, 'batch_number = 1');
    row = await progress(syncId);
    expect(row.completed_at).toBeInstanceOf(Date);
    expect(row.status).toBe('completed');
    const logs = await completionRows(syncId);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ status: 'completed', record_count: 0, duration_ok: true });
  });

  test('a row inserted already at its total (5 of 5) completes on its first UPDATE', async () => {
    const syncId = newSyncId('inserted-full');
    await insertProgress(syncId, { total: 5, processed: 5 });
    expect((await progress(syncId)).completed_at).toBeNull();
    await update(syncId, 'batch_number = 1');
    expect((await progress(syncId)).status).toBe('completed');
    expect(await completionRows(syncId)).toHaveLength(1);
  });

  test('a sync cannot be inserted as completed or completed_with_errors', async () => {
    for (const status of ['completed', 'completed_with_errors']) {
      await expectPgError(insertProgress(newSyncId('insert-done'), { total: 1, processed: 1, status }), {
        code: '23514',
        message: /completed by its progress updates/,
      });
    }
  });

  test('completed_at written by an INSERT is ignored', async () => {
    const syncId = newSyncId('insert-completed-at');
    await db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, total_items, completed_at) VALUES ($1, $2, 1, now())`,
      [orgId, syncId],
    );
    expect((await progress(syncId)).completed_at).toBeNull();
  });

  test.each(['cancelled', 'failed', 'paused', 'timeout', 'pending'])(
    'a %s sync reaching its total is not completed and not logged',
    async (status) => {
      const syncId = newSyncId(status);
      await insertProgress(syncId, { total: 4, startedSecondsAgo: 10 });
      await update(syncId, 'processed_count = 2');
      // The status change and the final counts in one statement, then a later touch.
      await update(syncId, `status = $3::sync_status_type, processed_count = 3, failed_count = 1`, [status]);
      await update(syncId, 'batch_number = 2');
      const row = await progress(syncId);
      expect(row.status).toBe(status);
      expect(row.completed_at).toBeNull();
      expect(await completionRows(syncId)).toHaveLength(0);
    },
  );

  test('a status set to cancelled before the counts reach the total does not complete either', async () => {
    const syncId = newSyncId('cancel-first');
    await insertProgress(syncId, { total: 2 });
    await update(syncId, `status = 'cancelled'`);
    await update(syncId, 'processed_count = 2');
    const row = await progress(syncId);
    expect([row.status, row.completed_at]).toEqual(['cancelled', null]);
    expect(await completionRows(syncId)).toHaveLength(0);
  });

  test('exactly one sync_complete row per sync across many syncs and updates', async () => {
    const ids = Array.from({ length: 5 }, () => newSyncId('many'));
    for (const id of ids) await insertProgress(id, { total: 2, startedSecondsAgo: 1 });
    for (const id of ids) {
      await update(id, 'processed_count = 1');
      await update(id, 'processed_count = 2');
      await update(id, 'batch_number = batch_number + 1');
      await update(id, 'batch_number = batch_number + 1');
    }
    const { rows } = await db.pool.query<{ sync_id: string; n: number }>(
      `SELECT sync_id, count(*)::int AS n FROM sync_activity_log
        WHERE action = 'sync_complete' AND sync_id = ANY($1) GROUP BY sync_id ORDER BY sync_id`,
      [ids],
    );
    expect(rows).toEqual([...ids].sort().map((sync_id) => ({ sync_id, n: 1 })));
  });

  // DESIGN.md: the worker must not need to compute completion, but a worker
  // that writes the outcome itself together with the final counts must not
  // lose the sync's one completion row either.
  test('an UPDATE writing status = completed with the final counts still completes and logs once', async () => {
    const syncId = newSyncId('worker-sets-status');
    await insertProgress(syncId, { total: 3, startedSecondsAgo: 10 });
    await update(syncId, `processed_count = 3, status = 'completed'`);
    const row = await progress(syncId);
    expect(row.status).toBe('completed');
    expect(row.completed_at, 'status completed but completed_at NULL').toBeInstanceOf(Date);
    expect(await completionRows(syncId)).toHaveLength(1);
  });

  test('status completed / completed_with_errors cannot be written while the counts are short', async () => {
    const syncId = newSyncId('premature');
    await insertProgress(syncId, { total: 3 });
    await expectPgError(update(syncId, `processed_count = 1, status = 'completed'`), { code: '23514' });
    const row = await progress(syncId);
    expect([row.status, row.completed_at]).toEqual(['in_progress', null]);
  });
});

describe('through Prisma (the way the worker writes progress)', () => {
  test('prisma.syncProgress.update reaching the total returns the completed row and logs once', async () => {
    const syncId = newSyncId('prisma');
    const created = await prisma.syncProgress.create({
      data: {
        orgId,
        syncId,
        entityType: 'product',
        totalItems: 200,
        initiatedBy: userId,
        sourceSystem: 'shopify',
        startedAt: new Date(Date.now() - 100_000),
      },
    });
    expect(created.completedAt).toBeNull();
    expect(created.status).toBe('in_progress');

    const mid = await prisma.syncProgress.update({
      where: { orgId_syncId: { orgId, syncId } },
      data: { processedCount: 100, currentItem: 100, batchNumber: 1 },
    });
    expect(mid.elapsedSeconds).toBeGreaterThanOrEqual(99);
    expect(mid.speedItemsPerMin?.toNumber()).toBeGreaterThan(50);
    expect(mid.etaSeconds).toBeGreaterThan(0);
    expect(mid.completedAt).toBeNull();

    const done = await prisma.syncProgress.update({
      where: { orgId_syncId: { orgId, syncId } },
      data: { processedCount: { increment: 98 }, failedCount: 2, currentItem: 200, batchNumber: 2 },
    });
    expect(done.status).toBe('completed_with_errors');
    expect(done.completedAt).toBeInstanceOf(Date);
    expect(done.etaSeconds).toBe(0);

    await prisma.syncProgress.update({
      where: { orgId_syncId: { orgId, syncId } },
      data: { metadata: { note: 'after completion' } },
    });
    const logs = await prisma.syncActivityLog.findMany({ where: { syncId, action: 'sync_complete' } });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({
      orgId,
      entityType: 'product',
      status: 'completed_with_errors',
      recordCount: 200,
      userId,
    });
    const expected = (done.completedAt!.getTime() - created.startedAt.getTime()) / 1000;
    expect(logs[0]!.durationSeconds!.toNumber()).toBeCloseTo(expected, 2);
  });
});
