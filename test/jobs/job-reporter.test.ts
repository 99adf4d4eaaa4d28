import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueuePreview } from '../../src/queues/enqueue-preview.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { cancelSync } from '../../src/sync/cancel-sync.js';
import { TERMINAL_STATUSES } from '../../src/sync/sync-view.js';
import type { JobProgress } from '../../src/workers/job-reporter.js';
import { wooError } from '../fakes/woocommerce/listing.js';
import { useFakeStore } from '../adapters/woo-helpers.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * What Bull Board shows of a sync, read back through BullMQ itself: the job's
 * name, its progress object, its log lines (queue.getJobLogs), its state and
 * return value or failed reason, and "Retry" (job.retry(), what the button
 * calls) on a failed sync.
 */

let h: SyncHarness;
/** One fake store per test, closed after it. */
const fakeStore = useFakeStore();

beforeAll(async () => {
  h = await createSyncHarness('reporter', {
    SYNC_BATCH_SIZE: '50',
    SYNC_ID_SCAN: 'always',
    SYNC_MAX_ATTEMPTS: '2',
  });
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
});

const TERMINAL = [...TERMINAL_STATUSES];
const queue = () => h.runtime.queue(QueueNames.woocommerce);

async function jobOf(syncId: string): Promise<Job> {
  return waitFor(() => queue().getJob(syncId), { what: `job ${syncId}` });
}

async function logsOf(jobId: string): Promise<string[]> {
  const { logs } = await queue().getJobLogs(jobId, 0, -1, true);
  return logs;
}

async function jobState(syncId: string, states: string[]): Promise<string> {
  return waitFor(
    async () => {
      const state = await queue().getJobState(syncId);
      return states.includes(state) ? state : null;
    },
    { what: `job ${syncId} to be ${states.join('|')}`, timeoutMs: 60_000 },
  );
}

async function connectionName(id: string): Promise<string> {
  const { rows } = await h.db.pool.query('SELECT name FROM integration_connection WHERE id = $1', [id]);
  return rows[0].name;
}

describe('a sync as Bull Board shows it', () => {
  test('readable name, progress after each batch with the triggers’ ETA, and a log from start to end', async () => {
    const fake = await fakeStore({ customers: 1000, seed: 3, latencyMs: 5 });
    const conn = await h.addConnection(fake.connection());
    // Hold every request after the first few: the sync stops between two batches, so the job's
    // progress and the progress row can be compared while nothing moves.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.options.onRequest = async (n) => {
      if (n > 8) await held;
    };
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    const job = await jobOf(syncId);
    expect(job.name).toBe(`customer · ${await connectionName(conn.id)}`);

    const row = await waitFor(
      async () => {
        const progress = (await queue().getJob(syncId))?.progress as JobProgress | undefined;
        const now = await h.progress(syncId);
        return progress?.batch && progress.batch === now.batchNumber && now.etaSeconds !== null
          ? { progress, now }
          : null;
      },
      { what: 'the job progress to catch up with a committed batch' },
    );
    expect(row.progress).toMatchObject({
      phase: 'fetching',
      processed: row.now.processedCount,
      failed: 0,
      total: row.now.totalItems,
      batch: row.now.batchNumber,
      etaSeconds: row.now.etaSeconds, // the trigger's figure, as written with that batch
      speedItemsPerMin: Number(row.now.speedItemsPerMin),
    });
    expect(row.progress.percent).toBe(Math.floor((row.now.processedCount * 100) / row.now.totalItems));
    expect(row.progress.progress).toBe(row.progress.percent);
    expect(row.progress.percent).toBeGreaterThan(0);
    expect(row.progress.percent).toBeLessThan(100);
    release();

    await h.waitForStatus(syncId, TERMINAL);
    await jobState(syncId, ['completed']);
    const done = await queue().getJob(syncId);
    expect(done?.progress).toMatchObject({
      phase: 'completed',
      percent: 100,
      progress: 100,
      processed: 1000,
      total: 1000,
      etaSeconds: 0,
    });
    expect(done?.returnvalue).toMatchObject({ syncId, status: 'completed', processedCount: 1000 });

    const logs = await logsOf(syncId);
    const texts = logs.map((l) => l.replace(/^\d\d:\d\d:\d\dZ /, ''));
    expect(logs.every((l) => /^\d\d:\d\d:\d\dZ /.test(l))).toBe(true);
    expect(texts[0]).toBe('started: full sync of 1,000 items (manual trigger)');
    const batchLines = texts.filter((t) => t.startsWith('batch '));
    // One line each tenth of the items (batches of 50 of 1,000: every second batch), never every batch.
    expect(batchLines.length).toBeGreaterThanOrEqual(5);
    expect(batchLines.length).toBeLessThanOrEqual(11);
    expect(batchLines[0]).toMatch(/^batch 1: 50 of 1,000 \(5%\)/);
    expect(texts).toContain('deletion scan: reading every id the source has now');
    expect(texts).toContain('deletion scan done: 1,000 ids at the source; the last batch commits');
    expect(texts.at(-1)).toBe(
      'completed: 1,000 processed, 0 failed · created 1,000, updated 0, unchanged 0, deleted 0',
    );
  });

  test('rate-limit waits are logged (the bursts in between counted, not each listed)', async () => {
    const fake = await fakeStore({ customers: 400, rateLimit: { every: 5, retryAfterSeconds: 1 } });
    const conn = await h.addConnection(fake.connection());
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await h.waitForStatus(syncId, TERMINAL, 120_000);
    expect((await h.progress(syncId)).status).toBe('completed');
    const limited = fake.requests.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThan(1);
    const lines = (await logsOf(syncId)).filter((l) => l.includes('rate limited'));
    expect(lines[0]).toMatch(/rate limited: the store asked to wait 1s \(Retry-After\); every worker holds/);
    expect(lines.length).toBeLessThan(limited);
  });

  test('a failed sync is a failed job with its message and a last log line', async () => {
    const fake = await fakeStore({ customers: 30 });
    const conn = await h.addConnection({
      ...fake.connection(),
      credentials: { key: 'ck_wrong', secret: 'cs_wrong' },
    });
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await jobState(syncId, ['failed']);
    const job = await queue().getJob(syncId);
    expect(job?.failedReason).toMatch(/^SOURCE_AUTH_FAILED: /);
    expect(job?.failedReason).not.toContain('cs_wrong');
    expect((job?.progress as JobProgress).phase).toBe('failed');
    expect((await logsOf(syncId)).at(-1)).toMatch(
      /Z failed: SOURCE_AUTH_FAILED: .*\(0 processed, 0 failed\)$/,
    );
  });

  test('a cancelled sync completes its job as cancelled: return value, progress phase and log line', async () => {
    const fake = await fakeStore({ customers: 3000, latencyMs: 20 });
    const conn = await h.addConnection(fake.connection());
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await waitFor(async () => (await h.progress(syncId)).batchNumber >= 2, { what: 'two batches' });
    await cancelSync(h.runtime, { syncId });
    await jobState(syncId, ['completed']);
    const job = await queue().getJob(syncId);
    expect(job?.returnvalue).toEqual({ syncId, status: 'cancelled' });
    expect((job?.progress as JobProgress).phase).toBe('cancelled');
    const last = (await logsOf(syncId)).at(-1)!;
    expect(last).toMatch(/Z cancelled by a user: stopped at batch \d+ \(\d+ processed, 0 failed\)/);
    expect(Number(/batch (\d+)/.exec(last)![1])).toBe((await h.progress(syncId)).batchNumber);
  });

  test('preview jobs get readable names too and are still dispatched to the preview processor', async () => {
    const fake = await fakeStore({ customers: 20 });
    const conn = await h.addConnection(fake.connection());
    const enqueued = await enqueuePreview(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    expect(enqueued.cached).toBe(false);
    if (enqueued.cached) return;
    const job = await jobOf(enqueued.jobId);
    expect(job.name).toBe(`preview · customer · ${await connectionName(conn.id)}`);
    await jobState(enqueued.jobId, ['completed']);
    expect((await queue().getJob(enqueued.jobId))?.returnvalue).toMatchObject({
      statistics: expect.objectContaining({ new_count: 20 }),
    });
  });
});

describe('"Retry" on a failed sync (job.retry(), what the button calls)', () => {
  test('reopens the sync and resumes it at its checkpoint: exact counts, one more completion', async () => {
    const fake = await fakeStore({ customers: 900, seed: 5, latencyMs: 2 });
    const conn = await h.addConnection(fake.connection());
    // The store starts refusing the key after a few batches: a fatal error, the sync fails mid-run.
    let refuse = false;
    fake.options.inject = () =>
      refuse ? wooError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.') : undefined;
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await waitFor(async () => (await h.progress(syncId)).batchNumber >= 3, { what: 'three batches' });
    refuse = true;
    await jobState(syncId, ['failed']);
    const failed = await h.progress(syncId);
    expect(failed.status).toBe('failed');
    expect(failed.processedCount).toBeGreaterThanOrEqual(150);
    expect(failed.processedCount).toBeLessThan(900);

    // The key works again (the store was fixed); a user presses "Retry".
    refuse = false;
    const seenBefore = fake.requests.length;
    await (await queue().getJob(syncId))!.retry('failed');
    await jobState(syncId, ['completed']);
    const row = await h.progress(syncId);
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(900);
    expect((row.metadata as { recoveredErrors: { code: string }[] }).recoveredErrors).toEqual([
      expect.objectContaining({ code: 'SOURCE_AUTH_FAILED' }),
    ]);
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1 AND deleted_at IS NULL`,
      [conn.id],
    );
    expect(rows[0].n).toBe(900);
    // It resumed: no page before the checkpoint was fetched again.
    const pagesAfter = fake.requests
      .slice(seenBefore)
      .filter((r) => r.route === 'customers' && r.query._fields === undefined && r.query.per_page !== '1');
    const firstOffset = Math.min(...pagesAfter.map((r) => Number(r.query.offset ?? 0)));
    expect(firstOffset).toBeGreaterThanOrEqual(failed.processedCount - 5); // the 5-item continuity overlap

    const log = await h.activity(syncId);
    const actions = log.map((r) => `${r.action}:${r.status}`);
    const failedAt = actions.indexOf('sync_complete:failed');
    expect(failedAt).toBeGreaterThan(-1);
    expect(actions.slice(failedAt + 1, failedAt + 3)).toEqual([
      'error_recovery:in_progress',
      'partial_resume:in_progress',
    ]);
    expect(log[failedAt + 1]!.error_message).toMatch(/^retried after: SOURCE_AUTH_FAILED/);
    expect(actions.filter((a) => a.startsWith('sync_complete'))).toEqual([
      'sync_complete:failed',
      'sync_complete:completed',
    ]);
    expect(actions.filter((a) => a.startsWith('sync_start'))).toHaveLength(1);

    const texts = await logsOf(syncId);
    expect(texts.some((t) => /Z failed: SOURCE_AUTH_FAILED/.test(t))).toBe(true);
    expect(
      texts.some((t) =>
        /Z retried after it failed: reopened, resuming at its checkpoint with [\d,]+ of 900/.test(t),
      ),
    ).toBe(true);
    expect(texts.at(-1)).toMatch(/Z completed: 900 processed, 0 failed/);
  });

  test('a failure a retry cannot fix stays failed: the job fails again with SYNC_NOT_RESUMABLE', async () => {
    const fake = await fakeStore({ customers: 5 });
    const conn = await h.addConnection(fake.connection());
    // A stored setting that no longer validates: the sync fails with VALIDATION_FAILED.
    await h.db.pool.query(
      `UPDATE integration_connection SET settings = '{"authMode":"bogus"}' WHERE id = $1`,
      [conn.id],
    );
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await jobState(syncId, ['failed']);
    await (await queue().getJob(syncId))!.retry('failed');
    await waitFor(
      async () => ((await queue().getJob(syncId))?.failedReason ?? '').startsWith('SYNC_NOT_RESUMABLE'),
      { what: 'the retried job to fail again' },
    );
    const job = await queue().getJob(syncId);
    expect(job?.failedReason).toMatch(
      /stays failed: it failed with VALIDATION_FAILED \(the stored WooCommerce connection no longer validates/,
    );
    const row = await h.progress(syncId);
    expect(row.status).toBe('failed');
    expect((row.metadata as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const log = await h.activity(syncId);
    expect(log.filter((r) => r.action === 'sync_complete')).toHaveLength(1);
    expect(log.some((r) => r.action === 'error_recovery')).toBe(false);
  });

  test('a failed sync that never started starts over when retried (pending, then counted again)', async () => {
    const fake = await fakeStore({ customers: 40 });
    const conn = await h.addConnection(fake.connection());
    let refuse = true;
    fake.options.inject = () =>
      refuse ? wooError(401, 'woocommerce_rest_authentication_error', 'Consumer key is invalid.') : undefined;
    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    await jobState(syncId, ['failed']);
    expect((await h.progress(syncId)).totalItems).toBe(0);
    refuse = false;
    await (await queue().getJob(syncId))!.retry('failed');
    await jobState(syncId, ['completed']);
    const row = await h.progress(syncId);
    expect(row.status).toBe('completed');
    expect(row.processedCount).toBe(40);
    const actions = (await h.activity(syncId)).map((r) => r.action);
    expect(actions.filter((a) => a === 'sync_complete')).toHaveLength(2);
    expect(actions).toContain('error_recovery');
  });
});
