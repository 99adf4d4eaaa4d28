import { randomUUID } from 'node:crypto';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { SignJWT } from 'jose';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createConnection, type ConnectionSummary } from '../../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { createPrisma } from '../../src/db/prisma.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { authenticatorUrlFor } from '../helpers/env.js';
import { LOOPBACK_ALLOW } from '../helpers/egress.js';
import { createTestRedis, type TestRedis } from '../helpers/redis.js';

export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef0123456789';
export const ENCRYPTION_KEY = 'a1'.repeat(32);
export const BOARD_USER = 'board';
export const BOARD_PASSWORD = 'board-password';

export interface Org {
  orgId: string;
  userId: string;
}

/**
 * The API over a fresh database and Redis prefix, exercised with `inject`
 * (no socket). The API connects as the authenticator (API_DATABASE_URL),
 * which reads nothing outside sync_worker_api; the runtime's client (the
 * tests' setup) is a superuser.
 */
export interface ApiHarness {
  db: TestDatabase;
  redis: TestRedis;
  /** The tests' runtime, on DATABASE_URL (a superuser); the server has its own. */
  runtime: Runtime;
  app: FastifyInstance;
  /** A user with an org in auth.users_extended. */
  newOrg(): Promise<Org>;
  token(userId: string, options?: { expiresIn?: string | number; secret?: string }): Promise<string>;
  /** inject() as `userId` (Bearer token) with a JSON body. */
  as(userId: string, options: InjectOptions): Promise<LightMyRequestResponse>;
  addConnection(org: Org, name?: string): Promise<ConnectionSummary>;
  close(): Promise<void>;
}

/** The environment of an API process on this test file's database and Redis prefix. */
export function apiEnv(db: { url: string }, redis: { url: string; prefix: string }): Record<string, string> {
  return {
    DATABASE_URL: db.url,
    // The API's login: it can do nothing but become sync_worker_api.
    API_DATABASE_URL: authenticatorUrlFor(db.url),
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SYNC_JWT_SECRET: JWT_SECRET,
    SYNC_ENCRYPTION_KEY: ENCRYPTION_KEY,
    SYNC_EGRESS_ALLOW: LOOPBACK_ALLOW,
    BULL_BOARD_USER: BOARD_USER,
    BULL_BOARD_PASSWORD: BOARD_PASSWORD,
    // The per-user limit runs on every request but never trips (rate-limit.test.ts sets a tiny one).
    API_RATE_LIMIT: '100000',
  };
}

export async function createApiHarness(label: string, env: Record<string, string> = {}): Promise<ApiHarness> {
  const db = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const config = loadConfig({ ...apiEnv(db, redis), LOG_LEVEL: 'silent', ...env });
  // The tests' setup and assertions (a superuser).
  const runtime = createRuntime(config, { poolSize: 4 });
  // The server's runtime holds the authenticator's login only: an API path that
  // reached for runtime.prisma instead of the request's RLS transaction fails here.
  const serverRuntime = createRuntime(config, {
    prisma: createPrisma(config.API_DATABASE_URL ?? config.DATABASE_URL, { poolSize: 2 }),
  });
  const app = await buildServer(serverRuntime, { poolSize: 4 });
  await app.ready();
  const key = parseEncryptionKey(ENCRYPTION_KEY);

  const token: ApiHarness['token'] = (userId, options = {}) =>
    new SignJWT({ role: 'authenticated' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(userId)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '5m')
      .sign(new TextEncoder().encode(options.secret ?? JWT_SECRET));

  return {
    db,
    redis,
    runtime,
    app,
    async newOrg() {
      const org = { orgId: randomUUID(), userId: randomUUID() };
      await db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [
        org.userId,
        org.orgId,
      ]);
      return org;
    },
    token,
    async as(userId, options) {
      return app.inject({
        ...options,
        headers: { ...options.headers, authorization: `Bearer ${await token(userId)}` },
      });
    },
    addConnection(org, name = `shop-${randomUUID().slice(0, 8)}`) {
      return createConnection(runtime.prisma, key, {
        orgId: org.orgId,
        type: 'woocommerce',
        name,
        baseUrl: 'https://shop.example.com',
        credentials: { key: 'ck_test', secret: 'cs_test' },
      });
    },
    async close() {
      await app.close();
      await serverRuntime.close();
      await runtime.close();
      await redis.cleanup();
      await db.drop();
    },
  };
}
