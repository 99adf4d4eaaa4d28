import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './env.js';

export interface TestDatabase {
  name: string;
  url: string;
  /** A pg pool on the database, for assertions (closed by drop()). */
  pool: pg.Pool;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** An empty database (no migrations), for tests of the migrate command. */
export async function createEmptyDatabase(label = 'empty'): Promise<TestDatabase> {
  return createDatabase(label, undefined);
}

/**
 * A fresh database cloned from the migrated template: each test file gets
 * its own, so files run in parallel. Set KEEP_TEST_DB=1 to keep it for
 * inspection.
 */
export async function createTestDatabase(label = 'test'): Promise<TestDatabase> {
  return createDatabase(label, inject('templateDatabase'));
}

async function createDatabase(label: string, template: string | undefined): Promise<TestDatabase> {
  const name = `sw_${label
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase()
    .slice(0, 30)}_${randomBytes(4).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`));
  const url = databaseUrlFor(name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  return {
    name,
    url,
    pool,
    async drop() {
      await pool.end();
      if (process.env.KEEP_TEST_DB) return;
      await admin(async (c) => {
        // pool.end() resolves before the sockets have closed: wait for the
        // sessions to go, so FORCE does not kill a closing client (whose
        // "terminating connection" error would surface as an uncaught one).
        const deadline = Date.now() + 10_000;
        for (;;) {
          const { rows } = await c.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
            [name],
          );
          if (rows[0]!.n === 0 || Date.now() > deadline) break;
          await new Promise((r) => setTimeout(r, 25));
        }
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      });
    },
  };
}
