import { randomBytes, randomUUID } from 'node:crypto';
import pg from 'pg';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { databaseErrorOf } from '../../src/db/database-errors.js';
import { createPrisma } from '../../src/db/prisma.js';
import { createRuntime } from '../../src/runtime.js';
import { JWT_SECRET } from '../api/harness.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { ADMIN_DATABASE_URL, databaseUrlFor, TEST_REDIS_URL } from '../helpers/env.js';
import { freePort } from '../helpers/free-port.js';

/**
 * Each class of database failure, through the CLI and through the API: a
 * typed code, a message that says what to do, never Prisma's text.
 */

let migrated: TestDatabase;
let empty: TestDatabase;
const suffix = randomBytes(4).toString('hex');
/** A login role with no privilege on anything. */
const noPrivilegeLogin = `sw_noperm_${suffix}`;
/** An API_DB_ROLE that was never granted anything. */
const noPrivilegeRole = `sw_norole_${suffix}`;

async function admin(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  return u.toString();
}

interface Case {
  code: string;
  /** DATABASE_URL for the CLI and the API. */
  url: () => Promise<string> | string;
  /** What the message must say. */
  hint: RegExp;
  /** API_DB_ROLE for the API, when not the default. */
  apiRole?: string;
}

const cases: Record<string, Case> = {
  unreachable: {
    code: 'DATABASE_UNREACHABLE',
    url: async () => `postgresql://postgres@127.0.0.1:${await freePort()}/sync_worker`,
    hint: /cannot reach Postgres.*check DATABASE_URL/,
  },
  'database missing': {
    code: 'DATABASE_MISSING',
    url: () => databaseUrlFor(`sw_missing_${suffix}`),
    hint: new RegExp(`database "sw_missing_${suffix}" does not exist.*createdb.*migrate --create-database`),
  },
  'not migrated': {
    code: 'DATABASE_NOT_MIGRATED',
    url: () => empty.url,
    hint: /not migrated.*run `sync-worker migrate`/,
  },
  'login refused': {
    code: 'DATABASE_AUTH_FAILED',
    url: () => withUser(migrated.url, `sw_nobody_${suffix}`),
    hint: /Postgres refused the login.*check the user and password in DATABASE_URL/,
  },
  'permission denied': {
    code: 'DATABASE_PERMISSION_DENIED',
    url: () => withUser(migrated.url, noPrivilegeLogin),
    hint: /lacks a privilege \(permission denied.*\): connect as the schema's owner/,
    apiRole: noPrivilegeRole,
  },
};

beforeAll(async () => {
  migrated = await createTestDatabase('db_errors');
  empty = await createEmptyDatabase('db_errors_empty');
  await admin(`CREATE ROLE ${noPrivilegeLogin} LOGIN`);
  await admin(`CREATE ROLE ${noPrivilegeRole} NOLOGIN`);
});

afterAll(async () => {
  await migrated?.drop();
  await empty?.drop();
  await admin(`DROP ROLE IF EXISTS ${noPrivilegeLogin}`);
  await admin(`DROP ROLE IF EXISTS ${noPrivilegeRole}`);
});

describe.each(Object.entries(cases))('database %s', (_name, c) => {
  test('the CLI prints the typed error with its hint (exit 1)', async () => {
    const url = await c.url();
    const run = await runCli(['status', '--json'], { DATABASE_URL: url });
    expect(run.code, run.stdout + run.stderr).toBe(1);
    const error = parseJsonOutput(run).error as { code: string; message: string };
    expect(error.code).toBe(c.code);
    expect(error.message).toMatch(c.hint);
    expect(run.stdout + run.stderr).not.toMatch(/Invalid `|invocation/);

    const human = await runCli(['status'], { DATABASE_URL: url });
    expect(human.stderr).toMatch(c.hint);
  });

  test('the API answers 503 with the typed error', async () => {
    // The connecting user is the owner unless the case is about privileges.
    const url = c.apiRole ? migrated.url : await c.url();
    const config = loadConfig({
      DATABASE_URL: url,
      REDIS_URL: TEST_REDIS_URL,
      SYNC_JWT_SECRET: JWT_SECRET,
      LOG_LEVEL: 'silent',
      ...(c.apiRole ? { API_DB_ROLE: c.apiRole } : {}),
    });
    const runtime = createRuntime(config, { poolSize: 1 });
    const app = await buildServer(runtime);
    try {
      const token = await new SignJWT({})
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(randomUUID())
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(new TextEncoder().encode(JWT_SECRET));
      const res = await app.inject({
        method: 'GET',
        url: '/api/v1/connections',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.statusCode, res.body).toBe(503);
      expect(res.json().error.code).toBe(c.code);
      expect(res.body).not.toMatch(/Invalid `|invocation/);
    } finally {
      await app.close();
      await runtime.close();
    }
  });
});

describe('databaseErrorOf', () => {
  test("maps Prisma's errors (driver adapter) as it maps pg's", async () => {
    for (const [name, c] of Object.entries(cases)) {
      if (c.apiRole) continue;
      const prisma = createPrisma(await c.url(), { poolSize: 1 });
      try {
        const err = await prisma.syncProgress.findMany().then(
          () => null,
          (e: unknown) => e,
        );
        expect(err, name).toBeTruthy();
        const typed = databaseErrorOf(err);
        expect(typed?.code, name).toBe(c.code);
        expect(typed?.message, name).toMatch(c.hint);
        expect(typed?.message, name).not.toMatch(/Invalid `|invocation/);
      } finally {
        await prisma.$disconnect();
      }
    }
  });

  test('a transaction that cannot get a pooled connection in time is DATABASE_UNREACHABLE (503), not a bug', async () => {
    const prisma = createPrisma(migrated.url, { poolSize: 1 });
    try {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const holder = prisma.$transaction(async () => held, { timeout: 10_000 });
      const err = await prisma
        .$transaction(async (tx) => tx.syncProgress.count(), { maxWait: 100 })
        .then(
          () => null,
          (e: unknown) => e,
        );
      release();
      await holder;
      expect(databaseErrorOf(err)).toMatchObject({ code: 'DATABASE_UNREACHABLE', retry: 'retryable' });
    } finally {
      await prisma.$disconnect();
    }
  });

  test('leaves what is not a database error alone', () => {
    expect(databaseErrorOf(new Error('boom'))).toBeNull();
    expect(databaseErrorOf('text')).toBeNull();
  });
});
