import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConnection } from '../../src/connections/connection-repository.js';
import { parseEncryptionKey } from '../../src/connections/credentials-cipher.js';
import { enqueueSync } from '../../src/queues/enqueue-sync.js';
import { listSyncSchedules, scheduleSync } from '../../src/queues/schedulers.js';
import { cancelSync } from '../../src/sync/cancel-sync.js';
import { parseJsonOutput, runCli, type CliResult } from '../helpers/cli.js';
import { countRecords, seedRecords } from '../helpers/seed-records.js';
import { createSyncHarness, TEST_ENCRYPTION_KEY, type SyncHarness } from '../helpers/sync-harness.js';

let h: SyncHarness;
let dir: string;
const org = randomUUID();
const key = parseEncryptionKey(TEST_ENCRYPTION_KEY);

beforeAll(async () => {
  h = await createSyncHarness('conn_life');
  dir = mkdtempSync(path.join(tmpdir(), 'sw-secrets-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await h?.close();
});

const cli = (args: string[], options: { input?: string; env?: Record<string, string> } = {}) =>
  runCli(
    [...args, '--json'],
    { ...h.env, ...options.env },
    options.input === undefined ? {} : { input: options.input },
  );

function errorOf(result: CliResult): { code: string; message: string } {
  return parseJsonOutput(result).error as { code: string; message: string };
}

const addArgs = (name: string) => [
  'connection',
  'add',
  '--org',
  org,
  '--type',
  'WooCommerce',
  '--name',
  name,
  '--url',
  'https://shop.example.invalid',
  '--key',
  'ck_visible',
];

describe('secrets kept out of the process list', () => {
  test('connection add reads a credential from standard input, a file or an environment variable', async () => {
    const fromStdin = await cli([...addArgs('stdin'), '--secret-stdin'], { input: 'cs_from_stdin\n' });
    expect(fromStdin.code, fromStdin.stdout + fromStdin.stderr).toBe(0);
    const file = path.join(dir, 'secret');
    writeFileSync(file, 'cs_from_file\n', { mode: 0o600 });
    const fromFile = await cli([...addArgs('file'), '--secret-file', file]);
    const fromEnv = await cli([...addArgs('env'), '--secret-env', 'WOO_SECRET'], {
      env: { WOO_SECRET: 'cs_from_env' },
    });
    for (const [result, secret] of [
      [fromStdin, 'cs_from_stdin'],
      [fromFile, 'cs_from_file'],
      [fromEnv, 'cs_from_env'],
    ] as const) {
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const stored = await loadConnection(h.runtime.prisma, key, parseJsonOutput(result).id as string);
      expect(stored.credentials).toEqual({ key: 'ck_visible', secret });
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
  });

  test('one way per credential, one flag on standard input, readable files and set variables only', async () => {
    const twice = await cli([...addArgs('twice'), '--secret', 'cs_a', '--secret-env', 'WOO_SECRET'], {
      env: { WOO_SECRET: 'cs_b' },
    });
    expect(twice.code).toBe(2);
    expect(errorOf(twice).message).toMatch(/--secret: give it one way only/);

    const odoo = await cli(
      [
        'connection',
        'add',
        '--org',
        org,
        '--type',
        'odoo',
        '--name',
        'two-stdin',
        '--url',
        'https://erp.example.invalid',
        '--db',
        'prod',
        '--username-stdin',
        '--password-stdin',
      ],
      { input: 'x' },
    );
    expect(odoo.code).toBe(2);
    expect(errorOf(odoo).message).toMatch(
      /--username-stdin, --password-stdin: only one flag can read standard input/,
    );

    const missingFile = await cli([...addArgs('nofile'), '--secret-file', path.join(dir, 'absent')]);
    expect(missingFile.code).toBe(2);
    expect(errorOf(missingFile).message).toMatch(/--secret-file: cannot read .*absent \(ENOENT\)/);

    const unset = await cli([...addArgs('noenv'), '--secret-env', 'NOT_SET_ANYWHERE']);
    expect(unset.code).toBe(2);
    expect(errorOf(unset).message).toMatch(/--secret-env: environment variable NOT_SET_ANYWHERE is not set/);
  });
});

describe('sync-worker connection update', () => {
  test('renames, changes credentials (merged) and settings; refuses what does not fit', async () => {
    const id = parseJsonOutput(await cli([...addArgs('before'), '--secret', 'cs_old'])).id as string;
    const renamed = await cli([
      'connection',
      'update',
      '--connection',
      id,
      '--name',
      'after',
      '--setting',
      'rateLimitPerSecond=5',
    ]);
    expect(renamed.code, renamed.stdout + renamed.stderr).toBe(0);
    expect(parseJsonOutput(renamed)).toMatchObject({
      id,
      name: 'after',
      type: 'woocommerce',
      settings: { rateLimitPerSecond: 5 },
    });

    const secret = await cli(['connection', 'update', '--connection', id, '--secret-stdin'], {
      input: 'cs_new',
    });
    expect(secret.code, secret.stdout + secret.stderr).toBe(0);
    const stored = await loadConnection(h.runtime.prisma, key, id);
    expect(stored).toMatchObject({ name: 'after', credentials: { key: 'ck_visible', secret: 'cs_new' } });

    const unset = await cli([
      'connection',
      'update',
      '--connection',
      id,
      '--unset-setting',
      'rateLimitPerSecond',
    ]);
    expect((parseJsonOutput(unset).settings as Record<string, unknown>).rateLimitPerSecond).not.toBe(5);
  });

  test('refuses a taken name, a flag of another source, a bad value, nothing to change, an unknown connection', async () => {
    const id = parseJsonOutput(await cli([...addArgs('refusals'), '--secret', 'cs_old'])).id as string;
    await cli([...addArgs('taken'), '--secret', 'cs_x']);
    const taken = await cli(['connection', 'update', '--connection', id, '--name', 'taken']);
    expect(taken.code).toBe(2);
    expect(errorOf(taken).message).toMatch(/--name: a connection named "taken" already exists/);

    const foreign = await cli(['connection', 'update', '--connection', id, '--token', 'shpat_x']);
    expect(foreign.code).toBe(2);
    expect(errorOf(foreign).message).toMatch(/--token: is not used by woocommerce connections/);
  });

  test('refuses a bad value, nothing to change, an unknown connection', async () => {
    const id = parseJsonOutput(await cli([...addArgs('refusals-2'), '--secret', 'cs_old'])).id as string;
    const badSecret = await cli(['connection', 'update', '--connection', id, '--secret', 'nope']);
    expect(badSecret.code).toBe(2);
    expect(errorOf(badSecret).message).toMatch(/--secret: must be a consumer secret/);

    const nothing = await cli(['connection', 'update', '--connection', id]);
    expect(nothing.code).toBe(2);
    expect(errorOf(nothing).message).toMatch(/nothing to change/);

    const unknown = await cli(['connection', 'update', '--connection', randomUUID(), '--name', 'x']);
    expect(unknown.code).toBe(1);
    expect(errorOf(unknown).code).toBe('CONNECTION_NOT_FOUND');
  });
});

describe('sync-worker connection remove', () => {
  test('asks what becomes of the mirror; refused while a sync runs', async () => {
    const id = parseJsonOutput(await cli([...addArgs('busy'), '--secret', 'cs_x'])).id as string;
    const unsaid = await cli(['connection', 'remove', '--connection', id]);
    expect(unsaid.code).toBe(2);
    expect(errorOf(unsaid).message).toMatch(/--keep-mirror or --delete-mirror/);

    const { syncId } = await enqueueSync(h.runtime, { connectionId: id, entityType: 'customer' });
    const busy = await cli(['connection', 'remove', '--connection', id, '--delete-mirror']);
    expect(busy.code).toBe(1);
    expect(errorOf(busy)).toMatchObject({
      code: 'CONNECTION_BUSY',
      message: expect.stringContaining(syncId),
    });
    expect(await loadConnection(h.runtime.prisma, key, id)).toMatchObject({ id });

    await cancelSync(h.runtime, { syncId });
    const removed = await cli(['connection', 'remove', '--connection', id, '--delete-mirror']);
    expect(removed.code, removed.stdout + removed.stderr).toBe(0);
  });

  test('--keep-mirror: records stay, the connection is retired (not listed, no sync, credentials wiped), its name free again', async () => {
    const id = parseJsonOutput(await cli([...addArgs('kept'), '--secret', 'cs_kept'])).id as string;
    await seedRecords(h.db.pool, org, id, 7);
    await scheduleSync(h.runtime, { connectionId: id, entityType: 'customer' });
    const run = await cli(['connection', 'remove', '--connection', id, '--keep-mirror']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(parseJsonOutput(run)).toEqual({ id, mirror: 'kept', records: 7, schedulesRemoved: 1 });
    expect(await countRecords(h.db.pool, id)).toBe(7);
    expect(await listSyncSchedules(h.runtime, id)).toEqual([]);

    const listed = parseJsonOutput(await cli(['connection', 'list', '--org', org])).connections as {
      id: string;
    }[];
    expect(listed.map((c) => c.id)).not.toContain(id);
    await expect(enqueueSync(h.runtime, { connectionId: id, entityType: 'customer' })).rejects.toMatchObject({
      code: 'CONNECTION_NOT_FOUND',
    });
    const { rows } = await h.db.pool.query(
      'SELECT credentials, removed_at FROM integration_connection WHERE id = $1',
      [id],
    );
    expect(rows[0].removed_at).not.toBeNull();
    expect(rows[0].credentials).toMatch(/^v\d:/);
    expect(rows[0].credentials).not.toContain('cs_kept');
    const again = await cli(['connection', 'remove', '--connection', id, '--delete-mirror']);
    expect(errorOf(again).code).toBe('CONNECTION_NOT_FOUND');

    const reused = await cli([...addArgs('kept'), '--secret', 'cs_new']);
    expect(reused.code, reused.stdout + reused.stderr).toBe(0);
  });

  test('--delete-mirror: the connection, its records and sync state go', async () => {
    const id = parseJsonOutput(await cli([...addArgs('deleted'), '--secret', 'cs_x'])).id as string;
    await seedRecords(h.db.pool, org, id, 3);
    const run = await cli(['connection', 'remove', '--connection', id, '--delete-mirror']);
    expect(parseJsonOutput(run)).toEqual({ id, mirror: 'deleted', records: 3, schedulesRemoved: 0 });
    expect(await countRecords(h.db.pool, id)).toBe(0);
    const { rows } = await h.db.pool.query('SELECT 1 FROM integration_connection WHERE id = $1', [id]);
    expect(rows).toHaveLength(0);
  });
});
