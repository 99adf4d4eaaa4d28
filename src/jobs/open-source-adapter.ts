import '../adapters/index.js';
import { createAdapter } from '../adapters/registry.js';
import type { SourceAdapter, SyncEntityType } from '../adapters/types.js';
import { loadConnection, type LoadedConnection } from '../connections/connection-repository.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { ErrorCodes, NotFoundError, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { RedisRateGate, rateGateKey } from '../sync/rate-gate.js';

/**
 * The connection a job names (credentials decrypted, in memory only) and its
 * adapter, paced by the store's shared rate gate. Fails as not found when the
 * connection is not the job's org's, and as ENTITY_NOT_SUPPORTED when the
 * source has no such entity.
 */
export async function openSourceAdapter(
  runtime: Runtime,
  encryptionKey: CredentialsKey,
  job: { orgId: string; connectionId: string; entityType: SyncEntityType },
  log: Logger,
): Promise<{ connection: LoadedConnection; adapter: SourceAdapter }> {
  const connection = await loadConnection(runtime.prisma, encryptionKey, job.connectionId);
  if (connection.orgId !== job.orgId) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${job.connectionId} not found`);
  }
  const adapter = createAdapter(connection.type, {
    connectionId: connection.id,
    baseUrl: connection.baseUrl,
    credentials: connection.credentials,
    settings: connection.settings,
    rateGate: new RedisRateGate(runtime.redis, rateGateKey(runtime.config.QUEUE_PREFIX, connection.id)),
    pageConcurrency: runtime.config.SYNC_PAGE_CONCURRENCY,
    httpTimeoutMs: runtime.config.SYNC_HTTP_TIMEOUT,
    maxInPlaceRetryAfterMs: runtime.config.SYNC_MAX_INLINE_RETRY_AFTER,
    logger: log,
  });
  if (!adapter.entities.includes(job.entityType)) {
    throw new SyncWorkerError(
      ErrorCodes.ENTITY_NOT_SUPPORTED,
      `${connection.type} has no "${job.entityType}" entity (supported: ${adapter.entities.join(', ')})`,
    );
  }
  return { connection, adapter };
}
