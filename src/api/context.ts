import type { CredentialsKey } from '../connections/credentials-cipher.js';
import type { DbScope } from '../db/db-scope.js';
import type { PrismaClient, PrismaTx } from '../db/prisma.js';
import type { Runtime } from '../runtime.js';
import { withUserTransaction } from './rls.js';

/** What the /api/v1 routes share. */
export interface ApiContext {
  runtime: Runtime;
  /** The API's own login (API_DATABASE_URL, else DATABASE_URL); never the runtime's client. */
  db: PrismaClient;
  /** SYNC_ENCRYPTION_KEY; creating a connection needs it. */
  encryptionKey: CredentialsKey | undefined;
  /** Runs `fn` in the request's RLS transaction as `userId` (see rls.ts). */
  asUser<T>(userId: string, fn: (tx: PrismaTx) => Promise<T>): Promise<T>;
  /** `asUser` as a scope for the producers (enqueueSync, enqueuePreview, cancelSync). */
  scopeOf(userId: string): DbScope;
}

export function createApiContext(
  runtime: Runtime,
  db: PrismaClient,
  encryptionKey: CredentialsKey | undefined,
): ApiContext {
  const asUser: ApiContext['asUser'] = (userId, fn) =>
    withUserTransaction(db, runtime.config.API_DB_ROLE, userId, fn);
  return {
    runtime,
    db,
    encryptionKey,
    asUser,
    scopeOf: (userId) => (fn) => asUser(userId, fn),
  };
}

/** Route schema fields shared by every /api/v1 route (OpenAPI only). */
export const secured = { security: [{ bearerAuth: [] }] };
