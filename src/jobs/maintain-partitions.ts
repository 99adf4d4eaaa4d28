import type { Runtime } from '../runtime.js';

export interface PartitionMaintenanceResult {
  created: { partition: string; movedRows: number }[];
  dropped: string[];
}

/**
 * Keeps `sync_activity_log` partitions ahead of time (current month plus
 * SYNC_PARTITION_MONTHS_AHEAD) and drops months older than
 * SYNC_LOG_RETENTION_MONTHS.
 */
export async function maintainPartitions(runtime: Runtime): Promise<PartitionMaintenanceResult> {
  const ahead = runtime.config.SYNC_PARTITION_MONTHS_AHEAD;
  const keep = runtime.config.SYNC_LOG_RETENTION_MONTHS;
  const created = await runtime.prisma.$queryRaw<{ partition_name: string; moved_rows: bigint }[]>`
    SELECT partition_name, moved_rows FROM ensure_sync_activity_log_partitions(${ahead}::int)`;
  const dropped = await runtime.prisma.$queryRaw<{ partition_name: string }[]>`
    SELECT partition_name FROM drop_old_sync_activity_log_partitions(${keep}::int)`;
  const result = {
    created: created.map((r) => ({ partition: r.partition_name, movedRows: Number(r.moved_rows) })),
    dropped: dropped.map((r) => r.partition_name),
  };
  runtime.logger.info(
    { ...result, monthsAhead: ahead, retentionMonths: keep },
    'activity log partitions maintained',
  );
  return result;
}
