import type { PrismaClient, PrismaTx } from './prisma.js';

/**
 * Where a unit of database work runs: `scope((db) => …)`. The CLI and the
 * workers use the application's own client; the HTTP API passes the request's
 * RLS transaction (as API_DB_ROLE, with the user's JWT claim), so a producer
 * called from a route sees and writes only the user's org, under the API's
 * login.
 */
export type DbScope = <T>(fn: (db: PrismaTx) => Promise<T>) => Promise<T>;

/** Each statement on its own (autocommit), on `prisma`. */
export const clientScope =
  (prisma: PrismaClient): DbScope =>
  (fn) =>
    fn(prisma);

/** One interactive transaction on `prisma`. */
export const transactionScope =
  (prisma: PrismaClient): DbScope =>
  (fn) =>
    prisma.$transaction(fn);
