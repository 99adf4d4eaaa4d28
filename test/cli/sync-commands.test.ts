import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { parseJsonOutput, runCli } from '../helpers/cli.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connectionId: string;

beforeAll(async () => {
  h = await createSyncHarness('clisync', { SYNC_BATCH_SIZE: '50' });
  fake = await startFakeWooCommerce({ customers: 230, seed: 5 });
  const add = await runCli(
    [
      'connection',
      'add',
      '--org',
      '11111111-1111-4111-8111-111111111111',
      '--type',
      'woocommerce',
      '--name',
      'main store',
      '--url',
      fake.url,
      '--key',
      fake.consumerKey,
      '--secret',
      fake.consumerSecret,
      '--json',
    ],
    h.env,
  );
  expect(add.code, add.stderr).toBe(0);
  connectionId = JSON.parse(add.stdout).id;
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe('sync-worker sync / status / cancel', () => {
  test('sync --wait --json prints the final counts and exits 0 when completed', async () => {
    const run = await runCli(
      ['sync', '--connection', connectionId, '--entity', 'customer', '--mode', 'full', '--wait', '--json'],
      h.env,
    );
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const out = JSON.parse(lines[0]!);
    expect(Object.keys(out)).toEqual([
      'syncId',
      'status',
      'totalItems',
      'processedCount',
      'failedCount',
      'created',
      'updated',
      'unchanged',
      'deleted',
    ]);
    expect(out).toMatchObject({
      status: 'completed',
      totalItems: 230,
      processedCount: 230,
      failedCount: 0,
      created: 230,
      updated: 0,
      unchanged: 0,
      deleted: 0,
    });
    expect(run.stdout + run.stderr).not.toContain(fake.consumerSecret);

    const again = await runCli(
      [
        'sync',
        '--connection',
        connectionId,
        '--entity',
        'customer',
        '--mode',
        'incremental',
        '--wait',
        '--json',
      ],
      h.env,
    );
    expect(JSON.parse(again.stdout)).toMatchObject({
      status: 'completed',
      created: 0,
      updated: 0,
      unchanged: 230,
    });

    const status = await runCli(['status', '--sync', out.syncId, '--json'], h.env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      syncId: out.syncId,
      status: 'completed',
      processedCount: 230,
      etaSeconds: null,
      phase: 'done',
      mode: 'full',
    });
    const finished = JSON.parse(status.stdout);
    expect(Date.parse(finished.endedAt)).toBeGreaterThanOrEqual(Date.parse(finished.startedAt));
    const human = await runCli(['status', '--sync', out.syncId], h.env);
    expect(human.stdout).toMatch(
      /started \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ, ended \d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ \(\d+s\)/,
    );
    expect(human.stdout).not.toMatch(/ETA/);
    const recent = await runCli(['status', '--json'], h.env);
    expect(JSON.parse(recent.stdout).syncs.map((s: { syncId: string }) => s.syncId)).toContain(out.syncId);
  }, 120_000); // two whole syncs through the CLI

  test('sync without --wait prints {syncId, status}', async () => {
    const run = await runCli(['sync', '--connection', connectionId, '--entity', 'product', '--json'], h.env);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual(['syncId', 'status']);
    expect(out.status).toBe('pending');
    await h.waitForStatus(out.syncId, ['completed']);
  });

  test('bad input exits 2 with a clear message; unknown sync and cancel of a finished one exit 1', async () => {
    const bad = await runCli(
      ['sync', '--connection', connectionId, '--entity', 'spaceship', '--json'],
      h.env,
    );
    expect(bad.code).toBe(2);
    expect(JSON.parse(bad.stdout).error).toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(JSON.parse(bad.stdout).error.message).toMatch(
      /--entity: must be one of customer, .*got "spaceship"/,
    );

    const notUuid = await runCli(['sync', '--connection', 'shop-1', '--entity', 'customer', '--json'], h.env);
    expect(notUuid.code).toBe(2);
    expect(JSON.parse(notUuid.stdout).error.message).toMatch(/--connection: must be a connection id/);
    const unknownFlag = await runCli(
      ['sync', '--connection', connectionId, '--entity', 'customer', '--wiat', '--json'],
      h.env,
    );
    expect(unknownFlag.code).toBe(2);
    expect(JSON.parse(unknownFlag.stdout).error).toEqual({
      code: 'VALIDATION_FAILED',
      message: "unknown option '--wiat'\n(Did you mean --wait?)",
    });

    const missing = await runCli(['status', '--sync', 'sync-nope', '--json'], h.env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('SYNC_NOT_FOUND');

    const recent = JSON.parse((await runCli(['status', '--json'], h.env)).stdout).syncs[0].syncId;
    const cancel = await runCli(['cancel', '--sync', recent, '--json'], h.env);
    expect(cancel.code).toBe(1);
    expect(JSON.parse(cancel.stdout).error.code).toBe('SYNC_NOT_RUNNING');
  });

  test('schedule, schedule list (next as an ISO time) and unschedule; flags are case-insensitive', async () => {
    const s = await runCli(
      [
        'schedule',
        '--connection',
        connectionId,
        '--entity',
        'Order',
        '--mode',
        'FULL',
        '--cron',
        '*/30 * * * *',
        '--json',
      ],
      h.env,
    );
    expect(s.code, s.stdout + s.stderr).toBe(0);
    const scheduled = JSON.parse(s.stdout);
    expect(scheduled).toMatchObject({ cron: '*/30 * * * *', mode: 'full' });
    expect(new Date(scheduled.next).toISOString()).toBe(scheduled.next);

    const list = await runCli(['schedule', 'list', '--json'], h.env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual({
      schedules: [
        {
          schedulerId: scheduled.schedulerId,
          connectionId,
          entityType: 'order',
          cron: '*/30 * * * *',
          mode: 'full',
          next: scheduled.next,
        },
      ],
    });
    const human = await runCli(['schedule', 'list'], h.env);
    expect(human.stdout).toContain(`${connectionId}  order`);
    expect(human.stdout).toMatch(/next \d{4}-\d\d-\d\dT\d\d:\d\d:00\.000Z/);

    const unknown = await runCli(
      ['schedule', '--connection', randomUUID(), '--entity', 'order', '--json'],
      h.env,
    );
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout).error.code).toBe('CONNECTION_NOT_FOUND');

    const u = await runCli(
      ['unschedule', '--connection', connectionId, '--entity', 'order', '--json'],
      h.env,
    );
    expect(JSON.parse(u.stdout)).toMatchObject({ removed: true });
    expect(JSON.parse((await runCli(['schedule', 'list', '--json'], h.env)).stdout)).toEqual({
      schedules: [],
    });
  });

  test('sync --wait --json carries the error beside the counts when the sync fails', async () => {
    const bad = await h.addConnection({
      baseUrl: fake.url,
      credentials: { key: fake.consumerKey, secret: 'cs_wrong' },
    });
    const run = await runCli(
      ['sync', '--connection', bad.id, '--entity', 'customer', '--wait', '--json'],
      h.env,
    );
    expect(run.code).toBe(1);
    const out = parseJsonOutput(run);
    expect(out).toMatchObject({ status: 'failed', processedCount: 0, created: 0 });
    expect(out.error).toMatchObject({ code: 'SOURCE_AUTH_FAILED', message: expect.any(String) });
    expect(JSON.stringify(out)).not.toContain('cs_wrong');
  });
});
