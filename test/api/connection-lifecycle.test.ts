import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConnection } from '../../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { listSyncSchedules, scheduleSync } from '../../src/queues/schedulers.js';
import { cancelSync } from '../../src/sync/cancel-sync.js';
import { countRecords, seedRecords } from '../helpers/seed-records.js';
import { createApiHarness, ENCRYPTION_KEY, type ApiHarness, type Org } from './harness.js';

let h: ApiHarness;
let a: Org;
let b: Org;
const key = parseEncryptionKey(ENCRYPTION_KEY);

beforeAll(async () => {
  h = await createApiHarness('api_conn_life');
  [a, b] = [await h.newOrg(), await h.newOrg()];
});
afterAll(async () => h?.close());

const patch = (org: Org, id: string, payload: unknown) =>
  h.as(org.userId, { method: 'PATCH', url: `/api/v1/connections/${id}`, payload: payload as object });
const remove = (org: Org, id: string, query = '') =>
  h.as(org.userId, { method: 'DELETE', url: `/api/v1/connections/${id}${query}` });

describe('PATCH /api/v1/connections/:connectionId', () => {
  test('renames and changes credentials and settings (merged); the answer has no credentials', async () => {
    const conn = await h.addConnection(a, 'patch-me');
    const res = await patch(a, conn.id, {
      name: 'patched',
      credentials: { secret: 'cs_rotated' },
      settings: { rateLimitPerSecond: 3 },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: conn.id,
      orgId: a.orgId,
      name: 'patched',
      settings: { rateLimitPerSecond: 3 },
    });
    expect(res.body).not.toMatch(/cs_rotated|ck_test|v\d:/);
    const stored = await loadConnection(h.runtime.prisma, key, conn.id);
    expect(stored.credentials).toEqual({ key: 'ck_test', secret: 'cs_rotated' });

    const unset = await patch(a, conn.id, { settings: { rateLimitPerSecond: null } });
    expect(unset.json().settings.rateLimitPerSecond).not.toBe(3);
  });

  test('a new URL the egress policy refuses → 422 EGRESS_DENIED, nothing changed', async () => {
    const conn = await h.addConnection(a, 'patch-egress');
    const before = await loadConnection(h.runtime.prisma, key, conn.id);
    // Loopback outside the allow list (127.0.0.1/32), and a metadata address: refused before any
    // connection is opened (literals are checked as written, never connected to).
    for (const baseUrl of ['http://127.0.0.2:8080', 'http://169.254.169.254/latest']) {
      const res = await patch(a, conn.id, { baseUrl });
      expect(res.statusCode, res.body).toBe(422);
      expect(res.json().error.code).toBe('EGRESS_DENIED');
    }
    expect((await loadConnection(h.runtime.prisma, key, conn.id)).baseUrl).toBe(before.baseUrl);
  });

  test('bad fields → 400 by field; unknown fields refused; a taken name refused', async () => {
    const conn = await h.addConnection(a, 'patch-bad');
    await h.addConnection(a, 'patch-taken');
    const bad = await patch(a, conn.id, { baseUrl: 'ftp://x', credentials: { secret: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details.issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^body\.baseUrl: must use http or https/),
        expect.stringMatching(/^body\.credentials\.secret: must be a consumer secret/),
      ]),
    );
    const unknown = await patch(a, conn.id, { type: 'shopify' });
    expect(unknown.statusCode).toBe(400);
    const taken = await patch(a, conn.id, { name: 'patch-taken' });
    expect(taken.statusCode).toBe(400);
    expect(taken.json().error.details.issues[0]).toMatch(
      /^body\.name: a connection named "patch-taken" already exists/,
    );
  });

  test("another org's connection, an unknown one and a removed one → 404", async () => {
    const conn = await h.addConnection(b, 'b-own');
    expect((await patch(a, conn.id, { name: 'stolen' })).statusCode).toBe(404);
    expect((await patch(a, randomUUID(), { name: 'x' })).statusCode).toBe(404);
    expect((await patch(a, 'not-a-uuid', { name: 'x' })).statusCode).toBe(400);
    expect((await loadConnection(h.runtime.prisma, key, conn.id)).name).toBe('b-own');
  });
});

describe('DELETE /api/v1/connections/:connectionId', () => {
  test('mirror must be said; 409 while a sync runs', async () => {
    const conn = await h.addConnection(a, 'delete-busy');
    const unsaid = await remove(a, conn.id);
    expect(unsaid.statusCode).toBe(400);
    expect(unsaid.json().error.details.issues[0]).toMatch(/^query\.mirror: is required: keep .* or delete/);

    const { syncId } = await enqueueSync(h.runtime, { connectionId: conn.id, entityType: 'customer' });
    const busy = await remove(a, conn.id, '?mirror=delete');
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toMatchObject({ code: 'CONNECTION_BUSY', details: { syncIds: [syncId] } });
    await cancelSync(h.runtime, { syncId });
    expect((await remove(a, conn.id, '?mirror=delete')).statusCode).toBe(200);
  });

  test('mirror=keep: the records stay, the connection is gone from lists and producers; its schedules go', async () => {
    const conn = await h.addConnection(a, 'delete-keep');
    await seedRecords(h.db.pool, a.orgId, conn.id, 4);
    await scheduleSync(h.runtime, { connectionId: conn.id, entityType: 'order' });
    const res = await remove(a, conn.id, '?mirror=keep');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ id: conn.id, mirror: 'kept', records: 4, schedulesRemoved: 1 });
    expect(await listSyncSchedules(h.runtime, conn.id)).toEqual([]);
    expect(await countRecords(h.db.pool, conn.id)).toBe(4);
    const list = await h.as(a.userId, { method: 'GET', url: '/api/v1/connections' });
    expect(list.json().connections.map((c: { id: string }) => c.id)).not.toContain(conn.id);
    const sync = await h.as(a.userId, {
      method: 'POST',
      url: '/api/v1/syncs',
      payload: { connectionId: conn.id, entityType: 'customer' },
    });
    expect(sync.statusCode).toBe(404);
    expect((await remove(a, conn.id, '?mirror=delete')).statusCode).toBe(404);
  });

  test("mirror=delete removes the records; another org's connection → 404 and it stays", async () => {
    const mine = await h.addConnection(a, 'delete-all');
    await seedRecords(h.db.pool, a.orgId, mine.id, 2);
    const theirs = await h.addConnection(b, 'b-keeps');
    expect((await remove(a, theirs.id, '?mirror=delete')).statusCode).toBe(404);
    expect((await loadConnection(h.runtime.prisma, key, theirs.id)).id).toBe(theirs.id);
    const res = await remove(a, mine.id, '?mirror=delete');
    expect(res.json()).toEqual({ id: mine.id, mirror: 'deleted', records: 2, schedulesRemoved: 0 });
    expect(await countRecords(h.db.pool, mine.id)).toBe(0);
  });

  test('both routes are in the OpenAPI document', async () => {
    const doc = (await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const path = doc.paths['/api/v1/connections/{connectionId}'];
    expect(Object.keys(path).sort()).toEqual(['delete', 'patch']);
    expect(path.delete.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['connectionId', 'mirror']),
    );
    expect(path.patch.responses['200']).toBeDefined();
  });
});
