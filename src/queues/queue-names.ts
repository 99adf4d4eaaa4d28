import { sources, type BuiltInSourceType } from '../adapters/registry.js';

/** The maintenance queue (schedulers, sweeper, scheduled sync triggers). */
export const MAINTENANCE_QUEUE = 'sync-maintenance';

/**
 * Every queue of the built-in sources by type, plus `maintenance`: read from
 * the source registry, so no queue exists for a source without a definition.
 * (A runtime with other sources reads `runtime.sources.get(type).queueName`.)
 */
export const QueueNames = {
  ...(Object.fromEntries(sources.map((s) => [s.type, s.queueName])) as Record<BuiltInSourceType, string>),
  maintenance: MAINTENANCE_QUEUE,
} as const;

/** Job names. */
export const JobNames = {
  sync: 'sync',
  preview: 'preview',
  cleanupPreviewCache: 'cleanup-preview-cache',
  maintainPartitions: 'maintain-partitions',
  sweepStalled: 'sweep-stalled',
  triggerSync: 'trigger-sync',
} as const;

/** Every queue a runtime serves: its sources' queues, then maintenance. */
export function allQueueNames(registry: { queueNames: readonly string[] }): string[] {
  return [...registry.queueNames, MAINTENANCE_QUEUE];
}
