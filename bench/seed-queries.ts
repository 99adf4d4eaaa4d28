// The queries suite: the seed's query table (0024 "Performance
// Characteristics") at the seed's scale as far as this machine loads it in a
// couple of minutes. Times each query with pg, as the owner and through RLS
// as the API's role, and shows the plan's indexes. Prints; asserts nothing.
import os from 'node:os';
import pg from 'pg';
import { createBenchDatabase } from './bench-env.js';
import { loadSeedData, type SeedScale } from './seed-data.js';
import { adminUrl, median, percentile, printTable } from './stats.js';

interface Query {
  name: string;
  /** The seed's target, ms. */
  target: number;
  sql: string;
  params: unknown[];
}

interface Timing {
  name: string;
  as: 'owner' | 'rls';
  rows: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
  targetMs: number;
  plan: string;
  /** Server-side execution time (EXPLAIN ANALYZE, TIMING off), median of 5. */
  serverMs: number;
}

const MAX_RUNS = 100;
const BUDGET_MS = 4_000;

/** "Node index-or-relation" of each scan in a JSON plan, counted; monthly partitions as _YYYY_MM. */
function scans(plan: Record<string, unknown>, out = new Map<string, number>()): Map<string, number> {
  const type = String(plan['Node Type']);
  const target = plan['Index Name'] ?? (type.includes('Scan') ? plan['Relation Name'] : undefined);
  if (typeof target === 'string') {
    const k = `${type} ${target.replace(/_\d{4}_\d{2}/, '_YYYY_MM')}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) scans(child, out);
  return out;
}

/** Runs `fn` in a transaction as the API does: SET LOCAL ROLE + the JWT sub. */
async function asUser<T>(db: pg.Client, user: string, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    await db.query(
      `SELECT set_config('role', 'sync_worker_api', true), set_config('request.jwt.claim.sub', $1, true)`,
      [user],
    );
    return await fn();
  } finally {
    await db.query('COMMIT');
  }
}

async function time(db: pg.Client, q: Query, as: 'owner' | 'rls', user: string): Promise<Timing> {
  const wrap = <T>(fn: () => Promise<T>) => (as === 'rls' ? asUser(db, user, fn) : fn());
  const explain = await wrap(() => db.query(`EXPLAIN (ANALYZE false, FORMAT JSON) ${q.sql}`, q.params));
  const counted: Map<string, number> = scans(
    (explain.rows[0]['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan,
  );
  const plan = Array.from(counted, ([k, n]) => (n > 1 ? `${k} ×${n}` : k));
  for (let i = 0; i < 3; i++) await wrap(() => db.query(q.sql, q.params)); // warm-up
  const ms: number[] = [];
  let rows = 0;
  const started = performance.now();
  while (ms.length < 5 || (ms.length < MAX_RUNS && performance.now() - started < BUDGET_MS)) {
    await wrap(async () => {
      const t = performance.now();
      rows = (await db.query(q.sql, q.params)).rowCount ?? 0;
      ms.push(performance.now() - t);
    });
  }
  const server: number[] = [];
  for (let i = 0; i < 5; i++) {
    const r = await wrap(() => db.query(`EXPLAIN (ANALYZE, TIMING false, FORMAT JSON) ${q.sql}`, q.params));
    server.push((r.rows[0]['QUERY PLAN'] as { 'Execution Time': number }[])[0]!['Execution Time']);
  }
  return {
    name: q.name,
    as,
    rows,
    runs: ms.length,
    medianMs: median(ms),
    p95Ms: percentile(ms, 95),
    targetMs: q.target,
    plan: plan.join(', '),
    serverMs: median(server),
  };
}

export async function seedQueries(opts: { orgs: number; logRows: number }) {
  const scale: SeedScale = {
    orgs: opts.orgs,
    usersPerOrg: 10,
    progressPerOrg: 100,
    activeOfMeasuredOrg: 30,
    previewPerOrg: 100,
    logRows: opts.logRows,
    months: 3,
    measuredOrgMonthlyRows: 12_000,
  };
  console.log(`\nqueries suite: ${JSON.stringify(scale)}`);
  const bench = await createBenchDatabase(adminUrl);
  const connect = async () => {
    const c = new pg.Client({ connectionString: bench.url });
    await c.connect();
    return c;
  };
  const db = await connect();
  try {
    const started = performance.now();
    const load = await loadSeedData(db, connect, scale);
    const loadSeconds = (performance.now() - started) / 1000;
    console.log(`loaded in ${loadSeconds.toFixed(1)} s: ${JSON.stringify(load.rows)}`);
    console.log(`activity log per month: ${JSON.stringify(load.rowsPerMonth)}`);

    const ids = (
      await db.query<{ org: string; usr: string; key: string; month: Date }>(
        `SELECT md5('org0')::uuid::text AS org, md5('user0')::uuid::text AS usr,
                (SELECT cache_key FROM sync_preview_cache
                  WHERE org_id = md5('org0')::uuid AND expires_at > now() + interval '10 minutes'
                  ORDER BY cache_key LIMIT 1) AS key,
                date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month`,
      )
    ).rows[0]!;
    const queries: Query[] = [
      {
        name: 'active sync progress (org_id, updated_at DESC)',
        target: 10,
        sql: `SELECT * FROM sync_progress WHERE org_id = $1 AND completed_at IS NULL ORDER BY updated_at DESC`,
        params: [ids.org],
      },
      {
        name: 'preview cache by cache_key',
        target: 5,
        sql: `SELECT * FROM sync_preview_cache WHERE cache_key = $1 AND expires_at > now()`,
        params: [ids.key],
      },
      {
        name: 'preview cache by (org_id, sync_type), fresh',
        target: 5,
        sql: `SELECT * FROM sync_preview_cache WHERE org_id = $1 AND sync_type = 'woocommerce' AND expires_at > now()
              ORDER BY computed_at DESC`,
        params: [ids.org],
      },
      {
        name: "monthly activity log (org_id, created_at DESC), this month's newest 10,000",
        target: 50,
        sql: `SELECT * FROM sync_activity_log WHERE org_id = $1 AND created_at >= $2
              AND created_at < $2::timestamptz + interval '1 month' ORDER BY created_at DESC LIMIT 10000`,
        params: [ids.org, ids.month],
      },
      {
        name: "user activity (user_id, created_at DESC), the user's newest 2,000",
        target: 100,
        sql: `SELECT * FROM sync_activity_log WHERE user_id = $1 ORDER BY created_at DESC LIMIT 2000`,
        params: [ids.usr],
      },
    ];
    // The API (src/api/routes) leaves the org to RLS: no org_id predicate.
    const apiShapes: Query[] = [
      {
        name: 'active sync progress, RLS only (no org_id predicate)',
        target: 10,
        sql: `SELECT * FROM sync_progress WHERE completed_at IS NULL ORDER BY updated_at DESC`,
        params: [],
      },
      {
        name: 'monthly activity log, RLS only (no org_id predicate)',
        target: 50,
        sql: `SELECT * FROM sync_activity_log WHERE created_at >= $1
              AND created_at < $1::timestamptz + interval '1 month' ORDER BY created_at DESC LIMIT 10000`,
        params: [ids.month],
      },
      {
        // What the API could add to every query: the user's org as an
        // InitPlan (evaluated once), which the (org_id, …) indexes can use.
        name: "monthly activity log, RLS + org_id = (the user's org)",
        target: 50,
        sql: `SELECT * FROM sync_activity_log
               WHERE org_id = (SELECT org_id FROM auth.users_extended WHERE id = auth.uid())
                 AND created_at >= $1 AND created_at < $1::timestamptz + interval '1 month'
               ORDER BY created_at DESC LIMIT 10000`,
        params: [ids.month],
      },
    ];
    const timings: Timing[] = [];
    for (const q of queries) timings.push(await time(db, q, 'owner', ids.usr));
    for (const q of [...queries, ...apiShapes]) timings.push(await time(db, q, 'rls', ids.usr));
    printTable(
      ['query', 'as', 'rows', 'median ms', 'p95 ms', 'seed target', 'server ms', 'plan (scans)'],
      timings.map((t) => [
        t.name,
        t.as === 'owner' ? 'owner (no RLS)' : 'sync_worker_api (RLS)',
        t.rows,
        t.medianMs.toFixed(2),
        t.p95Ms.toFixed(2),
        `< ${t.targetMs} ms`,
        t.serverMs.toFixed(2),
        t.plan,
      ]),
    );
    return {
      date: new Date().toISOString(),
      machine: { cores: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.arch()}` },
      scale,
      rows: load.rows,
      activityLogRowsPerMonth: load.rowsPerMonth,
      loadSeconds,
      loadPhaseSeconds: load.seconds,
      timings,
    };
  } finally {
    await db.end();
    await bench.drop();
  }
}
