import { createPrisma, type PrismaClient } from '../db/prisma.js';
import type { Runtime } from '../runtime.js';

/** The API's own database login: every query of the API process goes through it. */
export interface ApiDatabase {
  prisma: PrismaClient;
  /** Where its URL came from: API_DATABASE_URL, or DATABASE_URL when that is unset. */
  source: 'API_DATABASE_URL' | 'DATABASE_URL';
  /** Closes its pool (not the runtime's, when it shares it). */
  close(): Promise<void>;
}

/**
 * The client for API_DATABASE_URL (the authenticator), or the runtime's own
 * client when API_DATABASE_URL is unset or names the same URL. `start` thus
 * runs the workers on DATABASE_URL and the API on the authenticator.
 */
export function openApiDatabase(runtime: Runtime, poolSize = 10): ApiDatabase {
  const { API_DATABASE_URL: url, DATABASE_URL } = runtime.config;
  if (url === undefined || url === DATABASE_URL) {
    return {
      prisma: runtime.prisma,
      source: url === undefined ? 'DATABASE_URL' : 'API_DATABASE_URL',
      close: async () => {},
    };
  }
  const prisma = createPrisma(url, { poolSize, applicationName: 'sync-worker api' });
  return { prisma, source: 'API_DATABASE_URL', close: () => prisma.$disconnect() };
}
