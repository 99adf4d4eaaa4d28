import { createHash } from 'node:crypto';

/**
 * The Redis key of one store's budget: the same for every connection to that
 * store (the base URL normalised: lower-case scheme and host, no default
 * port, no trailing slash, no `/wp-json…` API suffix), under QUEUE_PREFIX,
 * whose `{hash tag}` keeps it on the queues' Redis Cluster slot.
 */
export function rateBudgetKey(prefix: string, baseUrl: string): string {
  const digest = createHash('sha256').update(normaliseStoreUrl(baseUrl)).digest('hex').slice(0, 32);
  return `${prefix}:rate-budget:${digest}`;
}

export function normaliseStoreUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl.trim());
  } catch {
    return baseUrl.trim().toLowerCase();
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/wp-json(\/.*)?$/, '');
  return `${url.protocol}//${url.host}${path}`.toLowerCase();
}
