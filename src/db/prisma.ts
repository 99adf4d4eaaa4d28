import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/prisma/client.js';

export type { PrismaClient };
export { Prisma } from '../generated/prisma/client.js';

/** The transaction client handed to `$transaction(async (tx) => …)`. */
export type PrismaTx = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];

export interface PrismaOptions {
  /** Connections in the pool. @defaultValue 10 */
  poolSize?: number;
  /** Postgres `application_name`, shown in pg_stat_activity. @defaultValue sync-worker */
  applicationName?: string;
  /** Bound on opening one connection of the pool (an unreachable server fails instead of waiting). @defaultValue 10000 */
  connectTimeoutMs?: number;
}

/**
 * A Prisma client over `pg` through the driver adapter: no native engine is
 * needed, so it runs on machines where Prisma cannot download one.
 */
export function createPrisma(databaseUrl: string, options: PrismaOptions = {}): PrismaClient {
  const adapter = new PrismaPg({
    connectionString: databaseUrl,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'sync-worker',
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
  });
  return new PrismaClient({ adapter });
}
