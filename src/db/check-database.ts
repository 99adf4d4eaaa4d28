import pg from 'pg';
import { DependencyError, ErrorCodes } from '../errors.js';
import { withTimeout } from '../with-timeout.js';
import { databaseErrorOf } from './database-errors.js';
import { defaultMigrationsDir, readMigrationFiles } from './migrate/migration-files.js';

export interface CheckDatabaseOptions {
  /** Bound on connecting and on each query. */
  timeoutMs: number;
  /**
   * Also require every migration shipped with this build to be applied
   * (the `migrate` command itself does not). @defaultValue true
   */
  migrated?: boolean;
  /** @defaultValue prisma/migrations of the package */
  migrationsDir?: string;
}

/**
 * Connects once to DATABASE_URL and, unless told otherwise, checks that the
 * migrations of this build are applied. Throws the typed error of
 * `databaseErrorOf` (unreachable, missing, login refused…) or
 * DATABASE_NOT_MIGRATED; never waits longer than `timeoutMs` per step.
 */
export async function checkDatabase(databaseUrl: string, options: CheckDatabaseOptions): Promise<void> {
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: options.timeoutMs,
    query_timeout: options.timeoutMs,
    application_name: 'sync-worker check',
  });
  client.on('error', () => undefined);
  try {
    await withTimeout(client.connect(), options.timeoutMs + 1000, 'Postgres');
    if (options.migrated ?? true) await checkMigrated(client, options.migrationsDir ?? defaultMigrationsDir);
  } catch (err) {
    throw databaseErrorOf(err) ?? asUnreachable(err);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function checkMigrated(client: pg.Client, migrationsDir: string): Promise<void> {
  const { rows } = await client.query<{ applied: string[] | null }>(
    `SELECT CASE WHEN to_regclass('public._prisma_migrations') IS NULL THEN NULL ELSE
              (SELECT coalesce(array_agg(migration_name), '{}') FROM "_prisma_migrations"
                WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL) END AS applied`,
  );
  const applied = new Set(rows[0]?.applied ?? []);
  const pending = (await readMigrationFiles(migrationsDir)).map((f) => f.name).filter((n) => !applied.has(n));
  if (pending.length === 0) return;
  throw new DependencyError(
    ErrorCodes.DATABASE_NOT_MIGRATED,
    rows[0]?.applied === null
      ? 'the database is not migrated (no _prisma_migrations table): run `sync-worker migrate`'
      : `the database lacks ${pending.length} migration(s) of this version (${pending.join(', ')}): run \`sync-worker migrate\``,
    'DATABASE_URL',
    { details: { pending } },
  );
}

/** A timeout of our own (a server that accepts and never answers). */
function asUnreachable(err: unknown): unknown {
  if (err instanceof Error && /did not answer within/.test(err.message)) {
    return new DependencyError(
      ErrorCodes.DATABASE_UNREACHABLE,
      `cannot reach Postgres (${err.message}): check DATABASE_URL and that the server is running`,
      'DATABASE_URL',
      { cause: err },
    );
  }
  return err;
}
