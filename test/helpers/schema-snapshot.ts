import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import pg from 'pg';

export const PG_DUMP = '/usr/bin/pg_dump';

/** `pg_dump --schema-only --no-owner`, without its per-run random `\restrict` key lines; undefined without pg_dump. */
export async function dumpSchema(url: string): Promise<string | undefined> {
  if (!existsSync(PG_DUMP)) return undefined;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(
      PG_DUMP,
      ['--schema-only', '--no-owner', '--dbname', url],
      { maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`pg_dump failed: ${stderr || error.message}`)) : resolve(stdout),
    );
  });
  return out
    .split('\n')
    .filter((line) => !/^\\(un)?restrict /.test(line))
    .join('\n');
}

/**
 * The schema as catalog definitions (tables, columns, constraints, indexes,
 * triggers, functions, policies, enums, privileges) of schemas public and auth, sorted:
 * a pg_dump-independent comparison of two databases' schemas.
 */
export async function catalogSnapshot(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`SET TIME ZONE 'UTC'`);
    const { rows } = await client.query<{ line: string }>(`
      WITH ns AS (SELECT oid, nspname FROM pg_namespace WHERE nspname IN ('public', 'auth'))
      SELECT format('relation %s.%s kind=%s rls=%s bound=%s', ns.nspname, c.relname, c.relkind, c.relrowsecurity,
                    pg_get_expr(c.relpartbound, c.oid)) AS line
        FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
      UNION ALL
      SELECT format('column %s.%s.%s %s notnull=%s default=%s identity=%s', ns.nspname, c.relname, a.attname,
                    format_type(a.atttypid, a.atttypmod), a.attnotnull, pg_get_expr(d.adbin, d.adrelid), a.attidentity)
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN ns ON ns.oid = c.relnamespace
        LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p', 'v')
      UNION ALL
      SELECT format('constraint %s.%s %s', conrelid::regclass, conname, pg_get_constraintdef(co.oid))
        FROM pg_constraint co JOIN ns ON ns.oid = co.connamespace
      UNION ALL
      SELECT format('index %s', pg_get_indexdef(i.indexrelid))
        FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN ns ON ns.oid = c.relnamespace
      UNION ALL
      SELECT format('trigger %s', pg_get_triggerdef(t.oid))
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN ns ON ns.oid = c.relnamespace
       WHERE NOT t.tgisinternal
      UNION ALL
      SELECT format('function %s', pg_get_functiondef(p.oid))
        FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
      UNION ALL
      SELECT format('policy %s.%s %s %s %s %s %s', schemaname, tablename, policyname, cmd, roles, qual, with_check)
        FROM pg_policies WHERE schemaname IN ('public', 'auth')
      UNION ALL
      SELECT format('enum %s %s', t.typname, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder))
        FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN ns ON ns.oid = t.typnamespace
       GROUP BY t.typname
      UNION ALL
      SELECT format('schema %s', nspname) FROM ns
      UNION ALL
      SELECT format('acl schema %s %s', n.nspname, (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(n.nspacl) a))
        FROM pg_namespace n JOIN ns ON ns.oid = n.oid
      UNION ALL
      SELECT format('acl relation %s.%s %s', ns.nspname, c.relname,
                    (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(c.relacl) a))
        FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
      UNION ALL
      SELECT format('acl function %s %s', p.oid::regprocedure,
                    (SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(p.proacl) a))
        FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
    `);
    return rows.map((r) => r.line).sort();
  } finally {
    await client.end();
  }
}
