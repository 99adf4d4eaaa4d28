import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { currentUserOrg, withUserTransaction } from '../../src/api/rls.js';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createPrisma, type PrismaClient } from '../../src/db/prisma.js';
import { createRuntime } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { inTransaction } from '../helpers/pg-assert.js';
import { APP_TABLES } from '../helpers/app-tables.js';

const ROLE = 'sync_worker_api';
const migrationDir = new URL('../../prisma/migrations/20261126000100_api_role/', import.meta.url);

let db: TestDatabase;
let prisma: PrismaClient;
beforeAll(async () => {
  db = await createTestDatabase('api_rls');
  // One connection: what a request sets must be gone for the next one.
  prisma = createPrisma(db.url, { poolSize: 1 });
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
});

describe('withUserTransaction', () => {
  test('runs as the API role with auth.uid() = the user, and leaves nothing on the connection', async () => {
    const userId = randomUUID();
    const orgId = randomUUID();
    await db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [userId, orgId]);
    const inside = await withUserTransaction(prisma, ROLE, userId, async (tx) => {
      const [row] = await tx.$queryRaw<
        { who: string; uid: string }[]
      >`SELECT current_user::text AS who, auth.uid()::text AS uid`;
      return { ...row, org: await currentUserOrg(tx) };
    });
    expect(inside).toEqual({ who: ROLE, uid: userId, org: orgId });
    const [after] = await prisma.$queryRaw<{ who: string; sub: string | null }[]>`
      SELECT current_user::text AS who, nullif(current_setting('request.jwt.claim.sub', true), '') AS sub`;
    expect(after!.who).not.toBe(ROLE);
    expect(after!.sub).toBeNull();
  });

  test('a failed request rolls back and resets the role too', async () => {
    await expect(
      withUserTransaction(prisma, ROLE, randomUUID(), async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const [after] = await prisma.$queryRaw<{ who: string }[]>`SELECT current_user::text AS who`;
    expect(after!.who).not.toBe(ROLE);
  });

  test('the role cannot read another org even with a forged filter', async () => {
    const other = randomUUID();
    await db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, status) VALUES ($1, 'sync-other-org', 'pending')`,
      [other],
    );
    const rows = await withUserTransaction(prisma, ROLE, randomUUID(), (tx) =>
      tx.syncProgress.findMany({ where: { orgId: other } }),
    );
    expect(rows).toEqual([]);
  });
});

describe('migration api_role', () => {
  test('creates a NOLOGIN role without RLS bypass that the migrating user can switch to', async () => {
    const { rows } = await db.pool.query(
      `SELECT rolcanlogin, rolsuper, rolbypassrls, pg_has_role(current_user, oid, 'MEMBER') AS member
         FROM pg_roles WHERE rolname = $1`,
      [ROLE],
    );
    expect(rows).toEqual([{ rolcanlogin: false, rolsuper: false, rolbypassrls: false, member: true }]);
  });

  test('grants exactly what the API needs', async () => {
    for (const table of APP_TABLES) {
      for (const privilege of ['SELECT', 'INSERT', 'UPDATE', 'DELETE']) {
        const { rows } = await db.pool.query('SELECT has_table_privilege($1, $2, $3) AS ok', [
          ROLE,
          table,
          privilege,
        ]);
        expect(rows[0].ok, `${privilege} on ${table}`).toBe(true);
      }
      const { rows } = await db.pool.query(`SELECT has_table_privilege($1, $2, 'TRUNCATE') AS ok`, [
        ROLE,
        table,
      ]);
      expect(rows[0].ok, `TRUNCATE on ${table}`).toBe(false);
    }
    // Since migration rls_org_function the policies read the user's org through
    // sync_current_org_id() (SECURITY DEFINER): the role reads no user's row.
    const { rows } = await db.pool.query(
      `SELECT has_table_privilege($1, 'auth.users_extended', 'SELECT') AS read_users,
              has_table_privilege($1, 'auth.users_extended', 'INSERT') AS write_users,
              has_function_privilege($1, 'auth.uid()', 'EXECUTE') AS uid,
              has_function_privilege($1, 'sync_current_org_id()', 'EXECUTE') AS org,
              has_function_privilege($1, 'sync_status_counts()', 'EXECUTE') AS counts,
              has_schema_privilege($1, 'auth', 'USAGE') AS auth_schema`,
      [ROLE],
    );
    expect(rows[0]).toEqual({
      read_users: false,
      write_users: false,
      uid: true,
      org: true,
      counts: true,
      auth_schema: true,
    });
  });

  test('is idempotent, and down.sql revokes the grants but keeps a role other databases still use', async () => {
    const up = readFileSync(new URL('migration.sql', migrationDir), 'utf8');
    const down = readFileSync(new URL('down.sql', migrationDir), 'utf8');
    await inTransaction(
      db.pool,
      async (client) => {
        await client.query(up);
        await client.query(down);
        const { rows } = await client.query(
          `SELECT has_table_privilege($1, 'sync_progress', 'SELECT') AS granted,
                  EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS role_exists`,
          [ROLE],
        );
        // The template database this one was cloned from still grants to the role.
        expect(rows[0]).toEqual({ granted: false, role_exists: true });
        await client.query(up);
        const again = await client.query(
          `SELECT has_table_privilege($1, 'sync_progress', 'SELECT') AS granted`,
          [ROLE],
        );
        expect(again.rows[0].granted).toBe(true);
      },
      { rollback: true },
    );
  });
});

describe('API_DB_ROLE check at start-up', () => {
  async function readyWith(role: string): Promise<void> {
    const runtime = createRuntime(
      loadConfig({
        DATABASE_URL: db.url,
        SYNC_JWT_SECRET: 'x'.repeat(32),
        API_DB_ROLE: role,
        LOG_LEVEL: 'silent',
      }),
      { poolSize: 1 },
    );
    const app = await buildServer(runtime);
    try {
      await app.ready();
    } finally {
      await app.close();
      await runtime.close();
    }
  }

  test('refuses a role that bypasses RLS, and one that does not exist', async () => {
    const { rows } = await db.pool.query('SELECT current_user::text AS me');
    await expect(readyWith(rows[0].me)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/bypasses row-level security/),
    });
    await expect(readyWith('no_such_role_here')).rejects.toMatchObject({
      message: expect.stringMatching(/does not exist; run `sync-worker migrate`/),
    });
  });

  test('accepts sync_worker_api', async () => {
    await expect(readyWith(ROLE)).resolves.toBeUndefined();
  });
});
