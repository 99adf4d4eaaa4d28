import { Prisma, type PrismaClient, type PrismaTx } from '../db/prisma.js';

/** Interactive transaction limits of one API request. */
const TX_OPTIONS = { maxWait: 5_000, timeout: 15_000 } as const;

/**
 * Runs `fn` in one interactive transaction as the API's database role, with
 * `auth.uid()` = `userId`, so the RLS policies decide what the user sees and
 * writes even when the application's database user owns the tables (or is a
 * superuser), which would bypass them.
 *
 * Both settings are transaction-local (`set_config(…, true)` is `SET LOCAL`):
 * they end with the transaction, so a pooled connection never leaks them and
 * the API works behind PgBouncer in transaction mode.
 */
export async function withUserTransaction<T>(
  prisma: PrismaClient,
  role: string,
  userId: string,
  fn: (tx: PrismaTx) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('role', ${role}, true), set_config('request.jwt.claim.sub', ${userId}, true)`;
    return fn(tx);
  }, TX_OPTIONS);
}

/** The org of the current user (`auth.users_extended`), or null when the user has none. */
export async function currentUserOrg(tx: PrismaTx): Promise<string | null> {
  const rows = await tx.$queryRaw<{ org_id: string }[]>`
    SELECT org_id::text AS org_id FROM auth.users_extended WHERE id = auth.uid()`;
  return rows[0]?.org_id ?? null;
}

/**
 * `org_id = <the user's org>` for list queries. RLS alone would give the same
 * rows, but its per-row EXISTS cannot use the org indexes: with this
 * condition the planner can (a month of one org's log: 324 ms → 53 ms at
 * 0.9 M rows in `npm run bench -- --suite queries`).
 */
export const currentOrgCondition = Prisma.sql`org_id = (SELECT org_id FROM auth.users_extended WHERE id = auth.uid())`;
