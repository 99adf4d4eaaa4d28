import { randomUUID } from 'node:crypto';
import { SignJWT, UnsecuredJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, JWT_SECRET, type ApiHarness, type Org } from './harness.js';

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
  expect(body.error.code).toBe('UNAUTHORIZED');
  expect(body.error.message).toMatch(message);
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
