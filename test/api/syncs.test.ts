import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { ConnectionSummary } from '../../src/connections/connection-repository.js';
import { QueueNames } from '../../src/queues/queue-names.js';
import { createApiHarness, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let a: Org;
let b: Org;
let connA: ConnectionSummary;
let connB: ConnectionSummary;
beforeAll(async () => {
  h = await createApiHarness('api_syncs');
  [a, b] = [await h.newOrg(), await h.newOrg()];
  connA = await h.addConnection(a);
  connB = await h.addConnection(b);
});
afterAll(async () => h?.close());

const trigger = (org: Org, payload: Record<string, unknown>) =>
  h.as(org.userId, { method: 'POST', url: '/api/v1/syncs', payload });

describe('POST /api/v1/syncs', () => {
  test('202 with the sync id; its job waits in the source queue; a second POST returns the same sync', async () => {
    const first = await trigger(a, { connectionId: connA.id, entityType: 'customer' });
    expect(first.statusCode).toBe(202);
    const body = first.json();
    expect(body).toMatchObject({ status: 'pending', created: true });
    expect(body.syncId).toMatch(/^sync-woocommerce-/);
    expect(first.headers.location).toBe(`/api/v1/syncs/${body.syncId}`);

    const job = await h.runtime.queue(QueueNames.woocommerce).getJob(body.syncId);
    expect(job?.data).toMatchObject({
      connectionId: connA.id,
      orgId: a.orgId,
      initiatedBy: a.userId,
      trigger: 'manual',
    });
    expect(JSON.stringify(job?.data)).not.toMatch(/ck_test|cs_test/);

    const second = await trigger(a, { connectionId: connA.id, entityType: 'customer', mode: 'incremental' });
    expect(second.statusCode).toBe(202);
    expect(second.json()).toEqual({ syncId: body.syncId, status: 'pending', created: false });
  });

  test("another org's connection → 404, and nothing is registered", async () => {
    const res = await trigger(a, { connectionId: connB.id, entityType: 'product' });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('CONNECTION_NOT_FOUND');
    const { rowCount } = await h.db.pool.query('SELECT 1 FROM sync_progress WHERE connection_id = $1', [
      connB.id,
    ]);
    expect(rowCount).toBe(0);
  });

  test('malformed bodies → 400 with issues', async () => {
    const res = await trigger(a, { connectionId: 'nope', entityType: 'planet', mode: 'turbo', extra: 1 });
    expect(res.statusCode).toBe(400);
    const { error } = res.json();
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details.issues).toEqual(
      expect.arrayContaining([
        'body.connectionId: must be a uuid',
        expect.stringMatching(/^body\.entityType: must be one of customer, product/),
        'body.mode: must be full or incremental',
        'body.extra: is not a known field',
      ]),
    );
    const missing = await trigger(a, {});
    expect(missing.json().error.details.issues).toEqual([
      'body.connectionId: is required (a connection uuid)',
      expect.stringMatching(/^body\.entityType: is required one of/),
    ]);
    const none = await h.as(a.userId, { method: 'POST', url: '/api/v1/syncs' });
    expect(none.statusCode).toBe(400);
    expect(none.json().error.details.issues).toEqual([expect.stringMatching(/^body: must be a JSON object/)]);
  });
});

describe('GET /api/v1/syncs/:syncId', () => {
  test('shows progress with the ETA the database computed', async () => {
    const { syncId } = (await trigger(a, { connectionId: connA.id, entityType: 'order' })).json();
    await h.db.pool.query(
      `UPDATE sync_progress
          SET status = 'in_progress', total_items = 100, processed_count = 40, failed_count = 0,
              started_at = now() - interval '60 seconds'
        WHERE sync_id = $1`,
      [syncId],
    );
    const res = await h.as(a.userId, { method: 'GET', url: `/api/v1/syncs/${syncId}` });
    expect(res.statusCode).toBe(200);
    const view = res.json();
    expect(view).toMatchObject({
      syncId,
      status: 'in_progress',
      connectionId: connA.id,
      entityType: 'order',
      totalItems: 100,
      processedCount: 40,
      completedAt: null,
    });
    expect(view.elapsedSeconds).toBeGreaterThanOrEqual(60);
    expect(view.speedItemsPerMin).toBeGreaterThan(30);
    expect(view.speedItemsPerMin).toBeLessThanOrEqual(40);
    expect(view.etaSeconds).toBeGreaterThanOrEqual(85);
    expect(view.etaSeconds).toBeLessThanOrEqual(95);
  });

  test("another org's sync and an unknown id → 404", async () => {
    const { syncId } = (await trigger(b, { connectionId: connB.id, entityType: 'customer' })).json();
    const own = await h.as(b.userId, { method: 'GET', url: `/api/v1/syncs/${syncId}` });
    expect(own.statusCode).toBe(200);
    const other = await h.as(a.userId, { method: 'GET', url: `/api/v1/syncs/${syncId}` });
    expect(other.statusCode).toBe(404);
    expect(other.json().error.code).toBe('SYNC_NOT_FOUND');
    const unknown = await h.as(a.userId, { method: 'GET', url: '/api/v1/syncs/sync-nothing' });
    expect(unknown.statusCode).toBe(404);
  });
});

describe('GET /api/v1/syncs', () => {
  test("pages through the org's syncs newest first; active=true keeps the live ones; B's are never listed", async () => {
    // Finished syncs of A sharing one started_at: the keyset must still visit each exactly once.
    await h.db.pool.query(
      `INSERT INTO sync_progress (org_id, sync_id, entity_type, status, started_at, connection_id)
       SELECT $1, 'sync-old-' || g, 'product', 'failed', '2026-01-01T00:00:00.123456Z', $2
         FROM generate_series(1, 7) g`,
      [a.orgId, connA.id],
    );
    const { rows } = await h.db.pool.query('SELECT sync_id FROM sync_progress WHERE org_id = $1', [a.orgId]);
    const expected = rows.map((r) => r.sync_id).sort();

    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await h.as(a.userId, {
        method: 'GET',
        url: '/api/v1/syncs',
        query: { limit: '3', ...(cursor ? { cursor } : {}) },
      });
      expect(res.statusCode).toBe(200);
      const page: { syncs: { syncId: string }[]; nextCursor: string | null } = res.json();
      expect(page.syncs.length).toBeLessThanOrEqual(3);
      seen.push(...page.syncs.map((s) => s.syncId));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect([...seen].sort()).toEqual(expected);
    expect(new Set(seen).size).toBe(seen.length);

    const active = await h.as(a.userId, { method: 'GET', url: '/api/v1/syncs?active=true' });
    const live = active.json().syncs as { syncId: string; status: string }[];
    expect(live.length).toBeGreaterThan(0);
    expect(live.every((s) => ['pending', 'in_progress', 'paused'].includes(s.status))).toBe(true);
    expect(active.json().nextCursor).toBeNull();

    const forB = await h.as(b.userId, { method: 'GET', url: '/api/v1/syncs' });
    expect(forB.json().syncs.every((s: { connectionId: string }) => s.connectionId === connB.id)).toBe(true);
  });

  test('bad query values → 400', async () => {
    for (const url of [
      '/api/v1/syncs?limit=0',
      '/api/v1/syncs?limit=201',
      '/api/v1/syncs?active=maybe',
      '/api/v1/syncs?cursor=xyz',
    ]) {
      const res = await h.as(a.userId, { method: 'GET', url });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error.details.issues[0], url).toMatch(/^query\.(limit|active|cursor): /);
    }
  });
});

describe('POST /api/v1/syncs/:syncId/cancel', () => {
  test('cancels a live sync once (then 409), and removes its waiting job', async () => {
    const { syncId } = (await trigger(a, { connectionId: connA.id, entityType: 'category' })).json();
    const res = await h.as(a.userId, { method: 'POST', url: `/api/v1/syncs/${syncId}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ syncId, status: 'cancelled' });
    expect(await h.runtime.queue(QueueNames.woocommerce).getJob(syncId)).toBeUndefined();
    const again = await h.as(a.userId, {
      method: 'POST',
      url: `/api/v1/syncs/${syncId}/cancel`,
      headers: { 'content-type': 'application/json' },
      payload: '',
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('SYNC_NOT_RUNNING');
  });

  test("another org's sync → 404 and it stays live", async () => {
    const { syncId } = (await trigger(b, { connectionId: connB.id, entityType: 'attribute' })).json();
    const res = await h.as(a.userId, { method: 'POST', url: `/api/v1/syncs/${syncId}/cancel` });
    expect(res.statusCode).toBe(404);
    const { rows } = await h.db.pool.query('SELECT status FROM sync_progress WHERE sync_id = $1', [syncId]);
    expect(rows[0].status).toBe('pending');
  });
});
