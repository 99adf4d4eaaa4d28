import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { apiEnv, JWT_SECRET } from '../api/harness.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

let db: TestDatabase;
let redis: TestRedis;
let env: Record<string, string>;
let runtime: Runtime;
const org = randomUUID();

beforeAll(async () => {
  db = await createTestDatabase('cli_users');
  redis = createTestRedis('cli_users');
  env = apiEnv(db, redis);
  runtime = createRuntime(loadConfig({ ...env, LOG_LEVEL: 'silent' }), { poolSize: 2 });
});
afterAll(async () => {
  await runtime?.close();
  await redis?.cleanup();
  await db?.drop();
});

async function orgOf(userId: string): Promise<string | undefined> {
  const { rows } = await db.pool.query('SELECT org_id::text FROM auth.users_extended WHERE id = $1', [
    userId,
  ]);
  return rows[0]?.org_id;
}

describe('sync-worker user add', () => {
  test('adds a new user (a fresh uuid, or the one given), idempotently; refuses a user of another org', async () => {
    const fresh = parseJsonOutput(await runCli(['user', 'add', '--org', org, '--json'], env));
    expect(Object.keys(fresh)).toEqual(['userId']);
    expect(await orgOf(fresh.userId as string)).toBe(org);

    const userId = randomUUID();
    const given = await runCli(['user', 'add', '--org', org, '--user', userId, '--json'], env);
    expect(given.code, given.stdout + given.stderr).toBe(0);
    expect(parseJsonOutput(given)).toEqual({ userId });
    const again = await runCli(['user', 'add', '--org', org, '--user', userId], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`already there: user ${userId} in org ${org}`);

    const other = await runCli(['user', 'add', '--org', randomUUID(), '--user', userId, '--json'], env);
    expect(other.code).toBe(1);
    expect(parseJsonOutput(other).error).toMatchObject({ code: 'USER_IN_OTHER_ORG' });
    expect(await orgOf(userId)).toBe(org);

    const bad = await runCli(['user', 'add', '--org', 'acme', '--json'], env);
    expect(bad.code).toBe(2);
    expect((parseJsonOutput(bad).error as { message: string }).message).toMatch(
      /--org: must be the organisation id/,
    );
  });

  test('refuses to write a users table the project does not own (Supabase, Neon…), saying how to add users there', async () => {
    await db.pool.query(`COMMENT ON TABLE auth.users_extended IS 'the platform''s own'`);
    try {
      const run = await runCli(['user', 'add', '--org', org, '--json'], env);
      expect(run.code).toBe(1);
      const error = parseJsonOutput(run).error as { code: string; message: string };
      expect(error.code).toBe('USERS_MANAGED_EXTERNALLY');
      expect(error.message).toMatch(/Supabase or Neon.*platform's own user management/);
    } finally {
      await db.pool.query(`COMMENT ON TABLE auth.users_extended IS 'created by sync-worker auth_compat'`);
    }
  });
});

describe('sync-worker token', () => {
  test('signs an HS256 token with sub and exp that the API accepts', async () => {
    const userId = parseJsonOutput(await runCli(['user', 'add', '--org', org, '--json'], env))
      .userId as string;
    const before = Math.floor(Date.now() / 1000);
    const run = await runCli(['token', '--user', userId, '--ttl', '30m', '--json'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const out = parseJsonOutput(run) as { token: string; expiresAt: string };
    expect(Object.keys(out)).toEqual(['token', 'expiresAt']);
    expect(decodeProtectedHeader(out.token).alg).toBe('HS256');
    const { payload } = await jwtVerify(out.token, new TextEncoder().encode(JWT_SECRET));
    expect(payload.sub).toBe(userId);
    expect(payload.exp! - payload.iat!).toBe(1800);
    expect(payload.iat!).toBeGreaterThanOrEqual(before);
    expect(out.expiresAt).toBe(new Date(payload.exp! * 1000).toISOString());

    const app = await buildServer(runtime);
    try {
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/connections',
        headers: { authorization: `Bearer ${out.token}` },
      });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ connections: [] });
    } finally {
      await app.close();
    }

    // Without --json, stdout is the token alone (for TOKEN=$(sync-worker token …)); the rest on stderr.
    const human = await runCli(['token', '--user', userId], env);
    expect(human.stdout.trim()).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(human.stderr).toMatch(/valid until \d{4}-\d\d-\d\dT/);
    const { payload: defaults } = await jwtVerify(human.stdout.trim(), new TextEncoder().encode(JWT_SECRET));
    expect(defaults.exp! - defaults.iat!).toBe(3600);
  });

  test('refuses a user that is not provisioned, a lifetime over the maximum, and a missing secret', async () => {
    const stranger = randomUUID();
    const unknown = await runCli(['token', '--user', stranger, '--json'], env);
    expect(unknown.code).toBe(1);
    const error = parseJsonOutput(unknown).error as { code: string; message: string };
    expect(error.code).toBe('USER_NOT_PROVISIONED');
    expect(error.message).toContain(`sync-worker user add --org <uuid> --user ${stranger}`);

    const tooLong = await runCli(['token', '--user', stranger, '--ttl', '30d', '--json'], env);
    expect(tooLong.code).toBe(2);
    expect((parseJsonOutput(tooLong).error as { message: string }).message).toMatch(
      /--ttl: at most 24h \(the maximum token lifetime\), got 30d/,
    );
    const malformed = await runCli(['token', '--user', stranger, '--ttl', 'soon', '--json'], env);
    expect(malformed.code).toBe(2);
    expect((parseJsonOutput(malformed).error as { message: string }).message).toMatch(
      /--ttl: must be a duration/,
    );

    const { SYNC_JWT_SECRET: _, ...noSecret } = env;
    const missing = await runCli(['token', '--user', stranger, '--json'], noSecret);
    expect(missing.code).toBe(2);
    expect((parseJsonOutput(missing).error as { message: string }).message).toMatch(
      /SYNC_JWT_SECRET: is required to sign API tokens/,
    );
  });
});
