import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Runtime } from '../runtime.js';
import { errorShapeOptions, installErrorHandling } from './http-errors.js';
import { registerMetricsRoute, type ApiMetrics } from './metrics.js';

/**
 * The listener of METRICS_PORT: `/metrics` and nothing else, without
 * credentials (for a Prometheus on a private network: keep the port off
 * public ones). Shares the API's registry, so HTTP durations are the API's.
 */
export async function buildMetricsServer(runtime: Runtime, metrics: ApiMetrics): Promise<FastifyInstance> {
  const app = fastify({
    loggerInstance: runtime.logger.child({ component: 'metrics' }) as FastifyBaseLogger,
    ...errorShapeOptions,
  });
  installErrorHandling(app);
  registerMetricsRoute(app, metrics);
  await app.ready();
  return app;
}
