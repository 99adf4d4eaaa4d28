import type { FastifyInstance } from 'fastify';
import type { PrismaClient } from '../db/prisma.js';
import type { Runtime } from '../runtime.js';
import { withTimeout } from '../with-timeout.js';

const CHECK_TIMEOUT_MS = 2_000;

type CheckResult = 'ok' | 'unavailable';

async function check(runtime: Runtime, name: string, probe: () => Promise<unknown>): Promise<CheckResult> {
  try {
    await withTimeout(probe(), CHECK_TIMEOUT_MS, name);
    return 'ok';
  } catch (err) {
    runtime.logger.warn({ err, dependency: name }, 'readiness check failed');
    return 'unavailable';
  }
}

/** `/healthz`: the process answers (no dependency). `/readyz`: Postgres (the API's login) and Redis answer too. */
export function registerHealthRoutes(app: FastifyInstance, runtime: Runtime, db: PrismaClient): void {
  app.get(
    '/healthz',
    { schema: { tags: ['operations'], summary: 'Liveness: the process answers' } },
    async () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: Postgres (SELECT 1) and Redis (PING) answer; 503 when not',
      },
    },
    async (_request, reply) => {
      const [postgres, redis] = await Promise.all([
        check(runtime, 'postgres', () => db.$queryRaw`SELECT 1`),
        check(runtime, 'redis', () => runtime.redis.ping()),
      ]);
      const ready = postgres === 'ok' && redis === 'ok';
      return reply
        .code(ready ? 200 : 503)
        .send({ status: ready ? 'ready' : 'unavailable', checks: { postgres, redis } });
    },
  );
}
