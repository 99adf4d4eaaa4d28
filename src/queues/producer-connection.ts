import type { SourceRegistry } from '../adapters/source-registry.js';
import type { SyncEntityType, SyncType } from '../adapters/types.js';
import type { PrismaTx } from '../db/prisma.js';
import { ErrorCodes, NotFoundError, ValidationError } from '../errors.js';

/**
 * The connection a producer enqueues for (no credentials): CONNECTION_NOT_FOUND
 * when it does not exist, was removed or, when `orgId` is given (the API),
 * belongs to another org.
 */
export async function producerConnection(
  db: PrismaTx,
  connectionId: string,
  orgId?: string,
): Promise<{ id: string; orgId: string; type: SyncType; name: string }> {
  const connection = await db.integrationConnection.findFirst({
    where: { id: connectionId, removedAt: null },
    select: { id: true, orgId: true, type: true, name: true },
  });
  if (!connection || (orgId && connection.orgId !== orgId)) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${connectionId} not found`);
  }
  return connection;
}

/**
 * ENTITY_NOT_SUPPORTED (a ValidationError on `entityType`) when the
 * connection's source has no such entity: refused when the sync, preview or
 * schedule is asked for, before anything is written or queued.
 */
export function checkEntity(sources: SourceRegistry, type: SyncType, entityType: SyncEntityType): void {
  const definition = sources.get(type);
  if (definition.entities.includes(entityType)) return;
  const reason = `${definition.label} connections have no ${entityType}; they have ${definition.entities.join(', ')}`;
  throw new ValidationError(reason, [`entityType: ${reason}`], ErrorCodes.ENTITY_NOT_SUPPORTED);
}
