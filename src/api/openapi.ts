import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const DOCS_PATH = '/api/v1/docs';

/**
 * The OpenAPI 3.1 document, built from the route schemas (themselves made
 * from the zod schemas that validate the requests), at /api/v1/openapi.json;
 * Swagger UI at /api/v1/docs. Register before the routes.
 */
export async function registerOpenApi(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'sync-worker API',
        version,
        description:
          'Connections, syncs (trigger, progress with ETA, cancel) and the activity log of the ' +
          "caller's organisation. Bearer JWT (HS256), `sub` = user id; row-level security decides " +
          'what each user sees. Errors: `{"error": {"code", "message", "details"?}}`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      tags: [
        { name: 'connections', description: 'source stores' },
        { name: 'syncs', description: 'sync runs' },
        { name: 'previews', description: 'what a full sync would change (cached one hour)' },
        { name: 'activity', description: 'sync_activity_log' },
        { name: 'operations', description: 'health, readiness, metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: DOCS_PATH, uiConfig: { docExpansion: 'list' } });
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger());
}
