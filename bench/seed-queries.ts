// The queries suite: the seed's query table (0024 "Performance
// Characteristics") at the seed's scale as far as this machine loads it in a
// couple of minutes, run as the HTTP API runs it: logged in as the
// authenticator, in a transaction as sync_worker_api with the user's JWT
// claim, the RLS policies alone restricting to the user's org (no org_id
// predicate). Reports client and server time, the plan's scans, and flags
// each query against the seed's target and the index the seed names for it.
// Then times ways of reading the 10,000-row monthly log at the client.
// Prints; asserts nothing.
import os from 'node:os';
import pg from 'pg';
import { createBenchDatabase } from './bench-env.js';
import { ACTIVITY_COLUMNS, FASTEST, monthlySql, readPaths, timeReadPaths } from './monthly-read-paths.js';
import { authenticatorUrl, planAsApi, timeAsApi, type Spread } from './rls-timing.js';
import { loadSeedData, type SeedScale } from './seed-data.js';
import { adminUrl, printTable } from './stats.js';

interface SeedQuery {
  name: string;
  /** The index the seed names (its table's "Index" column). */
  seedIndex: string;
  /** Our index that implements it (partitions as _YYYY_MM). */
  index: string;
  /** The seed's target, ms. */
  target: number;
  sql: string;
  params: unknown[];
  /** How the client reads it. @defaultValue pg's defaults: rows as objects, values parsed */
  read?: (db: pg.Client) => Promise<number>;
}

interface QueryTiming {
  name: string;
  seedIndex: string;
  index: string;
  rows: number;
  targetMs: number;
  client: Spread;
  /** BEGIN, role and claim, the query, COMMIT: the whole request transaction. */
  request: Spread;
  server: Spread;
  scans: string[];
  usesIndex: boolean;
  meetsTarget: boolean;
}

const flag = (ok: boolean, yes: string, no: string) => (ok ? yes : `**${no}**`);

async function timeQuery(db: pg.Client, userId: string, q: SeedQuery): Promise<QueryTiming> {
  const read = q.read ?? ((c: pg.Client) => c.query(q.sql, q.params).then((r) => r.rowCount ?? 0));
  const plan = await planAsApi(db, userId, q.sql, q.params);
  const timed = await timeAsApi(db, userId, () => read(db));
  return {
    name: q.name,
    seedIndex: q.seedIndex,
    index: q.index,
    rows: timed.rows,
    targetMs: q.target,
    client: timed.query,
    request: timed.request,
    server: plan.server,
    scans: plan.scans,
    usesIndex: plan.indexes.includes(q.index),
    meetsTarget: timed.query.p95Ms < q.target,
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
  const connect = async (url = bench.url) => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    return c;
  };
  const owner = await connect();
  let api: pg.Client | undefined;
  try {
    const started = performance.now();
    const load = await loadSeedData(owner, connect, scale);
    const loadSeconds = (performance.now() - started) / 1000;
    console.log(`loaded in ${loadSeconds.toFixed(1)} s: ${JSON.stringify(load.rows)}`);
    console.log(`activity log per month: ${JSON.stringify(load.rowsPerMonth)}`);

    // The measured user of the big org; a fresh preview of theirs; the last
    // complete month (the current one may have just begun).
    const ids = (
      await owner.query<{ usr: string; key: string; month: Date }>(
        `SELECT md5('user0')::uuid::text AS usr,
                (SELECT cache_key FROM sync_preview_cache
                  WHERE org_id = md5('org0')::uuid AND expires_at > now() + interval '10 minutes'
                  ORDER BY cache_key LIMIT 1) AS key,
                (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '1 month') AT TIME ZONE 'UTC' AS month`,
      )
    ).rows[0]!;
    const apiUrl = authenticatorUrl(bench.url);
    api = await connect(apiUrl);
    const fastest = readPaths(ids.month).find((p) => p.name === FASTEST)!;

    // The seed's queries as the API sends them: no org_id predicate.
    const queries: SeedQuery[] = [
      {
        name: 'active sync progress: `completed_at IS NULL ORDER BY updated_at DESC`',
        seedIndex: '(org_id, updated_at DESC)',
        index: 'idx_sync_progress_active',
        target: 10,
        sql: `SELECT * FROM sync_progress WHERE completed_at IS NULL ORDER BY updated_at DESC`,
        params: [],
      },
      {
        name: 'preview cache by `cache_key`, `expires_at > now()`',
        seedIndex: '(cache_key)',
        index: 'sync_preview_cache_cache_key_key',
        target: 5,
        sql: `SELECT * FROM sync_preview_cache WHERE cache_key = $1 AND expires_at > now()`,
        params: [ids.key],
      },
      {
        name: 'preview cache by `sync_type`, `expires_at > now()`',
        seedIndex: '(org_id, sync_type, expires_at)',
        index: 'idx_sync_preview_cache_org_type',
        target: 5,
        sql: `SELECT * FROM sync_preview_cache WHERE sync_type = 'woocommerce' AND expires_at > now()
              ORDER BY computed_at DESC`,
        params: [],
      },
      {
        name: 'monthly activity log, last month: `ORDER BY created_at DESC LIMIT 10000`, pg defaults',
        seedIndex: '(org_id, created_at DESC) partition',
        index: 'sync_activity_log_YYYY_MM_org_id_created_at_idx',
        target: 50,
        sql: monthlySql('*'),
        params: [ids.month],
      },
      {
        name: `monthly activity log, last month, ${FASTEST}`,
        seedIndex: '(org_id, created_at DESC) partition',
        index: 'sync_activity_log_YYYY_MM_org_id_created_at_idx',
        target: 50,
        sql: monthlySql(ACTIVITY_COLUMNS),
        params: [ids.month],
        read: fastest.read,
      },
      {
        name: 'user activity: `user_id = $1 ORDER BY created_at DESC LIMIT 2000`',
        seedIndex: '(user_id, created_at DESC)',
        index: 'sync_activity_log_YYYY_MM_user_id_created_at_idx',
        target: 100,
        sql: `SELECT * FROM sync_activity_log WHERE user_id = $1 ORDER BY created_at DESC LIMIT 2000`,
        params: [ids.usr],
      },
    ];
    const timings: QueryTiming[] = [];
    for (const q of queries) timings.push(await timeQuery(api, ids.usr, q));
    printTable(
      [
        'query (through RLS alone, as the API)',
        'rows',
        'client median / p95 ms',
        'request p95 ms',
        'server median / p95 ms',
        'seed target',
        'seed index → ours',
        'plan (scans)',
      ],
      timings.map((t) => [
        t.name,
        t.rows,
        `${t.client.medianMs.toFixed(2)} / ${t.client.p95Ms.toFixed(2)}`,
        t.request.p95Ms.toFixed(2),
        `${t.server.medianMs.toFixed(2)} / ${t.server.p95Ms.toFixed(2)}`,
        `< ${t.targetMs} ms: ${flag(t.meetsTarget, 'met', 'not met')}`,
        `${t.seedIndex} → \`${t.index}\`: ${flag(t.usesIndex, 'used', 'NOT used')}`,
        t.scans.join(', '),
      ]),
    );

    const paths = await timeReadPaths(api, apiUrl, ids.usr, ids.month);
    console.log('\nthe monthly read (10,000 rows) at the client, through RLS as the API:');
    printTable(
      ['reading path', 'rows', 'median ms', 'p95 ms', 'client CPU ms (median)', 'runs'],
      paths.map((p) => [
        p.name,
        p.rows,
        p.medianMs.toFixed(2),
        p.p95Ms.toFixed(2),
        p.clientCpuMs.toFixed(2),
        p.runs,
      ]),
    );
    return {
      date: new Date().toISOString(),
      machine: {
        cores: os.cpus().length,
        node: process.version,
        platform: `${os.platform()} ${os.arch()}`,
        loadAverage: os.loadavg(),
      },
      scale,
      rows: load.rows,
      activityLogRowsPerMonth: load.rowsPerMonth,
      loadSeconds,
      loadPhaseSeconds: load.seconds,
      asApi: { login: new URL(apiUrl).username, role: 'sync_worker_api', orgPredicate: false },
      timings,
      monthlyReadPaths: paths,
    };
  } finally {
    await api?.end();
    await owner.end();
    await bench.drop();
  }
}
