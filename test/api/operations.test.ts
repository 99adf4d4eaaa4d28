import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { serveApi } from '../../src/api/serve.js';
import { buildServer } from '../../src/api/server.js';
import { loadConfig } from '../../src/config.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { createRuntime } from '../../src/runtime.js';
import { freePort } from '../helpers/free-port.js';
import { apiEnv, BOARD_PASSWORD, BOARD_USER, createApiHarness, type ApiHarness } from './harness.js';

const METRICS_USER = 'prometheus';
const METRICS_PASSWORD = 'scrape-password';

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness('api_ops', { METRICS_USER, METRICS_PASSWORD });
});
afterAll(async () => h?.close());

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** 401 in the error shape with a Basic challenge, without credentials and with a wrong password. */
async function expectBasicAuthRequired(url: string, user: string, realm: string): Promise<void> {
  for (const headers of [{}, { authorization: basic(user, 'wrong-password') }]) {
    const res = await h.app.inject({ method: 'GET', url, headers });
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('UNAUTHORIZED');
    expect(res.headers['www-authenticate']).toBe(`Basic realm="${realm}", charset="UTF-8"`);
  }
}

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
    const res = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: basic(METRICS_USER, METRICS_PASSWORD) },
    });
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

describe('/metrics access', () => {
  test('on the API port: basic auth (METRICS_USER / METRICS_PASSWORD), 401 otherwise', async () => {
    await expectBasicAuthRequired('/metrics', METRICS_USER, 'Metrics');
    // The Bull Board's credentials are not the metrics' ones.
    const board = await h.app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: basic(BOARD_USER, BOARD_PASSWORD) },
    });
    expect(board.statusCode).toBe(401);
  });

  test('by default /metrics is not served on the API port', async () => {
    const config = loadConfig({ ...apiEnv(h.db, h.redis), LOG_LEVEL: 'silent' });
    const runtime = createRuntime(config, { poolSize: 1 });
    const app = await buildServer(runtime, { checkDbRole: false });
    try {
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.code).toBe('NOT_FOUND');
    } finally {
      await app.close();
      await runtime.close();
    }
  });

  test('METRICS_PORT: /metrics alone on its own listener, without credentials; not on the API port', async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const config = loadConfig({
      ...apiEnv(h.db, h.redis),
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: String(port),
      METRICS_PORT: String(metricsPort),
    });
    const runtime = createRuntime(config, { poolSize: 1 });
    const api = await serveApi(runtime, { checkDbRole: false });
    try {
      expect(api.metricsUrl).toBe(`http://127.0.0.1:${metricsPort}`);
      await fetch(`${api.url}/healthz`);
      const metrics = await fetch(`${api.metricsUrl}/metrics`);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(
        /^sync_worker_http_request_duration_seconds_count\{method="GET",route="\/healthz",status_code="200"\} 1$/m,
      );
      const elsewhere = await fetch(`${api.metricsUrl}/api/v1/syncs`);
      expect(elsewhere.status).toBe(404);
      expect(((await elsewhere.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
      expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    } finally {
      await api.close();
      await runtime.close();
    }
  });
});

describe('Bull Board', () => {
  test('401 without or with wrong basic auth, 200 with it; lists every queue', async () => {
    await expectBasicAuthRequired('/admin/queues', BOARD_USER, 'Bull Board');
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
