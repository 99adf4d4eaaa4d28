import { expect } from 'vitest';
import type { SyncHarness } from './sync-harness.js';

/**
 * A sync that was interrupted (kill -9, SIGTERM) and resumed ended with
 * exactly the source's `total` records: completed, each record once, one
 * completion row, at least one resume, one log row per committed batch and
 * no record examined twice.
 */
export async function expectResumedExactly(
  h: SyncHarness,
  syncId: string,
  connectionId: string,
  total: number,
): Promise<void> {
  const row = await h.progress(syncId);
  expect(row.status).toBe('completed');
  expect(row.processedCount).toBe(total);
  expect(row.totalItems).toBe(total);
  const { rows } = await h.db.pool.query(
    `SELECT count(*)::int AS n, count(DISTINCT external_id)::int AS d FROM sync_record WHERE connection_id = $1`,
    [connectionId],
  );
  expect(rows[0]).toEqual({ n: total, d: total });
  const log = await h.activity(syncId);
  expect(log.filter((r) => r.action === 'sync_complete')).toEqual([
    expect.objectContaining({ status: 'completed' }),
  ]);
  expect(log.filter((r) => r.action === 'partial_resume').length).toBeGreaterThanOrEqual(1);
  // one batch_process row per committed batch: nothing counted twice
  expect(log.filter((r) => r.action === 'batch_process')).toHaveLength(row.batchNumber);
  const examined = log
    .filter((r) => r.action === 'batch_process')
    .reduce((s, r) => s + (r.record_count ?? 0), 0);
  expect(examined).toBe(total);
}
