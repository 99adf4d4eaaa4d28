import type pg from 'pg';

/** `n` mirror rows (customers 1..n) of a connection, written straight to sync_record. */
export async function seedRecords(
  pool: pg.Pool,
  orgId: string,
  connectionId: string,
  n: number,
): Promise<void> {
  await pool.query(
    `INSERT INTO sync_record (org_id, connection_id, entity_type, external_id, data, content_hash)
     SELECT $1, $2, 'customer', g::text, '{}'::jsonb, repeat('0', 64) FROM generate_series(1, $3) g`,
    [orgId, connectionId, n],
  );
}

/** How many mirror rows a connection has (deleted ones included). */
export async function countRecords(pool: pg.Pool, connectionId: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1',
    [connectionId],
  );
  return rows[0]!.n;
}
