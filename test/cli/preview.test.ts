import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connectionId: string;

beforeAll(async () => {
  h = await createSyncHarness('clipreview', { SYNC_BATCH_SIZE: '50' });
  fake = await startFakeWooCommerce({ customers: 120, seed: 9 });
  connectionId = (await h.addConnection(fake.connection())).id;
  await h.startWorkers();
  const { syncId } = await enqueueSync(h.runtime, { connectionId, entityType: 'customer', mode: 'full' });
  expect(await h.waitForStatus(syncId, ['completed', 'completed_with_errors', 'failed'])).toBe('completed');
  const ids = fake.store.ids('customer');
  fake.store.advance(60);
  for (const id of ids.slice(0, 3)) fake.store.modify('customer', id, { last_name: `Cli-${id}` });
  fake.store.add('customer');
  fake.store.add('customer');
  fake.store.delete('customer', ids[50]!);
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe('sync-worker preview', () => {
  test('--json prints the statistics; a second run is served from the cache', async () => {
    const run = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'customer', '--json'],
      h.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const out = parseJsonOutput(run);
    expect(Object.keys(out)).toEqual(['cacheKey', 'cached', 'computedAt', 'expiresAt', 'statistics']);
    expect(out).toMatchObject({
      cached: false,
      statistics: {
        new_count: 2,
        updated_count: 3,
        deleted_count: 1,
        total_affected: 6,
        unchanged_count: 116,
        failed_count: 0,
      },
    });
    expect(out.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(out.expiresAt as string) - Date.parse(out.computedAt as string)).toBe(3_600_000);
    const { rows } = await h.db.pool.query(
      `SELECT count(*)::int AS n FROM sync_record WHERE connection_id = $1 AND deleted_at IS NULL`,
      [connectionId],
    );
    expect(rows[0].n).toBe(120);

    const again = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'customer', '--json'],
      h.env,
    );
    expect(again.code, again.stderr).toBe(0);
    expect(parseJsonOutput(again)).toEqual({ ...out, cached: true });

    // --refresh computes it again although the cached one is fresh.
    const refreshed = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'customer', '--refresh', '--json'],
      h.env,
    );
    expect(refreshed.code, refreshed.stderr).toBe(0);
    const fresh = parseJsonOutput(refreshed);
    expect(fresh).toMatchObject({ cacheKey: out.cacheKey, cached: false, statistics: out.statistics });
    expect(Date.parse(fresh.computedAt as string)).toBeGreaterThan(Date.parse(out.computedAt as string));
  });

  test('without --json: a readable summary', async () => {
    const run = await runCli(['preview', '--connection', connectionId, '--entity', 'customer'], h.env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/new 2, updated 3, deleted 1 — 6 affected; 116 unchanged, 0 failed to map/);
    expect(run.stdout).toMatch(/cached/);
  });

  test('bad input exits 2; an unknown connection or a failing preview exits 1', async () => {
    const bad = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'planet', '--json'],
      h.env,
    );
    expect(bad.code).toBe(2);
    expect(parseJsonOutput(bad)).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    const badTimeout = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'customer', '--timeout', 'soon', '--json'],
      h.env,
    );
    expect(badTimeout.code).toBe(2);
    const missing = await runCli(['preview', '--entity', 'customer'], h.env);
    expect(missing.code).toBe(2);

    const unknown = await runCli(
      ['preview', '--connection', randomUUID(), '--entity', 'customer', '--json'],
      h.env,
    );
    expect(unknown.code).toBe(1);
    expect(parseJsonOutput(unknown)).toMatchObject({ error: { code: 'CONNECTION_NOT_FOUND' } });

    const unsupported = await runCli(
      ['preview', '--connection', connectionId, '--entity', 'invoice', '--json'],
      h.env,
    );
    expect(unsupported.code).toBe(2);
    expect(parseJsonOutput(unsupported)).toMatchObject({
      error: {
        code: 'ENTITY_NOT_SUPPORTED',
        message: expect.stringMatching(
          /--entity: WooCommerce connections have no invoice; they have customer/,
        ),
      },
    });
  });
});
