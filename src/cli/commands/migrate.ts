import type { Command } from 'commander';
import { loadConfig, type Config } from '../../config.js';
import { checkDatabase } from '../../db/check-database.js';
import { createDatabaseIfMissing } from '../../db/migrate/create-database.js';
import { defaultMigrationsDir } from '../../db/migrate/migration-files.js';
import { migrateDown, migrateUp } from '../../db/migrate/migrator.js';
import { printResult } from '../output.js';
import { PREFLIGHT_TIMEOUT_MS } from '../preflight.js';
import { runCommand } from '../run-command.js';

/** A migration's WARNING (e.g. what a DBA must run), on stderr: stdout holds the result. */
const warn = (message: string) => process.stderr.write(`warning: ${message}\n`);

/**
 * Where `migrate` connects: DATABASE_DIRECT_URL when set (DATABASE_URL may name PgBouncer in
 * transaction mode, which cannot keep the session-level advisory lock migrations take), else
 * DATABASE_URL.
 */
export function migrationUrl(config: Pick<Config, 'DATABASE_URL' | 'DATABASE_DIRECT_URL'>): string {
  return config.DATABASE_DIRECT_URL ?? config.DATABASE_URL;
}

/** The up-front check of `migrate`: the server answers (the schema may be empty). */
function checkServer(databaseUrl: string): Promise<void> {
  return checkDatabase(databaseUrl, { timeoutMs: PREFLIGHT_TIMEOUT_MS, migrated: false });
}

export function registerMigrate(program: Command): void {
  const migrate = program
    .command('migrate')
    .description('apply pending database migrations (prisma/migrations), each in its own transaction')
    .enablePositionalOptions()
    .option('--json', 'print one JSON object')
    .option('--dir <path>', 'migrations folder', defaultMigrationsDir)
    .option(
      '--create-database',
      'create the database DATABASE_DIRECT_URL (or DATABASE_URL) names when it does not exist (needs CREATEDB)',
    )
    .action(
      runCommand(async (opts: { json?: boolean; dir: string; createDatabase?: boolean }) => {
        const config = loadConfig();
        if (opts.createDatabase) await createDatabaseIfMissing(migrationUrl(config), PREFLIGHT_TIMEOUT_MS);
        await checkServer(migrationUrl(config));
        const result = await migrateUp({
          databaseUrl: migrationUrl(config),
          migrationsDir: opts.dir,
          onWarning: warn,
        });
        printResult(
          opts.json,
          result,
          result.applied.length
            ? `applied ${result.applied.length} migration(s):\n${result.applied.map((n) => `  ${n}`).join('\n')}`
            : `database is up to date (${result.alreadyApplied} migration(s) applied)`,
        );
      }),
    );

  migrate
    .command('down')
    .description('roll back migrations newest first with their down.sql (default: the newest one)')
    .option('--to <name>', 'keep this migration applied and roll back every newer one')
    .option('--all', 'roll back every applied migration')
    .option('--json', 'print one JSON object')
    .option('--dir <path>', 'migrations folder', defaultMigrationsDir)
    .action(
      runCommand(async (opts: { json?: boolean; dir: string; to?: string; all?: boolean }) => {
        const config = loadConfig();
        await checkServer(migrationUrl(config));
        const result = await migrateDown({
          databaseUrl: migrationUrl(config),
          migrationsDir: opts.dir,
          onWarning: warn,
          ...(opts.to !== undefined ? { to: opts.to } : {}),
          ...(opts.all ? { all: true } : {}),
        });
        printResult(
          opts.json,
          result,
          result.rolledBack.length
            ? `rolled back ${result.rolledBack.length} migration(s):\n${result.rolledBack.map((n) => `  ${n}`).join('\n')}`
            : 'nothing to roll back',
        );
      }),
    );
}
