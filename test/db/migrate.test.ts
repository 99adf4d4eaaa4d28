import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateUp } from '../../src/db/migrate/migrator.js';
import { assertCliBuilt, parseJsonOutput, runCli } from '../helpers/cli.js';
import { createEmptyDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError } from '../helpers/pg-assert.js';
import { catalogSnapshot, dumpSchema } from '../helpers/schema-snapshot.js';

/**
 * `sync-worker migrate` and `migrate down`, run as the real CLI (a child
 * process on bin/sync-worker.js, which needs `npm run build`), on empty
 * databases: Prisma-compatible bookkeeping, idempotence, checksums,
 * rollback, and an up → down → up round trip that leaves the same schema.
 */

const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));

interface MigrationOnDisk {
  name: string;
  checksum: string;
}

/** The migrations folder read independently of the runner: sha256 hex of each migration.sql. */
async function migrationsOnDisk(): Promise<MigrationOnDisk[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const result: MigrationOnDisk[] = [];
  for (const e of entries.filter((x) => x.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
    const sql = await readFile(path.join(migrationsDir, e.name, 'migration.sql'));
    result.push({ name: e.name, checksum: createHash('sha256').update(sql).digest('hex') });
  }
  return result;
}

let db: TestDatabase;
let files: MigrationOnDisk[];
let names: string[];
const cli = (...args: string[]) => runCli(args, { DATABASE_URL: db.url }, { compiled: true });

beforeAll(async () => {
  assertCliBuilt();
  db = await createEmptyDatabase('migrate_cli');
  files = await migrationsOnDisk();
  names = files.map((f) => f.name);
  expect(names.length).toBeGreaterThanOrEqual(3);
});
afterAll(async () => db?.drop());

interface MigrationRow {
  id: string;
  checksum: string;
  migration_name: string;
  logs: string | null;
  started_at: Date;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  applied_steps_count: number;
}

async function migrationRows(): Promise<MigrationRow[]> {
  const { rows } = await db.pool.query<MigrationRow>(
    `SELECT * FROM "_prisma_migrations" ORDER BY migration_name, started_at`,
  );
  return rows;
}

async function exists(regclass: string): Promise<boolean> {
  const { rows } = await db.pool.query(`SELECT to_regclass($1) IS NOT NULL AS ok`, [regclass]);
  return rows[0].ok as boolean;
}

describe('migrate (CLI) on an empty database', () => {
  test('applies every migration and prints one JSON object naming them; exit 0', async () => {
    const result = await cli('migrate', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(parseJsonOutput(result)).toEqual({ applied: names, alreadyApplied: 0 });
    for (const table of ['sync_preview_cache', 'sync_progress', 'sync_activity_log', 'auth.users_extended']) {
      expect(await exists(table), table).toBe(true);
    }
  });

  test('a second run applies none', async () => {
    const result = await cli('migrate', '--json');
    expect(result.code, result.stderr).toBe(0);
    expect(parseJsonOutput(result)).toEqual({ applied: [], alreadyApplied: names.length });
    const human = await cli('migrate');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/up to date/);
  });

  test("_prisma_migrations has Prisma's table and one row per migration in Prisma's format", async () => {
    const { rows: columns } = await db.pool.query(
      `SELECT column_name, data_type, character_maximum_length AS len, is_nullable, column_default
         FROM information_schema.columns WHERE table_name = '_prisma_migrations' ORDER BY ordinal_position`,
    );
    expect(columns).toEqual([
      { column_name: 'id', data_type: 'character varying', len: 36, is_nullable: 'NO', column_default: null },
      {
        column_name: 'checksum',
        data_type: 'character varying',
        len: 64,
        is_nullable: 'NO',
        column_default: null,
      },
      {
        column_name: 'finished_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'migration_name',
        data_type: 'character varying',
        len: 255,
        is_nullable: 'NO',
        column_default: null,
      },
      { column_name: 'logs', data_type: 'text', len: null, is_nullable: 'YES', column_default: null },
      {
        column_name: 'rolled_back_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'YES',
        column_default: null,
      },
      {
        column_name: 'started_at',
        data_type: 'timestamp with time zone',
        len: null,
        is_nullable: 'NO',
        column_default: 'now()',
      },
      {
        column_name: 'applied_steps_count',
        data_type: 'integer',
        len: null,
        is_nullable: 'NO',
        column_default: '0',
      },
    ]);

    const rows = await migrationRows();
    expect(rows.map((r) => r.migration_name)).toEqual(names);
    for (const [i, row] of rows.entries()) {
      expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(row.checksum, row.migration_name).toBe(files[i]!.checksum);
      expect(row.finished_at, row.migration_name).toBeInstanceOf(Date);
      expect(row.started_at.getTime()).toBeLessThanOrEqual(row.finished_at!.getTime());
      expect(row.applied_steps_count).toBe(1);
      expect(row.rolled_back_at).toBeNull();
      expect(row.logs).toBeNull();
    }
  });

  test('a changed checksum of an applied migration makes migrate and migrate down refuse (exit 1)', async () => {
    const victim = files[1]!;
    await db.pool.query(
      `UPDATE "_prisma_migrations" SET checksum = repeat('0', 64) WHERE migration_name = $1`,
      [victim.name],
    );
    try {
      for (const args of [
        ['migrate', '--json'],
        ['migrate', 'down', '--json'],
      ]) {
        const result = await cli(...args);
        expect(result.code, args.join(' ')).toBe(1);
        const body = parseJsonOutput(result) as { error: { code: string; message: string } };
        expect(body.error.code).toBe('MIGRATION_CHECKSUM_MISMATCH');
        expect(body.error.message).toContain(victim.name);
      }
      const human = await cli('migrate');
      expect(human.code).toBe(1);
      expect(human.stderr).toContain(victim.name);
      expect((await migrationRows()).filter((r) => r.rolled_back_at !== null)).toEqual([]);
    } finally {
      await db.pool.query(`UPDATE "_prisma_migrations" SET checksum = $2 WHERE migration_name = $1`, [
        victim.name,
        victim.checksum,
      ]);
    }
  });

  test('migrate down rolls back the newest, marks it rolled_back_at, and migrate applies it again', async () => {
    const newest = names[names.length - 1]!;
    const down = await cli('migrate', 'down', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(parseJsonOutput(down)).toEqual({ rolledBack: [newest] });

    let rows = await migrationRows();
    const marked = rows.filter((r) => r.migration_name === newest);
    expect(marked).toHaveLength(1);
    expect(marked[0]!.rolled_back_at).toBeInstanceOf(Date);
    expect(rows.filter((r) => r.migration_name !== newest).every((r) => r.rolled_back_at === null)).toBe(
      true,
    );

    // While the newest is pending, a changed older file still stops everything.
    const older = files[0]!;
    await db.pool.query(
      `UPDATE "_prisma_migrations" SET checksum = repeat('f', 64) WHERE migration_name = $1`,
      [older.name],
    );
    const refused = await cli('migrate', '--json');
    expect(refused.code).toBe(1);
    expect((parseJsonOutput(refused) as { error: { code: string } }).error.code).toBe(
      'MIGRATION_CHECKSUM_MISMATCH',
    );
    expect((await migrationRows()).filter((r) => r.migration_name === newest)).toHaveLength(1);
    await db.pool.query(`UPDATE "_prisma_migrations" SET checksum = $2 WHERE migration_name = $1`, [
      older.name,
      older.checksum,
    ]);

    const up = await cli('migrate', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(parseJsonOutput(up)).toEqual({ applied: [newest], alreadyApplied: names.length - 1 });
    rows = await migrationRows();
    const history = rows.filter((r) => r.migration_name === newest);
    expect(history).toHaveLength(2);
    expect(history.filter((r) => r.rolled_back_at === null && r.finished_at !== null)).toHaveLength(1);
  });

  test('migrate down --to <name> keeps that one and rolls back every newer one, newest first', async () => {
    const keep = names[0]!;
    const down = await cli('migrate', 'down', '--to', keep, '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(parseJsonOutput(down)).toEqual({ rolledBack: names.slice(1).reverse() });
    expect(await exists('sync_progress')).toBe(false);
    expect(await exists('auth.users_extended')).toBe(true);
    const up = await cli('migrate', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(parseJsonOutput(up)).toEqual({ applied: names.slice(1), alreadyApplied: 1 });
  });

  test('up → down --all → up leaves exactly the same schema', async () => {
    const dumpBefore = await dumpSchema(db.url);
    const catalogBefore = await catalogSnapshot(db.url);

    const down = await cli('migrate', 'down', '--all', '--json');
    expect(down.code, down.stderr).toBe(0);
    expect(parseJsonOutput(down)).toEqual({ rolledBack: [...names].reverse() });
    // Everything the migrations made is gone; only Prisma's bookkeeping stays.
    const { rows: left } = await db.pool.query(
      `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname IN ('public', 'auth') AND c.relkind IN ('r', 'p', 'v', 'S') ORDER BY 1`,
    );
    expect(left.map((r) => r.name)).toEqual(['public._prisma_migrations']);
    const { rows: types } = await db.pool.query(
      `SELECT typname FROM pg_type WHERE typnamespace = 'public'::regnamespace AND typtype = 'e'`,
    );
    expect(types).toEqual([]);
    const { rows: schemas } = await db.pool.query(`SELECT 1 FROM pg_namespace WHERE nspname = 'auth'`);
    expect(schemas).toEqual([]);

    const up = await cli('migrate', '--json');
    expect(up.code, up.stderr).toBe(0);
    expect(parseJsonOutput(up)).toEqual({ applied: names, alreadyApplied: 0 });

    expect(await catalogSnapshot(db.url)).toEqual(catalogBefore);
    const dumpAfter = await dumpSchema(db.url);
    if (dumpBefore === undefined) {
      console.warn('pg_dump not found at /usr/bin/pg_dump: compared catalog definitions only');
    } else {
      expect(dumpBefore).toContain('CREATE TABLE public.sync_progress');
      expect(dumpAfter).toBe(dumpBefore);
    }
  });

  test('migrate down --to <unknown> fails with MIGRATION_NOT_FOUND and changes nothing', async () => {
    const before = await migrationRows();
    const result = await cli('migrate', 'down', '--to', '20990101000000_no_such_migration', '--json');
    expect(result.code).toBe(1);
    const body = parseJsonOutput(result) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('MIGRATION_NOT_FOUND');
    expect(body.error.message).toContain('20990101000000_no_such_migration');
    expect(await migrationRows()).toEqual(before);
  });

  test('an invalid or missing DATABASE_URL exits 2 with a message naming DATABASE_URL', async () => {
    const envs: Record<string, string>[] = [
      { DATABASE_URL: 'mysql://localhost/nope' },
      { DATABASE_URL: 'not a url' },
      {},
    ];
    for (const env of envs) {
      const json = await runCli(['migrate', '--json'], env, { compiled: true });
      expect(json.code, JSON.stringify(env)).toBe(2);
      const body = parseJsonOutput(json) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('CONFIG_INVALID');
      expect(body.error.message).toContain('DATABASE_URL');

      const human = await runCli(['migrate'], env, { compiled: true });
      expect(human.code).toBe(2);
      expect(human.stderr).toContain('DATABASE_URL');
    }
  });
});

describe('migrateUp (in process)', () => {
  let second: TestDatabase;
  let scratch: TestDatabase;
  let tempDir: string;
  beforeAll(async () => {
    second = await createEmptyDatabase('migrate_concurrent');
    scratch = await createEmptyDatabase('migrate_tx');
    tempDir = await mkdtemp(path.join(tmpdir(), 'sw-migrations-'));
  });
  afterAll(async () => {
    await second?.drop();
    await scratch?.drop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  test('concurrent runs all succeed and apply each migration exactly once', async () => {
    const results = await Promise.all(
      [1, 2, 3].map(() => migrateUp({ databaseUrl: second.url, migrationsDir })),
    );
    const applied = results.flatMap((r) => r.applied);
    expect([...applied].sort()).toEqual(names);
    const { rows } = await second.pool.query(
      `SELECT migration_name, count(*)::int AS n FROM "_prisma_migrations" GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual(names.map((migration_name) => ({ migration_name, n: 1 })));
  });

  test('a failing migration is rolled back whole and not recorded; the ones before it stay', async () => {
    const write = async (name: string, sql: string) => {
      await mkdir(path.join(tempDir, name), { recursive: true });
      await writeFile(path.join(tempDir, name, 'migration.sql'), sql);
    };
    await write('20990101000000_ok', 'CREATE TABLE t_ok (id int);');
    await write('20990101000001_broken', 'CREATE TABLE t_half (id int);\nSELECT 1 / 0;');

    const err = await expectPgError(migrateUp({ databaseUrl: scratch.url, migrationsDir: tempDir }), {
      message: /20990101000001_broken/,
    });
    expect((err as unknown as { code: string }).code).toBe('MIGRATION_FAILED');
    const state = await scratch.pool.query(
      `SELECT to_regclass('t_ok') IS NOT NULL AS ok, to_regclass('t_half') IS NOT NULL AS half,
              (SELECT array_agg(migration_name ORDER BY migration_name) FROM "_prisma_migrations") AS recorded`,
    );
    expect(state.rows[0]).toEqual({ ok: true, half: false, recorded: ['20990101000000_ok'] });

    await write('20990101000001_broken', 'CREATE TABLE t_half (id int);');
    const fixed = await migrateUp({ databaseUrl: scratch.url, migrationsDir: tempDir });
    expect(fixed).toEqual({ applied: ['20990101000001_broken'], alreadyApplied: 1 });
  });

  test("a migration's WARNINGs reach onWarning (what a DBA must run when the migrating user may not)", async () => {
    await mkdir(path.join(tempDir, '20990101000002_warns'), { recursive: true });
    await writeFile(
      path.join(tempDir, '20990101000002_warns', 'migration.sql'),
      `DO $$ BEGIN RAISE NOTICE 'not shown'; RAISE WARNING 'ask the DBA for: GRANT x TO y;'; END $$;`,
    );
    const warnings: string[] = [];
    const result = await migrateUp({
      databaseUrl: scratch.url,
      migrationsDir: tempDir,
      onWarning: (m) => warnings.push(m),
    });
    expect(result.applied).toEqual(['20990101000002_warns']);
    expect(warnings).toEqual(['ask the DBA for: GRANT x TO y;']);
  });
});
