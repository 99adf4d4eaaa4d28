import { randomUUID } from 'node:crypto';
import type { SourceRegistry } from '../../src/adapters/source-registry.js';
import type { SyncType } from '../../src/adapters/types.js';
import { loadConfig, type Config } from '../../src/config.js';
import { createConnection } from '../../src/connections/connection-repository.js';
import { requireKeyRing } from '../../src/connections/credentials-cipher.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createRuntime, type Runtime } from '../../src/runtime.js';
import { startWorkers, type WorkerSet } from '../../src/workers/start-workers.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { createTestRedis, type TestRedis } from './redis.js';
import { LOOPBACK_ALLOW } from './egress.js';
import { waitFor } from './wait-for.js';

export const TEST_ENCRYPTION_KEY = 'a'.repeat(64);

/**
 * One test file's world: its own database, Redis prefix, runtime (Prisma,
 * queues) and, on demand, in-process workers. Everything real.
 */
export interface SyncHarness {
  db: TestDatabase;
  redis: TestRedis;
  config: Config;
  runtime: Runtime;
  env: Record<string, string>;
  startWorkers(overrides?: Partial<Record<keyof Config, string>>): Promise<WorkerSet>;
  addConnection(input: {
    type?: SyncType;
    baseUrl: string;
    credentials: Record<string, string>;
    settings?: Record<string, unknown>;
    orgId?: string;
  }): Promise<{ id: string; orgId: string }>;
  progress(
    syncId: string,
  ): Promise<Awaited<ReturnType<Runtime['prisma']['syncProgress']['findFirstOrThrow']>>>;
  waitForStatus(syncId: string, statuses: string[], timeoutMs?: number): Promise<string>;
  activity(
    syncId: string,
  ): Promise<{ action: string; status: string; record_count: number | null; error_message: string | null }[]>;
  close(): Promise<void>;
}

export interface SyncHarnessOptions {
  /** The sources the runtime and its workers know. @defaultValue the built-in ones */
  sources?: SourceRegistry;
  /** The logger of the runtime and its workers. @defaultValue pino on stderr at LOG_LEVEL */
  logger?: Logger;
}

export async function createSyncHarness(
  label: string,
  env: Record<string, string> = {},
  options: SyncHarnessOptions = {},
): Promise<SyncHarness> {
  const db = await createTestDatabase(label);
  const redis = createTestRedis(label);
  const baseEnv: Record<string, string> = {
    DATABASE_URL: db.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    SYNC_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    SYNC_EGRESS_ALLOW: LOOPBACK_ALLOW,
    SYNC_BACKOFF_BASE: '200ms',
    SYNC_JOB_LOCK_DURATION: '5s',
    SYNC_SHUTDOWN_TIMEOUT: '10s',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...env,
  };
  const config = loadConfig(baseEnv);
  const sources = options.sources ? { sources: options.sources } : {};
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const runtime = createRuntime(config, { logger, poolSize: 5, ...sources });
  const workerSets: WorkerSet[] = [];
  const key = requireKeyRing(config, 'by the sync harness');

  return {
    db,
    redis,
    config,
    runtime,
    env: baseEnv,
    async startWorkers(overrides = {}) {
      const cfg = loadConfig({ ...baseEnv, ...overrides });
      const rt = createRuntime(cfg, { logger: runtime.logger, poolSize: 5, ...sources });
      const set = await startWorkers(rt, { encryptionKey: requireKeyRing(cfg, 'by the sync harness') });
      const wrapped: WorkerSet = {
        workers: set.workers,
        async close() {
          await set.close();
          await rt.close();
        },
      };
      workerSets.push(wrapped);
      return wrapped;
    },
    async addConnection(input) {
      const orgId = input.orgId ?? randomUUID();
      const created = await createConnection(
        runtime.prisma,
        key,
        {
          orgId,
          type: input.type ?? 'woocommerce',
          name: `store-${randomUUID().slice(0, 8)}`,
          baseUrl: input.baseUrl,
          credentials: input.credentials,
          settings: input.settings ?? {},
        },
        runtime.sources,
      );
      return { id: created.id, orgId };
    },
    progress(syncId) {
      return runtime.prisma.syncProgress.findFirstOrThrow({ where: { syncId } });
    },
    async waitForStatus(syncId, statuses, timeoutMs = 60_000) {
      return waitFor(
        async () => {
          const row = await runtime.prisma.syncProgress.findFirst({ where: { syncId } });
          return row && statuses.includes(row.status) ? row.status : null;
        },
        { timeoutMs, what: `sync ${syncId} to reach ${statuses.join('|')}` },
      );
    },
    async activity(syncId) {
      const { rows } = await db.pool.query(
        `SELECT action::text, status::text, record_count, error_message
           FROM sync_activity_log WHERE sync_id = $1 ORDER BY created_at, action`,
        [syncId],
      );
      return rows;
    },
    async close() {
      for (const set of workerSets.splice(0)) await set.close().catch(() => undefined);
      await runtime.close();
      await redis.cleanup();
      await db.drop();
    },
  };
}
