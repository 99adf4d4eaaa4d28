import pg from 'pg';
import { ADMIN_DATABASE_URL } from './env.js';
import { inTransaction } from './pg-assert.js';
import type { TestDatabase } from './database.js';

/**
 * A NOLOGIN role without SUPERUSER or BYPASSRLS, as the API's database user
 * would be, so that row-level security applies to it. Roles are cluster-wide:
 * the name carries the test database's name, and `drop()` removes it.
 */
export interface RlsRole {
  name: string;
  /**
   * Runs `fn` in a transaction as this role, with `auth.uid()` = `userId`
   * (no claim at all when `userId` is undefined), the way the API does:
   * `SET LOCAL ROLE` plus `set_config('request.jwt.claim.sub', …, true)`.
   * Commits unless `fn` throws or `rollback` is set.
   */
  as<T>(
    userId: string | undefined,
    fn: (client: pg.PoolClient) => Promise<T>,
    options?: { rollback?: boolean },
  ): Promise<T>;
  /** Revokes everything the role holds in the test database and drops the role. */
  drop(): Promise<void>;
}

/**
 * Creates the role and runs `grants` (SQL statements where `$role` stands
 * for the quoted role name). `suffix` tells apart several roles of one file.
 */
export async function createRlsRole(db: TestDatabase, grants: string[], suffix = 'app'): Promise<RlsRole> {
  const name = `${db.name}_${suffix}`;
  await db.pool.query(`CREATE ROLE "${name}" NOLOGIN NOSUPERUSER NOBYPASSRLS NOINHERIT`);
  const role: RlsRole = {
    name,
    as(userId, fn, options = {}) {
      return inTransaction(
        db.pool,
        async (client) => {
          await client.query(`SET LOCAL ROLE "${name}"`);
          if (userId !== undefined) {
            await client.query(`SELECT set_config('request.jwt.claim.sub', $1, true)`, [userId]);
          }
          return fn(client);
        },
        options,
      );
    },
    async drop() {
      await db.pool.query(`DROP OWNED BY "${name}"`).catch(() => {});
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      try {
        // DROP OWNED ran in the test database, the only one where the role holds anything.
        await admin.query(`DROP ROLE IF EXISTS "${name}"`);
      } finally {
        await admin.end();
      }
    },
  };
  try {
    for (const grant of grants) await db.pool.query(grant.replaceAll('$role', `"${name}"`));
  } catch (err) {
    await role.drop();
    throw err;
  }
  return role;
}
