import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { allQueueNames } from '../queues/queue-names.js';
import type { PrismaClient } from '../db/prisma.js';
import type { Runtime } from '../runtime.js';
import { withApiRole } from './rls.js';
import { SyncStatusType } from '../generated/prisma/enums.js';
import { withTimeout } from '../with-timeout.js';

/** Job states reported per queue. */
const JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'completed',
  'failed',
] as const;

/** A scrape never waits longer than this on Redis or Postgres; the last values are kept. */
const COLLECT_TIMEOUT_MS = 2_000;

/**
 * Prometheus metrics of one server, in a registry of its own: the process'
 * default metrics, BullMQ job counts per queue and state and syncs per status
 * (both read on scrape), and HTTP request durations per route.
 */
export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createMetrics(runtime: Runtime, db: PrismaClient): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const queueJobs: Gauge<'queue' | 'state'> = new Gauge({
    name: 'sync_worker_queue_jobs',
    help: 'BullMQ jobs per queue and state, read at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      await Promise.all(
        allQueueNames(runtime.sources).map(async (queue) => {
          try {
            const counts = await withTimeout(
              runtime.queue(queue).getJobCounts(...JOB_STATES),
              COLLECT_TIMEOUT_MS,
              'Redis',
            );
            for (const state of JOB_STATES) queueJobs.set({ queue, state }, counts[state] ?? 0);
          } catch (err) {
            runtime.logger.warn({ err, queue }, 'metrics: could not read job counts');
          }
        }),
      );
    },
  });

  const syncs: Gauge<'status'> = new Gauge({
    name: 'sync_worker_syncs',
    help: 'Syncs in sync_progress per status, read at scrape time',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      try {
        const rows = await withTimeout(
          // Every org's syncs, counted by a narrow SECURITY DEFINER function: the API's role sees no row.
          withApiRole(
            db,
            runtime.config.API_DB_ROLE,
            (tx) => tx.$queryRaw<{ status: string; n: number }[]>`
              SELECT status::text AS status, syncs::int AS n FROM sync_status_counts()`,
          ),
          COLLECT_TIMEOUT_MS,
          'Postgres',
        );
        const counts = new Map(rows.map((r) => [r.status, r.n]));
        for (const status of Object.values(SyncStatusType)) syncs.set({ status }, counts.get(status) ?? 0);
      } catch (err) {
        runtime.logger.warn({ err }, 'metrics: could not count syncs');
      }
    },
  });

  const httpDuration = new Histogram({
    name: 'sync_worker_http_request_duration_seconds',
    help: 'HTTP request durations by method, route and status code',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  return { registry, httpDuration };
}

/** Observes every response's duration (by route template, so ids do not explode the series). */
export function observeHttp(app: FastifyInstance, { httpDuration }: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe(
      { method: request.method, route, status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}

/** `GET /metrics` in the Prometheus text format, behind `onRequest` when given (basic auth). */
export function registerMetricsRoute(
  app: FastifyInstance,
  { registry }: ApiMetrics,
  onRequest?: onRequestHookHandler,
): void {
  app.get(
    '/metrics',
    {
      ...(onRequest ? { onRequest } : {}),
      schema: { tags: ['operations'], summary: 'Prometheus metrics (basic auth: METRICS_USER)' },
    },
    async (_request, reply) => {
      const body = await registry.metrics();
      return reply.type(registry.contentType).send(body);
    },
  );
}
