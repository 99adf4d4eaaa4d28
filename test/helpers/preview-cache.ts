import type pg from 'pg';
import { inTransaction } from './pg-assert.js';

/**
 * Makes a preview cache row expired (an hour ago), which the table's trigger
 * forbids writing: the trigger is off for this one transaction only.
 */
export async function expirePreviewRow(pool: pg.Pool, cacheKey: string): Promise<void> {
  await inTransaction(pool, async (c) => {
    await c.query('ALTER TABLE sync_preview_cache DISABLE TRIGGER sync_preview_cache_reject_expired');
    await c.query(
      `UPDATE sync_preview_cache SET computed_at = now() - interval '2 hours',
              expires_at = now() - interval '1 hour' WHERE cache_key = $1`,
      [cacheKey],
    );
    await c.query('ALTER TABLE sync_preview_cache ENABLE TRIGGER sync_preview_cache_reject_expired');
  });
}
