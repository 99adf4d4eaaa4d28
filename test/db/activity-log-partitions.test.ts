import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { expectPgError, inTransaction } from '../helpers/pg-assert.js';

/**
 * sync_activity_log is range-partitioned by UTC month: partitions created
 * ahead by ensure_sync_activity_log_partitions(), a DEFAULT partition as the
 * safety net (its rows move when their month's partition is created), and
 * retention by drop_old_sync_activity_log_partitions().
 *
 * The tests of this file run in order on one database; month names are
 * computed by the database (now() in UTC), never by the test's clock.
 */

let db: TestDatabase;
const orgId = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('activity_log_partitions');
});
afterAll(async () => db?.drop());

/** sync_activity_log_YYYY_MM of the UTC month `offset` months from now's. */
const monthName = (offset: string) =>
  `'sync_activity_log_' || to_char(date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => ${offset}), 'YYYY_MM')`;
/** The first instant (timestamptz) of that UTC month. */
const monthStart = (offset: string) =>
  `((date_trunc('month', now() AT TIME ZONE 'UTC') + make_interval(months => ${offset})) AT TIME ZONE 'UTC')`;

async function partitions(): Promise<Map<string, string>> {
  return inTransaction(db.pool, async (c) => {
    await c.query(`SET LOCAL TIME ZONE 'UTC'`);
    const { rows } = await c.query<{ name: string; bound: string }>(
      `SELECT c.relname AS name, pg_get_expr(c.relpartbound, c.oid) AS bound
         FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'sync_activity_log'::regclass`,
    );
    return new Map(rows.map((r) => [r.name, r.bound]));
  });
}

async function expectedNames(from: number, to: number): Promise<string[]> {
  const { rows } = await db.pool.query<{ name: string }>(
    `SELECT ${monthName('g')} AS name FROM generate_series($1::int, $2::int) g ORDER BY g`,
    [from, to],
  );
  return rows.map((r) => r.name);
}

async function insertLog(createdAtSql: string, client: Pick<pg.Pool, 'query'> = db.pool): Promise<string> {
  const { rows } = await client.query<{ part: string }>(
    `INSERT INTO sync_activity_log (org_id, sync_id, action, status, record_count, created_at)
     VALUES ($1, 'sync-x', 'batch_process', 'in_progress', 1, ${createdAtSql})
     RETURNING tableoid::regclass::text AS part`,
    [orgId],
  );
  return rows[0]!.part;
}

async function partitionOf(createdAtSql: string): Promise<{ part: string; expected: string }> {
  return inTransaction(db.pool, async (c) => {
    const part = await insertLog(createdAtSql, c);
    const { rows } = await c.query(`SELECT ${monthName('0')} AS expected`);
    return { part, expected: rows[0].expected as string };
  });
}

describe('routing', () => {
  test("a row created now lands in this UTC month's partition, not in DEFAULT", async () => {
    const { part, expected } = await partitionOf('now()');
    expect(part).toBe(expected);
    expect(part).not.toBe('sync_activity_log_default');
  });

  test('the migration created the current month and 3 ahead, each with UTC month bounds', async () => {
    const parts = await partitions();
    const names = await expectedNames(0, 3);
    for (const name of names) expect(parts.has(name), name).toBe(true);
    expect(parts.get('sync_activity_log_default')).toBe('DEFAULT');
    const { rows } = await db.pool.query<{ from: string; to: string }>(
      `SELECT to_char(${monthStart('0')} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS from,
              to_char(${monthStart('1')} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') AS to`,
    );
    expect(parts.get(names[0]!)).toBe(`FOR VALUES FROM ('${rows[0]!.from}+00') TO ('${rows[0]!.to}+00')`);
  });

  test('months are UTC months whatever the session time zone', async () => {
    await inTransaction(
      db.pool,
      async (c) => {
        await c.query(`SET LOCAL TIME ZONE 'America/Los_Angeles'`);
        const names = await c.query(`SELECT ${monthName('0')} AS cur, ${monthName('1')} AS next`);
        const { cur, next } = names.rows[0] as { cur: string; next: string };
        // The first microsecond of next UTC month is still this month in Los Angeles.
        expect(await insertLog(monthStart('1'), c)).toBe(next);
        expect(await insertLog(`${monthStart('1')} - interval '1 microsecond'`, c)).toBe(cur);
        expect(await insertLog(monthStart('0'), c)).toBe(cur);
      },
      { rollback: true },
    );
  });

  test('a row far in the future without a partition lands in DEFAULT', async () => {
    const part = await insertLog(`now() + interval '10 years'`);
    expect(part).toBe('sync_activity_log_default');
    await db.pool.query(`DELETE FROM sync_activity_log WHERE created_at > now() + interval '9 years'`);
  });
});

describe('constraints', () => {
  test('record_count >= 0 and duration_seconds >= 0 (NULL allowed) are enforced, on every partition', async () => {
    await expectPgError(
      db.pool.query(`INSERT INTO sync_activity_log (org_id, record_count) VALUES ($1, -1)`, [orgId]),
      { code: '23514', constraint: 'sync_activity_log_record_count_check' },
    );
    await expectPgError(
      db.pool.query(`INSERT INTO sync_activity_log (org_id, duration_seconds) VALUES ($1, -0.5)`, [orgId]),
      { code: '23514', constraint: 'sync_activity_log_duration_check' },
    );
    await expectPgError(
      db.pool.query(
        `INSERT INTO sync_activity_log (org_id, record_count, created_at) VALUES ($1, -1, now() + interval '10 years')`,
        [orgId],
      ),
      { code: '23514', constraint: 'sync_activity_log_record_count_check' },
    );
    const { rows } = await db.pool.query(
      `INSERT INTO sync_activity_log (org_id, record_count, duration_seconds)
       VALUES ($1, 0, 0), ($1, 5, NULL), ($1, NULL, 12.5) RETURNING id`,
      [orgId],
    );
    expect(rows).toHaveLength(3);
  });

  test('(id, created_at) is the primary key', async () => {
    const id = randomUUID();
    await db.pool.query(
      `INSERT INTO sync_activity_log (id, org_id, created_at) VALUES ($1, $2, date_trunc('second', now()))`,
      [id, orgId],
    );
    await expectPgError(
      db.pool.query(
        `INSERT INTO sync_activity_log (id, org_id, created_at) VALUES ($1, $2, date_trunc('second', now()))`,
        [id, orgId],
      ),
      { code: '23505' },
    );
  });
});

describe('ensure_sync_activity_log_partitions(months_ahead)', () => {
  test('is idempotent: the months the migration made are not made again', async () => {
    const { rows } = await db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(3)');
    expect(rows).toEqual([]);
    expect((await db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(0)')).rows).toEqual([]);
  });

  test('creates the current month + n ahead, and nothing on a second call', async () => {
    const before = await partitions();
    const { rows } = await db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(6)');
    const wanted = await expectedNames(0, 6);
    expect(rows).toEqual(
      wanted.filter((n) => !before.has(n)).map((partition_name) => ({ partition_name, moved_rows: '0' })),
    );
    const after = await partitions();
    for (const name of wanted) expect(after.has(name), name).toBe(true);
    expect(after.size).toBe(before.size + rows.length);
    expect((await db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(6)')).rows).toEqual([]);
  });

  test('new partitions carry the parent indexes and checks', async () => {
    const [name] = await expectedNames(6, 6);
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n
         FROM pg_index x
         JOIN pg_inherits i ON i.inhrelid = x.indexrelid
        WHERE x.indrelid = $1::regclass
          AND i.inhparent IN (SELECT indexrelid FROM pg_index WHERE indrelid = 'sync_activity_log'::regclass)`,
      [name],
    );
    expect(rows[0]!.n).toBe(7); // primary key + 6 indexes of the design
    const checks = await db.pool.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'c' ORDER BY conname`,
      [name],
    );
    expect(checks.rows.map((r) => r.conname)).toEqual([
      'sync_activity_log_duration_check',
      'sync_activity_log_record_count_check',
    ]);
  });

  test('rejects a negative or NULL months_ahead', async () => {
    await expectPgError(db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(-1)'), {
      code: '22023',
    });
    await expectPgError(db.pool.query('SELECT * FROM ensure_sync_activity_log_partitions(NULL)'), {
      code: '22023',
    });
  });

  test('moves rows that sat in DEFAULT into the partition created for their month', async () => {
    // Two years ahead (24 months): no partition yet, so the rows land in DEFAULT.
    const inDefault = [
      await insertLog(`now() + interval '2 years'`),
      await insertLog(`now() + interval '2 years'`),
      await insertLog(`now() + interval '2 years 1 month'`),
      await insertLog(`now() + interval '10 years'`),
    ];
    expect(new Set(inDefault)).toEqual(new Set(['sync_activity_log_default']));

    const { rows } = await db.pool.query<{ partition_name: string; moved_rows: string }>(
      'SELECT * FROM ensure_sync_activity_log_partitions(25)',
    );
    const [twoYears, twoYearsOneMonth] = [await expectedNames(24, 24), await expectedNames(25, 25)];
    const moved = Object.fromEntries(rows.map((r) => [r.partition_name, Number(r.moved_rows)]));
    expect(moved[twoYears[0]!]).toBe(2);
    expect(moved[twoYearsOneMonth[0]!]).toBe(1);
    expect(Object.values(moved).reduce((a, b) => a + b, 0)).toBe(3);

    const where = await db.pool.query<{ part: string; n: number }>(
      `SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM sync_activity_log
        WHERE created_at > now() + interval '1 year' GROUP BY 1 ORDER BY 1`,
    );
    expect(where.rows).toEqual(
      [
        { part: twoYears[0]!, n: 2 },
        { part: twoYearsOneMonth[0]!, n: 1 },
        { part: 'sync_activity_log_default', n: 1 },
      ].sort((a, b) => a.part.localeCompare(b.part)),
    );
    // A new row of that month now goes straight to its partition.
    expect(await insertLog(`now() + interval '2 years'`)).toBe(twoYears[0]);
  });

  test('two concurrent callers both succeed and each month is created once', async () => {
    const clients = [
      new pg.Client({ connectionString: db.url }),
      new pg.Client({ connectionString: db.url }),
    ];
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const results = await Promise.all(
        clients.map((c) =>
          c.query<{ partition_name: string }>('SELECT * FROM ensure_sync_activity_log_partitions(30)'),
        ),
      );
      const created = results.flatMap((r) => r.rows.map((x) => x.partition_name));
      expect(new Set(created).size).toBe(created.length);
      expect(created.sort()).toEqual(await expectedNames(26, 30));
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });
});

describe('drop_old_sync_activity_log_partitions(keep_months)', () => {
  async function attachOldPartition(monthsBack: number): Promise<string> {
    const [name] = await expectedNames(-monthsBack, -monthsBack);
    await db.pool.query(
      `CREATE TABLE "${name}" (LIKE sync_activity_log INCLUDING DEFAULTS INCLUDING CONSTRAINTS)`,
    );
    const { rows } = await db.pool.query(
      `SELECT format('ALTER TABLE sync_activity_log ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                     $1::text, ${monthStart('$2::int')}, ${monthStart('$2::int + 1')}) AS sql`,
      [name, -monthsBack],
    );
    await db.pool.query(rows[0].sql as string);
    return name!;
  }

  test('drops only partitions older than keep_months; the current month and newer stay', async () => {
    const twoYearsBack = await attachOldPartition(24);
    const thirteenBack = await attachOldPartition(13);
    const twelveBack = await attachOldPartition(12);
    expect(await insertLog(`now() - interval '2 years'`)).toBe(twoYearsBack);
    const before = await partitions();

    const { rows } = await db.pool.query('SELECT * FROM drop_old_sync_activity_log_partitions(12)');
    expect(rows.map((r) => r.partition_name).sort()).toEqual([thirteenBack, twoYearsBack].sort());

    const after = await partitions();
    expect(after.has(twoYearsBack)).toBe(false);
    expect(after.has(thirteenBack)).toBe(false);
    expect(after.has(twelveBack)).toBe(true);
    for (const name of await expectedNames(0, 30)) expect(after.has(name), name).toBe(true);
    expect(after.has('sync_activity_log_default')).toBe(true);
    expect(after.size).toBe(before.size - 2);
    const gone = await db.pool.query(
      `SELECT count(*)::int AS n FROM sync_activity_log WHERE created_at < now() - interval '20 months'`,
    );
    expect(gone.rows[0].n).toBe(0);

    expect((await db.pool.query('SELECT * FROM drop_old_sync_activity_log_partitions(12)')).rows).toEqual([]);
    expect((await db.pool.query('SELECT * FROM drop_old_sync_activity_log_partitions()')).rows).toEqual([]);
  });

  test('rejects a negative keep_months', async () => {
    await expectPgError(db.pool.query('SELECT * FROM drop_old_sync_activity_log_partitions(-1)'), {
      code: '22023',
    });
  });
});
