import { z } from 'zod';
import { clientScope, type DbScope } from '../db/db-scope.js';
import { checkEntity, producerConnection } from './producer-connection.js';
import type { PreviewJobData } from '../jobs/run-preview.js';
import { entityTypes, parseWith } from '../validation.js';
import type { Runtime } from '../runtime.js';
import {
  findCachedPreview,
  previewCacheKey,
  previewJobId,
  type CachedPreview,
} from '../preview/preview-cache.js';
import { previewJobName } from './job-label.js';
import { syncJobOptions } from './sync-job-options.js';

export const enqueuePreviewInputSchema = z
  .object({
    connectionId: z.uuid(),
    entityType: z.enum(entityTypes),
    initiatedBy: z.uuid().nullable().default(null),
    /** Compute again even when a cached preview is fresh (its row is dropped first). */
    refresh: z.boolean().default(false),
    /** When given (the API), the connection must belong to this org. */
    orgId: z.uuid().optional(),
  })
  .strict();

export type EnqueuePreviewInput = z.input<typeof enqueuePreviewInputSchema>;

export type EnqueuedPreview =
  | { cached: true; cacheKey: string; preview: CachedPreview }
  | { cached: false; cacheKey: string; jobId: string; queueName: string; status: 'pending' };

/** A preview reruns from the start; a few attempts are enough. */
const PREVIEW_ATTEMPTS = 3;

/**
 * The preview producer (the CLI and the HTTP API call it). It computes the
 * cache key from the state of the mirror; a non-expired cached preview with
 * that key is returned at once. Otherwise it adds a `preview` job to the
 * source's queue whose job id is derived from the key, so identical requests
 * share one job (`refresh` drops the cached row first, so the preview is
 * computed again). A finished job left behind by an earlier hour (its row
 * expired) or a failed one is replaced, so asking again recomputes.
 * `scope` runs its queries (the API passes the user's RLS transaction).
 */
export async function enqueuePreview(
  runtime: Runtime,
  raw: EnqueuePreviewInput,
  scope: DbScope = clientScope(runtime.prisma),
): Promise<EnqueuedPreview> {
  const input = parseWith(enqueuePreviewInputSchema, raw, 'preview request');
  const { connection, cacheKey, cached } = await scope(async (db) => {
    const connection = await producerConnection(db, input.connectionId, input.orgId);
    checkEntity(runtime.sources, connection.type, input.entityType);
    const cacheKey = await previewCacheKey(db, connection.id, input.entityType);
    if (input.refresh) {
      await db.syncPreviewCache.deleteMany({ where: { cacheKey } });
      return { connection, cacheKey, cached: null };
    }
    return { connection, cacheKey, cached: await findCachedPreview(db, cacheKey) };
  });
  if (cached) return { cached: true, cacheKey, preview: cached };

  const queueName = runtime.sources.get(connection.type).queueName;
  const queue = runtime.queue(queueName);
  const jobId = previewJobId(cacheKey);
  const existing = await queue.getJob(jobId);
  if (existing) {
    const state = await existing.getState();
    if (state === 'completed') {
      // It may have finished between the lookup above and now.
      const fresh = await scope((db) => findCachedPreview(db, cacheKey));
      if (fresh) return { cached: true, cacheKey, preview: fresh };
    }
    if (state === 'completed' || state === 'failed') await existing.remove().catch(() => undefined);
  }
  const data: PreviewJobData = {
    orgId: connection.orgId,
    connectionId: connection.id,
    entityType: input.entityType,
    initiatedBy: input.initiatedBy,
    cacheKey,
  };
  await queue.add(previewJobName(input.entityType, connection.name), data, {
    ...syncJobOptions(runtime.config),
    attempts: Math.min(PREVIEW_ATTEMPTS, runtime.config.SYNC_MAX_ATTEMPTS),
    removeOnComplete: { age: 24 * 3600 },
    removeOnFail: { age: 24 * 3600 },
    jobId,
  });
  runtime.logger.info(
    { jobId, connectionId: connection.id, entityType: input.entityType },
    'preview enqueued',
  );
  return { cached: false, cacheKey, jobId, queueName, status: 'pending' };
}
