import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Prisma } from '../../db/prisma.js';
import { whereClause } from '../../db/where-clause.js';
import { ErrorCodes, NotFoundError } from '../../errors.js';
import { entityTypes } from '../../validation.js';
import { enqueueSync } from '../../queues/enqueue-sync.js';
import { cancelSync } from '../../sync/cancel-sync.js';
import { LIVE_STATUSES } from '../../sync/sync-lifecycle.js';
import { syncView } from '../../sync/sync-view.js';
import { secured, type ApiContext } from '../context.js';
import { cursorTimestampSql, decodeCursor, nextCursorOf } from '../cursor.js';
import { errorResponses, nextCursor, responseOf, syncViewSchema } from '../openapi-schemas.js';
import { booleanQuery, jsonSchema, limitSchema, parseRequest } from '../validation.js';

const triggerBody = z
  .object(
    {
      connectionId: z.uuid({
        error: (i) => (i.input === undefined ? 'is required (a connection uuid)' : 'must be a uuid'),
      }),
      entityType: z.enum(entityTypes, {
        error: (i) => `${i.input === undefined ? 'is required' : 'must be'} one of ${entityTypes.join(', ')}`,
      }),
      mode: z.enum(['full', 'incremental'], { error: 'must be full or incremental' }).default('full'),
    },
    {
      error: (i) =>
        i.code === 'invalid_type' ? 'must be a JSON object: {connectionId, entityType, mode?}' : undefined,
    },
  )
  .strict();

const syncParams = z.object({
  syncId: z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
});

const listQuery = z.strictObject({
  active: booleanQuery.optional().describe('only pending, running or paused syncs'),
  limit: limitSchema,
  cursor: z.string().max(500).optional(),
});

const syncRef = z.object({ syncId: z.string(), status: z.string() });

function notFound(syncId: string): NotFoundError {
  return new NotFoundError(ErrorCodes.SYNC_NOT_FOUND, `sync ${syncId} not found`);
}

/** /syncs: trigger (202), show with ETA, list, cancel — each visible only to the sync's org. */
export function registerSyncRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { runtime } = ctx;

  app.post(
    '/syncs',
    {
      schema: {
        ...secured,
        tags: ['syncs'],
        summary:
          'Triggers a sync; returns the running one (same syncId) when the connection and entity already have one',
        body: jsonSchema(triggerBody),
        response: {
          202: responseOf(syncRef.extend({ created: z.boolean() }), 'queued (created) or already running'),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const input = parseRequest(triggerBody, request.body, 'body');
      // Under the user's RLS: another org's connection is CONNECTION_NOT_FOUND.
      const sync = await enqueueSync(
        runtime,
        {
          connectionId: input.connectionId,
          entityType: input.entityType,
          mode: input.mode,
          trigger: 'manual',
          initiatedBy: request.userId,
        },
        ctx.scopeOf(request.userId),
      );
      return reply
        .code(202)
        .header('location', `/api/v1/syncs/${encodeURIComponent(sync.syncId)}`)
        .send({ syncId: sync.syncId, status: sync.status, created: sync.created });
    },
  );

  app.get(
    '/syncs/:syncId',
    {
      schema: {
        ...secured,
        tags: ['syncs'],
        summary: 'One sync: counts, speed, ETA (computed by the database), delta, error',
        params: jsonSchema(syncParams),
        response: { 200: responseOf(syncViewSchema, 'the sync'), ...errorResponses(401, 404) },
      },
    },
    async (request) => {
      const { syncId } = parseRequest(syncParams, request.params, 'params');
      const row = await ctx.asUser(request.userId, (tx) => tx.syncProgress.findFirst({ where: { syncId } }));
      if (!row) throw notFound(syncId);
      return syncView(row);
    },
  );

  app.get(
    '/syncs',
    {
      schema: {
        ...secured,
        tags: ['syncs'],
        summary: 'Syncs, newest first (keyset pagination)',
        querystring: jsonSchema(listQuery),
        response: {
          200: responseOf(z.object({ syncs: z.array(syncViewSchema), nextCursor }), 'one page'),
          ...errorResponses(400, 401),
        },
      },
    },
    async (request) => {
      const query = parseRequest(listQuery, request.query, 'query');
      const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      const conditions: Prisma.Sql[] = [];
      if (query.active) conditions.push(Prisma.sql`status::text IN (${Prisma.join([...LIVE_STATUSES])})`);
      if (cursor)
        conditions.push(Prisma.sql`(started_at, id) < (${cursor.t}::timestamptz, ${cursor.id}::uuid)`);
      const { keys, rows } = await ctx.asUser(request.userId, async (tx) => {
        const keys = await tx.$queryRaw<{ id: string; t: string }[]>`
          SELECT id::text AS id, ${Prisma.raw(cursorTimestampSql('started_at'))} AS t
            FROM sync_progress
           ${whereClause(conditions)}
           ORDER BY started_at DESC, id DESC
           LIMIT ${query.limit + 1}`;
        const ids = keys.slice(0, query.limit).map((k) => k.id);
        return {
          keys,
          rows: ids.length ? await tx.syncProgress.findMany({ where: { id: { in: ids } } }) : [],
        };
      });
      const byId = new Map(rows.map((r) => [r.id, r]));
      const syncs = keys
        .slice(0, query.limit)
        .flatMap((k) => (byId.has(k.id) ? [syncView(byId.get(k.id)!)] : []));
      return { syncs, nextCursor: nextCursorOf(keys, query.limit, (k) => k) };
    },
  );

  app.post(
    '/syncs/:syncId/cancel',
    {
      schema: {
        ...secured,
        tags: ['syncs'],
        summary: 'Cancels a live sync; a running job stops at its next batch boundary',
        params: jsonSchema(syncParams),
        response: {
          200: responseOf(syncRef, 'cancelled'),
          ...errorResponses(401, 404, 409),
        },
      },
    },
    async (request) => {
      const { syncId } = parseRequest(syncParams, request.params, 'params');
      // Under the user's RLS: another org's sync is SYNC_NOT_FOUND.
      return cancelSync(runtime, { syncId }, ctx.scopeOf(request.userId));
    },
  );
}
