import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError } from '../helpers/pg-assert.js';
import { createRlsRole, type RlsRole } from '../helpers/rls-role.js';
import { APP_TABLES } from '../helpers/app-tables.js';

/**
 * Row-level security, as the API uses it: a role without SUPERUSER or
 * BYPASSRLS, `SET LOCAL ROLE` and the JWT `sub` in
 * `request.jwt.claim.sub` (auth.uid()) inside each transaction.
 * Org A's user must neither read nor write org B's rows, in every table.
 */

let db: TestDatabase;
let role: RlsRole;

interface Org {
  id: string;
  userId: string;
  /** Connections made by the superuser; each sync_state row takes a fresh one. */
  connections: string[];
  nextConnection: number;
}
const orgA: Org = { id: randomUUID(), userId: randomUUID(), connections: [], nextConnection: 0 };
const orgB: Org = { id: randomUUID(), userId: randomUUID(), connections: [], nextConnection: 0 };

interface TableSpec {
  table: string;
  /** An INSERT of one row of `org` (run by whoever calls it), RETURNING key. */
  insert(org: Org): { sql: string; params: unknown[] };
  /** Expression identifying one row (the INSERT returns it as `key`). */
  key: string;
  /** A harmless SET clause. */
  set: string;
}

const uniq = () => randomUUID().slice(0, 8);

const SPECS: TableSpec[] = [
  {
    table: 'sync_preview_cache',
    insert: (org) => ({
      sql: `INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, delta_json, computed_by)
            VALUES ($1, 'woocommerce', $2, '{"new": []}', $3) RETURNING id::text AS key`,
      params: [org.id, `key-${uniq()}`, org.userId],
    }),
    key: 'id::text',
    set: `delta_json = '{"changed": true}'`,
  },
  {
    table: 'sync_progress',
    insert: (org) => ({
      sql: `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, initiated_by)
            VALUES ($1, $2, 'customer', 10, $3) RETURNING id::text AS key`,
      params: [org.id, `sync-${uniq()}`, org.userId],
    }),
    key: 'id::text',
    set: `job_id = 'changed', processed_count = 1`,
  },
  {
    table: 'sync_activity_log',
    insert: (org) => ({
      sql: `INSERT INTO sync_activity_log (org_id, sync_id, action, status, record_count, user_id)
            VALUES ($1, $2, 'sync_start', 'in_progress', 10, $3) RETURNING id::text AS key`,
      params: [org.id, `sync-${uniq()}`, org.userId],
    }),
    key: 'id::text',
    set: `error_message = 'changed'`,
  },
  {
    table: 'integration_connection',
    insert: (org) => ({
      sql: `INSERT INTO integration_connection (org_id, type, name, base_url, credentials)
            VALUES ($1, 'shopify', $2, 'https://shop.example', 'v1:aXY=:dGFn:ZGF0YQ==') RETURNING id::text AS key`,
      params: [org.id, `store-${uniq()}`],
    }),
    key: 'id::text',
    set: `name = name || '-changed'`,
  },
  {
    table: 'sync_record',
    insert: (org) => ({
      sql: `INSERT INTO sync_record (org_id, connection_id, entity_type, external_id, data, content_hash)
            VALUES ($1, $2, 'customer', $3, '{"email": "x@example.com"}', repeat('a', 64)) RETURNING id::text AS key`,
      params: [org.id, org.connections[0], `ext-${uniq()}`],
    }),
    key: 'id::text',
    set: `last_sync_id = 'changed'`,
  },
  {
    table: 'sync_state',
    insert: (org) => ({
      sql: `INSERT INTO sync_state (org_id, connection_id, entity_type, cursor)
            VALUES ($1, $2, 'customer', '{"id": "1"}') RETURNING connection_id::text AS key`,
      params: [org.id, org.connections[org.nextConnection++ % org.connections.length]],
    }),
    key: 'connection_id::text',
    set: `last_full_sync_id = 'changed'`,
  },
];

const RLS_VIOLATION = /new row violates row-level security policy/;

async function seed(spec: TableSpec, org: Org): Promise<string> {
  const { sql, params } = spec.insert(org);
  const { rows } = await db.pool.query<{ key: string }>(sql, params);
  return rows[0]!.key;
}

/** Rows of `org` as the superuser sees them (to prove nothing changed). */
async function snapshot(table: string, org: Org): Promise<unknown[]> {
  const { rows } = await db.pool.query(
    `SELECT to_jsonb(t) AS row FROM ${table} t WHERE org_id = $1 ORDER BY to_jsonb(t)::text`,
    [org.id],
  );
  return rows.map((r) => r.row);
}

beforeAll(async () => {
  db = await createTestDatabase('rls');
  role = await createRlsRole(db, [
    'GRANT USAGE ON SCHEMA public, auth TO $role',
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ${APP_TABLES.join(', ')} TO $role`,
    'GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO $role',
    'GRANT EXECUTE ON FUNCTION auth.uid() TO $role',
    // What the policies call for the caller's org (EXECUTE is granted to no one by default).
    'GRANT EXECUTE ON FUNCTION sync_current_org_id() TO $role',
  ]);
  for (const org of [orgA, orgB]) {
    await db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [org.userId, org.id]);
    for (let i = 0; i < 12; i += 1) {
      const { rows } = await db.pool.query<{ id: string }>(
        `INSERT INTO integration_connection (org_id, type, name, base_url, credentials)
         VALUES ($1, 'woocommerce', $2, 'https://store.example', 'v1:aXY=:dGFn:ZGF0YQ==') RETURNING id::text`,
        [org.id, `seed-${i}-${uniq()}`],
      );
      org.connections.push(rows[0]!.id);
    }
    for (const spec of SPECS) await seed(spec, org);
  }
});

afterAll(async () => {
  await role?.drop();
  await db?.drop();
});

test('the role is subject to RLS: not a superuser, no BYPASSRLS, owns nothing', async () => {
  const { rows } = await db.pool.query(`SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = $1`, [
    role.name,
  ]);
  expect(rows).toEqual([{ rolsuper: false, rolbypassrls: false }]);
  const owned = await db.pool.query(
    `SELECT relname FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)`,
    [role.name],
  );
  expect(owned.rows).toEqual([]);
});

describe.each(SPECS)('$table', (spec) => {
  const { table } = spec;

  test("org A's user reads only org A's rows (and org B's user only B's)", async () => {
    for (const [me, other] of [
      [orgA, orgB],
      [orgB, orgA],
    ] as const) {
      const mine = (await snapshot(table, me)).length;
      expect(mine).toBeGreaterThan(0);
      const seen = await role.as(me.userId, (c) =>
        c.query<{ org_id: string }>(`SELECT org_id::text FROM ${table}`),
      );
      expect(seen.rows.length).toBe(mine);
      expect(new Set(seen.rows.map((r) => r.org_id))).toEqual(new Set([me.id]));
      const theirs = await role.as(me.userId, (c) =>
        c.query(`SELECT count(*)::int AS n FROM ${table} WHERE org_id = $1`, [other.id]),
      );
      expect(theirs.rows[0].n).toBe(0);
    }
  });

  test("org A's user cannot insert a row for org B", async () => {
    const { sql, params } = spec.insert(orgB);
    await expectPgError(
      role.as(orgA.userId, (c) => c.query(sql, params)),
      { code: '42501', message: RLS_VIOLATION },
    );
  });

  test("org A's user cannot update org B's rows (0 rows, B's rows unchanged)", async () => {
    const before = await snapshot(table, orgB);
    const result = await role.as(orgA.userId, (c) =>
      c.query(`UPDATE ${table} SET ${spec.set} WHERE org_id = $1`, [orgB.id]),
    );
    expect(result.rowCount).toBe(0);
    const everything = await role.as(orgA.userId, (c) =>
      c.query(`UPDATE ${table} SET ${spec.set} WHERE org_id <> $1`, [orgA.id]),
    );
    expect(everything.rowCount).toBe(0);
    expect(await snapshot(table, orgB)).toEqual(before);
  });

  test("org A's user cannot move its own row into org B", async () => {
    const key = await seed(spec, orgA);
    await expectPgError(
      role.as(orgA.userId, (c) =>
        c.query(`UPDATE ${table} SET org_id = $1 WHERE ${spec.key} = $2`, [orgB.id, key]),
      ),
      { code: '42501', message: RLS_VIOLATION },
    );
  });

  test("org A's user cannot delete org B's rows (0 rows, B's rows still there)", async () => {
    const before = await snapshot(table, orgB);
    const result = await role.as(orgA.userId, (c) =>
      c.query(`DELETE FROM ${table} WHERE org_id = $1`, [orgB.id]),
    );
    expect(result.rowCount).toBe(0);
    expect(await snapshot(table, orgB)).toEqual(before);
  });

  test("org A's user can insert, read, update and delete org A's rows", async () => {
    const { sql, params } = spec.insert(orgA);
    await role.as(orgA.userId, async (c) => {
      const inserted = await c.query<{ key: string }>(sql, params);
      expect(inserted.rowCount).toBe(1);
      const key = inserted.rows[0]!.key;
      const read = await c.query(`SELECT org_id::text FROM ${table} WHERE ${spec.key} = $1`, [key]);
      expect(read.rows).toEqual([{ org_id: orgA.id }]);
      const updated = await c.query(`UPDATE ${table} SET ${spec.set} WHERE ${spec.key} = $1`, [key]);
      expect(updated.rowCount).toBe(1);
      const deleted = await c.query(`DELETE FROM ${table} WHERE ${spec.key} = $1`, [key]);
      expect(deleted.rowCount).toBe(1);
    });
    // And the same on a row inserted earlier, committed in separate transactions.
    const key = await seed(spec, orgA);
    const updated = await role.as(orgA.userId, (c) =>
      c.query(`UPDATE ${table} SET ${spec.set} WHERE ${spec.key} = $1`, [key]),
    );
    expect(updated.rowCount).toBe(1);
    const deleted = await role.as(orgA.userId, (c) =>
      c.query(`DELETE FROM ${table} WHERE ${spec.key} = $1`, [key]),
    );
    expect(deleted.rowCount).toBe(1);
  });

  test('without a JWT claim (or with an unknown user) the role sees and writes nothing', async () => {
    for (const userId of [undefined, randomUUID()]) {
      const seen = await role.as(userId, (c) => c.query(`SELECT count(*)::int AS n FROM ${table}`));
      expect(seen.rows[0].n).toBe(0);
      const { sql, params } = spec.insert(orgA);
      await expectPgError(
        role.as(userId, (c) => c.query(sql, params)),
        { code: '42501', message: RLS_VIOLATION },
      );
      const before = [await snapshot(table, orgA), await snapshot(table, orgB)];
      const updated = await role.as(userId, (c) => c.query(`UPDATE ${table} SET ${spec.set}`));
      const deleted = await role.as(userId, (c) => c.query(`DELETE FROM ${table}`));
      expect([updated.rowCount, deleted.rowCount]).toEqual([0, 0]);
      expect([await snapshot(table, orgA), await snapshot(table, orgB)]).toEqual(before);
    }
  });
});

describe('triggers under RLS', () => {
  test("completing org A's sync as A's user writes its sync_complete row, visible to A only", async () => {
    const syncId = `sync-complete-${uniq()}`;
    await role.as(orgA.userId, async (c) => {
      await c.query(
        `INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, initiated_by, started_at)
         VALUES ($1, $2, 'order', 2, $3, now() - interval '10 seconds')`,
        [orgA.id, syncId, orgA.userId],
      );
    });
    const done = await role.as(orgA.userId, (c) =>
      c.query(`UPDATE sync_progress SET processed_count = 2 WHERE sync_id = $1 RETURNING status`, [syncId]),
    );
    expect(done.rows).toEqual([{ status: 'completed' }]);

    const count = (userId: string) =>
      role.as(userId, (c) =>
        c.query(
          `SELECT count(*)::int AS n FROM sync_activity_log WHERE sync_id = $1 AND action = 'sync_complete'`,
          [syncId],
        ),
      );
    expect((await count(orgA.userId)).rows[0].n).toBe(1);
    expect((await count(orgB.userId)).rows[0].n).toBe(0);
  });
});

describe('tenant isolation beyond the policies', () => {
  // Supabase grants its API roles every table of schema public, present and
  // future (ALTER DEFAULT PRIVILEGES … GRANT ALL ON TABLES). A partition is a
  // table of its own: queried directly, the parent's policies do not apply.
  test('the partitions of sync_activity_log are no side door around its policies', async () => {
    const supabaseLike = await createRlsRole(
      db,
      [
        'GRANT USAGE ON SCHEMA public, auth TO $role',
        'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO $role',
        'GRANT SELECT ON auth.users_extended TO $role',
      ],
      'all_tables',
    );
    try {
      const { rows: parts } = await db.pool.query<{ name: string }>(
        `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
          WHERE i.inhparent = 'sync_activity_log'::regclass ORDER BY 1`,
      );
      const leaks: string[] = [];
      for (const { name } of parts) {
        const seen = await supabaseLike.as(orgA.userId, (c: pg.PoolClient) =>
          c.query(`SELECT count(*)::int AS n FROM ${name} WHERE org_id = $1`, [orgB.id]),
        );
        if (seen.rows[0].n > 0) leaks.push(`${name}: ${seen.rows[0].n} row(s) of org B`);
      }
      expect(leaks, 'partitions readable across orgs').toEqual([]);
    } finally {
      await supabaseLike.drop();
    }
  });

  test("a row of org A cannot point at org B's connection", async () => {
    const theirs = orgB.connections[orgB.connections.length - 1]!;
    const attempts: Record<string, { sql: string; params: unknown[] }> = {
      sync_record: {
        sql: `INSERT INTO sync_record (org_id, connection_id, entity_type, external_id, data, content_hash)
              VALUES ($1, $2, 'product', 'ext-cross', '{}', repeat('b', 64))`,
        params: [orgA.id, theirs],
      },
      sync_state: {
        sql: `INSERT INTO sync_state (org_id, connection_id, entity_type) VALUES ($1, $2, 'product')`,
        params: [orgA.id, theirs],
      },
      sync_progress: {
        // With the one-live-sync index this would also block org B's own syncs.
        sql: `INSERT INTO sync_progress (org_id, sync_id, connection_id, entity_type, total_items)
              VALUES ($1, 'sync-cross', $2, 'product', 5)`,
        params: [orgA.id, theirs],
      },
    };
    const accepted: string[] = [];
    for (const [table, { sql, params }] of Object.entries(attempts)) {
      try {
        await role.as(orgA.userId, (c) => c.query(sql, params), { rollback: true });
        accepted.push(table);
      } catch {
        // rejected: as it should be
      }
    }
    expect(accepted, "org A's rows referencing org B's connection were accepted").toEqual([]);
  });
});
