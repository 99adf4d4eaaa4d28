import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { createRuntime } from '../../src/runtime.js';
import { apiEnv, createApiHarness, JWT_SECRET, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let org: Org;
beforeAll(async () => {
  h = await createApiHarness('api_auth');
  org = await h.newOrg();
});
afterAll(async () => h?.close());

async function get(authorization?: string) {
  return h.app.inject({
    method: 'GET',
    url: '/api/v1/connections',
    headers: authorization ? { authorization } : {},
  });
}

function expectUnauthorized(res: Awaited<ReturnType<typeof get>>, message: RegExp) {
  expect(res.statusCode).toBe(401);
  const body = res.json();
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'message']);
  expect(body.error.code).toBe('UNAUTHORIZED');
  expect(body.error.message).toMatch(message);
}

const now = () => Math.floor(Date.now() / 1000);

/** A token with exactly these claims (HS256 with the test secret unless told). */
function sign(claims: Record<string, unknown>, secret = JWT_SECRET): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(secret));
}

describe('Bearer JWT on /api/v1', () => {
  test('a valid HS256 token with a uuid sub is accepted', async () => {
    const res = await get(`Bearer ${await h.token(org.userId)}`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ connections: [] });
  });

  test('no Authorization header → 401', async () => {
    expectUnauthorized(await get(), /missing bearer token/);
  });

  test('a non-Bearer scheme → 401', async () => {
    expectUnauthorized(await get('Basic dXNlcjpwYXNz'), /malformed/);
  });

  test('an expired token → 401 token expired', async () => {
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(org.userId)
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(new TextEncoder().encode(JWT_SECRET));
    expectUnauthorized(await get(`Bearer ${token}`), /expired/);
  });

  test('a token signed with another secret → 401, and the token is not echoed', async () => {
    const token = await h.token(org.userId, { secret: 'another-secret-another-secret-another-secret' });
    const res = await get(`Bearer ${token}`);
    expectUnauthorized(res, /invalid token/);
    expect(res.body).not.toContain(token);
    expect(res.body).not.toContain(token.split('.')[2]!);
  });

  test('an unsigned token (alg none) → 401', async () => {
    const token = new UnsecuredJWT({}).setSubject(org.userId).setExpirationTime('5m').encode();
    expectUnauthorized(await get(`Bearer ${token}`), /invalid token/);
  });

  test('garbage → 401', async () => {
    expectUnauthorized(await get('Bearer not-a-jwt'), /invalid token/);
  });

  test('a sub that is not a uuid → 401', async () => {
    const token = await h.token('alice');
    expectUnauthorized(await get(`Bearer ${token}`), /sub must be the user id/);
  });

  test('every /api/v1 route requires the token, before validating the body', async () => {
    for (const [method, url] of [
      ['GET', '/api/v1/syncs'],
      ['GET', `/api/v1/syncs/sync-x`],
      ['POST', '/api/v1/syncs'],
      ['POST', '/api/v1/syncs/sync-x/cancel'],
      ['POST', '/api/v1/connections'],
      ['GET', '/api/v1/activity'],
    ] as const) {
      const res = await h.app.inject({
        method,
        url,
        payload: method === 'POST' ? '{"bad":' : undefined,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.statusCode, `${method} ${url}`).toBe(401);
    }
  });

  test('a valid token of a user not in auth.users_extended → 403 USER_NOT_PROVISIONED on every route', async () => {
    const stranger = randomUUID();
    for (const [method, url] of [
      ['GET', '/api/v1/connections'],
      ['GET', '/api/v1/syncs'],
      ['GET', '/api/v1/activity'],
      ['POST', '/api/v1/syncs'],
    ] as const) {
      const res = await h.as(stranger, { method, url, payload: method === 'POST' ? {} : undefined });
      expect(res.statusCode, `${method} ${url}`).toBe(403);
      expect(res.json().error.code).toBe('USER_NOT_PROVISIONED');
      expect(res.json().error.message).toContain(stranger);
    }
    // Once provisioned, the same user is served.
    await h.db.pool.query('INSERT INTO auth.users_extended (id, org_id) VALUES ($1, $2)', [
      stranger,
      randomUUID(),
    ]);
    const res = await h.as(stranger, { method: 'GET', url: '/api/v1/connections' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ connections: [] });
  });
});

describe('token policy', () => {
  test('a token without exp → 401 (tokens must expire)', async () => {
    const token = await sign({ sub: org.userId, iat: now() });
    expectUnauthorized(await get(`Bearer ${token}`), /exp is required/);
  });

  test('a token living longer than SYNC_JWT_MAX_TTL (24 h by default) → 401, with or without iat', async () => {
    const long = await sign({ sub: org.userId, iat: now(), exp: now() + 25 * 3600 });
    expectUnauthorized(await get(`Bearer ${long}`), /lives longer than the 86400 s allowed/);
    const noIat = await sign({ sub: org.userId, exp: now() + 25 * 3600 });
    expectUnauthorized(await get(`Bearer ${noIat}`), /lives longer/);
    // Issued long ago, so only an hour is left, but its lifetime is still 25 h.
    const backdated = await sign({ sub: org.userId, iat: now() - 24 * 3600, exp: now() + 3600 });
    expectUnauthorized(await get(`Bearer ${backdated}`), /lives longer/);
    const day = await sign({ sub: org.userId, iat: now(), exp: now() + 23 * 3600 });
    expect((await get(`Bearer ${day}`)).statusCode).toBe(200);
  });

  test('nbf is honoured with a small clock skew; iat may not be in the future', async () => {
    const later = await sign({ sub: org.userId, nbf: now() + 600, exp: now() + 900 });
    expectUnauthorized(await get(`Bearer ${later}`), /not valid yet/);
    const skewed = await sign({ sub: org.userId, nbf: now() + 10, exp: now() + 900 });
    expect((await get(`Bearer ${skewed}`)).statusCode).toBe(200);
    const future = await sign({ sub: org.userId, iat: now() + 600, exp: now() + 900 });
    expectUnauthorized(await get(`Bearer ${future}`), /issued in the future/);
  });

  test('SYNC_JWT_ISSUER and SYNC_JWT_AUDIENCE, when set, are required', async () => {
    const config = loadConfig({
      ...apiEnv(h.db, h.redis),
      LOG_LEVEL: 'silent',
      SYNC_JWT_ISSUER: 'https://id.example.test/',
      SYNC_JWT_AUDIENCE: 'sync-worker, other-api',
      SYNC_JWT_MAX_TTL: '1h',
    });
    const runtime = createRuntime(config, { poolSize: 1 });
    const app = await buildServer(runtime, { checkDbRole: false });
    const call = async (claims: Record<string, unknown>) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/connections',
        headers: { authorization: `Bearer ${await sign({ sub: org.userId, exp: now() + 600, ...claims })}` },
      });
    try {
      const good = { iss: 'https://id.example.test/', aud: 'sync-worker' };
      expect((await call(good)).statusCode).toBe(200);
      expect((await call({ ...good, aud: ['x', 'other-api'] })).statusCode).toBe(200);
      expectUnauthorized(await call({ aud: 'sync-worker' }), /issuer/);
      expectUnauthorized(await call({ ...good, iss: 'https://evil.example.test/' }), /issuer/);
      expectUnauthorized(await call({ iss: good.iss }), /audience/);
      expectUnauthorized(await call({ ...good, aud: 'another' }), /audience/);
      // SYNC_JWT_MAX_TTL=1h applies to this server.
      expectUnauthorized(await call({ ...good, exp: now() + 2 * 3600 }), /lives longer than the 3600 s/);
    } finally {
      await app.close();
      await runtime.close();
    }
  });
});
