import { z } from 'zod';
import type { Runtime } from '../runtime.js';
import { logActivity } from '../sync/activity-log.js';
import { CACHE_KEY_PATTERN, storePreview } from '../preview/preview-cache.js';
import { computePreviewDelta, type PreviewStatistics } from '../preview/preview-delta.js';
import type { CredentialsKey } from '../connections/credentials-cipher.js';
import { withSourceAdapter } from './with-source-adapter.js';
import { entityTypes, parseWith } from '../validation.js';

/** What a preview job carries in Redis: ids only (credentials are loaded when it runs). */
export const previewJobDataSchema = z
  .object({
    orgId: z.uuid(),
    connectionId: z.uuid(),
    entityType: z.enum(entityTypes),
    initiatedBy: z.uuid().nullable().default(null),
    cacheKey: z.string().regex(CACHE_KEY_PATTERN, 'must be 64 lowercase hex characters (sha256)'),
  })
  .strict();

export type PreviewJobData = z.infer<typeof previewJobDataSchema>;

export function parsePreviewJobData(value: unknown): PreviewJobData {
  return parseWith(previewJobDataSchema, value, 'preview job data');
}

export interface RunPreviewDeps {
  runtime: Runtime;
  encryptionKey: CredentialsKey;
  /** Aborted on SIGTERM: the walk stops (a preview has no checkpoint; it reruns). */
  shutdown: AbortSignal;
}

/** What a preview job returns. */
export interface PreviewResult {
  cacheKey: string;
  computedAt: string;
  expiresAt: string;
  statistics: PreviewStatistics;
}

/**
 * Computes what a full sync would change (nothing is written to
 * `sync_record` or `sync_progress`), stores it in `sync_preview_cache` under
 * the job's cache key for one hour and logs one `preview_delta` row.
 */
export async function runPreview(
  deps: RunPreviewDeps,
  job: { id: string; data: unknown },
): Promise<PreviewResult> {
  const { runtime } = deps;
  const data = parsePreviewJobData(job.data);
  const log = runtime.logger.child({ jobId: job.id, connectionId: data.connectionId, preview: true });
  const started = Date.now();

  const { connection, delta } = await withSourceAdapter(
    runtime,
    deps.encryptionKey,
    data,
    log,
    { signal: deps.shutdown },
    async ({ connection, adapter }) => ({
      connection,
      delta: await computePreviewDelta({
        db: runtime.prisma,
        adapter,
        connectionId: connection.id,
        entityType: data.entityType,
        pageSize: runtime.config.SYNC_BATCH_SIZE,
        deleteGuard: runtime.config.SYNC_DELETE_GUARD,
        signal: deps.shutdown,
      }),
    }),
  );
  const stored = await runtime.prisma.$transaction(async (tx) => {
    const row = await storePreview(tx, {
      orgId: data.orgId,
      syncType: connection.type,
      syncId: job.id,
      computedBy: data.initiatedBy,
      cacheKey: data.cacheKey,
      delta,
    });
    await logActivity(tx, {
      orgId: data.orgId,
      syncId: job.id,
      entityType: data.entityType,
      action: 'preview_delta',
      status: 'completed',
      recordCount: delta.statistics.total_affected,
      durationSeconds: Math.round((Date.now() - started) / 10) / 100,
      userId: data.initiatedBy,
    });
    return row;
  });
  log.info({ statistics: delta.statistics, cacheKey: data.cacheKey }, 'preview computed');
  return { cacheKey: data.cacheKey, ...stored, statistics: delta.statistics };
}
