import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { freePort } from '../helpers/free-port.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';
import { waitFor } from '../helpers/wait-for.js';
import { apiEnv, JWT_SECRET } from './harness.js';

const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

let db: TestDatabase;
let redis: TestRedis;
beforeAll(async () => {
  db = await createTestDatabase('api_cli');
  redis = createTestRedis('api_cli');
});
afterAll(async () => {
  await redis?.cleanup();
  await db?.drop();
});

/** Starts `sync-worker <command> --json`, waits until it serves /readyz, sends SIGTERM, returns how it ended. */
async function serveThenStop(command: 'api' | 'start') {
  const port = await freePort();
  const userId = randomUUID();
  await db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [userId, randomUUID()]);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(JWT_SECRET));
  const child = spawn(process.execPath, ['--import', 'tsx', entry, command, '--json'], {
    cwd: root,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: 'info',
      ...apiEnv(db, redis),
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  try {
    const ready = await waitFor(
      async () => {
        const res = await fetch(`http://127.0.0.1:${port}/readyz`);
        return res.status === 200 ? res : undefined;
      },
      { timeoutMs: 30_000, what: `sync-worker ${command} to answer /readyz (stderr: ${stderr})` },
    );
    const board = await fetch(`http://127.0.0.1:${port}/admin/queues`);
    const unauthenticated = await fetch(`http://127.0.0.1:${port}/api/v1/syncs`);
    const authenticated = await fetch(`http://127.0.0.1:${port}/api/v1/syncs`, {
      headers: { authorization: `Bearer ${token}` },
    });
    child.kill('SIGTERM');
    const code = await exited;
    expect(stderr, 'the JWT must never be logged').not.toContain(token.split('.')[2]!);
    return {
      code,
      stdout,
      stderr,
      ready: ready.status,
      board: board.status,
      api: unauthenticated.status,
      authed: authenticated.status,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

describe('sync-worker api / start', () => {
  test('api serves on HOST:PORT and stops cleanly on SIGTERM', async () => {
    const r = await serveThenStop('api');
    expect(r, r.stderr).toMatchObject({ code: 0, ready: 200, board: 401, api: 401, authed: 200 });
    expect(r.stderr).toMatch(/"msg":"request completed"/);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ stopped: true, signal: 'SIGTERM' });
  });

  test('start runs workers and the API, and stops both on SIGTERM', async () => {
    const r = await serveThenStop('start');
    expect(r, r.stderr).toMatchObject({ code: 0, ready: 200, board: 401, api: 401, authed: 200 });
    expect(r.stderr).toMatch(/"msg":"request completed"/);
    expect(JSON.parse(r.stdout.trim())).toMatchObject({ stopped: true, signal: 'SIGTERM' });
  });
});
