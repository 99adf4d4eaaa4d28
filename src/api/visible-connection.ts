import { ErrorCodes, NotFoundError } from '../errors.js';
import type { ApiContext } from './context.js';

/**
 * The connection as the user may see it under RLS (id and org), or
 * CONNECTION_NOT_FOUND: another org's connection does not exist for them.
 * Producers called after this act for that connection's org only.
 */
export async function visibleConnection(
  ctx: ApiContext,
  userId: string,
  connectionId: string,
): Promise<{ id: string; orgId: string }> {
  const connection = await ctx.asUser(userId, (tx) =>
    tx.integrationConnection.findFirst({
      where: { id: connectionId, removedAt: null },
      select: { id: true, orgId: true },
    }),
  );
  if (!connection) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${connectionId} not found`);
  }
  return connection;
}
