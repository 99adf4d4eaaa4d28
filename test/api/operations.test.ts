import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { createRuntime } from '../../src/runtime.js';
import { BOARD_PASSWORD, BOARD_USER, createApiHarness, type ApiHarness } from './harness.js';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness('api_ops');
});
afterAll(async () => h?.close());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('health and metrics', () => {
  test('/healthz answers without dependencies', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  test('/readyz checks Postgres and Redis', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', checks: { postgres: 'ok', redis: 'ok' } });
  });

  test('/readyz is 503 when Redis does not answer', async () => {
    const config = loadConfig({
      DATABASE_URL: h.db.url,
      REDIS_URL: 'redis://127.0.0.1:1',
      SYNC_JWT_SECRET: 'x'.repeat(32),
      LOG_LEVEL: 'silent',
    });
    const runtime = createRuntime(config, { poolSize: 1 });
    const app = await buildServer(runtime);
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', checks: { postgres: 'ok', redis: 'unavailable' } });
      // Bull Board is not mounted without its credentials.
      expect((await app.inject({ method: 'GET', url: '/admin/queues' })).statusCode).toBe(404);
    } finally {
      await app.close();
      await runtime.close();
    }
  });

  test('/metrics: queue job counts, syncs by status, HTTP durations, process metrics', async () => {
    await h.runtime.queue('sync-odoo').add('sync', { n: 1 }, { jobId: 'metrics-probe' });
    await h.db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, status) VALUES (gen_random_uuid(), 'sync-metrics', 'failed')`,
    );
    await h.app.inject({ method: 'GET', url: '/healthz' });
    const res = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toMatch(/^sync_worker_queue_jobs\{queue="sync-odoo",state="waiting"\} 1$/m);
    expect(res.body).toMatch(/^sync_worker_queue_jobs\{queue="sync-maintenance",state="failed"\} 0$/m);
    expect(res.body).toMatch(/^sync_worker_syncs\{status="failed"\} 1$/m);
    expect(res.body).toMatch(/^sync_worker_syncs\{status="in_progress"\} 0$/m);
    expect(res.body).toMatch(
      /^sync_worker_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} \d+$/m,
    );
    expect(res.body).toMatch(/^process_cpu_user_seconds_total /m);
  });
});

describe('Bull Board', () => {
  test('401 without or with wrong basic auth, 200 with it; lists every queue', async () => {
    const none = await h.app.inject({ method: 'GET', url: '/admin/queues' });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    const wrong = await h.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: basic(BOARD_USER, 'wrong-password') },
    });
    expect(wrong.statusCode).toBe(401);
    const api = await h.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues',
      headers: { authorization: basic(BOARD_USER, BOARD_PASSWORD) },
    });
    expect(api.statusCode).toBe(200);
    const names = (api.json().queues as { name: string }[]).map((q) => q.name).sort();
    expect(names).toEqual(Object.values(QueueNames).sort());
    const ok = await h.app.inject({
      method: 'GET',
      url: '/admin/queues',
      headers: { authorization: basic(BOARD_USER, BOARD_PASSWORD) },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('OpenAPI', () => {
  test('/api/v1/openapi.json lists every route, with bearer auth on /api/v1', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json();
    expect(doc.openapi).toBe('3.1.0');
    const routes = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(
      ([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes.sort()).toEqual(
      [
        'DELETE /api/v1/connections/{connectionId}',
        'GET /api/v1/activity',
        'GET /api/v1/connections',
        'GET /api/v1/previews/{cacheKey}',
        'GET /api/v1/syncs',
        'GET /api/v1/syncs/{syncId}',
        'GET /healthz',
        'GET /metrics',
        'GET /readyz',
        'PATCH /api/v1/connections/{connectionId}',
        'POST /api/v1/connections',
        'POST /api/v1/previews',
        'POST /api/v1/syncs',
        'POST /api/v1/syncs/{syncId}/cancel',
      ].sort(),
    );
    expect(doc.paths['/api/v1/syncs'].post.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/api/v1/syncs'].post.requestBody.content['application/json'].schema.required).toEqual([
      'connectionId',
      'entityType',
    ]);
    const connectionBody =
      doc.paths['/api/v1/connections'].post.requestBody.content['application/json'].schema;
    expect(connectionBody.oneOf).toHaveLength(3);
    for (const variant of connectionBody.oneOf) expect(variant.required).not.toContain('orgId');
    expect(res.body).not.toContain('#/$defs/');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  test('Swagger UI at /api/v1/docs', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/docs/' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/swagger/i);
  });

  test('unknown routes → JSON 404', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/nothing-here?x=1' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({
      error: { code: 'NOT_FOUND', message: 'no route GET /api/v1/nothing-here' },
    });
    const root = await h.app.inject({ method: 'GET', url: '/nothing-here' });
    expect(root.statusCode).toBe(404);
    expect(root.json().error.code).toBe('NOT_FOUND');
  });
});
