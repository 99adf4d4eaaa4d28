import { readFileSync } from 'node:fs';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { inTransaction } from '../helpers/pg-assert.js';

/**
 * Through RLS alone (no org_id predicate in the query), each table's typical
 * query uses its (org_id, …) index: the policies compare org_id with
 * `(SELECT sync_current_org_id())`, an InitPlan whose value ($0) is an index
 * condition. Plans are read with EXPLAIN (FORMAT JSON) as sync_worker_api, on
 * a small analysed data set with `enable_seqscan = off`, so they do not
 * depend on row counts; the 0024 policies, restored in a rolled-back
 * transaction, are the control that the same check fails.
 */

const ROLE = 'sync_worker_api';
const downSql = readFileSync(
  new URL('../../prisma/migrations/20261201000000_rls_org_function/down.sql', import.meta.url),
  'utf8',
);

let db: TestDatabase;
const monthStart = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1));
const monthEnd = new Date(Date.UTC(monthStart.getUTCFullYear(), monthStart.getUTCMonth() + 1, 1));

/** User i belongs to org i; user 0 is the one who asks. */
const orgOf = (i: number) => `md5('org${i}')::uuid`;
const userOf = (i: number) => `md5('user${i}')::uuid`;

beforeAll(async () => {
  db = await createTestDatabase('rls_plans');
  const orgs = 5;
  const q = (sql: string) => db.pool.query(sql);
  await q(`INSERT INTO auth.users_extended (id, org_id)
           SELECT md5('user' || o)::uuid, md5('org' || o)::uuid FROM generate_series(0, ${orgs - 1}) o`);
  await q(`INSERT INTO integration_connection (org_id, type, name, base_url, credentials)
           SELECT md5('org' || o)::uuid, 'woocommerce', 'shop-' || n, 'https://shop.example',
                  'v1:aXY=:dGFn:ZGF0YQ=='
             FROM generate_series(0, ${orgs - 1}) o, generate_series(1, 20) n`);
  // 30 syncs per connection, the first one running, the others completed (by the trigger).
  await q(`INSERT INTO sync_progress (org_id, sync_id, entity_type, total_items, processed_count)
           SELECT c.org_id, 'sync-' || c.id || '-' || n, 'customer', 10, 5
             FROM integration_connection c, generate_series(1, 30) n`);
  await q(`UPDATE sync_progress SET processed_count = 10 WHERE sync_id !~ '-1$'`);
  await q(`INSERT INTO sync_preview_cache (org_id, sync_type, cache_key, delta_json)
           SELECT c.org_id, (enum_range(NULL::sync_type))[1 + n % 4], 'key-' || c.id || '-' || n, '{}'
             FROM integration_connection c, generate_series(1, 30) n`);
  await q(`INSERT INTO sync_record (org_id, connection_id, entity_type, external_id, data, content_hash)
           SELECT c.org_id, c.id, (enum_range(NULL::sync_entity_type))[1 + n % 8], 'ext-' || n, '{}', repeat('a', 64)
             FROM integration_connection c, generate_series(1, 100) n`);
  await q(`INSERT INTO sync_state (org_id, connection_id, entity_type)
           SELECT c.org_id, c.id, e FROM integration_connection c, unnest(enum_range(NULL::sync_entity_type)) e`);
  await db.pool.query(
    `INSERT INTO sync_activity_log (org_id, sync_id, action, status, record_count, created_at)
     SELECT md5('org' || (n % ${orgs}))::uuid, 'sync-' || n, 'batch_process', 'in_progress', 100,
            $1::timestamptz + make_interval(secs => n)
       FROM generate_series(1, 10000) n`,
    [monthStart.toISOString()],
  );
  await q('ANALYZE');
});
afterAll(async () => db?.drop());

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  'Subplan Name'?: string;
  Plans?: PlanNode[];
}

function nodes(plan: PlanNode): PlanNode[] {
  return [plan, ...(plan.Plans ?? []).flatMap(nodes)];
}

/** The plan of `sql` as user 0 through the API role, with sequential scans disabled. */
async function planAs(client: pg.PoolClient, sql: string): Promise<PlanNode[]> {
  await client.query(`SET LOCAL ROLE ${ROLE}`);
  await client.query(`SELECT set_config('request.jwt.claim.sub', ${userOf(0)}::text, true)`);
  await client.query('SET LOCAL enable_seqscan = off');
  const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`);
  return nodes((rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
}

const plan = (sql: string) => inTransaction(db.pool, (c) => planAs(c, sql), { rollback: true });

/** The index scans whose condition is the policy's org, as `<index> <cond>`. */
const orgIndexScans = (plan: PlanNode[]) =>
  plan
    .filter((n) => n['Index Name'] && /\borg_id = \$\d+/.test(n['Index Cond'] ?? ''))
    .map((n) => n['Index Name']!);

const monthly = `SELECT * FROM sync_activity_log
  WHERE created_at >= '${monthStart.toISOString()}' AND created_at < '${monthEnd.toISOString()}'
  ORDER BY created_at DESC LIMIT 10000`;
const month = `${monthStart.getUTCFullYear()}_${String(monthStart.getUTCMonth() + 1).padStart(2, '0')}`;

const QUERIES: { table: string; sql: string; index: string }[] = [
  {
    table: 'sync_progress',
    sql: 'SELECT * FROM sync_progress WHERE completed_at IS NULL ORDER BY updated_at DESC',
    index: 'idx_sync_progress_active',
  },
  {
    table: 'sync_preview_cache',
    sql: `SELECT * FROM sync_preview_cache WHERE sync_type = 'woocommerce' AND expires_at > now() ORDER BY computed_at DESC`,
    index: 'idx_sync_preview_cache_org_type',
  },
  { table: 'sync_activity_log', sql: monthly, index: `sync_activity_log_${month}_org_id_created_at_idx` },
  {
    table: 'integration_connection',
    sql: 'SELECT id, name, type FROM integration_connection WHERE removed_at IS NULL ORDER BY name',
    index: 'integration_connection_org_name_key',
  },
  {
    table: 'sync_record',
    sql: `SELECT external_id, content_hash FROM sync_record WHERE entity_type = 'customer'`,
    index: 'idx_sync_record_org_entity',
  },
];

describe('through RLS alone, the typical query of each table uses its org index', () => {
  test.each(QUERIES)('$table → $index', async ({ sql, index }) => {
    const nodesOf = await plan(sql);
    expect(
      nodesOf.some((n) => n['Subplan Name']?.startsWith('InitPlan')),
      'the org is an InitPlan',
    ).toBe(true);
    expect(orgIndexScans(nodesOf)).toContain(index);
    expect(nodesOf.filter((n) => n['Node Type'] === 'Seq Scan' && n['Relation Name'] !== undefined)).toEqual(
      [],
    );
  });

  test('sync_state (no org index: looked up by connection) uses its key, the org as a filter', async () => {
    const nodesOf = await plan(
      `SELECT * FROM sync_state WHERE connection_id = (SELECT id FROM integration_connection ORDER BY name LIMIT 1)`,
    );
    expect(nodesOf.map((n) => n['Index Name']).filter(Boolean)).toContain('sync_state_pkey');
    expect(nodesOf.filter((n) => n['Node Type'] === 'Seq Scan')).toEqual([]);
  });

  test('the monthly read through RLS alone returns the user’s org only', async () => {
    const [asUser, asOwner] = await Promise.all([
      inTransaction(
        db.pool,
        async (c) => {
          await c.query(`SET LOCAL ROLE ${ROLE}`);
          await c.query(`SELECT set_config('request.jwt.claim.sub', ${userOf(0)}::text, true)`);
          return (await c.query(`SELECT DISTINCT org_id::text AS org FROM (${monthly}) t`)).rows;
        },
        { rollback: true },
      ),
      db.pool.query(`SELECT ${orgOf(0)}::text AS org`),
    ]);
    expect(asUser).toEqual(asOwner.rows);
  });

  test('control: under the 0024 policies (restored in a rolled-back transaction) no index takes the org', async () => {
    const nodesOf = await inTransaction(
      db.pool,
      async (c) => {
        await c.query(downSql);
        return planAs(c, monthly);
      },
      { rollback: true },
    );
    expect(orgIndexScans(nodesOf)).toEqual([]);
    // And the migration is back: the same query takes the index again.
    expect(orgIndexScans(await plan(monthly))).toContain(QUERIES[2]!.index);
  });
});
