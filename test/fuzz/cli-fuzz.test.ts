import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, test, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import { ErrorCodes } from '../../src/errors.js';
import { entityTypes } from '../../src/validation.js';
import { createSyncHarness, type SyncHarness } from '../helpers/sync-harness.js';
import { fuzzParams, nastyString, nested } from './arbitraries.js';

// Property: the CLI (in process, through commander as `sync-worker … --json`), given arguments a
// new user might type (NUL bytes, year-0 dates, JSON settings nested thousands of levels deep,
// unknown values), exits 0 or answers a JSON error with a stable code that is not a server fault (INTERNAL, DATABASE_ERROR…); a
// refused command writes nothing. FUZZ_SEED / FUZZ_PATH / FUZZ_RUNS replay a failure.

let h: SyncHarness;
let connectionId: string;
let orgId: string;
const codes = new Set<string>(Object.values(ErrorCodes));
/** The CLI's 500s: the process's own fault or its services', never the input's. */
const serverFaults = new Set<string>([
  ErrorCodes.INTERNAL,
  ErrorCodes.DATABASE_ERROR,
  ErrorCodes.DATABASE_UNREACHABLE,
  ErrorCodes.DATABASE_MISSING,
  ErrorCodes.DATABASE_NOT_MIGRATED,
  ErrorCodes.DATABASE_AUTH_FAILED,
  ErrorCodes.DATABASE_PERMISSION_DENIED,
  ErrorCodes.REDIS_UNREACHABLE,
]);
const savedEnv = { ...process.env };

beforeAll(async () => {
  h = await createSyncHarness('cli_fuzz');
  orgId = randomUUID();
  connectionId = (
    await h.addConnection({
      orgId,
      baseUrl: 'http://127.0.0.1:1',
      credentials: { key: 'ck_a', secret: 'cs_a' },
    })
  ).id;
  Object.assign(process.env, h.env, { LOG_LEVEL: 'silent' });
});
afterAll(async () => {
  process.env = savedEnv;
  await h?.close();
});

async function fingerprint(): Promise<string> {
  const { rows } = await h.db.pool.query<{ f: string }>(`
    SELECT concat_ws('|',
      (SELECT md5(coalesce(string_agg(c::text, ',' ORDER BY c.id), '')) FROM integration_connection c),
      (SELECT count(*) FROM sync_progress), (SELECT count(*) FROM sync_activity_log),
      (SELECT count(*) FROM sync_record)) AS f`);
  return rows[0]!.f;
}

const id = fc.oneof(nastyString, fc.uuid(), fc.constant('CONN'));
const settingValue = fc.oneof(
  nastyString,
  fc.integer({ min: 60, max: 3000 }).map((depth) => JSON.stringify(nested(depth, true))),
  fc.integer({ min: 60, max: 3000 }).map((depth) => JSON.stringify(nested(depth, false))),
);
const setting = fc.tuple(nastyString, settingValue).map(([k, v]) => `${k}=${v}`);
const settings = fc.array(setting, { maxLength: 2 }).map((list) => list.flatMap((s) => ['--setting', s]));

const argv: fc.Arbitrary<string[]> = fc.oneof(
  id.map((s) => ['status', '--sync', s]),
  id.map((s) => ['cancel', '--sync', s]),
  fc
    .tuple(
      id,
      fc.oneof(fc.constantFrom(...entityTypes), nastyString),
      fc.oneof(fc.constant('full'), nastyString),
    )
    .map(([c, e, m]) => ['sync', '--connection', c, '--entity', e, '--mode', m]),
  fc
    .tuple(id, fc.option(nastyString, { nil: undefined }), settings)
    .map(([c, name, s]) => [
      'connection',
      'update',
      '--connection',
      c,
      ...(name === undefined ? [] : ['--name', name]),
      ...s,
    ]),
  fc
    .tuple(
      fc.oneof(fc.uuid(), nastyString),
      nastyString,
      settings,
      fc.oneof(fc.constant('ck_1'), nastyString),
    )
    .map(([org, name, s, key]) => [
      'connection',
      'add',
      '--org',
      org,
      '--type',
      'woocommerce',
      '--name',
      name,
      '--url',
      'http://127.0.0.1:1',
      '--key',
      key,
      '--secret',
      'cs_1',
      ...s,
    ]),
  id.map((c) => ['connection', 'remove', '--connection', c, '--keep-mirror']),
);

test('every command line exits 0 or answers a stable JSON error; a refused one writes nothing', async () => {
  await fc.assert(
    fc.asyncProperty(argv, async (args) => {
      const line = args.map((a) => (a === 'CONN' ? connectionId : a));
      const before = await fingerprint();
      const out: string[] = [];
      const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
        out.push(String(chunk));
        return true;
      });
      process.exitCode = 0;
      try {
        await main(['node', 'sync-worker', ...line, '--json']);
      } finally {
        spy.mockRestore();
      }
      const code = Number(process.exitCode ?? 0);
      process.exitCode = 0;
      if (code === 0) return;
      const text = out.join('').trim().split('\n').at(-1) ?? '';
      const error = (JSON.parse(text) as { error: { code: string } }).error;
      expect(codes.has(error.code) && !serverFaults.has(error.code), text).toBe(true);
      expect(await fingerprint(), 'a refused command wrote something').toBe(before);
    }),
    fuzzParams(40),
  );
});
