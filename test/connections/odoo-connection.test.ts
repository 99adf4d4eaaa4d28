import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { createRuntime } from '../../src/runtime.js';
import { startWorkers, type WorkerSet } from '../../src/workers/start-workers.js';
import { apiEnv, createApiHarness, ENCRYPTION_KEY, type ApiHarness } from '../api/harness.js';
import { startFakeOdoo, type FakeOdooServer } from '../fakes/odoo/server.js';
import { runCli } from '../helpers/cli.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * An Odoo connection added the two ways a merchant adds one — `sync-worker
 * connection add --type odoo` and `POST /api/v1/connections` — is stored
 * encrypted and syncs end to end.
 */

let fake: FakeOdooServer;
beforeAll(async () => {
  fake = await startFakeOdoo({ customers: 140, suppliers: 12, seed: 17 });
});
afterAll(async () => fake?.close());

async function storedCredentials(pool: SyncHarness['db']['pool'], id: string): Promise<string> {
  const { rows } = await pool.query('SELECT credentials FROM integration_connection WHERE id = $1', [id]);
  return rows[0].credentials as string;
}

describe('sync-worker connection add --type odoo, then sync --wait', () => {
  let h: SyncHarness;
  beforeAll(async () => {
    h = await createSyncHarness('odoocli', { SYNC_BATCH_SIZE: '50' });
    await h.startWorkers();
  });
  afterAll(async () => h?.close());

  test('JSON-2 with the API key as password: stored encrypted, synced with exact counts', async () => {
    const add = await runCli(
      [
        'connection',
        'add',
        '--org',
        '22222222-2222-4222-8222-222222222222',
        '--type',
        'odoo',
        '--name',
        'odoo erp',
        '--url',
        fake.url,
        '--db',
        fake.auth.db,
        '--username',
        fake.auth.login,
        '--password',
        fake.auth.apiKey,
        '--protocol',
        'json2',
        '--setting',
        'rateLimitPerSecond=50',
        '--json',
      ],
      h.env,
    );
    expect(add.code, add.stderr).toBe(0);
    const { id } = JSON.parse(add.stdout) as { id: string };
    expect(add.stdout + add.stderr).not.toContain(fake.auth.apiKey);
    const stored = await storedCredentials(h.db.pool, id);
    expect(stored).toMatch(/^v2:default:/);
    expect(stored).not.toContain(fake.auth.apiKey);
    const { rows } = await h.db.pool.query('SELECT settings FROM integration_connection WHERE id = $1', [id]);
    expect(rows[0].settings).toMatchObject({ protocol: 'json2', rateLimitPerSecond: 50 });

    const before = fake.requests.length;
    const run = await runCli(['sync', '--connection', id, '--entity', 'customer', '--wait', '--json'], h.env);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      status: 'completed',
      totalItems: 140,
      processedCount: 140,
      created: 140,
      deleted: 0,
    });
    expect(fake.requests.slice(before).every((r) => r.protocol === 'json2')).toBe(true);
  });
});

describe('POST /api/v1/connections for Odoo, then POST /api/v1/syncs', () => {
  let api: ApiHarness;
  let workers: WorkerSet;
  let closeRuntime: () => Promise<void>;
  beforeAll(async () => {
    api = await createApiHarness('odooapi');
    const config = loadConfig({ ...apiEnv(api.db, api.redis), LOG_LEVEL: 'silent', SYNC_BATCH_SIZE: '50' });
    const runtime = createRuntime(config, { poolSize: 4 });
    closeRuntime = () => runtime.close();
    workers = await startWorkers(runtime, { encryptionKey: parseEncryptionKey(ENCRYPTION_KEY) });
  });
  afterAll(async () => {
    await workers?.close();
    await closeRuntime?.();
    await api?.close();
  });

  test('JSON-RPC credentials go in encrypted, never come out; the suppliers sync completes', async () => {
    const org = await api.newOrg();
    const created = await api.as(org.userId, {
      method: 'POST',
      url: '/api/v1/connections',
      payload: {
        type: 'odoo',
        name: 'erp',
        baseUrl: `${fake.url}/`,
        credentials: { db: fake.auth.db, username: fake.auth.login, password: fake.auth.password },
        settings: { protocol: 'jsonrpc' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const connection = created.json() as { id: string; type: string; baseUrl: string };
    expect(connection).toMatchObject({ type: 'odoo', baseUrl: fake.url });
    expect(created.body).not.toContain(fake.auth.password);
    const stored = await storedCredentials(api.db.pool, connection.id);
    expect(stored).toMatch(/^v2:default:/);
    expect(stored).not.toContain(fake.auth.password);

    const started = await api.as(org.userId, {
      method: 'POST',
      url: '/api/v1/syncs',
      payload: { connectionId: connection.id, entityType: 'supplier', mode: 'full' },
    });
    expect(started.statusCode, started.body).toBe(202);
    const { syncId } = started.json() as { syncId: string };
    const expected = fake.db.search('res.partner', [['supplier_rank', '>', 0]], { activeTest: false }).length;
    const done = await waitFor(
      async () => {
        const res = await api.as(org.userId, { method: 'GET', url: `/api/v1/syncs/${syncId}` });
        const body = res.json() as { status: string };
        return ['completed', 'failed', 'completed_with_errors'].includes(body.status) ? body : null;
      },
      { timeoutMs: 60_000, what: 'the supplier sync to end' },
    );
    expect(done).toMatchObject({ status: 'completed', processedCount: expected, totalItems: expected });
  });
});
