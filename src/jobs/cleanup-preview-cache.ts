import type { Runtime } from '../runtime.js';

export interface CleanupResult {
  deletedCount: number;
  errorMessage: string | null;
}

/** Runs `auto_cleanup_preview_cache()` and logs its result. */
export async function cleanupPreviewCache(runtime: Runtime): Promise<CleanupResult> {
  const rows = await runtime.prisma.$queryRaw<{ deleted_count: number; error_message: string | null }[]>`
    SELECT deleted_count, error_message FROM auto_cleanup_preview_cache()`;
  const result = { deletedCount: rows[0]?.deleted_count ?? 0, errorMessage: rows[0]?.error_message ?? null };
  if (result.errorMessage) runtime.logger.error(result, 'preview cache cleanup failed');
  else runtime.logger.info(result, 'preview cache cleaned');
  return result;
}
