import { setMaxListeners } from 'node:events';
import { Worker, type WorkerOptions } from 'bullmq';
import type { SourceDefinition } from '../adapters/source-definition.js';
import type { SyncType } from '../adapters/types.js';
import { concurrencyVariable, type Config } from '../config.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { isSyncWorkerError } from '../errors.js';
import { MAINTENANCE_QUEUE } from '../queues/queue-names.js';
import { upsertMaintenanceSchedulers } from '../queues/schedulers.js';
import { SYNC_BACKOFF, retryDelayMs } from '../queues/sync-job-options.js';
import type { Runtime } from '../runtime.js';
import { CancelWatch } from '../sync/cancel-watch.js';
import { createMaintenanceProcessor } from './maintenance-processor.js';
import { createSyncProcessor } from './sync-processor.js';

export interface WorkerSet {
  workers: Worker[];
  /**
   * Graceful stop: running syncs finish their batch and checkpoint, then the
   * workers close; past `SYNC_SHUTDOWN_TIMEOUT` they are closed by force (the
   * jobs are recovered by BullMQ's stalled-job check).
   */
  close(): Promise<void>;
}

export interface StartWorkersOptions {
  encryptionKey: CredentialsKey;
  /** Source queues to consume. @defaultValue every source of `runtime.sources` */
  sources?: SyncType[];
  /** Also consume `sync-maintenance` and upsert its schedulers. @defaultValue true */
  maintenance?: boolean;
}

/** `SYNC_CONCURRENCY_<TYPE>` when the configuration has it, else the definition's default. */
function concurrencyOf(config: Config, definition: SourceDefinition): number {
  const configured = (config as unknown as Record<string, unknown>)[concurrencyVariable(definition.type)];
  return typeof configured === 'number' ? configured : definition.defaultConcurrency;
}

export async function startWorkers(runtime: Runtime, options: StartWorkersOptions): Promise<WorkerSet> {
  const { config, logger } = runtime;
  const shutdown = new AbortController();
  // Every running sync listens for the shutdown: one listener per job slot.
  setMaxListeners(0, shutdown.signal);
  const common: WorkerOptions = {
    connection: runtime.redis,
    prefix: config.QUEUE_PREFIX,
    lockDuration: config.SYNC_JOB_LOCK_DURATION,
    stalledInterval: config.SYNC_JOB_LOCK_DURATION,
    maxStalledCount: 3,
    settings: {
      backoffStrategy: (attemptsMade, type, err) =>
        type === SYNC_BACKOFF
          ? retryDelayMs(
              attemptsMade,
              config.SYNC_BACKOFF_BASE,
              isSyncWorkerError(err) ? err.retryAfterMs : undefined,
            )
          : retryDelayMs(attemptsMade, config.SYNC_BACKOFF_BASE),
    },
  };
  const workers: Worker[] = [];
  const cancelWatch = new CancelWatch(runtime.prisma, logger);
  const processor = createSyncProcessor({
    runtime,
    encryptionKey: options.encryptionKey,
    shutdown: shutdown.signal,
    cancelWatch,
  });
  for (const type of options.sources ?? runtime.sources.types) {
    const definition = runtime.sources.get(type);
    workers.push(
      new Worker(definition.queueName, processor, {
        ...common,
        concurrency: concurrencyOf(config, definition),
      }),
    );
  }
  if (options.maintenance ?? true) {
    await upsertMaintenanceSchedulers(runtime);
    workers.push(
      new Worker(MAINTENANCE_QUEUE, createMaintenanceProcessor(runtime), {
        ...common,
        concurrency: config.SYNC_CONCURRENCY_MAINTENANCE,
      }),
    );
  }
  for (const w of workers) {
    w.on('error', (err) => logger.error({ err, queue: w.name }, 'worker error'));
    w.on('failed', (job, err) =>
      logger.warn(
        { queue: w.name, jobId: job?.id, attemptsMade: job?.attemptsMade, err: err.message },
        'job failed',
      ),
    );
  }
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  logger.info({ queues: workers.map((w) => w.name), prefix: config.QUEUE_PREFIX }, 'workers started');

  return {
    workers,
    async close() {
      shutdown.abort();
      const graceful = Promise.all(workers.map((w) => w.close()));
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), config.SYNC_SHUTDOWN_TIMEOUT);
      });
      const outcome = await Promise.race([graceful, timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') {
        logger.warn(
          { timeoutMs: config.SYNC_SHUTDOWN_TIMEOUT },
          'shutdown timeout: closing workers by force',
        );
        // A close already under way is not restarted by close(true) (BullMQ returns the same
        // promise): bound it too, so a connection that never answers (a Redis Cluster node
        // killed under a blocking command) cannot keep the process from exiting.
        const forced = await Promise.race([
          Promise.all(workers.map((w) => w.close(true))).then(() => 'closed' as const),
          new Promise<'timeout'>((resolve) => {
            timer = setTimeout(() => resolve('timeout'), config.SYNC_SHUTDOWN_TIMEOUT);
          }),
        ]);
        clearTimeout(timer);
        if (forced === 'timeout') logger.warn('workers did not close: leaving their connections to the exit');
      }
      cancelWatch.stop();
      logger.info('workers closed');
    },
  };
}
