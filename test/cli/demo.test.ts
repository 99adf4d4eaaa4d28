import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { assertCliBuilt, parseJsonOutput, runCli } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { killAllWorkers, spawnCli, type CliProcess } from '../helpers/worker-process.js';

/**
 * `npx sync-worker demo` as a new user runs it: the installed entry point
 * (bin/ → dist/), one process that starts the demo store, the workers and the
 * API, syncs, prints, and exits. Then the printed curl lines are run, with
 * curl, against `sync-worker api`; and `start --demo` serves them at once.
 */

const sh = promisify(execFile);

let db: TestDatabase;
let redis: TestRedis;
let env: Record<string, string>;
let port: number;

beforeAll(async () => {
  assertCliBuilt();
  db = await createTestDatabase('demo');
  redis = createTestRedis('demo');
  port = await freePort();
  env = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SYNC_ENCRYPTION_KEY: 'd3'.repeat(32),
    SYNC_JWT_SECRET: 'demo-test-jwt-secret-0123456789abcdefghij',
    BULL_BOARD_USER: 'admin',
    BULL_BOARD_PASSWORD: 'demo-board-password',
    HOST: '127.0.0.1',
    PORT: String(port),
  };
});

afterAll(async () => {
  await killAllWorkers();
  await redis?.cleanup();
  await db?.drop();
});

interface DemoJson {
  status: string;
  orgId: string;
  userId: string;
  connectionId: string;
  syncs: {
    entity: string;
    syncId: string;
    status: string;
    processedCount: number;
    created: number;
    unchanged: number;
  }[];
  token: string;
  expiresAt: string;
  apiUrl: string;
  curl: string[];
  bullBoard: { url: string; user: string; password: string } | null;
}

/** Runs one printed curl line as a shell would; returns the status and the body. */
async function runCurl(line: string): Promise<{ status: number; body: unknown }> {
  const { stdout } = await sh('sh', ['-c', `${line} -w '\\n%{http_code}'`]);
  const lines = stdout.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: JSON.parse(lines.join('\n')) };
}

async function serving(process: CliProcess): Promise<void> {
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).status === 200, {
    timeoutMs: 30_000,
    what: `the API on port ${port} (stderr: ${process.logs().slice(-2000)})`,
  });
}

describe('sync-worker demo', () => {
  let first: DemoJson;

  test('npx sync-worker demo --json completes a sync, exits 0 and prints a token, curl lines and the Bull Board login', async () => {
    const result = await runCli(['demo', '--json'], env, { compiled: true, timeoutMs: 180_000 });
    expect(result.code, result.stderr).toBe(0);
    first = parseJsonOutput(result) as unknown as DemoJson;
    expect(first.status).toBe('completed');
    expect(first.syncs.map((s) => [s.entity, s.status, s.processedCount, s.created])).toEqual([
      ['customer', 'completed', 2400, 2400],
      ['product', 'completed', 1200, 1200],
    ]);
    expect(first.apiUrl).toBe(`http://127.0.0.1:${port}`);
    expect(first.curl).toHaveLength(2);
    for (const line of first.curl) {
      expect(line).toMatch(
        new RegExp(
          `^curl -s -H "Authorization: Bearer ${first.token}" http://127\\.0\\.0\\.1:${port}/api/v1/`,
        ),
      );
    }
    expect(first.bullBoard).toEqual({
      url: `http://127.0.0.1:${port}/admin/queues`,
      user: 'admin',
      password: 'demo-board-password',
    });
    expect(Date.parse(first.expiresAt)).toBeGreaterThan(Date.now());
    const { rows } = await db.pool.query(
      `SELECT entity_type::text AS entity, count(*)::int AS n FROM sync_record
        WHERE connection_id = $1 AND deleted_at IS NULL GROUP BY 1 ORDER BY 1`,
      [first.connectionId],
    );
    expect(rows).toEqual([
      { entity: 'customer', n: 2400 },
      { entity: 'product', n: 1200 },
    ]);
    // The demo store answers every 25th request 429 (Retry-After: 1): the jobs' logs say it was waited out.
    const queue = new Queue('sync-woocommerce', { connection: { url: redis.url }, prefix: redis.prefix });
    try {
      const logs = await Promise.all(first.syncs.map((s) => queue.getJobLogs(s.syncId)));
      const lines = logs.flatMap((l) => l.logs);
      expect(lines.some((l) => l.includes('rate limited: the store asked to wait 1s'))).toBe(true);
      expect(lines.filter((l) => /Z completed: /.test(l))).toHaveLength(2);
    } finally {
      await queue.close();
    }
    const { rows: users } = await db.pool.query(
      'SELECT org_id::text FROM auth.users_extended WHERE id = $1',
      [first.userId],
    );
    expect(users).toEqual([{ org_id: first.orgId }]);
  });

  test('its curl lines get 200 from `sync-worker api`, with the demo connection and sync in the answers', async () => {
    const api = spawnCli(['api'], { ...env, LOG_LEVEL: 'warn' }, { compiled: true });
    try {
      await serving(api);
      const [connections, sync] = await Promise.all(first.curl.map(runCurl));
      expect(connections!.status).toBe(200);
      expect(connections!.body).toMatchObject({
        connections: [expect.objectContaining({ id: first.connectionId, name: 'demo store' })],
      });
      expect(sync!.status).toBe(200);
      expect(sync!.body).toMatchObject({ syncId: first.syncs[0]!.syncId, status: 'completed' });
    } finally {
      api.kill('SIGTERM');
      await api.exited;
    }
  });

  test('a second run finds the same org, user and connection: every record unchanged', async () => {
    const result = await runCli(['demo', '--json'], env, { compiled: true, timeoutMs: 180_000 });
    expect(result.code, result.stderr).toBe(0);
    const second = parseJsonOutput(result) as unknown as DemoJson;
    expect([second.orgId, second.userId, second.connectionId]).toEqual([
      first.orgId,
      first.userId,
      first.connectionId,
    ]);
    expect(second.syncs.map((s) => [s.status, s.created, s.unchanged])).toEqual([
      ['completed', 0, 2400],
      ['completed', 0, 1200],
    ]);
  });

  test('under another SYNC_ENCRYPTION_KEY the unreadable demo connection is replaced (with its mirror)', async () => {
    const result = await runCli(
      ['demo', '--json'],
      { ...env, SYNC_ENCRYPTION_KEY: 'e4'.repeat(32) },
      {
        compiled: true,
        timeoutMs: 180_000,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const third = parseJsonOutput(result) as unknown as DemoJson;
    expect(third.connectionId).not.toBe(first.connectionId);
    expect(third.syncs.map((s) => [s.status, s.created])).toEqual([
      ['completed', 2400],
      ['completed', 1200],
    ]);
    const { rows } = await db.pool.query(
      'SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1',
      [first.connectionId],
    );
    expect(rows[0].n).toBe(0);
    env.SYNC_ENCRYPTION_KEY = 'e4'.repeat(32); // the demo connection is now stored under this key
  });

  test('start --demo serves the demo at once: its report on stdout, its requests answered, SIGTERM stops it', async () => {
    const start = spawnCli(['start', '--demo', '--no-maintenance'], { ...env, LOG_LEVEL: 'warn' });
    try {
      const report = await waitFor(
        () => (/The demo sync completed\.[\s\S]*demo store \(/.exec(start.output()) ? start.output() : null),
        {
          timeoutMs: 120_000,
          what: `start --demo to print its report (stderr: ${start.logs().slice(-2000)})`,
        },
      );
      const token = /TOKEN=(\S+)/.exec(report)![1]!;
      const lines = [...report.matchAll(/^ +(curl .*)$/gm)].map((m) => m[1]!.replace('$TOKEN', token));
      expect(lines).toHaveLength(2);
      for (const line of lines) expect((await runCurl(line)).status).toBe(200);
      const board = await fetch(`http://127.0.0.1:${port}/admin/queues`, {
        headers: { authorization: `Basic ${Buffer.from('admin:demo-board-password').toString('base64')}` },
      });
      expect(board.status).toBe(200);
    } finally {
      start.kill('SIGTERM');
    }
    expect(await start.exited).toEqual({ code: 0, signal: null });
  });
});
