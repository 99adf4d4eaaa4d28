import type pg from 'pg';

/**
 * Records every committed state of sync_progress rows in a side table (a
 * test-only trigger in the test's own database), so a test can check what
 * each update looked like: e.g. that no update before the last one reached
 * total_items.
 */
export async function installProgressAudit(pool: pg.Pool): Promise<void> {
  await pool.query(`
    CREATE TABLE test_progress_audit (
      seq bigserial PRIMARY KEY,
      sync_id text, status text, processed int, failed int, total int, batch int, completed boolean
    );
    CREATE FUNCTION test_audit_progress() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO test_progress_audit (sync_id, status, processed, failed, total, batch, completed)
      VALUES (NEW.sync_id, NEW.status::text, NEW.processed_count, NEW.failed_count, NEW.total_items,
              NEW.batch_number, NEW.completed_at IS NOT NULL);
      RETURN NULL;
    END $$;
    CREATE TRIGGER zz_test_audit AFTER INSERT OR UPDATE ON sync_progress
      FOR EACH ROW EXECUTE FUNCTION test_audit_progress();
  `);
}

export interface AuditRow {
  status: string;
  processed: number;
  failed: number;
  total: number;
  batch: number;
  completed: boolean;
}

export async function progressAudit(pool: pg.Pool, syncId: string): Promise<AuditRow[]> {
  const { rows } = await pool.query<AuditRow>(
    `SELECT status, processed, failed, total, batch, completed
       FROM test_progress_audit WHERE sync_id = $1 ORDER BY seq`,
    [syncId],
  );
  return rows;
}
