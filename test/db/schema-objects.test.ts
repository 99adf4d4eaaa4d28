import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';

/**
 * The migrated schema matches the design of migration 0024
 * (shared/seed/000_00417536eba19623.txt) with the fixes of DESIGN.md:
 * enums, columns, constraints, indexes, triggers, functions and the twelve
 * RLS policies.
 */

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('schema_objects');
});
afterAll(async () => db?.drop());

const TABLES_0024 = ['sync_preview_cache', 'sync_progress', 'sync_activity_log'];

describe('enums', () => {
  const ENUMS: Record<string, string[]> = {
    sync_type: ['woocommerce', 'odoo', 'shopify', 'custom'],
    sync_action: [
      'preview_delta',
      'sync_start',
      'sync_complete',
      'batch_process',
      'error_recovery',
      'manual_trigger',
      'scheduled_run',
      'partial_resume',
    ],
    sync_entity_type: [
      'customer',
      'product',
      'order',
      'invoice',
      'supplier',
      'inventory',
      'category',
      'attribute',
    ],
    sync_status_type: [
      'pending',
      'in_progress',
      'completed',
      'completed_with_errors',
      'failed',
      'cancelled',
      'paused',
      'timeout',
    ],
  };

  test.each(Object.entries(ENUMS))(
    '%s has exactly the labels of the design, in order',
    async (name, labels) => {
      const { rows } = await db.pool.query<{ label: string }>(
        `SELECT e.enumlabel AS label
         FROM pg_enum e JOIN pg_type t ON t.oid = e.enumtypid
         JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typname = $1 AND n.nspname = 'public'
        ORDER BY e.enumsortorder`,
        [name],
      );
      expect(rows.map((r) => r.label)).toEqual(labels);
    },
  );
});

describe('columns', () => {
  type Column = [name: string, type: string, nullable: boolean, defaultValue: string | null];
  const NOW = 'now()';
  const COLUMNS: Record<string, Column[]> = {
    sync_preview_cache: [
      ['id', 'uuid', false, 'gen_random_uuid()'],
      ['org_id', 'uuid', false, null],
      ['sync_type', 'sync_type', true, null],
      ['sync_id', 'character varying(255)', true, null],
      ['delta_json', 'jsonb', true, null],
      ['computed_at', 'timestamp with time zone', false, NOW],
      ['expires_at', 'timestamp with time zone', false, "(now() + '01:00:00'::interval)"],
      ['computed_by', 'uuid', true, null],
      ['cache_key', 'character varying(255)', true, null],
      ['created_at', 'timestamp with time zone', false, NOW],
      ['updated_at', 'timestamp with time zone', false, NOW],
    ],
    sync_progress: [
      ['id', 'uuid', false, 'gen_random_uuid()'],
      ['org_id', 'uuid', false, null],
      ['sync_id', 'character varying(255)', false, null],
      ['job_id', 'character varying(255)', true, null],
      ['entity_type', 'sync_entity_type', true, null],
      ['current_item', 'integer', false, '0'],
      ['total_items', 'integer', false, '0'],
      ['processed_count', 'integer', false, '0'],
      ['failed_count', 'integer', false, '0'],
      ['speed_items_per_min', 'numeric', true, null],
      ['eta_seconds', 'double precision', true, null], // tenths of a second (…_eta_tenths, issue 7)
      ['elapsed_seconds', 'integer', true, null],
      ['started_at', 'timestamp with time zone', false, NOW],
      ['updated_at', 'timestamp with time zone', false, NOW],
      ['completed_at', 'timestamp with time zone', true, null],
      ['source_system', 'character varying(50)', true, null],
      ['batch_number', 'integer', false, '0'],
      ['metadata', 'jsonb', false, "'{}'::jsonb"],
      ['initiated_by', 'uuid', true, null],
      // Added by DESIGN.md: the worker's status, and the source connection (later migration).
      ['status', 'sync_status_type', false, "'in_progress'::sync_status_type"],
      ['connection_id', 'uuid', true, null],
      // The ETA trigger's moving window (migration …_eta_window, issue 7).
      ['progress_samples', 'jsonb', false, "'[]'::jsonb"],
    ],
    sync_activity_log: [
      ['id', 'uuid', false, 'gen_random_uuid()'],
      ['org_id', 'uuid', false, null],
      ['sync_id', 'character varying(255)', true, null],
      ['entity_type', 'sync_entity_type', true, null],
      ['action', 'sync_action', true, null],
      ['status', 'sync_status_type', true, null],
      ['record_count', 'integer', true, null],
      ['duration_seconds', 'numeric', true, null],
      ['error_message', 'text', true, null],
      ['user_id', 'uuid', true, null],
      ['created_at', 'timestamp with time zone', false, NOW],
    ],
  };

  test.each(Object.entries(COLUMNS))(
    '%s has every column, type, nullability and default',
    async (table, columns) => {
      const { rows } = await db.pool.query<{
        column_name: string;
        data_type: string;
        udt_name: string;
        character_maximum_length: number | null;
        is_nullable: 'YES' | 'NO';
        column_default: string | null;
      }>(
        `SELECT column_name, data_type, udt_name, character_maximum_length, is_nullable, column_default
         FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name = $1
        ORDER BY ordinal_position`,
        [table],
      );
      const actual: Column[] = rows.map((r) => [
        r.column_name,
        r.data_type === 'USER-DEFINED'
          ? r.udt_name
          : r.character_maximum_length !== null
            ? `${r.data_type}(${r.character_maximum_length})`
            : r.data_type,
        r.is_nullable === 'YES',
        r.column_default,
      ]);
      expect(actual).toEqual(columns);
    },
  );
});

describe('constraints', () => {
  test('primary keys, unique keys and checks of the three tables', async () => {
    const { rows } = await db.pool.query<{ rel: string; name: string; def: string }>(
      `SELECT conrelid::regclass::text AS rel, conname AS name, pg_get_constraintdef(oid) AS def
         FROM pg_constraint
        WHERE conrelid = ANY($1::regclass[]) AND contype IN ('p', 'u', 'c')
        ORDER BY 1, 2`,
      [TABLES_0024],
    );
    expect(rows).toEqual([
      {
        rel: 'sync_activity_log',
        name: 'sync_activity_log_duration_check',
        def: 'CHECK (((duration_seconds IS NULL) OR (duration_seconds >= (0)::numeric)))',
      },
      { rel: 'sync_activity_log', name: 'sync_activity_log_pkey', def: 'PRIMARY KEY (id, created_at)' },
      {
        rel: 'sync_activity_log',
        name: 'sync_activity_log_record_count_check',
        def: 'CHECK ((record_count >= 0))',
      },
      { rel: 'sync_preview_cache', name: 'sync_preview_cache_cache_key_key', def: 'UNIQUE (cache_key)' },
      {
        rel: 'sync_preview_cache',
        name: 'sync_preview_cache_expires_after_computed',
        def: 'CHECK ((expires_at > computed_at))',
      },
      { rel: 'sync_preview_cache', name: 'sync_preview_cache_pkey', def: 'PRIMARY KEY (id)' },
      {
        rel: 'sync_progress',
        name: 'sync_progress_counts_not_negative',
        def: 'CHECK (((current_item >= 0) AND (total_items >= 0) AND (processed_count >= 0) AND (failed_count >= 0)))',
      },
      {
        rel: 'sync_progress',
        name: 'sync_progress_counts_within_total',
        def: 'CHECK (((processed_count + failed_count) <= total_items))',
      },
      { rel: 'sync_progress', name: 'sync_progress_org_sync_key', def: 'UNIQUE (org_id, sync_id)' },
      { rel: 'sync_progress', name: 'sync_progress_pkey', def: 'PRIMARY KEY (id)' },
    ]);
  });

  test('sync_activity_log is range-partitioned on created_at, with a DEFAULT partition', async () => {
    const { rows } = await db.pool.query(
      `SELECT pg_get_partkeydef('sync_activity_log'::regclass) AS key,
              EXISTS (SELECT 1 FROM pg_partitioned_table p
                       WHERE p.partrelid = 'sync_activity_log'::regclass AND p.partdefid <> 0) AS has_default`,
    );
    expect(rows[0]).toEqual({ key: 'RANGE (created_at)', has_default: true });
  });
});

describe('indexes', () => {
  /** The column part of each index ("(org_id, created_at DESC)"), unique flag and partial predicate. */
  async function indexes(table: string): Promise<string[]> {
    const { rows } = await db.pool.query<{ indexdef: string }>(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1`,
      [table],
    );
    return rows
      .map((r) => {
        const unique = r.indexdef.startsWith('CREATE UNIQUE') ? 'UNIQUE ' : '';
        return unique + r.indexdef.replace(/^.* USING btree /, '');
      })
      .sort();
  }

  test('sync_preview_cache: (org_id, sync_type), (expires_at), (computed_at DESC), (cache_key)', async () => {
    expect(await indexes('sync_preview_cache')).toEqual(
      [
        '(computed_at DESC)',
        '(expires_at)',
        '(org_id, sync_type)',
        'UNIQUE (cache_key)',
        'UNIQUE (id)',
      ].sort(),
    );
  });

  test('sync_progress: (org_id, job_id), (org_id, sync_id), active syncs, (org_id, entity_type, started_at DESC)', async () => {
    const found = await indexes('sync_progress');
    for (const idx of [
      '(org_id, job_id)',
      'UNIQUE (org_id, sync_id)',
      '(org_id, updated_at DESC) WHERE (completed_at IS NULL)',
      '(org_id, entity_type, started_at DESC)',
      'UNIQUE (id)',
    ]) {
      expect(found).toContain(idx);
    }
  });

  test('sync_activity_log: the six indexes of the design, on the parent and every partition', async () => {
    const design = [
      '(action, created_at DESC)',
      '(org_id, created_at DESC)',
      '(org_id, entity_type, created_at DESC)',
      '(status, created_at DESC)',
      '(sync_id, created_at DESC)',
      '(user_id, created_at DESC)',
      'UNIQUE (id, created_at)',
    ];
    expect(await indexes('sync_activity_log')).toEqual(design.map((d) => d).sort());
    const { rows } = await db.pool.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'sync_activity_log'::regclass`,
    );
    expect(rows.length).toBeGreaterThanOrEqual(5); // current month, 3 ahead, DEFAULT
    for (const { name } of rows) expect(await indexes(name), name).toEqual([...design].sort());
  });
});

describe('row-level security', () => {
  test('RLS is enabled on the three tables (and on the tables of the later migration)', async () => {
    const { rows } = await db.pool.query<{ relname: string; relrowsecurity: boolean }>(
      `SELECT relname, relrowsecurity FROM pg_class
        WHERE relnamespace = 'public'::regnamespace AND relname = ANY($1) ORDER BY relname`,
      [[...TABLES_0024, 'integration_connection', 'sync_record', 'sync_state']],
    );
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.relrowsecurity, row.relname).toBe(true);
  });

  test('exactly the twelve policies of the design on the three tables, with their commands', async () => {
    const { rows } = await db.pool.query<{ tablename: string; policyname: string; cmd: string }>(
      `SELECT tablename, policyname, cmd FROM pg_policies
        WHERE schemaname = 'public' AND tablename = ANY($1) ORDER BY tablename, policyname`,
      [TABLES_0024],
    );
    const expected = [
      ['sync_preview_cache', 'preview_cache'],
      ['sync_progress', 'sync_progress'],
      ['sync_activity_log', 'sync_activity_log'],
    ].flatMap(([tablename, prefix]) =>
      ['select', 'insert', 'update', 'delete'].map((cmd) => ({
        tablename: tablename!,
        policyname: `${prefix}_${cmd}`,
        cmd: cmd.toUpperCase(),
      })),
    );
    const byKey = (
      a: { tablename: string; policyname: string },
      b: { tablename: string; policyname: string },
    ) => `${a.tablename}.${a.policyname}`.localeCompare(`${b.tablename}.${b.policyname}`);
    expect(rows).toHaveLength(12);
    expect([...rows].sort(byKey)).toEqual(expected.sort(byKey));
  });

  test('every policy is permissive and compares org_id with sync_current_org_id(), once per statement', async () => {
    const { rows } = await db.pool.query<{
      policyname: string;
      cmd: string;
      permissive: string;
      roles: string[] | string;
      qual: string | null;
      with_check: string | null;
    }>(
      `SELECT policyname, cmd, permissive, roles, qual, with_check FROM pg_policies
        WHERE schemaname = 'public' AND tablename = ANY($1)`,
      [TABLES_0024],
    );
    // Migration rls_org_function: the sub-select makes it an InitPlan (see test/db/rls-plans.test.ts).
    const orgCheck = /^\(org_id = \( SELECT sync_current_org_id\(\) AS sync_current_org_id\)\)$/;
    for (const p of rows) {
      expect(p.permissive, p.policyname).toBe('PERMISSIVE');
      expect(String(p.roles), p.policyname).toMatch(/public/);
      if (p.cmd === 'INSERT') expect(p.qual, p.policyname).toBeNull();
      else expect(p.qual, p.policyname).toMatch(orgCheck);
      if (p.cmd === 'INSERT' || p.cmd === 'UPDATE') expect(p.with_check, p.policyname).toMatch(orgCheck);
      else expect(p.with_check, p.policyname).toBeNull();
    }
  });

  test('sync_current_org_id() reads the org of auth.uid() in auth.users_extended', async () => {
    const { rows } = await db.pool.query(
      `SELECT prosrc, provolatile, prosecdef, proconfig FROM pg_proc WHERE oid = 'sync_current_org_id()'::regprocedure`,
    );
    expect(rows).toEqual([
      {
        prosrc: ' SELECT u.org_id FROM auth.users_extended u WHERE u.id = auth.uid() ',
        provolatile: 's',
        prosecdef: true,
        proconfig: ['search_path=pg_catalog, pg_temp'],
      },
    ]);
  });

  test('auth.users_extended(id, org_id) and auth.uid() exist; auth.uid() reads request.jwt.claim.sub', async () => {
    const cols = await db.pool.query(
      `SELECT column_name, data_type, is_nullable FROM information_schema.columns
        WHERE table_schema = 'auth' AND table_name = 'users_extended' ORDER BY ordinal_position`,
    );
    expect(cols.rows).toEqual([
      { column_name: 'id', data_type: 'uuid', is_nullable: 'NO' },
      { column_name: 'org_id', data_type: 'uuid', is_nullable: 'NO' },
    ]);
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      expect((await client.query('SELECT auth.uid() AS uid')).rows[0].uid).toBeNull();
      const id = '6f1c2f3e-8a4b-4c5d-9e6f-7a8b9c0d1e2f';
      await client.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [id]);
      expect((await client.query('SELECT auth.uid() AS uid')).rows[0].uid).toBe(id);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});

describe('functions and triggers', () => {
  test('the trigger and maintenance functions exist with their signatures', async () => {
    const { rows } = await db.pool.query<{ name: string; args: string; result: string }>(
      `SELECT proname AS name, pg_get_function_arguments(oid) AS args, pg_get_function_result(oid) AS result
         FROM pg_proc WHERE pronamespace = 'public'::regnamespace ORDER BY proname`,
    );
    const byName = new Map(rows.map((r) => [r.name, r]));
    for (const fn of [
      'update_sync_progress_elapsed',
      'validate_sync_progress_totals',
      'update_sync_progress_timestamp',
      'auto_log_sync_activity_on_progress_change',
      'reject_expired_preview_cache',
    ]) {
      expect(byName.get(fn)?.result, fn).toBe('trigger');
    }
    expect(byName.get('auto_cleanup_preview_cache')).toEqual({
      name: 'auto_cleanup_preview_cache',
      args: '',
      result: 'TABLE(deleted_count integer, error_message text)',
    });
    expect(byName.get('ensure_sync_activity_log_partitions')?.result).toBe(
      'TABLE(partition_name text, moved_rows bigint)',
    );
    expect(byName.get('drop_old_sync_activity_log_partitions')?.result).toBe('TABLE(partition_name text)');
  });

  test('the triggers are attached with the designed timing and events', async () => {
    const { rows } = await db.pool.query<{
      table: string;
      name: string;
      timing: string;
      events: string;
      fn: string;
    }>(
      `SELECT event_object_table AS table, trigger_name AS name, action_timing AS timing,
              string_agg(event_manipulation, ' OR ' ORDER BY event_manipulation) AS events,
              max(action_statement) AS fn
         FROM information_schema.triggers
        WHERE event_object_schema = 'public' AND event_object_table = ANY($1)
        GROUP BY 1, 2, 3 ORDER BY 1, 2`,
      [TABLES_0024],
    );
    expect(rows).toEqual([
      {
        table: 'sync_preview_cache',
        name: 'sync_preview_cache_reject_expired',
        timing: 'BEFORE',
        events: 'INSERT OR UPDATE',
        fn: 'EXECUTE FUNCTION reject_expired_preview_cache()',
      },
      {
        table: 'sync_progress',
        name: 'sync_progress_log_completion',
        timing: 'AFTER',
        events: 'UPDATE',
        fn: 'EXECUTE FUNCTION auto_log_sync_activity_on_progress_change()',
      },
      {
        table: 'sync_progress',
        name: 'sync_progress_update_elapsed',
        timing: 'BEFORE',
        events: 'INSERT OR UPDATE',
        fn: 'EXECUTE FUNCTION update_sync_progress_elapsed()',
      },
      {
        table: 'sync_progress',
        name: 'sync_progress_update_timestamp',
        timing: 'BEFORE',
        events: 'UPDATE',
        fn: 'EXECUTE FUNCTION update_sync_progress_timestamp()',
      },
      {
        table: 'sync_progress',
        name: 'sync_progress_validate_totals',
        timing: 'BEFORE',
        events: 'INSERT OR UPDATE',
        fn: 'EXECUTE FUNCTION validate_sync_progress_totals()',
      },
    ]);
  });

  test('the completion log is written with the definer rights, on a pinned search_path', async () => {
    const { rows } = await db.pool.query(
      `SELECT prosecdef, proconfig FROM pg_proc WHERE proname = 'auto_log_sync_activity_on_progress_change'`,
    );
    expect(rows[0].prosecdef).toBe(true);
    expect(rows[0].proconfig).toEqual(['search_path=public, pg_temp']);
  });
});
