import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CLI_REDIS_OPTIONS } from '../../src/cli/with-runtime.js';
import { loadConfig } from '../../src/config.js';
import type { SyncWorkerError } from '../../src/errors.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { createRuntime } from '../../src/runtime.js';
import { apiEnv } from '../api/harness.js';
import { assertCliBuilt, runCli, type CliResult } from '../helpers/cli.js';
import { freePort } from '../helpers/free-port.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

/**
 * Every command against a Postgres or a Redis that is not there (a closed
 * port) or does not answer (a port that accepts and stays silent): each
 * exits within 15 s (runCli's deadline) with exit 1 and a message naming the
 * variable to fix, and no `pending` sync is left behind.
 */

let h: SyncHarness;
let env: Record<string, string>;
let closedPort: number;
let silent: { server: Server; port: number; sockets: Set<Socket> };
let connectionId: string;
const org = randomUUID();

/** A TCP server that accepts connections and never says a word. */
async function silentServer(): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as { port: number }).port, sockets };
}

beforeAll(async () => {
  assertCliBuilt();
  h = await createSyncHarness('cli_unreachable');
  env = {
    ...apiEnv(h.db, h.redis),
    LOG_LEVEL: 'info',
    SYNC_ENCRYPTION_KEY: h.env.SYNC_ENCRYPTION_KEY!,
    PORT: String(await freePort()),
    HOST: '127.0.0.1',
  };
  connectionId = (
    await h.addConnection({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { key: 'ck_x', secret: 'cs_x' },
      orgId: org,
    })
  ).id;
  closedPort = await freePort();
  silent = await silentServer();
});

afterAll(async () => {
  for (const socket of silent?.sockets ?? []) socket.destroy();
  await new Promise((resolve) => silent?.server.close(resolve));
  await h?.close();
});

/** Every command, with the flags it needs to get as far as talking to the services; `redis`: it uses Redis. */
function commands(): { args: string[]; redis: boolean }[] {
  const c = ['--connection', connectionId, '--entity', 'customer'];
  return [
    { args: ['migrate'], redis: false },
    { args: ['migrate', 'down'], redis: false },
    {
      args: [
        'connection',
        'add',
        '--org',
        org,
        '--type',
        'woocommerce',
        '--name',
        `n-${randomUUID()}`,
        '--url',
        'https://shop.example.invalid',
        '--key',
        'ck_1',
        '--secret',
        'cs_1',
      ],
      redis: false,
    },
    { args: ['connection', 'list', '--org', org], redis: false },
    { args: ['user', 'add', '--org', org], redis: false },
    { args: ['token', '--user', randomUUID()], redis: false },
    { args: ['worker'], redis: true },
    { args: ['api'], redis: true },
    { args: ['start'], redis: true },
    { args: ['sync', ...c], redis: true },
    { args: ['sync', ...c, '--wait'], redis: true },
    { args: ['preview', ...c], redis: true },
    { args: ['status'], redis: false },
    { args: ['status', '--sync', 'sync-x'], redis: false },
    { args: ['cancel', '--sync', 'sync-x'], redis: true },
    { args: ['schedule', ...c], redis: true },
    { args: ['schedule', 'list'], redis: true },
    { args: ['unschedule', ...c], redis: true },
  ];
}

/** A whole matrix: each command has its own 15 s deadline; there are up to 18 of them. */
const MATRIX_TIMEOUT_MS = 240_000;

/** Runs the commands two at a time (two cores), each with runCli's 15 s deadline. */
async function runAll(
  list: { args: string[]; redis: boolean }[],
  runEnv: Record<string, string>,
): Promise<{ args: string[]; redis: boolean; result: CliResult }[]> {
  const results: { args: string[]; redis: boolean; result: CliResult }[] = [];
  const queue = [...list];
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const result = await runCli([...next.args, '--json'], runEnv, { compiled: true, timeoutMs: 15_000 });
        results.push({ ...next, result });
      }
    }),
  );
  return results;
}

async function pendingSyncs(): Promise<number> {
  const { rows } = await h.db.pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM sync_progress WHERE status = 'pending'`,
  );
  return rows[0]!.n;
}

function expectNamed(result: CliResult, code: string, variable: string, what: string): void {
  expect(result.code, `${what}: ${result.stdout}${result.stderr}`).toBe(1);
  const error = JSON.parse(result.stdout).error as {
    code: string;
    message: string;
    details: { variable: string };
  };
  expect(error.code, what).toBe(code);
  expect(error.message, what).toContain(variable);
  expect(error.details.variable, what).toBe(variable);
  expect(result.stdout + result.stderr, what).not.toMatch(/Invalid `|invocation|workers started/);
}

describe('with Postgres unreachable', () => {
  test(
    'every command exits 1 naming DATABASE_URL (closed port)',
    async () => {
      const url = `postgresql://postgres@127.0.0.1:${closedPort}/sync_worker`;
      for (const { args, result } of await runAll(commands(), { ...env, DATABASE_URL: url })) {
        expectNamed(result, 'DATABASE_UNREACHABLE', 'DATABASE_URL', args.join(' '));
      }
    },
    MATRIX_TIMEOUT_MS,
  );

  test(
    'a server that never answers: the check gives up within its bound',
    async () => {
      const url = `postgresql://postgres@127.0.0.1:${silent.port}/sync_worker`;
      const some = commands().filter(
        (c) => ['sync', 'status', 'worker', 'migrate'].includes(c.args[0]!) && c.args.length <= 5,
      );
      for (const { args, result } of await runAll(some, { ...env, DATABASE_URL: url })) {
        expectNamed(result, 'DATABASE_UNREACHABLE', 'DATABASE_URL', args.join(' '));
      }
    },
    MATRIX_TIMEOUT_MS,
  );
});

describe('with Redis unreachable', () => {
  test(
    'every command that uses Redis exits 1 naming REDIS_URL; the others work; no pending sync is left',
    async () => {
      const redisUrl = `redis://127.0.0.1:${closedPort}`;
      // (`migrate down` would roll this file's database back: it does not use Redis anyway.)
      const list = commands().filter((c) => c.args.join(' ') !== 'migrate down');
      for (const { args, redis, result } of await runAll(list, { ...env, REDIS_URL: redisUrl })) {
        const what = args.join(' ');
        if (redis) expectNamed(result, 'REDIS_UNREACHABLE', 'REDIS_URL', what);
        else expect(result.stdout, what).not.toMatch(/REDIS/);
      }
      expect(await pendingSyncs()).toBe(0);
    },
    MATRIX_TIMEOUT_MS,
  );

  test(
    'a server that never answers: the check gives up within its bound, nothing pending',
    async () => {
      const redisUrl = `redis://127.0.0.1:${silent.port}`;
      const some = commands().filter((c) => ['sync', 'worker', 'cancel'].includes(c.args[0]!));
      for (const { args, result } of await runAll(some, { ...env, REDIS_URL: redisUrl })) {
        expectNamed(result, 'REDIS_UNREACHABLE', 'REDIS_URL', args.join(' '));
      }
      expect(await pendingSyncs()).toBe(0);
    },
    MATRIX_TIMEOUT_MS,
  );
});

describe('the producer when Redis fails between the sync row and its job', () => {
  test.each([
    ['a CLI connection (gives up after its retries)', CLI_REDIS_OPTIONS],
    ['a server connection (reconnects forever: bounded by ENQUEUE_TIMEOUT_MS)', undefined],
  ])('%s: the sync it registered ends failed, never pending', async (_name, redisOptions) => {
    const config = loadConfig({
      ...h.env,
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      LOG_LEVEL: 'silent',
    });
    const runtime = createRuntime(config, { poolSize: 1, ...(redisOptions ? { redisOptions } : {}) });
    try {
      const err = await enqueueSync(runtime, { connectionId, entityType: 'order' }).then(
        () => null,
        (e: unknown) => e as SyncWorkerError,
      );
      expect(err?.code).toBe('REDIS_UNREACHABLE');
      expect(err?.message).toMatch(/check REDIS_URL.*was not queued \(marked failed\)/);
      const syncId = err!.details!.syncId as string;
      const row = await h.progress(syncId);
      expect(row.status).toBe('failed');
      expect((row.metadata as { error: { code: string } }).error.code).toBe('REDIS_UNREACHABLE');
      expect((await h.activity(syncId)).filter((a) => a.action === 'sync_complete')).toHaveLength(1);
      expect(await pendingSyncs()).toBe(0);
    } finally {
      await runtime.close();
    }
  });
});
