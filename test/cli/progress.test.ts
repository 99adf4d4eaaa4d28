import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { startFakeWooCommerce, type FakeWooServer } from '../fakes/woocommerce/server.js';
import { assertCliBuilt, parseJsonOutput, runCli } from '../helpers/cli.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { waitFor } from '../helpers/wait-for.js';

let h: SyncHarness;
let fake: FakeWooServer;
let connectionId: string;

/** A gate the fake store's requests wait at until it is opened. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

beforeAll(async () => {
  assertCliBuilt();
  h = await createSyncHarness('cliprogress', { SYNC_BATCH_SIZE: '50', SYNC_ID_SCAN: 'always' });
  fake = await startFakeWooCommerce({ customers: 230, seed: 11 });
  connectionId = (
    await h.addConnection({
      baseUrl: fake.url,
      credentials: { key: fake.consumerKey, secret: fake.consumerSecret },
    })
  ).id;
  await h.startWorkers();
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

describe('sync --wait progress', () => {
  test('on a terminal, the bar names its phase: fetching with an ETA, then the deletion scan, then the outcome', async () => {
    const pages = gate();
    const scan = gate();
    fake.options.onRequest = async (_n, request) => {
      if (request.query._fields === 'id') await scan.opened;
      else if (Number(request.query.offset ?? 0) > 0) await pages.opened;
    };
    // `script` gives the command a pseudo-terminal, as a person's shell would.
    const bin = fileURLToPath(new URL('../../bin/sync-worker.js', import.meta.url));
    const command = [
      process.execPath,
      bin,
      'sync',
      '--connection',
      connectionId,
      '--entity',
      'customer',
      '--wait',
    ].join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', ...h.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      // The first batch is in; the next page waits at the gate.
      await waitFor(() => /\| \d+\/230 \| [\d.-]+\/min \| fetching · ETA [^|\r\n]+/.test(screen), {
        what: 'the bar to show fetching with an ETA',
      });
      pages.open();
      await waitFor(() => /\| deletion scan/.test(screen), { what: 'the bar to show the deletion scan' });
      expect(screen).not.toMatch(/deletion scan[^\n]*ETA/);
      scan.open();
      expect(await exited).toBe(0);
    } finally {
      pages.open();
      scan.open();
      fake.options.onRequest = undefined;
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(screen).toMatch(/100% \| 230\/230 \| [\d.-]+\/min \| completed/);
    expect(screen).toMatch(/: completed — 230\/230 processed/);
  });

  test('--timeout stops waiting, says the sync goes on, and exits 1; the sync then completes', async () => {
    const held = gate();
    fake.options.onRequest = async () => held.opened;
    try {
      const run = await runCli(
        ['sync', '--connection', connectionId, '--entity', 'product', '--wait', '--timeout', '1', '--json'],
        h.env,
      );
      expect(run.code).toBe(1);
      const out = parseJsonOutput(run);
      expect(out).toMatchObject({ timedOut: true, status: expect.stringMatching(/^(pending|in_progress)$/) });
      expect(out).not.toHaveProperty('error');

      const human = await runCli(
        ['sync', '--connection', connectionId, '--entity', 'product', '--wait', '--timeout', '1'],
        h.env,
      );
      expect(human.code).toBe(1);
      expect(human.stdout).toContain(`${out.syncId as string}: still`);
      expect(human.stdout).toContain('the sync goes on running');
      held.open();
      await h.waitForStatus(out.syncId as string, ['completed']);
    } finally {
      held.open();
      fake.options.onRequest = undefined;
    }
  });
});
