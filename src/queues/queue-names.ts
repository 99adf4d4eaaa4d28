import type { SyncType } from '../adapters/types.js';

/** One queue per source system, plus maintenance. */
export const QueueNames = {
  woocommerce: 'sync-woocommerce',
  odoo: 'sync-odoo',
  shopify: 'sync-shopify',
  custom: 'sync-custom',
  maintenance: 'sync-maintenance',
} as const;

export type SyncQueueName = (typeof QueueNames)[SyncType];

export function syncQueueFor(type: SyncType): SyncQueueName {
  return QueueNames[type];
}

export const syncQueueNames: readonly SyncQueueName[] = [
  QueueNames.woocommerce,
  QueueNames.odoo,
  QueueNames.shopify,
  QueueNames.custom,
];

/** Job names. */
export const JobNames = {
  sync: 'sync',
  preview: 'preview',
  cleanupPreviewCache: 'cleanup-preview-cache',
  maintainPartitions: 'maintain-partitions',
  sweepStalled: 'sweep-stalled',
  triggerSync: 'trigger-sync',
} as const;
