import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { withUserTransaction } from '../../src/api/rls.js';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createPrisma, type PrismaClient, type PrismaTx } from '../../src/db/prisma.js';
import { createRuntime } from '../../src/runtime.js';
import { AUTHENTICATOR, authenticatorUrlFor } from '../helpers/env.js';
import { apiEnv, createApiHarness, type ApiHarness, type Org } from './harness.js';

/**
 * The API's login (issue 8, least privilege): the authenticator can do
 * nothing but become sync_worker_api. Leaving the role inside a request's
 * transaction (RESET ROLE) leaves it with no access to any table, and it can
 * become no other role. The API checks its login at start-up.
 */

const ROLE = 'sync_worker_api';

let h: ApiHarness;
let org: Org;
/** Every table and view of schemas public and auth (partitions and Prisma's bookkeeping included). */
let tables: string[];
let owner: string;

beforeAll(async () => {
  h = await createApiHarness('api_authenticator');
  org = await h.newOrg();
  const connection = await h.addConnection(org);
  await h.db.pool.query(
    `INSERT INTO sync_progress (org_id, sync_id, status, connection_id, entity_type)
     VALUES ($1, 'sync-authn', 'pending', $2, 'customer')`,
    [org.orgId, connection.id],
  );
  await h.db.pool.query(
    `INSERT INTO sync_activity_log (org_id, sync_id, action, status) VALUES ($1, 'sync-authn', 'sync_start', 'pending')`,
    [org.orgId],
  );
  const { rows } = await h.db.pool.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'auth') AND c.relkind IN ('r', 'p', 'v', 'm')
      ORDER BY 1`,
  );
  tables = rows.map((r) => r.name);
  expect(tables).toEqual(
    expect.arrayContaining(['auth.users_extended', 'public._prisma_migrations', 'public.sync_progress']),
  );
  owner = (
    await h.db.pool.query<{ owner: string }>(
      `SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid = 'sync_progress'::regclass`,
    )
  ).rows[0]!.owner;
});
afterAll(async () => h?.close());

describe('the API connects as the authenticator', () => {
  test('its pool is logged in as sync_worker_authenticator, which is NOINHERIT and holds nothing', async () => {
    const res = await h.as(org.userId, { method: 'GET', url: '/api/v1/syncs' });
    expect(res.statusCode).toBe(200);
    expect(res.json().syncs.map((s: { syncId: string }) => s.syncId)).toEqual(['sync-authn']);
    const { rows } = await h.db.pool.query(
      `SELECT DISTINCT usename::text AS login FROM pg_stat_activity
        WHERE datname = current_database() AND application_name = 'sync-worker api'`,
    );
    expect(rows).toEqual([{ login: AUTHENTICATOR }]);

    const role = await h.db.pool.query(
      `SELECT rolcanlogin, rolinherit, rolsuper, rolbypassrls, rolcreaterole,
              ARRAY(SELECT m.rolname::text FROM pg_roles m
                     WHERE m.oid <> r.oid AND pg_has_role(r.oid, m.oid, 'MEMBER')) AS can_become
         FROM pg_roles r WHERE rolname = $1`,
      [AUTHENTICATOR],
    );
    expect(role.rows).toEqual([
      {
        rolcanlogin: true,
        rolinherit: false,
        rolsuper: false,
        rolbypassrls: false,
        rolcreaterole: false,
        can_become: [ROLE],
      },
    ]);
  });
});

describe("leaving the role inside a request's transaction", () => {
  let prisma: PrismaClient;
  beforeAll(() => {
    // The API's own path: withUserTransaction on the authenticator's login.
    prisma = createPrisma(authenticatorUrlFor(h.db.url), { poolSize: 1 });
  });
  afterAll(async () => prisma?.$disconnect());

  /** Runs `sql` under a savepoint: the error message, or undefined when it succeeded. */
  async function attempt(tx: PrismaTx, sql: string): Promise<string | undefined> {
    await tx.$executeRawUnsafe('SAVEPOINT attempt');
    try {
      await tx.$queryRawUnsafe(sql);
      await tx.$executeRawUnsafe('RELEASE SAVEPOINT attempt');
      return undefined;
    } catch (err) {
      await tx.$executeRawUnsafe('ROLLBACK TO SAVEPOINT attempt');
      return (err as Error).message;
    }
  }

  /** Tables read or written without a permission error (should be none). */
  async function reachable(tx: PrismaTx): Promise<string[]> {
    const reached: string[] = [];
    for (const table of tables) {
      for (const sql of [`SELECT count(*) FROM ${table}`, `DELETE FROM ${table} WHERE false`]) {
        const error = await attempt(tx, sql);
        if (error === undefined) reached.push(`${sql}`);
        else expect(error, sql).toMatch(/permission denied/);
      }
    }
    return reached;
  }

  test('as the request runs, the user reads their org (the baseline)', async () => {
    const seen = await withUserTransaction(
      prisma,
      ROLE,
      org.userId,
      async (tx) => tx.$queryRaw<{ n: number }[]>`SELECT count(*)::int AS n FROM sync_progress`,
    );
    expect(seen).toEqual([{ n: 1 }]);
  });

  test('RESET ROLE leaves the authenticator itself: no access to any table', async () => {
    const result = await withUserTransaction(prisma, ROLE, org.userId, async (tx) => {
      expect(await attempt(tx, 'RESET ROLE')).toBeUndefined();
      const [who] = await tx.$queryRaw<{ who: string }[]>`SELECT current_user::text AS who`;
      return { who: who!.who, reached: await reachable(tx) };
    });
    expect(result).toEqual({ who: AUTHENTICATOR, reached: [] });
  });

  test('SET ROLE postgres, SET ROLE <the tables owner>, SET SESSION AUTHORIZATION are refused', async () => {
    const result = await withUserTransaction(prisma, ROLE, org.userId, async (tx) => {
      const refused: Record<string, string | undefined> = {};
      for (const sql of [
        'SET ROLE postgres',
        `SET ROLE "${owner}"`,
        'SET LOCAL ROLE postgres',
        'SET SESSION AUTHORIZATION postgres',
        'SET ROLE pg_read_all_data',
        "SELECT set_config('role', 'postgres', true)",
      ]) {
        refused[sql] = await attempt(tx, sql);
      }
      const [who] = await tx.$queryRaw<{ who: string }[]>`SELECT current_user::text AS who`;
      return { refused, who: who!.who };
    });
    for (const [sql, error] of Object.entries(result.refused)) {
      expect(error, sql).toMatch(/permission denied to set (role|session authorization)/);
    }
    expect(result.who).toBe(ROLE);
  });

  test('RESET ROLE, then SET ROLE to the owner: refused, and still no access to any table', async () => {
    const result = await withUserTransaction(prisma, ROLE, org.userId, async (tx) => {
      await attempt(tx, 'RESET ROLE');
      const setOwner = await attempt(tx, `SET ROLE "${owner}"`);
      return { setOwner, reached: await reachable(tx) };
    });
    expect(result.setOwner).toMatch(/permission denied to set role/);
    expect(result.reached).toEqual([]);
  });
});

describe('the start-up check of the API login', () => {
  /** Builds and readies a server on `env`; resolves with its log lines. */
  async function start(env: Record<string, string | undefined>): Promise<Record<string, unknown>[]> {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const config = loadConfig({ ...apiEnv(h.db, h.redis), LOG_LEVEL: 'info', ...env });
    const runtime = createRuntime(config, { logger: pino({ level: 'info' }, sink), poolSize: 1 });
    const app = await buildServer(runtime, { poolSize: 1 });
    try {
      await app.ready();
      return lines;
    } finally {
      await app.close();
      await runtime.close();
    }
  }

  test('the authenticator passes', async () => {
    const lines = await start({});
    expect(lines.some((l) => String(l.msg).includes(`"${AUTHENTICATOR}" can only become ${ROLE}`))).toBe(
      true,
    );
  });

  test("API_DATABASE_URL naming the tables' owner (a superuser here) is refused, naming what it can do", async () => {
    await expect(start({ API_DATABASE_URL: h.db.url })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(
        /API_DATABASE_URL: login "postgres" is a superuser; .*can use \d+ table\(s\) without SET ROLE/,
      ),
    });
  });

  test('a login that inherits the API role, or holds a grant of its own, is refused', async () => {
    const login = `${h.db.name}_login`;
    await h.db.pool.query(`CREATE ROLE "${login}" LOGIN INHERIT IN ROLE ${ROLE}`);
    try {
      const url = new URL(h.db.url);
      url.username = login;
      await expect(start({ API_DATABASE_URL: url.toString() })).rejects.toMatchObject({
        message: expect.stringMatching(
          new RegExp(
            `login "${login}" can use \\d+ table\\(s\\) without SET ROLE \\(.*public\\.sync_progress`,
          ),
        ),
      });
      await h.db.pool.query(`ALTER ROLE "${login}" NOINHERIT`);
      await expect(start({ API_DATABASE_URL: url.toString() })).resolves.toBeDefined();
      await h.db.pool.query(`GRANT SELECT ON _prisma_migrations TO "${login}"`);
      await expect(start({ API_DATABASE_URL: url.toString() })).rejects.toMatchObject({
        message: expect.stringMatching(
          /can use 1 table\(s\) without SET ROLE \(public\._prisma_migrations\)/,
        ),
      });
    } finally {
      await h.db.pool.query(`DROP OWNED BY "${login}"`);
      await h.db.pool.query(`DROP ROLE "${login}"`);
    }
  });

  test('API_DATABASE_URL unset: the API starts on DATABASE_URL and warns that its login can leave the role', async () => {
    const lines = await start({ API_DATABASE_URL: undefined });
    const warning = lines.find((l) => l.level === 40 && String(l.msg).includes('API_DATABASE_URL is unset'));
    expect(warning?.msg).toMatch(/could leave sync_worker_api \(RESET ROLE\)\. Set API_DATABASE_URL/);
    expect(warning?.login).toBe('postgres');
  });

  test('an unknown user of the authenticator reads nothing: 403 USER_NOT_PROVISIONED', async () => {
    const res = await h.as(randomUUID(), { method: 'GET', url: '/api/v1/syncs' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('USER_NOT_PROVISIONED');
    expect(res.body).not.toMatch(/"syncs"/);
  });
});
