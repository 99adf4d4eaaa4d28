// Ways to read the seed's monthly activity log (10,000 rows) at the client,
// through RLS as the API: what `pg` parses, in which row shape, which
// columns, text or binary, or JSON built by the server; and Prisma's raw
// query, the API's own driver. Each is timed the same way (rls-timing.ts).
import type pg from 'pg';
import { withUserTransaction } from '../src/api/rls.js';
import { createPrisma } from '../src/db/prisma.js';
import { timeAsApi, withCpu, type Spread } from './rls-timing.js';
import { median, percentile } from './stats.js';

/** Every value as the server's text, unparsed (timestamps, numerics, json stay strings). */
const unparsed = { getTypeParser: () => (value: string) => value };

/** The columns the API's /activity route returns (all but org_id). */
export const ACTIVITY_COLUMNS =
  'id, sync_id, entity_type, action, status, record_count, duration_seconds, error_message, user_id, created_at';

/** The path kept (fastest and still readable: rows by column name); the suite's table flags it. */
export const FASTEST = "the API's 10 columns, rows as objects, values unparsed";

export interface ReadPath {
  name: string;
  read(db: pg.Client): Promise<number>;
}

/** The monthly query with `columns`, for the month starting at $1. */
export const monthlySql = (columns: string) =>
  `SELECT ${columns} FROM sync_activity_log
    WHERE created_at >= $1 AND created_at < $1::timestamptz + interval '1 month'
    ORDER BY created_at DESC LIMIT 10000`;

export function readPaths(month: Date): ReadPath[] {
  const all = monthlySql('*');
  const api = monthlySql(ACTIVITY_COLUMNS);
  const values = [month];
  const count = (r: pg.QueryResult) => r.rowCount ?? 0;
  return [
    {
      name: '`SELECT *`, rows as objects, values parsed (pg defaults)',
      read: (db) => db.query(all, values).then(count),
    },
    {
      name: '`SELECT *`, rows as arrays (`rowMode: array`)',
      read: (db) => db.query({ text: all, values, rowMode: 'array' }).then(count),
    },
    {
      name: '`SELECT *`, values unparsed (timestamps, numerics as text)',
      read: (db) => db.query({ text: all, values, types: unparsed }).then(count),
    },
    {
      name: '`SELECT *`, arrays, unparsed',
      read: (db) => db.query({ text: all, values, types: unparsed, rowMode: 'array' }).then(count),
    },
    {
      name: FASTEST,
      read: (db) => db.query({ text: api, values, types: unparsed }).then(count),
    },
    {
      name: '`SELECT *`, binary format, arrays',
      read: (db) =>
        db.query({ text: all, values, rowMode: 'array', binary: true } as pg.QueryConfig).then(count),
    },
    {
      name: "JSON built by the server (`json_agg` of the API's columns), one text value",
      read: async (db) => {
        const r = await db.query<{ rows: string }>({
          text: `SELECT coalesce(json_agg(t), '[]')::text AS rows FROM (${api}) t`,
          values,
          types: unparsed,
        });
        // The text is the response body as is: count its rows without parsing it.
        return r.rows[0]!.rows.match(/"id":/g)?.length ?? 0;
      },
    },
  ];
}

export interface ReadPathTiming extends Spread {
  name: string;
  rows: number;
  /** Median CPU time of this process per read (receiving and decoding), ms. */
  clientCpuMs: number;
}

/** Times every path, then Prisma's `$queryRawUnsafe` (the API's driver) on the same login. */
export async function timeReadPaths(
  db: pg.Client,
  apiUrl: string,
  userId: string,
  month: Date,
): Promise<ReadPathTiming[]> {
  const timings: ReadPathTiming[] = [];
  for (const path of readPaths(month)) {
    const t = await timeAsApi(db, userId, () => path.read(db), { minRuns: 10, maxRuns: 60, budgetMs: 3_000 });
    timings.push({ name: path.name, rows: t.rows, ...t.query, clientCpuMs: t.cpu.medianMs });
  }
  const prisma = createPrisma(apiUrl, { poolSize: 1 });
  try {
    const read = () =>
      withUserTransaction(prisma, 'sync_worker_api', userId, (tx) =>
        withCpu(() => tx.$queryRawUnsafe<unknown[]>(monthlySql(ACTIVITY_COLUMNS), month)),
      );
    for (let i = 0; i < 3; i++) await read();
    const ms: number[] = [];
    const cpu: number[] = [];
    let rows = 0;
    const started = performance.now();
    while (ms.length < 10 || (ms.length < 60 && performance.now() - started < 3_000)) {
      const r = await read();
      ms.push(r.wallMs);
      cpu.push(r.cpuMs);
      rows = r.value.length;
    }
    timings.push({
      name: "Prisma `$queryRaw` of the API's 10 columns (the API's driver)",
      rows,
      runs: ms.length,
      medianMs: median(ms),
      p95Ms: percentile(ms, 95),
      clientCpuMs: median(cpu),
    });
  } finally {
    await prisma.$disconnect();
  }
  return timings;
}
