import { readFileSync } from 'node:fs';

const cache = new Map<string, string>();

/**
 * Reads `src/db/sql/<name>.sql` (or the copy beside the compiled file), once.
 * SQL that matters lives in .sql files so it reads as SQL.
 */
export function loadSql(name: string): string {
  let sql = cache.get(name);
  if (sql === undefined) {
    sql = readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
    cache.set(name, sql);
  }
  return sql;
}
