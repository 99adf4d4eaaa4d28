import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { runCli } from '../helpers/cli.js';
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
      etaSeconds: 0,
      mode: 'full',
    });
    const recent = await runCli(['status', '--json'], h.env);
    expect(JSON.parse(recent.stdout).syncs.map((s: { syncId: string }) => s.syncId)).toContain(out.syncId);
  });

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
    expect(JSON.parse(bad.stdout).error.message).toMatch(/entityType/);

    const missing = await runCli(['status', '--sync', 'sync-nope', '--json'], h.env);
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout).error.code).toBe('SYNC_NOT_FOUND');

    const recent = JSON.parse((await runCli(['status', '--json'], h.env)).stdout).syncs[0].syncId;
    const cancel = await runCli(['cancel', '--sync', recent, '--json'], h.env);
    expect(cancel.code).toBe(1);
    expect(JSON.parse(cancel.stdout).error.code).toBe('SYNC_NOT_RUNNING');
  });

  test('schedule and unschedule', async () => {
    const s = await runCli(
      ['schedule', '--connection', connectionId, '--entity', 'order', '--cron', '*/30 * * * *', '--json'],
      h.env,
    );
    expect(s.code, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject({ cron: '*/30 * * * *', mode: 'incremental' });
    const u = await runCli(
      ['unschedule', '--connection', connectionId, '--entity', 'order', '--json'],
      h.env,
    );
    expect(JSON.parse(u.stdout)).toMatchObject({ removed: true });
  });

  test('sync --wait on a terminal draws a progress bar with the ETA read from sync_progress', async () => {
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const entry = fileURLToPath(new URL('../helpers/cli-entry.ts', import.meta.url));
    const command = [
      process.execPath,
      '--import',
      'tsx',
      entry,
      'sync',
      '--connection',
      connectionId,
      '--entity',
      'category',
      '--mode',
      'full',
      '--wait',
    ].join(' ');
    const screen = await new Promise<{ code: number; out: string }>((resolve, reject) =>
      execFile(
        'script',
        ['-qec', command, '/dev/null'],
        { env: { PATH: process.env.PATH ?? '', ...h.env }, timeout: 60_000 },
        (error, stdout) => {
          if (error && typeof error.code !== 'number') reject(error);
          else resolve({ code: error ? Number(error.code) : 0, out: stdout });
        },
      ),
    );
    expect(screen.code, screen.out).toBe(0);
    expect(screen.out).toMatch(/100% \| \d+\/\d+ \| [\d.-]+\/min \| ETA [^|]+\| completed/);
    expect(screen.out).toMatch(/: completed — \d+\/\d+ processed/);
  });
});
