// Timing a query as the HTTP API runs it: logged in as the authenticator, in
// a transaction that starts with SET LOCAL ROLE sync_worker_api and the JWT
// `sub` (src/api/rls.ts), the RLS policies alone restricting to the user's org.
import pg from 'pg';
import { median, percentile } from './stats.js';

const ROLE = 'sync_worker_api';

/** The API's login on the bench database (migration api_authenticator creates it). */
export function authenticatorUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.username = process.env.BENCH_API_LOGIN ?? 'sync_worker_authenticator';
  url.password = process.env.BENCH_API_PASSWORD ?? '';
  return url.toString();
}

/** `fn` in one transaction as the API's role with auth.uid() = `userId`, as a request runs. */
export async function asApiUser<T>(db: pg.Client, userId: string, fn: () => Promise<T>): Promise<T> {
  await db.query('BEGIN');
  try {
    await db.query(`SELECT set_config('role', $1, true), set_config('request.jwt.claim.sub', $2, true)`, [
      ROLE,
      userId,
    ]);
    return await fn();
  } finally {
    await db.query('COMMIT');
  }
}

/** Median and p95 of a series of milliseconds, and how many runs. */
export interface Spread {
  runs: number;
  medianMs: number;
  p95Ms: number;
}

const spread = (ms: number[]): Spread => ({
  runs: ms.length,
  medianMs: median(ms),
  p95Ms: percentile(ms, 95),
});

export interface RunBudget {
  /** Runs at least this many. @defaultValue 5 */
  minRuns?: number;
  /** And at most this many, while the time budget lasts. @defaultValue 100 */
  maxRuns?: number;
  /** @defaultValue 4000 */
  budgetMs?: number;
}

/** CPU time (user + system) this process spent in `fn`, ms, and its result. */
export async function withCpu<T>(fn: () => Promise<T>): Promise<{ cpuMs: number; wallMs: number; value: T }> {
  const cpu = process.cpuUsage();
  const t = performance.now();
  const value = await fn();
  const wallMs = performance.now() - t;
  const used = process.cpuUsage(cpu);
  return { cpuMs: (used.user + used.system) / 1000, wallMs, value };
}

/**
 * Times `read` (3 warm-ups first) inside the API's request transaction: the
 * query alone at the client (`query`: wall clock; `cpu`: this process' CPU
 * time, receiving and decoding the rows, which other load on the machine
 * does not inflate), and the whole request (`request`: BEGIN, the role and
 * claim, the query, COMMIT). Returns the last run's row count.
 */
export async function timeAsApi(
  db: pg.Client,
  userId: string,
  read: () => Promise<number>,
  { minRuns = 5, maxRuns = 100, budgetMs = 4_000 }: RunBudget = {},
): Promise<{ rows: number; query: Spread; cpu: Spread; request: Spread }> {
  for (let i = 0; i < 3; i++) await asApiUser(db, userId, read);
  const query: number[] = [];
  const cpu: number[] = [];
  const request: number[] = [];
  let rows = 0;
  const started = performance.now();
  while (query.length < minRuns || (query.length < maxRuns && performance.now() - started < budgetMs)) {
    const t0 = performance.now();
    await asApiUser(db, userId, async () => {
      const run = await withCpu(read);
      rows = run.value;
      query.push(run.wallMs);
      cpu.push(run.cpuMs);
    });
    request.push(performance.now() - t0);
  }
  return { rows, query: spread(query), cpu: spread(cpu), request: spread(request) };
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** "Node index-or-relation" of each scan in a JSON plan, counted; monthly partitions as _YYYY_MM. */
function scans(plan: PlanNode, out = new Map<string, number>()): Map<string, number> {
  const type = plan['Node Type'];
  const target = plan['Index Name'] ?? (type.includes('Scan') ? plan['Relation Name'] : undefined);
  if (target !== undefined) {
    const k = `${type} ${target.replace(/_\d{4}_\d{2}/, '_YYYY_MM')}`;
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  for (const child of plan.Plans ?? []) scans(child, out);
  return out;
}

/** The plan's scans and indexes, and the server-side execution time (EXPLAIN ANALYZE, TIMING off). */
export async function planAsApi(
  db: pg.Client,
  userId: string,
  sql: string,
  params: unknown[],
  runs = 20,
): Promise<{ scans: string[]; indexes: string[]; server: Spread }> {
  const explain = await asApiUser(db, userId, () =>
    db.query(`EXPLAIN (ANALYZE false, FORMAT JSON) ${sql}`, params),
  );
  const counted = scans((explain.rows[0]['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan);
  const server: number[] = [];
  for (let i = 0; i < runs; i++) {
    const r = await asApiUser(db, userId, () =>
      db.query(`EXPLAIN (ANALYZE, TIMING false, FORMAT JSON) ${sql}`, params),
    );
    server.push((r.rows[0]['QUERY PLAN'] as { 'Execution Time': number }[])[0]!['Execution Time']);
  }
  return {
    scans: Array.from(counted, ([k, n]) => (n > 1 ? `${k} ×${n}` : k)),
    indexes: Array.from(counted.keys(), (k) => k.split(' ').pop()!),
    server: spread(server),
  };
}
