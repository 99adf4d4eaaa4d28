import type { PrismaClient } from '../db/prisma.js';
import { ConfigError } from '../errors.js';

/**
 * Refuses an API_DB_ROLE under which RLS would not apply (missing, superuser,
 * BYPASSRLS) or that the application's user cannot switch to. Returns quietly
 * when it could not ask (database down): /readyz reports that.
 */
export async function checkApiRole(prisma: PrismaClient, role: string): Promise<'ok' | 'unknown'> {
  let rows: { super: boolean; bypass: boolean; member: boolean; me: string }[];
  try {
    rows = await prisma.$queryRaw`
      SELECT r.rolsuper AS super, r.rolbypassrls AS bypass,
             pg_has_role(current_user, r.oid, 'MEMBER') AS member, current_user::text AS me
        FROM pg_roles r WHERE r.rolname = ${role}`;
  } catch {
    return 'unknown';
  }
  const row = rows[0];
  if (!row) {
    throw new ConfigError([
      `API_DB_ROLE: role "${role}" does not exist; run \`sync-worker migrate\` (it creates sync_worker_api)`,
    ]);
  }
  if (row.super || row.bypass) {
    throw new ConfigError([
      `API_DB_ROLE: role "${role}" bypasses row-level security (superuser or BYPASSRLS); use sync_worker_api`,
    ]);
  }
  if (!row.member) {
    throw new ConfigError([
      `API_DB_ROLE: database user "${row.me}" cannot SET ROLE "${role}"; run GRANT "${role}" TO "${row.me}"`,
    ]);
  }
  return 'ok';
}
