import type { PrismaClient, PrismaTx } from '../db/prisma.js';

/** Interactive transaction limits of one API request. */
const TX_OPTIONS = { maxWait: 5_000, timeout: 15_000 } as const;

/**
 * Runs `fn` in one interactive transaction as the API's database role, with
 * `auth.uid()` = `userId`, so the RLS policies decide what the user sees and
 * writes. The policies compare each row's `org_id` with
 * `(SELECT sync_current_org_id())`, evaluated once per statement, so a query
 * needs no `org_id` predicate of its own to use the `(org_id, …)` indexes.
 *
 * Both settings are transaction-local (`set_config(…, true)` is `SET LOCAL`):
 * they end with the transaction, so a pooled connection never leaks them and
 * the API works behind PgBouncer in transaction mode. Connected as the
 * authenticator (API_DATABASE_URL), the login has no privileges of its own:
 * leaving the role (`RESET ROLE`) leaves nothing to read.
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

/** `fn` in a transaction as the API's role with no user: RLS lets it see no row. */
export async function withApiRole<T>(
  prisma: PrismaClient,
  role: string,
  fn: (tx: PrismaTx) => Promise<T>,
): Promise<T> {
  return prisma.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT set_config('role', ${role}, true)`;
    return fn(tx);
  }, TX_OPTIONS);
}

/**
 * The org of the current user, or null when the user has none: the value the
 * policies compare with (the API role cannot read `auth.users_extended`).
 */
export async function currentUserOrg(tx: PrismaTx): Promise<string | null> {
  const rows = await tx.$queryRaw<{ org_id: string | null }[]>`SELECT sync_current_org_id()::text AS org_id`;
  return rows[0]?.org_id ?? null;
}
