import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ErrorCodes, NotFoundError } from '../../errors.js';
import { entityTypes } from '../../validation.js';
import { enqueuePreview } from '../../queues/enqueue-preview.js';
import {
  CACHE_KEY_PATTERN,
  findCachedPreview,
  previewJobId,
  type CachedPreview,
} from '../../preview/preview-cache.js';
import { secured, type ApiContext } from '../context.js';
import { errorResponses, responseOf } from '../openapi-schemas.js';
import { currentUserOrg } from '../rls.js';
import { jsonSchema, parseRequest } from '../validation.js';

const previewBody = z
  .object(
    {
      connectionId: z.uuid({
        error: (i) => (i.input === undefined ? 'is required (a connection uuid)' : 'must be a uuid'),
      }),
      entityType: z.enum(entityTypes, {
        error: (i) => `${i.input === undefined ? 'is required' : 'must be'} one of ${entityTypes.join(', ')}`,
      }),
      refresh: z
        .boolean({ error: 'must be true or false' })
        .optional()
        .describe('compute again even when a cached preview is fresh'),
    },
    {
      error: (i) =>
        i.code === 'invalid_type' ? 'must be a JSON object: {connectionId, entityType}' : undefined,
    },
  )
  .strict();

const previewParams = z.object({
  cacheKey: z.string().regex(CACHE_KEY_PATTERN, 'must be 64 lowercase hex characters'),
});

const n = z.number();
const statisticsSchema = z.object({
  new_count: n,
  updated_count: n,
  deleted_count: n,
  total_affected: n.describe('new + updated + deleted'),
  unchanged_count: n,
  failed_count: n.describe('source items that could not be mapped'),
  examined_count: n,
});

const previewSchema = z.object({
  cacheKey: z.string(),
  status: z.literal('completed'),
  cached: z.boolean().optional().describe('POST only: served from the cache'),
  computedAt: z.iso.datetime(),
  expiresAt: z.iso.datetime().describe('one hour after computedAt'),
  computedBy: z.uuid().nullable(),
  jobId: z.string().nullable(),
  sourceSystem: z.string().nullable(),
  delta: z
    .object({
      new: z.array(z.record(z.string(), z.unknown())).describe('{id, …canonical data}, capped'),
      updated: z
        .array(
          z.object({
            id: z.string(),
            old_data: z.record(z.string(), z.unknown()),
            new_data: z.record(z.string(), z.unknown()),
          }),
        )
        .describe('the changed top-level fields of each side, capped'),
      deleted: z.array(z.record(z.string(), z.unknown())).describe('{id, …stored data}, capped'),
      statistics: statisticsSchema,
      failures: z.array(z.object({ id: z.string(), reason: z.string() })).describe('a sample'),
      item_limit: n,
      truncated: z.boolean(),
      connection_id: z.uuid(),
      entity_type: z.string(),
    })
    .describe('the seed’s delta_json'),
});

const pendingSchema = z.object({
  cacheKey: z.string(),
  status: z.enum(['pending', 'failed']),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

function previewView(p: CachedPreview) {
  return {
    cacheKey: p.cacheKey,
    status: 'completed' as const,
    computedAt: p.computedAt,
    expiresAt: p.expiresAt,
    computedBy: p.computedBy,
    jobId: p.syncId,
    sourceSystem: p.syncType,
    delta: p.delta,
  };
}

function notFound(cacheKey: string): NotFoundError {
  return new NotFoundError(ErrorCodes.PREVIEW_NOT_FOUND, `preview ${cacheKey} not found (or expired)`);
}

/** `CODE: message`, as the preview processor fails jobs. */
function jobError(reason: string | undefined): { code: string; message: string } {
  const match = /^([A-Z_]+): (.*)$/s.exec(reason ?? '');
  return match
    ? { code: match[1]!, message: match[2]! }
    : { code: ErrorCodes.INTERNAL, message: reason ?? '' };
}

/** /previews: what a full sync would change, computed by a job and cached one hour, per org (RLS). */
export function registerPreviewRoutes(app: FastifyInstance, ctx: ApiContext): void {
  const { runtime } = ctx;

  app.post(
    '/previews',
    {
      schema: {
        ...secured,
        tags: ['previews'],
        summary:
          'Requests the delta a full sync would apply; 200 with the cached preview while the mirror is unchanged (one hour at most), else 202 and a job',
        body: jsonSchema(previewBody),
        response: {
          200: responseOf(previewSchema, 'served from the cache'),
          202: responseOf(pendingSchema.omit({ error: true }), 'queued: GET the location until it is 200'),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const input = parseRequest(previewBody, request.body, 'body');
      // Under the user's RLS: another org's connection is CONNECTION_NOT_FOUND.
      const result = await enqueuePreview(
        runtime,
        {
          connectionId: input.connectionId,
          entityType: input.entityType,
          initiatedBy: request.userId,
          refresh: input.refresh ?? false,
        },
        ctx.scopeOf(request.userId),
      );
      if (result.cached) return reply.code(200).send({ ...previewView(result.preview), cached: true });
      return reply
        .code(202)
        .header('location', `/api/v1/previews/${result.cacheKey}`)
        .send({ cacheKey: result.cacheKey, status: 'pending' });
    },
  );

  app.get(
    '/previews/:cacheKey',
    {
      schema: {
        ...secured,
        tags: ['previews'],
        summary:
          "A preview by cache key: 200 when computed, 202 while its job runs (or when it failed), 404 when expired or another org's",
        params: jsonSchema(previewParams),
        response: {
          200: responseOf(previewSchema, 'the preview'),
          202: responseOf(pendingSchema, 'its job is queued, running, or failed'),
          ...errorResponses(400, 401, 404),
        },
      },
    },
    async (request, reply) => {
      const { cacheKey } = parseRequest(previewParams, request.params, 'params');
      const { preview, orgId } = await ctx.asUser(request.userId, async (tx) => ({
        preview: await findCachedPreview(tx, cacheKey),
        orgId: await currentUserOrg(tx),
      }));
      if (preview) return previewView(preview);
      // Not computed (yet): a job of the user's org for this key says pending or failed.
      if (orgId) {
        for (const name of runtime.sources.queueNames) {
          const queue = runtime.queue(name);
          // The state before the job: a job read before it failed would carry no failedReason.
          const state = await queue.getJobState(previewJobId(cacheKey));
          if (state === 'unknown') continue;
          const job = await queue.getJob(previewJobId(cacheKey));
          if (!job || (job.data as { orgId?: string })?.orgId !== orgId) continue;
          if (state === 'completed') break; // its row expired
          return reply
            .code(202)
            .send(
              state === 'failed'
                ? { cacheKey, status: 'failed', error: jobError(job.failedReason) }
                : { cacheKey, status: 'pending' },
            );
        }
      }
      throw notFound(cacheKey);
    },
  );
}
