import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { assertCliBuilt, parseJsonOutput, runCli } from '../helpers/cli.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from '../helpers/env.js';
import { freePort } from '../helpers/free-port.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

let db: TestDatabase;
let dir: string;
beforeAll(async () => {
  assertCliBuilt();
  db = await createTestDatabase('cli_basics');
  dir = mkdtempSync(path.join(tmpdir(), 'sw-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await db?.drop();
});

describe('the command line itself', () => {
  test('--version prints the package version', async () => {
    for (const flag of ['--version', '-V']) {
      const run = await runCli([flag], {}, { compiled: true });
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(version);
    }
  });

  test('--help marks the required options', async () => {
    const run = await runCli(['sync', '--help'], {}, { compiled: true });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/--connection <id>\s+connection id \(required\)/);
    expect(run.stdout).toMatch(/--entity <type>[^\n]*\n?[^\n]*\(required\)/);
    expect(run.stdout).not.toMatch(/--mode <mode>[^\n]*\(required\)/);
  });

  test('unknown options and commands are usage errors (exit 2), as JSON with --json', async () => {
    const human = await runCli(['status', '--activ'], {}, { compiled: true });
    expect(human.code).toBe(2);
    expect(human.stderr).toMatch(/unknown option '--activ'/);
    const json = await runCli(['status', '--activ', '--json'], {}, { compiled: true });
    expect(json.code).toBe(2);
    expect(parseJsonOutput(json).error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: expect.stringMatching(/unknown option '--activ'/),
    });
    const command = await runCli(['stauts'], {}, { compiled: true });
    expect(command.code).toBe(2);
    expect(command.stderr).toMatch(/unknown command 'stauts'/);
  });

  test('.env in the working directory is read; the environment wins over it', async () => {
    writeFileSync(
      path.join(dir, '.env'),
      `# as docker compose reads it\nDATABASE_URL="${db.url}"\nLOG_LEVEL=silent\n`,
    );
    const fromFile = await runCli(['status', '--json'], {}, { compiled: true, cwd: dir });
    expect(fromFile.code, fromFile.stdout + fromFile.stderr).toBe(0);
    expect(parseJsonOutput(fromFile)).toEqual({ syncs: [] });

    const closed = `postgresql://postgres@127.0.0.1:${await freePort()}/x`;
    const fromEnv = await runCli(
      ['status', '--json'],
      { DATABASE_URL: closed },
      { compiled: true, cwd: dir },
    );
    expect(fromEnv.code).toBe(1);
    expect(parseJsonOutput(fromEnv).error).toMatchObject({ code: 'DATABASE_UNREACHABLE' });
  });

  test('migrate --create-database creates the database DATABASE_URL names, then migrates it', async () => {
    const name = `sw_created_${Date.now().toString(36)}`;
    try {
      const missing = await runCli(
        ['migrate', '--json'],
        { DATABASE_URL: databaseUrlFor(name) },
        { compiled: true },
      );
      expect(parseJsonOutput(missing).error).toMatchObject({ code: 'DATABASE_MISSING' });
      const run = await runCli(
        ['migrate', '--create-database', '--json'],
        { DATABASE_URL: databaseUrlFor(name) },
        { compiled: true },
      );
      expect(run.code, run.stdout + run.stderr).toBe(0);
      expect((parseJsonOutput(run).applied as string[]).length).toBeGreaterThan(0);
      const again = await runCli(
        ['migrate', '--create-database', '--json'],
        { DATABASE_URL: databaseUrlFor(name) },
        { compiled: true },
      );
      expect(parseJsonOutput(again)).toMatchObject({ applied: [] });
    } finally {
      const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
