import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  connectionPatchSchema,
  removeConnection,
  updateConnection,
} from '../../connections/connection-repository.js';
import { newBaseUrlOf } from '../../connections/connection-schema.js';
import { ConfigError, ValidationError } from '../../errors.js';
import { unscheduleConnection } from '../../queues/schedulers.js';
import { secured, type ApiContext } from '../context.js';
import { connectionSummary, errorResponses, responseOf } from '../openapi-schemas.js';
import { jsonSchema, parseRequest } from '../validation.js';

const params = z.object({
  connectionId: z.uuid({ error: 'must be a connection id (a uuid)' }),
});

const patchBody = connectionPatchSchema.describe(
  'Only the fields to change. settings and credentials merge into the stored ones ' +
    '(a setting set to null is removed); the result is validated as a new connection of its type.',
);

const removeQuery = z
  .object({
    mirror: z.enum(['keep', 'delete'], {
      error:
        'is required: keep (the synced records stay, the connection is retired) or delete (they go with it)',
    }),
  })
  .strict();

const removed = z.object({
  id: z.uuid(),
  mirror: z.enum(['kept', 'deleted']),
  records: z.number().describe('synced records of the connection, kept or deleted'),
  schedulesRemoved: z.number(),
});

/** `name: …` → `body.name: …`, like every other request error. */
function asBodyError(err: unknown): unknown {
  if (!(err instanceof ValidationError)) return err;
  const issues = err.issues.map((i) => `body.${i}`);
  return new ValidationError(`invalid connection: ${issues.join('; ')}`, issues, err.code);
}

/** PATCH / DELETE /connections/:connectionId, under RLS like every route. */
export function registerConnectionLifecycleRoutes(app: FastifyInstance, ctx: ApiContext): void {
  app.patch(
    '/connections/:connectionId',
    {
      schema: {
        ...secured,
        tags: ['connections'],
        summary: 'Renames a connection or changes its base URL, credentials or settings',
        params: jsonSchema(params),
        body: jsonSchema(patchBody),
        response: {
          200: responseOf(connectionSummary, 'the connection, without credentials'),
          ...errorResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const { connectionId } = parseRequest(params, request.params, 'params');
      const patch = parseRequest(patchBody, request.body, 'body');
      const key = ctx.encryptionKey;
      if (!key) throw new ConfigError(['SYNC_ENCRYPTION_KEY: is required to change connections']);
      // A new URL passes the egress policy (a DNS lookup) before the transaction opens.
      const newBaseUrl = newBaseUrlOf(patch);
      if (newBaseUrl) await ctx.runtime.egress.policy.checkUrl(newBaseUrl);
      return ctx
        .asUser(request.userId, (tx) => updateConnection(tx, key, connectionId, patch, ctx.runtime.sources))
        .catch((err: unknown) => {
          throw asBodyError(err);
        });
    },
  );

  app.delete(
    '/connections/:connectionId',
    {
      schema: {
        ...secured,
        tags: ['connections'],
        summary:
          'Removes a connection and its schedules; 409 CONNECTION_BUSY while one of its syncs runs. ' +
          '`mirror=keep` keeps its synced records (the connection is retired, its credentials wiped), ' +
          '`mirror=delete` deletes them with it',
        params: jsonSchema(params),
        querystring: jsonSchema(removeQuery),
        response: {
          200: responseOf(removed, 'removed'),
          ...errorResponses(400, 401, 403, 404, 409, 503),
        },
      },
    },
    async (request) => {
      const { connectionId } = parseRequest(params, request.params, 'params');
      const { mirror } = parseRequest(removeQuery, request.query, 'query');
      const key = ctx.encryptionKey;
      if (mirror === 'keep' && !key) {
        throw new ConfigError([
          'SYNC_ENCRYPTION_KEY: is required to wipe the credentials of a kept connection',
        ]);
      }
      const result = await ctx.asUser(request.userId, (tx) =>
        removeConnection(tx, connectionId, { mirror, ...(key ? { key } : {}) }),
      );
      const schedulesRemoved = await unscheduleConnection(ctx.runtime, result.id);
      return { id: result.id, mirror: result.mirror, records: result.records, schedulesRemoved };
    },
  );
}
