import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createConnection } from '../../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startWorkers, type WorkerSet } from '../../src/workers/start-workers.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { expirePreviewRow } from '../helpers/preview-cache.js';
import { waitFor } from '../helpers/wait-for.js';
import { ENCRYPTION_KEY, createApiHarness, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let fake: FakeWooServer;
let workerRuntime: Runtime;
let workers: WorkerSet;
let a: Org;
let b: Org;
let connectionId: string;

beforeAll(async () => {
  h = await createApiHarness('api_previews');
  fake = await startFakeWooCommerce({ customers: 40, seed: 3 });
  [a, b] = [await h.newOrg(), await h.newOrg()];
  const conn = await createConnection(h.runtime.prisma, parseEncryptionKey(ENCRYPTION_KEY), {
    orgId: a.orgId,
    type: 'woocommerce',
    name: 'fake store',
    ...fake.connection(),
  });
  connectionId = conn.id;
  workerRuntime = createRuntime(h.runtime.config, { poolSize: 4 });
  workers = await startWorkers(workerRuntime, {
    encryptionKey: parseEncryptionKey(ENCRYPTION_KEY),
    maintenance: false,
  });
});

afterAll(async () => {
  await workers?.close();
  await workerRuntime?.close();
  await h?.close();
  await fake?.close();
});

const request = (org: Org, payload: Record<string, unknown>) =>
  h.as(org.userId, { method: 'POST', url: '/api/v1/previews', payload });
const get = (org: Org, cacheKey: string) =>
  h.as(org.userId, { method: 'GET', url: `/api/v1/previews/${cacheKey}` });

async function waitForStatus(org: Org, cacheKey: string, status: number) {
  return waitFor(
    async () => {
      const res = await get(org, cacheKey);
      return res.statusCode === status ? res : null;
    },
    { timeoutMs: 30_000, what: `GET /previews/${cacheKey} → ${status}` },
  );
}

describe('POST + GET /api/v1/previews', () => {
  let cacheKey: string;

  test('202 pending, then GET returns the delta; a second POST is served from the cache', async () => {
    const first = await request(a, { connectionId, entityType: 'customer' });
    expect(first.statusCode).toBe(202);
    cacheKey = first.json().cacheKey;
    expect(first.json()).toEqual({ cacheKey, status: 'pending' });
    expect(cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(first.headers.location).toBe(`/api/v1/previews/${cacheKey}`);

    const done = (await waitForStatus(a, cacheKey, 200)).json();
    expect(done).toMatchObject({
      cacheKey,
      status: 'completed',
      computedBy: a.userId,
      sourceSystem: 'woocommerce',
      jobId: `preview-${cacheKey}`,
      delta: {
        statistics: { new_count: 40, updated_count: 0, deleted_count: 0, total_affected: 40 },
        updated: [],
        deleted: [],
        connection_id: connectionId,
        entity_type: 'customer',
      },
    });
    expect(done.delta.new).toHaveLength(40);

    const second = await request(a, { connectionId, entityType: 'customer' });
    expect(second.statusCode).toBe(200);
    expect(second.json()).toEqual({ ...done, cached: true });
    const { rows } = await h.db.pool.query('SELECT count(*)::int AS n FROM sync_record');
    expect(rows[0].n).toBe(0);
  });

  test("another org's user gets 404 for the preview and for the connection", async () => {
    const res = await get(b, cacheKey);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('PREVIEW_NOT_FOUND');
    const post = await request(b, { connectionId, entityType: 'customer' });
    expect(post.statusCode).toBe(404);
    expect(post.json().error.code).toBe('CONNECTION_NOT_FOUND');
  });

  test('an expired preview is 404', async () => {
    await expirePreviewRow(h.db.pool, cacheKey);
    const res = await get(a, cacheKey);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('PREVIEW_NOT_FOUND');
  });

  test('an entity the source does not have → 422 ENTITY_NOT_SUPPORTED, no job', async () => {
    const res = await request(a, { connectionId, entityType: 'invoice' });
    expect(res.statusCode).toBe(422);
    expect(res.json().error).toMatchObject({
      code: 'ENTITY_NOT_SUPPORTED',
      message: expect.stringMatching(/WooCommerce connections have no invoice; they have customer/),
    });
  });

  test('a failed preview job: GET says failed with its error code (202); others still get 404', async () => {
    const wrong = await createConnection(h.runtime.prisma, parseEncryptionKey(ENCRYPTION_KEY), {
      orgId: a.orgId,
      type: 'woocommerce',
      name: 'wrong secret',
      ...fake.connection(),
      credentials: { key: fake.consumerKey, secret: 'cs_wrong' },
    });
    const res = await request(a, { connectionId: wrong.id, entityType: 'customer' });
    expect(res.statusCode).toBe(202);
    const key = res.json().cacheKey;
    const failed = await waitFor(
      async () => {
        const r = await get(a, key);
        return r.statusCode === 202 && r.json().status === 'failed' ? r : null;
      },
      { what: 'the preview job to fail' },
    );
    expect(failed.json()).toMatchObject({ cacheKey: key, error: { code: 'SOURCE_AUTH_FAILED' } });
    expect((await get(b, key)).statusCode).toBe(404);
  });

  test('bad bodies and keys → 400', async () => {
    const res = await request(a, { connectionId: 'nope', entityType: 'planet', extra: 1 });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues).toEqual(
      expect.arrayContaining([
        'body.connectionId: must be a uuid',
        expect.stringMatching(/^body\.entityType: must be one of customer/),
        'body.extra: is not a known field',
      ]),
    );
    const key = await get(a, 'not-a-key');
    expect(key.statusCode).toBe(400);
    expect(key.json().error.details.issues).toEqual(['params.cacheKey: must be 64 lowercase hex characters']);
  });

  test('the OpenAPI document lists both routes', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    expect(doc.paths['/api/v1/previews'].post).toBeDefined();
    expect(doc.paths['/api/v1/previews/{cacheKey}'].get).toBeDefined();
  });
});
