import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError, inTransaction } from '../helpers/pg-assert.js';

/**
 * sync_preview_cache (migration 0024): defaults (one-hour TTL), rejection of
 * expired rows (trigger, since now() cannot live in a CHECK), the
 * expires_at > computed_at CHECK, and auto_cleanup_preview_cache().
 */

let db: TestDatabase;
const orgId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('preview_cache');
});
afterAll(async () => db?.drop());

beforeEach(async () => {
  await db.pool.query('DELETE FROM sync_preview_cache');
});

const delta = {
  new: [{ id: 'WC-12345', email: 'customer@example.com' }],
  updated: [],
  deleted: [],
  statistics: { new_count: 1, updated_count: 0, deleted_count: 0, total_affected: 1 },
};

async function insertValid(cacheKey: string): Promise<void> {
  await db.pool.query(
    `INSERT INTO sync_preview_cache (org_id, sync_type, sync_id, delta_json, cache_key)
     VALUES ($1, 'woocommerce', 'sync-1', $2, $3)`,
    [orgId, delta, cacheKey],
  );
}

/**
 * Inserts rows that are already expired, which the trigger forbids: the
 * trigger is disabled only inside this transaction (DDL is transactional,
 * so no other session ever sees it disabled).
 */
async function insertExpired(cacheKeys: string[]): Promise<void> {
  await inTransaction(db.pool, async (c) => {
    await c.query('ALTER TABLE sync_preview_cache DISABLE TRIGGER sync_preview_cache_reject_expired');
    for (const key of cacheKeys) {
      await c.query(
        `INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, computed_at, expires_at)
         VALUES ($1, 'odoo', $2, now() - interval '2 hours', now() - interval '1 hour')`,
        [orgId, key],
      );
    }
    await c.query('ALTER TABLE sync_preview_cache ENABLE TRIGGER sync_preview_cache_reject_expired');
  });
}

describe('defaults', () => {
  test('id is a generated uuid; computed_at = now(); expires_at = now() + 1 hour', async () => {
    const row = await inTransaction(db.pool, async (c) => {
      const { rows } = await c.query(
        `INSERT INTO sync_preview_cache (org_id, delta_json, cache_key) VALUES ($1, $2, 'defaults')
         RETURNING id::text, computed_at = now() AS computed_now,
                   expires_at = now() + interval '1 hour' AS expires_in_an_hour,
                   created_at = now() AS created_now, updated_at = now() AS updated_now,
                   delta_json`,
        [orgId, delta],
      );
      return rows[0];
    });
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row).toMatchObject({
      computed_now: true,
      expires_in_an_hour: true,
      created_now: true,
      updated_now: true,
      delta_json: delta,
    });
  });

  test('two rows get different ids; cache_key is unique', async () => {
    await insertValid('k1');
    await insertValid('k2');
    const { rows } = await db.pool.query(`SELECT count(DISTINCT id)::int AS n FROM sync_preview_cache`);
    expect(rows[0].n).toBe(2);
    await expectPgError(insertValid('k1'), { code: '23505' });
  });

  test('an UPDATE refreshes updated_at', async () => {
    await db.pool.query(
      `INSERT INTO sync_preview_cache (org_id, cache_key, computed_at, created_at, updated_at)
       VALUES ($1, 'touch', now() - interval '10 minutes', now() - interval '10 minutes', now() - interval '10 minutes')`,
      [orgId],
    );
    const { rows } = await db.pool.query(
      `UPDATE sync_preview_cache SET delta_json = '{}' WHERE cache_key = 'touch'
       RETURNING now() - updated_at < interval '1 minute' AS fresh`,
    );
    expect(rows[0].fresh).toBe(true);
  });
});

describe('expiry', () => {
  test('inserting an already expired row is rejected by the trigger', async () => {
    const err = await expectPgError(
      db.pool.query(
        `INSERT INTO sync_preview_cache (org_id, cache_key, computed_at, expires_at)
         VALUES ($1, 'expired', now() - interval '2 hours', now() - interval '1 second')`,
        [orgId],
      ),
      { code: '23514', constraint: 'sync_preview_cache_not_expired', message: /already expired/ },
    );
    expect(err.message).toContain('expired');
  });

  test('expires_at = now() counts as expired', async () => {
    await expectPgError(
      db.pool.query(
        `INSERT INTO sync_preview_cache (org_id, cache_key, computed_at, expires_at)
         VALUES ($1, 'now', now() - interval '1 hour', now())`,
        [orgId],
      ),
      { code: '23514', constraint: 'sync_preview_cache_not_expired' },
    );
  });

  test('updating a row to an expiry in the past is rejected', async () => {
    await insertValid('to-expire');
    await expectPgError(
      db.pool.query(
        `UPDATE sync_preview_cache SET expires_at = now() - interval '1 minute' WHERE cache_key = 'to-expire'`,
      ),
      { code: '23514', constraint: 'sync_preview_cache_not_expired' },
    );
  });

  test('expires_at <= computed_at is rejected by the CHECK', async () => {
    for (const expires of [`now() + interval '1 hour'`, `now() + interval '2 hours'`]) {
      await expectPgError(
        db.pool.query(
          `INSERT INTO sync_preview_cache (org_id, computed_at, expires_at)
           VALUES ($1, now() + interval '2 hours', ${expires})`,
          [orgId],
        ),
        { code: '23514', constraint: 'sync_preview_cache_expires_after_computed' },
      );
    }
  });

  test('a row computed earlier that is still valid is accepted', async () => {
    await db.pool.query(
      `INSERT INTO sync_preview_cache (org_id, cache_key, computed_at, expires_at)
       VALUES ($1, 'still-valid', now() - interval '59 minutes', now() + interval '1 minute')`,
      [orgId],
    );
  });
});

describe('auto_cleanup_preview_cache()', () => {
  test('deletes exactly the expired rows and returns (deleted_count, NULL)', async () => {
    await insertValid('valid-1');
    await insertValid('valid-2');
    await insertExpired(['old-1', 'old-2', 'old-3']);

    const { rows, fields } = await db.pool.query('SELECT * FROM auto_cleanup_preview_cache()');
    expect(fields.map((f) => f.name)).toEqual(['deleted_count', 'error_message']);
    expect(rows).toEqual([{ deleted_count: 3, error_message: null }]);

    const left = await db.pool.query(`SELECT cache_key FROM sync_preview_cache ORDER BY cache_key`);
    expect(left.rows.map((r) => r.cache_key)).toEqual(['valid-1', 'valid-2']);
  });

  test('with nothing expired it returns (0, NULL) and deletes nothing', async () => {
    await insertValid('valid');
    const { rows } = await db.pool.query('SELECT * FROM auto_cleanup_preview_cache()');
    expect(rows).toEqual([{ deleted_count: 0, error_message: null }]);
    const left = await db.pool.query(`SELECT count(*)::int AS n FROM sync_preview_cache`);
    expect(left.rows[0].n).toBe(1);
  });

  test('a second run right after the first deletes nothing more', async () => {
    await insertExpired(['a', 'b']);
    expect((await db.pool.query('SELECT * FROM auto_cleanup_preview_cache()')).rows[0]).toEqual({
      deleted_count: 2,
      error_message: null,
    });
    expect((await db.pool.query('SELECT * FROM auto_cleanup_preview_cache()')).rows[0]).toEqual({
      deleted_count: 0,
      error_message: null,
    });
  });

  test('rows expired by the passage of time are cleaned up (row made to look an hour old)', async () => {
    await insertValid('aged');
    await inTransaction(db.pool, async (c) => {
      await c.query('ALTER TABLE sync_preview_cache DISABLE TRIGGER sync_preview_cache_reject_expired');
      await c.query(
        `UPDATE sync_preview_cache
            SET computed_at = computed_at - interval '61 minutes', expires_at = expires_at - interval '61 minutes'
          WHERE cache_key = 'aged'`,
      );
      await c.query('ALTER TABLE sync_preview_cache ENABLE TRIGGER sync_preview_cache_reject_expired');
    });
    const { rows } = await db.pool.query('SELECT * FROM auto_cleanup_preview_cache()');
    expect(rows).toEqual([{ deleted_count: 1, error_message: null }]);
  });
});
