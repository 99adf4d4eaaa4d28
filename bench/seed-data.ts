// Loads the queries suite's data set with INSERT … SELECT generate_series (no
// row-by-row inserts): orgs and users, sync_progress, sync_preview_cache and
// sync_activity_log over the current month and the previous ones.
import pLimit from 'p-limit';
import type pg from 'pg';

export interface SeedScale {
  orgs: number;
  usersPerOrg: number;
  progressPerOrg: number;
  /** Active (completed_at IS NULL) syncs of the measured org. */
  activeOfMeasuredOrg: number;
  previewPerOrg: number;
  /** Activity-log rows in total, spread over `months` months (the current one included). */
  logRows: number;
  months: number;
  /** Log rows per month of the measured org (a big tenant; the seed's monthly query reads 1,000-10,000). */
  measuredOrgMonthlyRows: number;
}

/** Deterministic ids: org i, user i (user i belongs to org i % orgs). */
export const orgId = (i: number) => uuidOf(`org${i}`);
export const userId = (i: number) => uuidOf(`user${i}`);
const uuidOf = (s: string) => `md5('${s}')::uuid`;

export interface SeedLoadResult {
  seconds: Record<string, number>;
  rows: Record<string, number>;
  rowsPerMonth: Record<string, number>;
}

async function timed(seconds: Record<string, number>, name: string, fn: () => Promise<unknown>) {
  const t = performance.now();
  await fn();
  seconds[name] = (performance.now() - t) / 1000;
}

export async function loadSeedData(
  db: pg.Client,
  connect: () => Promise<pg.Client>,
  s: SeedScale,
): Promise<SeedLoadResult> {
  const seconds: Record<string, number> = {};
  // Bulk load: no per-row triggers (their rules are for live writes; the rows
  // here are written as they would stand after the fact).
  await db.query(`SET session_replication_role = replica`);
  await db.query(`SET maintenance_work_mem = '256MB'`);
  await timed(seconds, 'users', () =>
    db.query(
      `INSERT INTO auth.users_extended (id, org_id)
       SELECT md5('user' || i)::uuid, md5('org' || (i % $1::int))::uuid FROM generate_series(0, $1::int * $2::int - 1) i`,
      [s.orgs, s.usersPerOrg],
    ),
  );
  // Per org: progressPerOrg syncs; the measured org (0) has activeOfMeasuredOrg
  // live ones, every other org 2 %.
  await timed(seconds, 'sync_progress', () =>
    db.query(
      `INSERT INTO sync_progress (org_id, sync_id, job_id, entity_type, current_item, total_items, processed_count,
                                  started_at, updated_at, completed_at, source_system, batch_number, initiated_by, status)
       SELECT md5('org' || o)::uuid, 'bench-' || o || '-' || n, 'bench-' || o || '-' || n,
              (enum_range(NULL::sync_entity_type))[1 + n % 8], 500, 1000, CASE WHEN live THEN 500 ELSE 1000 END,
              t, t + interval '2 minutes', CASE WHEN live THEN NULL ELSE t + interval '4 minutes' END,
              'woocommerce', 5, md5('user' || (o + $1::int * (n % $3::int)))::uuid,
              CASE WHEN live THEN 'in_progress' ELSE 'completed' END::sync_status_type
         FROM generate_series(0, $1::int - 1) o, generate_series(0, $2::int - 1) n,
              LATERAL (SELECT CASE WHEN o = 0 THEN n < $4::int ELSE n % 50 = 0 END AS live,
                              now() - make_interval(mins => (n * 97 + o) % 40000) AS t) x`,
      [s.orgs, s.progressPerOrg, s.usersPerOrg, s.activeOfMeasuredOrg],
    ),
  );
  // Preview cache: 1-hour TTL, computed over the last 6 hours, so about one
  // row in six is still fresh (the hourly cleanup has not run yet).
  await timed(seconds, 'sync_preview_cache', () =>
    db.query(
      `INSERT INTO sync_preview_cache (org_id, sync_type, sync_id, delta_json, computed_at, expires_at,
                                       computed_by, cache_key, created_at, updated_at)
       SELECT md5('org' || o)::uuid, (enum_range(NULL::sync_type))[1 + n % 4], 'preview-' || o || '-' || n,
              jsonb_build_object('toCreate', n % 17, 'toUpdate', n % 31, 'toDelete', n % 5,
                                 'sample', repeat('x', 300)),
              t, t + interval '1 hour', md5('user' || o)::uuid, 'preview:' || o || ':' || n, t, t
         FROM generate_series(0, $1::int - 1) o, generate_series(0, $2::int - 1) n,
              LATERAL (SELECT now() - make_interval(secs => ((n * 7919 + o * 104729) % 21600)) AS t) x`,
      [s.orgs, s.previewPerOrg],
    ),
  );
  // One table per month, loaded without indexes and then attached: ATTACH
  // builds the partition's seven indexes in bulk, several times faster than
  // maintaining them row by row. The previous months' partitions stand for
  // those the daily maintenance job created when each month was current.
  const { rows: months } = await db.query<{ name: string; from: string; to: string; secs: number }>(
    `SELECT to_char(f AT TIME ZONE 'UTC', '"sync_activity_log_"YYYY_MM') AS name, f::text AS from,
            (f + interval '1 month')::text AS to,
            extract(epoch FROM least(f + interval '1 month', now()) - f)::float8 AS secs
       FROM generate_series(0, $1::int - 1) m,
            LATERAL (SELECT (date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => m)) AT TIME ZONE 'UTC' AS f) x
      ORDER BY m`,
    [s.months],
  );
  const totalSecs = months.reduce((a, m) => a + m.secs, 0);
  const rowsPerMonth: Record<string, number> = {};
  // The months load two at a time (two cores), each on its own connection.
  const limit = pLimit(2);
  await Promise.all(
    months.map((m) =>
      limit(() =>
        timed(seconds, `${m.name} load`, async () => {
          const n = Math.round((s.logRows * m.secs) / totalSecs);
          rowsPerMonth[m.name] = n;
          const c = await connect();
          try {
            await c.query(`DROP TABLE IF EXISTS ${m.name}`);
            await c.query(
              `CREATE TABLE ${m.name} (LIKE sync_activity_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
            );
            // created_at evenly over the month (up to now); a measuredOrgShare of the
            // rows belong to org 0, the rest round-robin; the user is one of the org's.
            await c.query(
              `INSERT INTO ${m.name} (id, org_id, sync_id, entity_type, action, status, record_count, duration_seconds,
                                user_id, created_at)
         SELECT gen_random_uuid(), md5('org' || o)::uuid, 'bench-' || o || '-' || (i % 1000),
                (enum_range(NULL::sync_entity_type))[1 + i % 8], (enum_range(NULL::sync_action))[1 + i % 8],
                'completed', i % 100, (i % 600)::numeric, md5('user' || (o + $2::int * (i % $3::int)))::uuid,
                $5::timestamptz + make_interval(secs => $6::float8 * i / $1::int)
           FROM generate_series(0, $1::int - 1) i,
                LATERAL (SELECT CASE WHEN random() < $4::float8 THEN 0 ELSE i % $2::int END AS o) x`,
              [n, s.orgs, s.usersPerOrg, Math.min(1, s.measuredOrgMonthlyRows / n), m.from, m.secs],
            );
          } finally {
            await c.end();
          }
        }),
      ),
    ),
  );
  for (const m of months) {
    await timed(seconds, `${m.name} attach`, async () => {
      await db.query(
        `ALTER TABLE sync_activity_log ATTACH PARTITION ${m.name} FOR VALUES FROM ('${m.from}') TO ('${m.to}')`,
      );
      await db.query(`ALTER TABLE ${m.name} ENABLE ROW LEVEL SECURITY`);
    });
  }
  await db.query(`SET session_replication_role = origin`);
  await timed(seconds, 'analyze', () => db.query('ANALYZE'));
  const { rows } = await db.query<{ t: string; n: string }>(
    `SELECT 'auth.users_extended' AS t, count(*) AS n FROM auth.users_extended
     UNION ALL SELECT 'sync_progress', count(*) FROM sync_progress
     UNION ALL SELECT 'sync_preview_cache', count(*) FROM sync_preview_cache
     UNION ALL SELECT 'sync_activity_log', count(*) FROM sync_activity_log`,
  );
  return { seconds, rows: Object.fromEntries(rows.map((r) => [r.t, Number(r.n)])), rowsPerMonth };
}
