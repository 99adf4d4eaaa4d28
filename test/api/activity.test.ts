import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createApiHarness, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let a: Org;
let b: Org;

/** 12 rows for A (4 sharing one created_at), 3 for B. */
beforeAll(async () => {
  h = await createApiHarness('api_activity');
  [a, b] = [await h.newOrg(), await h.newOrg()];
  const insert = (
    org: Org,
    syncId: string,
    action: string,
    status: string,
    at: string,
    entity = 'customer',
  ) =>
    h.db.pool.query(
      `INSERT INTO sync_activity_log (org_id, sync_id, entity_type, action, status, record_count, duration_seconds, user_id, created_at)
       VALUES ($1, $2, $3, $4, $5, 10, 1.5, $6, $7)`,
      [org.orgId, syncId, entity, action, status, org.userId, at],
    );
  for (let i = 0; i < 8; i++) {
    await insert(a, 'sync-a1', 'batch_process', 'in_progress', `2026-11-20T10:00:0${i}.000001Z`);
  }
  for (let i = 0; i < 4; i++) {
    await insert(a, 'sync-a2', 'sync_start', 'in_progress', '2026-11-21T09:00:00.500000Z', 'product');
  }
  for (let i = 0; i < 3; i++)
    await insert(b, 'sync-b1', 'batch_process', 'in_progress', `2026-11-20T10:00:0${i}Z`);
});
afterAll(async () => h?.close());

type Page = {
  items: { id: string; syncId: string; createdAt: string; action: string }[];
  nextCursor: string | null;
};

async function list(org: Org, query: Record<string, string>): Promise<Page> {
  const res = await h.as(org.userId, { method: 'GET', url: '/api/v1/activity', query });
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
}

describe('GET /api/v1/activity', () => {
  test("returns only the user's org, newest first, each row once across pages (ties included)", async () => {
    const ids: string[] = [];
    const times: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Page = await list(a, { limit: '5', ...(cursor ? { cursor } : {}) });
      ids.push(...page.items.map((i) => i.id));
      times.push(...page.items.map((i) => i.createdAt));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(12);
    expect(new Set(ids).size).toBe(12);
    expect([...times].sort().reverse()).toEqual(times);
    expect(times[0]).toBe('2026-11-21T09:00:00.500Z');

    const forB = await list(b, {});
    expect(forB.items).toHaveLength(3);
    expect(forB.items.every((i) => i.syncId === 'sync-b1')).toBe(true);
    expect(forB.nextCursor).toBeNull();
  });

  test('filters: syncId, entityType, action, status, from (inclusive) and to (exclusive)', async () => {
    expect((await list(a, { syncId: 'sync-a2' })).items).toHaveLength(4);
    expect((await list(a, { syncId: 'sync-b1' })).items).toHaveLength(0);
    expect((await list(a, { entityType: 'product' })).items).toHaveLength(4);
    expect((await list(a, { action: 'batch_process', status: 'in_progress' })).items).toHaveLength(8);
    expect((await list(a, { status: 'completed' })).items).toHaveLength(0);
    const window = await list(a, { from: '2026-11-20T10:00:02.000001Z', to: '2026-11-20T10:00:05.000001Z' });
    expect(window.items.map((i) => i.createdAt)).toEqual([
      '2026-11-20T10:00:04.000Z',
      '2026-11-20T10:00:03.000Z',
      '2026-11-20T10:00:02.000Z',
    ]);
  });

  test('the item shape', async () => {
    const [item] = (await list(a, { syncId: 'sync-a1', limit: '1' })).items;
    expect(item).toMatchObject({
      syncId: 'sync-a1',
      entityType: 'customer',
      action: 'batch_process',
      status: 'in_progress',
      recordCount: 10,
      durationSeconds: 1.5,
      errorMessage: null,
      userId: a.userId,
    });
  });

  test('bad filters → 400 with issues', async () => {
    const res = await h.as(a.userId, {
      method: 'GET',
      url: '/api/v1/activity',
      query: { action: 'explode', status: 'nope', from: 'yesterday', limit: '500' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.details.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^query\.action: must be one of preview_delta, sync_start/),
        expect.stringMatching(/^query\.status: must be one of pending/),
        expect.stringMatching(/^query\.from: must be an ISO-8601 date-time/),
        'query.limit: must be at most 200',
      ]),
    );
    const reversed = await h.as(a.userId, {
      method: 'GET',
      url: '/api/v1/activity?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z',
    });
    expect(reversed.json().error.details.issues).toEqual(['query.to: must be later than from']);
  });
});
