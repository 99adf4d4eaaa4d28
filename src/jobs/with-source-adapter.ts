import type { AdapterContext, RateBudget, SourceAdapter, SyncEntityType } from '../adapters/types.js';
import { loadConnection, type LoadedConnection } from '../connections/connection-repository.js';
import { parseStoredConnection } from '../connections/connection-schema.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { ErrorCodes, NotFoundError, SyncWorkerError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { rateBudgetFor } from '../sync/rate-budget/index.js';
import type { SyncObserver } from '../sync/sync-observer.js';

export interface SourceSession {
  connection: LoadedConnection;
  adapter: SourceAdapter;
}

export interface SourceSessionOptions {
  /** The job's signal (cancel, timeout, shutdown), also given to the adapter. */
  signal: AbortSignal;
  /** The sync's heartbeat (sync jobs only). */
  heartbeat?: AdapterContext['heartbeat'];
  /** Told of every pause the store asks for (429/503 with Retry-After), which every worker then waits out. */
  onRateLimitWait?: SyncObserver['onRateLimitWait'];
}

/**
 * Runs `work` with the adapter of the connection a job names, then closes
 * it whatever happens. The connection is loaded with its credentials
 * decrypted (in memory only) and must be the job's org's (else not found);
 * its settings and credentials are read by the source's definition; the
 * adapter is paced by the store's shared rate budget, opened (`open()`),
 * and `close()`d in a finally — also after a failure, a cancel or a shutdown.
 * An entity the source does not have fails ENTITY_NOT_SUPPORTED before any
 * request.
 */
export async function withSourceAdapter<T>(
  runtime: Runtime,
  encryptionKey: CredentialsKey,
  job: { orgId: string; connectionId: string; entityType: SyncEntityType },
  log: Logger,
  options: SourceSessionOptions,
  work: (session: SourceSession) => Promise<T>,
): Promise<T> {
  const connection = await loadConnection(runtime.prisma, encryptionKey, job.connectionId);
  if (connection.orgId !== job.orgId) {
    throw new NotFoundError(ErrorCodes.CONNECTION_NOT_FOUND, `connection ${job.connectionId} not found`);
  }
  const definition = runtime.sources.get(connection.type);
  if (!definition.entities.includes(job.entityType)) {
    throw new SyncWorkerError(
      ErrorCodes.ENTITY_NOT_SUPPORTED,
      `${definition.label} has no "${job.entityType}" entity (supported: ${definition.entities.join(', ')})`,
      { details: { entity: job.entityType, supported: definition.entities } },
    );
  }
  const { credentials, settings } = parseStoredConnection(definition, connection);
  const { config } = runtime;
  const adapter = await definition.create({
    connectionId: connection.id,
    baseUrl: connection.baseUrl,
    credentials,
    settings,
    signal: options.signal,
    ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
    rateBudget: observed(
      rateBudgetFor(runtime.redis, config.QUEUE_PREFIX, definition, { ...connection, settings }),
      options.onRateLimitWait,
    ),
    dispatcher: runtime.egress.dispatcher,
    pageConcurrency: config.SYNC_PAGE_CONCURRENCY,
    httpTimeoutMs: config.SYNC_HTTP_TIMEOUT,
    maxInPlaceRetryAfterMs: config.SYNC_MAX_INLINE_RETRY_AFTER,
    logger: log,
  });
  try {
    await adapter.open?.(options.signal);
    return await work({ connection, adapter });
  } finally {
    try {
      await adapter.close?.();
    } catch (err) {
      log.warn({ err }, `${definition.label} adapter close failed`);
    }
  }
}

/** The budget, telling `onPause` of each pause before it is set. */
function observed(budget: RateBudget, onPause: SyncObserver['onRateLimitWait'] | undefined): RateBudget {
  if (!onPause) return budget;
  return {
    take: (units, signal) => budget.take(units, signal),
    ...(budget.settle ? { settle: (reserved, seen) => budget.settle!(reserved, seen) } : {}),
    pause: (ms) => {
      onPause({ waitMs: ms, how: 'in_place' });
      return budget.pause(ms);
    },
  };
}
