import { createHash } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { defaultMigrationsDir, readMigrationFiles } from '../../src/db/migrate/migration-files.js';
import { migrateUp } from '../../src/db/migrate/migrator.js';
import { ADMIN_DATABASE_URL, databaseUrlFor } from './env.js';

/**
 * Migrates a template database once per run (named after a hash of the
 * migrations, so a changed migration gets a fresh template). Each test file
 * then clones it in milliseconds with CREATE DATABASE … TEMPLATE.
 */
export default async function setup(project: TestProject): Promise<void> {
  const files = await readMigrationFiles(defaultMigrationsDir);
  const hash = createHash('sha256')
    .update(files.map((f) => `${f.name}:${f.checksum}:${f.downSql ?? ''}`).join('\n'))
    .update(new Date().toISOString().slice(0, 7)) // partitions are made for the current month
    .digest('hex')
    .slice(0, 12);
  const template = `sw_template_${hash}`;
  const admin = new pg.Client({ connectionString: ADMIN_DATABASE_URL });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (!rowCount) {
      const building = `${template}_build`;
      await admin.query(`DROP DATABASE IF EXISTS "${building}" WITH (FORCE)`);
      await admin.query(`CREATE DATABASE "${building}"`);
      await migrateUp({ databaseUrl: databaseUrlFor(building), migrationsDir: defaultMigrationsDir });
      await admin.query(`ALTER DATABASE "${building}" RENAME TO "${template}"`);
    }
    await admin.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
  } finally {
    await admin.end();
  }
  project.provide('templateDatabase', template);
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
