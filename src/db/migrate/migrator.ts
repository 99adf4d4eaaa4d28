import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { ErrorCodes, MigrationError, errorMessage } from '../../errors.js';
import { loadSql } from '../sql/load-sql.js';
import { readMigrationFiles, type MigrationFile } from './migration-files.js';

/**
 * Prisma's advisory lock key (`prisma migrate deploy` takes the same one), so
 * our runner, Prisma's and any number of concurrent deploys serialize.
 */
export const MIGRATION_LOCK_KEY = 72707369;

export interface MigrateOptions {
  databaseUrl: string;
  /** Folder holding `<timestamp>_<name>/migration.sql`. */
  migrationsDir: string;
  /** Called once per migration applied or rolled back. */
  onMigration?: (name: string, direction: 'up' | 'down', ms: number) => void;
  /**
   * Called for each WARNING a migration raises (e.g. a role it may not create, with the
   * statements a DBA should run instead). @defaultValue ignored
   */
  onWarning?: (message: string) => void;
}

export interface MigrateUpResult {
  applied: string[];
  alreadyApplied: number;
}

export interface MigrateDownResult {
  rolledBack: string[];
}

interface AppliedRow {
  migration_name: string;
  checksum: string;
}

async function withLockedClient<T>(
  { databaseUrl, onWarning }: MigrateOptions,
  fn: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = new pg.Client({ connectionString: databaseUrl, application_name: 'sync-worker migrate' });
  client.on('notice', (notice) => {
    if (notice.severity === 'WARNING') onWarning?.(notice.message ?? '');
  });
  await client.connect();
  try {
    // Silence NOTICEs such as "relation already exists, skipping".
    await client.query(`SET client_min_messages = warning`);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(loadSql('prisma-migrations-table'));
      return await fn(client);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
    }
  } finally {
    await client.end();
  }
}

/** Rows Prisma counts as applied: finished and not rolled back. */
async function appliedMigrations(client: pg.Client): Promise<AppliedRow[]> {
  const { rows } = await client.query<AppliedRow>(
    `SELECT migration_name, checksum
       FROM "_prisma_migrations"
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL
      ORDER BY migration_name`,
  );
  return rows;
}

async function failedMigrations(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ migration_name: string }>(
    `SELECT migration_name FROM "_prisma_migrations"
      WHERE finished_at IS NULL AND rolled_back_at IS NULL`,
  );
  return rows.map((r) => r.migration_name);
}

function checkChecksums(files: MigrationFile[], applied: AppliedRow[]): void {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const row of applied) {
    const file = byName.get(row.migration_name);
    if (file && file.checksum !== row.checksum) {
      throw new MigrationError(
        ErrorCodes.MIGRATION_CHECKSUM_MISMATCH,
        `migration ${row.migration_name} was modified after it was applied ` +
          `(checksum in database ${row.checksum.slice(0, 12)}…, on disk ${file.checksum.slice(0, 12)}…). ` +
          `Restore the original file and add a new migration for the change.`,
        { details: { migration: row.migration_name } },
      );
    }
  }
}

async function inTransaction(client: pg.Client, name: string, sql: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query(sql);
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw new MigrationError(ErrorCodes.MIGRATION_FAILED, `migration ${name} failed: ${errorMessage(err)}`, {
      cause: err,
      details: { migration: name },
    });
  }
}

/**
 * Applies pending migrations in name order, each in its own transaction
 * together with its `_prisma_migrations` row. Refuses to run when an applied
 * migration's file changed, or when a failed Prisma migration is pending
 * resolution.
 */
export async function migrateUp(options: MigrateOptions): Promise<MigrateUpResult> {
  const files = await readMigrationFiles(options.migrationsDir);
  return withLockedClient(options, async (client) => {
    const failed = await failedMigrations(client);
    if (failed.length) {
      throw new MigrationError(
        ErrorCodes.MIGRATION_FAILED,
        `migration ${failed.join(', ')} is recorded as failed in _prisma_migrations; ` +
          `resolve it (prisma migrate resolve) before applying more`,
      );
    }
    const applied = await appliedMigrations(client);
    checkChecksums(files, applied);
    const done = new Set(applied.map((r) => r.migration_name));
    const result: MigrateUpResult = { applied: [], alreadyApplied: done.size };
    for (const file of files) {
      if (done.has(file.name)) continue;
      const started = Date.now();
      const record = `INSERT INTO "_prisma_migrations"
          (id, checksum, migration_name, started_at, finished_at, applied_steps_count)
        VALUES ('${randomUUID()}', '${file.checksum}', '${file.name}', now(), clock_timestamp(), 1);`;
      // The file and its bookkeeping row commit together, or neither does.
      await inTransaction(client, file.name, `${file.upSql}\n;\n${record}`);
      result.applied.push(file.name);
      options.onMigration?.(file.name, 'up', Date.now() - started);
    }
    return result;
  });
}

export interface MigrateDownOptions extends MigrateOptions {
  /** Keep this migration (and older ones) applied; roll back everything newer. */
  to?: string;
  /** Roll back every applied migration. */
  all?: boolean;
}

/**
 * Runs `down.sql` of applied migrations newest first and marks their rows
 * `rolled_back_at`, so a later `migrateUp` applies them again. Without `to`
 * or `all`, rolls back the newest one.
 */
export async function migrateDown(options: MigrateDownOptions): Promise<MigrateDownResult> {
  const files = await readMigrationFiles(options.migrationsDir);
  const byName = new Map(files.map((f) => [f.name, f]));
  return withLockedClient(options, async (client) => {
    const applied = await appliedMigrations(client);
    checkChecksums(files, applied);
    const names = applied
      .map((r) => r.migration_name)
      .sort()
      .reverse();
    let targets: string[];
    if (options.all) targets = names;
    else if (options.to !== undefined) {
      if (!names.includes(options.to)) {
        throw new MigrationError(
          ErrorCodes.MIGRATION_NOT_FOUND,
          `--to ${options.to}: no applied migration has that name (applied: ${names.join(', ') || 'none'})`,
        );
      }
      targets = names.filter((n) => n > options.to!);
    } else targets = names.slice(0, 1);

    const missing = targets.filter((n) => !byName.get(n)?.downSql);
    if (missing.length) {
      throw new MigrationError(
        ErrorCodes.MIGRATION_DOWN_MISSING,
        `cannot roll back ${missing.join(', ')}: no down.sql on disk`,
      );
    }
    const result: MigrateDownResult = { rolledBack: [] };
    for (const name of targets) {
      const started = Date.now();
      const mark = `UPDATE "_prisma_migrations" SET rolled_back_at = clock_timestamp()
         WHERE migration_name = '${name}' AND finished_at IS NOT NULL AND rolled_back_at IS NULL;`;
      await inTransaction(client, name, `${byName.get(name)!.downSql}\n;\n${mark}`);
      result.rolledBack.push(name);
      options.onMigration?.(name, 'down', Date.now() - started);
    }
    return result;
  });
}
