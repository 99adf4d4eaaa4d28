import type { Db } from '../connections/connection-repository.js';
import { ErrorCodes, SyncWorkerError } from '../errors.js';

/**
 * `auth.users_extended`: which org each user (a JWT `sub`) belongs to. The
 * RLS policies read it. Where migration auth_compat created the table, the
 * project owns it and `addUser` writes it; where it pre-existed (Supabase,
 * Neon…), the platform's own user management does.
 */

/** The comment auth_compat puts on the tables and functions it creates. */
export const AUTH_COMPAT_MARK = 'created by sync-worker auth_compat';

/** True when auth_compat created auth.users_extended (so this project may add users to it). */
export async function ownsUsersTable(db: Db): Promise<boolean> {
  const rows = await db.$queryRaw<{ mark: string | null }[]>`
    SELECT obj_description(to_regclass('auth.users_extended'), 'pg_class') AS mark`;
  return rows[0]?.mark === AUTH_COMPAT_MARK;
}

/** The org of a user, or null when the user is not in auth.users_extended. */
export async function userOrg(db: Db, userId: string): Promise<string | null> {
  const rows = await db.$queryRaw<{ org_id: string }[]>`
    SELECT org_id::text AS org_id FROM auth.users_extended WHERE id = ${userId}::uuid`;
  return rows[0]?.org_id ?? null;
}

/**
 * Adds a user to an org. Idempotent for the same (user, org); a user already
 * in another org is refused (USER_IN_OTHER_ORG), as is a table the project
 * does not own (USERS_MANAGED_EXTERNALLY).
 */
export async function addUser(
  db: Db,
  input: { orgId: string; userId: string },
): Promise<{ userId: string; orgId: string; created: boolean }> {
  if (!(await ownsUsersTable(db))) {
    throw new SyncWorkerError(
      ErrorCodes.USERS_MANAGED_EXTERNALLY,
      'auth.users_extended was not created by sync-worker (it existed before, as on Supabase or Neon): ' +
        "add users through that platform's own user management — one row (id = the user's uuid, " +
        'org_id) in auth.users_extended, e.g. written by your sign-up flow — not with this command',
    );
  }
  const inserted = await db.$queryRaw<{ id: string }[]>`
    INSERT INTO auth.users_extended (id, org_id) VALUES (${input.userId}::uuid, ${input.orgId}::uuid)
    ON CONFLICT (id) DO NOTHING RETURNING id::text`;
  if (inserted.length) return { ...input, created: true };
  const orgId = await userOrg(db, input.userId);
  if (orgId !== null && orgId !== input.orgId) {
    throw new SyncWorkerError(
      ErrorCodes.USER_IN_OTHER_ORG,
      `user ${input.userId} already belongs to org ${orgId}; a user belongs to one org`,
    );
  }
  return { ...input, created: false };
}
