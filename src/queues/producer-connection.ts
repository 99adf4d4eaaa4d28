import type { SyncType } from '../adapters/types.js';
import type { PrismaTx } from '../db/prisma.js';
import { ErrorCodes, NotFoundError } from '../errors.js';

/**
 * The connection a producer enqueues for (no credentials): CONNECTION_NOT_FOUND
 * when it does not exist or, when `orgId` is given (the API), belongs to
 * another org.
 */
export async function producerConnection(
  db: PrismaTx,
  connectionId: string,
  orgId?: string,
): Promise<{ id: string; orgId: string; type: SyncType }> {
  const connection = await db.integrationConnection.findUnique({
    where: { id: connectionId },
    select: { id: true, orgId: true, type: true },
  });
  if (!connection || (orgId && connection.orgId !== orgId)) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${connectionId} not found`);
  }
  return connection;
}
