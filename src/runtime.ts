import { Queue } from 'bullmq';
import type { RedisOptions } from 'ioredis';
import { builtInSources } from './adapters/registry.js';
import type { SourceRegistry } from './adapters/source-registry.js';
import type { Config } from './config.js';
import { createPrisma, type PrismaClient } from './db/prisma.js';
import { createEgress, type Egress } from './egress/egress.js';
import { createLogger, type Logger } from './logger.js';
import { createRedis, type RedisClient } from './queues/redis-connection.js';

/**
 * The long-lived parts a process shares: configuration, logger, Prisma,
 * Redis and the queues. Built once per process by the CLI (or a test).
 */
export interface Runtime {
  config: Config;
  logger: Logger;
  prisma: PrismaClient;
  /** Shared connection for queues and the rate budgets: one Redis, or a Cluster with REDIS_CLUSTER_NODES. */
  redis: RedisClient;
  /** SYNC_EGRESS_ALLOW's policy and the dispatcher every source request goes through. */
  egress: Egress;
  /** The sources this process syncs: their queues, definitions and adapters. */
  sources: SourceRegistry;
  queue(name: string): Queue;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  logger?: Logger;
  prisma?: PrismaClient;
  /** Connections in the Prisma pool. @defaultValue 10 */
  poolSize?: number;
  /** The egress policy and dispatcher (closed with the runtime). @defaultValue from SYNC_EGRESS_ALLOW */
  egress?: Egress;
  /** The source registry. @defaultValue the built-in sources (src/adapters/registry.ts) */
  sources?: SourceRegistry;
  /** ioredis options of the shared connection (the CLI's short commands fail fast). @defaultValue reconnect forever */
  redisOptions?: RedisOptions;
}

export function createRuntime(config: Config, options: RuntimeOptions = {}): Runtime {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const prisma = options.prisma ?? createPrisma(config.DATABASE_URL, { poolSize: options.poolSize ?? 10 });
  const redis = createRedis(config, options.redisOptions);
  redis.on('error', (err) => logger.warn({ err }, 'redis connection error'));
  const queues = new Map<string, Queue>();
  // Built on first use: only processes that talk to sources (or check a URL) need it.
  let egress = options.egress;
  return {
    config,
    logger,
    prisma,
    redis,
    get egress() {
      egress ??= createEgress(config.SYNC_EGRESS_ALLOW);
      return egress;
    },
    sources: options.sources ?? builtInSources,
    queue(name) {
      let q = queues.get(name);
      if (!q) {
        q = new Queue(name, { connection: redis, prefix: config.QUEUE_PREFIX });
        q.on('error', (err) => logger.warn({ err, queue: name }, 'queue error'));
        queues.set(name, q);
      }
      return q;
    },
    async close() {
      await Promise.allSettled([...queues.values()].map((q) => q.close()));
      await prisma.$disconnect();
      redis.disconnect();
      await egress?.close();
    },
  };
}
