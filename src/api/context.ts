import type { CredentialsKey } from '../connections/credentials-cipher.js';
import type { PrismaTx } from '../db/prisma.js';
import type { Runtime } from '../runtime.js';
import { withUserTransaction } from './rls.js';

/** What the /api/v1 routes share. */
export interface ApiContext {
  runtime: Runtime;
  /** SYNC_ENCRYPTION_KEY; creating a connection needs it. */
  encryptionKey: CredentialsKey | undefined;
  /** Runs `fn` in the request's RLS transaction as `userId` (see rls.ts). */
  asUser<T>(userId: string, fn: (tx: PrismaTx) => Promise<T>): Promise<T>;
}

export function createApiContext(runtime: Runtime, encryptionKey: CredentialsKey | undefined): ApiContext {
  return {
    runtime,
    encryptionKey,
    asUser: (userId, fn) => withUserTransaction(runtime.prisma, runtime.config.API_DB_ROLE, userId, fn),
  };
}

/** Route schema fields shared by every /api/v1 route (OpenAPI only). */
export const secured = { security: [{ bearerAuth: [] }] };
