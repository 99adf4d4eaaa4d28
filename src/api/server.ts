import { createRequire } from 'node:module';
import { fastify, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { parseEncryptionKey } from '../connections/credentials-cipher.js';
import { requireConfig } from '../config.js';
import type { Runtime } from '../runtime.js';
import { authHook, createAuthenticator } from './auth.js';
import { mountBullBoard } from './bull-board.js';
import { createApiContext } from './context.js';
import { checkApiRole } from './db-role-check.js';
import { registerHealthRoutes } from './health.js';
import { installErrorHandling } from './http-errors.js';
import { acceptEmptyJsonBodies } from './json-body.js';
import { provisionedUserHook } from './provisioned-user.js';
import { createMetrics, observeHttp, registerMetricsRoute } from './metrics.js';
import { registerOpenApi } from './openapi.js';
import { registerActivityRoutes } from './routes/activity.js';
import { registerConnectionLifecycleRoutes } from './routes/connection-lifecycle.js';
import { registerConnectionRoutes } from './routes/connections.js';
import { registerPreviewRoutes } from './routes/previews.js';
import { registerSyncRoutes } from './routes/syncs.js';

export const API_PREFIX = '/api/v1';

export interface BuildServerOptions {
  /** Key for new connections' credentials. @defaultValue SYNC_ENCRYPTION_KEY when set */
  encryptionKey?: CredentialsKey;
  /** Check API_DB_ROLE when the server starts (refuses a role that bypasses RLS). @defaultValue true */
  checkDbRole?: boolean;
}

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * The HTTP server, ready to `listen` or `inject`: /api/v1 (JWT, RLS),
 * its OpenAPI document and Swagger UI, /healthz, /readyz, /metrics and Bull
 * Board at /admin/queues. Needs SYNC_JWT_SECRET.
 */
export async function buildServer(
  runtime: Runtime,
  options: BuildServerOptions = {},
): Promise<FastifyInstance> {
  const { config } = runtime;
  const authenticate = createAuthenticator(
    requireConfig(config, 'SYNC_JWT_SECRET', 'to verify API bearer tokens'),
  );
  const encryptionKey =
    options.encryptionKey ??
    (config.SYNC_ENCRYPTION_KEY ? parseEncryptionKey(config.SYNC_ENCRYPTION_KEY) : undefined);

  const app = fastify({
    loggerInstance: runtime.logger.child({ component: 'api' }) as FastifyBaseLogger,
    // Responses are plain JSON.stringify: route response schemas document, never filter.
    bodyLimit: 1_048_576,
  });
  app.setValidatorCompiler(() => (value) => ({ value }));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.decorateRequest('userId', '');
  acceptEmptyJsonBodies(app);
  installErrorHandling(app);

  const metrics = createMetrics(runtime);
  observeHttp(app, metrics);
  await registerOpenApi(app, version);
  registerHealthRoutes(app, runtime);
  registerMetricsRoute(app, metrics);
  await mountBullBoard(app, runtime);

  const ctx = createApiContext(runtime, encryptionKey);
  await app.register(
    async (api) => {
      api.addHook('onRequest', authHook(authenticate));
      api.addHook('onRequest', provisionedUserHook(ctx));
      registerConnectionRoutes(api, ctx);
      registerConnectionLifecycleRoutes(api, ctx);
      registerSyncRoutes(api, ctx);
      registerPreviewRoutes(api, ctx);
      registerActivityRoutes(api, ctx);
    },
    { prefix: API_PREFIX },
  );

  if (options.checkDbRole ?? true) {
    app.addHook('onReady', async () => {
      if ((await checkApiRole(runtime.prisma, config.API_DB_ROLE)) === 'unknown') {
        app.log.warn({ role: config.API_DB_ROLE }, 'could not check API_DB_ROLE (database unavailable)');
      }
    });
  }
  return app;
}
