import pg from 'pg';
import { ValidationError } from '../../errors.js';

/**
 * Creates the database DATABASE_URL names, when it does not exist, through
 * the server's `postgres` maintenance database (the user needs CREATEDB).
 * Returns whether it created it.
 */
export async function createDatabaseIfMissing(databaseUrl: string, timeoutMs: number): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!name) throw new ValidationError('DATABASE_URL names no database', ['DATABASE_URL: names no database']);
  url.pathname = '/postgres';
  const client = new pg.Client({
    connectionString: url.toString(),
    connectionTimeoutMillis: timeoutMs,
    application_name: 'sync-worker migrate',
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    return true;
  } catch (err) {
    // Created meanwhile by a concurrent migrate.
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}
