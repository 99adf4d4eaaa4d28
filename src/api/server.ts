import { createRequire } from 'node:module';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { keyRingFromConfig } from '../connections/credentials-cipher.js';
import type { Runtime } from '../runtime.js';
import { authHook, createAuthenticator, tokenPolicyFrom } from './auth.js';
import { basicAuth } from './basic-auth.js';
import { mountBullBoard } from './bull-board.js';
import { createApiContext } from './context.js';
import { checkApiDatabase } from './db-role-check.js';
import { openApiDatabase } from './api-database.js';
import { registerHealthRoutes } from './health.js';
import { errorShapeOptions, installErrorHandling } from './http-errors.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { provisionedUserHook } from './provisioned-user.js';
import { createMetrics, observeHttp, registerMetricsRoute, type ApiMetrics } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerRateLimit } from './rate-limit.js';
import { registerActivityRoutes } from './routes/activity.js';
import { registerConnectionLifecycleRoutes } from './routes/connection-lifecycle.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerPreviewRoutes } from './routes/previews.js';
import { registerSyncRoutes } from './routes/syncs.js';
import { refuseUndeclaredInput } from './strict-request.js';

export const API_PREFIX = '/api/v1';

export interface BuildServerOptions {
  /** Key for new connections' credentials. @defaultValue SYNC_ENCRYPTION_KEY when set */
  encryptionKey?: CredentialsKey;
  /**
   * Check API_DB_ROLE and the API's login when the server starts (refuses a role that bypasses
   * RLS, and an API_DATABASE_URL login that can do more than become it). @defaultValue true
   */
  checkDbRole?: boolean;
  /** Connections in the pool of API_DATABASE_URL. @defaultValue 10 */
  poolSize?: number;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The server's Prometheus registry (served on METRICS_PORT by `serveApi`). */
    metrics: ApiMetrics;
  }
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The HTTP server, ready to `listen` or `inject`: /api/v1 (JWT, RLS),
 * its OpenAPI document and Swagger UI, /healthz, /readyz, Bull Board at
 * /admin/queues and, with METRICS_USER/METRICS_PASSWORD, /metrics behind
 * basic auth. Needs SYNC_JWT_SECRET.
 */
export async function buildServer(
  runtime: Runtime,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const { config } = runtime;
  const authenticate = createAuthenticator(tokenPolicyFrom(config));
  const encryptionKey = options.encryptionKey ?? keyRingFromConfig(config);

  const app = fastify({
    loggerInstance: runtime.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Responses are plain JSON.stringify: route response schemas document, never filter.
    bodyLimit: 1_048_576,
    ...errorShapeOptions,
  });
  app.setValidatorCompiler(() => (value) => ({ value }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('userId', '');
  acceptEmptyJsonBodies(app);
  installErrorHandling(app);

  // Every query of the API goes through its own login (the authenticator).
  const database = openApiDatabase(runtime, options.poolSize);
  app.addHook('onClose', () => database.close());

  const metrics = createMetrics(runtime, database.prisma);
  app.decorate('metrics', metrics);
  observeHttp(app, metrics);
  await registerOpenApi(app, version);
  registerHealthRoutes(app, runtime, database.prisma);
  if (config.METRICS_USER && config.METRICS_PASSWORD) {
    registerMetricsRoute(
      app,
      metrics,
      basicAuth(config.METRICS_USER, config.METRICS_PASSWORD, 'Metrics', 'METRICS_USER'),
    );
  } else if (config.METRICS_PORT === undefined) {
    runtime.logger.warn(
      '/metrics is not served: set METRICS_PORT (a separate listener) or METRICS_USER and METRICS_PASSWORD (basic auth on the API port)',
    );
  }
  await mountBullBoard(app, runtime);

  const ctx = createApiContext(runtime, database.prisma, encryptionKey);
  await app.register(
    async (api) => {
      api.addHook('onRequest', authHook(authenticate));
      api.addHook('onRequest', provisionedUserHook(ctx));
      await registerRateLimit(api, runtime.redis, config, runtime.logger);
      api.addHook('preValidation', refuseUndeclaredInput);
      registerConnectionRoutes(api, ctx);
      registerConnectionLifecycleRoutes(api, ctx);
      registerSyncRoutes(api, ctx);
      registerPreviewRoutes(api, ctx);
      registerActivityRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );

  if (options.checkDbRole ?? true) {
    app.addHook('onReady', () => checkApiDatabase(database, config.API_DB_ROLE, app.log));
  }
  return app;
}
