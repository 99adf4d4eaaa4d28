import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { migrateDown, migrateUp } from '../../src/db/migrate/migrator.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError, inTransaction } from '../helpers/pg-assert.js';
import { catalogSnapshot, dumpSchema } from '../helpers/schema-snapshot.js';

/**
 * Migration rls_org_function: the policies' org comes from
 * sync_current_org_id(), a SECURITY DEFINER function that only the API role
 * may call, and the API role no longer reads auth.users_extended. down.sql
 * restores 0024's policies and grants exactly.
 */

const ROLE = 'sync_worker_api';
const FN = 'sync_current_org_id()';
const migrationsDir = fileURLToPath(new URL('../../prisma/migrations', import.meta.url));
const THIS = '20261201000000_rls_org_function';
const BEFORE = '20261126000100_api_role';

let db: TestDatabase;
const userA = randomUUID();
const orgA = randomUUID();
const userB = randomUUID();
const orgB = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('rls_org_fn');
  await db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2), ($3, $4)', [
    userA,
    orgA,
    userB,
    orgB,
  ]);
});
afterAll(async () => db?.drop());

/** `fn` as the API role in a rolled-back transaction, with auth.uid() = `userId` (none when undefined). */
function asApi<T>(userId: string | undefined, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  return inTransaction(
    db.pool,
    async (c) => {
      await c.query(`SET LOCAL ROLE ${ROLE}`);
      if (userId) await c.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [userId]);
      return fn(c);
    },
    { rollback: true },
  );
}

describe('sync_current_org_id()', () => {
  test("is the caller's org, and NULL without a claim or for a user with no row", async () => {
    const org = (userId: string | undefined) =>
      asApi(userId, async (c) => (await c.query(`SELECT ${FN}::text AS org`)).rows[0].org);
    expect(await org(userA)).toBe(orgA);
    expect(await org(userB)).toBe(orgB);
    expect(await org(undefined)).toBeNull();
    expect(await org(randomUUID())).toBeNull();
  });

  test('is STABLE SECURITY DEFINER with a fixed search_path, owned by the tables’ owner', async () => {
    const { rows } = await db.pool.query(
      `SELECT p.provolatile AS volatility, p.prosecdef AS definer, p.proconfig AS config,
              pg_get_userbyid(p.proowner) = pg_get_userbyid(c.relowner) AS owned_like_tables
         FROM pg_proc p, pg_class c
        WHERE p.oid = '${FN}'::regprocedure AND c.oid = 'sync_progress'::regclass`,
    );
    expect(rows).toEqual([
      {
        volatility: 's',
        definer: true,
        config: ['search_path=pg_catalog, pg_temp'],
        owned_like_tables: true,
      },
    ]);
  });

  test('EXECUTE: the owner and sync_worker_api only, not PUBLIC', async () => {
    const { rows } = await db.pool.query(
      `SELECT array_agg(CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END ORDER BY 1) AS grantees
         FROM pg_proc p, aclexplode(p.proacl) a
        WHERE p.oid = '${FN}'::regprocedure AND a.privilege_type = 'EXECUTE'`,
    );
    const owner = (
      await db.pool.query(
        `SELECT pg_get_userbyid(relowner) AS o FROM pg_class WHERE oid = 'sync_progress'::regclass`,
      )
    ).rows[0].o;
    expect(rows[0].grantees).toEqual([owner, ROLE].sort());
  });

  test("a platform's default privileges on new functions (Supabase grants anon, authenticated) are revoked", async () => {
    const migration = await readFile(path.join(migrationsDir, THIS, 'migration.sql'), 'utf8');
    const down = await readFile(path.join(migrationsDir, THIS, 'down.sql'), 'utf8');
    const platformRole = `${db.name}_anon`;
    const granted = await inTransaction(
      db.pool,
      async (c) => {
        await c.query(`CREATE ROLE "${platformRole}" NOLOGIN`);
        await c.query(
          `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO "${platformRole}"`,
        );
        await c.query(down);
        await c.query(migration);
        const { rows } = await c.query(
          `SELECT has_function_privilege($1, '${FN}', 'EXECUTE') AS platform,
                  has_function_privilege($2, '${FN}', 'EXECUTE') AS api`,
          [platformRole, ROLE],
        );
        return rows[0];
      },
      { rollback: true },
    );
    expect(granted).toEqual({ platform: false, api: true });
  });
});

describe('auth.users_extended is closed to the API role', () => {
  test("it cannot read another user's row", async () => {
    await expectPgError(
      asApi(userA, (c) => c.query('SELECT org_id FROM auth.users_extended WHERE id = $1', [userB])),
      { code: '42501', message: /permission denied for table users_extended/ },
    );
  });

  test('nor its own, nor list them: it holds no privilege on the table', async () => {
    await expectPgError(
      asApi(userA, (c) => c.query('SELECT count(*) FROM auth.users_extended')),
      { code: '42501' },
    );
    const { rows } = await db.pool.query(
      `SELECT has_any_column_privilege($1, 'auth.users_extended', 'SELECT, INSERT, UPDATE, REFERENCES') AS any,
              has_table_privilege($1, 'auth.users_extended', 'SELECT, INSERT, UPDATE, DELETE, TRUNCATE') AS table`,
      [ROLE],
    );
    expect(rows[0]).toEqual({ any: false, table: false });
  });
});

describe('up → down → up', () => {
  let empty: TestDatabase;
  let upToApiRole: string;
  beforeAll(async () => {
    empty = await createEmptyDatabase('rls_org_fn_roundtrip');
    // The migrations up to api_role, as a folder of their own.
    upToApiRole = await mkdtemp(path.join(tmpdir(), 'sw-migrations-'));
    for (const name of (await readdir(migrationsDir)).filter((n) => n <= BEFORE)) {
      await cp(path.join(migrationsDir, name), path.join(upToApiRole, name), { recursive: true });
    }
  });
  afterAll(async () => {
    await empty?.drop();
    if (upToApiRole) await rm(upToApiRole, { recursive: true, force: true });
  });

  /** The API login's settings in this database (migration api_authenticator sets its planner costs). */
  const loginSettings = async () =>
    (
      await empty.pool.query<{ setconfig: string[] }>(
        `SELECT setconfig FROM pg_db_role_setting
          WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND setrole = 'sync_worker_authenticator'::regrole`,
      )
    ).rows.map((r) => r.setconfig);

  const snapshot = async () => ({
    catalog: await catalogSnapshot(empty.url),
    dump: await dumpSchema(empty.url),
  });

  test("down.sql restores 0024's policies and the API role's grants exactly; up again gives the same schema", async () => {
    await migrateUp({ databaseUrl: empty.url, migrationsDir: upToApiRole });
    const before = await snapshot();
    expect(before.catalog.some((l) => l.includes('EXISTS ( SELECT 1'))).toBe(true);

    await migrateUp({ databaseUrl: empty.url, migrationsDir });
    const after = await snapshot();
    expect(await loginSettings()).toEqual([['random_page_cost=1.1']]);
    expect(after.catalog).not.toEqual(before.catalog);
    expect(after.catalog.filter((l) => l.startsWith('policy ') && l.includes('EXISTS'))).toEqual([]);

    const down = await migrateDown({ databaseUrl: empty.url, migrationsDir, to: BEFORE });
    expect(down.rolledBack).toContain(THIS);
    expect(await snapshot()).toEqual(before);
    expect(await loginSettings()).toEqual([]);

    await migrateUp({ databaseUrl: empty.url, migrationsDir });
    expect(await snapshot()).toEqual(after);
  });
});
