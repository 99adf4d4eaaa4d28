import { afterAll, beforeAll, expect, test } from 'vitest';
import { createApiHarness, type ApiHarness } from './harness.js';

/**
 * The per-user request limit: counted in Redis per token subject, 429
 * RATE_LIMITED in the one error shape with Retry-After once it is used up.
 */
let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness('ratelimit', { API_RATE_LIMIT: '3', API_RATE_LIMIT_WINDOW: '1h' });
});

afterAll(async () => {
  await h?.close();
});

test('a user over API_RATE_LIMIT gets 429 RATE_LIMITED with Retry-After; another user is not affected', async () => {
  const alice = await h.newOrg();
  const bob = await h.newOrg();
  for (let i = 0; i < 3; i++) {
    const res = await h.as(alice.userId, { method: 'GET', url: '/api/v1/connections' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-ratelimit-limit']).toBe('3');
    expect(res.headers['x-ratelimit-remaining']).toBe(String(2 - i));
  }
  const over = await h.as(alice.userId, { method: 'GET', url: '/api/v1/connections' });
  expect(over.statusCode).toBe(429);
  const retryAfter = Number(over.headers['retry-after']);
  expect(retryAfter).toBeGreaterThan(3500);
  expect(retryAfter).toBeLessThanOrEqual(3600);
  expect(over.headers['content-type']).toMatch(/^application\/json/);
  expect(over.json()).toEqual({
    error: {
      code: 'RATE_LIMITED',
      message: expect.stringMatching(
        /^too many requests: at most 3 per 3600 s for each user; retry in \d+ s$/,
      ),
      details: { limit: 3, windowSeconds: 3600, retryAfterSeconds: retryAfter },
    },
  });
  // Writes are refused too, before anything is written.
  const post = await h.as(alice.userId, {
    method: 'POST',
    url: '/api/v1/connections',
    payload: { name: 'x' },
  });
  expect(post.statusCode).toBe(429);
  expect(post.json().error.code).toBe('RATE_LIMITED');

  // The count is per user.
  expect((await h.as(bob.userId, { method: 'GET', url: '/api/v1/connections' })).statusCode).toBe(200);

  // The counter lives in Redis under the queue prefix (shared by every API process).
  const keys = await h.runtime.redis.keys(`${h.redis.prefix}:api-rate:*`);
  expect(keys.sort()).toEqual(
    [`${h.redis.prefix}:api-rate:${alice.userId}`, `${h.redis.prefix}:api-rate:${bob.userId}`].sort(),
  );
});

test('requests without a valid token are refused 401 before they count', async () => {
  const res = await h.app.inject({ method: 'GET', url: '/api/v1/connections' });
  expect(res.statusCode).toBe(401);
  expect(res.headers['x-ratelimit-limit']).toBeUndefined();
});

test('health routes are not limited', async () => {
  for (let i = 0; i < 5; i++) {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
  }
});

test('the OpenAPI document lists 429 on the authenticated routes', async () => {
  const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
  expect(doc.paths['/api/v1/connections'].get.responses['429'].description).toMatch(/RATE_LIMITED/);
  expect(doc.paths['/api/v1/syncs'].post.responses['429']).toBeDefined();
});
