import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { ErrorCodes, MigrationError } from '../../errors.js';

const MIGRATION_NAME = /^\d{14}_[a-z0-9_]+$/;

/** The project's own migrations folder (same relative place from src/ and dist/). */
export const defaultMigrationsDir = new URL('../../../prisma/migrations', import.meta.url).pathname;

export interface MigrationFile {
  /** Folder name, e.g. `20251106000100_0024_sync_preview_progress_logs`. */
  name: string;
  upSql: string;
  /** sha256 (hex) of migration.sql, as Prisma computes it. */
  checksum: string;
  /** down.sql, when the migration has one. */
  downSql: string | undefined;
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql).digest('hex');
}

/** Prisma's layout: `<dir>/<timestamp>_<name>/migration.sql`, applied in name order. */
export async function readMigrationFiles(dir: string): Promise<MigrationFile[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!MIGRATION_NAME.test(name)) {
      throw new MigrationError(
        ErrorCodes.MIGRATION_FAILED,
        `migration folder "${name}" is not named <14-digit timestamp>_<snake_case_name>`,
      );
    }
    const upPath = path.join(dir, name, 'migration.sql');
    const exists = await stat(upPath).then(
      () => true,
      () => false,
    );
    if (!exists) continue;
    const upSql = await readFile(upPath, 'utf8');
    const downSql = await readFile(path.join(dir, name, 'down.sql'), 'utf8').catch(() => undefined);
    files.push({ name, upSql, checksum: checksumOf(upSql), downSql });
  }
  return files;
}
